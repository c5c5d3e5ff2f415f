// Values a plan cannot know offline, written into request bodies as placeholders that the engine
// resolves when it sends them (engine/late_bound.h). The plan stays pure and free of secrets.
#pragma once

#include <string>

namespace easel::plan {

// The deploying principal's tenant and object id (from its token).
inline constexpr const char* kDeployerTenantId = "{{deployer:tenantId}}";
inline constexpr const char* kDeployerObjectId = "{{deployer:objectId}}";

// A field of another resource as Azure returns it: "{{ref:<ARM id>#<JSON pointer>}}".
inline std::string LiveField(const std::string& id, const std::string& pointer) {
  return "{{ref:" + id + "#" + pointer + "}}";
}

// A VM's user data, generated at creation for its role ("init", "control-plane", "worker").
// Azure never returns customData, so it is neither compared nor sent again on an update.
inline std::string UserDataFor(const std::string& role) { return "{{userData:" + role + "}}"; }
inline constexpr const char* kUserDataPrefix = "{{userData:";

}  // namespace easel::plan
