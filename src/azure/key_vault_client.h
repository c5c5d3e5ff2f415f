// Key Vault's secrets data plane (api-version 7.4): read and write a secret with an Entra ID
// token for the vault audience. The token goes only to the vault URI Resource Manager gave
// (https, https://<name>.vault.azure.net/ on Azure). Values are never logged or put in errors.
#pragma once

#include <optional>
#include <string>

#include "azure/credentials.h"
#include "common/http_client.h"
#include "common/status.h"

namespace easel::azure {

class KeyVaultClient {
 public:
  // `resource`: the vault audience ("https://vault.azure.net"); not owned: http, credential.
  KeyVaultClient(HttpClient* http, TokenCredential* credential, std::string resource);

  // The secret's current value; nullopt when it does not exist. kPermissionDenied when the vault
  // refuses the principal (no access policy), kUnavailable when it is busy or unreachable.
  Result<std::optional<std::string>> GetSecret(const std::string& vault_uri,
                                               const std::string& name);
  Status SetSecret(const std::string& vault_uri, const std::string& name, const std::string& value);

 private:
  Result<HttpResponse> Send(const std::string& method, const std::string& vault_uri,
                            const std::string& name, const std::string& body);

  HttpClient* http_;
  TokenCredential* credential_;
  std::string resource_;
};

}  // namespace easel::azure
