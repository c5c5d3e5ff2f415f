// Fault injection, deterministic under --seed: rates of 429, 500, 503, dropped connections and
// long-running operations that end Failed, per operation kind ("read", "write", "delete") and/or
// resource type, optionally limited to a number of hits. Rules come from --faults FILE and from
// the admin API.
//
// JSON: {"rules": [{"kind": "write", "type": "Microsoft.Network/virtualNetworks", "fault": "429",
//                   "rate": 0.5, "count": 3, "retryAfter": 1, "errorCode": "InternalServerError",
//                   "message": "..."}]}
// fault: "429" | "500" | "503" | "drop" | "lroFailed". kind/type omitted: any. count omitted: no
// limit.
#pragma once

#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "common/status.h"

namespace azsim {

struct FaultRule {
  std::string kind, type, fault, error_code;
  std::string message;          // lroFailed: the error message (VM extensions: also their stderr)
  std::string service = "arm";  // "arm" or "blob"
  double rate = 1.0;
  long count = -1;  // remaining hits; -1 unlimited
  double retry_after = 1;
};

struct FaultDecision {
  std::string fault;  // empty: none
  std::string error_code;
  double retry_after = 0;
  std::string message;
};

class Faults {
 public:
  explicit Faults(uint64_t seed) : seed_(seed), rng_(seed) {}
  // Replaces all rules and restarts the generator from the seed, so that the same rules applied to
  // the same requests give the same faults.
  easel::Status Load(const nlohmann::json& j);
  nlohmann::json ToJson() const;
  FaultDecision Decide(const std::string& service, const std::string& kind,
                       const std::string& type);

 private:
  mutable std::mutex mu_;
  uint64_t seed_;
  std::mt19937_64 rng_;
  std::vector<FaultRule> rules_;
};

}  // namespace azsim
