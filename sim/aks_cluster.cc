// The managed cluster's checks and computed state: Kubernetes version and upgrade rules, fields
// AKS cannot change or turn off, network defaults, identities (cluster, kubelet, add-ons) and the
// node resource group the cluster owns (created with it, deleted with it).
#include <algorithm>
#include <vector>

#include "common/net.h"
#include "common/strings.h"
#include "sim/aks.h"
#include "sim/aks_versions.h"
#include "sim/util.h"

namespace azsim {

using nlohmann::json;

namespace {

const char kRgType[] = "Microsoft.Resources/resourceGroups";
const char kIdentityType[] = "Microsoft.ManagedIdentity/userAssignedIdentities";
const char kPipType[] = "Microsoft.Network/publicIPAddresses";
const char kAciService[] = "Microsoft.ContainerInstance/containerGroups";

ArmError ChangeNotAllowed(const std::string& prop) {
  return Err(400, "PropertyChangeNotAllowed", "Changing property '" + prop + "' is not allowed.");
}

std::string RgIdOf(const std::string& sub, const std::string& rg) {
  return "/subscriptions/" + sub + "/resourceGroups/" + rg;
}

// {resourceId, clientId, objectId} of a user-assigned identity the cluster owns in its node
// resource group, created when absent.
json OwnedIdentity(PutContext& ctx, const std::string& node_rg_id, const std::string& name,
                   const std::string& location) {
  std::string id = node_rg_id + "/providers/" + kIdentityType + "/" + name;
  for (const Resource& r : ctx.extra_puts)
    if (IEquals(r.id, id)) {
      json j = json::parse(r.body, nullptr, false);
      return {{"resourceId", id},
              {"clientId", JStr(j["properties"], "clientId")},
              {"objectId", JStr(j["properties"], "principalId")}};
    }
  if (auto j = ctx.arm.FindJson(id)) {
    const json& p = (*j)["properties"];
    return {{"resourceId", id},
            {"clientId", JStr(p, "clientId")},
            {"objectId", JStr(p, "principalId")}};
  }
  std::string client = NewGuid(), object = NewGuid();
  json body = {{"location", location},
               {"properties",
                {{"tenantId", SimTenant(ctx.arm)}, {"principalId", object}, {"clientId", client}}}};
  ctx.extra_puts.push_back(PlainResource(id, kIdentityType, body, location));
  return {{"resourceId", id}, {"clientId", client}, {"objectId", object}};
}

ArmError CheckVersion(PutContext& ctx, json& props, const json* old, K8sVersion* cp) {
  if (props.contains("kubernetesVersion") && !props["kubernetesVersion"].is_string())
    return Err(400, "InvalidParameter", "kubernetesVersion must be a string.");
  // An empty version is no version (Microsoft's examples send ""): the default, or the old one.
  if (JStr(props, "kubernetesVersion").empty()) props.erase("kubernetesVersion");
  std::string requested =
      JStr(props, "kubernetesVersion",
           old ? JStr(*old, "kubernetesVersion", DefaultK8sVersion()) : DefaultK8sVersion());
  std::optional<K8sVersion> old_cur =
      old ? ParseK8sVersion(JStr(*old, "currentKubernetesVersion")) : std::nullopt;
  std::optional<K8sVersion> want = ParseK8sVersion(requested);
  std::optional<K8sVersion> cur;
  if (want && want->alias() && old_cur && old_cur->major == want->major &&
      old_cur->minor == want->minor) {
    cur = old_cur;
  } else {
    std::string code, message;
    cur = ResolveK8sVersion(requested, &code, &message);
    if (!cur) return Err(400, code, message);
  }
  if (old_cur) {
    std::string upgrades = easel::Join(AvailableUpgrades(*old_cur), " ");
    if (CompareK8s(*cur, *old_cur) < 0)
      return Err(400, "OperationNotAllowed",
                 "Downgrading Kubernetes version " + old_cur->ToString() + " to " +
                     cur->ToString() + " is not allowed. Available upgrades: [" + upgrades +
                     "]. Please see https://aka.ms/aks-supported-k8s-ver for version details.");
    if (cur->major != old_cur->major || cur->minor > old_cur->minor + 1)
      return Err(400, "OperationNotAllowed",
                 "Upgrading Kubernetes version " + old_cur->ToString() + " to " + cur->ToString() +
                     " is not allowed. Available upgrades: [" + upgrades +
                     "]. Please see https://aka.ms/aks-supported-k8s-ver for version details.");
  }
  props["kubernetesVersion"] = requested;
  props["currentKubernetesVersion"] = cur->ToString();
  *cp = *cur;
  (void)ctx;
  return {};
}

// Network profile: defaults on creation, immutable fields afterwards.
ArmError CheckNetwork(PutContext& ctx, json& props, const json* old, const std::string& node_rg_id,
                      const std::string& location) {
  if (props.contains("networkProfile") && !props["networkProfile"].is_object())
    return Err(400, "InvalidParameter", "networkProfile must be an object.");
  if (!props.contains("networkProfile")) props["networkProfile"] = json::object();
  json& np = props["networkProfile"];
  const json* onp = old ? JObj(*old, "networkProfile") : nullptr;
  static const char* const kImmutable[] = {
      "networkPlugin", "networkPluginMode", "networkPolicy",   "outboundType",    "dnsServiceIP",
      "serviceCidr",   "podCidr",           "loadBalancerSku", "networkDataplane"};
  if (onp) {
    for (const char* f : kImmutable) {
      if (!np.contains(f)) {
        if (onp->contains(f)) np[f] = (*onp)[f];
        continue;
      }
      if (!onp->contains(f) || !(*onp)[f].is_string() || !np[f].is_string() ||
          !IEquals((*onp)[f].get<std::string>(), np[f].get<std::string>()))
        return ChangeNotAllowed("networkProfile." + std::string(f));
    }
  }
  for (const char* f : kImmutable)
    if (np.contains(f) && !np[f].is_string())
      return Err(400, "InvalidParameter",
                 "networkProfile." + std::string(f) + " must be a string.");
  if (!np.contains("networkPlugin")) {
    np["networkPlugin"] = "azure";
    if (!np.contains("networkPluginMode")) np["networkPluginMode"] = "overlay";
  }
  std::string plugin = easel::ToLower(JStr(np, "networkPlugin"));
  if (plugin != "azure" && plugin != "kubenet" && plugin != "none")
    return Err(400, "InvalidParameter",
               "networkProfile.networkPlugin must be azure, kubenet or none.");
  bool overlay = IEquals(JStr(np, "networkPluginMode"), "overlay");
  if (np.contains("networkPluginMode") && !overlay)
    return Err(400, "InvalidParameter", "networkProfile.networkPluginMode must be overlay.");
  if (overlay && plugin != "azure")
    return Err(400, "InvalidParameter",
               "networkPluginMode overlay is only supported with networkPlugin azure.");
  if (plugin == "azure" && !overlay && np.contains("podCidr"))
    return Err(400, "InvalidParameter",
               "podCidr can only be set with networkPlugin kubenet or the overlay mode of "
               "networkPlugin azure.");
  if (IEquals(JStr(np, "networkPolicy"), "azure") && plugin != "azure")
    return Err(400, "InvalidParameter", "networkPolicy azure needs networkPlugin azure.");
  if ((plugin == "kubenet" || overlay) && !np.contains("podCidr")) np["podCidr"] = "10.244.0.0/16";
  if (np.contains("serviceCidr") != np.contains("dnsServiceIP") && !onp)
    return Err(400, "InvalidParameter", "serviceCidr and dnsServiceIP must be given together.");
  if (!np.contains("serviceCidr")) np["serviceCidr"] = "10.0.0.0/16";
  if (!np.contains("dnsServiceIP")) np["dnsServiceIP"] = "10.0.0.10";
  auto svc = easel::ParseCidr(JStr(np, "serviceCidr"));
  auto dns = easel::ParseIpv4(JStr(np, "dnsServiceIP"));
  if (!svc.ok() || !dns.ok() || !svc->Contains(*dns))
    return Err(400, "InvalidParameter",
               "networkProfile.dnsServiceIP " + JStr(np, "dnsServiceIP") +
                   " must be a valid address inside serviceCidr " + JStr(np, "serviceCidr") + ".");
  if (np.contains("podCidr") && !easel::ParseCidr(JStr(np, "podCidr")).ok())
    return Err(400, "InvalidParameter", "networkProfile.podCidr is not a valid CIDR.");
  if (!np.contains("networkPolicy")) np["networkPolicy"] = "none";
  if (!np.contains("loadBalancerSku")) np["loadBalancerSku"] = "standard";
  if (!np.contains("outboundType")) np["outboundType"] = "loadBalancer";
  if (!np.contains("networkDataplane")) np["networkDataplane"] = "azure";
  np["ipFamilies"] = json::array({"IPv4"});
  np["serviceCidrs"] = json::array({JStr(np, "serviceCidr")});
  if (np.contains("podCidr"))
    np["podCidrs"] = json::array({JStr(np, "podCidr")});
  else
    np.erase("podCidrs");
  std::string outbound = JStr(np, "outboundType");
  // The managed outbound IPs (real public IPs in the node resource group, as many as
  // `managedOutboundIPs.count`), kept across updates; the customer's own `outboundIPs.publicIPs`
  // when given.
  auto outbound_ip = [&](const char* profile) {
    const json* op = onp ? JObj(*onp, profile) : nullptr;
    const json* mine = JObj(np, profile);
    if (mine && JObj(*mine, "outboundIPs") && (*mine)["outboundIPs"].contains("publicIPs") &&
        (*mine)["outboundIPs"]["publicIPs"].is_array() &&
        !(*mine)["outboundIPs"]["publicIPs"].empty()) {
      json effective = json::array();
      for (const json& ip : (*mine)["outboundIPs"]["publicIPs"])
        effective.push_back({{"id", JStr(ip, "id")}});
      np[profile]["effectiveOutboundIPs"] = effective;
      return;
    }
    int64_t count = 1;
    if (mine && JObj(*mine, "managedOutboundIPs") &&
        (*mine)["managedOutboundIPs"].contains("count") &&
        (*mine)["managedOutboundIPs"]["count"].is_number_integer())
      count = std::clamp<int64_t>((*mine)["managedOutboundIPs"]["count"].get<int64_t>(), 1, 100);
    std::vector<std::string> kept;
    if (op && op->contains("effectiveOutboundIPs") && (*op)["effectiveOutboundIPs"].is_array())
      for (const json& ip : (*op)["effectiveOutboundIPs"]) {
        std::string id = JStr(ip, "id");
        if (!id.empty() && easel::StartsWith(easel::ToLower(id), easel::ToLower(node_rg_id)) &&
            ctx.arm.Find(id) && static_cast<int64_t>(kept.size()) < count)
          kept.push_back(id);
      }
    json effective = json::array();
    for (const std::string& id : kept) effective.push_back({{"id", id}});
    while (static_cast<int64_t>(effective.size()) < count) {
      std::string pip_id = node_rg_id + "/providers/" + kPipType + "/" + NewGuid();
      pip_id = node_rg_id + "/providers/" + kPipType + "/" + NewGuid();
      unsigned char b[2];
      std::string rnd = RandomBytes(2);
      b[0] = static_cast<unsigned char>(rnd[0]);
      b[1] = static_cast<unsigned char>(rnd[1]);
      json body = {{"location", location},
                   {"tags", {{"aks-managed-type", "aks-slb-managed-outbound-ip"}}},
                   {"sku", {{"name", "Standard"}, {"tier", "Regional"}}},
                   {"properties",
                    {{"publicIPAllocationMethod", "Static"},
                     {"publicIPAddressVersion", "IPv4"},
                     {"idleTimeoutInMinutes", 4},
                     {"ipAddress", "20.62." + std::to_string(b[0]) + "." + std::to_string(b[1])},
                     {"provisioningState", "Succeeded"}}}};
      ctx.extra_puts.push_back(PlainResource(pip_id, kPipType, body, location));
      effective.push_back({{"id", pip_id}});
    }
    if (!np.contains(profile) || !np[profile].is_object()) np[profile] = json::object();
    np[profile]["effectiveOutboundIPs"] = effective;
  };
  if (IEquals(outbound, "loadBalancer")) {
    outbound_ip("loadBalancerProfile");
    json& lb = np["loadBalancerProfile"];
    if (!lb.contains("managedOutboundIPs") && !lb.contains("outboundIPs") &&
        !lb.contains("outboundIPPrefixes"))
      lb["managedOutboundIPs"] = {{"count", 1}};
    if (!lb.contains("backendPoolType")) lb["backendPoolType"] = "nodeIPConfiguration";
  } else if (IEquals(outbound, "managedNATGateway")) {
    outbound_ip("natGatewayProfile");
    json& ng = np["natGatewayProfile"];
    if (!ng.contains("managedOutboundIPProfile")) ng["managedOutboundIPProfile"] = {{"count", 1}};
    if (!ng.contains("idleTimeoutInMinutes")) ng["idleTimeoutInMinutes"] = 4;
  }
  return {};
}

// Entra ID, OIDC issuer, local accounts: the settings that cannot be turned off.
ArmError CheckSecurity(PutContext& ctx, json& props, const json* old, const std::string& location) {
  for (const char* f : {"aadProfile", "oidcIssuerProfile", "securityProfile"})
    if (props.contains(f) && !props[f].is_object())
      return Err(400, "InvalidParameter", std::string(f) + " must be an object.");
  bool old_aad = old && JObj(*old, "aadProfile") && JBool((*old)["aadProfile"], "managed");
  if (old_aad && !props.contains("aadProfile")) props["aadProfile"] = (*old)["aadProfile"];
  bool aad = JObj(props, "aadProfile") && JBool(props["aadProfile"], "managed");
  if (old_aad && !aad)
    return Err(400, "BadRequest",
               "Managed Azure AD integration cannot be disabled once it is enabled "
               "(aadProfile.managed).");
  if (aad) {
    json& a = props["aadProfile"];
    if (!a.contains("tenantID")) a["tenantID"] = SimTenant(ctx.arm);
    if (!a.contains("enableAzureRBAC")) a["enableAzureRBAC"] = false;
    if (!JBool(props, "enableRBAC", true))
      return Err(400, "BadRequest", "Managed Azure AD integration needs enableRBAC.");
  }
  if (props.contains("disableLocalAccounts") && !props["disableLocalAccounts"].is_boolean())
    return Err(400, "InvalidParameter", "disableLocalAccounts must be a boolean.");
  if (old && !props.contains("disableLocalAccounts") && old->contains("disableLocalAccounts"))
    props["disableLocalAccounts"] = (*old)["disableLocalAccounts"];
  if (JBool(props, "disableLocalAccounts") && !aad)
    return Err(400, "BadRequest",
               "Local accounts can only be disabled (disableLocalAccounts) on clusters with "
               "managed Azure AD integration (aadProfile.managed).");
  bool old_oidc =
      old && JObj(*old, "oidcIssuerProfile") && JBool((*old)["oidcIssuerProfile"], "enabled");
  if (old_oidc && !props.contains("oidcIssuerProfile"))
    props["oidcIssuerProfile"] = (*old)["oidcIssuerProfile"];
  bool oidc = JObj(props, "oidcIssuerProfile") && JBool(props["oidcIssuerProfile"], "enabled");
  if (old_oidc && !oidc)
    return Err(
        400, "BadRequest",
        "The OIDC issuer cannot be disabled once it is enabled (oidcIssuerProfile.enabled).");
  if (oidc) {
    std::string url = old_oidc ? JStr((*old)["oidcIssuerProfile"], "issuerURL") : "";
    if (url.empty())
      url = "https://" + location + ".oic.prod-aks.azure.com/" + SimTenant(ctx.arm) + "/" +
            NewGuid() + "/";
    props["oidcIssuerProfile"]["issuerURL"] = url;
  }
  const json* sp = JObj(props, "securityProfile");
  const json* wi = sp ? JObj(*sp, "workloadIdentity") : nullptr;
  if (wi && JBool(*wi, "enabled") && !oidc)
    return Err(400, "BadRequest",
               "Workload identity (securityProfile.workloadIdentity) needs the OIDC issuer "
               "(oidcIssuerProfile.enabled).");
  return {};
}

// Cluster identity and the kubelet identity.
ArmError CheckIdentity(PutContext& ctx, json& props, const std::string& node_rg_id,
                       const std::string& location) {
  json& body = ctx.body;
  if (body.contains("identity") && !body["identity"].is_object())
    return Err(400, "InvalidParameter", "identity must be an object.");
  const json* oid = ctx.existing ? JObj(*ctx.existing, "identity") : nullptr;
  std::string type = body.contains("identity") ? JStr(body["identity"], "type") : "";
  if (IEquals(type, "SystemAssigned")) {
    body["identity"]["principalId"] = oid ? JStr(*oid, "principalId", NewGuid()) : NewGuid();
    body["identity"]["tenantId"] = SimTenant(ctx.arm);
  } else if (IEquals(type, "UserAssigned")) {
    const json* uai = JObj(body["identity"], "userAssignedIdentities");
    if (!uai || uai->size() != 1)
      return Err(400, "InvalidParameter",
                 "A managed cluster with identity type UserAssigned needs exactly one entry in "
                 "identity.userAssignedIdentities.");
    json filled = json::object();
    for (auto it = uai->begin(); it != uai->end(); ++it) {
      auto idj = ctx.arm.FindJson(it.key());
      if (!idj || !IEquals(JStr(*idj, "type"), kIdentityType))
        return Err(400, "InvalidParameter",
                   "The user-assigned identity " + it.key() + " was not found.");
      filled[(*idj)["id"].get<std::string>()] = {
          {"principalId", JStr((*idj)["properties"], "principalId")},
          {"clientId", JStr((*idj)["properties"], "clientId")}};
    }
    body["identity"]["userAssignedIdentities"] = filled;
  } else if (!type.empty() && !IEquals(type, "None")) {
    return Err(400, "InvalidParameter",
               "identity.type must be SystemAssigned, UserAssigned or None.");
  }
  // Kubelet identity: given (an existing identity) or created in the node resource group.
  if (props.contains("identityProfile") && !props["identityProfile"].is_object())
    return Err(400, "InvalidParameter", "identityProfile must be an object.");
  const json* old_ip = ctx.existing && JObj(*ctx.existing, "properties")
                           ? JObj((*ctx.existing)["properties"], "identityProfile")
                           : nullptr;
  if (props.contains("identityProfile") && props["identityProfile"].contains("kubeletidentity") &&
      !props["identityProfile"]["kubeletidentity"].is_object())
    return Err(400, "InvalidParameter", "identityProfile.kubeletidentity must be an object.");
  const json* given = props.contains("identityProfile")
                          ? JObj(props["identityProfile"], "kubeletidentity")
                          : nullptr;
  std::string given_id = given ? JStr(*given, "resourceId") : "";
  const json* old_k = old_ip ? JObj(*old_ip, "kubeletidentity") : nullptr;
  if (old_k && !given_id.empty() && !IEquals(JStr(*old_k, "resourceId"), given_id))
    return ChangeNotAllowed("identityProfile.kubeletidentity");
  json kubelet;
  if (!given_id.empty()) {
    auto idj = ctx.arm.FindJson(given_id);
    if (!idj || !IEquals(JStr(*idj, "type"), kIdentityType))
      return Err(400, "InvalidParameter", "The kubelet identity " + given_id + " was not found.");
    kubelet = {{"resourceId", (*idj)["id"]},
               {"clientId", JStr((*idj)["properties"], "clientId")},
               {"objectId", JStr((*idj)["properties"], "principalId")}};
  } else if (old_k) {
    kubelet = *old_k;
  } else {
    kubelet = OwnedIdentity(ctx, node_rg_id, ctx.name + "-agentpool", location);
  }
  props["identityProfile"] = {{"kubeletidentity", kubelet}};
  return {};
}

// The VNet id of the cluster's node subnet ("" for an AKS-managed VNet).
std::string ClusterVnet(const json& pools) {
  for (const auto& p : pools) {
    std::string s = JStr(p, "vnetSubnetID");
    size_t at = easel::ToLower(s).rfind("/subnets/");
    if (at != std::string::npos) return s.substr(0, at);
  }
  return "";
}

ArmError CheckAddons(PutContext& ctx, json& props, const json& pools, const std::string& node_rg_id,
                     const std::string& location) {
  if (props.contains("addonProfiles") && !props["addonProfiles"].is_object())
    return Err(400, "InvalidParameter", "addonProfiles must be an object.");
  if (!props.contains("addonProfiles")) return {};
  const json* old_props = ctx.existing ? JObj(*ctx.existing, "properties") : nullptr;
  const json* old_addons = old_props ? JObj(*old_props, "addonProfiles") : nullptr;
  for (auto it = props["addonProfiles"].begin(); it != props["addonProfiles"].end(); ++it) {
    json& a = it.value();
    if (!a.is_object() || !a.contains("enabled") || !a["enabled"].is_boolean())
      return Err(400, "InvalidParameter",
                 "addonProfiles." + it.key() + " needs a boolean 'enabled'.");
    std::string key = easel::ToLower(it.key());
    if (a.contains("config") && !a["config"].is_object() && !a["config"].is_null())
      return Err(400, "InvalidParameter",
                 "addonProfiles." + it.key() + ".config must be an object.");
    if (!a["enabled"].get<bool>()) {
      a.erase("identity");
      continue;
    }
    if (key == "aciconnectorlinux") {
      std::string plugin = JStr(props["networkProfile"], "networkPlugin");
      if (!IEquals(plugin, "azure"))
        return Err(400, "InvalidParameter",
                   "Virtual nodes (addonProfiles.aciConnectorLinux) need networkPlugin azure.");
      const json* ap = JObj(props, "apiServerAccessProfile");
      if (ap && ap->contains("authorizedIPRanges") && (*ap)["authorizedIPRanges"].is_array() &&
          !(*ap)["authorizedIPRanges"].empty())
        return Err(400, "InvalidParameter",
                   "Virtual nodes (addonProfiles.aciConnectorLinux) cannot be used with API "
                   "server authorized IP ranges.");
      std::string subnet = a.contains("config") ? JStr(a["config"], "SubnetName") : "";
      if (subnet.empty())
        return Err(400, "InvalidParameter",
                   "addonProfiles.aciConnectorLinux.config.SubnetName is required.");
      std::string vnet = ClusterVnet(pools);
      if (vnet.empty())
        return Err(400, "InvalidParameter",
                   "Virtual nodes need the cluster's nodes in a virtual network of your own "
                   "(agentPoolProfiles[].vnetSubnetID).");
      auto sj = ctx.arm.FindJson(vnet + "/subnets/" + subnet);
      if (!sj)
        return Err(400, "InvalidParameter",
                   "The subnet '" + subnet +
                       "' of virtual nodes was not found in virtual network " + vnet + ".");
      bool delegated = false;
      const json* sp = JObj(*sj, "properties");
      if (sp && sp->contains("delegations") && (*sp)["delegations"].is_array())
        for (const auto& d : (*sp)["delegations"])
          delegated |=
              d.is_object() &&
              IEquals(JStr(d.value("properties", json::object()), "serviceName"), kAciService);
      if (!delegated)
        return Err(400, "InvalidParameter",
                   "The subnet '" + subnet + "' of virtual nodes must be delegated to " +
                       std::string(kAciService) + ".");
      for (const auto& p : pools)
        if (IEquals(JStr(p, "vnetSubnetID"), vnet + "/subnets/" + subnet))
          return Err(400, "InvalidParameter",
                     "The subnet '" + subnet +
                         "' of virtual nodes cannot also be the subnet of an agent pool.");
    }
    if (key == "azurepolicy") {
      if (!a.contains("config") || !a["config"].is_object()) a["config"] = json::object();
      if (!a["config"].contains("version")) a["config"]["version"] = "v2";
    }
    if (key == "azurepolicy" || key == "aciconnectorlinux" || key == "omsagent" ||
        key == "azurekeyvaultsecretsprovider" || key == "ingressapplicationgateway") {
      const json* old_a = nullptr;
      if (old_addons)
        for (auto oit = old_addons->begin(); oit != old_addons->end(); ++oit)
          if (IEquals(oit.key(), it.key()) && oit.value().is_object()) old_a = &oit.value();
      const json* old_id = old_a ? JObj(*old_a, "identity") : nullptr;
      a["identity"] =
          old_id ? *old_id : OwnedIdentity(ctx, node_rg_id, key + "-" + ctx.name, location);
    }
  }
  return {};
}

// The orchestratorVersion rule of a cluster PUT: all pools' versions given or none, and given
// ones unchanged or the control plane's.
ArmError CheckPoolVersions(PutContext& ctx, const json& profiles, const json& props) {
  int specified = 0, unspecified = 0;
  bool changed = false, off_plane = false;
  std::string cp_req = JStr(props, "kubernetesVersion"),
              cp_cur = JStr(props, "currentKubernetesVersion");
  for (const auto& p : profiles) {
    auto old = ctx.arm.FindJson(ctx.id + "/agentPools/" + JStr(p, "name"));
    if (!old) continue;
    const json& op = (*old)["properties"];
    std::string v = JStr(p, "orchestratorVersion");
    if (v.empty()) {
      ++unspecified;
      continue;
    }
    ++specified;
    bool same = v == JStr(op, "orchestratorVersion") || v == JStr(op, "currentOrchestratorVersion");
    if (!same) {
      changed = true;
      if (v != cp_req && v != cp_cur) off_plane = true;
    }
  }
  if (changed && (unspecified > 0 || off_plane))
    return Err(400, "NotAllAgentPoolOrchestratorVersionSpecifiedAndUnchanged",
               "Using managed cluster api, all Agent pools' OrchestratorVersion must be all "
               "specified or all unspecified. If all specified, they must be stay unchanged or the "
               "same with control plane. For agent pool specific change, please use per agent "
               "pool operations: https://aka.ms/agent-pool-rest-api");
  return {};
}

}  // namespace

ArmError ValidateManagedCluster(PutContext& ctx) {
  json& props = ctx.body["properties"];
  const json* old = ctx.existing ? JObj(*ctx.existing, "properties") : nullptr;
  std::string location = JStr(ctx.body, "location", "eastus");
  // Hidden state (the cluster's certificates) survives every update.
  if (ctx.existing && ctx.existing->contains("_azsim"))
    ctx.body["_azsim"] = (*ctx.existing)["_azsim"];
  else
    ctx.body["_azsim"] = {{"pki", NewClusterPki()}};
  // Secrets given once are kept (and never returned).
  if (old) {
    for (const char* f : {"servicePrincipalProfile", "windowsProfile"}) {
      const json* o = JObj(*old, f);
      const json* n = JObj(props, f);
      const char* secret = std::string(f) == "windowsProfile" ? "adminPassword" : "secret";
      if (o && n && !n->contains(secret) && o->contains(secret)) props[f][secret] = (*o)[secret];
    }
  }
  if (props.contains("agentPoolProfiles") && !props["agentPoolProfiles"].is_array())
    return Err(400, "InvalidParameter", "agentPoolProfiles must be an array.");
  bool pools_given = props.contains("agentPoolProfiles") && !props["agentPoolProfiles"].empty();
  if (!pools_given && !ctx.existing)
    return Err(400, "InvalidParameter",
               "A managed cluster needs at least one agent pool in properties.agentPoolProfiles.");
  // dnsPrefix and the node resource group are fixed at creation.
  if (props.contains("dnsPrefix") && !props["dnsPrefix"].is_string())
    return Err(400, "InvalidParameter", "dnsPrefix must be a string.");
  if (old && props.contains("dnsPrefix") &&
      !IEquals(JStr(*old, "dnsPrefix"), JStr(props, "dnsPrefix")))
    return ChangeNotAllowed("dnsPrefix");
  if (!props.contains("dnsPrefix"))
    props["dnsPrefix"] = old ? JStr(*old, "dnsPrefix", ctx.name) : ctx.name + "-dns";
  if (props.contains("nodeResourceGroup") && !props["nodeResourceGroup"].is_string())
    return Err(400, "InvalidParameter", "nodeResourceGroup must be a string.");
  std::string default_nrg = "MC_" + ctx.rg + "_" + ctx.name + "_" + location;
  std::string nrg = JStr(props, "nodeResourceGroup",
                         old ? JStr(*old, "nodeResourceGroup", default_nrg) : default_nrg);
  if (old && !IEquals(nrg, JStr(*old, "nodeResourceGroup", nrg)))
    return ChangeNotAllowed("nodeResourceGroup");
  if (nrg.empty() || nrg.size() > 80)
    return Err(400, "InvalidParameter", "nodeResourceGroup must be 1-80 characters.");
  props["nodeResourceGroup"] = nrg;
  std::string nrg_id = RgIdOf(ctx.sub, nrg);
  if (const Resource* existing_rg = ctx.arm.Find(nrg_id)) {
    json rj = json::parse(existing_rg->body, nullptr, false);
    if (!IEquals(JStr(rj, "managedBy"), ctx.id))
      return Err(400, "InvalidParameter",
                 "The node resource group '" + nrg +
                     "' already exists and is not managed by this cluster: give another "
                     "nodeResourceGroup.");
    nrg_id = existing_rg->id;
  } else {
    json rg_body = {
        {"location", location},
        {"managedBy", ctx.id},
        {"tags", {{"aks-managed-cluster-name", ctx.name}, {"aks-managed-cluster-rg", ctx.rg}}},
        {"properties", {{"provisioningState", "Succeeded"}}}};
    ctx.extra_puts.push_back(PlainResource(nrg_id, kRgType, rg_body, location));
  }
  K8sVersion cp;
  ArmError e = CheckVersion(ctx, props, old, &cp);
  if (!e.ok()) return e;
  if ((e = CheckNetwork(ctx, props, old, nrg_id, location)).ok() &&
      (e = CheckSecurity(ctx, props, old, location)).ok())
    e = CheckIdentity(ctx, props, nrg_id, location);
  if (!e.ok()) return e;
  // Agent pools: checked, completed and written as agentPools children.
  json pools = json::array();
  if (pools_given) {
    e = CheckPoolVersions(ctx, props["agentPoolProfiles"], props);
    if (!e.ok()) return e;
    bool system = false;
    std::vector<std::string> keep;
    for (auto& pool : props["agentPoolProfiles"]) {
      if (!pool.is_object() || !pool.contains("name") || !pool["name"].is_string())
        return Err(400, "InvalidParameter", "Each agent pool profile needs a name.");
      std::string name = pool["name"].get<std::string>();
      std::string pid = ctx.id + "/agentPools/" + name;
      if (const Resource* existing = ctx.arm.Find(pid)) pid = existing->id;
      for (const auto& k : keep)
        if (IEquals(k, pid))
          return Err(400, "InvalidParameter", "Agent pool '" + name + "' appears twice.");
      auto old_pool = ctx.arm.FindJson(pid);
      json child = pool;
      child.erase("name");
      e = PrepareAgentPool(ctx.arm, child, name, old_pool ? JObj(*old_pool, "properties") : nullptr,
                           cp);
      if (!e.ok()) return e;
      if (IEquals(JStr(child, "mode"), "System")) system = true;
      ctx.extra_puts.push_back(ctx.arm.MakeChild(pid, kAgentPoolType, json{{"properties", child}}));
      keep.push_back(pid);
      child["name"] = name;
      pools.push_back(child);
    }
    if (!system)
      return Err(400, "InvalidParameter",
                 "A managed cluster needs at least one agent pool with mode 'System'.");
    if (ctx.existing)
      for (const Resource* c : ctx.arm.Children(ctx.id, kAgentPoolType)) {
        bool kept = false;
        for (const auto& k : keep) kept |= IEquals(k, c->id);
        if (!kept) ctx.extra_deletes.push_back(c->id);
      }
    props.erase("agentPoolProfiles");
  } else {
    props.erase("agentPoolProfiles");
    // Pools untouched: they must still fit the (possibly upgraded) control plane.
    for (const Resource* c : ctx.arm.Children(ctx.id, kAgentPoolType)) {
      json pj = json::parse(c->body, nullptr, false);
      if (!pj.is_object() || !pj["properties"].is_object()) continue;
      auto v = ParseK8sVersion(JStr(pj["properties"], "currentOrchestratorVersion"));
      if (v && (v->major != cp.major || cp.minor - v->minor > 2))
        return Err(400, "NodePoolMcVersionIncompatible",
                   "Control plane version " + cp.ToString() + " and node pool '" +
                       LastSegment(c->id) + "' version " + v->ToString() +
                       " are incompatible: node pools must be within 2 minor versions of the "
                       "control plane. Upgrade the node pools first. For more information, "
                       "please check https://aka.ms/version-skew-policy");
      json flat = pj["properties"];
      flat["name"] = LastSegment(c->id);
      pools.push_back(flat);
    }
  }
  // Pool subnets are immutable with the cluster network.
  e = CheckAddons(ctx, props, pools, nrg_id, location);
  if (!e.ok()) return e;
  // Endpoints.
  std::string host = JStr(props, "dnsPrefix") + "-" + HexEncode(RandomBytes(4)) + ".hcp." +
                     location + ".azmk8s.io";
  bool priv = JObj(props, "apiServerAccessProfile") &&
              JBool(props["apiServerAccessProfile"], "enablePrivateCluster");
  if (old) host = JStr(*old, "fqdn", JStr(*old, "privateFQDN", host));
  if (priv) {
    props["privateFQDN"] = host;
    props.erase("fqdn");
  } else {
    props["fqdn"] = host;
  }
  // The portal's name of the API server: <prefix>-<hash>.portal.hcp.<region>.azmk8s.io.
  std::string portal = host;
  if (size_t at = portal.find(".hcp."); at != std::string::npos) portal.insert(at, ".portal");
  props["azurePortalFQDN"] = portal;
  props["powerState"] = {{"code", "Running"}};
  props["maxAgentPools"] = 100;
  if (!props.contains("enableRBAC")) props["enableRBAC"] = true;
  if (!props.contains("supportPlan")) props["supportPlan"] = "KubernetesOfficial";
  if (!ctx.body.contains("sku") || !ctx.body["sku"].is_object())
    ctx.body["sku"] = {{"name", "Base"}, {"tier", "Free"}};
  return {};
}

void RemoveClusterOwned(Arm& arm, const Resource& cluster) {
  json j = json::parse(cluster.body, nullptr, false);
  if (!j.is_object()) return;
  std::string nrg = JStr(j.value("properties", json::object()), "nodeResourceGroup");
  if (nrg.empty()) return;
  std::string sub, rg;
  SplitScope(cluster.id, &sub, &rg);
  const Resource* r = arm.Find(RgIdOf(sub, nrg));
  if (!r) return;
  json rj = json::parse(r->body, nullptr, false);
  if (IEquals(JStr(rj, "managedBy"), cluster.id)) (void)arm.RemoveNow(r->id);
}

}  // namespace azsim
