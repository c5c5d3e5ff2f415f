#include "azure/token_claims.h"

#include <nlohmann/json.hpp>

#include "common/base64.h"

namespace easel::azure {

Result<PrincipalClaims> ClaimsOf(const std::string& jwt) {
  size_t first = jwt.find('.');
  size_t second = first == std::string::npos ? first : jwt.find('.', first + 1);
  if (second == std::string::npos || second - first - 1 > (64u << 10)) {
    return Status::InvalidArgument("the access token is not a JWT");
  }
  std::string payload = jwt.substr(first + 1, second - first - 1);
  for (char& c : payload) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (payload.size() % 4) payload += '=';
  std::optional<std::string> json = Base64Decode(payload);
  if (!json) return Status::InvalidArgument("the access token's payload is not base64url");
  nlohmann::json claims = nlohmann::json::parse(*json, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object() || !claims.contains("tid") || !claims["tid"].is_string() ||
      !claims.contains("oid") || !claims["oid"].is_string()) {
    return Status::InvalidArgument("the access token has no tid and oid claims");
  }
  return PrincipalClaims{claims["tid"].get<std::string>(), claims["oid"].get<std::string>()};
}

}  // namespace easel::azure
