#include "spec/validate.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "common/azure_names.h"
#include "common/net.h"
#include "common/strings.h"
#include "spec/kubernetes_catalog.h"
#include "spec/kubernetes_syntax.h"
#include "spec/naming.h"
#include "spec/ssh_key.h"
#include "spec/validate_common.h"

namespace easel::spec {
namespace {

constexpr int kMaxNodesPerPool = 1000;
constexpr int kMinOsDiskGb = 30;
constexpr int kMaxOsDiskGb = 4095;
// Azure reserves the first four addresses and the last one of every subnet.
constexpr uint32_t kReservedLeading = 4;
constexpr uint32_t kReservedTrailing = 1;

// The path (without its leading '/') of "https://HOST/PATH[?QUERY]" with no '#' or whitespace and
// a non-empty host and path; nullopt otherwise. By hand, not std::regex: that one matches
// recursively and overflows the stack on a URL of some tens of thousands of characters.
std::optional<std::string> HttpsUrlPath(const std::string& url) {
  const std::string_view scheme = "https://";
  if (url.compare(0, scheme.size(), scheme) != 0) return std::nullopt;
  for (char c : url) {
    if (c == '#' || c == ' ' || (c >= '\t' && c <= '\r')) return std::nullopt;
  }
  size_t host_end = url.find_first_of("/?", scheme.size());
  if (host_end == scheme.size() || host_end == std::string::npos || url[host_end] != '/') {
    return std::nullopt;
  }
  size_t query = url.find('?', host_end);
  std::string path =
      url.substr(host_end + 1, query == std::string::npos ? query : query - host_end - 1);
  if (path.empty()) return std::nullopt;
  return path;
}

class Validator {
 public:
  Validator(const ClusterSpec& s, const Catalog& c, Diagnostics* d)
      : s_(s), catalog_(c), d_(d), region_(c.FindRegion(s.location)) {}

  void Run() {
    bool name_ok = CheckClusterName();
    CheckTags(s_.tags, d_);
    CheckSubscriptionId(s_.subscription_id, d_);
    CheckLocation(s_.location, catalog_, d_);
    CheckAzureName(d_, AzureNameKind::kResourceGroup, "spec.resourceGroup", s_.resource_group);
    CheckKubernetesVersion();
    if (!s_.ssh_public_key.empty()) {
      Result<SshPublicKey> key = ParseSshPublicKey(s_.ssh_public_key);
      if (!key.ok()) d_->Add("spec.sshPublicKey", key.status().message());
    }
    CheckNetwork();
    CheckAddons();
    CheckStorage();
    CheckImage();
    CheckControlPlane();
    CheckWorkerPools();
    if (name_ok) CheckDerivedNames();
  }

 private:
  void CheckKubernetesVersion() {
    const std::string& v = s_.kubernetes_version;
    if (v.empty()) return;
    const KubernetesCatalog& k = EmbeddedKubernetesCatalog();
    if (!IsKubernetesVersion(v)) {
      d_->Add("spec.kubernetesVersion",
              "must be a Kubernetes version MAJOR.MINOR.PATCH such as \"" + k.Minors().back() +
                  ".0\", got " + Quote(v));
    } else if (!k.Find(v)) {
      d_->Add("spec.kubernetesVersion", Quote(v) + " is not a supported Kubernetes version (" +
                                            "supported minors: " + Join(k.Minors(), ", ") + ")");
    }
  }

  // An add-on version is a release tag: "v" then digits and dots (a mirror serves the same paths).
  void CheckAddonVersion(const std::string& path, const std::string& v) {
    if (v.empty()) return;
    bool ok = v.size() >= 2 && v.size() <= 32 && v[0] == 'v';
    for (size_t i = 1; ok && i < v.size(); ++i) {
      char c = v[i];
      ok = std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
           std::isalpha(static_cast<unsigned char>(c));
    }
    if (!ok) d_->Add(path, "must be a release tag such as \"v1.2.3\", got " + Quote(v));
  }

