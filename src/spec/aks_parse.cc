// Reading an easel/v1 AKSCluster document into AksClusterSpec, with AKS's defaults recorded.
#include <algorithm>

#include "common/strings.h"
#include "spec/aks.h"
#include "spec/parse_util.h"
#include "spec/yaml_reader.h"

namespace easel::spec {
namespace {

// Defaults, documented in docs/aks.md (AKS's own where it has one).
constexpr const char* kDefaultPoolVmSize = "Standard_D4s_v5";
constexpr const char* kDefaultPodCidr = "10.244.0.0/16";  // AKS's overlay and kubenet default
constexpr const char* kDefaultServiceCidr = "10.0.0.0/16";
constexpr const char* kDefaultDnsServiceIp = "10.0.0.10";
constexpr int kDefaultOsDiskGb = 128;
constexpr int kDefaultSystemCount = 3;
constexpr int kDefaultUserCount = 1;

class AksParser {
 public:
  AksParser(const Catalog& catalog, Diagnostics* d) : catalog_(catalog), d_(d) {}

  AksClusterSpec Parse(const YAML::Node& root) {
    if (KindOf(root) != ValueKind::kMapping) {
      d_->Add("spec", "must be a mapping (apiVersion, kind, metadata, spec)");
      return s_;
    }
    MapReader top(root, "", d_, {"apiVersion", "kind", "metadata", "spec"});
    if (auto v = top.String("apiVersion", Need::kRequired); v && *v != "easel/v1") {
      d_->Add("apiVersion", "must be easel/v1, got " + Quote(*v));
    }
    MapReader m(top.Get("metadata"), "metadata", d_, {"name", "tags"});
    if (!top.Has("metadata")) top.ReportMissing("metadata");
    if (auto name = m.String("name", Need::kRequired)) s_.name = *name;
    if (auto tags = m.StringMap("tags")) s_.tags = *tags;
    if (!top.Has("spec")) {
      top.ReportMissing("spec");
      return s_;
    }
    ReadSpec(top.Get("spec"));
    return s_;
  }

 private:
  DefaultsApplied* defaults() { return &s_.defaults_applied; }
  void Default(const std::string& path, const std::string& value) {
    s_.defaults_applied.emplace_back(path, value);
  }

  void ReadSpec(const YAML::Node& node) {
    MapReader r(
        node, "spec", d_,
        {"subscriptionId", "location", "resourceGroup", "kubernetesVersion", "tier", "network",
         "identity", "entra", "policy", "keda", "virtualNodes", "gitops", "autoUpgrade", "pools"});
    if (auto v = r.String("subscriptionId", Need::kRequired)) s_.subscription_id = *v;
    if (auto v = r.String("location", Need::kRequired)) s_.location = *v;
    if (auto v = r.String("resourceGroup", Need::kRequired)) s_.resource_group = *v;
    if (auto v = r.String("kubernetesVersion", Need::kRequired)) s_.kubernetes_version = *v;
    if (auto v = Choice(r, "tier", {"Free", "Standard", "Premium"}, "Free", defaults())) {
      s_.tier = *v;
    }
    ReadNetwork(r.Get("network"));
    ReadIdentity(r.Get("identity"));
    ReadEntra(r.Get("entra"));
    ReadPolicy(r.Get("policy"));
    if (auto v = r.Boolean("keda")) s_.keda = *v;
    ReadVirtualNodes(r.Get("virtualNodes"));
    if (r.Has("gitops")) ReadGitOps(r.Get("gitops"));
    ReadAutoUpgrade(r.Get("autoUpgrade"));
    ReadPools(r);
  }

  void ReadSubnet(const YAML::Node& node, const std::string& path, bool dynamic, SubnetSpec* out) {
    MapReader r(node, path, d_, {"cidr", "name"});
    if (dynamic) {
      if (r.Has("name")) {
        d_->Add(r.PathOf("name"),
                "is only for an existing VNet (network.vnet.name); easel names "
                "the subnets it creates");
      }
      if (auto v = r.String("cidr", Need::kRequired)) out->cidr = *v;
      return;
    }
    if (auto v = r.String("name", Need::kRequired)) out->name = *v;
    if (auto v = r.String("cidr")) out->cidr = *v;
  }

