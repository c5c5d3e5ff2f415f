#include "engine/cluster_secrets_store.h"

#include <openssl/crypto.h>

namespace easel::engine {
namespace {

void Wipe(std::string* s) {
  if (!s->empty()) OPENSSL_cleanse(s->data(), s->size());
  s->clear();
}

}  // namespace

Result<std::optional<bootstrap::ClusterSecrets>> LoadClusterSecrets(store::Store& store,
                                                                    const store::SecretBox& box,
                                                                    const std::string& cluster) {
  Result<std::optional<std::string>> sealed = store.GetSecret(cluster, kClusterSecretsName);
  if (!sealed.ok()) return sealed.status();
  if (!sealed->has_value()) return std::optional<bootstrap::ClusterSecrets>();
  Result<std::string> plain =
      box.Unseal(**sealed, store::SecretAssociatedData(cluster, kClusterSecretsName));
  if (!plain.ok()) {
    return Status(plain.status().code(),
                  "the secrets of cluster " + cluster + ": " + plain.status().message());
  }
  Result<bootstrap::ClusterSecrets> secrets = bootstrap::ParseSecrets(*plain);
  Wipe(&plain.value());
  if (!secrets.ok()) {
    return Status(secrets.status().code(),
                  "the secrets of cluster " + cluster + ": " + secrets.status().message());
  }
  return std::optional<bootstrap::ClusterSecrets>(std::move(secrets).value());
}

Result<bootstrap::ClusterSecrets> LoadOrCreateClusterSecrets(
    store::Store& store, const store::SecretBox& box, const std::string& cluster,
    bootstrap::KeyAlgorithm algorithm, std::chrono::system_clock::time_point now) {
  Result<std::optional<bootstrap::ClusterSecrets>> existing =
      LoadClusterSecrets(store, box, cluster);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return std::move(**existing);

  Result<bootstrap::ClusterSecrets> created = bootstrap::NewClusterSecrets(algorithm, now);
  if (!created.ok()) return created.status();
  std::string plain = bootstrap::SerializeSecrets(*created);
  Result<std::string> sealed =
      box.Seal(plain, store::SecretAssociatedData(cluster, kClusterSecretsName));
  Wipe(&plain);
  if (!sealed.ok()) return sealed.status();
  Result<bool> stored = store.PutSecretIfAbsent(cluster, kClusterSecretsName, *sealed);
  if (!stored.ok()) return stored.status();
  if (*stored) return created;
  // Another process stored its secrets between our read and our write: theirs are the cluster's.
  Result<std::optional<bootstrap::ClusterSecrets>> theirs = LoadClusterSecrets(store, box, cluster);
  if (!theirs.ok()) return theirs.status();
  if (!theirs->has_value()) {
    return Status::Internal("the secrets of cluster " + cluster + " vanished while being stored");
  }
  return std::move(**theirs);
}

}  // namespace easel::engine
