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
  // The image cache, when spec.image.cache is set (cli/image_cache_facts.h finds it). Empty
  // fields, as in an offline plan, take defaults: the key hashes the source's URL (or the local
  // file's name), the account is the first candidate, in the cluster's resource group.
  struct ImageCache {
    std::string content_key;     // 16 hex characters identifying the source's content
    std::string account_name;    // the cache account (found, or to be created)
    std::string resource_group;  // where the cache's account and image are (or will be)
  } image_cache;
};

// The spec must have passed validation; the result is then a DAG whose every dependency exists.
Plan BuildPlan(const spec::ClusterSpec& spec, const PlanOptions& options = {});

// The plan of a valid AKSCluster spec (plan/aks_builder.cc): pure and deterministic too.
Plan BuildAksPlan(const spec::AksClusterSpec& spec);

// The resource group AKS puts the nodes in: MC_<group>_<cluster>_<location>.
std::string NodeResourceGroupName(const spec::AksClusterSpec& s);

}  // namespace easel::plan
