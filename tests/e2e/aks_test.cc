// AKS clusters end to end: the real easel binary against a real azsim (free loopback port, time
// scale 0). Both AKS examples apply to Ready with their architecture checked through azsim's API,
// re-apply sends nothing, an autoscaled pool whose live count changed costs no write, an upgrade
// goes control plane first and then each pool, changes Azure refuses are refused before any call,
// and delete leaves the resource group as it was.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <chrono>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/strings.h"
#include "e2e/harness.h"

namespace easel::e2e {
namespace {

using nlohmann::json;

constexpr const char* kAks = "2025-10-01";
constexpr const char* kNet = "2025-05-01";

class Aks : public SharedLocalAzureTest {
 protected:
  std::string Rg() const {
    return "/subscriptions/" + azure_->subscription() + "/resourceGroups/demo-rg";
  }
  std::string Cluster(const std::string& name) const {
    return Rg() + "/providers/Microsoft.ContainerService/managedClusters/" + name;
  }
  int64_t LastSeq() { return e2e::LastSeq(*azure_); }
  std::vector<std::string> WritesSince(int64_t since) { return e2e::WritesSince(*azure_, since); }
  // A copy of an example with `from` replaced by `to`, in the test's home.
  std::string Variant(const std::string& example, const std::string& from, const std::string& to,
                      const std::string& name) {
    std::ifstream in(std::string(EASEL_SOURCE_DIR) + "/examples/" + example);
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    EXPECT_NE(s.find(from), std::string::npos) << from;
    s = ReplaceAll(s, from, to);
    std::string path = azure_->home() + "/" + name;
    std::ofstream(path) << s;
    return path;
  }

