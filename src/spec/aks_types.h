// The easel/v1 AKSCluster spec (a managed AKS cluster) as plain structs, with every default
// already applied. Produced by ParseAksClusterSpec, checked by ValidateAksClusterSpec
// (spec/aks.h); docs/aks.md documents each field.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "spec/types.h"

namespace easel::spec {

enum class AksPoolMode { kSystem, kUser };
enum class AksOsDiskType { kManaged, kEphemeral };

struct AksPoolSpec {
  std::string name;
  AksPoolMode mode = AksPoolMode::kUser;
  int count = 1;
  std::string vm_size;
  std::vector<std::string> zones;
  std::optional<Autoscale> autoscale;
  int max_pods = 0;  // defaulted by the network: 250 overlay/none, 110 kubenet, 30 classic CNI
  std::map<std::string, std::string> labels;
  std::vector<Taint> taints;
  AksOsDiskType os_disk_type = AksOsDiskType::kManaged;
  int os_disk_size_gb = 128;
  std::string os_sku = "Ubuntu";  // Ubuntu | AzureLinux
};

enum class AksNetworkPlugin { kAzure, kKubenet };
enum class AksPluginMode { kOverlay, kNone };  // kNone: classic Azure CNI (pods take VNet IPs)
enum class AksOutbound { kLoadBalancer, kManagedNatGateway, kUserAssignedNatGateway };

struct AksNetworkSpec {
  bool managed_vnet = true;  // no `network.vnet`: AKS creates and manages the VNet
  AksNetworkPlugin plugin = AksNetworkPlugin::kAzure;
  AksPluginMode plugin_mode = AksPluginMode::kOverlay;
  VnetSpec vnet;           // dynamic (easel creates it) or static (existing), when not managed
  SubnetSpec node_subnet;  // cidr (dynamic) or name (static)
  std::string pod_cidr;    // overlay and kubenet only
  std::string service_cidr;
  std::string dns_service_ip;
  AksOutbound outbound = AksOutbound::kLoadBalancer;
  bool private_api = false;
  std::vector<std::string> authorized_ip_ranges;
};

enum class AksIdentityType { kSystemAssigned, kUserAssigned };
struct AksIdentitySpec {
  AksIdentityType type = AksIdentityType::kSystemAssigned;
  std::string id;  // UserAssigned: an existing identity's ARM id; empty: easel creates one
};

struct AksEntraSpec {
  bool enabled = false;
  std::vector<std::string> admin_group_object_ids;
  bool azure_rbac = false;
  bool disable_local_accounts = false;
};

enum class PodSecurityInitiative { kBaseline, kRestricted };
enum class PolicyScope { kCluster, kResourceGroup };
struct AksPolicySpec {
  bool enabled = false;
  PodSecurityInitiative initiative = PodSecurityInitiative::kBaseline;
  PolicyScope scope = PolicyScope::kCluster;
};

struct AksVirtualNodesSpec {
  bool enabled = false;
  SubnetSpec subnet;  // delegated to Microsoft.ContainerInstance/containerGroups
};

struct AksGitOpsSpec {
  std::string url;
  std::string branch = "main";
  std::string path = "./";
};

struct AksAutoUpgradeSpec {
  std::string channel = "none";       // none | patch | stable | rapid | node-image
  std::string node_os = "NodeImage";  // None | Unmanaged | NodeImage | SecurityPatch
};

struct AksClusterSpec {
  std::string name;
  std::vector<std::pair<std::string, std::string>> tags;  // in document order
  std::string subscription_id;
  std::string location;
  std::string resource_group;
  std::string kubernetes_version;  // as written: "1.36" or "1.36.2"
  std::string tier = "Free";       // Free | Standard | Premium
  AksNetworkSpec network;
  AksIdentitySpec identity;
  AksEntraSpec entra;
  AksPolicySpec policy;
  bool keda = false;
  AksVirtualNodesSpec virtual_nodes;
  std::optional<AksGitOpsSpec> gitops;
  AksAutoUpgradeSpec auto_upgrade;
  std::vector<AksPoolSpec> pools;
  std::vector<std::pair<std::string, std::string>> defaults_applied;  // field path -> value
};

const char* ToString(AksPoolMode m);            // "System" | "User"
const char* ToString(AksOsDiskType t);          // "Managed" | "Ephemeral"
const char* ToString(AksNetworkPlugin p);       // "azure" | "kubenet"
const char* ToString(AksOutbound o);            // "LoadBalancer" | ...
const char* ToString(PodSecurityInitiative i);  // "baseline" | "restricted"

}  // namespace easel::spec
