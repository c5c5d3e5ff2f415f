// What `easel describe` and `easel get clusters` show of an AKS cluster, read live from Azure:
// its Kubernetes version, API server name, add-ons and each pool's live node count.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "azure/arm_client.h"
#include "common/status.h"
#include "plan/graph.h"

namespace easel::cli {

struct AksPoolStatus {
  std::string name, mode, vm_size, version, state;
  int count = 0;
  bool autoscaled = false;
  int min = 0, max = 0;
};

struct AksStatus {
  std::string requested_version, current_version, fqdn, power_state, provisioning_state;
  std::vector<std::pair<std::string, bool>> addons;  // name, enabled ("keda" included)
  std::vector<AksPoolStatus> pools;
  nlohmann::json ToJson() const;
};

// Reads the cluster and its pools from `plan` (GETs only).
Result<AksStatus> ReadAksStatus(azure::ArmClient& arm, const plan::Plan& plan);

}  // namespace easel::cli