  void CheckAddons() {
    const AddonsSpec& a = s_.addons;
    CheckAddonVersion("spec.addons.versions.calico", a.calico_version);
    CheckAddonVersion("spec.addons.versions.cloudProviderAzure", a.cloud_provider_azure_version);
    CheckAddonVersion("spec.addons.versions.azureDiskCsi", a.azure_disk_csi_version);
    if (a.cni == Cni::kNone && !a.calico_version.empty()) {
      d_->Add("spec.addons.versions.calico", "is set, but spec.addons.cni is none");
    }
    if (!a.mirror.empty()) {
      bool ok = StartsWith(a.mirror, "https://") && a.mirror.size() > 8 && a.mirror.back() == '/' &&
                a.mirror.find_first_of(" \t\"'`$\\") == std::string::npos;
      if (!ok) {
        d_->Add("spec.addons.mirror",
                "must be an https URL ending in '/' (it replaces "
                "https://raw.githubusercontent.com/ in each manifest URL), got " +
                    Quote(a.mirror));
      }
    }
  }

  // Pod and service ranges: inside no VNet or subnet range, not overlapping each other.
  void CheckClusterNetworks(const std::optional<Cidr>& vnet, const std::optional<Cidr>& cp,
                            const std::optional<Cidr>& worker) {
    const NetworkSpec& n = s_.network;
    std::optional<Cidr> pods = CheckCidrField(d_, "spec.network.podCidr", n.pod_cidr, 8, 24);
    std::optional<Cidr> services =
        CheckCidrField(d_, "spec.network.serviceCidr", n.service_cidr, 12, 24);
    const std::pair<const char*, const std::optional<Cidr>*> ranges[] = {
        {"the VNet", &vnet}, {"the control-plane subnet", &cp}, {"the worker subnet", &worker}};
    for (const auto& [field, range] : {std::pair{"spec.network.podCidr", &pods},
                                       std::pair{"spec.network.serviceCidr", &services}}) {
      if (!*range) continue;
      for (const auto& [what, other] : ranges) {
        if (*other && (*range)->Overlaps(**other)) {
          d_->Add(field, (*range)->ToString() + " overlaps " + what + " " + (*other)->ToString() +
                             " (cluster ranges must lie outside the Azure network)");
          break;
        }
      }
    }
    if (pods && services && pods->Overlaps(*services)) {
      d_->Add("spec.network.serviceCidr",
              services->ToString() + " overlaps the pod range " + pods->ToString());
    }
  }

  bool CheckClusterName() {
    const std::string& n = s_.name;
    if (n.empty()) return false;
    static const std::regex kName("^[a-z][a-z0-9-]*$");
    if (n.size() > 40 || !std::regex_match(n, kName)) {
      d_->Add("metadata.name",
              "must be 1-40 characters of lowercase letters, digits and '-', "
              "starting with a letter, got " +
                  Quote(n));
      return false;
    }
    return true;
  }

  void CheckNetwork() {
    const NetworkSpec& n = s_.network;
    const std::string cp_path = "spec.network.controlPlaneSubnet";
    const std::string worker_path = "spec.network.workerSubnet";
    std::optional<Cidr> vnet;
    if (n.vnet.placement == Placement::kDynamic) {
      vnet = CheckCidrField(d_, "spec.network.vnet.cidr", n.vnet.cidr, 8, 29);
    } else {
      CheckAzureName(d_, AzureNameKind::kVirtualNetwork, "spec.network.vnet.name", n.vnet.name);
      CheckAzureName(d_, AzureNameKind::kResourceGroup, "spec.network.vnet.resourceGroup",
                     n.vnet.resource_group);
      CheckAzureName(d_, AzureNameKind::kNetworkChild, cp_path + ".name",
                     n.control_plane_subnet.name);
      CheckAzureName(d_, AzureNameKind::kNetworkChild, worker_path + ".name", n.worker_subnet.name);
      CheckAzureName(d_, AzureNameKind::kNetworkChild, cp_path + ".securityGroup",
                     n.control_plane_subnet.security_group);
      CheckAzureName(d_, AzureNameKind::kNetworkChild, worker_path + ".securityGroup",
                     n.worker_subnet.security_group);
      if (n.outbound == Outbound::kNatGateway) {
        d_->Add("spec.network.outbound",
                "NATGateway needs subnets that easel creates; an existing "
                "VNet's egress is its owner's (use None)");
      }
      if (!n.control_plane_subnet.name.empty() &&
          ToLower(n.control_plane_subnet.name) == ToLower(n.worker_subnet.name)) {
        d_->Add(worker_path + ".name",
                "must differ from the control-plane subnet: easel puts "
                "control-plane and worker nodes in separate subnets");
      }
    }
    std::optional<Cidr> cp =
        CheckCidrField(d_, cp_path + ".cidr", n.control_plane_subnet.cidr, 8, 29);
    std::optional<Cidr> worker =
        CheckCidrField(d_, worker_path + ".cidr", n.worker_subnet.cidr, 8, 29);
    if (vnet && cp && !vnet->Contains(*cp)) {
      d_->Add(cp_path + ".cidr", cp->ToString() + " is outside the VNet " + vnet->ToString());
    }
    if (vnet && worker && !vnet->Contains(*worker)) {
      d_->Add(worker_path + ".cidr",
              worker->ToString() + " is outside the VNet " + vnet->ToString());
    }
    if (cp && worker && cp->Overlaps(*worker)) {
      d_->Add(worker_path + ".cidr",
              worker->ToString() + " overlaps the control-plane subnet " + cp->ToString());
    }
    bool internal = n.api_server.type == ApiServerType::kInternal;
    if (cp) {
      uint64_t needed =
          static_cast<uint64_t>(std::max(s_.control_plane.count, 0)) + (internal ? 1 : 0);
      CheckCapacity(cp_path + ".cidr", *cp, needed, "control-plane nodes");
    }
    if (worker) {
      uint64_t needed = 0;
      for (const WorkerPoolSpec& p : s_.worker_pools) {
        needed += static_cast<uint64_t>(std::max({p.count, p.autoscale ? p.autoscale->max : 0, 0}));
      }
      CheckCapacity(worker_path + ".cidr", *worker, needed, "worker nodes at their largest");
    }
    if (internal) CheckPrivateIp(cp);
    CheckClusterNetworks(vnet, cp, worker);
  }

