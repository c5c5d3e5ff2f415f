// Adding resources to a plan, with the tags and body shape every owned resource shares. Used by
// the IaaS builders (through BuilderContext) and the AKS builder.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "plan/graph.h"

namespace easel::plan {

class PlanWriter {
 public:
  // `owner_key` is the cluster's ownership tag (spec::OwnershipTagKey), added to the user's tags.
  PlanWriter(std::string subscription, std::string resource_group, std::string location,
             const std::vector<std::pair<std::string, std::string>>& user_tags,
             const std::string& owner_key, Plan* plan);

  const std::string& subscription() const { return subscription_; }
  const std::string& resource_group() const { return resource_group_; }
  const std::string& location() const { return location_; }
  // An id in the cluster's resource group.
  std::string IdInGroup(const std::string& type, const std::string& name) const;
  // The tags of every owned resource: the user's, then easel's ownership tag.
  const Json& Tags() const { return tags_; }
  // {"location", "tags"}: the start of a tracked resource's body, in Azure's usual order.
  Json TrackedBody() const;
  // Adds an owned resource that easel creates.
  ResourceNode& AddOwned(std::string id, const char* type, const char* api_version,
                         std::string name, Json body, std::vector<std::string> depends_on,
                         std::string display_parent, std::string summary);
  // Adds an existing resource that easel only reads.
  ResourceNode& AddExisting(std::string id, const char* type, const char* api_version,
                            std::string name, std::string display_parent, std::string summary);
  void AddStep(DataPlaneStep step) { plan_->steps.push_back(std::move(step)); }
  Plan* plan() { return plan_; }

 private:
  std::string subscription_, resource_group_, location_;
  Plan* plan_;
  Json tags_;  // the same for every owned resource: built once
};

}  // namespace easel::plan
