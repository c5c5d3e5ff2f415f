// Properties of the plan over many random valid specs (fixed seed, so failures reproduce):
// validity of the generated specs, determinism, dependencies exist and form a DAG, zone balance,
// no public IP on any NIC or VM, Azure naming rules, ownership tags, one NIC and one VM per node.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "common/azure_names.h"
#include "plan/planner.h"
#include "plan/render.h"
#include "plan/resource_types.h"
#include "spec/catalog.h"
#include "spec/naming.h"
#include "spec/parse.h"
#include "spec/validate.h"

namespace easel {
namespace {

using nlohmann::json;

constexpr int kSpecs = 1000;
constexpr const char* kKey =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGDZ3lKDFaX4DnNokA9HEo5JAsnawOmvnlrTwSfvlIMU gen";

class SpecGenerator {
 public:
  explicit SpecGenerator(uint64_t seed) : rng_(seed), catalog_(spec::EmbeddedCatalog()) {}

  json Next() {
    const std::vector<std::string> regions = catalog_.RegionNames();
    std::string location = Pick(regions);
    const spec::Region& region = *catalog_.FindRegion(location);
    json s = {{"subscriptionId", Guid()},
              {"location", location},
              {"resourceGroup", "rg-" + Word(1, 20)},
              {"kubernetesVersion",
               "1." + std::to_string(Int(35, 37)) + "." + std::to_string(Int(0, 12))},
              {"sshPublicKey", kKey},
              {"image",
               {{"vhdUrl", "https://img" + Word(3, 8) + ".blob.core.windows.net/images/" +
                               Word(1, 30) + ".vhd"}}}};
    bool dynamic = Int(0, 9) < 7;
    int a = Int(0, 239);
    if (a >= 96) a += 16;  // 10.96.0.0/12 is the default service range: no VNet may overlap it
    std::string cp_cidr = "10." + std::to_string(a) + "." + std::to_string(Int(0, 15)) + ".0/24";
    if (dynamic) {
      s["network"] = {
          {"vnet", {{"cidr", "10." + std::to_string(a) + ".0.0/16"}}},
          {"controlPlaneSubnet", {{"cidr", cp_cidr}}},
          {"workerSubnet",
           {{"cidr", "10." + std::to_string(a) + "." + std::to_string(16 * Int(1, 15)) + ".0/20"}}},
          {"outbound", Int(0, 1) ? "NATGateway" : "None"}};
    } else {
      s["network"] = {
          {"vnet", {{"name", "vnet-" + Word(1, 10)}, {"resourceGroup", "net-" + Word(1, 8)}}},
          {"controlPlaneSubnet",
           {{"name", "cp-" + Word(1, 8)}, {"securityGroup", "cpnsg"}, {"cidr", cp_cidr}}},
          {"workerSubnet", {{"name", "nodes-" + Word(1, 8)}, {"securityGroup", "nodensg"}}}};
    }
    if (Int(0, 2) == 0) {
      std::string ip = cp_cidr.substr(0, cp_cidr.rfind('.')) + "." + std::to_string(Int(4, 254));
      s["network"]["apiServer"] = {{"type", "Internal"}, {"privateIP", ip}};
      if (Int(0, 1)) {
        s["network"]["apiServer"]["privateDnsZone"] = {{"name", Word(1, 10) + ".corp.internal"},
                                                       {"resourceGroup", "dns-rg"}};
      }
    }
    if (Int(0, 3) == 0) {
      s["storage"] = {{"account", {{"name", "acct" + Word(3, 15)}, {"resourceGroup", "st-rg"}}},
                      {"container", Int(0, 1) ? "auto" : "c-" + Word(1, 20)}};
    } else if (Int(0, 3) == 0) {
      s["storage"] = {{"container", "mine-" + Word(1, 10)}};
    }
    s["controlPlane"] = Group(location, region, 2);
    s["controlPlane"]["count"] = std::vector<int>{1, 3, 5}[Int(0, 2)];
    int pools = Int(1, 4);
    s["workerPools"] = json::array();
    for (int p = 0; p < pools; ++p) {
      json pool = Group(location, region, 1);
      pool["name"] = "p" + std::to_string(p) + Word(0, 6);
      int count = Int(0, 40);
      pool["count"] = count;
      if (Int(0, 3) == 0) pool["autoscale"] = {{"min", Int(0, count)}, {"max", count + Int(1, 40)}};
      if (Int(0, 1)) pool["labels"] = {{"tier", Word(1, 10)}, {"example.com/team", Word(1, 5)}};
      if (Int(0, 2) == 0) pool["taints"] = {"dedicated=" + Word(1, 8) + ":NoSchedule"};
      s["workerPools"].push_back(pool);
    }
    json doc = {{"apiVersion", "easel/v1"},
                {"kind", "AzureCluster"},
                {"metadata", {{"name", ClusterName()}}},
                {"spec", s}};
    if (Int(0, 1)) doc["metadata"]["tags"] = {{"team", Word(1, 10)}, {"cost-center", "4711"}};
    // The image cache, which a custom account or a named container excludes.
    if (!s.contains("storage")) {
      if (Int(0, 3) == 0) doc["spec"]["image"]["cache"] = true;
    }
    return doc;
  }

