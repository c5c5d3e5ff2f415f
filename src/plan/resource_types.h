// The Azure resource types easel plans.
#pragma once

#include <string>

namespace easel::plan::type {

inline constexpr const char* kResourceGroup = "Microsoft.Resources/resourceGroups";
inline constexpr const char* kVirtualNetwork = "Microsoft.Network/virtualNetworks";
inline constexpr const char* kSubnet = "Microsoft.Network/virtualNetworks/subnets";
inline constexpr const char* kNetworkSecurityGroup = "Microsoft.Network/networkSecurityGroups";
inline constexpr const char* kPublicIp = "Microsoft.Network/publicIPAddresses";
inline constexpr const char* kNatGateway = "Microsoft.Network/natGateways";
inline constexpr const char* kLoadBalancer = "Microsoft.Network/loadBalancers";
inline constexpr const char* kNetworkInterface = "Microsoft.Network/networkInterfaces";
inline constexpr const char* kPrivateEndpoint = "Microsoft.Network/privateEndpoints";
inline constexpr const char* kPrivateDnsZone = "Microsoft.Network/privateDnsZones";
inline constexpr const char* kPrivateDnsARecord = "Microsoft.Network/privateDnsZones/A";
inline constexpr const char* kPrivateDnsLink =
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks";
inline constexpr const char* kStorageAccount = "Microsoft.Storage/storageAccounts";
inline constexpr const char* kBlobContainer =
    "Microsoft.Storage/storageAccounts/blobServices/containers";
inline constexpr const char* kImage = "Microsoft.Compute/images";
inline constexpr const char* kVirtualMachine = "Microsoft.Compute/virtualMachines";
inline constexpr const char* kVmExtension = "Microsoft.Compute/virtualMachines/extensions";
inline constexpr const char* kKeyVault = "Microsoft.KeyVault/vaults";
inline constexpr const char* kUserAssignedIdentity =
    "Microsoft.ManagedIdentity/userAssignedIdentities";

inline constexpr const char* kManagedCluster = "Microsoft.ContainerService/managedClusters";
inline constexpr const char* kAgentPool = "Microsoft.ContainerService/managedClusters/agentPools";
inline constexpr const char* kClusterExtension = "Microsoft.KubernetesConfiguration/extensions";
inline constexpr const char* kFluxConfiguration =
    "Microsoft.KubernetesConfiguration/fluxConfigurations";
inline constexpr const char* kPolicyAssignment = "Microsoft.Authorization/policyAssignments";
inline constexpr const char* kRoleAssignment = "Microsoft.Authorization/roleAssignments";
}  // namespace easel::plan::type

namespace easel::plan {
// Types that carry no tags of their own: whether easel owns one follows from the resource it
// lives under (a subnet's VNet, a pool's cluster, an extension's cluster) or, for a role
// assignment, from its name (derived from the cluster's identity).
bool OwnershipFollowsParent(const std::string& type);
// Types Azure deletes with the resource they live under (a cluster's pools and extensions): when
// that one is deleted too, easel does not delete them on their own (the last System pool of a
// cluster cannot be).
bool DeletedWithParent(const std::string& type);
}  // namespace easel::plan
