// Comparing a desired request body with the live resource ARM returns.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace easel::engine {

// Empty when `live` already holds everything `desired` asks for; otherwise the first difference
// as "properties.addressSpace.addressPrefixes[0]: want \"10.0.0.0/16\", have \"10.1.0.0/16\"".
// ARM adds read-only fields and ids, so only the desired fields count; strings compare
// case-insensitively (ARM echoes ids and locations in its own casing); `tags` compare exactly,
// except that tags Azure carries and `desired` does not name (added by a policy) do not count.
std::string FirstDifference(const nlohmann::json& desired, const nlohmann::json& live);

}  // namespace easel::engine
