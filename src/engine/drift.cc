#include "engine/drift.h"

#include <map>

#include "common/http_client.h"
#include "common/strings.h"
#include "engine/diff.h"
#include "engine/field_ownership.h"

namespace easel::engine {
namespace {

using Json = nlohmann::json;

// The resource group path of an ARM id: /subscriptions/S/resourceGroups/G.
std::string GroupOf(const std::string& id) {
  size_t providers = ToLower(id).find("/providers/");
  return providers == std::string::npos ? id : id.substr(0, providers);
}

// Owned resources that ARM lists (tracked, tagged), by resource group.
std::map<std::string, std::vector<const plan::ResourceNode*>> ListedByGroup(
    const plan::Plan& plan) {
  std::map<std::string, std::vector<const plan::ResourceNode*>> out;
  for (const plan::ResourceNode& r : plan.resources) {
    if (r.ownership == plan::Ownership::kOwned && r.body.contains("tags")) {
      out[GroupOf(r.id)].push_back(&r);
    }
  }
  return out;
}

// Lowercased id -> changedTime of the group's resources carrying the ownership tag.
Result<std::map<std::string, std::string>> ListOwned(azure::ArmClient& arm,
                                                     const std::string& group,
                                                     const std::string& owner_key, int* calls) {
  std::map<std::string, std::string> out;
  std::string next =
      group + "/resources?$expand=" + UrlEncode("changedTime,provisioningState") +
      "&$filter=" + UrlEncode("tagName eq '" + owner_key + "' and tagValue eq 'owned'");
  int status = 0;
  Result<std::vector<Json>> listed = azure::ListAll(arm, next, "2024-11-01", &status, calls);
  if (!listed.ok()) return listed.status();
  if (status == 404) return out;  // the group itself is gone
  auto text = [](const Json& v, const char* key) {
    auto it = v.find(key);
    return it != v.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  for (const Json& v : *listed) out[ToLower(text(v, "id"))] = text(v, "changedTime");
  return out;
}

}  // namespace

Status RecordBaseline(const Environment& env, const std::string& cluster, const plan::Plan& plan) {
  int calls = 0;
  for (const auto& [group, resources] : ListedByGroup(plan)) {
    Result<std::map<std::string, std::string>> listed =
        ListOwned(*env.arm, group, OwnershipKey(cluster), &calls);
    if (!listed.ok()) return listed.status();
    for (const plan::ResourceNode* r : resources) {
      auto it = listed->find(ToLower(r->id));
      if (it != listed->end()) {
        if (Status s = env.store->SetChangedTime(cluster, r->id, it->second); !s.ok()) return s;
      }
    }
  }
  return Status::Ok();
}

Result<CheckResult> CheckDrift(const Environment& env, const std::string& cluster,
                               const plan::Plan& plan) {
  CheckResult result;
  Result<std::vector<store::ResourceRecord>> records = env.store->ListResources(cluster);
  if (!records.ok()) return records.status();
  std::map<std::string, std::string> baseline;
  for (const store::ResourceRecord& r : *records) baseline[ToLower(r.id)] = r.changed_time;
  // What Azure kept of easel's last write (a policy's tag): reported as "overridden", once per
  // resource, since apply does not write that body again.
  std::map<std::string, std::vector<std::string>> kept_by_azure = KeptByAzure(*records, plan);

  for (const auto& [group, resources] : ListedByGroup(plan)) {
    Result<std::map<std::string, std::string>> listed =
        ListOwned(*env.arm, group, OwnershipKey(cluster), &result.list_calls);
    if (!listed.ok()) return listed.status();
    for (const plan::ResourceNode* r : resources) {
      auto seen = listed->find(ToLower(r->id));
      const std::vector<std::string>& kept = kept_by_azure[ToLower(r->id)];
      if (seen != listed->end() && !seen->second.empty() &&
          seen->second == baseline[ToLower(r->id)] && kept.empty()) {
        continue;  // untouched since easel last made it so
      }
      Result<azure::ArmResponse> got = env.arm->Call("GET", r->id, r->api_version);
      ++result.resource_reads;
      if (!got.ok()) return got.status();
      if (got->status == 404) {
        result.drift.push_back({r->id, r->type, r->name, "missing", ""});
        continue;
      }
      if (got->status != 200) return Status::Unavailable(r->name + ": " + azure::Describe(*got));
      std::vector<Difference> found;
      std::string difference = DifferenceBeyond(ComparableBody(*r, Json::parse(r->body.dump())),
                                                got->body, kept, &found);
      if (!difference.empty()) {
        result.drift.push_back({r->id, r->type, r->name, "changed", difference});
      } else if (!found.empty()) {
        result.drift.push_back({r->id, r->type, r->name, "overridden", KeptMessage(found)});
        if (seen != listed->end()) (void)env.store->SetChangedTime(cluster, r->id, seen->second);
      } else if (seen != listed->end()) {
        // Touched but equal to the plan: the new changedTime becomes the baseline.
        (void)env.store->SetChangedTime(cluster, r->id, seen->second);
      }
    }
  }
  return result;
}

}  // namespace easel::engine