  // `kubectl config view --raw -o json` of a kubeconfig file; null when kubectl refuses it.
  static json KubectlView(const std::string& path) {
    std::string cmd = "kubectl config view --kubeconfig '" + path + "' --raw -o json 2>/dev/null";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return json();
    std::string out;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    int rc = ::pclose(p);
    return rc == 0 ? json::parse(out, nullptr, false) : json();
  }
  static int ModeOf(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
  }
};

TEST_F(Aks, QuickstartAppliesReappliesWithoutWritesAndDeletesCleanly) {
  std::vector<std::string> before = azure_->ResourcesIn("demo-rg");
  CommandResult apply = azure_->Easel("apply -f examples/aks-quickstart.yaml");
  ASSERT_EQ(apply.exit_code, 0) << apply.output;
  EXPECT_NE(apply.output.find("is Ready"), std::string::npos) << apply.output;

  json cluster = azure_->Get(Cluster("shop-dev"), kAks);
  ASSERT_TRUE(cluster.is_object()) << cluster.dump();
  EXPECT_EQ(cluster["properties"]["provisioningState"], "Succeeded");
  EXPECT_EQ(cluster["properties"]["kubernetesVersion"], "1.36");
  EXPECT_TRUE(StartsWith(cluster["properties"].value("currentKubernetesVersion", ""), "1.36."));
  EXPECT_EQ(cluster["properties"]["networkProfile"]["networkPlugin"], "azure");
  EXPECT_EQ(cluster["properties"]["networkProfile"]["networkPluginMode"], "overlay");
  json pool = azure_->Get(Cluster("shop-dev") + "/agentPools/system", kAks);
  EXPECT_EQ(pool["properties"]["mode"], "System");
  EXPECT_EQ(pool["properties"]["count"], 2);
  // The node resource group exists while the cluster does.
  json nodes_rg = azure_->Get(
      "/subscriptions/" + azure_->subscription() + "/resourceGroups/MC_demo-rg_shop-dev_eastus",
      "2024-11-01");
  EXPECT_TRUE(nodes_rg.is_object()) << "no node resource group";

  CommandResult get = azure_->Easel("describe cluster shop-dev -o json");
  ASSERT_EQ(get.exit_code, 0) << get.output;
  json d = json::parse(get.output, nullptr, false);
  EXPECT_EQ(d["phase"], "Ready");
  EXPECT_TRUE(std::regex_search(d.value("endpoint", ""), std::regex("^https://.+azmk8s\\.io:443$")))
      << d.dump();

  // The admin kubeconfig AKS issues, through kubectl.
  const std::string admin = azure_->home() + "/shop-dev-admin.kubeconfig";
  CommandResult kc = azure_->Easel("kubeconfig shop-dev --admin --file " + admin);
  ASSERT_EQ(kc.exit_code, 0) << kc.output;
  EXPECT_EQ(ModeOf(admin), 0600);
  json view = KubectlView(admin);
  ASSERT_TRUE(view.is_object()) << "kubectl could not read " << admin;
  EXPECT_EQ(view["clusters"][0]["cluster"]["server"], d["endpoint"]);
  EXPECT_FALSE(view["users"][0]["user"].value("client-certificate-data", "").empty());

  int64_t seq = LastSeq();
  CommandResult again = azure_->Easel("apply -f examples/aks-quickstart.yaml");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(WritesSince(seq).empty()) << Join(WritesSince(seq), "\n");

  CommandResult del = azure_->Easel("delete cluster shop-dev");
  ASSERT_EQ(del.exit_code, 0) << del.output;
  EXPECT_EQ(azure_->ResourcesIn("demo-rg"), before);
  EXPECT_TRUE(azure_
                  ->Get("/subscriptions/" + azure_->subscription() +
                            "/resourceGroups/MC_demo-rg_shop-dev_eastus",
                        "2024-11-01")
                  .is_null())
      << "the node resource group outlived its cluster";
}

TEST_F(Aks, EnterpriseBuildsTheWholeArchitecture) {
  std::vector<std::string> before = azure_->ResourcesIn("demo-rg");
  CommandResult apply = azure_->Easel("apply -f examples/aks-enterprise.yaml");
  ASSERT_EQ(apply.exit_code, 0) << apply.output;

  const std::string id = Cluster("shop");
  json c = azure_->Get(id, kAks);
  ASSERT_TRUE(c.is_object());
  const json& p = c["properties"];
  EXPECT_EQ(c["sku"]["tier"], "Standard");
  EXPECT_EQ(c["identity"]["type"], "UserAssigned");
  EXPECT_EQ(p["aadProfile"]["managed"], true);
  EXPECT_EQ(p["aadProfile"]["enableAzureRBAC"], true);
  EXPECT_EQ(p["disableLocalAccounts"], true);
  EXPECT_EQ(p["addonProfiles"]["azurepolicy"]["enabled"], true);
  EXPECT_EQ(p["addonProfiles"]["aciConnectorLinux"]["enabled"], true);
  EXPECT_EQ(p["workloadAutoScalerProfile"]["keda"]["enabled"], true);
  EXPECT_EQ(p["networkProfile"]["outboundType"], "userAssignedNATGateway");
  EXPECT_EQ(p["autoUpgradeProfile"]["upgradeChannel"], "patch");

  const std::string vnet = Rg() + "/providers/Microsoft.Network/virtualNetworks/shop-vnet";
  json nodes = azure_->Get(vnet + "/subnets/shop-nodes", kNet);
  EXPECT_NE(ToLower(nodes["properties"]["natGateway"].value("id", "")).find("shop-nat"),
            std::string::npos)
      << nodes.dump();
  json vnodes = azure_->Get(vnet + "/subnets/shop-virtual-nodes", kNet);
  EXPECT_EQ(vnodes["properties"]["delegations"][0]["properties"]["serviceName"],
            "Microsoft.ContainerInstance/containerGroups");

  json web = azure_->Get(id + "/agentPools/web", kAks);
  EXPECT_EQ(web["properties"]["enableAutoScaling"], true);
  EXPECT_EQ(web["properties"]["osDiskType"], "Ephemeral");
  EXPECT_EQ(web["properties"]["nodeTaints"][0], "dedicated=web:NoSchedule");
  json policy =
      azure_->Get(id + "/providers/Microsoft.Authorization/policyAssignments/pod-security-baseline",
                  "2024-05-01");
  EXPECT_NE(policy.dump().find("a8640138-9b0a-4a28-b8cb-1666c838647d"), std::string::npos);
  json flux = azure_->Get(
      id + "/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/shop", "2023-05-01");
  EXPECT_EQ(flux["properties"]["gitRepository"]["url"], "https://github.com/org/repo");

  // The autoscaler moved the web pool from 2 to 7 nodes: not drift, and no write on re-apply.
  json moved = web;
  moved["properties"]["count"] = 7;
  for (const char* k : {"id", "name", "type"}) moved.erase(k);
  Result<azure::ArmResponse> scaled = azure_->arm().Call("PUT", id + "/agentPools/web", kAks,
                                                         json{{"properties", moved["properties"]}});
  ASSERT_TRUE(scaled.ok());
  ASSERT_LT(scaled->status, 300) << scaled->body.dump();
  for (int i = 0; i < 50 && azure_->Get(id + "/agentPools/web", kAks)["properties"].value(
                                "provisioningState", "") != "Succeeded";
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  int64_t seq = LastSeq();
  CommandResult again = azure_->Easel("apply -f examples/aks-enterprise.yaml");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(WritesSince(seq).empty()) << Join(WritesSince(seq), "\n");
  EXPECT_EQ(azure_->Get(id + "/agentPools/web", kAks)["properties"]["count"], 7);
  CommandResult check = azure_->Easel("check shop");
  EXPECT_EQ(check.exit_code, 0) << check.output;

  // Entra ID: the user kubeconfig signs in through kubelogin; no admin credential exists.
  const std::string user = azure_->home() + "/shop.kubeconfig";
  CommandResult kc = azure_->Easel("kubeconfig shop --file " + user);
  ASSERT_EQ(kc.exit_code, 0) << kc.output;
  EXPECT_EQ(ModeOf(user), 0600);
  json view = KubectlView(user);
  ASSERT_TRUE(view.is_object()) << "kubectl could not read " << user;
  EXPECT_EQ(view["users"][0]["user"]["exec"]["command"], "kubelogin") << view.dump();
  CommandResult admin = azure_->Easel("kubeconfig shop --admin");
  EXPECT_EQ(admin.exit_code, 1) << admin.output;
  EXPECT_NE(admin.output.find("has local accounts disabled"), std::string::npos) << admin.output;

  // describe reads the live state: the autoscaler's count, the add-ons, the version.
  CommandResult describe = azure_->Easel("describe cluster shop -o json");
  ASSERT_EQ(describe.exit_code, 0) << describe.output;
  json a = json::parse(describe.output, nullptr, false)["aks"];
  ASSERT_TRUE(a.is_object()) << describe.output;
  EXPECT_TRUE(StartsWith(a.value("currentKubernetesVersion", ""), "1.36.")) << a.dump();
  EXPECT_EQ(a["addons"]["azurepolicy"], true);
  EXPECT_EQ(a["addons"]["keda"], true);
  ASSERT_EQ(a["pools"].size(), 2u);
  EXPECT_EQ(a["pools"][1]["name"], "web");
  EXPECT_EQ(a["pools"][1]["count"], 7);
  CommandResult table = azure_->Easel("describe cluster shop");
  EXPECT_NE(table.output.find("autoscale 2-20"), std::string::npos) << table.output;
  CommandResult list = azure_->Easel("get clusters -o json");
  json clusters = json::parse(list.output, nullptr, false);
  ASSERT_TRUE(clusters.is_array()) << list.output;
  bool listed = false;
  for (const json& c : clusters) {
    if (c.value("name", "") != "shop") continue;
    listed = true;
    EXPECT_EQ(c["kind"], "AKSCluster");
    EXPECT_EQ(c["kubernetesVersion"], "1.36");
  }
  EXPECT_TRUE(listed) << list.output;

  CommandResult del = azure_->Easel("delete cluster shop");
  ASSERT_EQ(del.exit_code, 0) << del.output;
  EXPECT_EQ(azure_->ResourcesIn("demo-rg"), before);
}

TEST_F(Aks, UpgradeGoesControlPlaneFirstThenEachPoolAndRefusesASkip) {
  std::string v135 = Variant("aks-quickstart.yaml", "kubernetesVersion: \"1.36\"",
                             "kubernetesVersion: \"1.35\"", "aks-135.yaml");
  ASSERT_EQ(azure_->Easel("apply -f " + v135).exit_code, 0);
  // A second pool, so that the order of pools shows.
  std::string two =
      Variant("aks-quickstart.yaml", "vmSize: Standard_D4s_v5}",
              "vmSize: Standard_D4s_v5}\n    - {name: batch, count: 1}", "aks-two.yaml");
  std::string two135 = azure_->home() + "/aks-two-135.yaml";
  {
    std::ifstream in(two);
    std::stringstream t;
    t << in.rdbuf();
    std::ofstream(two135) << ReplaceAll(t.str(), "kubernetesVersion: \"1.36\"",
                                        "kubernetesVersion: \"1.35\"");
  }
  ASSERT_EQ(azure_->Easel("apply -f " + two135).exit_code, 0);

  int64_t seq = LastSeq();
  CommandResult up = azure_->Easel("apply -f " + two);
  ASSERT_EQ(up.exit_code, 0) << up.output;
  std::vector<std::string> writes = WritesSince(seq);
  const std::string cluster = "PUT " + Cluster("shop-dev");
  ASSERT_EQ(writes.size(), 3u) << Join(writes, "\n");
  EXPECT_TRUE(StartsWith(ToLower(writes[0]), ToLower(cluster)) &&
              writes[0].find("/agentPools/") == std::string::npos)
      << Join(writes, "\n");
  EXPECT_NE(writes[1].find("/agentPools/system"), std::string::npos) << Join(writes, "\n");
  EXPECT_NE(writes[2].find("/agentPools/batch"), std::string::npos) << Join(writes, "\n");
  // The cluster PUT carried no pools (Azure would answer
  // NotAllAgentPoolOrchestratorVersionSpecifiedAndUnchanged for some pools' versions).
  for (const json& line : azure_->Requests(seq)) {
    if (line.value("method", "") == "PUT" &&
        line.value("path", "").find("/agentPools/") == std::string::npos) {
      EXPECT_EQ(line.dump().find("agentPoolProfiles"), std::string::npos) << line.dump();
    }
  }
  json pool = azure_->Get(Cluster("shop-dev") + "/agentPools/batch", kAks);
  EXPECT_TRUE(StartsWith(pool["properties"].value("currentOrchestratorVersion", ""), "1.36."));

  // 1.36 -> 1.34 goes back; a fixed field cannot change: exit 2, naming the field, nothing sent.
  std::string back = Variant("aks-quickstart.yaml", "kubernetesVersion: \"1.36\"",
                             "kubernetesVersion: \"1.34\"", "aks-134.yaml");
  seq = LastSeq();
  CommandResult refused = azure_->Easel("apply -f " + back);
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("spec.kubernetesVersion: cannot go back"), std::string::npos)
      << refused.output;
  std::string kubenet =
      Variant("aks-quickstart.yaml",
              "  pools:", "  network: {plugin: kubenet}\n  pools:", "aks-kubenet.yaml");
  CommandResult fixed = azure_->Easel("apply -f " + kubenet);
  EXPECT_EQ(fixed.exit_code, 2) << fixed.output;
  EXPECT_NE(fixed.output.find("spec.network.plugin: cannot change"), std::string::npos)
      << fixed.output;
  EXPECT_TRUE(WritesSince(seq).empty()) << Join(WritesSince(seq), "\n");

  ASSERT_EQ(azure_->Easel("delete cluster shop-dev").exit_code, 0);
}

TEST_F(Aks, ASkippedMinorIsRefusedBeforeAnyCall) {
  std::string v134 = Variant("aks-quickstart.yaml", "kubernetesVersion: \"1.36\"",
                             "kubernetesVersion: \"1.34\"", "aks-134-first.yaml");
  ASSERT_EQ(azure_->Easel("apply -f " + v134).exit_code, 0);
  int64_t seq = LastSeq();
  CommandResult skip = azure_->Easel("apply -f examples/aks-quickstart.yaml");
  EXPECT_EQ(skip.exit_code, 2) << skip.output;
  EXPECT_NE(skip.output.find("spec.kubernetesVersion: cannot skip from 1.34 to 1.36"),
            std::string::npos)
      << skip.output;
  EXPECT_TRUE(WritesSince(seq).empty()) << Join(WritesSince(seq), "\n");
  ASSERT_EQ(azure_->Easel("delete cluster shop-dev").exit_code, 0);
}

TEST_F(Aks, ANewVmSizeReplacesThePoolNewOneFirstNeverTheCluster) {
  ASSERT_EQ(azure_->Easel("apply -f examples/aks-quickstart.yaml").exit_code, 0);
  std::string resized = Variant("aks-quickstart.yaml", "vmSize: Standard_D4s_v5",
                                "vmSize: Standard_D8s_v5", "aks-d8.yaml");
  int64_t seq = LastSeq();
  CommandResult apply = azure_->Easel("apply -f " + resized);
  ASSERT_EQ(apply.exit_code, 0) << apply.output;
  std::vector<std::string> writes = WritesSince(seq);
  ASSERT_EQ(writes.size(), 2u) << Join(writes, "\n");
  EXPECT_TRUE(StartsWith(writes[0], "PUT ") && EndsWith(writes[0], "/agentPools/system2"))
      << Join(writes, "\n");
  EXPECT_TRUE(StartsWith(writes[1], "DELETE ") && EndsWith(writes[1], "/agentPools/system"))
      << Join(writes, "\n");
  json pool = azure_->Get(Cluster("shop-dev") + "/agentPools/system2", kAks);
  EXPECT_EQ(pool["properties"]["vmSize"], "Standard_D8s_v5");
  EXPECT_EQ(pool["properties"]["tags"]["easel_pool"], "system");
  EXPECT_TRUE(azure_->Get(Cluster("shop-dev") + "/agentPools/system", kAks).is_null());
  // The same spec again: the pool keeps its new name; nothing is written.
  seq = LastSeq();
  CommandResult again = azure_->Easel("apply -f " + resized);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(WritesSince(seq).empty()) << Join(WritesSince(seq), "\n");
  // Back to the first size: a replacement again, under the next name.
  seq = LastSeq();
  ASSERT_EQ(azure_->Easel("apply -f examples/aks-quickstart.yaml").exit_code, 0);
  writes = WritesSince(seq);
  ASSERT_EQ(writes.size(), 2u) << Join(writes, "\n");
  EXPECT_TRUE(EndsWith(writes[0], "/agentPools/system3")) << Join(writes, "\n");
  EXPECT_TRUE(EndsWith(writes[1], "/agentPools/system2")) << Join(writes, "\n");
  ASSERT_EQ(azure_->Easel("delete cluster shop-dev").exit_code, 0);
}

}  // namespace
}  // namespace easel::e2e