  void ReadNetwork(const YAML::Node& node) {
    AksNetworkSpec& n = s_.network;
    MapReader r(node, "spec.network", d_,
                {"plugin", "pluginMode", "vnet", "nodeSubnet", "podCidr", "serviceCidr",
                 "dnsServiceIP", "outbound", "apiServer"});
    if (auto v = Choice(r, "plugin", {"azure", "kubenet"}, "azure", defaults())) {
      n.plugin = *v == "kubenet" ? AksNetworkPlugin::kKubenet : AksNetworkPlugin::kAzure;
    }
    if (n.plugin == AksNetworkPlugin::kKubenet) {
      n.plugin_mode = AksPluginMode::kNone;
      if (r.Has("pluginMode")) {
        d_->Add("spec.network.pluginMode", "is only for the azure plugin (kubenet has no modes)");
      }
    } else if (auto v = Choice(r, "pluginMode", {"overlay", "none"}, "overlay", defaults())) {
      n.plugin_mode = *v == "none" ? AksPluginMode::kNone : AksPluginMode::kOverlay;
    }
    if (r.Has("vnet")) {
      n.managed_vnet = false;
      MapReader v(r.Get("vnet"), "spec.network.vnet", d_, {"cidr", "name", "resourceGroup"});
      if (v.Has("cidr") && v.Has("name")) {
        d_->Add("spec.network.vnet",
                "give either cidr (easel creates the VNet) or name (an "
                "existing VNet), not both");
      }
      if (v.Has("name")) {
        n.vnet.placement = Placement::kStatic;
        if (auto x = v.String("name")) n.vnet.name = *x;
        StringOrDefault(v, "resourceGroup", s_.resource_group, &n.vnet.resource_group, defaults());
      } else {
        if (v.Has("resourceGroup")) {
          d_->Add("spec.network.vnet.resourceGroup", "is only for an existing VNet (vnet.name)");
        }
        if (auto x = v.String("cidr", Need::kRequired)) n.vnet.cidr = *x;
      }
      if (!r.Has("nodeSubnet")) {
        r.ReportMissing("nodeSubnet");
      } else {
        ReadSubnet(r.Get("nodeSubnet"), "spec.network.nodeSubnet",
                   n.vnet.placement == Placement::kDynamic, &n.node_subnet);
      }
    } else {
      Default("spec.network.vnet", "AKS-managed");
      if (r.Has("nodeSubnet")) {
        d_->Add("spec.network.nodeSubnet", "needs network.vnet (without it AKS manages the VNet)");
      }
    }
    const bool pod_range =
        n.plugin == AksNetworkPlugin::kKubenet || n.plugin_mode == AksPluginMode::kOverlay;
    if (pod_range) {
      StringOrDefault(r, "podCidr", kDefaultPodCidr, &n.pod_cidr, defaults());
    } else if (r.Has("podCidr")) {
      d_->Add("spec.network.podCidr",
              "is only for overlay or kubenet; with pluginMode none pods take addresses from the "
              "node subnet");
    }
    if (r.Has("serviceCidr") != r.Has("dnsServiceIP")) {
      // Reported once; the other one is left empty rather than defaulted, so that nothing is
      // compared with a default the user did not choose.
      d_->Add(r.Has("serviceCidr") ? "spec.network.dnsServiceIP" : "spec.network.serviceCidr",
              "serviceCidr and dnsServiceIP are given together (AKS refuses one without the "
              "other)");
      if (auto v = r.String("serviceCidr")) n.service_cidr = *v;
      if (auto v = r.String("dnsServiceIP")) n.dns_service_ip = *v;
    } else {
      StringOrDefault(r, "serviceCidr", kDefaultServiceCidr, &n.service_cidr, defaults());
      StringOrDefault(r, "dnsServiceIP", kDefaultDnsServiceIp, &n.dns_service_ip, defaults());
    }
    if (auto v =
            Choice(r, "outbound", {"LoadBalancer", "ManagedNATGateway", "UserAssignedNATGateway"},
                   "LoadBalancer", defaults())) {
      n.outbound = *v == "ManagedNATGateway"        ? AksOutbound::kManagedNatGateway
                   : *v == "UserAssignedNATGateway" ? AksOutbound::kUserAssignedNatGateway
                                                    : AksOutbound::kLoadBalancer;
    }
    MapReader a(r.Get("apiServer"), "spec.network.apiServer", d_,
                {"private", "authorizedIPRanges"});
    if (auto v = a.Boolean("private")) n.private_api = *v;
    if (auto v = a.StringList("authorizedIPRanges")) n.authorized_ip_ranges = *v;
  }

