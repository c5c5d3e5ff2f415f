// Key Vault: the state of vault secrets and soft-deleted vaults (KeyVaultStore, persisted in
// SQLite) and the secrets data plane (KeyVaultData, one HTTPS listener per vault, so that each
// vault's URI is the root of its own host:port as the SDKs require). The management plane
// (Microsoft.KeyVault/vaults) is in arm_keyvault.cc. Secret values are never logged.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/http.h"
#include "sim/store.h"

namespace azsim {

class Arm;
class Entra;

struct SecretVersion {
  std::string version;
  std::string value;  // secret
  std::string content_type;
  nlohmann::json tags;        // object or null
  nlohmann::json attributes;  // {enabled, nbf?, exp?}
  double created = 0, updated = 0;
};

struct SecretRecord {
  std::string name;                     // canonical casing
  std::vector<SecretVersion> versions;  // oldest first
  double deleted = 0;                   // soft-deleted at (0: live)
  double purge_at = 0;
};

struct DeletedVault {
  std::string name, sub, location, vault_id;
  nlohmann::json doc;  // the vault document when it was deleted
  double deleted = 0, purge_at = 0;
};

class KeyVaultStore {
 public:
  explicit KeyVaultStore(Store& store) : store_(store) {}
  easel::Status Start();

  // Secrets of `vault` (names compared case-insensitively).
  std::optional<SecretRecord> Get(const std::string& vault, const std::string& name) const;
  std::vector<SecretRecord> List(const std::string& vault) const;
  easel::Status Put(const std::string& vault, const SecretRecord& rec);
  easel::Status Remove(const std::string& vault, const std::string& name);
  // The latest enabled version's value of a live secret.
  std::optional<std::string> LatestValue(const std::string& vault, const std::string& name) const;
  // Removes every secret of the vault (purge).
  void PurgeVault(const std::string& vault);

  void AddDeletedVault(const DeletedVault& v);
  std::optional<DeletedVault> FindDeletedVault(const std::string& name) const;
  std::vector<DeletedVault> DeletedVaults(const std::string& sub) const;
  void RemoveDeletedVault(const std::string& name);

 private:
  Store& store_;
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, SecretRecord>> secrets_;  // vault -> name -> rec
  std::map<std::string, DeletedVault> deleted_;                         // lowercased name
};

class KeyVaultData {
 public:
  KeyVaultData(Arm& arm, Entra& entra, KeyVaultStore& store, std::string authority,
               std::string tenant)
      : arm_(arm),
        entra_(entra),
        store_(store),
        authority_(std::move(authority)),
        tenant_(std::move(tenant)) {}
  // A request on the listener of vault `vault` whose URI is `vault_uri` (ends with '/').
  // *principal is set to the caller's object id when it has a valid token.
  HttpResponse Handle(const HttpRequest& req, const std::string& vault,
                      const std::string& vault_uri, std::string* principal);

 private:
  Arm& arm_;
  Entra& entra_;
  KeyVaultStore& store_;
  std::string authority_, tenant_;
};

// Key Vault's name rule: 3-24 letters, digits and hyphens, starting with a letter, ending with a
// letter or digit, no consecutive hyphens.
bool ValidVaultName(const std::string& name);
// Secret names: ^[0-9a-zA-Z-]{1,127}$.
bool ValidSecretName(const std::string& name);

}  // namespace azsim
