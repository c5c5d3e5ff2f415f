// What planning a cluster's storage needs to read from the cloud first, before any write
// (docs/storage.md, "The cluster's storage account"): the auto account's name, free in all of
// Azure (checkNameAvailability) and kept once chosen; whether the deployer has a blob data role
// (then the account refuses Shared Key); and that a custom account and container can take the
// node image.
#pragma once

#include <optional>
#include <string>

#include "azure/arm_client.h"
#include "azure/permissions.h"
#include "common/status.h"
#include "plan/graph.h"
#include "spec/diagnostics.h"
#include "spec/types.h"

namespace easel::cli {

struct StorageFacts {
  std::string account_name;  // the account the plan uses
  bool deployer_has_blob_data_role = true;
  int arm_writes = 0;  // checkNameAvailability calls sent (ARM counts a POST as a write)
};

// What an existing storage account can do for easel: hold page blobs (a VHD is one), and be
// written by easel's principal with its Entra token (a blob data role) or with the account key
// (it may list the keys and the account allows Shared Key).
struct AccountFitness {
  std::string page_blob_problem;  // empty: it holds page blobs
  std::string writes_with;        // "token" | "key" | "" (it cannot write)
};
// `account` is the account as ARM returns it; `permissions` the principal's at the account.
AccountFitness AssessAccount(const nlohmann::json& account, const azure::Permissions& permissions);

// Whether Azure reports `name` free for a new storage account (checkNameAvailability, a POST:
// *writes counts it). When it is not for a reason other than being taken (an invalid name),
// *refusal holds Azure's message.
Result<bool> NameAvailable(azure::ArmClient& arm, const std::string& subscription,
                           const std::string& name, std::string* refusal, int* writes);

// `previous` is the cluster's stored plan, if any: its auto account's name is kept. A problem
// with the spec (a custom account missing, in another region, of a kind that cannot hold page
// blobs, or that easel's principal cannot write to; every candidate name taken) goes to
// *problems, naming the field; a failure to ask the cloud is the returned status.
Result<StorageFacts> ReadStorageFacts(azure::ArmClient& arm, const spec::ClusterSpec& s,
                                      const std::optional<plan::Plan>& previous,
                                      spec::Diagnostics* problems);

}  // namespace easel::cli
