#include "engine/field_ownership.h"

#include <algorithm>

#include "common/hash.h"
#include "common/strings.h"

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

std::map<std::string, std::vector<std::string>> KeptByAzure(
    const std::vector<store::ResourceRecord>& records, const plan::Plan& plan) {
  std::map<std::string, const store::ResourceRecord*> by_id;
  for (const store::ResourceRecord& r : records) {
    if (!r.overridden.empty()) by_id[ToLower(r.id)] = &r;
  }
  std::map<std::string, std::vector<std::string>> out;
  if (by_id.empty()) return out;
  for (const plan::ResourceNode& r : plan.resources) {
    auto it = by_id.find(ToLower(r.id));
    if (it == by_id.end() || it->second->body_hash != Sha256Hex(r.body.dump())) continue;
    std::vector<std::string>& kept = out[ToLower(r.id)];
    const std::string& text = it->second->overridden;
    for (size_t at = 0; at < text.size();) {
      size_t end = std::min(text.find('\n', at), text.size());
      if (end > at) kept.push_back(text.substr(at, end - at));
      at = end + 1;
    }
  }
  return out;
}

}  // namespace easel::engine
