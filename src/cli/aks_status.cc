#include "cli/aks_status.h"

#include "plan/resource_types.h"

namespace easel::cli {
namespace {

using Json = nlohmann::json;

std::string Str(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}
int Int(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_number_integer() ? j[key].get<int>() : 0;
}

bool Bool(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_boolean() && j[key].get<bool>();
}

}  // namespace

Json AksStatus::ToJson() const {
  Json out = {{"kubernetesVersion", requested_version},
              {"currentKubernetesVersion", current_version},
              {"fqdn", fqdn},
              {"powerState", power_state},
              {"provisioningState", provisioning_state},
              {"addons", Json::object()},
              {"pools", Json::array()}};
  for (const auto& [name, enabled] : addons) out["addons"][name] = enabled;
  for (const AksPoolStatus& p : pools) {
    Json j = {{"name", p.name},       {"mode", p.mode},   {"vmSize", p.vm_size},
              {"version", p.version}, {"count", p.count}, {"provisioningState", p.state}};
    if (p.autoscaled) j["autoscale"] = {{"min", p.min}, {"max", p.max}};
    out["pools"].push_back(j);
  }
  return out;
}

Result<AksStatus> ReadAksStatus(azure::ArmClient& arm, const plan::Plan& plan) {
  AksStatus s;
  for (const plan::ResourceNode& r : plan.resources) {
    if (r.type != plan::type::kManagedCluster && r.type != plan::type::kAgentPool) continue;
    Result<azure::ArmResponse> got = arm.Call("GET", r.id, r.api_version);
    if (!got.ok()) return got.status();
    if (got->status == 404) continue;
    if (got->status != 200) return Status::Unavailable(r.name + ": " + azure::Describe(*got));
    const Json& p = got->body.is_object() && got->body.contains("properties")
                        ? got->body["properties"]
                        : Json::object();
    if (r.type == plan::type::kManagedCluster) {
      s.requested_version = Str(p, "kubernetesVersion");
      s.current_version = Str(p, "currentKubernetesVersion");
      s.fqdn = Str(p, "fqdn").empty() ? Str(p, "privateFQDN") : Str(p, "fqdn");
      s.provisioning_state = Str(p, "provisioningState");
      s.power_state = p.contains("powerState") ? Str(p["powerState"], "code") : "";
      if (p.contains("addonProfiles") && p["addonProfiles"].is_object()) {
        for (const auto& [name, addon] : p["addonProfiles"].items()) {
          s.addons.emplace_back(name, Bool(addon, "enabled"));
        }
      }
      if (p.contains("workloadAutoScalerProfile") && p["workloadAutoScalerProfile"].is_object()) {
        const Json& w = p["workloadAutoScalerProfile"];
        s.addons.emplace_back("keda", w.contains("keda") && Bool(w["keda"], "enabled"));
      }
      continue;
    }
    AksPoolStatus pool;
    pool.name = r.name;
    pool.mode = Str(p, "mode");
    pool.vm_size = Str(p, "vmSize");
    pool.version = Str(p, "currentOrchestratorVersion").empty()
                       ? Str(p, "orchestratorVersion")
                       : Str(p, "currentOrchestratorVersion");
    pool.state = Str(p, "provisioningState");
    pool.count = Int(p, "count");
    pool.autoscaled = Bool(p, "enableAutoScaling");
    pool.min = Int(p, "minCount");
    pool.max = Int(p, "maxCount");
    s.pools.push_back(pool);
  }
  return s;
}

}  // namespace easel::cli