  void ReadIdentity(const YAML::Node& node) {
    MapReader r(node, "spec.identity", d_, {"type", "id"});
    if (auto v =
            Choice(r, "type", {"SystemAssigned", "UserAssigned"}, "SystemAssigned", defaults())) {
      s_.identity.type =
          *v == "UserAssigned" ? AksIdentityType::kUserAssigned : AksIdentityType::kSystemAssigned;
    }
    if (auto v = r.String("id")) s_.identity.id = *v;
  }

  void ReadEntra(const YAML::Node& node) {
    MapReader r(node, "spec.entra", d_,
                {"enabled", "adminGroupObjectIDs", "azureRBAC", "disableLocalAccounts"});
    AksEntraSpec& e = s_.entra;
    if (auto v = r.Boolean("enabled")) e.enabled = *v;
    if (auto v = r.StringList("adminGroupObjectIDs")) e.admin_group_object_ids = *v;
    if (auto v = r.Boolean("azureRBAC")) e.azure_rbac = *v;
    if (auto v = r.Boolean("disableLocalAccounts")) e.disable_local_accounts = *v;
  }

  void ReadPolicy(const YAML::Node& node) {
    MapReader r(node, "spec.policy", d_, {"enabled", "initiative", "scope"});
    AksPolicySpec& p = s_.policy;
    if (auto v = r.Boolean("enabled")) p.enabled = *v;
    if (auto v = Choice(r, "initiative", {"baseline", "restricted"}, p.enabled ? "baseline" : "",
                        defaults())) {
      p.initiative = *v == "restricted" ? PodSecurityInitiative::kRestricted
                                        : PodSecurityInitiative::kBaseline;
    }
    if (auto v = Choice(r, "scope", {"cluster", "resourceGroup"}, p.enabled ? "cluster" : "",
                        defaults())) {
      p.scope = *v == "resourceGroup" ? PolicyScope::kResourceGroup : PolicyScope::kCluster;
    }
  }

  void ReadVirtualNodes(const YAML::Node& node) {
    MapReader r(node, "spec.virtualNodes", d_, {"enabled", "subnet"});
    AksVirtualNodesSpec& v = s_.virtual_nodes;
    if (auto e = r.Boolean("enabled")) v.enabled = *e;
    if (!v.enabled) return;
    if (!r.Has("subnet")) {
      d_->Add("spec.virtualNodes.subnet",
              "is required: virtual nodes need a subnet of their own, delegated to Azure "
              "Container Instances");
      return;
    }
    ReadSubnet(r.Get("subnet"), "spec.virtualNodes.subnet",
               s_.network.vnet.placement == Placement::kDynamic, &v.subnet);
  }

  void ReadGitOps(const YAML::Node& node) {
    MapReader r(node, "spec.gitops", d_, {"url", "branch", "path"});
    AksGitOpsSpec g;
    if (auto v = r.String("url", Need::kRequired)) g.url = *v;
    StringOrDefault(r, "branch", "main", &g.branch, defaults());
    StringOrDefault(r, "path", "./", &g.path, defaults());
    s_.gitops = g;
  }

  void ReadAutoUpgrade(const YAML::Node& node) {
    MapReader r(node, "spec.autoUpgrade", d_, {"channel", "nodeOS"});
    AksAutoUpgradeSpec& u = s_.auto_upgrade;
    if (auto v = Choice(r, "channel", {"none", "patch", "stable", "rapid", "node-image"}, "patch",
                        defaults())) {
      u.channel = *v;
    } else if (!r.Has("channel")) {
      u.channel = "patch";
    }
    if (auto v = Choice(r, "nodeOS", {"None", "Unmanaged", "NodeImage", "SecurityPatch"},
                        "NodeImage", defaults())) {
      u.node_os = *v;
    }
  }

  int DefaultMaxPods() const {
    if (s_.network.plugin == AksNetworkPlugin::kKubenet) return 110;
    return s_.network.plugin_mode == AksPluginMode::kOverlay ? 250 : 30;
  }

  void ReadPools(MapReader& r) {
    if (!r.Has("pools")) {
      r.ReportMissing("pools");
      return;
    }
    YAML::Node pools = r.Get("pools");
    if (KindOf(pools) != ValueKind::kList) {
      d_->Add("spec.pools", std::string("must be a list, got ") + KindLabel(KindOf(pools)));
      return;
    }
    if (pools.size() == 0)
      d_->Add("spec.pools", "must have at least one pool (one of them System)");
    for (size_t i = 0; i < pools.size(); ++i) {
      s_.pools.push_back(ReadPool(pools[i], IndexPath("spec.pools", i)));
    }
  }

