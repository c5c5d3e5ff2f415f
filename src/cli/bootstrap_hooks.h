// Wires the bootstrap layer into the engine for one cluster: its secrets (made on first apply,
// kept sealed in the store), the user data of each node, and the keys its vault must hold.
#pragma once

#include <memory>
#include <string>

#include "bootstrap/cluster_secrets.h"
#include "engine/reconciler.h"
#include "spec/aks.h"
#include "spec/catalog.h"
#include "spec/diagnostics.h"
#include "spec/types.h"
#include "store/store.h"

namespace easel::cli {

struct ClusterBootstrap {
  bootstrap::ClusterSecrets secrets;
  engine::BootstrapHooks hooks;
};

// Loads (or on first use creates) the cluster's secrets and builds the engine's hooks.
// `state_path` locates the secret key file when EASEL_SECRET_KEY is not set; `cloud_name` goes
// into azure.json, `vault_resource` is the cloud's Key Vault audience. The spec must outlive it.
Result<std::unique_ptr<ClusterBootstrap>> PrepareBootstrap(const spec::ClusterSpec& spec,
                                                           store::Store& store,
                                                           const std::string& state_path,
                                                           const std::string& cloud_name,
                                                           const std::string& vault_resource);

// spec::LoadAnySpec plus, for an AzureCluster, the checks that need the bootstrap layer (user
// data sizes).
spec::AnySpec LoadCheckedSpec(const std::string& file, const spec::Catalog& catalog,
                              spec::Diagnostics* diagnostics);

}  // namespace easel::cli
