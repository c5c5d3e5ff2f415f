#include "azure/permissions.h"

#include "common/strings.h"

namespace easel::azure {
namespace {

constexpr const char* kApiVersion = "2022-04-01";

bool AnyMatches(const std::vector<std::string>& patterns, const std::string& operation) {
  for (const std::string& p : patterns) {
    if (ActionMatches(p, operation)) return true;
  }
  return false;
}

std::vector<std::string> Strings(const nlohmann::json& entry, const char* key) {
  std::vector<std::string> out;
  auto it = entry.find(key);
  if (it == entry.end() || !it->is_array()) return out;
  for (const nlohmann::json& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

bool ActionMatches(const std::string& pattern, const std::string& operation) {
  // Iterative glob with '*' only, on lower-cased text: linear in practice, no recursion.
  const std::string p = ToLower(pattern), s = ToLower(operation);
  size_t pi = 0, si = 0, star = std::string::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (pi < p.size() && p[pi] == s[si]) {
      ++pi;
      ++si;
    } else if (star != std::string::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool Permissions::Allows(const std::string& operation) const {
  for (const PermissionEntry& e : entries_) {
    if (AnyMatches(e.actions, operation) && !AnyMatches(e.not_actions, operation)) return true;
  }
  return false;
}

bool Permissions::AllowsData(const std::string& data_action) const {
  for (const PermissionEntry& e : entries_) {
    if (AnyMatches(e.data_actions, data_action) && !AnyMatches(e.not_data_actions, data_action)) {
      return true;
    }
  }
  return false;
}

Result<Permissions> ReadPermissions(ArmClient& arm, const std::string& scope) {
  Result<ArmResponse> r =
      arm.Call("GET", scope + "/providers/Microsoft.Authorization/permissions", kApiVersion);
  if (!r.ok()) return r.status();
  if (r->status == 404) return Status::NotFound(Describe(*r));
  if (r->status != 200) {
    return Status::FailedPrecondition("reading the principal's permissions at " + scope + ": " +
                                      Describe(*r));
  }
  std::vector<PermissionEntry> entries;
  if (r->body.is_object() && r->body.contains("value") && r->body["value"].is_array()) {
    for (const nlohmann::json& e : r->body["value"]) {
      if (!e.is_object()) continue;
      entries.push_back({Strings(e, "actions"), Strings(e, "notActions"), Strings(e, "dataActions"),
                         Strings(e, "notDataActions")});
    }
  }
  return Permissions(std::move(entries));
}

}  // namespace easel::azure