  AksPoolSpec ReadPool(const YAML::Node& node, const std::string& path) {
    AksPoolSpec p;
    MapReader r(node, path, d_,
                {"name", "mode", "count", "vmSize", "zones", "autoscale", "maxPods", "labels",
                 "taints", "osDisk", "osSKU"});
    if (auto v = r.String("name", Need::kRequired)) p.name = *v;
    if (auto v = Choice(r, "mode", {"System", "User"}, "User", defaults())) {
      p.mode = *v == "System" ? AksPoolMode::kSystem : AksPoolMode::kUser;
    }
    if (r.Has("autoscale")) {
      MapReader a(r.Get("autoscale"), path + ".autoscale", d_, {"min", "max"});
      auto min = a.Integer("min", Need::kRequired);
      auto max = a.Integer("max", Need::kRequired);
      if (min && max) p.autoscale = Autoscale{ClampToInt(*min), ClampToInt(*max)};
    }
    if (auto c = r.Integer("count")) {
      p.count = ClampToInt(*c);
    } else if (!r.Has("count")) {
      p.count = p.autoscale
                    ? p.autoscale->min
                    : (p.mode == AksPoolMode::kSystem ? kDefaultSystemCount : kDefaultUserCount);
      if (p.autoscale && p.mode == AksPoolMode::kSystem) p.count = std::max(p.count, 1);
      Default(path + ".count", std::to_string(p.count));
    }
    StringOrDefault(r, "vmSize", kDefaultPoolVmSize, &p.vm_size, defaults());
    if (auto z = r.StringList("zones")) {
      p.zones = *z;
    } else if (!r.Has("zones")) {
      const Region* region = catalog_.FindRegion(s_.location);
      if (region) p.zones = region->zones;
      Default(path + ".zones", "[" + Join(p.zones, ", ") + "]");
    }
    if (auto v = r.Integer("maxPods")) {
      p.max_pods = ClampToInt(*v);
    } else if (!r.Has("maxPods")) {
      p.max_pods = DefaultMaxPods();
      Default(path + ".maxPods", std::to_string(p.max_pods));
    }
    if (auto labels = r.StringMap("labels")) {
      for (auto& [k, v] : *labels) p.labels[k] = v;
    }
    p.taints = ReadTaints(r, path);
    MapReader disk(r.Get("osDisk"), path + ".osDisk", d_, {"type", "sizeGB"});
    if (auto v = Choice(disk, "type", {"Managed", "Ephemeral"}, "Managed", defaults())) {
      p.os_disk_type = *v == "Ephemeral" ? AksOsDiskType::kEphemeral : AksOsDiskType::kManaged;
    }
    if (auto v = disk.Integer("sizeGB")) {
      p.os_disk_size_gb = ClampToInt(*v);
    } else if (!disk.Has("sizeGB")) {
      p.os_disk_size_gb = kDefaultOsDiskGb;
      Default(path + ".osDisk.sizeGB", std::to_string(kDefaultOsDiskGb));
    }
    if (auto v = Choice(r, "osSKU", {"Ubuntu", "AzureLinux"}, "Ubuntu", defaults())) p.os_sku = *v;
    return p;
  }

  const Catalog& catalog_;
  Diagnostics* d_;
  AksClusterSpec s_;
};

}  // namespace

AksClusterSpec ParseAksClusterSpecDocument(const YAML::Node& root, const Catalog& catalog,
                                           Diagnostics* diagnostics) {
  return AksParser(catalog, diagnostics).Parse(root);
}

const char* ToString(AksPoolMode m) { return m == AksPoolMode::kSystem ? "System" : "User"; }
const char* ToString(AksOsDiskType t) {
  return t == AksOsDiskType::kEphemeral ? "Ephemeral" : "Managed";
}
const char* ToString(AksNetworkPlugin p) {
  return p == AksNetworkPlugin::kKubenet ? "kubenet" : "azure";
}
const char* ToString(AksOutbound o) {
  switch (o) {
    case AksOutbound::kManagedNatGateway:
      return "ManagedNATGateway";
    case AksOutbound::kUserAssignedNatGateway:
      return "UserAssignedNATGateway";
    default:
      return "LoadBalancer";
  }
}
const char* ToString(PodSecurityInitiative i) {
  return i == PodSecurityInitiative::kRestricted ? "restricted" : "baseline";
}

}  // namespace easel::spec
