#include "spec/parse.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/files.h"
#include "common/strings.h"
#include "spec/kubernetes_syntax.h"
#include "spec/parse_util.h"
#include "spec/yaml_reader.h"

namespace easel::spec {
namespace {

// Default values, documented in docs/spec.md.
constexpr const char* kDefaultVnetCidr = "10.0.0.0/16";
constexpr const char* kDefaultControlPlaneCidr = "10.0.0.0/24";
constexpr const char* kDefaultWorkerCidr = "10.0.16.0/20";
constexpr const char* kDefaultVmSize = "Standard_D4s_v5";
constexpr const char* kDefaultControlPlaneDiskType = "Premium_LRS";
constexpr const char* kDefaultWorkerDiskType = "StandardSSD_LRS";
constexpr int kDefaultDiskSizeGb = 128;
constexpr const char* kDefaultPodCidr = "192.168.0.0/16";    // Calico's default pool
constexpr const char* kDefaultServiceCidr = "10.96.0.0/12";  // kubeadm's default

class SpecParser {
 public:
  SpecParser(const ParseOptions& options, Diagnostics* d)
      : options_(options),
        catalog_(options.catalog ? *options.catalog : EmbeddedCatalog()),
        d_(d) {}

  ClusterSpec Parse(const YAML::Node& root) {
    if (KindOf(root) != ValueKind::kMapping) {
      d_->Add(options_.source_name,
              std::string("must be a mapping (apiVersion, kind, metadata, spec), got ") +
                  KindLabel(KindOf(root)));
      return spec_;
    }
    MapReader top(root, "", d_, {"apiVersion", "kind", "metadata", "spec"});
    if (auto v = top.String("apiVersion", Need::kRequired); v && *v != "easel/v1") {
      d_->Add("apiVersion", "must be easel/v1, got " + Quote(*v));
    }
    if (auto k = top.String("kind", Need::kRequired); k && *k != "AzureCluster") {
      d_->Add("kind", "must be AzureCluster or AKSCluster, got " + Quote(*k));
    }
    if (top.Has("metadata")) {
      ReadMetadata(top.Get("metadata"));
    } else {
      top.ReportMissing("metadata");
    }
    if (!top.Has("spec")) {
      top.ReportMissing("spec");
      return spec_;
    }
    ReadSpec(top.Get("spec"));
    return spec_;
  }

 private:
  void Default(const std::string& path, const std::string& value) {
    spec_.defaults_applied.emplace_back(path, value);
  }

  void StringOrDefault(MapReader& r, const std::string& key, const std::string& fallback,
                       std::string* out) {
    spec::StringOrDefault(r, key, fallback, out, &spec_.defaults_applied);
  }

  std::optional<std::string> Choice(MapReader& r, const std::string& key,
                                    const std::vector<std::string>& choices,
                                    const std::string& fallback) {
    return spec::Choice(r, key, choices, fallback, &spec_.defaults_applied);
  }

  void ReadMetadata(const YAML::Node& node) {
    MapReader m(node, "metadata", d_, {"name", "tags"});
    if (auto name = m.String("name", Need::kRequired)) spec_.name = *name;
    if (auto tags = m.StringMap("tags")) spec_.tags = *tags;
  }

  void ReadSpec(const YAML::Node& node) {
    MapReader s(node, "spec", d_,
                {"subscriptionId", "location", "resourceGroup", "kubernetesVersion", "sshPublicKey",
                 "sshPublicKeyFile", "network", "storage", "image", "controlPlane", "workerPools",
                 "pki", "addons"});
    if (auto v = s.String("subscriptionId", Need::kRequired)) spec_.subscription_id = *v;
    if (auto v = s.String("location", Need::kRequired)) spec_.location = *v;
    if (auto v = s.String("resourceGroup", Need::kRequired)) spec_.resource_group = *v;
    if (auto v = s.String("kubernetesVersion", Need::kRequired)) spec_.kubernetes_version = *v;
    ReadSshKey(s);
    ReadNetwork(s.Get("network"));
    ReadStorage(s);
    ReadImage(s);
    ReadControlPlane(s.Get("controlPlane"));
    ReadWorkerPools(s);
    ReadPki(s.Get("pki"));
    ReadAddons(s.Get("addons"));
  }

