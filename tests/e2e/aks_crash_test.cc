// Crash safety of an AKS apply and delete, through the real binary against azsim (time scale 0).
//
// `easel apply -f examples/aks-enterprise.yaml` (NAT IP and gateway, VNet, two subnets, identity,
// two role assignments, the managed cluster, two agent pools, the policy assignment, the Flux
// extension and configuration) is killed with SIGKILL at 2, 3, 4, ... ARM requests (at least 10
// kills) while azsim holds its operations in flight (its pause switch), each time started again,
// letting the operations finish between runs so that each goes further; the kills land before,
// during and after the cluster's long-running operation and during the pools' and Flux's creation.
// A last apply reaches Ready, one more sends no ARM write, no resource was created twice (no path
// got two PUTs answered 201), and azsim holds each owned resource once and nothing extra. Then
// `easel delete` is killed at 6 points; the last delete leaves the resource group as it was and
// creates nothing on the way.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "azure/lro.h"
#include "common/strings.h"
#include "e2e/harness.h"

namespace easel::e2e {
namespace {

using nlohmann::json;

constexpr const char* kAks = "2025-10-01";
constexpr const char* kFlux = "2023-05-01";

// The provider type of an ARM id ("microsoft.containerservice/managedclusters/agentpools").
std::string TypeOf(const std::string& id) {
  std::string lower = ToLower(id);
  size_t p = lower.rfind("/providers/");
  if (p == std::string::npos) return "resourcegroup";
  std::vector<std::string> parts;
  std::string rest = lower.substr(p + 11);
  for (size_t start = 0; start <= rest.size();) {
    size_t end = rest.find('/', start);
    if (end == std::string::npos) end = rest.size();
    parts.push_back(rest.substr(start, end - start));
    start = end + 1;
  }
  std::string type = parts.empty() ? "" : parts[0];
  for (size_t k = 1; k < parts.size(); k += 2) type += "/" + parts[k];
  return type;
}

// The resources whose operation is still in flight (provisioningState not terminal) among `ids`,
// by their type's last segment ("managedclusters", "agentpools", ...).
std::set<std::string> InFlight(LocalAzure& azure, const std::vector<std::string>& ids,
                               const std::string& api) {
  std::set<std::string> busy;
  for (const std::string& id : ids) {
    json got = azure.Get(id, api);
    if (got.is_object() && !azure::IsTerminalProvisioningState(got)) {
      std::string type = TypeOf(id);
      busy.insert(type.substr(type.rfind('/') + 1));
    }
  }
  return busy;
}

TEST(AksCrash, KilledApplyAndDeleteConvergeWithoutDuplicates) {
  LocalAzure azure(0);
  ASSERT_TRUE(azure.ok()) << azure.error();
  const std::string rg = "/subscriptions/" + azure.subscription() + "/resourceGroups/demo-rg";
  const std::string cluster = rg + "/providers/Microsoft.ContainerService/managedClusters/shop";
  const std::string nodes_rg =
      "/subscriptions/" + azure.subscription() + "/resourceGroups/MC_demo-rg_shop_eastus";
  std::vector<std::string> before = azure.ResourcesIn("demo-rg");

  // Killed applies: 2, 3, ... 21 ARM requests into a run that starts from what the last one left
  // (once the apply is complete, the remaining runs exit on their own and are not counted).
  const std::vector<std::string> apply = {"apply", "-f", "examples/aks-enterprise.yaml"};
  int kills = 0;
  std::set<std::string> killed_during;  // what was in flight (or, pools, reached) at some kill
  for (int round = 0; round < 20; ++round) {
    int64_t since = LastSeq(azure);
    azure.Admin("POST", "pause");
    bool killed = RunAndKill(azure, apply, 2 + round);
    kills += killed;
    std::vector<json> run = azure.Requests(since);  // easel's, before the test's reads below
    std::set<std::string> busy = InFlight(azure, {cluster}, kAks);
    for (const std::string& t :
         InFlight(azure, {cluster + "/agentPools/system", cluster + "/agentPools/web"}, kAks)) {
      busy.insert(t);
    }
    for (const std::string& t : InFlight(
             azure,
             {cluster + "/providers/Microsoft.KubernetesConfiguration/extensions/flux",
              cluster + "/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/shop"},
             kFlux)) {
      busy.insert(t);
    }
    azure.Admin("POST", "resume");
    // azsim completes due operations on ARM requests only: one unpaused read lets what this run
    // started finish, so that the next run goes further.
    azure.Get(rg, "2024-11-01");
    std::vector<std::string> writes = WritesSince(azure, since);
    std::string last = writes.empty() ? "(no write)" : writes.back();
    if (killed) {
      killed_during.insert(busy.begin(), busy.end());
      // The pools are created by the cluster's PUT (agentPoolProfiles) and then read and
      // reconciled each through its agentPools resource: a killed run that got that far.
      for (const json& line : run) {
        if (line.value("path", "").find("/agentPools/") != std::string::npos) {
          killed_during.insert("agentpools");
        }
      }
    }
    std::printf("apply kill %2d at %2d requests: %s; last write %s; in flight: %s\n", round,
                2 + round, killed ? "killed" : "exited", last.c_str(),
                Join(std::vector<std::string>(busy.begin(), busy.end()), ",").c_str());
  }
  EXPECT_GE(kills, 10);
  // The kills were spread over the whole apply: inside the cluster's long-running operation
  // (which creates the pools), after it while the pools were read, and inside Flux's creation.
  EXPECT_TRUE(killed_during.count("managedclusters")) << "no kill during the cluster's creation";
  EXPECT_TRUE(killed_during.count("agentpools")) << "no kill once the pools were reached";
  EXPECT_TRUE(killed_during.count("extensions") || killed_during.count("fluxconfigurations"))
      << "no kill during Flux's creation";

  CommandResult done = azure.Easel("apply -f examples/aks-enterprise.yaml");
  ASSERT_EQ(done.exit_code, 0) << done.output;
  EXPECT_NE(done.output.find("is Ready"), std::string::npos) << done.output;
  int64_t seq = LastSeq(azure);
  CommandResult again = azure.Easel("apply -f examples/aks-enterprise.yaml");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(WritesSince(azure, seq).empty()) << Join(WritesSince(azure, seq), "\n");

  // Nothing was created twice, and the cluster was created (once).
  std::map<std::string, int> created = Creations(azure);
  for (const auto& [path, count] : created) EXPECT_EQ(count, 1) << path << " created twice";
  EXPECT_EQ(created.count(ToLower(cluster)), 1u) << "the cluster was never created";

  json c = azure.Get(cluster, kAks);
  ASSERT_TRUE(c.is_object());
  EXPECT_EQ(c["properties"]["provisioningState"], "Succeeded");
  for (const char* pool : {"system", "web"}) {
    json p = azure.Get(cluster + "/agentPools/" + pool, kAks);
    ASSERT_TRUE(p.is_object()) << "no pool " << pool;
    EXPECT_EQ(p["properties"]["provisioningState"], "Succeeded") << pool;
  }
  json flux = azure.Get(
      cluster + "/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/shop", kFlux);
  EXPECT_TRUE(flux.is_object()) << "no Flux configuration";

  // Each owned resource once, and nothing extra.
  std::map<std::string, int> per_type;
  for (const std::string& id : azure.ResourcesIn("demo-rg")) per_type[TypeOf(id)]++;
  std::map<std::string, int> expected = {{"microsoft.containerservice/managedclusters", 1},
                                         {"microsoft.managedidentity/userassignedidentities", 1},
                                         {"microsoft.network/natgateways", 1},
                                         {"microsoft.network/publicipaddresses", 1},
                                         {"microsoft.network/virtualnetworks", 1}};
  EXPECT_EQ(per_type, expected);

  // Killed deletes, then one to the end.
  const std::vector<std::string> del = {"delete", "cluster", "shop"};
  int64_t delete_start = LastSeq(azure);
  kills = 0;
  for (int round = 0; round < 6; ++round) {
    azure.Admin("POST", "pause");
    kills += RunAndKill(azure, del, 2 + 2 * round);
    azure.Admin("POST", "resume");
    azure.Get(rg, "2024-11-01");
  }
  EXPECT_GE(kills, 5);
  CommandResult gone = azure.Easel("delete cluster shop");
  ASSERT_EQ(gone.exit_code, 0) << gone.output;
  EXPECT_EQ(azure.ResourcesIn("demo-rg"), before);
  EXPECT_TRUE(azure.Get(nodes_rg, "2024-11-01").is_null())
      << "the node resource group outlived its cluster";
  std::map<std::string, int> recreated = Creations(azure, delete_start);
  for (const auto& [path, count] : recreated) ADD_FAILURE() << path << " created during delete";
}

}  // namespace
}  // namespace easel::e2e
