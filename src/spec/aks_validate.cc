// Semantic checks of an AKSCluster spec: what AKS would refuse (../shared/aks-reference.md,
// "Rules to check before calling Azure"), found before anything is sent.
#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "common/net.h"
#include "common/strings.h"
#include "spec/aks.h"
#include "spec/kubernetes_catalog.h"
#include "spec/kubernetes_syntax.h"
#include "spec/validate_common.h"

namespace easel::spec {
namespace {

constexpr int kMaxPoolNodes = 1000;
constexpr int kMinSystemVcpus = 2;
constexpr double kMinSystemMemoryGib = 4;
constexpr int kMinMaxPods = 10, kMaxMaxPods = 250;
constexpr int kMinOsDiskGb = 30, kMaxOsDiskGb = 2048;
constexpr size_t kMaxPools = 100;  // AKS's maxAgentPools
const char* const kReservedLabelPrefix = "kubernetes.azure.com";

// Ranges AKS refuses for pods, services and the VNet.
const char* const kReservedRanges[] = {"169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16",
                                       "192.0.2.0/24"};

class AksValidator {
 public:
  AksValidator(const AksClusterSpec& s, const Catalog& c, const AksCatalog& aks, Diagnostics* d)
      : s_(s), catalog_(c), aks_(aks), d_(d) {}

  void Run() {
    CheckClusterName();
    CheckTags(s_.tags, d_);
    CheckSubscriptionId(s_.subscription_id, d_);
    region_ = CheckLocation(s_.location, catalog_, d_);
    CheckAzureName(d_, AzureNameKind::kResourceGroup, "spec.resourceGroup", s_.resource_group);
    CheckVersion();
    CheckNetwork();
    CheckIdentity();
    CheckEntra();
    CheckVirtualNodes();
    CheckGitOps();
    CheckPools();
  }

 private:
  // The cluster name is also its DNS prefix: 1-54 characters, letters, digits and '-'.
  void CheckClusterName() {
    static const std::regex kName("^[a-z][a-z0-9-]{0,52}[a-z0-9]$|^[a-z]$");
    if (!s_.name.empty() && !std::regex_match(s_.name, kName)) {
      d_->Add("metadata.name",
              "must be 1-54 characters of lowercase letters, digits and '-', starting with a "
              "letter and ending with a letter or digit (it is also the cluster's DNS prefix), "
              "got " +
                  Quote(s_.name));
    }
  }

  void CheckVersion() {
    const std::string& v = s_.kubernetes_version;
    if (v.empty()) return;
    static const std::regex kSyntax("^1\\.[0-9]{1,3}(\\.[0-9]{1,4})?$");
    if (!std::regex_match(v, kSyntax)) {
      d_->Add("spec.kubernetesVersion",
              "must be MAJOR.MINOR or MAJOR.MINOR.PATCH such as \"1.36\", got " + Quote(v));
      return;
    }
    if (!region_) return;
    if (!aks_.Resolve(v, s_.location)) {
      d_->Add("spec.kubernetesVersion", Quote(v) + " is not offered by AKS in " + s_.location +
                                            " (offered: " + Join(aks_.Versions(s_.location), ", ") +
                                            ")");
    }
  }

  std::optional<Cidr> Range(const std::string& path, const std::string& text, int min_prefix,
                            int max_prefix) {
    std::optional<Cidr> c = CheckCidrField(d_, path, text, min_prefix, max_prefix);
    if (!c) return c;
    for (const char* reserved : kReservedRanges) {
      Result<Cidr> r = ParseCidr(reserved);
      if (r.ok() && c->Overlaps(*r)) {
        d_->Add(path, c->ToString() + " overlaps " + reserved + ", which AKS reserves");
        return std::nullopt;
      }
    }
    return c;
  }