  // image: {vhdUrl} (copied server side) or {vhdFile} (a local VHD, uploaded); one of the two.
  void ReadImage(MapReader& s) {
    if (!s.Has("image")) {
      s.ReportMissing("image");
      return;
    }
    MapReader image(s.Get("image"), "spec.image", d_, {"vhdUrl", "vhdFile", "cache"});
    if (auto v = image.Boolean("cache")) spec_.image.cache = *v;
    const bool url = image.Has("vhdUrl"), file = image.Has("vhdFile");
    if (url && file) {
      d_->Add("spec.image.vhdFile", "give either vhdUrl or vhdFile, not both");
      return;
    }
    if (!url && !file) {
      if (image.is_mapping()) d_->Add("spec.image.vhdUrl", "is required (or vhdFile)");
      return;
    }
    if (url) {
      if (auto v = image.String("vhdUrl")) spec_.image.vhd_url = *v;
      return;
    }
    if (auto v = image.String("vhdFile")) {
      if (v->empty()) {
        d_->Add("spec.image.vhdFile", "must name a file");
        return;
      }
      std::filesystem::path p(*v);
      if (p.is_relative()) p = std::filesystem::path(options_.base_dir) / p;
      spec_.image.vhd_file = p.lexically_normal().string();
    }
  }

  void ReadPki(const YAML::Node& node) {
    MapReader r(node, "spec.pki", d_, {"keyAlgorithm"});
    if (auto v = Choice(r, "keyAlgorithm", {"RSA-2048", "ECDSA-P256"}, "RSA-2048")) {
      spec_.pki.key_algorithm =
          *v == "ECDSA-P256" ? PkiKeyAlgorithm::kEcdsaP256 : PkiKeyAlgorithm::kRsa2048;
    }
  }

  void ReadAddons(const YAML::Node& node) {
    AddonsSpec& a = spec_.addons;
    MapReader r(node, "spec.addons", d_, {"cni", "versions", "mirror"});
    if (auto v = Choice(r, "cni", {"calico", "none"}, "calico")) {
      a.cni = *v == "none" ? Cni::kNone : Cni::kCalico;
    }
    MapReader versions(r.Get("versions"), "spec.addons.versions", d_,
                       {"calico", "cloudProviderAzure", "azureDiskCsi"});
    if (auto v = versions.String("calico")) a.calico_version = *v;
    if (auto v = versions.String("cloudProviderAzure")) a.cloud_provider_azure_version = *v;
    if (auto v = versions.String("azureDiskCsi")) a.azure_disk_csi_version = *v;
    if (auto v = r.String("mirror")) a.mirror = *v;
  }

  void ReadSshKey(MapReader& s) {
    bool inline_key = s.Has("sshPublicKey"), file_key = s.Has("sshPublicKeyFile");
    if (inline_key && file_key) {
      d_->Add("spec.sshPublicKeyFile", "give either sshPublicKey or sshPublicKeyFile, not both");
      return;
    }
    if (!inline_key && !file_key) {
      if (s.is_mapping()) d_->Add("spec.sshPublicKey", "is required (or sshPublicKeyFile)");
      return;
    }
    if (inline_key) {
      if (auto v = s.String("sshPublicKey")) {
        if (v->find_first_not_of(" \t\r\n") == std::string::npos) {
          d_->Add("spec.sshPublicKey", "is empty (it should be one OpenSSH public key)");
        } else {
          spec_.ssh_public_key = *v;
        }
      }
      return;
    }
    auto path = s.String("sshPublicKeyFile");
    if (!path) return;
    std::filesystem::path p(*path);
    if (p.is_relative()) p = std::filesystem::path(options_.base_dir) / p;
    Result<std::string> text = ReadFileBounded(p.string(), 64 << 10);
    if (!text.ok()) {
      d_->Add("spec.sshPublicKeyFile", *path + ": " + text.status().message());
      return;
    }
    std::string key = *text;
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) {
      key.pop_back();
    }
    if (key.empty()) {
      d_->Add("spec.sshPublicKeyFile",
              *path + ": is empty (it should hold one OpenSSH public key)");
      return;
    }
    spec_.ssh_public_key = key;
  }

