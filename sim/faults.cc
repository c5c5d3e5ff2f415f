#include "sim/faults.h"

#include "sim/util.h"

namespace azsim {

easel::Status Faults::Load(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("rules") || !j["rules"].is_array())
    return easel::Status::InvalidArgument("faults: expected {\"rules\": [...]}");
  std::vector<FaultRule> rules;
  for (const auto& r : j["rules"]) {
    if (!r.is_object()) return easel::Status::InvalidArgument("faults: each rule is an object");
    FaultRule f;
    try {
      f.kind = r.value("kind", "");
      f.type = r.value("type", "");
      f.fault = r.value("fault", "");
      f.error_code = r.value("errorCode", "InternalServerError");
      f.message = r.value("message", "");
      f.service = r.value("service", "arm");
      f.rate = r.value("rate", 1.0);
      f.count = r.value("count", -1L);
      f.retry_after = r.value("retryAfter", 1.0);
    } catch (const std::exception& e) {
      return easel::Status::InvalidArgument(std::string("faults: ") + e.what());
    }
    if (f.fault != "429" && f.fault != "500" && f.fault != "503" && f.fault != "drop" &&
        f.fault != "lroFailed")
      return easel::Status::InvalidArgument(
          "faults: fault must be 429, 500, 503, drop or lroFailed, not \"" + f.fault + "\"");
    if (f.rate < 0 || f.rate > 1)
      return easel::Status::InvalidArgument("faults: rate must be within [0, 1]");
    if (f.kind != "" && f.kind != "read" && f.kind != "write" && f.kind != "delete")
      return easel::Status::InvalidArgument("faults: kind must be read, write or delete");
    rules.push_back(f);
  }
  std::lock_guard<std::mutex> lock(mu_);
  rules_ = std::move(rules);
  rng_.seed(seed_);
  return easel::Status::Ok();
}

nlohmann::json Faults::ToJson() const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& f : rules_)
    arr.push_back({{"kind", f.kind},
                   {"type", f.type},
                   {"fault", f.fault},
                   {"errorCode", f.error_code},
                   {"message", f.message},
                   {"service", f.service},
                   {"rate", f.rate},
                   {"count", f.count},
                   {"retryAfter", f.retry_after}});
  return {{"rules", arr}};
}

FaultDecision Faults::Decide(const std::string& service, const std::string& kind,
                             const std::string& type) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& f : rules_) {
    if (f.count == 0 || f.service != service) continue;
    if (!f.kind.empty() && f.kind != kind) continue;
    if (!f.type.empty() && !IEquals(f.type, type)) continue;
    double draw = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (draw >= f.rate) continue;
    if (f.count > 0) --f.count;
    return FaultDecision{f.fault, f.error_code, f.retry_after, f.message};
  }
  return {};
}

}  // namespace azsim
