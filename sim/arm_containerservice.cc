// Microsoft.ContainerService: managed clusters (inline agent pools kept as agentPools children),
// agent pools, and listClusterUserCredential/listClusterAdminCredential returning a kubeconfig.
#include <regex>

#include "common/strings.h"
#include "sim/arm.h"
#include "sim/util.h"

namespace azsim {

using nlohmann::json;

namespace {

const char kCluster[] = "Microsoft.ContainerService/managedClusters";
const char kPool[] = "Microsoft.ContainerService/managedClusters/agentPools";

bool PoolName(const std::string& n) {
  static const std::regex re("^[a-z][a-z0-9]{0,11}$");
  return std::regex_match(n, re);
}

bool ClusterName(const std::string& n) {
  static const std::regex re("^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$");
  return std::regex_match(n, re);
}

// Pool properties as an agentPools child stores them (flat profile without name).
ArmError CheckPool(Arm& arm, const json& p, const std::string& name) {
  if (!PoolName(name))
    return Err(400, "InvalidParameter",
               "Agent pool name '" + name + "' is invalid: it must match ^[a-z][a-z0-9]{0,11}$.");
  if (p.contains("count") && (!p["count"].is_number_integer() || p["count"].get<int64_t>() < 0 ||
                              p["count"].get<int64_t>() > 1000))
    return Err(400, "InvalidParameter", "Agent pool '" + name + "' has an invalid count.");
  if (p.value("enableAutoScaling", false)) {
    if (!p.contains("minCount") || !p.contains("maxCount") || !p["minCount"].is_number() ||
        !p["maxCount"].is_number() || p["minCount"].get<int64_t>() > p["maxCount"].get<int64_t>())
      return Err(400, "InvalidParameter",
                 "Agent pool '" + name + "' with autoscaling needs minCount <= maxCount.");
  }
  std::string subnet = p.value("vnetSubnetID", "");
  if (!subnet.empty() && !arm.Find(subnet))
    return Err(400, "InvalidParameter",
               "The subnet " + subnet + " referenced by agent pool '" + name + "' was not found.");
  return {};
}

void FillPool(json& p) {
  if (!p.contains("count")) p["count"] = 3;
  if (!p.contains("vmSize")) p["vmSize"] = "Standard_DS2_v2";
  if (!p.contains("osType")) p["osType"] = "Linux";
  if (!p.contains("mode")) p["mode"] = "User";
  if (!p.contains("type")) p["type"] = "VirtualMachineScaleSets";
  if (!p.contains("maxPods")) p["maxPods"] = 110;
  p["powerState"] = {{"code", "Running"}};
}

ArmError ValidateCluster(PutContext& ctx) {
  json& props = ctx.body["properties"];
  if (!props.contains("agentPoolProfiles") || !props["agentPoolProfiles"].is_array() ||
      props["agentPoolProfiles"].empty()) {
    if (!ctx.existing)
      return Err(
          400, "InvalidParameter",
          "A managed cluster needs at least one agent pool in properties.agentPoolProfiles.");
  }
  bool system = false;
  std::vector<std::string> keep;
  if (props.contains("agentPoolProfiles")) {
    for (auto& pool : props["agentPoolProfiles"]) {
      std::string name = pool.value("name", "");
      ArmError e = CheckPool(ctx.arm, pool, name);
      if (!e.ok()) return e;
      FillPool(pool);
      if (IEquals(pool.value("mode", ""), "System")) system = true;
      json child = pool;
      child.erase("name");
      std::string pid = ctx.id + "/agentPools/" + name;
      if (const Resource* existing = ctx.arm.Find(pid)) pid = existing->id;
      ctx.extra_puts.push_back(ctx.arm.MakeChild(pid, kPool, json{{"properties", child}}));
      keep.push_back(easel::ToLower(pid));
    }
    if (!system)
      return Err(400, "InvalidParameter",
                 "A managed cluster needs at least one agent pool with mode 'System'.");
    if (ctx.existing)
      for (const Resource* c : ctx.arm.Children(ctx.id, kPool))
        if (std::find(keep.begin(), keep.end(), easel::ToLower(c->id)) == keep.end())
          ctx.extra_deletes.push_back(c->id);
    props.erase("agentPoolProfiles");
  }
  const json* old = ctx.existing ? &(*ctx.existing)["properties"] : nullptr;
  if (old && props.contains("dnsPrefix") &&
      !IEquals(old->value("dnsPrefix", ""), props.value("dnsPrefix", "")))
    return Err(400, "PropertyChangeNotAllowed", "Changing property 'dnsPrefix' is not allowed.");
  if (!props.contains("dnsPrefix"))
    props["dnsPrefix"] = old ? old->value("dnsPrefix", ctx.name) : ctx.name + "-dns";
  if (!props.contains("kubernetesVersion")) props["kubernetesVersion"] = "1.31.2";
  props["currentKubernetesVersion"] = props["kubernetesVersion"];
  std::string host = props["dnsPrefix"].get<std::string>() + "-" + HexEncode(RandomBytes(4)) +
                     ".hcp." + ctx.body.value("location", "eastus") + ".azmk8s.io";
  bool priv = props.contains("apiServerAccessProfile") &&
              props["apiServerAccessProfile"].value("enablePrivateCluster", false);
  if (old && old->contains("fqdn")) host = old->value("fqdn", host);
  if (old && old->contains("privateFQDN")) host = old->value("privateFQDN", host);
  if (priv) {
    props["privateFQDN"] = host;
    props.erase("fqdn");
  } else {
    props["fqdn"] = host;
  }
  props["azurePortalFQDN"] = host;
  if (!props.contains("nodeResourceGroup"))
    props["nodeResourceGroup"] =
        "MC_" + ctx.rg + "_" + ctx.name + "_" + ctx.body.value("location", "eastus");
  if (!props.contains("networkProfile")) props["networkProfile"] = json::object();
  json& np = props["networkProfile"];
  if (!np.contains("networkPlugin")) np["networkPlugin"] = "kubenet";
  if (!np.contains("serviceCidr")) np["serviceCidr"] = "10.0.0.0/16";
  if (!np.contains("dnsServiceIP")) np["dnsServiceIP"] = "10.0.0.10";
  if (!np.contains("loadBalancerSku")) np["loadBalancerSku"] = "standard";
  if (!np.contains("outboundType")) np["outboundType"] = "loadBalancer";
  if (ctx.body.contains("identity") && ctx.body["identity"].is_object() &&
      IEquals(ctx.body["identity"].value("type", ""), "SystemAssigned")) {
    const json* oid =
        ctx.existing && ctx.existing->contains("identity") ? &(*ctx.existing)["identity"] : nullptr;
    ctx.body["identity"]["principalId"] = oid ? oid->value("principalId", NewGuid()) : NewGuid();
    ctx.body["identity"]["tenantId"] = "72f988bf-0000-4000-8000-00000000a2e1";
  }
  props["powerState"] = {{"code", "Running"}};
  if (!props.contains("enableRBAC")) props["enableRBAC"] = true;
  return {};
}

ArmError ValidatePool(PutContext& ctx) {
  json& props = ctx.body["properties"];
  ArmError e = CheckPool(ctx.arm, props, ctx.name);
  if (!e.ok()) return e;
  FillPool(props);
  return {};
}

std::string Kubeconfig(const Arm& arm, const Resource& cluster, const std::string& user) {
  json j = json::parse(cluster.body, nullptr, false);
  std::string fqdn = j["properties"].value("fqdn", j["properties"].value("privateFQDN", "cluster"));
  std::string name = LastSegment(cluster.id);
  (void)arm;
  return "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: " +
         Base64Encode("azsim-ca") + "\n    server: https://" + fqdn + ":443\n  name: " + name +
         "\ncontexts:\n- context:\n    cluster: " + name + "\n    user: " + user + "_" + name +
         "\n  name: " + name + "\ncurrent-context: " + name + "\nusers:\n- name: " + user + "_" +
         name + "\n  user:\n    token: " + HexEncode(RandomBytes(32)) + "\n";
}

HttpResponse Credentials(ActionContext& ctx, const std::string& user) {
  json j = json::parse(ctx.resource.body, nullptr, false);
  std::string state = j["properties"].value("provisioningState", "");
  if (state == "Creating")
    return ArmErrorResponse(
        Err(400, "OperationNotAllowed",
            "The cluster is being created; credentials are not available yet."));
  return ArmJson(
      200,
      {{"kubeconfigs",
        {{{"name", user}, {"value", Base64Encode(Kubeconfig(ctx.arm, ctx.resource, user))}}}}});
}

}  // namespace

void RegisterContainerServiceTypes(TypeRegistry& r) {
  TypeSpec c;
  c.type = kCluster;
  c.strict = true;
  c.put_seconds = 300;
  c.delete_seconds = 240;
  c.valid_name = ClusterName;
  c.name_rule = "Managed cluster names must match ^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$.";
  c.validate = ValidateCluster;
  c.compose = [](Arm& arm, const Resource& res, json& j) {
    json pools = json::array();
    for (const Resource* p : arm.Children(res.id, kPool)) {
      json pj = json::parse(p->body, nullptr, false);
      if (!pj.is_object()) continue;
      json flat = pj["properties"];
      flat["name"] = LastSegment(p->id);
      pools.push_back(flat);
    }
    j["properties"]["agentPoolProfiles"] = pools;
  };
  c.actions["listclusterusercredential"] = [](ActionContext& ctx) {
    return Credentials(ctx, "clusterUser");
  };
  c.actions["listclusteradmincredential"] = [](ActionContext& ctx) {
    return Credentials(ctx, "clusterAdmin");
  };
  r.Add(c);

  TypeSpec p;
  p.type = kPool;
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
    if (!j.is_object() || !IEquals(j["properties"].value("mode", ""), "System")) return {};
    std::string cluster = pool.id.substr(
        0, pool.id.size() - LastSegment(pool.id).size() - std::string("/agentPools/").size());
    int systems = 0;
    for (const Resource* other : arm.Children(cluster, kPool))
      if (IContains(other->body, "\"mode\":\"System\"")) ++systems;
    if (systems <= 1)
      return Err(400, "OperationNotAllowed",
                 "The last System agent pool of a cluster cannot be deleted.");
    return {};
  };
  r.Add(p);
}

}  // namespace azsim
