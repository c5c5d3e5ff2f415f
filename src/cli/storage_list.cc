#include "cli/storage_list.h"

#include <cstdio>
#include <iostream>

#include "azure/permissions.h"
#include "cli/session.h"
#include "cli/storage_checks.h"
#include "common/strings.h"
#include "plan/api_versions.h"

namespace easel::cli {
namespace {

using nlohmann::json;

constexpr const char* kSubscriptionsApi = "2022-12-01";

// The subscription to list in: the one given, else the only one the context's principal sees.
Result<std::string> ChooseSubscription(azure::ArmClient& arm, const std::string& given,
                                       std::string* usage_error) {
  if (!given.empty()) return given;
  int status = 0;
  Result<std::vector<json>> subs =
      azure::ListAll(arm, "/subscriptions", kSubscriptionsApi, &status);
  if (!subs.ok()) return subs.status();
  std::vector<std::string> ids;
  for (const json& s : *subs) ids.push_back(s.value("subscriptionId", ""));
  if (ids.size() == 1) return ids[0];
  *usage_error = "--subscription: the context's principal sees " + std::to_string(ids.size()) +
                 " subscriptions" + (ids.empty() ? "" : " (" + Join(ids, ", ") + ")") +
                 "; name one";
  return std::string();
}

// One account as the list shows it.
Result<json> DescribeAccount(azure::ArmClient& arm, const json& account) {
  const std::string id = account.value("id", "");
  const json props = account.value("properties", json::object());
  Result<azure::Permissions> perms = azure::ReadPermissions(arm, id);
  if (!perms.ok()) return perms.status();
  AccountFitness fit = AssessAccount(account, *perms);
  int status = 0;
  Result<std::vector<json>> listed =
      azure::ListAll(arm, id + "/blobServices/default/containers", plan::api::kStorage, &status);
  if (!listed.ok()) return listed.status();
  json containers = json::array();
  for (const json& c : *listed) {
    containers.push_back(
        {{"name", c.value("name", "")},
         {"publicAccess", c.value("properties", json::object()).value("publicAccess", "None")}});
  }
  return json{{"name", account.value("name", "")},
              {"location", account.value("location", "")},
              {"kind", account.value("kind", "")},
              {"sku", account.value("sku", json::object()).value("name", "")},
              {"publicNetworkAccess", props.value("publicNetworkAccess", "Enabled")},
              {"allowSharedKeyAccess", props.value("allowSharedKeyAccess", true)},
              {"holdsPageBlobs", fit.page_blob_problem.empty()},
              {"easelWritesWith", fit.writes_with.empty() ? json() : json(fit.writes_with)},
              {"containers", containers}};
}

void PrintTable(const json& accounts) {
  std::printf("%-24s %-14s %-16s %-16s %-8s %-10s %-7s %s\n", "ACCOUNT", "LOCATION", "KIND", "SKU",
              "PUBLIC", "PAGE-BLOBS", "WRITES", "CONTAINERS");
  for (const json& a : accounts) {
    std::vector<std::string> names;
    for (const json& c : a["containers"]) names.push_back(c.value("name", ""));
    const std::string writes =
        a["easelWritesWith"].is_string() ? a["easelWritesWith"].get<std::string>() : "no";
    std::printf("%-24s %-14s %-16s %-16s %-8s %-10s %-7s %s\n", a.value("name", "").c_str(),
                a.value("location", "").c_str(), a.value("kind", "").c_str(),
                a.value("sku", "").c_str(), a.value("publicNetworkAccess", "").c_str(),
                a.value("holdsPageBlobs", false) ? "yes" : "no", writes.c_str(),
                names.empty() ? "-" : Join(names, ",").c_str());
  }
}

}  // namespace

int StorageListCommand(const CommonOptions& common, const std::string& subscription,
                       const std::string& resource_group) {
  Result<std::unique_ptr<Session>> session = OpenSession(common.context, common.state_path);
  if (!session.ok()) {
    std::cerr << "easel: " << session.status().message() << "\n";
    return kExitFailure;
  }
  azure::ArmClient& arm = *(*session)->arm;
  std::string usage_error;
  Result<std::string> sub = ChooseSubscription(arm, subscription, &usage_error);
  if (!sub.ok()) {
    std::cerr << "easel: " << sub.status().message() << "\n";
    return kExitFailure;
  }
  if (!usage_error.empty()) {
    std::cerr << usage_error << "\n";
    return kExitInvalid;
  }
  const std::string group = "/subscriptions/" + *sub + "/resourceGroups/" + resource_group;
  int status = 0;
  Result<std::vector<json>> accounts = azure::ListAll(
      arm, group + "/providers/Microsoft.Storage/storageAccounts", plan::api::kStorage, &status);
  if (!accounts.ok()) {
    std::cerr << "easel: " << accounts.status().message() << "\n";
    return kExitFailure;
  }
  if (status == 404) {
    std::cerr << "--resource-group: resource group " << resource_group
              << " does not exist in subscription " << *sub << "\n";
    return kExitInvalid;
  }
  json out = json::array();
  for (const json& a : *accounts) {
    Result<json> described = DescribeAccount(arm, a);
    if (!described.ok()) {
      std::cerr << "easel: storage account " << a.value("name", "") << ": "
                << described.status().message() << "\n";
      return kExitFailure;
    }
    out.push_back(*described);
  }
  if (common.output == "json") {
    std::cout << out.dump(2) << "\n";
  } else {
    PrintTable(out);
  }
  return kExitOk;
}

}  // namespace easel::cli
