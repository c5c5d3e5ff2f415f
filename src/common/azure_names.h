// Azure's naming rules for the resource types easel names (../shared/azure-reference.md).
#pragma once

#include <string>
#include <string_view>

namespace easel {

enum class AzureNameKind {
  kResourceGroup,
  kVirtualNetwork,
  kNetworkChild,  // subnet, NSG, security rule, public IP, LB (and its children), NIC, NAT gateway
  kVirtualMachine,
  kLinuxComputerName,
  kDisk,
  kImage,
  kStorageAccount,
  kBlobContainer,
  kPrivateDnsZone,
  kDnsLabel,  // a public IP's domainNameLabel
};

// A short human name for the kind: "virtual network".
const char* AzureNameKindLabel(AzureNameKind kind);

// Empty when `name` satisfies the rule for `kind`; otherwise the rule it breaks, phrased to follow
// the name in a message ("is 81 characters (at most 80)").
std::string AzureNameProblem(AzureNameKind kind, std::string_view name);

}  // namespace easel
