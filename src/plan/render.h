// Printing a plan: JSON for machines (`easel plan -o json`), a tree for people (`-o table`).
#pragma once

#include <string>

#include "common/status.h"
#include "plan/graph.h"
#include "spec/types.h"

namespace easel::plan {

// {"cluster", "resources": [...], "steps": [...], "defaults": {...}}, indented, newline-terminated.
// Byte-for-byte stable for the same plan.
std::string RenderPlanJson(const Plan& plan);

// A header (cluster, region, defaults applied) and the resources as a tree: resource group >
// VNet > subnets > NICs > VMs, with each resource's ownership and action.
std::string RenderPlanTable(const Plan& plan, const spec::ClusterSpec& spec);
// The same with another first line (an AKS cluster's).
std::string RenderPlanTable(const Plan& plan, const std::string& header);

// The inverse of RenderPlanJson (for plans kept in the store). Display fields are not kept.
Result<Plan> PlanFromJson(const std::string& text);

// A short human name for a resource type: "virtual network".
std::string TypeLabel(const std::string& type);

}  // namespace easel::plan
