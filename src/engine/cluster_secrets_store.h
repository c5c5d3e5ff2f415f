// A cluster's bootstrap secrets (PKI and join token seed) kept sealed in the store, under the
// secret name kClusterSecretsName.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "bootstrap/cluster_secrets.h"
#include "common/status.h"
#include "store/secret_box.h"
#include "store/store.h"

namespace easel::engine {

inline constexpr const char* kClusterSecretsName = "bootstrap";

// The cluster's stored secrets; on first use, new ones (bootstrap::NewClusterSecrets with
// `algorithm`), sealed and stored before they are returned. A cluster's CA never changes: when the
// stored secrets have another algorithm than `algorithm`, the stored ones are returned (the caller
// may warn). Concurrent first uses agree on one set (the first stored). Errors: the store's, a
// secret that cannot be unsealed (wrong key) or parsed, never silently replaced.
Result<bootstrap::ClusterSecrets> LoadOrCreateClusterSecrets(
    store::Store& store, const store::SecretBox& box, const std::string& cluster,
    bootstrap::KeyAlgorithm algorithm, std::chrono::system_clock::time_point now);

// The cluster's stored secrets, or nullopt when it has none yet.
Result<std::optional<bootstrap::ClusterSecrets>> LoadClusterSecrets(store::Store& store,
                                                                    const store::SecretBox& box,
                                                                    const std::string& cluster);

}  // namespace easel::engine