  void CheckNetwork() {
    const AksNetworkSpec& n = s_.network;
    std::optional<Cidr> vnet, node, vnodes;
    if (!n.managed_vnet) {
      if (n.vnet.placement == Placement::kDynamic) {
        vnet = Range("spec.network.vnet.cidr", n.vnet.cidr, 8, 24);
      } else {
        CheckAzureName(d_, AzureNameKind::kVirtualNetwork, "spec.network.vnet.name", n.vnet.name);
        CheckAzureName(d_, AzureNameKind::kResourceGroup, "spec.network.vnet.resourceGroup",
                       n.vnet.resource_group);
        CheckAzureName(d_, AzureNameKind::kNetworkChild, "spec.network.nodeSubnet.name",
                       n.node_subnet.name);
      }
      node = CheckCidrField(d_, "spec.network.nodeSubnet.cidr", n.node_subnet.cidr, 8, 28);
      if (vnet && node && !vnet->Contains(*node)) {
        d_->Add("spec.network.nodeSubnet.cidr",
                node->ToString() + " is not inside the VNet " + vnet->ToString());
        node.reset();
      }
    }
    if (s_.virtual_nodes.enabled) {
      vnodes =
          CheckCidrField(d_, "spec.virtualNodes.subnet.cidr", s_.virtual_nodes.subnet.cidr, 8, 28);
      if (vnet && vnodes && !vnet->Contains(*vnodes)) {
        d_->Add("spec.virtualNodes.subnet.cidr",
                vnodes->ToString() + " is not inside the VNet " + vnet->ToString());
      } else if (node && vnodes && node->Overlaps(*vnodes)) {
        d_->Add("spec.virtualNodes.subnet.cidr", vnodes->ToString() + " overlaps the node subnet " +
                                                     node->ToString() +
                                                     " (virtual nodes need a subnet of their own)");
      }
    }
    std::optional<Cidr> pods = Range("spec.network.podCidr", n.pod_cidr, 8, 24);
    std::optional<Cidr> services = Range("spec.network.serviceCidr", n.service_cidr, 8, 28);
    for (const auto& [field, range] : {std::pair{"spec.network.podCidr", &pods},
                                       std::pair{"spec.network.serviceCidr", &services}}) {
      if (*range && vnet && (*range)->Overlaps(*vnet)) {
        d_->Add(field, (*range)->ToString() + " overlaps the VNet " + vnet->ToString() +
                           " (cluster ranges must lie outside the Azure network)");
      }
    }
    if (pods && services && pods->Overlaps(*services)) {
      d_->Add("spec.network.serviceCidr",
              services->ToString() + " overlaps the pod range " + pods->ToString());
    }
    if (!n.dns_service_ip.empty()) {
      Result<Ipv4> ip = ParseIpv4(n.dns_service_ip);
      if (!ip.ok()) {
        d_->Add("spec.network.dnsServiceIP", ip.status().message());
      } else if (services && !services->Contains(*ip)) {
        d_->Add("spec.network.dnsServiceIP",
                ip->ToString() + " is not inside serviceCidr " + services->ToString());
      } else if (services && ip->value == services->First()) {
        d_->Add("spec.network.dnsServiceIP",
                ip->ToString() + " is the first address of serviceCidr; AKS refuses it");
      }
    }
    if (n.outbound == AksOutbound::kManagedNatGateway && !n.managed_vnet) {
      d_->Add("spec.network.outbound",
              "ManagedNATGateway works only in an AKS-managed VNet (omit network.vnet); in your "
              "own VNet use UserAssignedNATGateway");
    }
    if (n.outbound == AksOutbound::kUserAssignedNatGateway && n.managed_vnet) {
      d_->Add("spec.network.outbound",
              "UserAssignedNATGateway needs network.vnet (the NAT gateway is on the node subnet); "
              "with an AKS-managed VNet use ManagedNATGateway");
    }
    if (!n.authorized_ip_ranges.empty() && n.private_api) {
      d_->Add("spec.network.apiServer.authorizedIPRanges",
              "is only for a public API server (apiServer.private is true)");
    }
    for (size_t i = 0; i < n.authorized_ip_ranges.size(); ++i) {
      const std::string& r = n.authorized_ip_ranges[i];
      const std::string path = IndexPath("spec.network.apiServer.authorizedIPRanges", i);
      if (r.find('/') == std::string::npos) {
        if (Result<Ipv4> ip = ParseIpv4(r); !ip.ok()) d_->Add(path, ip.status().message());
      } else {
        CheckCidrField(d_, path, r, 0, 32);
      }
    }
  }

  void CheckIdentity() {
    const AksIdentitySpec& id = s_.identity;
    if (id.type == AksIdentityType::kSystemAssigned && !id.id.empty()) {
      d_->Add("spec.identity.id", "is only for type UserAssigned");
    }
    if (!id.id.empty() && id.type == AksIdentityType::kUserAssigned) {
      static const std::regex kId(
          "^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/]+/providers/"
          "Microsoft\\.ManagedIdentity/userAssignedIdentities/[^/]+$",
          std::regex::icase);
      if (id.id.size() > 1024 || !std::regex_match(id.id, kId)) {
        d_->Add("spec.identity.id",
                "must be the ARM id of a user-assigned identity (/subscriptions/.../resourceGroups/"
                ".../providers/Microsoft.ManagedIdentity/userAssignedIdentities/NAME), got " +
                    Quote(id.id));
      }
    }
  }

