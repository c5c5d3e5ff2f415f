// Entra ID as azsim serves it: the client-credentials token endpoint, OpenID discovery, the
// IMDS-shaped managed-identity endpoint, and verification of the JWTs it signs (RS256).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/status.h"
#include "sim/config.h"
#include "sim/http.h"

namespace azsim {

struct TokenClaims {
  std::string object_id;  // the principal
  std::string client_id;
  std::string tenant_id;
  std::string audience;
  double expires = 0;
};

class Entra {
 public:
  // `authority` is "https://127.0.0.1:P" (no trailing slash).
  static easel::Result<std::unique_ptr<Entra>> Create(const std::string& jwt_key_file,
                                                      const Fixture& fixture,
                                                      std::string authority);
  ~Entra();

  // Answers the request when the path belongs to Entra (token, discovery, keys, IMDS).
  std::optional<HttpResponse> Handle(const HttpRequest& req);

  // Verifies "Bearer <jwt>": signature, expiry, and that the audience starts with
  // `audience_prefix`. Returns an error message for the caller's 401 on failure.
  easel::Result<TokenClaims> Verify(const std::string& authorization,
                                    const std::string& audience_prefix);

  // Issues a token (also used by tests through the admin API and by benchmarks).
  std::string Issue(const Principal& p, const std::string& audience, double lifetime_seconds);

  // Identities the IMDS endpoint serves besides the fixture's: user-assigned identities created
  // through ARM, looked up by client_id, msi_res_id (ARM id) or object_id.
  using IdentityLookup = std::function<std::optional<Principal>(
      const std::string& client_id, const std::string& res_id, const std::string& object_id)>;
  void SetIdentityLookup(IdentityLookup lookup);

  // "https://127.0.0.1:P/{first tenant}/oauth2/authorize", for WWW-Authenticate challenges.
  std::string AuthorizeUri() const;

 private:
  Entra() = default;
  HttpResponse Token(const HttpRequest& req, const std::string& tenant);
  HttpResponse Discovery(const std::string& tenant);
  HttpResponse Imds(const HttpRequest& req);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace azsim