 private:
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Int(0, static_cast<int>(v.size()) - 1))];
  }
  std::string Word(int min, int max) {
    std::string w;
    int n = Int(min, max);
    for (int i = 0; i < n; ++i) w += "abcdefghijklmnopqrstuvwxyz0123456789"[Int(0, 35)];
    return w;
  }
  std::string ClusterName() {
    std::string n(1, static_cast<char>('a' + Int(0, 25)));
    n += Word(0, 30);
    if (Int(0, 1)) n += "-" + Word(1, 7);
    return n;
  }
  std::string Guid() {
    std::string g;
    for (int len : {8, 4, 4, 4, 12}) {
      if (!g.empty()) g += '-';
      for (int i = 0; i < len; ++i) g += "0123456789abcdef"[Int(0, 15)];
    }
    return g;
  }
  // A VM size offered in the region, a non-empty subset of the zones offering it, and a disk.
  json Group(const std::string& location, const spec::Region& region, int min_vcpus) {
    std::vector<std::string> sizes;
    for (const std::string& size : catalog_.VmSizeNames()) {
      if (catalog_.OfferedInRegion(size, location) &&
          catalog_.FindVmSize(size)->vcpus >= min_vcpus) {
        sizes.push_back(size);
      }
    }
    std::string size = Pick(sizes);
    json g = {{"vmSize", size}};
    std::vector<std::string> zones = catalog_.ZonesOffering(size, location);
    std::shuffle(zones.begin(), zones.end(), rng_);
    zones.resize(zones.empty() ? 0 : static_cast<size_t>(Int(1, static_cast<int>(zones.size()))));
    if (!region.zones.empty() || Int(0, 1)) g["zones"] = zones;
    bool premium = catalog_.FindVmSize(size)->premium_storage;
    std::vector<std::string> disks = {"Standard_LRS", "StandardSSD_LRS", "StandardSSD_ZRS"};
    if (premium) disks.insert(disks.end(), {"Premium_LRS", "Premium_ZRS"});
    g["osDisk"] = {{"type", Pick(disks)}, {"sizeGB", Int(30, 2048)}};
    return g;
  }

  std::mt19937_64 rng_;
  const spec::Catalog& catalog_;
};

bool ContainsKey(const json& j, const std::string& key) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (k == key || ContainsKey(v, key)) return true;
    }
  } else if (j.is_array()) {
    for (const auto& v : j) {
      if (ContainsKey(v, key)) return true;
    }
  }
  return false;
}

AzureNameKind KindOfType(const std::string& t) {
  if (t == plan::type::kResourceGroup) return AzureNameKind::kResourceGroup;
  if (t == plan::type::kVirtualNetwork) return AzureNameKind::kVirtualNetwork;
  if (t == plan::type::kVirtualMachine) return AzureNameKind::kVirtualMachine;
  if (t == plan::type::kImage) return AzureNameKind::kImage;
  if (t == plan::type::kStorageAccount) return AzureNameKind::kStorageAccount;
  if (t == plan::type::kBlobContainer) return AzureNameKind::kBlobContainer;
  if (t == plan::type::kPrivateDnsZone) return AzureNameKind::kPrivateDnsZone;
  return AzureNameKind::kNetworkChild;
}