  void ReadSubnet(const YAML::Node& node, const std::string& path, bool dynamic,
                  const char* default_cidr, SubnetSpec* out) {
    MapReader r(node, path, d_, {"cidr", "name", "securityGroup"});
    if (dynamic) {
      for (const char* key : {"name", "securityGroup"}) {
        if (r.Has(key)) {
          d_->Add(r.PathOf(key),
                  "is only for static placement (network.vnet.name); easel names "
                  "the subnets and security groups it creates");
        }
      }
      StringOrDefault(r, "cidr", default_cidr, &out->cidr);
      return;
    }
    if (!r.Has("name")) {
      d_->Add(r.PathOf("name"), "is required with static placement (an existing subnet)");
    } else if (auto v = r.String("name")) {
      out->name = *v;
    }
    if (!r.Has("securityGroup")) {
      d_->Add(r.PathOf("securityGroup"),
              "is required with static placement (the existing network security group)");
    } else if (auto v = r.String("securityGroup")) {
      out->security_group = *v;
    }
    if (auto cidr = r.String("cidr")) out->cidr = *cidr;
  }

  void ReadNetwork(const YAML::Node& node) {
    MapReader n(node, "spec.network", d_,
                {"vnet", "controlPlaneSubnet", "workerSubnet", "apiServer", "outbound", "podCidr",
                 "serviceCidr"});
    NetworkSpec& net = spec_.network;
    MapReader vnet(n.Get("vnet"), "spec.network.vnet", d_, {"cidr", "name", "resourceGroup"});
    bool has_name = vnet.Has("name"), has_cidr = vnet.Has("cidr");
    if (has_name && has_cidr) {
      d_->Add("spec.network.vnet",
              "give either cidr (easel creates the VNet) or name (an "
              "existing VNet), not both");
    }
    if (has_name) {
      net.vnet.placement = Placement::kStatic;
      if (auto v = vnet.String("name")) net.vnet.name = *v;
      StringOrDefault(vnet, "resourceGroup", spec_.resource_group, &net.vnet.resource_group);
    } else {
      if (vnet.Has("resourceGroup")) {
        d_->Add("spec.network.vnet.resourceGroup",
                "is only for an existing VNet (set vnet.name); easel creates its VNet in "
                "spec.resourceGroup");
      }
      StringOrDefault(vnet, "cidr", kDefaultVnetCidr, &net.vnet.cidr);
    }
    bool dynamic = net.vnet.placement == Placement::kDynamic;
    if (!dynamic && !n.Has("controlPlaneSubnet")) n.ReportMissing("controlPlaneSubnet");
    if (!dynamic && !n.Has("workerSubnet")) n.ReportMissing("workerSubnet");
    if (dynamic || n.Has("controlPlaneSubnet")) {
      ReadSubnet(n.Get("controlPlaneSubnet"), "spec.network.controlPlaneSubnet", dynamic,
                 kDefaultControlPlaneCidr, &net.control_plane_subnet);
    }
    if (dynamic || n.Has("workerSubnet")) {
      ReadSubnet(n.Get("workerSubnet"), "spec.network.workerSubnet", dynamic, kDefaultWorkerCidr,
                 &net.worker_subnet);
    }
    ReadApiServer(n.Get("apiServer"));
    StringOrDefault(n, "podCidr", kDefaultPodCidr, &net.pod_cidr);
    StringOrDefault(n, "serviceCidr", kDefaultServiceCidr, &net.service_cidr);
    net.outbound = dynamic ? Outbound::kNatGateway : Outbound::kNone;
    if (auto v = Choice(n, "outbound", {"NATGateway", "None"}, ToString(net.outbound))) {
      net.outbound = *v == "None" ? Outbound::kNone : Outbound::kNatGateway;
    }
  }