  void CheckCapacity(const std::string& path, const Cidr& subnet, uint64_t needed,
                     const char* what) {
    uint64_t usable = subnet.Size() - kReservedLeading - kReservedTrailing;
    if (needed > usable) {
      d_->Add(path, subnet.ToString() + " has " + std::to_string(usable) +
                        " usable addresses, too few for " + std::to_string(needed) + " " + what);
    }
  }

  void CheckPrivateIp(const std::optional<Cidr>& cp) {
    const ApiServerSpec& api = s_.network.api_server;
    const std::string path = "spec.network.apiServer.privateIP";
    if (!api.private_ip.empty()) {
      Result<Ipv4> ip = ParseIpv4(api.private_ip);
      if (!ip.ok()) {
        d_->Add(path, ip.status().message());
      } else if (cp) {
        if (!cp->Contains(*ip)) {
          d_->Add(path, ip->ToString() + " is outside the control-plane subnet " + cp->ToString());
        } else if (ip->value < cp->First() + kReservedLeading ||
                   ip->value > cp->Last() - kReservedTrailing) {
          d_->Add(path, ip->ToString() +
                            " is reserved by Azure (the first four and the last "
                            "address of " +
                            cp->ToString() + ")");
        }
      }
    }
    const PrivateDnsZoneSpec& zone = api.private_dns_zone;
    if (!zone.name_defaulted) {  // a default name is checked with the other derived names
      CheckAzureName(d_, AzureNameKind::kPrivateDnsZone,
                     "spec.network.apiServer.privateDnsZone.name", zone.name);
    }
    CheckAzureName(d_, AzureNameKind::kResourceGroup,
                   "spec.network.apiServer.privateDnsZone.resourceGroup", zone.resource_group);
  }

  void CheckStorage() {
    const StorageSpec& st = s_.storage;
    if (st.custom_account) {
      CheckAzureName(d_, AzureNameKind::kStorageAccount, "spec.storage.account.name",
                     st.account_name);
      CheckAzureName(d_, AzureNameKind::kResourceGroup, "spec.storage.account.resourceGroup",
                     st.account_resource_group);
      if (st.access_set) {
        d_->Add("spec.storage.access",
                "applies to the account easel creates; a custom account keeps its own network and "
                "key settings (easel never changes it)");
      }
    }
    if (!st.auto_container) {
      CheckAzureName(d_, AzureNameKind::kBlobContainer, "spec.storage.container",
                     st.container_name);
    }
  }

