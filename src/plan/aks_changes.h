// What Azure refuses to change on an existing AKS cluster, found by comparing the plan easel last
// applied with the new one, before any call (docs/aks.md, "Changing a cluster").
#pragma once

#include "plan/graph.h"
#include "spec/diagnostics.h"

namespace easel::plan {

// One error per refused change, at the spec field that asks for it: a Kubernetes version that
// skips a minor or goes back; fields fixed at creation (network, DNS prefix, node resource group,
// private API server, Entra ID once on, a pool's VM size, OS disk, maxPods, zones, subnet or OS).
void CheckAksChanges(const Plan& before, const Plan& after, spec::Diagnostics* diagnostics);

// Gives each pool of `after` the Azure name it has in `before` (its `easel_pool` tag names the
// spec pool), and a new one when a field Azure fixes at creation changed (VM size, OS disk,
// maxPods, zones, subnet, OS): "<name>2".."<name>9", cycling. The new pool is then created and,
// once the apply succeeded, the old one deleted (plan::Removed): a surge replacement of that pool,
// never of the cluster. Run before CheckAksChanges.
void CarryPoolNames(const Plan& before, Plan* after);

}  // namespace easel::plan
