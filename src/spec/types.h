// The easel/v1 AzureCluster spec as plain structs, with every default already applied.
//
// Produced by ParseClusterSpec (spec/parse.h); checked by ValidateClusterSpec
// (spec/validate.h). Field names mirror the YAML; docs/spec.md documents each one.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace easel::spec {

struct OsDisk {
  std::string type;  // Standard_LRS, StandardSSD_LRS, Premium_LRS, StandardSSD_ZRS, Premium_ZRS
  int size_gb = 0;
};

enum class Placement { kDynamic, kStatic };  // dynamic: easel creates the VNet

struct VnetSpec {
  Placement placement = Placement::kDynamic;
  std::string cidr;            // dynamic
  std::string name;            // static
  std::string resource_group;  // static; defaults to the cluster's resource group
};

struct SubnetSpec {
  std::string cidr;            // dynamic: required (defaulted); static: optional, for checks
  std::string name;            // static only
  std::string security_group;  // static only: the NSG associated with the subnet
};

enum class ApiServerType { kPublic, kInternal };

struct PrivateDnsZoneSpec {
  std::string name;
  std::string resource_group;   // set: an existing zone (read); empty: easel creates it
  bool name_defaulted = false;  // <cluster>.easel.internal, derived from metadata.name
};

struct ApiServerSpec {
  ApiServerType type = ApiServerType::kPublic;
  std::string private_ip;               // Internal only
  PrivateDnsZoneSpec private_dns_zone;  // Internal only; name defaulted
};

enum class Outbound { kNatGateway, kNone };

struct NetworkSpec {
  VnetSpec vnet;
  SubnetSpec control_plane_subnet;
  SubnetSpec worker_subnet;
  ApiServerSpec api_server;
  Outbound outbound = Outbound::kNatGateway;
  std::string pod_cidr;      // Kubernetes pod network (kubeadm networking.podSubnet)
  std::string service_cidr;  // Kubernetes services (kubeadm networking.serviceSubnet)
};

enum class PkiKeyAlgorithm { kRsa2048, kEcdsaP256 };

struct PkiSpec {
  PkiKeyAlgorithm key_algorithm = PkiKeyAlgorithm::kRsa2048;
};

enum class Cni { kCalico, kNone };

// Add-ons the first control-plane node installs; versions default from data/kubernetes.json.
struct AddonsSpec {
  Cni cni = Cni::kCalico;
  std::string calico_version;                // empty: the pinned one for the Kubernetes minor
  std::string cloud_provider_azure_version;  // empty: pinned
  std::string azure_disk_csi_version;        // empty: pinned
  std::string mirror;  // replaces https://raw.githubusercontent.com/ in every manifest URL
};

// Who may reach the account easel creates (spec.storage.access).
enum class StorageAccess {
  kHardened,      // public endpoint, no anonymous or (with a data role) key access: the default
  kUnrestricted,  // Palette's: public endpoint, Shared Key allowed
  kPrivate,       // no public endpoint: a private endpoint in the control-plane subnet
};
const char* ToString(StorageAccess a);

struct StorageSpec {
  bool custom_account = false;  // false: "auto"
  StorageAccess access = StorageAccess::kHardened;
  bool access_set = false;  // written in the spec (refused with a custom account)
  std::string account_name;     // custom only
  std::string account_resource_group;
  bool auto_container = true;  // true: "auto"
  std::string container_name;  // named container (custom or in the auto account)
};

struct ImageSpec {
  std::string vhd_url;   // a blob easel copies server side, or
  std::string vhd_file;  // a local fixed VHD easel uploads (absolute, resolved from the spec's dir)
  // Share one copied VHD and managed image with every cluster of the subscription and region
  // whose source has the same content (docs/storage.md, "The image cache").
  bool cache = false;
};

struct ControlPlaneSpec {
  int count = 1;
  std::string vm_size;
  OsDisk os_disk;
  std::vector<std::string> zones;
};

struct Taint {
  std::string key, value, effect;
};

struct Autoscale {
  int min = 0, max = 0;
};

enum class UpdateStrategy { kExpandFirst, kContractFirst };

struct WorkerPoolSpec {
  std::string name;
  int count = 1;
  std::string vm_size;
  std::vector<std::string> zones;
  std::optional<Autoscale> autoscale;
  std::map<std::string, std::string> labels;
  std::vector<Taint> taints;
  OsDisk os_disk;
  UpdateStrategy update_strategy = UpdateStrategy::kExpandFirst;
};

struct ClusterSpec {
  std::string name;
  std::vector<std::pair<std::string, std::string>> tags;  // in document order
  std::string subscription_id;
  std::string location;
  std::string resource_group;
  std::string kubernetes_version;
  std::string ssh_public_key;  // the key text, read from sshPublicKeyFile when given that way
  NetworkSpec network;
  StorageSpec storage;
  ImageSpec image;
  ControlPlaneSpec control_plane;
  std::vector<WorkerPoolSpec> worker_pools;
  PkiSpec pki;
  AddonsSpec addons;

  // Field path -> value, for each default that was applied ("spec.network.outbound": "NATGateway").
  std::vector<std::pair<std::string, std::string>> defaults_applied;
};

const char* ToString(ApiServerType t);
const char* ToString(Outbound o);
const char* ToString(UpdateStrategy s);
const char* ToString(PkiKeyAlgorithm a);
const char* ToString(Cni c);

}  // namespace easel::spec
