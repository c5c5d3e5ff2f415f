#include "plan/aks_changes.h"

#include <map>
#include <set>

#include "common/strings.h"
#include "plan/resource_types.h"
#include "spec/kubernetes_catalog.h"

namespace easel::plan {
namespace {

struct Field {
  const char* pointer;  // in the planned body
  const char* path;     // the spec field that sets it
};

// Fixed once the cluster exists (../shared/aks-reference.md; CAPZ's webhooks agree).
const Field kClusterFixed[] = {
    {"/location", "spec.location"},
    {"/properties/dnsPrefix", "metadata.name"},
    {"/properties/nodeResourceGroup", "metadata.name"},
    {"/properties/networkProfile/networkPlugin", "spec.network.plugin"},
    {"/properties/networkProfile/networkPluginMode", "spec.network.pluginMode"},
    {"/properties/networkProfile/podCidr", "spec.network.podCidr"},
    {"/properties/networkProfile/serviceCidr", "spec.network.serviceCidr"},
    {"/properties/networkProfile/dnsServiceIP", "spec.network.dnsServiceIP"},
    {"/properties/networkProfile/outboundType", "spec.network.outbound"},
    {"/properties/apiServerAccessProfile/enablePrivateCluster", "spec.network.apiServer.private"},
};
const Field kPoolFixed[] = {
    {"/properties/vmSize", "vmSize"},
    {"/properties/osDiskType", "osDisk.type"},
    {"/properties/osDiskSizeGB", "osDisk.sizeGB"},
    {"/properties/maxPods", "maxPods"},
    {"/properties/availabilityZones", "zones"},
    {"/properties/vnetSubnetID", "network.nodeSubnet"},
    {"/properties/osSKU", "osSKU"},
};

std::string Show(const nlohmann::ordered_json& j) { return j.is_null() ? "nothing" : j.dump(); }

nlohmann::ordered_json At(const nlohmann::ordered_json& body, const char* pointer) {
  nlohmann::ordered_json::json_pointer p(pointer);
  return body.contains(p) ? body[p] : nlohmann::ordered_json();
}

std::string Str(const nlohmann::ordered_json& j) {
  return j.is_string() ? j.get<std::string>() : "";
}

void CheckVersion(const std::string& from, const std::string& to, spec::Diagnostics* d) {
  if (from.empty() || to.empty()) return;
  const std::string a = spec::MinorOf(from), b = spec::MinorOf(to);
  const bool patches = from != a && to != b;  // both x.y.z: the patch counts too
  if (spec::CompareVersions(b, a) < 0 ||
      (a == b && patches && spec::CompareVersions(to, from) < 0)) {
    d->Add("spec.kubernetesVersion",
           "cannot go back from " + from + " to " + to + " (AKS never downgrades a cluster)");
    return;
  }
  size_t dot_a = a.find('.'), dot_b = b.find('.');
  int minor_a = std::atoi(a.c_str() + dot_a + 1), minor_b = std::atoi(b.c_str() + dot_b + 1);
  if (minor_b - minor_a > 1) {
    d->Add("spec.kubernetesVersion", "cannot skip from " + from + " to " + to +
                                         ": AKS upgrades one minor version at a time (" + a +
                                         " -> 1." + std::to_string(minor_a + 1) + " first)");
  }
}

bool SameFixedFields(const ResourceNode& a, const ResourceNode& b) {
  for (const Field& f : kPoolFixed) {
    if (At(a.body, f.pointer) != At(b.body, f.pointer)) return false;
  }
  return true;
}

std::string SpecPoolName(const ResourceNode& pool) {
  return Str(At(pool.body, "/properties/tags/easel_pool")).empty()
             ? pool.name
             : Str(At(pool.body, "/properties/tags/easel_pool"));
}

// The next name for a replacement of `spec_name`'s pool now called `current`.
std::string ReplacementName(const std::string& spec_name, const std::string& current,
                            const std::set<std::string>& taken) {
  const std::string base = spec_name.substr(0, 11);
  std::vector<std::string> cycle = {spec_name};
  for (char d = '2'; d <= '9'; ++d) cycle.push_back(base + d);
  size_t at = 0;
  for (size_t i = 0; i < cycle.size(); ++i) {
    if (cycle[i] == current) at = i;
  }
  for (size_t k = 1; k <= cycle.size(); ++k) {
    const std::string& candidate = cycle[(at + k) % cycle.size()];
    if (!taken.count(candidate)) return candidate;
  }
  return current;  // all nine taken: no replacement name; CheckAksChanges refuses the change
}

void Rename(Plan* plan, size_t index, const std::string& name) {
  ResourceNode& pool = plan->resources[index];
  const std::string old_id = pool.id;
  const std::string new_id = old_id.substr(0, old_id.rfind('/') + 1) + name;
  for (ResourceNode& r : plan->resources) {
    for (std::string& d : r.depends_on) {
      if (d == old_id) d = new_id;
    }
    if (r.type == type::kManagedCluster && r.body.contains("properties") &&
        r.body["properties"].contains("agentPoolProfiles")) {
      for (auto& profile : r.body["properties"]["agentPoolProfiles"]) {
        if (profile.value("name", "") == pool.name) profile["name"] = name;
      }
    }
  }
  pool.id = new_id;
  pool.name = name;
}

}  // namespace

void CarryPoolNames(const Plan& before, Plan* after) {
  std::map<std::string, const ResourceNode*> previous;  // spec pool name -> its pool before
  std::set<std::string> taken;
  for (const ResourceNode& r : before.resources) {
    if (r.type != type::kAgentPool) continue;
    previous[SpecPoolName(r)] = &r;
    taken.insert(r.name);
  }
  for (const ResourceNode& r : after->resources) {
    if (r.type == type::kAgentPool) taken.insert(r.name);
  }
  for (size_t i = 0; i < after->resources.size(); ++i) {
    const ResourceNode& pool = after->resources[i];
    if (pool.type != type::kAgentPool) continue;
    auto it = previous.find(SpecPoolName(pool));
    if (it == previous.end()) continue;
    const ResourceNode& was = *it->second;
    std::string name = SameFixedFields(was, pool)
                           ? was.name
                           : ReplacementName(SpecPoolName(pool), was.name, taken);
    if (name == pool.name) continue;
    taken.insert(name);
    Rename(after, i, name);
  }
}

void CheckAksChanges(const Plan& before, const Plan& after, spec::Diagnostics* d) {
  std::map<std::string, const ResourceNode*> old;  // lowercase id -> node
  for (const ResourceNode& r : before.resources) old[ToLower(r.id)] = &r;
  size_t pool_index = 0;
  for (const ResourceNode& r : after.resources) {
    auto it = old.find(ToLower(r.id));
    const bool is_pool = r.type == type::kAgentPool;
    const size_t index = is_pool ? pool_index++ : 0;
    if (it == old.end()) continue;
    const ResourceNode& was = *it->second;
    if (r.type == type::kManagedCluster) {
      CheckVersion(Str(At(was.body, "/properties/kubernetesVersion")),
                   Str(At(r.body, "/properties/kubernetesVersion")), d);
      for (const Field& f : kClusterFixed) {
        auto a = At(was.body, f.pointer), b = At(r.body, f.pointer);
        if (a != b) {
          d->Add(f.path, std::string("cannot change on an existing AKS cluster (") + Show(a) +
                             " -> " + Show(b) + "); Azure fixes it at creation");
        }
      }
      if (At(was.body, "/properties/aadProfile/managed") == true &&
          At(r.body, "/properties/aadProfile/managed") != true) {
        d->Add("spec.entra.enabled", "cannot be turned off once on (AKS keeps Entra ID)");
      }
    } else if (is_pool) {
      const std::string base = "spec.pools[" + std::to_string(index) + "].";
      for (const Field& f : kPoolFixed) {
        auto a = At(was.body, f.pointer), b = At(r.body, f.pointer);
        if (a != b) {
          d->Add(base + f.path, std::string("cannot change on an existing node pool (") + Show(a) +
                                    " -> " + Show(b) +
                                    "); give the pool a new name: easel creates the new pool, "
                                    "then deletes the old one");
        }
      }
    }
  }
}

}  // namespace easel::plan
