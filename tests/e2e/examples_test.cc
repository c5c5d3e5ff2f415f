// Every example applied to Ready through the real easel binary against a real azsim; the seed's
// architecture checked resource by resource through azsim's own API; re-applying writes nothing;
// delete returns the resource group to exactly its state before apply and leaves existing
// (static network, custom storage) resources untouched.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "bootstrap/pki.h"
#include "common/strings.h"
#include "e2e/harness.h"
#include "spec/load.h"
#include "spec/naming.h"

namespace easel::e2e {
namespace {

using nlohmann::json;

constexpr const char* kNet = "2025-05-01";
constexpr const char* kCompute = "2025-04-01";
constexpr const char* kStorage = "2025-06-01";
constexpr const char* kDns = "2020-06-01";

class Examples : public SharedLocalAzureTest {
 protected:
  static std::string ApiOf(const std::string& id) {
    return ToLower(id).find("microsoft.storage") != std::string::npos ? kStorage : kNet;
  }

  std::string Rg(const std::string& group) {
    return "/subscriptions/" + azure_->subscription() + "/resourceGroups/" + group;
  }
  spec::ClusterSpec Load(const std::string& example) {
    spec::Diagnostics d;
    spec::ClusterSpec s = spec::LoadClusterSpec(
        std::string(EASEL_SOURCE_DIR) + "/examples/" + example, spec::EmbeddedCatalog(), &d);
    EXPECT_TRUE(d.empty());
    return s;
  }
  // ARM writes (PUT, DELETE, POST, PATCH) in azsim's request log; token requests are Entra's.
  int64_t Writes() {
    int64_t n = 0;
    for (const json& line : azure_->Requests()) {
      if (line.value("service", "") != "arm") continue;
      std::string m = line.value("method", "");
      n += m == "PUT" || m == "DELETE" || m == "POST" || m == "PATCH";
    }
    return n;
  }

  int64_t LastSeq() {
    std::vector<json> log = azure_->Requests();
    return log.empty() ? 0 : log.back().value("seq", int64_t{0});
  }
  // "METHOD path" of each ARM write after `since`.
  std::vector<std::string> WritesSince(int64_t since) {
    std::vector<std::string> writes;
    for (const json& line : azure_->Requests(since)) {
      std::string m = line.value("method", "");
      if (line.value("service", "") == "arm" && m != "GET" && m != "HEAD") {
        writes.push_back(m + " " + line.value("path", ""));
      }
    }
    return writes;
  }
  // The resources the example's plan creates (owned by the cluster).
  size_t OwnedResources(const std::string& example) {
    CommandResult plan = azure_->Easel("plan --offline -f examples/" + example + " -o json");
    EXPECT_EQ(plan.exit_code, 0) << plan.output;
    size_t owned = 0;
    const json parsed = json::parse(plan.output, nullptr, false);
    for (const json& r : parsed.value("resources", json::array())) {
      owned += r.value("ownership", "") == "owned";
    }
    return owned;
  }

