// The Azure resource types easel plans.
#pragma once

namespace easel::plan::type {

inline constexpr const char* kResourceGroup = "Microsoft.Resources/resourceGroups";
inline constexpr const char* kVirtualNetwork = "Microsoft.Network/virtualNetworks";
inline constexpr const char* kSubnet = "Microsoft.Network/virtualNetworks/subnets";
inline constexpr const char* kNetworkSecurityGroup = "Microsoft.Network/networkSecurityGroups";
inline constexpr const char* kPublicIp = "Microsoft.Network/publicIPAddresses";
inline constexpr const char* kNatGateway = "Microsoft.Network/natGateways";
inline constexpr const char* kLoadBalancer = "Microsoft.Network/loadBalancers";
inline constexpr const char* kNetworkInterface = "Microsoft.Network/networkInterfaces";
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

}  // namespace easel::plan::type
