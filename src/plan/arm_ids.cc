#include "plan/arm_ids.h"

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