void CheckPlan(const spec::ClusterSpec& s, const plan::Plan& p) {
  std::map<std::string, const plan::ResourceNode*> by_id;
  std::set<std::string> step_ids;
  for (const auto& step : p.steps) step_ids.insert(step.id);
  for (const auto& r : p.resources) {
    ASSERT_TRUE(by_id.emplace(r.id, &r).second) << "duplicate id " << r.id;
  }
  // Dependencies exist; the graph is acyclic (Kahn's algorithm over resources and steps).
  std::map<std::string, std::vector<std::string>> deps;
  for (const auto& r : p.resources) deps[r.id] = r.depends_on;
  for (const auto& step : p.steps) {
    // A release's container (its first dependency, where the engine finds the account) may be
    // one the plan no longer holds; the engine ignores such dependencies.
    if (step.kind != "imageRelease") deps[step.id] = step.depends_on;
    if (step.kind == "imageRelease") deps[step.id] = {};
  }
  std::map<std::string, int> unmet;
  std::map<std::string, std::vector<std::string>> dependents;
  for (const auto& [id, ds] : deps) {
    unmet[id] = static_cast<int>(ds.size());
    for (const std::string& d : ds) {
      ASSERT_TRUE(deps.count(d)) << id << " depends on missing " << d;
      dependents[d].push_back(id);
    }
  }
  std::vector<std::string> ready;
  for (const auto& [id, n] : unmet)
    if (n == 0) ready.push_back(id);
  size_t done = 0;
  while (!ready.empty()) {
    std::string id = ready.back();
    ready.pop_back();
    ++done;
    for (const std::string& d : dependents[id])
      if (--unmet[d] == 0) ready.push_back(d);
  }
  ASSERT_EQ(done, deps.size()) << "the dependency graph has a cycle";

  std::map<std::string, std::map<std::string, int>> zone_counts;  // group -> zone -> VMs
  size_t nics = 0, vms = 0;
  const std::string owner_tag = spec::OwnershipTagKey(s);
  for (const auto& r : p.resources) {
    if (r.action == plan::Action::kRead) {
      EXPECT_TRUE(r.body.is_null());
      EXPECT_EQ(r.ownership, plan::Ownership::kExisting);
      continue;
    }
    EXPECT_EQ(AzureNameProblem(KindOfType(r.type), r.name), "") << r.type << " " << r.name;
    if (r.ownership == plan::Ownership::kShared) {
      // The image cache's: marked as the cache's, never as this cluster's.
      EXPECT_TRUE(s.image.cache) << r.id;
      const json& mark =
          r.body.contains("tags") ? r.body["tags"] : r.body["properties"]["metadata"];
      EXPECT_TRUE(mark.contains(spec::kImageCacheTag)) << r.id;
      EXPECT_FALSE(mark.contains(owner_tag)) << r.id;
    } else if (r.body.contains("tags")) {
      EXPECT_EQ(r.body["tags"].value(owner_tag, ""), "owned") << r.id;
    } else if (r.type == plan::type::kBlobContainer || r.type == plan::type::kPrivateDnsARecord) {
      EXPECT_EQ(r.body["properties"]["metadata"].value(owner_tag, ""), "owned") << r.id;
    } else {
      EXPECT_EQ(r.type, plan::type::kSubnet) << r.id << " carries no ownership mark";
    }
    if (r.type == plan::type::kNetworkInterface || r.type == plan::type::kVirtualMachine) {
      EXPECT_FALSE(ContainsKey(r.body, "publicIPAddress")) << r.id;
      EXPECT_FALSE(ContainsKey(r.body, "publicIPAddressConfiguration")) << r.id;
    }
    if (r.type == plan::type::kNetworkInterface) ++nics;
    if (r.type == plan::type::kVirtualMachine) {
      ++vms;
      const json& props = r.body["properties"];
      EXPECT_EQ(AzureNameProblem(AzureNameKind::kDisk,
                                 props["storageProfile"]["osDisk"]["name"].get<std::string>()),
                "");
      EXPECT_EQ(AzureNameProblem(AzureNameKind::kLinuxComputerName,
                                 props["osProfile"]["computerName"].get<std::string>()),
                "");
      std::string group = r.name.substr(0, r.name.rfind('-'));
      std::string zone = r.body.contains("zones") ? r.body["zones"][0].get<std::string>() : "";
      zone_counts[group][zone]++;
    }
  }
  size_t nodes = static_cast<size_t>(s.control_plane.count);
  for (const auto& pool : s.worker_pools) nodes += static_cast<size_t>(pool.count);
  EXPECT_EQ(nics, nodes);
  EXPECT_EQ(vms, nodes);
  // With the image cache, no storage of the cluster's own, and every VM waits for the cluster's
  // reference to the shared image it boots from.
  if (s.image.cache) {
    std::string reference;
    for (const auto& step : p.steps) {
      if (step.kind == "imageReference") reference = step.id;
    }
    ASSERT_FALSE(reference.empty());
    for (const auto& r : p.resources) {
      if (r.type == plan::type::kStorageAccount || r.type == plan::type::kImage) {
        EXPECT_EQ(r.ownership, plan::Ownership::kShared) << r.id;
      }
      if (r.type == plan::type::kVirtualMachine) {
        EXPECT_NE(std::find(r.depends_on.begin(), r.depends_on.end(), reference),
                  r.depends_on.end())
            << r.id;
      }
    }
  }
  // Zone balance: within each group, over all of its zones, counts differ by at most one.
  auto check_balance = [&](const std::string& group, const std::vector<std::string>& zones,
                           int count) {
    if (count == 0) return;
    if (zones.empty()) {
      EXPECT_EQ(zone_counts[group][""], count) << group;
      return;
    }
    int lo = count, hi = 0;
    for (const std::string& z : zones) {
      int n = zone_counts[group].count(z) ? zone_counts[group][z] : 0;
      lo = std::min(lo, n);
      hi = std::max(hi, n);
    }
    EXPECT_LE(hi - lo, 1) << group;
  };
  check_balance(s.name + "-cp", s.control_plane.zones, s.control_plane.count);
  for (const auto& pool : s.worker_pools) {
    check_balance(s.name + "-" + pool.name, pool.zones, pool.count);
  }
}

