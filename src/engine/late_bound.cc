#include "engine/late_bound.h"

#include "common/strings.h"
#include "plan/late_bound.h"

namespace easel::engine {
namespace {

using Json = nlohmann::json;

Status Resolve(Json* v, const LateBindings& b) {
  if (v->is_object()) {
    for (auto& [_, child] : v->items()) {
      if (Status s = Resolve(&child, b); !s.ok()) return s;
    }
  } else if (v->is_array()) {
    for (Json& child : *v) {
      if (Status s = Resolve(&child, b); !s.ok()) return s;
    }
  } else if (IsPlaceholder(*v) && !IsUserDataPlaceholder(*v)) {
    const std::string text = v->get<std::string>();
    if (text == plan::kDeployerTenantId || text == plan::kDeployerObjectId) {
      const std::string& value =
          text == plan::kDeployerTenantId ? b.deployer_tenant_id : b.deployer_object_id;
      if (value.empty()) return Status::FailedPrecondition(text + ": the deployer is unknown");
      *v = value;
      return Status::Ok();
    }
    if (StartsWith(text, "{{ref:")) {
      std::string ref = text.substr(6, text.size() - 8);
      size_t hash = ref.find('#');
      if (hash == std::string::npos) return Status::Internal("malformed placeholder " + text);
      std::optional<Json> live = b.live ? b.live(ref.substr(0, hash)) : std::nullopt;
      if (!live) {
        return Status::FailedPrecondition(ref.substr(0, hash) + " has not been read yet");
      }
      Json::json_pointer pointer(ref.substr(hash + 1));
      if (!live->contains(pointer) || (*live)[pointer].is_null()) {
        return Status::FailedPrecondition(ref.substr(0, hash) + " has no " + ref.substr(hash + 1));
      }
      *v = (*live)[pointer];
      return Status::Ok();
    }
    return Status::Internal("unknown placeholder " + text);
  }
  return Status::Ok();
}

}  // namespace

bool IsPlaceholder(const Json& value) {
  if (!value.is_string()) return false;
  const std::string& s = value.get_ref<const std::string&>();
  return StartsWith(s, "{{") && EndsWith(s, "}}");
}

bool IsUserDataPlaceholder(const Json& value) {
  return value.is_string() &&
         StartsWith(value.get_ref<const std::string&>(), plan::kUserDataPrefix);
}

Result<Json> ResolveLateBound(const Json& body, const LateBindings& b) {
  Json out = body;
  if (Status s = Resolve(&out, b); !s.ok()) return s;
  return out;
}

void StripUserData(Json* body) {
  if (!body->is_object()) return;
  for (auto it = body->begin(); it != body->end();) {
    if (IsUserDataPlaceholder(*it)) {
      it = body->erase(it);
    } else {
      StripUserData(&*it);
      ++it;
    }
  }
}

std::string UserDataRole(const Json& body) {
  Json::json_pointer p("/properties/osProfile/customData");
  if (!body.contains(p) || !IsUserDataPlaceholder(body[p])) return "";
  std::string s = body[p].get<std::string>();
  size_t prefix = std::string(plan::kUserDataPrefix).size();
  return s.substr(prefix, s.size() - prefix - 2);
}

}  // namespace easel::engine
