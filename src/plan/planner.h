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
  // The DNS suffix of the cloud's storage endpoints (the private DNS zone of `access: private`
  // is privatelink.blob.<suffix>).
  std::string storage_suffix = "core.windows.net";
  // The auto storage account's name when a live check chose another than the spec's first
  // candidate (cli/storage_checks.h); empty: spec::StorageAccountName.
  std::string storage_account_name;
  // Whether the deploying principal holds a blob data role over the cluster's resource group: it
  // then copies with its Entra token and the account easel creates refuses Shared Key. Offline
  // plans assume it (the deployer's usual Storage Blob Data Contributor); live plans read it.
  bool deployer_has_blob_data_role = true;
};

// The spec must have passed validation; the result is then a DAG whose every dependency exists.
Plan BuildPlan(const spec::ClusterSpec& spec, const PlanOptions& options = {});

// The plan of a valid AKSCluster spec (plan/aks_builder.cc): pure and deterministic too.
Plan BuildAksPlan(const spec::AksClusterSpec& spec);

// The resource group AKS puts the nodes in: MC_<group>_<cluster>_<location>.
std::string NodeResourceGroupName(const spec::AksClusterSpec& s);

}  // namespace easel::plan
