#include "engine/field_ownership.h"

namespace easel::engine {
namespace {

using Json = nlohmann::json;

// A stored plan is read back from disk: a malformed pointer is ignored, never thrown.
bool Pointer(const std::string& text, Json::json_pointer* out) {
  if (text.empty() || text[0] != '/') return false;
  try {
    *out = Json::json_pointer(text);
    return true;
  } catch (const Json::exception&) {
    return false;
  }
}

void Erase(Json* body, const std::string& pointer) {
  Json::json_pointer p;
  if (!Pointer(pointer, &p) || !body->contains(p)) return;
  Json& parent = (*body)[p.parent_pointer()];
  if (parent.is_object()) parent.erase(p.back());
}

}  // namespace

Json ComparableBody(const plan::ResourceNode& node, Json desired) {
  for (const std::string& p : node.create_only) Erase(&desired, p);
  for (const std::string& p : node.live_owned) Erase(&desired, p);
  return desired;
}

Json UpdateBody(const plan::ResourceNode& node, Json body, const Json& live) {
  for (const std::string& p : node.create_only) Erase(&body, p);
  for (const std::string& pointer : node.live_owned) {
    Json::json_pointer p;
    if (!Pointer(pointer, &p)) continue;
    if (live.contains(p) && body.contains(p.parent_pointer())) {
      body[p] = live[p];
    } else {
      Erase(&body, pointer);
    }
  }
  return body;
}

}  // namespace easel::engine