  void CheckImage() {
    // The cached VHD lives in easel's cache account, on its public endpoint.
    if (s_.image.cache && s_.storage.custom_account) {
      d_->Add("spec.image.cache",
              "cannot be used with a custom storage account (the cache keeps the VHD in easel's "
              "own cache account); remove storage.account or set image.cache: false");
    } else if (s_.image.cache && s_.storage.access == StorageAccess::kPrivate) {
      d_->Add("spec.image.cache",
              "cannot be used with storage.access: private (the cache account is reached on its "
              "public endpoint); set image.cache: false");
    } else if (s_.image.cache && s_.storage.access == StorageAccess::kUnrestricted) {
      d_->Add("spec.image.cache",
              "cannot be used with storage.access: unrestricted (the cache account is easel's, "
              "hardened, and shared by clusters); remove storage.access or set image.cache: false");
    } else if (s_.image.cache && !s_.storage.auto_container) {
      d_->Add("spec.image.cache",
              "cannot be used with a named storage.container (the cache has its own container, "
              "easel-image-cache); remove storage.container or set image.cache: false");
    }
    if (!s_.image.vhd_file.empty() && !EndsWith(ToLower(s_.image.vhd_file), ".vhd")) {
      d_->Add("spec.image.vhdFile",
              "must name a .vhd file (Azure images are made from fixed-size VHDs; `easel image "
              "convert` makes one from a raw disk)");
    }
    const std::string& url = s_.image.vhd_url;
    if (url.empty()) return;
    const std::string path = "spec.image.vhdUrl";
    std::optional<std::string> blob_path = HttpsUrlPath(url);
    if (!blob_path) {
      d_->Add(path,
              "must be an https URL of a blob, such as "
              "\"https://account.blob.core.windows.net/images/base.vhd\", got " +
                  Quote(url));
      return;
    }
    if (blob_path->find('/') == std::string::npos) {
      d_->Add(path, "must name a container and a blob (https://host/container/blob.vhd)");
      return;
    }
    if (!EndsWith(ToLower(*blob_path), ".vhd")) {
      d_->Add(path, "must point at a .vhd blob (Azure images are made from fixed-size VHDs)");
    }
  }

  // Checks a VM size and its zones for a node group at `path`.
  void CheckPlacement(const std::string& path, const std::string& vm_size,
                      const std::vector<std::string>& zones, const OsDisk& disk, int min_vcpus) {
    const VmSize* size = vm_size.empty() ? nullptr : catalog_.FindVmSize(vm_size);
    if (!vm_size.empty() && !size) {
      std::string hint = ClosestMatch(vm_size, catalog_.VmSizeNames());
      d_->Add(path + ".vmSize", "unknown VM size " + Quote(vm_size) +
                                    (hint.empty() ? "" : " (did you mean " + hint + "?)"));
    } else if (size && region_ && !catalog_.OfferedInRegion(vm_size, s_.location)) {
      d_->Add(path + ".vmSize", vm_size + " is not offered in " + s_.location);
      size = nullptr;
    } else if (size && size->vcpus < min_vcpus) {
      d_->Add(path + ".vmSize", vm_size + " has " + std::to_string(size->vcpus) +
                                    " vCPU; a control-plane node needs at least " +
                                    std::to_string(min_vcpus));
    }
    CheckZones(d_, catalog_, s_.location, size ? vm_size : "", zones, path + ".zones");
    CheckOsDisk(path + ".osDisk", disk, size, vm_size);
  }

  void CheckOsDisk(const std::string& path, const OsDisk& disk, const VmSize* size,
                   const std::string& vm_size) {
    static const std::vector<std::string> kTypes = {
        "Standard_LRS", "StandardSSD_LRS", "StandardSSD_ZRS", "Premium_LRS", "Premium_ZRS"};
    if (disk.type.empty()) {
      // wrong YAML type: already reported by the parser
    } else if (std::find(kTypes.begin(), kTypes.end(), disk.type) == kTypes.end()) {
      std::string hint = ClosestMatch(disk.type, kTypes);
      std::string why = disk.type == "UltraSSD_LRS" || disk.type == "PremiumV2_LRS"
                            ? " (it cannot be an OS disk)"
                            : "";
      d_->Add(path + ".type", "unknown OS disk type " + Quote(disk.type) + why +
                                  (hint.empty() ? "" : " (did you mean " + hint + "?)") +
                                  "; use one of " + Join(kTypes, ", "));
    } else if (StartsWith(disk.type, "Premium") && size && !size->premium_storage) {
      d_->Add(path + ".type", disk.type + " needs a VM size with premium storage; " + vm_size +
                                  " has none (use StandardSSD_LRS or an 's' size)");
    }
    if (disk.size_gb < kMinOsDiskGb || disk.size_gb > kMaxOsDiskGb) {
      d_->Add(path + ".sizeGB", "must be between " + std::to_string(kMinOsDiskGb) + " and " +
                                    std::to_string(kMaxOsDiskGb) + " GiB, got " +
                                    std::to_string(disk.size_gb));
    }
  }

