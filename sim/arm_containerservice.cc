// Microsoft.ContainerService: managed clusters (inline agent pools kept as agentPools children)
// and agent pools, with the version, immutability and System-pool rules AKS enforces. The
// cluster's own checks are in aks_cluster.cc, credentials in aks_credentials.cc.
#include <regex>

#include "common/strings.h"
#include "sim/aks.h"
#include "sim/aks_versions.h"
#include "sim/util.h"

namespace azsim {

using nlohmann::json;

std::string JStr(const json& j, const char* key, const std::string& def) {
  if (!j.is_object()) return def;
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : def;
}

bool JBool(const json& j, const char* key, bool def) {
  if (!j.is_object()) return def;
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : def;
}

const json* JObj(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? &*it : nullptr;
}

std::string SimTenant(const Arm& arm) {
  return arm.settings().tenant_id.empty() ? std::string("72f988bf-0000-4000-8000-00000000a2e1")
                                          : arm.settings().tenant_id;
}

Resource PlainResource(const std::string& id, const std::string& type, json body,
                       const std::string& location) {
  Resource r;
  r.id = id;
  r.type = type;
  r.created = r.changed = NowSeconds();
  r.location = location;
  body["id"] = id;
  body["name"] = LastSegment(id);
  body["type"] = type;
  r.body = body.dump();
  return r;
}

void StripClusterSecrets(json& doc) {
  if (!doc.is_object() || !doc.contains("properties") || !doc["properties"].is_object()) return;
  json& p = doc["properties"];
  if (p.contains("servicePrincipalProfile") && p["servicePrincipalProfile"].is_object())
    p["servicePrincipalProfile"].erase("secret");
  if (p.contains("windowsProfile") && p["windowsProfile"].is_object())
    p["windowsProfile"].erase("adminPassword");
}

namespace {

bool PoolName(const std::string& n) {
  static const std::regex re("^[a-z][a-z0-9]{0,11}$");
  return std::regex_match(n, re);
}

bool ClusterName(const std::string& n) {
  static const std::regex re("^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$");
  return std::regex_match(n, re);
}

// Fields of a pool AKS cannot change after creation.
const char* const kPoolImmutable[] = {
    "vmSize",      "osType",         "osDiskType",        "osDiskSizeGB",
    "maxPods",     "osSKU",          "availabilityZones", "vnetSubnetID",
    "podSubnetID", "kubeletDiskType"};
// Computed fields, never inherited from the stored pool.
const char* const kPoolComputed[] = {"provisioningState", "powerState", "eTag",
                                     "currentOrchestratorVersion", "nodeImageVersion"};

bool Empty(const json& a) {
  return a.is_null() || (a.is_array() && a.empty()) ||
         (a.is_string() && a.get<std::string>().empty());
}

bool SameValue(const json& a, const json& b) {
  if (Empty(a) && Empty(b)) return true;
  if (a.is_string() && b.is_string()) return IEquals(a.get<std::string>(), b.get<std::string>());
  return a == b;
}

std::string NodeImage(const json& p) {
  std::string sku = JStr(p, "osSKU", "Ubuntu");
  if (IEquals(JStr(p, "osType", "Linux"), "Windows"))
    return "AKSWindows-2022-containerd-20348.3091.261110";
  if (IContains(sku, "AzureLinux")) return "AKSAzureLinux-V3gen2-202611.10.0";
  return "AKSUbuntu-2204gen2containerd-202611.10.0";
}

ArmError CheckPoolShape(Arm& arm, const json& p, const std::string& name) {
  if (!PoolName(name))
    return Err(400, "InvalidParameter",
               "Agent pool name '" + name + "' is invalid: it must match ^[a-z][a-z0-9]{0,11}$.");
  if (p.contains("count") && (!p["count"].is_number_integer() || p["count"].get<int64_t>() < 0 ||
                              p["count"].get<int64_t>() > 1000))
    return Err(400, "InvalidParameter", "Agent pool '" + name + "' has an invalid count.");
  if (p.contains("maxPods") &&
      (!p["maxPods"].is_number_integer() || p["maxPods"].get<int64_t>() < 10 ||
       p["maxPods"].get<int64_t>() > 250))
    return Err(400, "InvalidParameter",
               "Agent pool '" + name + "': maxPods must be between 10 and 250.");
  if (p.contains("osDiskSizeGB") &&
      (!p["osDiskSizeGB"].is_number_integer() || p["osDiskSizeGB"].get<int64_t>() < 0 ||
       p["osDiskSizeGB"].get<int64_t>() > 2048))
    return Err(400, "InvalidParameter",
               "Agent pool '" + name + "': osDiskSizeGB must be between 0 and 2048.");
  if (JBool(p, "enableAutoScaling")) {
    if (!p.contains("minCount") || !p.contains("maxCount") || !p["minCount"].is_number_integer() ||
        !p["maxCount"].is_number_integer() || p["minCount"].get<int64_t>() < 0 ||
        p["maxCount"].get<int64_t>() > 1000 ||
        p["minCount"].get<int64_t>() > p["maxCount"].get<int64_t>())
      return Err(
          400, "InvalidParameter",
          "Agent pool '" + name + "' with autoscaling needs 0 <= minCount <= maxCount <= 1000.");
  }
  if (p.contains("orchestratorVersion") && !p["orchestratorVersion"].is_string())
    return Err(400, "InvalidParameter",
               "Agent pool '" + name + "': orchestratorVersion must be a string.");
  if (p.contains("mode") && !p["mode"].is_string())
    return Err(400, "InvalidParameter", "Agent pool '" + name + "': mode must be a string.");
  if (IEquals(JStr(p, "mode"), "System")) {
    if (IEquals(JStr(p, "osType", "Linux"), "Windows"))
      return Err(400, "InvalidParameter",
                 "Agent pool '" + name + "': System pools must run Linux.");
    if (IEquals(JStr(p, "scaleSetPriority"), "Spot"))
      return Err(400, "InvalidParameter",
                 "Agent pool '" + name + "': System pools cannot use Spot virtual machines.");
  }
  std::string subnet = JStr(p, "vnetSubnetID");
  if (!subnet.empty() && !arm.Find(subnet))
    return Err(400, "InvalidParameter",
               "The subnet " + subnet + " referenced by agent pool '" + name + "' was not found.");
  return {};
}

}  // namespace

ArmError PrepareAgentPool(Arm& arm, json& p, const std::string& name, const json* old,
                          const K8sVersion& cp) {
  if (!p.is_object())
    return Err(400, "InvalidParameter", "Agent pool '" + name + "' must be an object.");
  ArmError e = CheckPoolShape(arm, p, name);
  if (!e.ok()) return e;
  if (old && old->is_object()) {
    for (auto it = old->begin(); it != old->end(); ++it) {
      bool computed = false;
      for (const char* c : kPoolComputed) computed |= it.key() == c;
      if (!computed && !p.contains(it.key())) p[it.key()] = it.value();
    }
    for (const char* f : kPoolImmutable)
      if (p.contains(f) && !SameValue(old->contains(f) ? (*old)[f] : json(), p[f]))
        return Err(400, "PropertyChangeNotAllowed",
                   "Changing property '" + std::string(f) + "' of agent pool '" + name +
                       "' is not allowed.");
  }
  if (!p.contains("count")) p["count"] = 3;
  if (!p.contains("vmSize")) p["vmSize"] = "Standard_DS2_v2";
  if (!p.contains("osType")) p["osType"] = "Linux";
  if (!p.contains("osSKU"))
    p["osSKU"] = IEquals(JStr(p, "osType"), "Windows") ? "Windows2022" : "Ubuntu";
  if (!p.contains("osDiskSizeGB")) p["osDiskSizeGB"] = 128;
  if (!p.contains("osDiskType")) p["osDiskType"] = "Managed";
  if (!p.contains("kubeletDiskType")) p["kubeletDiskType"] = "OS";
  if (!p.contains("mode")) p["mode"] = "User";
  if (!p.contains("type")) p["type"] = "VirtualMachineScaleSets";
  if (!p.contains("maxPods")) p["maxPods"] = 110;
  if (!p.contains("enableFIPS")) p["enableFIPS"] = false;
  if (!p.contains("upgradeSettings") || !p["upgradeSettings"].is_object())
    p["upgradeSettings"] = json::object();
  if (!p["upgradeSettings"].contains("maxSurge")) p["upgradeSettings"]["maxSurge"] = "10%";
  if (!p["upgradeSettings"].contains("maxUnavailable"))
    p["upgradeSettings"]["maxUnavailable"] = "0";
  if (JBool(p, "enableAutoScaling") && p["count"].is_number_integer()) {
    // The autoscaler keeps the count within its bounds.
    int64_t c = p["count"].get<int64_t>();
    int64_t lo = p["minCount"].get<int64_t>(), hi = p["maxCount"].get<int64_t>();
    if (c < lo || c > hi)
      return Err(400, "InvalidParameter",
                 "Agent pool '" + name + "': count must be between minCount and maxCount.");
  }
  // Version: as requested (or the control plane's), resolved to a supported patch.
  // An empty version is no version (Microsoft's examples send ""): the control plane's.
  if (p.contains("orchestratorVersion") && JStr(p, "orchestratorVersion").empty())
    p.erase("orchestratorVersion");
  std::string requested = JStr(p, "orchestratorVersion", cp.ToString());
  std::optional<K8sVersion> old_cur =
      old ? ParseK8sVersion(JStr(*old, "currentOrchestratorVersion")) : std::nullopt;
  std::optional<K8sVersion> want = ParseK8sVersion(requested);
  std::optional<K8sVersion> cur;
  if (want && want->alias() && old_cur && old_cur->minor == want->minor &&
      old_cur->major == want->major) {
    cur = old_cur;  // the same x.y once created never upgrades the patch
  } else {
    std::string code, message;
    cur = ResolveK8sVersion(requested, &code, &message);
    if (!cur) return Err(400, code, message);
  }
  if (old_cur && CompareK8s(*cur, *old_cur) < 0)
    return Err(400, "OperationNotAllowed",
               "Downgrading Kubernetes version " + old_cur->ToString() + " to " + cur->ToString() +
                   " of agent pool '" + name +
                   "' is not allowed. Please see https://aka.ms/aks-supported-k8s-ver for "
                   "version details.");
  if (CompareK8s(*cur, cp) > 0)
    return Err(400, "NodePoolMcVersionIncompatible",
               "Node pool version " + cur->ToString() + " and control plane version " +
                   cp.ToString() +
                   " are incompatible. The node pool version cannot be greater than the control "
                   "plane version. For more information, please check "
                   "https://aka.ms/version-skew-policy");
  if (cur->major != cp.major || cp.minor - cur->minor > 2)
    return Err(400, "NodePoolMcVersionIncompatible",
               "Node pool version " + cur->ToString() + " and control plane version " +
                   cp.ToString() + " are incompatible. Minor version of node pool version " +
                   std::to_string(cur->minor) +
                   " is more than 2 minor versions older than control plane version " +
                   std::to_string(cp.minor) +
                   ". For more information, please check https://aka.ms/version-skew-policy");
  p["orchestratorVersion"] = requested;
  p["currentOrchestratorVersion"] = cur->ToString();
  p["nodeImageVersion"] = NodeImage(p);
  p["eTag"] = NewGuid();
  p["powerState"] = {{"code", "Running"}};
  return {};
}

namespace {

std::string ClusterOfPool(const std::string& pool_id) {
  return pool_id.substr(
      0, pool_id.size() - LastSegment(pool_id).size() - std::string("/agentPools/").size());
}

int SystemPools(Arm& arm, const std::string& cluster_id, const std::string& except_id) {
  int n = 0;
  for (const Resource* other : arm.Children(cluster_id, kAgentPoolType)) {
    if (IEquals(other->id, except_id)) continue;
    json j = json::parse(other->body, nullptr, false);
    if (j.is_object() && IEquals(JStr(j.value("properties", json::object()), "mode"), "System"))
      ++n;
  }
  return n;
}

ArmError ValidatePool(PutContext& ctx) {
  json& props = ctx.body["properties"];
  auto cluster = ctx.arm.FindJson(ctx.parent_id);
  if (!cluster || !cluster->is_object())
    return Err(404, "ParentResourceNotFound", "The managed cluster was not found.");
  std::optional<K8sVersion> cp = ParseK8sVersion(
      JStr(cluster->value("properties", json::object()), "currentKubernetesVersion"));
  if (!cp) return Err(400, "InvalidParameter", "The managed cluster has no current version.");
  const json* old = ctx.existing ? JObj(*ctx.existing, "properties") : nullptr;
  ArmError e = PrepareAgentPool(ctx.arm, props, ctx.name, old, *cp);
  if (!e.ok()) return e;
  if (old && IEquals(JStr(*old, "mode"), "System") && !IEquals(JStr(props, "mode"), "System") &&
      SystemPools(ctx.arm, ctx.parent_id, ctx.id) == 0)
    return Err(400, "OperationNotAllowed",
               "Agent pool '" + ctx.name +
                   "' is the last System agent pool of the cluster: it cannot be changed to "
                   "mode User. A cluster needs at least one System agent pool.");
  return {};
}

}  // namespace

void RegisterContainerServiceTypes(TypeRegistry& r) {
  TypeSpec c;
  c.type = kManagedClusterType;
  c.strict = true;
  c.put_seconds = 300;  // the slowest creation of all types (the latency model's largest)
  c.delete_seconds = 240;
  c.valid_name = ClusterName;
  c.name_rule = "Managed cluster names must match ^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$.";
  c.validate = ValidateManagedCluster;
  c.compose = [](Arm& arm, const Resource& res, json& j) {
    json pools = json::array();
    for (const Resource* p : arm.Children(res.id, kAgentPoolType)) {
      json pj = json::parse(p->body, nullptr, false);
      if (!pj.is_object() || !pj["properties"].is_object()) continue;
      json flat = pj["properties"];
      flat["name"] = LastSegment(p->id);
      pools.push_back(flat);
    }
    if (!j["properties"].is_object()) j["properties"] = json::object();
    j["properties"]["agentPoolProfiles"] = pools;
    if (j.contains("etag")) j["eTag"] = j["etag"];
    StripClusterSecrets(j);
  };
  c.on_removed = RemoveClusterOwned;
  c.actions["listclusterusercredential"] = [](ActionContext& ctx) {
    return AksCredentials(ctx, false);
  };
  c.actions["listclusteradmincredential"] = [](ActionContext& ctx) {
    return AksCredentials(ctx, true);
  };
  r.Add(c);

  TypeSpec p;
  p.type = kAgentPoolType;
  p.location_required = false;
  p.listed_in_group = false;
  p.put_seconds = 180;
  p.delete_seconds = 120;
  p.valid_name = PoolName;
  p.name_error_code = "InvalidParameter";
  p.name_rule = "Agent pool names must match ^[a-z][a-z0-9]{0,11}$.";
  p.validate = ValidatePool;
  p.before_delete = [](Arm& arm, const Resource& pool) -> ArmError {
    json j = json::parse(pool.body, nullptr, false);
    if (!j.is_object() || !IEquals(JStr(j.value("properties", json::object()), "mode"), "System"))
      return {};
    if (SystemPools(arm, ClusterOfPool(pool.id), pool.id) == 0)
      return Err(400, "OperationNotAllowed",
                 "The last System agent pool of a cluster cannot be deleted.");
    return {};
  };
  r.Add(p);
}

}  // namespace azsim
