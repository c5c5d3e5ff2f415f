// The names easel derives from a cluster spec, one function per resource. Deterministic: the
// same spec always yields the same names (docs/naming.md lists them).
#pragma once

#include <string>
#include <vector>

#include "common/azure_names.h"
#include "spec/types.h"

namespace easel::spec {

// The tag every owned resource carries: easel_cluster_<name> = owned.
std::string OwnershipTagKey(const ClusterSpec& s);
std::string OwnershipTagKey(const std::string& cluster_name);  // "easel_cluster_<name>"
inline constexpr const char* kOwnedTagValue = "owned";

std::string VnetName(const ClusterSpec& s);
std::string ControlPlaneSubnetName(const ClusterSpec& s);
std::string WorkerSubnetName(const ClusterSpec& s);
std::string ControlPlaneNsgName(const ClusterSpec& s);
std::string WorkerNsgName(const ClusterSpec& s);
std::string NatGatewayName(const ClusterSpec& s);
std::string NatGatewayIpName(const ClusterSpec& s);
std::string ApiLoadBalancerName(const ClusterSpec& s);
std::string ApiPublicIpName(const ClusterSpec& s);
// The public IP's DNS label: <name>-<8 hex>, unique per subscription, group and cluster.
std::string ApiDnsLabel(const ClusterSpec& s);
std::string PrivateDnsLinkName(const ClusterSpec& s);
inline constexpr const char* kApiServerRecordName = "apiserver";
// "easel" + 19 hex characters of SHA-256(subscription/group/name): 24 characters, stable for
// the cluster, distinct across clusters. The custom account's name when one is given.
std::string StorageAccountName(const ClusterSpec& s);
// The auto account's candidate names, in the order easel tries them when a name is taken
// elsewhere in Azure: candidate 0 is StorageAccountName; candidate k > 0 is "easel" + 19 hex
// characters of SHA-256(the cluster's hash + "#" + k). Deterministic, 24 characters each.
std::string StorageAccountCandidate(const ClusterSpec& s, int k);
inline constexpr int kStorageAccountCandidates = 8;
std::string ContainerName(const ClusterSpec& s);
// The last path segment of image.vhdUrl.
std::string VhdBlobName(const ClusterSpec& s);
// <name>-image-<8 hex of the VHD URL>: a new VHD gets a new image.
std::string ImageName(const ClusterSpec& s);
// The image cache (docs/storage.md, "The image cache"): one storage account per subscription and
// region, a container in it, and per source content a VHD blob and a managed image.
// The tag that marks the cache's resources (the account's value is its region, the image's its
// content key); the container's metadata carries it too.
inline constexpr const char* kImageCacheTag = "easel_image_cache";
// "easelimg" + 16 hex characters of SHA-256(subscription/region[#k]): 24 characters. Candidate 0
// first; k > 0 when the name is taken elsewhere in Azure.
std::string ImageCacheAccountCandidate(const std::string& subscription, const std::string& region,
                                       int k);
inline constexpr const char* kImageCacheContainer = "easel-image-cache";
std::string CachedVhdBlobName(const std::string& content_key);  // <key>.vhd
std::string CachedImageName(const std::string& content_key);    // easel-image-<key>
// The metadata name of a cluster's reference in the cached VHD's ledger: "easelref_" + 16 hex
// characters of SHA-256(subscription/group/name) (metadata names are C# identifiers).
inline constexpr const char* kImageReferencePrefix = "easelref_";
std::string ImageReferenceKey(const ClusterSpec& s);
// The ledger's mark of a release in progress: its value names the releasing cluster.
inline constexpr const char* kImageReleasingKey = "easelreleasing";
// The user-assigned identity the control-plane VMs carry (reads the vault, runs the cloud
// controller manager).
std::string ControlPlaneIdentityName(const ClusterSpec& s);
// "easelkv" + 17 hex characters of the cluster hash: 24 characters, globally unique in practice.
std::string KeyVaultName(const ClusterSpec& s);
// The API server's DNS name: the public IP's FQDN (<label>.<location>.<cloudapp suffix>) or,
// for an internal API server, apiserver.<private zone>.
std::string ApiServerHost(const ClusterSpec& s,
                          const std::string& cloudapp_suffix = "cloudapp.azure.com");
// The VM extension that reports each node's bootstrap.
inline constexpr const char* kBootstrapExtensionName = "bootstrap";
std::string ControlPlaneMachineName(const ClusterSpec& s, int index);
std::string WorkerMachineName(const ClusterSpec& s, const WorkerPoolSpec& pool, int index);
std::string NicName(const std::string& machine);
std::string OsDiskName(const std::string& machine);

// A name easel derives, with the spec field that determines it.
struct DerivedName {
  AzureNameKind kind;
  std::string what;  // "blob container"
  std::string name;
  std::string field;  // "metadata.name"
};

// Every name easel would create for this spec (existing resources' names excluded), with the
// largest node index of each pool, so that checking these checks them all.
std::vector<DerivedName> DerivedNames(const ClusterSpec& s);

}  // namespace easel::spec