  void ReadApiServer(const YAML::Node& node) {
    ApiServerSpec& api = spec_.network.api_server;
    MapReader a(node, "spec.network.apiServer", d_, {"type", "privateIP", "privateDnsZone"});
    if (auto t = Choice(a, "type", {"Public", "Internal"}, "Public")) {
      api.type = *t == "Internal" ? ApiServerType::kInternal : ApiServerType::kPublic;
    } else if (a.Has("type")) {
      return;  // reported; the other fields depend on the type
    }
    if (api.type == ApiServerType::kPublic) {
      for (const char* key : {"privateIP", "privateDnsZone"}) {
        if (a.Has(key)) d_->Add(a.PathOf(key), "is only for an Internal API server");
      }
      return;
    }
    if (!a.Has("privateIP")) {
      d_->Add("spec.network.apiServer.privateIP", "is required for an Internal API server");
    } else if (auto ip = a.String("privateIP")) {
      api.private_ip = *ip;
    }
    MapReader z(a.Get("privateDnsZone"), "spec.network.apiServer.privateDnsZone", d_,
                {"name", "resourceGroup"});
    if (auto v = z.String("name")) api.private_dns_zone.name = *v;
    if (auto v = z.String("resourceGroup")) api.private_dns_zone.resource_group = *v;
    if (!z.Has("name")) {
      if (z.Has("resourceGroup")) {
        d_->Add("spec.network.apiServer.privateDnsZone.name",
                "is required when resourceGroup names an existing zone's group");
      } else {
        api.private_dns_zone.name = spec_.name + ".easel.internal";
        api.private_dns_zone.name_defaulted = true;
        Default("spec.network.apiServer.privateDnsZone.name", api.private_dns_zone.name);
      }
    }
  }

  void ReadStorage(MapReader& s) {
    StorageSpec& st = spec_.storage;
    MapReader r(s.Get("storage"), "spec.storage", d_, {"account", "container", "access"});
    st.access_set = r.Has("access");
    if (auto v = Choice(r, "access", {"hardened", "unrestricted", "private"}, "hardened")) {
      st.access = *v == "private"        ? StorageAccess::kPrivate
                  : *v == "unrestricted" ? StorageAccess::kUnrestricted
                                         : StorageAccess::kHardened;
    }
    YAML::Node account = r.Get("account");
    ValueKind kind = r.Has("account") ? KindOf(account) : ValueKind::kNull;
    if (kind == ValueKind::kNull) {
      Default("spec.storage.account", "auto");
    } else if (kind == ValueKind::kString) {
      if (account.Scalar() != "auto") {
        d_->Add("spec.storage.account",
                "must be auto or {name, resourceGroup} of an existing account, got " +
                    Quote(account.Scalar()));
      }
    } else if (kind == ValueKind::kMapping) {
      MapReader a(account, "spec.storage.account", d_, {"name", "resourceGroup"});
      st.custom_account = true;
      if (auto v = a.String("name", Need::kRequired)) st.account_name = *v;
      StringOrDefault(a, "resourceGroup", spec_.resource_group, &st.account_resource_group);
    } else {
      d_->Add(
          "spec.storage.account",
          std::string("must be auto or a mapping {name, resourceGroup}, got ") + KindLabel(kind));
    }
    if (auto c = r.String("container")) {
      if (*c != "auto") {
        st.auto_container = false;
        st.container_name = *c;
      }
    } else if (!r.Has("container")) {
      Default("spec.storage.container", "auto");
    }
  }

  void ReadOsDisk(const YAML::Node& node, const std::string& path, const char* default_type,
                  OsDisk* out) {
    MapReader r(node, path, d_, {"type", "sizeGB"});
    out->size_gb = kDefaultDiskSizeGb;
    StringOrDefault(r, "type", default_type, &out->type);
    if (auto v = r.Integer("sizeGB")) {
      out->size_gb = static_cast<int>(std::clamp<int64_t>(*v, -1, 1 << 30));
    } else if (!r.Has("sizeGB")) {
      Default(path + ".sizeGB", std::to_string(kDefaultDiskSizeGb));
    }
  }

  std::vector<std::string> RegionZones() const {
    const Region* region = catalog_.FindRegion(spec_.location);
    return region ? region->zones : std::vector<std::string>{};
  }

  void ReadZones(MapReader& r, const std::string& path, std::vector<std::string>* out) {
    if (auto z = r.StringList("zones")) {
      *out = *z;
    } else if (!r.Has("zones")) {
      *out = RegionZones();
      Default(path + ".zones", "[" + Join(*out, ", ") + "]");
    }
  }

  void ReadCount(MapReader& r, const std::string& path, int fallback, int* out) {
    if (auto c = r.Integer("count")) {
      *out = static_cast<int>(std::clamp<int64_t>(*c, -1, 1 << 30));
    } else if (!r.Has("count")) {
      *out = fallback;
      Default(path + ".count", std::to_string(fallback));
    }
  }

