#include "spec/naming.h"

#include <algorithm>
#include <filesystem>

#include "common/hash.h"
#include "common/strings.h"

namespace easel::spec {
namespace {

std::string ClusterHash(const ClusterSpec& s) {
  return Sha256Hex(ToLower(s.subscription_id) + "/" + ToLower(s.resource_group) + "/" + s.name);
}

}  // namespace

std::string OwnershipTagKey(const std::string& cluster_name) {
  return "easel_cluster_" + cluster_name;
}
std::string OwnershipTagKey(const ClusterSpec& s) { return OwnershipTagKey(s.name); }

std::string VnetName(const ClusterSpec& s) {
  return s.network.vnet.placement == Placement::kStatic ? s.network.vnet.name : s.name + "-vnet";
}
std::string ControlPlaneSubnetName(const ClusterSpec& s) {
  return s.network.vnet.placement == Placement::kStatic ? s.network.control_plane_subnet.name
                                                        : s.name + "-cp-subnet";
}
std::string WorkerSubnetName(const ClusterSpec& s) {
  return s.network.vnet.placement == Placement::kStatic ? s.network.worker_subnet.name
                                                        : s.name + "-worker-subnet";
}
std::string ControlPlaneNsgName(const ClusterSpec& s) {
  return s.network.vnet.placement == Placement::kStatic
             ? s.network.control_plane_subnet.security_group
             : s.name + "-cp-nsg";
}
std::string WorkerNsgName(const ClusterSpec& s) {
  return s.network.vnet.placement == Placement::kStatic ? s.network.worker_subnet.security_group
                                                        : s.name + "-worker-nsg";
}
std::string NatGatewayName(const ClusterSpec& s) { return s.name + "-natgw"; }
std::string NatGatewayIpName(const ClusterSpec& s) { return s.name + "-natgw-pip"; }
std::string ApiLoadBalancerName(const ClusterSpec& s) {
  return s.name +
         (s.network.api_server.type == ApiServerType::kPublic ? "-apiserver-lb" : "-apiserver-ilb");
}
std::string ApiPublicIpName(const ClusterSpec& s) { return s.name + "-apiserver-pip"; }
std::string ApiDnsLabel(const ClusterSpec& s) { return s.name + "-" + ClusterHash(s).substr(0, 8); }
std::string PrivateDnsLinkName(const ClusterSpec& s) { return s.name + "-vnet-link"; }
std::string ControlPlaneIdentityName(const ClusterSpec& s) { return s.name + "-control-plane"; }
std::string KeyVaultName(const ClusterSpec& s) { return "easelkv" + ClusterHash(s).substr(0, 17); }
std::string ApiServerHost(const ClusterSpec& s, const std::string& cloudapp_suffix) {
  if (s.network.api_server.type == ApiServerType::kPublic) {
    return ApiDnsLabel(s) + "." + s.location + "." + cloudapp_suffix;
  }
  return std::string(kApiServerRecordName) + "." + s.network.api_server.private_dns_zone.name;
}

std::string StorageAccountName(const ClusterSpec& s) {
  if (s.storage.custom_account) return s.storage.account_name;
  return StorageAccountCandidate(s, 0);
}
std::string StorageAccountCandidate(const ClusterSpec& s, int k) {
  if (k == 0) return "easel" + ClusterHash(s).substr(0, 19);
  return "easel" + Sha256Hex(ClusterHash(s) + "#" + std::to_string(k)).substr(0, 19);
}
std::string ImageCacheAccountCandidate(const std::string& subscription, const std::string& region,
                                       int k) {
  std::string seed = ToLower(subscription) + "/" + ToLower(region);
  if (k > 0) seed += "#" + std::to_string(k);
  return "easelimg" + Sha256Hex(seed).substr(0, 16);
}
std::string CachedVhdBlobName(const std::string& content_key) { return content_key + ".vhd"; }
std::string CachedImageName(const std::string& content_key) { return "easel-image-" + content_key; }
std::string ImageReferenceKey(const ClusterSpec& s) {
  return kImageReferencePrefix + ClusterHash(s).substr(0, 16);
}
std::string ContainerName(const ClusterSpec& s) {
  return s.storage.auto_container ? s.name + "-vhds" : s.storage.container_name;
}
std::string VhdBlobName(const ClusterSpec& s) {
  if (!s.image.vhd_file.empty()) {
    return std::filesystem::path(s.image.vhd_file).filename().string();
  }
  const std::string& url = s.image.vhd_url;
  size_t end = url.find_first_of("?#");
  std::string path = url.substr(0, end);
  return path.substr(path.rfind('/') + 1);
}
std::string ImageName(const ClusterSpec& s) {
  // A local file is named by its file name: a new image is a new file name.
  const std::string source = s.image.vhd_file.empty() ? s.image.vhd_url : "file:" + VhdBlobName(s);
  return s.name + "-image-" + Sha256Hex(source).substr(0, 8);
}
std::string ControlPlaneMachineName(const ClusterSpec& s, int index) {
  return s.name + "-cp-" + std::to_string(index);
}
std::string WorkerMachineName(const ClusterSpec& s, const WorkerPoolSpec& pool, int index) {
  return s.name + "-" + pool.name + "-" + std::to_string(index);
}
std::string NicName(const std::string& machine) { return machine + "-nic"; }
std::string OsDiskName(const std::string& machine) { return machine + "-osdisk"; }

std::vector<DerivedName> DerivedNames(const ClusterSpec& s) {
  const std::string cluster = "metadata.name";
  std::vector<DerivedName> out;
  auto add = [&](AzureNameKind kind, const char* what, std::string name, std::string field) {
    out.push_back({kind, what, std::move(name), std::move(field)});
  };
  if (s.network.vnet.placement == Placement::kDynamic) {
    add(AzureNameKind::kVirtualNetwork, "virtual network", VnetName(s), cluster);
    add(AzureNameKind::kNetworkChild, "subnet", ControlPlaneSubnetName(s), cluster);
    add(AzureNameKind::kNetworkChild, "subnet", WorkerSubnetName(s), cluster);
    add(AzureNameKind::kNetworkChild, "network security group", ControlPlaneNsgName(s), cluster);
    add(AzureNameKind::kNetworkChild, "network security group", WorkerNsgName(s), cluster);
  }
  if (s.network.outbound == Outbound::kNatGateway) {
    add(AzureNameKind::kNetworkChild, "NAT gateway", NatGatewayName(s), cluster);
    add(AzureNameKind::kNetworkChild, "public IP", NatGatewayIpName(s), cluster);
  }
  add(AzureNameKind::kNetworkChild, "load balancer", ApiLoadBalancerName(s), cluster);
  if (s.network.api_server.type == ApiServerType::kPublic) {
    add(AzureNameKind::kNetworkChild, "public IP", ApiPublicIpName(s), cluster);
    add(AzureNameKind::kDnsLabel, "DNS label", ApiDnsLabel(s), cluster);
  } else {
    if (s.network.api_server.private_dns_zone.name_defaulted) {
      add(AzureNameKind::kPrivateDnsZone, "private DNS zone",
          s.network.api_server.private_dns_zone.name, cluster);
    }
    add(AzureNameKind::kNetworkChild, "virtual network link", PrivateDnsLinkName(s), cluster);
  }
  if (!s.storage.custom_account) {
    add(AzureNameKind::kStorageAccount, "storage account", StorageAccountName(s), cluster);
  }
  if (s.storage.auto_container) {
    add(AzureNameKind::kBlobContainer, "blob container", ContainerName(s), cluster);
  }
  add(AzureNameKind::kImage, "image", ImageName(s), cluster);
  auto machine = [&](const std::string& vm, const std::string& field) {
    add(AzureNameKind::kVirtualMachine, "virtual machine", vm, field);
    add(AzureNameKind::kLinuxComputerName, "computer", vm, field);
    add(AzureNameKind::kNetworkChild, "network interface", NicName(vm), field);
    add(AzureNameKind::kDisk, "OS disk", OsDiskName(vm), field);
  };
  if (s.control_plane.count > 0) {
    machine(ControlPlaneMachineName(s, s.control_plane.count - 1), cluster);
  }
  for (size_t i = 0; i < s.worker_pools.size(); ++i) {
    const WorkerPoolSpec& pool = s.worker_pools[i];
    int largest = std::max(pool.count, pool.autoscale ? pool.autoscale->max : 0);
    if (largest > 0) {
      machine(WorkerMachineName(s, pool, largest - 1),
              "spec.workerPools[" + std::to_string(i) + "].name");
    }
  }
  return out;
}

}  // namespace easel::spec
