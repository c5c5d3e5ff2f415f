#include "plan/arm_ids.h"

#include "plan/resource_types.h"

namespace easel::plan {

std::string ResourceGroupId(const std::string& subscription, const std::string& group) {
  return "/subscriptions/" + subscription + "/resourceGroups/" + group;
}

std::string ResourceId(const std::string& subscription, const std::string& group,
                       const std::string& type, const std::string& name) {
  return ResourceGroupId(subscription, group) + "/providers/" + type + "/" + name;
}

std::string ChildId(const std::string& parent, const std::string& segment,
                    const std::string& name) {
  return parent + "/" + segment + "/" + name;
}

}  // namespace easel::plan

namespace easel::plan {

bool OwnershipFollowsParent(const std::string& type) {
  return type == type::kSubnet || type == type::kAgentPool || type == type::kClusterExtension ||
         type == type::kFluxConfiguration || type == type::kRoleAssignment;
}

bool DeletedWithParent(const std::string& type) {
  return type == type::kAgentPool || type == type::kClusterExtension ||
         type == type::kFluxConfiguration;
}

}  // namespace easel::plan
