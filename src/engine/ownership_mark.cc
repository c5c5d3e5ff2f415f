#include "engine/ownership_mark.h"

#include "common/strings.h"
#include "spec/naming.h"

namespace easel::engine {

using Json = nlohmann::json;

bool MarkedWith(const Json& resource, const std::string& key, const std::string& value) {
  auto marked_in = [&](const Json& map) {
    if (!map.is_object()) return false;
    for (const auto& [k, v] : map.items()) {
      if (ToLower(k) == ToLower(key) && v.is_string() && v.get<std::string>() == value) {
        return true;
      }
    }
    return false;
  };
  if (!resource.is_object()) return false;
  if (resource.contains("tags") && marked_in(resource["tags"])) return true;
  return resource.contains("properties") && resource["properties"].is_object() &&
         resource["properties"].contains("metadata") &&
         marked_in(resource["properties"]["metadata"]);
}

std::string SharedMarkOf(const plan::ResourceNode& r) {
  const Json body = Json::parse(r.body.dump());
  for (const char* where : {"/tags/", "/properties/metadata/"}) {
    Json::json_pointer at(std::string(where) + spec::kImageCacheTag);
    if (body.contains(at) && body[at].is_string()) return body[at].get<std::string>();
  }
  return "";
}

bool MarkedFor(const plan::ResourceNode& r, const Json& live, const std::string& owner_key) {
  if (r.ownership == plan::Ownership::kShared) {
    return MarkedWith(live, spec::kImageCacheTag, SharedMarkOf(r));
  }
  return MarkedWith(live, owner_key, spec::kOwnedTagValue);
}

}  // namespace easel::engine
