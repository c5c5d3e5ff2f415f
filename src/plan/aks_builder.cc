// The plan of an AKS cluster: its network (unless AKS manages the VNet), identity and the role
// assignments that identity needs, the managed cluster, each pool as an agentPools resource of its
// own, the pod-security policy assignment, and Flux. docs/aks.md draws the result.
#include "common/hash.h"
#include "plan/api_versions.h"
#include "plan/arm_ids.h"
#include "plan/late_bound.h"
#include "plan/plan_writer.h"
#include "plan/planner.h"
#include "plan/resource_types.h"
#include "spec/aks_catalog.h"
#include "spec/naming.h"

namespace easel::plan {
namespace {

// Azure's built-in Network Contributor role and the two pod-security initiatives for Linux
// workloads (../shared/aks-reference.md).
constexpr const char* kNetworkContributorRole = "4d97b98b-1d4f-4787-a291-c67834d212e7";
constexpr const char* kBaselineInitiative = "a8640138-9b0a-4a28-b8cb-1666c838647d";
constexpr const char* kRestrictedInitiative = "42b8ef37-b724-4e24-bbc8-7a7708edfe00";
constexpr const char* kAciDelegation = "Microsoft.ContainerInstance/containerGroups";
constexpr int kFluxSyncSeconds = 600;
constexpr const char* kPoolTag = "easel_pool";

// A GUID derived from `seed` (role assignment names must be GUIDs; the same seed gives the same
// name, so a re-apply finds the assignment it made).
std::string GuidFrom(const std::string& seed) {
  std::string h = Sha256Hex(seed);
  h[12] = '5';  // version 5 layout (name-based, SHA); the variant bits below
  h[16] = "89ab"[h[16] % 4];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

const char* OutboundType(spec::AksOutbound o) {
  switch (o) {
    case spec::AksOutbound::kManagedNatGateway:
      return "managedNATGateway";
    case spec::AksOutbound::kUserAssignedNatGateway:
      return "userAssignedNATGateway";
    default:
      return "loadBalancer";
  }
}

class AksBuilder {
 public:
  AksBuilder(const spec::AksClusterSpec& s, Plan* plan)
      : s_(s),
        w_(s.subscription_id, s.resource_group, s.location, s.tags, spec::OwnershipTagKey(s.name),
           plan) {}

  void Build() {
    rg_ = ResourceGroupId(s_.subscription_id, s_.resource_group);
    w_.AddExisting(rg_, type::kResourceGroup, api::kResources, s_.resource_group, "", s_.location);
    if (!s_.network.managed_vnet) BuildNetwork();
    BuildIdentity();
    BuildCluster();
    BuildPools();
    if (s_.policy.enabled) BuildPolicy();
    if (s_.gitops) BuildGitOps();
  }

 private:
  std::string Name(const std::string& suffix) const { return s_.name + "-" + suffix; }

  void BuildNetwork() {
    const spec::AksNetworkSpec& n = s_.network;
    if (n.vnet.placement == spec::Placement::kStatic) {
      vnet_ =
          ResourceId(s_.subscription_id, n.vnet.resource_group, type::kVirtualNetwork, n.vnet.name);
      w_.AddExisting(vnet_, type::kVirtualNetwork, api::kNetwork, n.vnet.name, rg_,
                     "existing, in " + n.vnet.resource_group);
      node_subnet_ = ChildId(vnet_, "subnets", n.node_subnet.name);
      w_.AddExisting(node_subnet_, type::kSubnet, api::kNetwork, n.node_subnet.name, vnet_,
                     "nodes, existing");
      if (s_.virtual_nodes.enabled) {
        vnodes_subnet_name_ = s_.virtual_nodes.subnet.name;
        vnodes_subnet_ = ChildId(vnet_, "subnets", vnodes_subnet_name_);
        w_.AddExisting(
            vnodes_subnet_, type::kSubnet, api::kNetwork, vnodes_subnet_name_, vnet_,
            "virtual nodes, existing (must be delegated to " + std::string(kAciDelegation) + ")");
      }
      return;
    }
    std::string nat;
    if (n.outbound == spec::AksOutbound::kUserAssignedNatGateway) {
      std::string ip = w_.IdInGroup(type::kPublicIp, Name("nat-ip"));
      Json ip_body = w_.TrackedBody();
      ip_body["sku"] = {{"name", "Standard"}, {"tier", "Regional"}};
      ip_body["properties"] = {{"publicIPAllocationMethod", "Static"},
                               {"publicIPAddressVersion", "IPv4"},
                               {"idleTimeoutInMinutes", 4}};
      w_.AddOwned(ip, type::kPublicIp, api::kNetwork, Name("nat-ip"), std::move(ip_body), {rg_},
                  rg_, "Standard, static: NAT gateway egress");
      nat = w_.IdInGroup(type::kNatGateway, Name("nat"));
      Json nat_body = w_.TrackedBody();
      nat_body["sku"] = {{"name", "Standard"}};
      nat_body["properties"] = {{"idleTimeoutInMinutes", 4},
                                {"publicIpAddresses", Json::array({{{"id", ip}}})}};
      w_.AddOwned(nat, type::kNatGateway, api::kNetwork, Name("nat"), std::move(nat_body),
                  {rg_, ip}, rg_, "egress of the node subnet (outbound userAssignedNATGateway)");
    }
    vnet_ = w_.IdInGroup(type::kVirtualNetwork, Name("vnet"));
    Json vnet = w_.TrackedBody();
    vnet["properties"] = {{"addressSpace", {{"addressPrefixes", Json::array({n.vnet.cidr})}}}};
    w_.AddOwned(vnet_, type::kVirtualNetwork, api::kNetwork, Name("vnet"), std::move(vnet), {rg_},
                rg_, n.vnet.cidr);
    node_subnet_ = ChildId(vnet_, "subnets", Name("nodes"));
    Json nodes = {{"properties", {{"addressPrefix", n.node_subnet.cidr}}}};
    std::vector<std::string> deps = {vnet_};
    if (!nat.empty()) {
      nodes["properties"]["natGateway"] = {{"id", nat}};
      deps.push_back(nat);
    }
    w_.AddOwned(node_subnet_, type::kSubnet, api::kNetwork, Name("nodes"), std::move(nodes), deps,
                vnet_, "nodes " + n.node_subnet.cidr);
    if (s_.virtual_nodes.enabled) {
      vnodes_subnet_name_ = Name("virtual-nodes");
      vnodes_subnet_ = ChildId(vnet_, "subnets", vnodes_subnet_name_);
      Json body = {
          {"properties",
           {{"addressPrefix", s_.virtual_nodes.subnet.cidr},
            {"delegations", Json::array({{{"name", "aci"},
                                          {"properties", {{"serviceName", kAciDelegation}}}}})}}}};
      // After the node subnet: Azure serialises writes to one VNet's subnets anyway.
      w_.AddOwned(vnodes_subnet_, type::kSubnet, api::kNetwork, vnodes_subnet_name_,
                  std::move(body), {vnet_, node_subnet_}, vnet_,
                  "virtual nodes " + s_.virtual_nodes.subnet.cidr + ", delegated to ACI");
    }
  }

  void BuildIdentity() {
    const spec::AksIdentitySpec& id = s_.identity;
    if (id.type != spec::AksIdentityType::kUserAssigned) return;
    if (!id.id.empty()) {
      identity_ = id.id;
      std::string name = id.id.substr(id.id.rfind('/') + 1);
      w_.AddExisting(identity_, type::kUserAssignedIdentity, api::kManagedIdentity, name, rg_,
                     "existing control-plane identity");
      return;
    }
    identity_ = w_.IdInGroup(type::kUserAssignedIdentity, Name("identity"));
    w_.AddOwned(identity_, type::kUserAssignedIdentity, api::kManagedIdentity, Name("identity"),
                w_.TrackedBody(), {rg_}, rg_, "the cluster's control-plane identity");
    // AKS needs Network Contributor on the subnets it places nodes and virtual nodes in.
    for (const std::string& subnet : {node_subnet_, vnodes_subnet_}) {
      if (subnet.empty()) continue;
      std::string name = GuidFrom(identity_ + "|" + subnet + "|" + kNetworkContributorRole);
      std::string ra = subnet + "/providers/" + type::kRoleAssignment + "/" + name;
      Json body = {{"properties",
                    {{"roleDefinitionId", "/subscriptions/" + s_.subscription_id +
                                              "/providers/Microsoft.Authorization/"
                                              "roleDefinitions/" +
                                              kNetworkContributorRole},
                     {"principalId", LiveField(identity_, "/properties/principalId")},
                     {"principalType", "ServicePrincipal"}}}};
      w_.AddOwned(ra, type::kRoleAssignment, api::kAuthorization, name, std::move(body),
                  {identity_, subnet}, subnet, "Network Contributor for the cluster identity");
      role_assignments_.push_back(ra);
    }
  }

  // A pool's properties as agentPools takes them (and, with its name, agentPoolProfiles).
  Json PoolProperties(const spec::AksPoolSpec& p) const {
    Json props = {{"count", p.count},
                  {"vmSize", p.vm_size},
                  {"osType", "Linux"},
                  {"osSKU", p.os_sku},
                  {"type", "VirtualMachineScaleSets"},
                  {"mode", spec::ToString(p.mode)},
                  {"orchestratorVersion", s_.kubernetes_version},
                  {"maxPods", p.max_pods},
                  {"osDiskType", spec::ToString(p.os_disk_type)},
                  {"osDiskSizeGB", p.os_disk_size_gb}};
    if (!p.zones.empty()) props["availabilityZones"] = p.zones;
    props["enableAutoScaling"] = p.autoscale.has_value();
    if (p.autoscale) {
      props["minCount"] = p.autoscale->min;
      props["maxCount"] = p.autoscale->max;
    }
    if (!node_subnet_.empty()) props["vnetSubnetID"] = node_subnet_;
    if (!p.labels.empty()) {
      Json labels = Json::object();
      for (const auto& [k, v] : p.labels) labels[k] = v;
      props["nodeLabels"] = labels;
    }
    // Which spec pool this is, also once it runs under another name (a replacement; see
    // CarryPoolNames in plan/aks_changes.h).
    props["tags"] = {{kPoolTag, p.name}};
    if (!p.taints.empty()) {
      Json taints = Json::array();
      for (const spec::Taint& t : p.taints) {
        taints.push_back(t.key + (t.value.empty() ? "" : "=" + t.value) + ":" + t.effect);
      }
      props["nodeTaints"] = taints;
    }
    return props;
  }

  void BuildCluster() {
    const spec::AksNetworkSpec& n = s_.network;
    cluster_ = w_.IdInGroup(type::kManagedCluster, s_.name);
    Json body = w_.TrackedBody();
    body["sku"] = {{"name", "Base"}, {"tier", s_.tier}};
    if (identity_.empty()) {
      body["identity"] = {{"type", "SystemAssigned"}};
    } else {
      body["identity"] = {{"type", "UserAssigned"},
                          {"userAssignedIdentities", {{identity_, Json::object()}}}};
    }
    Json props = {{"kubernetesVersion", s_.kubernetes_version},
                  {"dnsPrefix", s_.name},
                  {"nodeResourceGroup", NodeResourceGroupName(s_)},
                  {"enableRBAC", true},
                  {"disableLocalAccounts", s_.entra.disable_local_accounts}};
    Json pools = Json::array();
    for (const spec::AksPoolSpec& p : s_.pools) {
      Json profile = {{"name", p.name}};
      profile.update(PoolProperties(p));
      pools.push_back(profile);
    }
    props["agentPoolProfiles"] = pools;
    if (s_.entra.enabled) {
      props["aadProfile"] = {{"managed", true},
                             {"enableAzureRBAC", s_.entra.azure_rbac},
                             {"adminGroupObjectIDs", s_.entra.admin_group_object_ids},
                             {"tenantID", kDeployerTenantId}};
    }
    Json net = {{"networkPlugin", spec::ToString(n.plugin)}};
    if (n.plugin == spec::AksNetworkPlugin::kAzure &&
        n.plugin_mode == spec::AksPluginMode::kOverlay) {
      net["networkPluginMode"] = "overlay";
    }
    if (!n.pod_cidr.empty()) net["podCidr"] = n.pod_cidr;
    net["serviceCidr"] = n.service_cidr;
    net["dnsServiceIP"] = n.dns_service_ip;
    net["outboundType"] = OutboundType(n.outbound);
    net["loadBalancerSku"] = "standard";
    props["networkProfile"] = net;
    Json api = {{"enablePrivateCluster", n.private_api}};
    if (!n.authorized_ip_ranges.empty()) api["authorizedIPRanges"] = n.authorized_ip_ranges;
    props["apiServerAccessProfile"] = api;
    Json addons = Json::object();
    if (s_.policy.enabled) addons["azurepolicy"] = {{"enabled", true}};
    if (s_.virtual_nodes.enabled) {
      addons["aciConnectorLinux"] = {{"enabled", true},
                                     {"config", {{"SubnetName", vnodes_subnet_name_}}}};
    }
    if (!addons.empty()) props["addonProfiles"] = addons;
    props["workloadAutoScalerProfile"] = {{"keda", {{"enabled", s_.keda}}}};
    props["autoUpgradeProfile"] = {{"upgradeChannel", s_.auto_upgrade.channel},
                                   {"nodeOSUpgradeChannel", s_.auto_upgrade.node_os}};
    body["properties"] = props;
    std::vector<std::string> deps = {rg_};
    for (const std::string& d : {node_subnet_, vnodes_subnet_, identity_}) {
      if (!d.empty()) deps.push_back(d);
    }
    for (const std::string& ra : role_assignments_) deps.push_back(ra);
    ResourceNode& node = w_.AddOwned(cluster_, type::kManagedCluster, api::kContainerService,
                                     s_.name, std::move(body), deps, rg_,
                                     "AKS " + s_.kubernetes_version + ", " + s_.tier + " tier, " +
                                         std::to_string(s_.pools.size()) + " pools");
    // Pools are resources of their own after creation (below): a cluster PUT never carries them.
    node.create_only = {"/properties/agentPoolProfiles"};
  }

  // Each pool as its own agentPools resource, one after another: AKS runs one operation on a
  // cluster at a time, and an upgrade must reach the pools after the control plane.
  void BuildPools() {
    std::string previous = cluster_;
    for (const spec::AksPoolSpec& p : s_.pools) {
      std::string id = ChildId(cluster_, "agentPools", p.name);
      Json body = {{"properties", PoolProperties(p)}};
      std::vector<std::string> deps = {cluster_};
      if (previous != cluster_) deps.push_back(previous);
      std::string summary = std::string(spec::ToString(p.mode)) + ", " + p.vm_size + " x " +
                            (p.autoscale ? std::to_string(p.autoscale->min) + "-" +
                                               std::to_string(p.autoscale->max) + " (autoscaled)"
                                         : std::to_string(p.count));
      ResourceNode& node = w_.AddOwned(id, type::kAgentPool, api::kContainerService, p.name,
                                       std::move(body), deps, cluster_, summary);
      // The cluster autoscaler owns an autoscaled pool's count.
      if (p.autoscale) node.live_owned = {"/properties/count"};
      previous = id;
    }
  }

  void BuildPolicy() {
    const bool restricted = s_.policy.initiative == spec::PodSecurityInitiative::kRestricted;
    const std::string initiative = restricted ? kRestrictedInitiative : kBaselineInitiative;
    const std::string scope = s_.policy.scope == spec::PolicyScope::kResourceGroup ? rg_ : cluster_;
    const std::string name = std::string("pod-security-") + spec::ToString(s_.policy.initiative);
    const std::string id = scope + "/providers/" + type::kPolicyAssignment + "/" + name;
    Json body = {{"properties",
                  {{"displayName", std::string("Kubernetes pod security ") +
                                       spec::ToString(s_.policy.initiative) + " (easel)"},
                   {"policyDefinitionId",
                    "/providers/Microsoft.Authorization/policySetDefinitions/" + initiative},
                   {"enforcementMode", "Default"},
                   {"metadata", {{spec::OwnershipTagKey(s_.name), spec::kOwnedTagValue}}}}}};
    w_.AddOwned(id, type::kPolicyAssignment, api::kPolicy, name, std::move(body), {cluster_}, scope,
                std::string("pod security ") + spec::ToString(s_.policy.initiative) + " at the " +
                    (scope == rg_ ? "resource group" : "cluster") + "'s scope");
  }

  void BuildGitOps() {
    const spec::AksGitOpsSpec& g = *s_.gitops;
    const std::string base = cluster_ + "/providers/";
    const std::string ext = base + type::kClusterExtension + "/flux";
    w_.AddOwned(ext, type::kClusterExtension, api::kKubernetesConfiguration, "flux",
                Json{{"properties",
                      {{"extensionType", "microsoft.flux"}, {"autoUpgradeMinorVersion", true}}}},
                {cluster_}, cluster_, "Flux (microsoft.flux)");
    const std::string config = base + type::kFluxConfiguration + "/" + s_.name;
    Json body = {
        {"properties",
         {{"scope", "cluster"},
          {"namespace", "flux-system"},
          {"sourceKind", "GitRepository"},
          {"gitRepository",
           {{"url", g.url},
            {"repositoryRef", {{"branch", g.branch}}},
            {"syncIntervalInSeconds", kFluxSyncSeconds},
            {"timeoutInSeconds", kFluxSyncSeconds}}},
          {"kustomizations",
           {{"cluster",
             {{"path", g.path}, {"prune", true}, {"syncIntervalInSeconds", kFluxSyncSeconds}}}}}}}};
    w_.AddOwned(config, type::kFluxConfiguration, api::kKubernetesConfiguration, s_.name,
                std::move(body), {ext}, cluster_, g.url + " " + g.branch + " " + g.path);
  }

  const spec::AksClusterSpec& s_;
  PlanWriter w_;
  std::string rg_, vnet_, node_subnet_, vnodes_subnet_, vnodes_subnet_name_, identity_, cluster_;
  std::vector<std::string> role_assignments_;
};

}  // namespace

std::string NodeResourceGroupName(const spec::AksClusterSpec& s) {
  return "MC_" + s.resource_group + "_" + s.name + "_" + s.location;
}

Plan BuildAksPlan(const spec::AksClusterSpec& spec) {
  Plan plan;
  plan.cluster = spec.name;
  plan.kind = "AKSCluster";
  plan.defaults_applied = spec.defaults_applied;
  plan.resources.reserve(spec.pools.size() + 16);  // AddOwned hands out references
  AksBuilder(spec, &plan).Build();
  return plan;
}

}  // namespace easel::plan