TEST(PlanProperties, HoldOverManyRandomValidSpecs) {
  SpecGenerator generator(20261124);
  for (int i = 0; i < kSpecs; ++i) {
    json doc = generator.Next();
    SCOPED_TRACE("spec #" + std::to_string(i) + ": " + doc.dump());
    spec::Diagnostics diagnostics;
    spec::ParseOptions options;
    spec::ClusterSpec s = spec::ParseClusterSpec(doc.dump(), options, &diagnostics);
    spec::ValidateClusterSpec(s, spec::EmbeddedCatalog(), &diagnostics);
    ASSERT_TRUE(diagnostics.empty()) << diagnostics.Lines()[0];
    plan::Plan p = plan::BuildPlan(s);
    ASSERT_EQ(plan::RenderPlanJson(p), plan::RenderPlanJson(plan::BuildPlan(s)))
        << "the plan is not deterministic";
    CheckPlan(s, p);
    if (HasFatalFailure()) return;
  }
}

// A cluster that stops using a shared image (the cache turned off, or another source) releases
// its reference: CarryReleases adds an imageRelease step for it, and keeps it on until the plan
// that carries it is stored without (WithoutReleases). A reference kept under another image id
// (the same ledger and key: a cache found in another group) is no release.
TEST(PlanProperties, CarryReleasesGivesUpOnlyReferencesNoLongerHeld) {
  SpecGenerator generator(99);
  json doc = generator.Next();
  doc["spec"].erase("storage");
  doc["spec"]["image"]["cache"] = true;
  spec::Diagnostics d;
  spec::ClusterSpec cached = spec::ParseClusterSpec(doc.dump(), {}, &d);
  ASSERT_TRUE(d.empty());
  doc["spec"]["image"]["cache"] = false;
  spec::ClusterSpec own = spec::ParseClusterSpec(doc.dump(), {}, &d);
  plan::PlanOptions options;
  options.image_cache = {"0123456789abcdef", "easelimgaaaaaaaaaaaaaaaa", "cache-rg"};
  const plan::Plan before = plan::BuildPlan(cached, options);

  plan::Plan after = plan::BuildPlan(own);
  plan::CarryReleases(before, &after);
  std::vector<const plan::DataPlaneStep*> releases;
  for (const auto& st : after.steps) {
    if (st.kind == "imageRelease") releases.push_back(&st);
  }
  ASSERT_EQ(releases.size(), 1u);
  EXPECT_NE(releases[0]->destination.find("0123456789abcdef.vhd"), std::string::npos);
  CheckPlan(own, after);  // still a valid graph
  // Carried on by the next plan too, until stored without.
  plan::Plan next = plan::BuildPlan(own);
  plan::CarryReleases(after, &next);
  EXPECT_EQ(std::count_if(next.steps.begin(), next.steps.end(),
                          [](const auto& st) { return st.kind == "imageRelease"; }),
            1);
  plan::Plan stored = plan::WithoutReleases(next);
  plan::Plan later = plan::BuildPlan(own);
  plan::CarryReleases(stored, &later);
  EXPECT_TRUE(std::none_of(later.steps.begin(), later.steps.end(),
                           [](const auto& st) { return st.kind == "imageRelease"; }));

  // The same ledger and key under another image id (the cache's group changed): no release.
  plan::PlanOptions moved = options;
  moved.image_cache.resource_group = "other-rg";
  plan::Plan same = plan::BuildPlan(cached, moved);
  plan::CarryReleases(before, &same);
  EXPECT_TRUE(std::none_of(same.steps.begin(), same.steps.end(),
                           [](const auto& st) { return st.kind == "imageRelease"; }));
}

TEST(PlanProperties, StorageAccountNamesAreStableAndDistinct) {
  SpecGenerator generator(7);
  std::set<std::string> names;
  for (int i = 0; i < 500; ++i) {
    json doc = generator.Next();
    doc["spec"].erase("storage");
    spec::Diagnostics d;
    spec::ClusterSpec s = spec::ParseClusterSpec(doc.dump(), {}, &d);
    std::string name = spec::StorageAccountName(s);
    EXPECT_EQ(name, spec::StorageAccountName(s));
    EXPECT_EQ(AzureNameProblem(AzureNameKind::kStorageAccount, name), "");
    EXPECT_TRUE(names.insert(name).second) << "collision: " << name;
  }
}

}  // namespace
}  // namespace easel