  void CheckEntra() {
    const AksEntraSpec& e = s_.entra;
    if (!e.enabled) {
      if (e.disable_local_accounts) {
        d_->Add("spec.entra.disableLocalAccounts",
                "needs entra.enabled: without Entra ID the local accounts are the only way in");
      }
      if (e.azure_rbac) d_->Add("spec.entra.azureRBAC", "needs entra.enabled");
      if (!e.admin_group_object_ids.empty()) {
        d_->Add("spec.entra.adminGroupObjectIDs", "needs entra.enabled");
      }
    }
    for (size_t i = 0; i < e.admin_group_object_ids.size(); ++i) {
      if (!IsGuid(e.admin_group_object_ids[i])) {
        d_->Add(IndexPath("spec.entra.adminGroupObjectIDs", i),
                "must be a group's object id (a GUID), got " + Quote(e.admin_group_object_ids[i]));
      }
    }
  }

  void CheckVirtualNodes() {
    if (!s_.virtual_nodes.enabled) return;
    const AksNetworkSpec& n = s_.network;
    if (n.plugin != AksNetworkPlugin::kAzure) {
      d_->Add("spec.virtualNodes.enabled", "needs the azure network plugin (not kubenet)");
    }
    if (n.managed_vnet) {
      d_->Add("spec.virtualNodes.enabled",
              "needs network.vnet: the virtual nodes' subnet is in the cluster's own VNet");
    }
    if (!n.authorized_ip_ranges.empty()) {
      d_->Add("spec.network.apiServer.authorizedIPRanges",
              "cannot be used with virtual nodes (Azure Container Instances reach the API server "
              "from addresses outside any range)");
    }
    const SubnetSpec& sub = s_.virtual_nodes.subnet;
    if (!sub.name.empty()) {
      CheckAzureName(d_, AzureNameKind::kNetworkChild, "spec.virtualNodes.subnet.name", sub.name);
      if (sub.name == n.node_subnet.name) {
        d_->Add("spec.virtualNodes.subnet.name",
                "is the node subnet; virtual nodes need a subnet of their own");
      }
    }
  }

  void CheckGitOps() {
    if (!s_.gitops) return;
    const AksGitOpsSpec& g = *s_.gitops;
    const bool scheme = StartsWith(g.url, "https://") || StartsWith(g.url, "ssh://") ||
                        StartsWith(g.url, "http://");
    if (!g.url.empty() && (!scheme || g.url.size() > 2048 ||
                           g.url.find_first_of(" \t\r\n\"'") != std::string::npos)) {
      d_->Add("spec.gitops.url",
              "must be a Git repository URL (https://, http:// or ssh://), got " + Quote(g.url));
    }
    static const std::regex kBranch("^[A-Za-z0-9._/-]{1,250}$");
    if (!std::regex_match(g.branch, kBranch) || g.branch.find("..") != std::string::npos) {
      d_->Add("spec.gitops.branch", "must be a Git branch name, got " + Quote(g.branch));
    }
    if (g.path.empty() || g.path[0] == '/' || g.path.find("..") != std::string::npos ||
        g.path.size() > 1024) {
      d_->Add("spec.gitops.path",
              "must be a path inside the repository (relative, without ..), got " + Quote(g.path));
    }
  }

  void CheckPools() {
    if (s_.pools.empty()) return;  // reported by the parser
    if (s_.pools.size() > kMaxPools) {
      d_->Add("spec.pools", "has " + std::to_string(s_.pools.size()) + " pools; AKS allows " +
                                std::to_string(kMaxPools));
    }
    bool system = false;
    std::map<std::string, size_t> names;
    for (size_t i = 0; i < s_.pools.size(); ++i) {
      const AksPoolSpec& p = s_.pools[i];
      const std::string path = IndexPath("spec.pools", i);
      system = system || p.mode == AksPoolMode::kSystem;
      if (!p.name.empty()) {
        auto [it, inserted] = names.emplace(p.name, i);
        if (!inserted) {
          d_->Add(path + ".name", "repeats the name of spec.pools[" + std::to_string(it->second) +
                                      "] " + Quote(p.name));
        }
      }
      CheckPool(p, path);
    }
    if (!system) {
      d_->Add("spec.pools",
              "needs at least one pool with mode System (it runs CoreDNS and the "
              "other system pods)");
    }
  }