  // The seed's architecture, checked through azsim's API.
  void CheckArchitecture(const spec::ClusterSpec& s) {
    const std::string rg = Rg(s.resource_group);
    const std::string owner = spec::OwnershipTagKey(s);
    std::vector<std::string> ids = azure_->ResourcesIn(s.resource_group);
    std::vector<json> nics, vms;
    for (const std::string& id : ids) {
      std::string type = id.substr(id.find("/providers/") + 11);
      type = type.substr(0, type.rfind('/'));
      std::string api = StartsWith(type, "microsoft.compute")         ? kCompute
                        : StartsWith(type, "microsoft.storage")       ? kStorage
                        : type == "microsoft.network/privatednszones" ? kDns
                                                                      : kNet;
      json r = azure_->Get(id, api);
      ASSERT_FALSE(r.is_null()) << id;
      if (type == "microsoft.compute/disks") {  // implicit OS disks belong to their VM
        EXPECT_FALSE(r["managedBy"].get<std::string>().empty()) << id;
        continue;
      }
      if (type == "microsoft.network/networkinterfaces" &&
          r["properties"].contains("privateEndpoint")) {
        continue;  // Azure's NIC of a private endpoint (storage.access: private), untagged
      }
      EXPECT_EQ(r["tags"].value(owner, ""), "owned") << id << " lacks the ownership tag";
      for (const auto& [k, v] : s.tags) EXPECT_EQ(r["tags"].value(k, ""), v) << id;
      if (type == "microsoft.network/networkinterfaces") nics.push_back(r);
      if (type == "microsoft.compute/virtualmachines") vms.push_back(r);
    }
    // Two subnets, each with its own security group; NAT gateway on both when asked for.
    std::string vnet_id =
        s.network.vnet.placement == spec::Placement::kStatic
            ? Rg(s.network.vnet.resource_group) + "/providers/Microsoft.Network/virtualNetworks/" +
                  s.network.vnet.name
            : rg + "/providers/Microsoft.Network/virtualNetworks/" + spec::VnetName(s);
    json vnet = azure_->Get(vnet_id, kNet);
    ASSERT_FALSE(vnet.is_null());
    std::set<std::string> nsgs;
    std::string cp_subnet_id, worker_subnet_id;
    for (const std::string& subnet_name :
         {spec::ControlPlaneSubnetName(s), spec::WorkerSubnetName(s)}) {
      json subnet = azure_->Get(vnet_id + "/subnets/" + subnet_name, kNet);
      ASSERT_FALSE(subnet.is_null()) << subnet_name;
      ASSERT_TRUE(subnet["properties"].contains("networkSecurityGroup")) << subnet_name;
      nsgs.insert(ToLower(subnet["properties"]["networkSecurityGroup"]["id"].get<std::string>()));
      if (s.network.outbound == spec::Outbound::kNatGateway) {
        EXPECT_TRUE(subnet["properties"].contains("natGateway")) << subnet_name;
      }
      (cp_subnet_id.empty() ? cp_subnet_id : worker_subnet_id) =
          ToLower(subnet["id"].get<std::string>());
    }
    EXPECT_EQ(nsgs.size(), 2u) << "each subnet has its own security group";
    if (s.network.vnet.placement == spec::Placement::kDynamic) {
      EXPECT_EQ(vnet["properties"]["subnets"].size(), 2u);
    }
    // No public IP on any NIC; control-plane NICs, and only they, in the API backend pool.
    size_t nodes = static_cast<size_t>(s.control_plane.count);
    for (const auto& p : s.worker_pools) nodes += static_cast<size_t>(p.count);
    EXPECT_EQ(nics.size(), nodes);
    EXPECT_EQ(vms.size(), nodes);
    std::string lb_id =
        rg + "/providers/Microsoft.Network/loadBalancers/" + spec::ApiLoadBalancerName(s);
    for (const json& nic : nics) {
      bool control_plane = nic["name"].get<std::string>().find("-cp-") != std::string::npos;
      for (const json& ipc : nic["properties"]["ipConfigurations"]) {
        EXPECT_FALSE(ipc["properties"].contains("publicIPAddress")) << nic["name"];
        std::string subnet = ToLower(ipc["properties"]["subnet"]["id"].get<std::string>());
        EXPECT_EQ(subnet, control_plane ? cp_subnet_id : worker_subnet_id) << nic["name"];
        bool in_pool = ipc["properties"].contains("loadBalancerBackendAddressPools") &&
                       !ipc["properties"]["loadBalancerBackendAddressPools"].empty();
        EXPECT_EQ(in_pool, control_plane) << nic["name"];
      }
    }
    // The API load balancer: Standard, TCP 6443 with a probe, public or internal.
    json lb = azure_->Get(lb_id, kNet);
    ASSERT_FALSE(lb.is_null());
    EXPECT_EQ(lb["sku"]["name"], "Standard");
    const json& fe = lb["properties"]["frontendIPConfigurations"][0]["properties"];
    EXPECT_EQ(lb["properties"]["loadBalancingRules"][0]["properties"]["frontendPort"], 6443);
    EXPECT_EQ(lb["properties"]["probes"][0]["properties"]["port"], 6443);
    if (s.network.api_server.type == spec::ApiServerType::kPublic) {
      json pip = azure_->Get(fe["publicIPAddress"]["id"], kNet);
      ASSERT_FALSE(pip.is_null());
      EXPECT_EQ(pip["sku"]["name"], "Standard");
      EXPECT_EQ(pip["properties"]["publicIPAllocationMethod"], "Static");
      EXPECT_EQ(pip["zones"].size(), 3u);
    } else {
      EXPECT_EQ(fe["privateIPAddress"], s.network.api_server.private_ip);
      EXPECT_EQ(ToLower(fe["subnet"]["id"].get<std::string>()), cp_subnet_id);
      std::string zone = rg + "/providers/Microsoft.Network/privateDnsZones/" +
                         s.network.api_server.private_dns_zone.name;
      json a = azure_->Get(zone + "/A/apiserver", kDns);
      ASSERT_FALSE(a.is_null());
      EXPECT_EQ(a["properties"]["aRecords"][0]["ipv4Address"], s.network.api_server.private_ip);
      json link = azure_->Get(zone + "/virtualNetworkLinks/" + spec::PrivateDnsLinkName(s), kDns);
      ASSERT_FALSE(link.is_null());
      EXPECT_EQ(ToLower(link["properties"]["virtualNetwork"]["id"].get<std::string>()),
                ToLower(vnet_id));
    }
    // VMs spread over their zones: per group, counts differ by at most one.
    std::map<std::string, std::map<std::string, int>> per_zone;
    for (const json& vm : vms) {
      std::string name = vm["name"];
      std::string group = name.substr(0, name.rfind('-'));
      per_zone[group][vm.contains("zones") ? vm["zones"][0].get<std::string>() : ""]++;
      EXPECT_FALSE(vm["properties"]["networkProfile"].contains("networkInterfaceConfigurations"));
    }
    auto balanced = [&](const std::string& group, const std::vector<std::string>& zones,
                        int count) {
      int lo = count, hi = 0;
      for (const std::string& z : zones) {
        lo = std::min(lo, per_zone[group][z]);
        hi = std::max(hi, per_zone[group][z]);
      }
      EXPECT_LE(hi - lo, 1) << group;
    };
    balanced(s.name + "-cp", s.control_plane.zones, s.control_plane.count);
    for (const auto& p : s.worker_pools) balanced(s.name + "-" + p.name, p.zones, p.count);
  }

