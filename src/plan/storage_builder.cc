// The storage account and container that hold the node image's VHD, the copy of the base VHD
// into them, and the managed image made from the copy. The account easel creates is hardened by
// default (docs/storage.md, "The cluster's storage account"); `access: private` takes it off the
// public network and reaches it through a private endpoint in the control-plane subnet.
#include "common/hash.h"
#include "plan/api_versions.h"
#include "plan/arm_ids.h"
#include "plan/builder_context.h"
#include "plan/late_bound.h"
#include "plan/resource_types.h"
#include "spec/naming.h"

namespace easel::plan {
namespace {

std::string BlobEndpoint(const PlanOptions& options, const std::string& account) {
  std::string url = options.blob_endpoint;
  size_t at = url.find("{account}");
  if (at != std::string::npos) url.replace(at, 9, account);
  if (url.empty() || url.back() != '/') url += '/';
  return url;
}

// A storage account easel creates, with `access` (the cluster's, or the cache's: hardened);
// `start` is its location and tags.
Json AccountBody(const BuilderContext& ctx, Json start, spec::StorageAccess access) {
  const bool restricted = access != spec::StorageAccess::kUnrestricted;
  // Shared Key stays on when the deployer has no blob data role: the copy then signs with the
  // account key (engine/reconciler.cc, FallBackToAccountKey).
  const bool shared_key = !restricted || !ctx.options().deployer_has_blob_data_role;
  const bool is_private = access == spec::StorageAccess::kPrivate;
  Json body = {{"sku", {{"name", "Standard_LRS"}}}, {"kind", "StorageV2"}};
  body.update(start);
  body["properties"] = {
      {"accessTier", "Hot"},
      {"minimumTlsVersion", "TLS1_2"},
      {"supportsHttpsTrafficOnly", true},
      {"allowBlobPublicAccess", false},
      {"allowSharedKeyAccess", shared_key},
      {"defaultToOAuthAuthentication", !shared_key},
      {"allowCrossTenantReplication", false},
      {"publicNetworkAccess", is_private ? "Disabled" : "Enabled"},
      {"networkAcls",
       {{"defaultAction", is_private ? "Deny" : "Allow"}, {"bypass", "AzureServices"}}},
      // A second layer of encryption at rest, which Azure sets only when the account is created.
      {"encryption",
       {{"requireInfrastructureEncryption", true},
        {"keySource", "Microsoft.Storage"},
        {"services", {{"blob", {{"enabled", true}, {"keyType", "Account"}}}}}}}};
  return body;
}

std::string AccountSummary(const BuilderContext& ctx, spec::StorageAccess access) {
  std::string summary = "StorageV2, Standard_LRS, TLS 1.2, " + std::string(ToString(access));
  if (access != spec::StorageAccess::kUnrestricted && ctx.options().deployer_has_blob_data_role) {
    summary += ", no Shared Key";
  }
  return summary;
}

// The private endpoint of the account's blob service in the control-plane subnet, and the
// private DNS zone that makes <account>.blob.<suffix> resolve to it inside the VNet. Returns the
// ids the VHD copy must wait for (the endpoint, its A record and the VNet link).
std::vector<std::string> BuildPrivateBlobEndpoint(BuilderContext& ctx,
                                                  const std::string& account_id,
                                                  const std::string& account) {
  const spec::ClusterSpec& s = ctx.spec();
  WellKnownIds& ids = ctx.ids();
  const std::string pe_name = s.name + "-blob-pe";
  const std::string pe_id = ctx.IdInGroup(type::kPrivateEndpoint, pe_name);
  Json pe = ctx.TrackedBody();
  pe["properties"] = {
      {"subnet", {{"id", ids.control_plane_subnet}}},
      {"customNetworkInterfaceName", pe_name + "-nic"},
      {"privateLinkServiceConnections",
       Json::array(
           {{{"name", "blob"},
             {"properties", {{"privateLinkServiceId", account_id}, {"groupIds", {"blob"}}}}}})}};
  ctx.AddOwned(pe_id, type::kPrivateEndpoint, api::kNetwork, pe_name, std::move(pe),
               {account_id, ids.control_plane_subnet}, account_id,
               "blob service, in the control-plane subnet");

  const std::string zone = "privatelink.blob." + ctx.options().storage_suffix;
  const std::string zone_id = ctx.IdInGroup(type::kPrivateDnsZone, zone);
  Json zone_body = {{"location", "global"}, {"tags", ctx.Tags()}, {"properties", Json::object()}};
  ctx.AddOwned(zone_id, type::kPrivateDnsZone, api::kPrivateDns, zone, std::move(zone_body),
               {ids.resource_group}, ids.resource_group, "private DNS for the storage account");
  // The endpoint's address is Azure's choice (the first free one in the subnet): read back.
  Json record = {
      {"properties",
       {{"metadata", {{spec::OwnershipTagKey(s), spec::kOwnedTagValue}}},
        {"ttl", 10},
        {"aRecords",
         Json::array({{{"ipv4Address",
                        LiveField(pe_id, "/properties/customDnsConfigs/0/ipAddresses/0")}}})}}}};
  const std::string record_id = ChildId(zone_id, "A", account);
  ctx.AddOwned(record_id, type::kPrivateDnsARecord, api::kPrivateDns, account, std::move(record),
               {zone_id, pe_id}, zone_id, account + "." + zone + " -> the private endpoint");
  const std::string link_name = s.name + "-blob";
  const std::string link_id = ChildId(zone_id, "virtualNetworkLinks", link_name);
  Json link = {
      {"location", "global"},
      {"tags", ctx.Tags()},
      {"properties", {{"virtualNetwork", {{"id", ids.vnet}}}, {"registrationEnabled", false}}}};
  ctx.AddOwned(link_id, type::kPrivateDnsLink, api::kPrivateDns, link_name, std::move(link),
               {zone_id, ids.vnet}, zone_id, "resolves the zone in the VNet");
  return {pe_id, record_id, link_id};
}

// The step that puts the source VHD at `blob_url`: a server-side copy of image.vhdUrl, or an
// upload of image.vhdFile (only its data pages). `container_id` comes first in its dependencies:
// the engine finds the account through it.
void AddVhdStep(BuilderContext& ctx, const std::string& blob_url, const std::string& container_id,
                std::vector<std::string> waits_for) {
  const spec::ClusterSpec& s = ctx.spec();
  ctx.ids().vhd_copy_step = blob_url;
  waits_for.insert(waits_for.begin(), container_id);
  const bool upload = !s.image.vhd_file.empty();
  ctx.AddStep(DataPlaneStep{
      blob_url, upload ? "blobUpload" : "blobCopy", upload ? "upload-vhd" : "copy-vhd",
      upload ? s.image.vhd_file : s.image.vhd_url, blob_url, std::move(waits_for), container_id});
}

// The managed image made from the VHD at `blob_url`; `start` is its location and tags.
ResourceNode& AddImage(BuilderContext& ctx, const std::string& id, const std::string& name,
                       Json start, const std::string& blob_url) {
  WellKnownIds& ids = ctx.ids();
  ids.image = id;
  Json image = std::move(start);
  image["properties"] = {{"storageProfile",
                          {{"osDisk",
                            {{"osType", "Linux"},
                             {"osState", "Generalized"},
                             {"blobUri", blob_url},
                             {"caching", "ReadWrite"},
                             {"storageAccountType", "Standard_LRS"}}}}}};
  return ctx.AddOwned(id, type::kImage, api::kCompute, name, std::move(image),
                      {ids.resource_group, blob_url}, ids.resource_group,
                      "Linux, generalized, from " + blob_url.substr(blob_url.rfind('/') + 1));
}

// The content key of an offline plan, which cannot read the source: its URL (or file name).
std::string OfflineContentKey(const spec::ClusterSpec& s) {
  const std::string source =
      s.image.vhd_file.empty() ? "url:" + s.image.vhd_url : "file:" + spec::VhdBlobName(s);
  return Sha256Hex(source).substr(0, 16);
}

// spec.image.cache: the cache's account, container, VHD and image, shared by every cluster of the
// subscription and region whose source has this content, and this cluster's reference to the
// image, which its VMs wait for. The first cluster that needs them creates them; a cluster's
// delete only releases its reference (the last release removes the image and its VHD).
void BuildImageCache(BuilderContext& ctx) {
  const spec::ClusterSpec& s = ctx.spec();
  WellKnownIds& ids = ctx.ids();
  const PlanOptions::ImageCache& cache = ctx.options().image_cache;
  const std::string key = cache.content_key.empty() ? OfflineContentKey(s) : cache.content_key;
  const std::string account = cache.account_name.empty() ? spec::ImageCacheAccountCandidate(
                                                               s.subscription_id, s.location, 0)
                                                         : cache.account_name;
  const std::string group = cache.resource_group.empty() ? s.resource_group : cache.resource_group;
  const Json shared_start = {{"location", s.location},
                             {"tags", {{spec::kImageCacheTag, s.location}}}};

  const std::string account_id =
      ResourceId(s.subscription_id, group, type::kStorageAccount, account);
  ResourceNode& account_node =
      ctx.AddOwned(account_id, type::kStorageAccount, api::kStorage, account,
                   AccountBody(ctx, shared_start, spec::StorageAccess::kHardened),
                   {ids.resource_group}, ids.resource_group,
                   "the image cache of " + s.location + ", in " + group + "; " +
                       AccountSummary(ctx, spec::StorageAccess::kHardened));
  account_node.ownership = Ownership::kShared;
  account_node.create_only = {"/properties/encryption"};
  // Shared Key follows the deployer's blob data role, which differs between the clusters'
  // deployers: the creator's choice stays (else each apply would flip it for the others).
  account_node.live_owned = {"/properties/allowSharedKeyAccess",
                             "/properties/defaultToOAuthAuthentication"};

  const std::string container_id = ChildId(ChildId(account_id, "blobServices", "default"),
                                           "containers", spec::kImageCacheContainer);
  Json container = {
      {"properties",
       {{"publicAccess", "None"}, {"metadata", {{spec::kImageCacheTag, s.location}}}}}};
  ctx.AddOwned(container_id, type::kBlobContainer, api::kStorage, spec::kImageCacheContainer,
               std::move(container), {account_id}, account_id, "private")
      .ownership = Ownership::kShared;

  const std::string blob_url = BlobEndpoint(ctx.options(), account) + spec::kImageCacheContainer +
                               "/" + spec::CachedVhdBlobName(key);
  AddVhdStep(ctx, blob_url, container_id, {});
  const std::string image_id =
      ResourceId(s.subscription_id, group, type::kImage, spec::CachedImageName(key));
  // The reference is taken as soon as the VHD is there, before the image is looked at: a release
  // under way (the ledger's mark) then stops this apply before it could use, or make again, an
  // image that is being removed.
  ids.image_reference_step = image_id + "#" + spec::ImageReferenceKey(s);
  ctx.AddStep(DataPlaneStep{ids.image_reference_step,
                            "imageReference",
                            "image-reference",
                            image_id,
                            blob_url,
                            {container_id, blob_url},
                            container_id});
  ResourceNode& image =
      AddImage(ctx, image_id, spec::CachedImageName(key),
               {{"location", s.location}, {"tags", {{spec::kImageCacheTag, key}}}}, blob_url);
  image.ownership = Ownership::kShared;
  image.depends_on.push_back(ids.image_reference_step);
}

}  // namespace

void BuildStorageAndImage(BuilderContext& ctx) {
  const spec::ClusterSpec& s = ctx.spec();
  if (s.image.cache) return BuildImageCache(ctx);
  WellKnownIds& ids = ctx.ids();
  const std::string account = ctx.options().storage_account_name.empty()
                                  ? spec::StorageAccountName(s)
                                  : ctx.options().storage_account_name;
  std::string account_id;
  std::vector<std::string> copy_waits_for;
  if (s.storage.custom_account) {
    account_id = ResourceId(s.subscription_id, s.storage.account_resource_group,
                            type::kStorageAccount, account);
    ctx.AddExisting(account_id, type::kStorageAccount, api::kStorage, account, ids.resource_group,
                    "existing, in " + s.storage.account_resource_group);
  } else {
    account_id = ctx.IdInGroup(type::kStorageAccount, account);
    ResourceNode& node =
        ctx.AddOwned(account_id, type::kStorageAccount, api::kStorage, account,
                     AccountBody(ctx, ctx.TrackedBody(), s.storage.access), {ids.resource_group},
                     ids.resource_group, AccountSummary(ctx, s.storage.access));
    node.create_only = {"/properties/encryption"};
    if (s.storage.access == spec::StorageAccess::kPrivate) {
      copy_waits_for = BuildPrivateBlobEndpoint(ctx, account_id, account);
    }
  }

  const std::string container = spec::ContainerName(s);
  const std::string container_id =
      ChildId(ChildId(account_id, "blobServices", "default"), "containers", container);
  if (s.storage.custom_account && !s.storage.auto_container) {
    ctx.AddExisting(container_id, type::kBlobContainer, api::kStorage, container, account_id,
                    "existing");
  } else {
    // Containers carry no tags; their metadata holds the ownership mark instead.
    Json body = {{"properties",
                  {{"publicAccess", "None"},
                   {"metadata", {{spec::OwnershipTagKey(s), spec::kOwnedTagValue}}}}}};
    ctx.AddOwned(container_id, type::kBlobContainer, api::kStorage, container, std::move(body),
                 {account_id}, account_id, "private");
  }

  const std::string blob_url =
      BlobEndpoint(ctx.options(), account) + container + "/" + spec::VhdBlobName(s);
  AddVhdStep(ctx, blob_url, container_id, std::move(copy_waits_for));
  AddImage(ctx, ctx.IdInGroup(type::kImage, spec::ImageName(s)), spec::ImageName(s),
           ctx.TrackedBody(), blob_url);
}

}  // namespace easel::plan