  void CheckControlPlane() {
    const ControlPlaneSpec& cp = s_.control_plane;
    if (cp.count != 1 && cp.count != 3 && cp.count != 5) {
      d_->Add("spec.controlPlane.count",
              "must be 1, 3 or 5 (etcd needs an odd quorum), got " + std::to_string(cp.count));
    }
    CheckPlacement("spec.controlPlane", cp.vm_size, cp.zones, cp.os_disk, 2);
  }

  void CheckWorkerPools() {
    static const std::regex kPoolName("^[a-z][a-z0-9]{0,11}$");
    std::map<std::string, size_t> names;
    for (size_t i = 0; i < s_.worker_pools.size(); ++i) {
      const WorkerPoolSpec& p = s_.worker_pools[i];
      const std::string path = IndexPath("spec.workerPools", i);
      if (!p.name.empty()) {
        if (!std::regex_match(p.name, kPoolName)) {
          d_->Add(path + ".name",
                  "must be 1-12 lowercase letters or digits starting with a "
                  "letter, got " +
                      Quote(p.name));
        } else if (p.name == "cp") {
          d_->Add(path + ".name",
                  "\"cp\" is reserved: control-plane machines are named "
                  "<cluster>-cp-N");
        }
        auto [it, inserted] = names.emplace(p.name, i);
        if (!inserted) {
          d_->Add(path + ".name",
                  "duplicates the name of spec.workerPools[" + std::to_string(it->second) + "]");
        }
      }
      if (p.count < 0 || p.count > kMaxNodesPerPool) {
        d_->Add(path + ".count", "must be between 0 and " + std::to_string(kMaxNodesPerPool) +
                                     ", got " + std::to_string(p.count));
      }
      if (p.autoscale) {
        const Autoscale& a = *p.autoscale;
        if (a.min < 0) d_->Add(path + ".autoscale.min", "must not be negative");
        if (a.max < 1 || a.max > kMaxNodesPerPool) {
          d_->Add(path + ".autoscale.max", "must be between 1 and " +
                                               std::to_string(kMaxNodesPerPool) + ", got " +
                                               std::to_string(a.max));
        }
        if (a.min > a.max) {
          d_->Add(path + ".autoscale", "min (" + std::to_string(a.min) + ") is greater than max (" +
                                           std::to_string(a.max) + ")");
        } else if (p.count < a.min || p.count > a.max) {
          d_->Add(path + ".count", std::to_string(p.count) + " is outside autoscale bounds " +
                                       std::to_string(a.min) + ".." + std::to_string(a.max));
        }
      }
      CheckPlacement(path, p.vm_size, p.zones, p.os_disk, 1);
      for (const auto& [key, value] : p.labels) {
        const std::string lpath = ChildPath(path + ".labels", key);
        if (std::string problem = LabelKeyProblem(key); !problem.empty()) d_->Add(lpath, problem);
        if (std::string problem = LabelValueProblem(value); !problem.empty()) {
          d_->Add(lpath, problem);
        }
      }
    }
  }

  void CheckDerivedNames() {
    std::set<std::string> already_wrong;  // a field with its own error: its derivations add noise
    for (const FieldError& e : d_->errors()) already_wrong.insert(e.path);
    for (const DerivedName& n : DerivedNames(s_)) {
      if (already_wrong.count(n.field)) continue;
      std::string problem = AzureNameProblem(n.kind, n.name);
      if (!problem.empty()) {
        d_->Add(n.field, "derived " + n.what + " name " + Quote(n.name) + " " + problem);
      }
    }
  }

  const ClusterSpec& s_;
  const Catalog& catalog_;
  Diagnostics* d_;
  const Region* region_;
};

}  // namespace

void ValidateClusterSpec(const ClusterSpec& spec, const Catalog& catalog,
                         Diagnostics* diagnostics) {
  Validator(spec, catalog, diagnostics).Run();
}

}  // namespace easel::spec
