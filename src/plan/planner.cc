#include "plan/planner.h"

#include <algorithm>
#include <set>

#include "common/strings.h"

#include "plan/api_versions.h"
#include "plan/arm_ids.h"
#include "plan/builder_context.h"
#include "plan/resource_types.h"
#include "spec/naming.h"

namespace easel::plan {

const char* ToString(Ownership o) {
  switch (o) {
    case Ownership::kOwned:
      return "owned";
    case Ownership::kShared:
      return "shared";
    case Ownership::kExisting:
      break;
  }
  return "existing";
}
const char* ToString(Action a) { return a == Action::kCreate ? "create" : "read"; }

const ResourceNode* Plan::Find(const std::string& id) const {
  for (const ResourceNode& r : resources) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

PlanWriter::PlanWriter(std::string subscription, std::string resource_group, std::string location,
                       const std::vector<std::pair<std::string, std::string>>& user_tags,
                       const std::string& owner_key, Plan* plan)
    : subscription_(std::move(subscription)),
      resource_group_(std::move(resource_group)),
      location_(std::move(location)),
      plan_(plan),
      tags_(Json::object()) {
  for (const auto& [key, value] : user_tags) tags_[key] = value;
  tags_[owner_key] = spec::kOwnedTagValue;
}

std::string PlanWriter::IdInGroup(const std::string& type, const std::string& name) const {
  return ResourceId(subscription_, resource_group_, type, name);
}

Json PlanWriter::TrackedBody() const { return Json{{"location", location_}, {"tags", Tags()}}; }

BuilderContext::BuilderContext(const spec::ClusterSpec& spec, const PlanOptions& options,
                               Plan* plan)
    : PlanWriter(spec.subscription_id, spec.resource_group, spec.location, spec.tags,
                 spec::OwnershipTagKey(spec), plan),
      spec_(spec),
      options_(options) {}

ResourceNode& PlanWriter::AddOwned(std::string id, const char* type, const char* api_version,
                                   std::string name, Json body, std::vector<std::string> depends_on,
                                   std::string display_parent, std::string summary) {
  plan_->resources.push_back(ResourceNode{std::move(id),
                                          type,
                                          api_version,
                                          std::move(name),
                                          Ownership::kOwned,
                                          Action::kCreate,
                                          std::move(depends_on),
                                          std::move(body),
                                          std::move(display_parent),
                                          std::move(summary),
                                          {},
                                          {}});
  return plan_->resources.back();
}

ResourceNode& PlanWriter::AddExisting(std::string id, const char* type, const char* api_version,
                                      std::string name, std::string display_parent,
                                      std::string summary) {
  plan_->resources.push_back(ResourceNode{std::move(id),
                                          type,
                                          api_version,
                                          std::move(name),
                                          Ownership::kExisting,
                                          Action::kRead,
                                          {},
                                          Json(),
                                          std::move(display_parent),
                                          std::move(summary),
                                          {},
                                          {}});
  return plan_->resources.back();
}

Plan Removed(const Plan& before, const Plan& after) {
  std::set<std::string> kept;
  for (const ResourceNode& r : after.resources) kept.insert(ToLower(r.id));
  Plan removed;
  removed.cluster = before.cluster;
  removed.kind = before.kind;
  std::set<std::string> gone;
  for (const ResourceNode& r : before.resources) {
    if (r.ownership == Ownership::kOwned && !kept.count(ToLower(r.id))) {
      removed.resources.push_back(r);
      gone.insert(r.id);
    }
  }
  for (ResourceNode& r : removed.resources) {
    std::vector<std::string> deps;
    for (const std::string& d : r.depends_on) {
      if (gone.count(d)) deps.push_back(d);
    }
    r.depends_on = std::move(deps);
  }
  return removed;
}

namespace {

// What identifies a reference in the image cache: its ledger (the cached VHD) and its key. (The
// image's id may change while the reference stays, as when a cache is found in another group.)
std::string ReferenceIdentity(const DataPlaneStep& s) {
  return ToLower(s.destination) + "#" + ReferenceKeyOf(s);
}

}  // namespace

std::string ReferenceKeyOf(const DataPlaneStep& step) {
  return step.id.substr(step.id.rfind('#') + 1);
}

void CarryReleases(const Plan& previous, Plan* plan) {
  std::set<std::string> held;
  for (const DataPlaneStep& s : plan->steps) {
    if (s.kind == "imageReference" || s.kind == "imageRelease") held.insert(ReferenceIdentity(s));
  }
  for (const DataPlaneStep& s : previous.steps) {
    if (s.kind != "imageReference" && s.kind != "imageRelease") continue;
    if (!held.insert(ReferenceIdentity(s)).second) continue;
    DataPlaneStep release = s;
    release.kind = "imageRelease";
    release.name = "image-release";
    release.id = "release:" + ReferenceIdentity(s);
    release.display_parent = "";
    plan->steps.push_back(std::move(release));
  }
}

Plan WithoutReleases(Plan plan) {
  std::erase_if(plan.steps, [](const DataPlaneStep& s) { return s.kind == "imageRelease"; });
  return plan;
}

Plan BuildPlan(const spec::ClusterSpec& spec, const PlanOptions& options) {
  Plan plan;
  plan.cluster = spec.name;
  size_t nodes = static_cast<size_t>(std::max(spec.control_plane.count, 0));
  for (const spec::WorkerPoolSpec& pool : spec.worker_pools) {
    nodes += static_cast<size_t>(std::max(pool.count, 0));
  }
  plan.resources.reserve(3 * nodes + 26);  // NIC, VM, extension per node, plus shared resources
  plan.defaults_applied = spec.defaults_applied;
  BuilderContext ctx(spec, options, &plan);
  ctx.ids().resource_group = ResourceGroupId(spec.subscription_id, spec.resource_group);
  ctx.AddExisting(ctx.ids().resource_group, type::kResourceGroup, api::kResources,
                  spec.resource_group, "", spec.location);
  BuildNetwork(ctx);
  BuildApiServerEndpoint(ctx);
  BuildStorageAndImage(ctx);
  BuildBootstrapSecrets(ctx);
  BuildMachines(ctx);
  return plan;
}

}  // namespace easel::plan