  void CheckPool(const AksPoolSpec& p, const std::string& path) {
    static const std::regex kPoolName("^[a-z][a-z0-9]{0,11}$");
    if (!p.name.empty() && !std::regex_match(p.name, kPoolName)) {
      d_->Add(path + ".name",
              "must be 1-12 lowercase letters and digits, starting with a letter, got " +
                  Quote(p.name));
    }
    const bool sys = p.mode == AksPoolMode::kSystem;
    const int min_count = sys ? 1 : 0;
    if (p.count < min_count || p.count > kMaxPoolNodes) {
      d_->Add(path + ".count",
              "must be " + std::to_string(min_count) + " to " + std::to_string(kMaxPoolNodes) +
                  (sys ? " for a System pool" : "") + ", got " + std::to_string(p.count));
    }
    if (p.autoscale) {
      const Autoscale& a = *p.autoscale;
      if (a.min < min_count || a.max > kMaxPoolNodes || a.min > a.max) {
        d_->Add(path + ".autoscale", "needs " + std::to_string(min_count) + " <= min <= max <= " +
                                         std::to_string(kMaxPoolNodes) + ", got min " +
                                         std::to_string(a.min) + ", max " + std::to_string(a.max));
      } else if (p.count < a.min || p.count > a.max) {
        d_->Add(path + ".count", std::to_string(p.count) + " is outside autoscale [" +
                                     std::to_string(a.min) + ", " + std::to_string(a.max) + "]");
      }
    }
    if (p.max_pods < kMinMaxPods || p.max_pods > kMaxMaxPods) {
      d_->Add(path + ".maxPods", "must be " + std::to_string(kMinMaxPods) + " to " +
                                     std::to_string(kMaxMaxPods) + ", got " +
                                     std::to_string(p.max_pods));
    }
    const VmSize* size = nullptr;
    if (!p.vm_size.empty()) {
      size = catalog_.FindVmSize(p.vm_size);
      if (!size) {
        std::string hint = ClosestMatch(p.vm_size, catalog_.VmSizeNames());
        d_->Add(path + ".vmSize", "unknown VM size " + Quote(p.vm_size) +
                                      (hint.empty() ? "" : " (did you mean " + hint + "?)"));
      } else if (region_ && !catalog_.OfferedInRegion(p.vm_size, s_.location)) {
        d_->Add(path + ".vmSize", p.vm_size + " is not offered in " + s_.location);
        size = nullptr;
      } else if (sys && (size->vcpus < kMinSystemVcpus || size->memory_gib < kMinSystemMemoryGib)) {
        d_->Add(path + ".vmSize", p.vm_size + " has " + std::to_string(size->vcpus) + " vCPU and " +
                                      std::to_string(static_cast<int>(size->memory_gib)) +
                                      " GiB; a System pool needs at least 2 vCPU and 4 GiB");
      }
    }
    CheckZones(d_, catalog_, s_.location, size ? p.vm_size : "", p.zones, path + ".zones");
    for (const auto& [key, value] : p.labels) {
      const std::string lpath = ChildPath(path + ".labels", key);
      if (std::string problem = LabelKeyProblem(key); !problem.empty()) d_->Add(lpath, problem);
      if (std::string problem = LabelValueProblem(value); !problem.empty()) {
        d_->Add(lpath, problem);
      }
      std::string prefix = key.substr(0, key.find('/'));
      if (key.find('/') != std::string::npos &&
          (prefix == kReservedLabelPrefix ||
           EndsWith(prefix, std::string(".") + kReservedLabelPrefix))) {
        d_->Add(lpath, "labels under kubernetes.azure.com are reserved for AKS");
      }
    }
    if (p.os_disk_size_gb < kMinOsDiskGb || p.os_disk_size_gb > kMaxOsDiskGb) {
      d_->Add(path + ".osDisk.sizeGB", "must be " + std::to_string(kMinOsDiskGb) + " to " +
                                           std::to_string(kMaxOsDiskGb) + " GiB, got " +
                                           std::to_string(p.os_disk_size_gb));
    } else if (p.os_disk_type == AksOsDiskType::kEphemeral && size) {
      std::optional<int> max = aks_.EphemeralOsDiskMaxGb(p.vm_size);
      if (!max || *max == 0) {
        d_->Add(path + ".osDisk.type",
                p.vm_size +
                    " has no local disk for an Ephemeral OS disk (choose a size with a "
                    "local disk, such as Standard_D4ds_v5, or type Managed)");
      } else if (p.os_disk_size_gb > *max) {
        d_->Add(path + ".osDisk.sizeGB", std::to_string(p.os_disk_size_gb) + " GiB does not fit " +
                                             p.vm_size +
                                             "'s local disk for an Ephemeral OS disk (at most " +
                                             std::to_string(*max) + " GiB)");
      }
    }
  }

  const AksClusterSpec& s_;
  const Catalog& catalog_;
  const AksCatalog& aks_;
  Diagnostics* d_;
  const Region* region_ = nullptr;
};

}  // namespace

void ValidateAksClusterSpec(const AksClusterSpec& spec, const Catalog& catalog,
                            const AksCatalog& aks, Diagnostics* diagnostics) {
  AksValidator(spec, catalog, aks, diagnostics).Run();
}

}  // namespace easel::spec
