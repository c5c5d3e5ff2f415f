// Who a token says its bearer is: the tenant and object id in an Entra ID access token (JWT).
// Read for the deploying principal's own id (a Key Vault access policy names it); the signature
// is not checked here: the token came from the token endpoint easel trusts.
#pragma once

#include <string>

#include "common/status.h"

namespace easel::azure {

struct PrincipalClaims {
  std::string tenant_id;  // "tid"
  std::string object_id;  // "oid"
};

// kInvalidArgument when the token is not a JWT with string tid and oid claims.
Result<PrincipalClaims> ClaimsOf(const std::string& jwt);

}  // namespace easel::azure
