// BuildPlan: a pure, deterministic function from a valid spec to its resource graph.
#pragma once

#include <string>

#include "plan/graph.h"
#include "spec/aks_types.h"
#include "spec/types.h"

namespace easel::plan {

struct PlanOptions {
  // The blob endpoint of a storage account; "{account}" is replaced by the account name.
  // Azure's public cloud by default; azsim serves path-style URLs
  // ("https://127.0.0.1:P/{account}/").
  std::string blob_endpoint = "https://{account}.blob.core.windows.net/";
  // The DNS suffix of public IP names in the cloud (the API server's public name).
  std::string cloudapp_suffix = "cloudapp.azure.com";
};

// The spec must have passed validation; the result is then a DAG whose every dependency exists.
Plan BuildPlan(const spec::ClusterSpec& spec, const PlanOptions& options = {});

// The plan of a valid AKSCluster spec (plan/aks_builder.cc): pure and deterministic too.
Plan BuildAksPlan(const spec::AksClusterSpec& spec);

// The resource group AKS puts the nodes in: MC_<group>_<cluster>_<location>.
std::string NodeResourceGroupName(const spec::AksClusterSpec& s);

}  // namespace easel::plan
