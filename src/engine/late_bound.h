// Resolves the late-bound values of a plan body (plan/late_bound.h) just before it is sent:
// the deployer's tenant and object id, and fields of resources that already exist (an identity's
// principalId, a vault's URI). User data placeholders are left for the caller.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace easel::engine {

struct LateBindings {
  std::string deployer_tenant_id;
  std::string deployer_object_id;
  // The live document of a resource easel has read in this run, or nullopt.
  std::function<std::optional<nlohmann::json>(const std::string& id)> live;
};

// True for a whole-string placeholder "{{...}}".
bool IsPlaceholder(const nlohmann::json& value);
bool IsUserDataPlaceholder(const nlohmann::json& value);

// A copy of `body` with every placeholder but user data replaced. kFailedPrecondition names the
// placeholder that cannot be resolved yet (a resource not read, a field it does not have).
Result<nlohmann::json> ResolveLateBound(const nlohmann::json& body, const LateBindings& b);

// Removes user data placeholders (Azure never returns customData; it is sent on creation only).
void StripUserData(nlohmann::json* body);

// The role named by the body's user data placeholder ("init", ...), or "" when it has none.
std::string UserDataRole(const nlohmann::json& body);

}  // namespace easel::engine
