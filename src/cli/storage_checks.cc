#include "cli/storage_checks.h"

#include "azure/permissions.h"
#include "common/strings.h"
#include "plan/api_versions.h"
#include "plan/arm_ids.h"
#include "plan/resource_types.h"
#include "spec/naming.h"

namespace easel::cli {
namespace {

using nlohmann::json;

std::string AccountId(const std::string& subscription, const std::string& group,
                      const std::string& name) {
  return plan::ResourceId(subscription, group, plan::type::kStorageAccount, name);
}

// "East US" and "eastus" are the same region.
std::string NormalizedRegion(std::string region) {
  std::string out;
  for (char c : ToLower(region)) {
    if (c != ' ') out += c;
  }
  return out;
}

// The owned account of the stored plan, if it has one.
std::optional<std::string> StoredAccountName(const std::optional<plan::Plan>& previous) {
  if (!previous) return std::nullopt;
  for (const plan::ResourceNode& r : previous->resources) {
    if (r.type == plan::type::kStorageAccount && r.ownership == plan::Ownership::kOwned) {
      return r.name;
    }
  }
  return std::nullopt;
}

// The auto account's name: the stored plan's, else the first candidate that is ours already (a
// cluster whose state was lost) or free in Azure.
Result<std::string> ChooseAccountName(azure::ArmClient& arm, const spec::ClusterSpec& s,
                                      const std::optional<plan::Plan>& previous,
                                      spec::Diagnostics* problems, int* writes) {
  if (std::optional<std::string> stored = StoredAccountName(previous)) return *stored;
  std::vector<std::string> taken;
  for (int k = 0; k < spec::kStorageAccountCandidates; ++k) {
    const std::string name = spec::StorageAccountCandidate(s, k);
    Result<azure::ArmResponse> got =
        arm.Call("GET", AccountId(s.subscription_id, s.resource_group, name), plan::api::kStorage);
    if (!got.ok()) return got.status();
    if (got->status == 200) {
      const json& tags = got->body.is_object() ? got->body.value("tags", json::object()) : json();
      if (tags.is_object() && tags.value(spec::OwnershipTagKey(s), "") == spec::kOwnedTagValue) {
        return name;
      }
      taken.push_back(name + " (in " + s.resource_group + ", not this cluster's)");
      continue;
    }
    if (got->status != 404) {
      return Status::FailedPrecondition("reading storage account " + name + ": " +
                                        azure::Describe(*got));
    }
    std::string refusal;
    Result<bool> free = NameAvailable(arm, s.subscription_id, name, &refusal, writes);
    if (!free.ok()) return free.status();
    if (*free) return name;
    if (!refusal.empty()) {
      problems->Add("spec.storage.account", "Azure refuses the name " + name + ": " + refusal);
      return std::string();
    }
    taken.push_back(name);
  }
  problems->Add("spec.storage.account",
                "every candidate name for the auto account is taken in Azure (" +
                    Join(taken, ", ") + "); name an account of your own: {name, resourceGroup}");
  return std::string();
}

// Whether easel's principal may write blobs at `scope` with its Entra token.
Result<bool> HasBlobDataRole(azure::ArmClient& arm, const std::string& scope) {
  Result<azure::Permissions> p = azure::ReadPermissions(arm, scope);
  if (!p.ok()) return p.status();
  return p->AllowsData(azure::kBlobWriteDataAction);
}

// A custom account: it exists, is in the cluster's region, can hold page blobs, and easel's
// principal can write to it; a named container exists in it.
Status CheckCustomAccount(azure::ArmClient& arm, const spec::ClusterSpec& s, StorageFacts* facts,
                          spec::Diagnostics* problems) {
  const spec::StorageSpec& st = s.storage;
  const std::string field = "spec.storage.account.name";
  const std::string id = AccountId(s.subscription_id, st.account_resource_group, st.account_name);
  Result<azure::ArmResponse> got = arm.Call("GET", id, plan::api::kStorage);
  if (!got.ok()) return got.status();
  if (got->status == 404) {
    problems->Add(field, "storage account " + st.account_name +
                             " does not exist in resource group " + st.account_resource_group +
                             " (" + azure::ErrorOf(*got).code + ")");
    return Status::Ok();
  }
  if (got->status != 200 || !got->body.is_object()) {
    return Status::FailedPrecondition("reading storage account " + st.account_name + ": " +
                                      azure::Describe(*got));
  }
  const json& account = got->body;
  const json props = account.value("properties", json::object());
  const std::string location = account.value("location", "");
  if (NormalizedRegion(location) != NormalizedRegion(s.location)) {
    problems->Add(field, "storage account " + st.account_name + " is in " + location +
                             ", the cluster in " + s.location +
                             ": Azure makes a managed image only from a VHD in its own region");
  }
  Result<azure::Permissions> perms = azure::ReadPermissions(arm, id);
  if (!perms.ok()) return perms.status();
  AccountFitness fit = AssessAccount(account, *perms);
  if (!fit.page_blob_problem.empty()) {
    problems->Add(field, "storage account " + st.account_name + " " + fit.page_blob_problem);
  }
  facts->deployer_has_blob_data_role = fit.writes_with == "token";
  if (fit.writes_with.empty()) {
    const bool shared_key = !props.is_object() || props.value("allowSharedKeyAccess", true);
    problems->Add(field, "easel's principal cannot write to storage account " + st.account_name +
                             ": it has no blob data role there and " +
                             (shared_key ? std::string("may not list the account's keys")
                                         : std::string("the account refuses Shared Key")) +
                             "; grant it Storage Blob Data Contributor on the account");
  }
  if (!st.auto_container) {
    const std::string container_id = plan::ChildId(plan::ChildId(id, "blobServices", "default"),
                                                   "containers", st.container_name);
    Result<azure::ArmResponse> c = arm.Call("GET", container_id, plan::api::kStorage);
    if (!c.ok()) return c.status();
    if (c->status == 404) {
      problems->Add("spec.storage.container", "container " + st.container_name +
                                                  " does not exist in storage account " +
                                                  st.account_name);
    } else if (c->status != 200) {
      return Status::FailedPrecondition("reading container " + st.container_name + ": " +
                                        azure::Describe(*c));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<bool> NameAvailable(azure::ArmClient& arm, const std::string& subscription,
                           const std::string& name, std::string* refusal, int* writes) {
  ++*writes;
  Result<azure::ArmResponse> r = arm.Call(
      "POST",
      "/subscriptions/" + subscription + "/providers/Microsoft.Storage/checkNameAvailability",
      plan::api::kStorage, json{{"name", name}, {"type", plan::type::kStorageAccount}});
  if (!r.ok()) return r.status();
  if (r->status != 200 || !r->body.is_object()) {
    return Status::FailedPrecondition("checkNameAvailability of " + name + ": " +
                                      azure::Describe(*r));
  }
  // The answer is untrusted: a member of another type counts as absent.
  auto member = [&](const char* key) {
    auto it = r->body.find(key);
    return it == r->body.end() ? json() : *it;
  };
  if (member("nameAvailable") == json(true)) return true;
  if (member("reason") != json("AlreadyExists")) {
    const json message = member("message");
    *refusal = message.is_string() ? message.get<std::string>() : "refused, without a message";
  }
  return false;
}

AccountFitness AssessAccount(const json& account, const azure::Permissions& permissions) {
  AccountFitness fit;
  const json props = account.is_object() ? account.value("properties", json::object()) : json();
  const std::string kind = account.is_object() ? account.value("kind", "") : "";
  if (kind != "StorageV2" && kind != "Storage") {
    fit.page_blob_problem = "is of kind " + Quote(kind) +
                            ", which cannot hold page blobs (a VHD is one): use a StorageV2 "
                            "(general-purpose v2) account";
  } else if (props.is_object() && props.value("isHnsEnabled", false)) {
    fit.page_blob_problem =
        "has a hierarchical namespace (Data Lake Storage), which cannot hold page blobs";
  }
  const bool shared_key = !props.is_object() || props.value("allowSharedKeyAccess", true);
  if (permissions.AllowsData(azure::kBlobWriteDataAction)) {
    fit.writes_with = "token";
  } else if (shared_key && permissions.Allows(azure::kListKeysAction)) {
    fit.writes_with = "key";
  }
  return fit;
}

Result<StorageFacts> ReadStorageFacts(azure::ArmClient& arm, const spec::ClusterSpec& s,
                                      const std::optional<plan::Plan>& previous,
                                      spec::Diagnostics* problems) {
  StorageFacts facts;
  if (s.storage.custom_account) {
    facts.account_name = s.storage.account_name;
    if (Status st = CheckCustomAccount(arm, s, &facts, problems); !st.ok()) return st;
    return facts;
  }
  // With the image cache the cluster has no account of its own (cli/image_cache_facts.h).
  if (!s.image.cache) {
    Result<std::string> name = ChooseAccountName(arm, s, previous, problems, &facts.arm_writes);
    if (!name.ok()) return name.status();
    facts.account_name = *name;
  }
  // The role as it applies to the resource group (where the account will be); a group that does
  // not exist yet is read at the subscription.
  const std::string group =
      "/subscriptions/" + s.subscription_id + "/resourceGroups/" + s.resource_group;
  Result<bool> role = HasBlobDataRole(arm, group);
  if (!role.ok() && role.status().code() == StatusCode::kNotFound) {
    role = HasBlobDataRole(arm, "/subscriptions/" + s.subscription_id);
  }
  if (!role.ok()) return role.status();
  facts.deployer_has_blob_data_role = *role;
  return facts;
}

}  // namespace easel::cli
