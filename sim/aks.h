// Shared by the AKS files (arm_containerservice.cc, aks_cluster.cc, aks_credentials.cc,
// arm_kubernetesconfiguration.cc, arm_policy.cc): type-checked JSON reads and resources that a
// hook writes with its own (extra_puts).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sim/arm.h"

namespace azsim {

inline constexpr char kManagedClusterType[] = "Microsoft.ContainerService/managedClusters";
inline constexpr char kAgentPoolType[] = "Microsoft.ContainerService/managedClusters/agentPools";

// j[key] when j is an object holding a string there, else `def`.
std::string JStr(const nlohmann::json& j, const char* key, const std::string& def = "");
bool JBool(const nlohmann::json& j, const char* key, bool def = false);
// &j[key] when it is an object, else nullptr.
const nlohmann::json* JObj(const nlohmann::json& j, const char* key);
// The tenant of resources azsim creates.
std::string SimTenant(const Arm& arm);
// A resource with id/name/type filled and nothing else added.
Resource PlainResource(const std::string& id, const std::string& type, nlohmann::json body,
                       const std::string& location);
// Removes the fields Azure never returns (secrets) from a managed cluster document.
void StripClusterSecrets(nlohmann::json& doc);
// listClusterUserCredential / listClusterAdminCredential.
HttpResponse AksCredentials(ActionContext& ctx, bool admin);
// The hidden state a new cluster keeps: its CA and client certificates (kubeconfigs).
nlohmann::json NewClusterPki();

}  // namespace azsim

namespace azsim {

struct K8sVersion;

// Checks and completes an agent pool's properties for a write. `old` is the stored pool
// (nullptr for a new pool), `cp` the control plane's current version.
ArmError PrepareAgentPool(Arm& arm, nlohmann::json& p, const std::string& name,
                          const nlohmann::json* old, const K8sVersion& cp);
// The managed cluster's validate hook (aks_cluster.cc).
ArmError ValidateManagedCluster(PutContext& ctx);
// Removes what the cluster created outside itself (its node resource group).
void RemoveClusterOwned(Arm& arm, const Resource& cluster);

}  // namespace azsim
