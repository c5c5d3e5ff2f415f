// Entra ID credentials, in the order the Azure SDKs try them: the environment's service
// principal (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_AUTHORITY_HOST), then
// the managed identity endpoint (IMDS). Tokens are cached per scope and refreshed five minutes
// before they expire. Secrets and tokens are never logged or put in error messages.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "azure/cloud.h"
#include "common/http_client.h"
#include "common/status.h"

namespace easel::azure {

struct AccessToken {
  std::string token;
  std::chrono::system_clock::time_point expires_on;
};

// The longest a token is trusted: an expiry further away (or out of range) is cut to this.
inline constexpr std::chrono::hours kMaxTokenLifetime{24};

// An OAuth 2.0 token response (Entra ID's or IMDS's): access_token, and expires_on (Unix seconds)
// or expires_in (seconds), as numbers or strings. The expiry is clamped to
// [now, now + kMaxTokenLifetime]; without either field it is now + 5 minutes. `who` names the
// credential in errors: kInvalidArgument for a rejection, kUnavailable for 429/5xx or no token.
Result<AccessToken> ParseTokenResponse(const HttpResponse& response, const std::string& who);

class TokenCredential {
 public:
  virtual ~TokenCredential() = default;
  // A token for `scope` ("https://management.azure.com/.default"). kInvalidArgument when the
  // credential is rejected (wrong id or secret), kUnavailable when the endpoint cannot be reached.
  virtual Result<AccessToken> GetToken(const std::string& scope) = 0;
};

// OAuth 2.0 client credentials against {authority}/{tenant}/oauth2/v2.0/token.
class ClientSecretCredential : public TokenCredential {
 public:
  ClientSecretCredential(std::string authority_host, std::string tenant_id, std::string client_id,
                         std::string client_secret, HttpClient* http);
  Result<AccessToken> GetToken(const std::string& scope) override;

 private:
  std::string authority_host_, tenant_id_, client_id_, client_secret_;
  HttpClient* http_;
};

// The IMDS-shaped managed identity endpoint (GET with `Metadata: true`).
class ManagedIdentityCredential : public TokenCredential {
 public:
  ManagedIdentityCredential(std::string endpoint, std::string client_id, HttpClient* http);
  Result<AccessToken> GetToken(const std::string& scope) override;

 private:
  std::string endpoint_, client_id_;
  HttpClient* http_;
};

// Caches another credential's tokens per scope; thread-safe.
class CachingCredential : public TokenCredential {
 public:
  explicit CachingCredential(std::unique_ptr<TokenCredential> inner);
  Result<AccessToken> GetToken(const std::string& scope) override;

 private:
  std::unique_ptr<TokenCredential> inner_;
  std::mutex mutex_;
  std::map<std::string, AccessToken> cache_;
};

// The environment's service principal when AZURE_TENANT_ID, AZURE_CLIENT_ID and
// AZURE_CLIENT_SECRET are set (AZURE_AUTHORITY_HOST overrides the cloud's authority), else the
// cloud's managed identity endpoint (AZURE_CLIENT_ID selects a user-assigned identity). Cached.
std::unique_ptr<TokenCredential> DefaultCredential(const Cloud& cloud, HttpClient* http);

}  // namespace easel::azure
