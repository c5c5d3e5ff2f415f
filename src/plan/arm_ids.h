// ARM resource ids.
#pragma once

#include <string>

namespace easel::plan {

std::string ResourceGroupId(const std::string& subscription, const std::string& group);
// /subscriptions/S/resourceGroups/G/providers/<type>/<name>, type like
// "Microsoft.Network/natGateways".
std::string ResourceId(const std::string& subscription, const std::string& group,
                       const std::string& type, const std::string& name);
// <parent>/<segment>/<name>, e.g. ChildId(vnet, "subnets", "a").
std::string ChildId(const std::string& parent, const std::string& segment, const std::string& name);

}  // namespace easel::plan