  void ReadControlPlane(const YAML::Node& node) {
    ControlPlaneSpec& cp = spec_.control_plane;
    const std::string path = "spec.controlPlane";
    MapReader r(node, path, d_, {"count", "vmSize", "osDisk", "zones"});
    ReadCount(r, path, 1, &cp.count);
    StringOrDefault(r, "vmSize", kDefaultVmSize, &cp.vm_size);
    ReadOsDisk(r.Get("osDisk"), path + ".osDisk", kDefaultControlPlaneDiskType, &cp.os_disk);
    ReadZones(r, path, &cp.zones);
  }

  void ReadWorkerPools(MapReader& s) {
    if (!s.Has("workerPools")) {
      s.ReportMissing("workerPools");
      return;
    }
    YAML::Node pools = s.Get("workerPools");
    if (KindOf(pools) != ValueKind::kList) {
      d_->Add("spec.workerPools", std::string("must be a list, got ") + KindLabel(KindOf(pools)));
      return;
    }
    if (pools.size() == 0) d_->Add("spec.workerPools", "must have at least one pool");
    for (size_t i = 0; i < pools.size(); ++i) {
      spec_.worker_pools.push_back(ReadPool(pools[i], IndexPath("spec.workerPools", i)));
    }
  }

  WorkerPoolSpec ReadPool(const YAML::Node& node, const std::string& path) {
    WorkerPoolSpec pool;
    MapReader r(node, path, d_,
                {"name", "count", "vmSize", "zones", "autoscale", "labels", "taints", "osDisk",
                 "updateStrategy"});
    if (auto v = r.String("name", Need::kRequired)) pool.name = *v;
    if (r.Has("autoscale")) {
      MapReader a(r.Get("autoscale"), path + ".autoscale", d_, {"min", "max"});
      auto min = a.Integer("min", Need::kRequired);
      auto max = a.Integer("max", Need::kRequired);
      if (min && max) {
        pool.autoscale = Autoscale{static_cast<int>(std::clamp<int64_t>(*min, -1, 1 << 30)),
                                   static_cast<int>(std::clamp<int64_t>(*max, -1, 1 << 30))};
      }
    }
    ReadCount(r, path, pool.autoscale ? pool.autoscale->min : 1, &pool.count);
    StringOrDefault(r, "vmSize", kDefaultVmSize, &pool.vm_size);
    ReadZones(r, path, &pool.zones);
    if (auto labels = r.StringMap("labels")) {
      for (auto& [k, v] : *labels) pool.labels[k] = v;
    }
    pool.taints = ReadTaints(r, path);
    ReadOsDisk(r.Get("osDisk"), path + ".osDisk", kDefaultWorkerDiskType, &pool.os_disk);
    if (auto v = Choice(r, "updateStrategy", {"ExpandFirst", "ContractFirst"}, "ExpandFirst")) {
      pool.update_strategy =
          *v == "ContractFirst" ? UpdateStrategy::kContractFirst : UpdateStrategy::kExpandFirst;
    }
    return pool;
  }

  const ParseOptions& options_;
  const Catalog& catalog_;
  Diagnostics* d_;
  ClusterSpec spec_;
};

}  // namespace

ClusterSpec ParseClusterSpec(const std::string& text, const ParseOptions& options,
                             Diagnostics* diagnostics) {
  YAML::Node root;
  if (!LoadSpecDocument(text, options.source_name, diagnostics, &root)) return ClusterSpec{};
  return ParseClusterSpecDocument(root, options, diagnostics);
}

ClusterSpec ParseClusterSpecDocument(const YAML::Node& root, const ParseOptions& options,
                                     Diagnostics* diagnostics) {
  return SpecParser(options, diagnostics).Parse(root);
}

const char* ToString(ApiServerType t) {
  return t == ApiServerType::kPublic ? "Public" : "Internal";
}
const char* ToString(Outbound o) { return o == Outbound::kNatGateway ? "NATGateway" : "None"; }
const char* ToString(UpdateStrategy s) {
  return s == UpdateStrategy::kExpandFirst ? "ExpandFirst" : "ContractFirst";
}
const char* ToString(PkiKeyAlgorithm a) {
  return a == PkiKeyAlgorithm::kRsa2048 ? "RSA-2048" : "ECDSA-P256";
}
const char* ToString(Cni c) { return c == Cni::kCalico ? "calico" : "none"; }
const char* ToString(StorageAccess a) {
  return a == StorageAccess::kPrivate        ? "private"
         : a == StorageAccess::kUnrestricted ? "unrestricted"
                                             : "hardened";
}

}  // namespace easel::spec
