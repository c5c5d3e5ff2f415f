#include "engine/preview.h"

#include <map>
#include <set>

#include "common/strings.h"
#include "engine/diff.h"
#include "engine/field_ownership.h"
#include "engine/ownership_mark.h"

namespace easel::engine {

Result<std::vector<PreviewItem>> Preview(const Environment& env, const std::string& cluster,
                                         const plan::Plan& plan, const plan::Plan* previous) {
  std::vector<PreviewItem> out;
  const std::string owner_key = OwnershipKey(cluster);
  std::set<std::string> planned;
  // What Azure kept of easel's last write of a body (a policy's tag): apply does not rewrite it.
  std::map<std::string, std::vector<std::string>> kept_by_azure;
  if (env.store) {
    if (Result<std::vector<store::ResourceRecord>> records = env.store->ListResources(cluster);
        records.ok()) {
      kept_by_azure = KeptByAzure(*records, plan);
    }
  }
  for (const plan::ResourceNode& r : plan.resources) {
    planned.insert(ToLower(r.id));
    PreviewItem item{r.id, r.type, r.name, "", ""};
    Result<azure::ArmResponse> got = env.arm->Call("GET", r.id, r.api_version);
    if (!got.ok()) return got.status();
    if (got->status != 200 && got->status != 404) {
      return Status::Unavailable(r.name + ": " + azure::Describe(*got));
    }
    const bool exists = got->status == 200;
    if (r.action == plan::Action::kRead) {
      item.action = exists ? "read" : "missing";
    } else if (!exists) {
      item.action = "create";
    } else {
      const nlohmann::json& body = got->body;
      const bool shared = r.ownership == plan::Ownership::kShared;
      bool owned =
          r.type == "Microsoft.Network/virtualNetworks/subnets" || MarkedFor(r, body, owner_key);
      std::vector<Difference> kept;
      std::string difference =
          DifferenceBeyond(ComparableBody(r, nlohmann::json::parse(r.body.dump())), got->body,
                           kept_by_azure[ToLower(r.id)], &kept);
      item.action = !owned ? "conflict" : difference.empty() ? "unchanged" : "update";
      item.detail = !owned ? (shared ? "exists and is not the image cache's"
                                     : "exists and is not owned by " + cluster)
                    : difference.empty() && !kept.empty() ? KeptMessage(kept)
                                                          : difference;
    }
    out.push_back(std::move(item));
  }
  if (previous) {
    for (const plan::ResourceNode& r : previous->resources) {
      if (r.ownership == plan::Ownership::kOwned && !planned.count(ToLower(r.id))) {
        out.push_back({r.id, r.type, r.name, "delete", "no longer in the spec"});
      }
    }
  }
  return out;
}

}  // namespace easel::engine