  // Every node went through its bootstrap: user data of its role (and no private key in it), a
  // bootstrap extension that succeeded, its states in apply's output and in describe; no private
  // key in any output or in the state database.
  void CheckBootstrap(const std::string& example, const spec::ClusterSpec& s,
                      const std::string& apply_output) {
    const std::string vms = Rg(s.resource_group) + "/providers/Microsoft.Compute/virtualMachines/";
    std::vector<std::pair<std::string, std::string>> nodes;  // name, role
    for (int i = 0; i < s.control_plane.count; ++i) {
      nodes.push_back({spec::ControlPlaneMachineName(s, i), i == 0 ? "init" : "control-plane"});
    }
    for (const auto& p : s.worker_pools) {
      for (int i = 0; i < p.count; ++i)
        nodes.push_back({spec::WorkerMachineName(s, p, i), "worker"});
    }
    for (const auto& [name, role] : nodes) {
      json user_data = azure_->Admin("GET", "vm-user-data?id=" + vms + name);
      ASSERT_TRUE(user_data.is_string()) << name << ": " << user_data.dump();
      const std::string text = user_data.get<std::string>();
      EXPECT_EQ(text.rfind("#cloud-config\n", 0), 0u) << name;
      EXPECT_NE(text.find("ROLE='" + role + "'"), std::string::npos) << name << "\n" << text;
      EXPECT_FALSE(bootstrap::ContainsPrivateKey(text)) << name << " has a private key";
      json ext = azure_->Get(vms + name + "/extensions/bootstrap?$expand=instanceView", kCompute);
      ASSERT_FALSE(ext.is_null()) << name;
      EXPECT_EQ(ext["properties"]["provisioningState"], "Succeeded") << name;
      EXPECT_EQ(ext["properties"]["publisher"], "Microsoft.Azure.Extensions");
      for (const char* state : {"Bootstrapping", "Joined"}) {
        EXPECT_NE(
            apply_output.find(name + std::string(40 - std::min<size_t>(40, name.size()), ' ') +
                              " " + state),
            std::string::npos)
            << name << " never showed " << state << ":\n"
            << apply_output;
      }
    }
    CommandResult describe = azure_->Easel("describe cluster " + s.name + " -o json");
    ASSERT_EQ(describe.exit_code, 0) << describe.output;
    json d = json::parse(describe.output, nullptr, false);
    ASSERT_EQ(d["nodes"].size(), nodes.size()) << describe.output;
    for (const json& n : d["nodes"]) EXPECT_EQ(n["state"], "Joined") << n.dump();
    CommandResult events = azure_->Easel("events " + s.name);
    CommandResult plan = azure_->Easel("plan --offline -f examples/" + example + " -o json");
    for (const std::string& out : {apply_output, describe.output, events.output, plan.output}) {
      EXPECT_FALSE(bootstrap::ContainsPrivateKey(out)) << out;
    }
    for (const char* file : {"/.easel/state.db", "/.easel/state.db-wal"}) {
      std::ifstream in(azure_->home() + file, std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      EXPECT_FALSE(bootstrap::ContainsPrivateKey(bytes.str())) << file << " holds a key in clear";
      EXPECT_EQ(bytes.str().find("PRIVATE KEY"), std::string::npos) << file;
    }
  }

  // Apply, check, re-apply (no write), delete (group back to its state), delete again (no-op).
  void RoundTrip(const std::string& example) {
    std::vector<std::string> untouched_ids = azure_->CreatePrerequisites(example);
    spec::ClusterSpec s = Load(example);
    std::vector<std::string> before = azure_->ResourcesIn(s.resource_group);
    std::map<std::string, json> untouched;
    for (const std::string& id : untouched_ids) untouched[id] = azure_->Get(id, ApiOf(id));

    int64_t before_apply = LastSeq();
    CommandResult apply = azure_->Easel("apply -f examples/" + example);
    ASSERT_EQ(apply.exit_code, 0) << apply.output;
    EXPECT_NE(apply.output.find("is Ready"), std::string::npos);
    CheckArchitecture(s);
    if (HasFatalFailure()) return;
    CheckBootstrap(example, s, apply.output);
    if (HasFatalFailure()) return;
    // One ARM write per owned resource: a PUT each, and for an auto storage account the check
    // that its name is free in Azure (a POST); nothing else (the VHD copy authenticates with the
    // principal's token, so no listKeys).
    std::vector<std::string> writes_seen = WritesSince(before_apply);
    const bool auto_account = !s.storage.custom_account;
    EXPECT_EQ(writes_seen.size(), OwnedResources(example) + (auto_account ? 1 : 0))
        << Join(writes_seen, "\n");
    if (auto_account) {
      EXPECT_EQ(std::count_if(writes_seen.begin(), writes_seen.end(),
                              [](const std::string& w) {
                                return EndsWith(w, "/Microsoft.Storage/checkNameAvailability");
                              }),
                1)
          << Join(writes_seen, "\n");
    }
    EXPECT_NE(
        apply.output.find("(" + std::to_string(writes_seen.size()) + " ARM writes, 1 blob copy"),
        std::string::npos)
        << "apply reports the writes it sent:\n"
        << apply.output;
    EXPECT_EQ(std::set<std::string>(writes_seen.begin(), writes_seen.end()).size(),
              writes_seen.size())
        << "a resource was written twice:\n"
        << Join(writes_seen, "\n");

    int64_t writes = Writes();
    CommandResult again = azure_->Easel("apply -f examples/" + example);
    ASSERT_EQ(again.exit_code, 0) << again.output;
    EXPECT_EQ(Writes(), writes) << "re-applying an unchanged cluster wrote:\n" << again.output;

    CommandResult describe = azure_->Easel("describe cluster " + s.name + " -o json");
    ASSERT_EQ(describe.exit_code, 0);
    EXPECT_EQ(json::parse(describe.output)["phase"], "Ready");

    CommandResult del = azure_->Easel("delete cluster " + s.name);
    ASSERT_EQ(del.exit_code, 0) << del.output;
    EXPECT_EQ(azure_->ResourcesIn(s.resource_group), before);
    for (const auto& [id, body] : untouched) {
      EXPECT_FALSE(body.is_null()) << id;
      EXPECT_EQ(azure_->Get(id, ApiOf(id)), body) << id << " was changed";
    }
    CommandResult del_again = azure_->Easel("delete cluster " + s.name);
    EXPECT_EQ(del_again.exit_code, 0) << del_again.output;
  }
};

TEST_F(Examples, Quickstart) { RoundTrip("quickstart.yaml"); }
TEST_F(Examples, HighlyAvailable) { RoundTrip("ha.yaml"); }
TEST_F(Examples, PrivateApiServer) { RoundTrip("private-api.yaml"); }

TEST_F(Examples, StaticPlacementLeavesTheNetworkAlone) {
  RoundTrip("static-placement.yaml");  // checks the VNet and both groups are unchanged
  EXPECT_EQ(azure_->ResourcesIn("net-rg").size(), 3u) << "only the shared VNet and its two NSGs";
}

TEST_F(Examples, CustomStorageIsReadNotWritten) { RoundTrip("custom-storage.yaml"); }

// Steady state costs at most two ARM reads; a changed tag and a deleted resource are found and
// `easel apply` repairs exactly them.
TEST_F(Examples, DriftIsFoundCheaplyAndRepaired) {
  CommandResult apply = azure_->Easel("apply -f examples/quickstart.yaml");
  ASSERT_EQ(apply.exit_code, 0) << apply.output;
  auto arm_reads_during = [&](const std::string& args, CommandResult* out) {
    std::vector<json> before = azure_->Requests();
    int64_t since = before.empty() ? 0 : before.back().value("seq", int64_t{0});
    *out = azure_->Easel(args);
    int reads = 0;
    for (const json& line : azure_->Requests(since)) {
      reads += line.value("service", "") == "arm" && line.value("method", "") == "GET";
    }
    return reads;
  };
  CommandResult check;
  EXPECT_LE(arm_reads_during("check demo", &check), 2);
  EXPECT_EQ(check.exit_code, 0) << check.output;

  std::string rg =
      "/subscriptions/" + azure_->subscription() + "/resourceGroups/demo-rg/providers/";
  Result<azure::ArmResponse> patched = azure_->arm().Call(
      "PATCH", rg + "Microsoft.Network/virtualNetworks/demo-vnet", kNet,
      json{{"tags", {{"easel_cluster_demo", "owned"}, {"team", "someone-else"}}}});
  ASSERT_TRUE(patched.ok() && patched->status < 300);
  json image = azure_->Get(
      rg + "Microsoft.Compute/images/" + spec::ImageName(Load("quickstart.yaml")), kCompute);
  ASSERT_FALSE(image.is_null());
  Result<azure::ArmResponse> deleted = azure_->arm().Call("DELETE", image["id"], kCompute);
  ASSERT_TRUE(deleted.ok() && deleted->status < 300);
  for (int i = 0; i < 100 && !azure_->Get(image["id"], kCompute).is_null(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  check = azure_->Easel("check demo");
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_NE(check.output.find("changed  Microsoft.Network/virtualNetworks  demo-vnet  tags.team: "
                              "want \"platform\", have \"someone-else\""),
            std::string::npos)
      << check.output;
  EXPECT_NE(check.output.find("missing  Microsoft.Compute/images"), std::string::npos)
      << check.output;

  int64_t writes = Writes();
  CommandResult repair = azure_->Easel("apply -f examples/quickstart.yaml");
  ASSERT_EQ(repair.exit_code, 0) << repair.output;
  EXPECT_EQ(Writes() - writes, 2) << "a VNet PUT and an image PUT:\n" << repair.output;
  json vnet = azure_->Get(rg + "Microsoft.Network/virtualNetworks/demo-vnet", kNet);
  EXPECT_EQ(vnet["properties"]["subnets"].size(), 2u) << "updating the VNet kept its subnets";
  check = azure_->Easel("check demo");
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_EQ(azure_->Easel("delete cluster demo").exit_code, 0);
}

// Scaling a pool down: `plan --live` shows the machines to delete, `apply` deletes them.
TEST_F(Examples, ScalingDownDeletesTheDroppedMachines) {
  ASSERT_EQ(azure_->Easel("apply -f examples/quickstart.yaml").exit_code, 0);
  std::ifstream in(std::string(EASEL_SOURCE_DIR) + "/examples/quickstart.yaml");
  std::stringstream text;
  text << in.rdbuf();
  std::string smaller = text.str();
  smaller.replace(smaller.find("count: 3"), 8, "count: 2");
  std::string path = azure_->home() + "/smaller.yaml";
  std::ofstream(path) << smaller;

  CommandResult preview = azure_->Easel("plan --live -f " + path);
  ASSERT_EQ(preview.exit_code, 0) << preview.output;
  // The pool's last machine: its NIC, its VM and its bootstrap extension.
  EXPECT_NE(preview.output.find("0 to create, 0 to change, 3 to delete"), std::string::npos)
      << preview.output;
  CommandResult apply = azure_->Easel("apply -f " + path);
  ASSERT_EQ(apply.exit_code, 0) << apply.output;
  std::string rg =
      "/subscriptions/" + azure_->subscription() + "/resourceGroups/demo-rg/providers/";
  EXPECT_TRUE(
      azure_->Get(rg + "Microsoft.Compute/virtualMachines/demo-pool1-2", kCompute).is_null());
  EXPECT_TRUE(
      azure_->Get(rg + "Microsoft.Network/networkInterfaces/demo-pool1-2-nic", kNet).is_null());
  EXPECT_FALSE(
      azure_->Get(rg + "Microsoft.Compute/virtualMachines/demo-pool1-1", kCompute).is_null());
  CommandResult same = azure_->Easel("plan --live -f " + path);
  EXPECT_NE(same.output.find("0 to create, 0 to change, 0 to delete"), std::string::npos)
      << same.output;
  EXPECT_EQ(azure_->Easel("delete cluster demo").exit_code, 0);
}

// Without a data role on the storage account, the VHD copy signs with the account key: one ARM
// write more (listKeys), and a warning that says why and what to grant.
TEST_F(Examples, WithoutABlobDataRoleTheCopyFallsBackToTheAccountKey) {
  json role = azure_->RemoveDataRole();
  ASSERT_FALSE(role.is_null()) << "azsim's default principal has no data role to take away";

  int64_t since = LastSeq();
  CommandResult apply = azure_->Easel("apply -f examples/quickstart.yaml");
  EXPECT_EQ(apply.exit_code, 0) << apply.output;
  std::vector<std::string> writes = WritesSince(since);
  // A PUT per owned resource, the name check and listKeys.
  EXPECT_EQ(writes.size(), OwnedResources("quickstart.yaml") + 2) << Join(writes, "\n");
  EXPECT_EQ(std::count_if(writes.begin(), writes.end(),
                          [](const std::string& w) {
                            return StartsWith(w, "POST ") && EndsWith(w, "/listKeys");
                          }),
            1)
      << Join(writes, "\n");
  EXPECT_NE(apply.output.find("warning: storage account"), std::string::npos) << apply.output;
  EXPECT_NE(apply.output.find("Storage Blob Data Contributor"), std::string::npos) << apply.output;

  EXPECT_TRUE(azure_->RestoreDataRole(role));
  EXPECT_EQ(azure_->Easel("delete cluster demo").exit_code, 0);
}

// A 403 that is not about easel's credential (here: the source VHD is private, so storage
// cannot read it for the copy) fails the copy as it is: no listKeys, no fallback warning.
TEST_F(Examples, APrivateSourceVhdFailsTheCopyWithoutFallingBack) {
  const std::string images = "/subscriptions/" + azure_->subscription() +
                             "/resourceGroups/easel-images/providers/Microsoft.Storage/"
                             "storageAccounts/easelimages/blobServices/default/containers/images";
  auto set_access = [&](const std::string& access) {
    Result<azure::ArmResponse> r = azure_->arm().Call(
        "PUT", images, kStorage, json{{"properties", {{"publicAccess", access}}}});
    return r.ok() && r->status < 300;
  };
  ASSERT_TRUE(set_access("None"));
  int64_t since = LastSeq();
  CommandResult apply = azure_->Easel("apply -f examples/quickstart.yaml");
  EXPECT_TRUE(set_access("Blob"));
  EXPECT_EQ(apply.exit_code, 1) << apply.output;
  EXPECT_NE(apply.output.find("403 CannotVerifyCopySource"), std::string::npos) << apply.output;
  EXPECT_EQ(apply.output.find("warning:"), std::string::npos) << apply.output;
  for (const std::string& w : WritesSince(since)) EXPECT_FALSE(EndsWith(w, "/listKeys")) << w;
  EXPECT_EQ(azure_->Easel("delete cluster demo").exit_code, 0);
}

// A context for a cloud given by its endpoints (here azsim's, as `easel local up` wrote them)
// reaches the same Azure; endpoints that are not https are refused, naming the endpoint.
TEST_F(Examples, ACustomCloudContextReachesTheSameAzure) {
  std::ifstream in(azure_->home() + "/.easel/local/azsim.ready.json");
  std::stringstream text;
  text << in.rdbuf();
  json ready = json::parse(text.str(), nullptr, false);
  ASSERT_TRUE(ready.is_object());
  auto endpoints = [&](const std::string& arm) {
    return " --authority-host " + ready.value("authority", "") + " --arm-endpoint " + arm +
           " --blob-endpoint '" + ready.value("blob", "") + "/{account}/' --ca-file " +
           ready.value("caFile", "") + " --credentials-file " + azure_->home() +
           "/.easel/local/credentials.json";
  };
  CommandResult insecure =
      azure_->Easel("context add plain --cloud custom" + endpoints("http://127.0.0.1:1"));
  EXPECT_EQ(insecure.exit_code, 2);
  EXPECT_NE(insecure.output.find("ARM endpoint \"http://127.0.0.1:1\" is not an https URL"),
            std::string::npos)
      << insecure.output;
  CommandResult not_custom = azure_->Easel("context add plain" + endpoints(ready["arm"]));
  EXPECT_EQ(not_custom.exit_code, 2);
  EXPECT_NE(not_custom.output.find("add --cloud custom"), std::string::npos) << not_custom.output;

  CommandResult added = azure_->Easel("context add mine --cloud custom" + endpoints(ready["arm"]));
  ASSERT_EQ(added.exit_code, 0) << added.output;
  CommandResult list = azure_->Easel("context list");
  EXPECT_NE(list.output.find("mine"), std::string::npos) << list.output;
  CommandResult plan = azure_->Easel("--context mine plan -f examples/quickstart.yaml");
  EXPECT_EQ(plan.exit_code, 0) << plan.output;
  EXPECT_NE(plan.output.find(std::to_string(OwnedResources("quickstart.yaml")) +
                             " to create, 0 to change, 0 to delete"),
            std::string::npos)
      << plan.output;
}

// A node whose bootstrap fails fails the apply, named with its output (the extension's stderr);
// describe and events keep it; the next apply sends the failed extension again and recovers.
TEST_F(Examples, AFailedBootstrapNamesTheNodeAndItsOutput) {
  azure_->CreatePrerequisites("quickstart.yaml");
  const std::string why =
      "easel-bootstrap: failed at step 3/4 (kubeadm init): [ERROR CRI]: container runtime is not "
      "running";
  json rules = {{"rules", json::array({{{"fault", "lroFailed"},
                                        {"kind", "write"},
                                        {"type", "Microsoft.Compute/virtualMachines/extensions"},
                                        {"errorCode", "VMExtensionProvisioningError"},
                                        {"message", why},
                                        {"count", 1}}})}};
  azure_->Admin("PUT", "faults", rules.dump());
  CommandResult apply = azure_->Easel("apply -f examples/quickstart.yaml");
  azure_->Admin("PUT", "faults", R"({"rules": []})");
  EXPECT_EQ(apply.exit_code, 1) << apply.output;
  EXPECT_NE(apply.output.find("easel: cluster demo failed: demo-"), std::string::npos)
      << apply.output;
  EXPECT_NE(apply.output.find("bootstrap failed"), std::string::npos) << apply.output;
  EXPECT_NE(apply.output.find("[ERROR CRI]: container runtime is not running"), std::string::npos)
      << apply.output;
  EXPECT_NE(apply.output.find("at step 3/4 (kubeadm init)"), std::string::npos) << apply.output;

  CommandResult describe = azure_->Easel("describe cluster demo");
  EXPECT_NE(describe.output.find("Phase:     Failed"), std::string::npos) << describe.output;
  EXPECT_NE(describe.output.find("Failed         demo-"), std::string::npos) << describe.output;
  EXPECT_NE(describe.output.find("container runtime is not running"), std::string::npos)
      << describe.output;
  CommandResult events = azure_->Easel("events demo");
  EXPECT_NE(events.output.find("node demo-"), std::string::npos) << events.output;
  EXPECT_NE(events.output.find("container runtime is not running"), std::string::npos)
      << events.output;

  CommandResult again = azure_->Easel("apply -f examples/quickstart.yaml");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  CommandResult del = azure_->Easel("delete cluster demo");
  EXPECT_EQ(del.exit_code, 0) << del.output;
}

TEST_F(Examples, InvalidSpecIsRefusedBeforeAnyCall) {
  int64_t writes = Writes();
  CommandResult r = azure_->Easel("apply -f tests/invalid/cidr-malformed.yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(Writes(), writes);
}

}  // namespace
}  // namespace easel::e2e
