// The storage account and container that hold the node image's VHD, the copy of the base VHD
// into them, and the managed image made from the copy. The account easel creates is hardened by
// default (docs/storage.md, "The cluster's storage account"); `access: private` takes it off the
// public network and reaches it through a private endpoint in the control-plane subnet.
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

// The account easel creates, as spec.storage.access asks.
Json AccountBody(const BuilderContext& ctx) {
  const spec::StorageAccess access = ctx.spec().storage.access;
  const bool restricted = access != spec::StorageAccess::kUnrestricted;
  // Shared Key stays on when the deployer has no blob data role: the copy then signs with the
  // account key (engine/reconciler.cc, FallBackToAccountKey).
  const bool shared_key = !restricted || !ctx.options().deployer_has_blob_data_role;
  const bool is_private = access == spec::StorageAccess::kPrivate;
  Json body = {{"sku", {{"name", "Standard_LRS"}}}, {"kind", "StorageV2"}};
  body.update(ctx.TrackedBody());
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

std::string AccountSummary(const BuilderContext& ctx) {
  const spec::StorageSpec& st = ctx.spec().storage;
  std::string summary = "StorageV2, Standard_LRS, TLS 1.2, " + std::string(ToString(st.access));
  if (st.access != spec::StorageAccess::kUnrestricted &&
      ctx.options().deployer_has_blob_data_role) {
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

}  // namespace

void BuildStorageAndImage(BuilderContext& ctx) {
  const spec::ClusterSpec& s = ctx.spec();
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
        ctx.AddOwned(account_id, type::kStorageAccount, api::kStorage, account, AccountBody(ctx),
                     {ids.resource_group}, ids.resource_group, AccountSummary(ctx));
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
  ids.vhd_copy_step = blob_url;
  // The container comes first: the engine finds the account through it.
  copy_waits_for.insert(copy_waits_for.begin(), container_id);
  // A local VHD is uploaded (only its data pages) rather than copied server side.
  const bool upload = !s.image.vhd_file.empty();
  ctx.AddStep(DataPlaneStep{blob_url, upload ? "blobUpload" : "blobCopy",
                            upload ? "upload-vhd" : "copy-vhd",
                            upload ? s.image.vhd_file : s.image.vhd_url, blob_url,
                            std::move(copy_waits_for), container_id});

  ids.image = ctx.IdInGroup(type::kImage, spec::ImageName(s));
  Json image = ctx.TrackedBody();
  image["properties"] = {{"storageProfile",
                          {{"osDisk",
                            {{"osType", "Linux"},
                             {"osState", "Generalized"},
                             {"blobUri", blob_url},
                             {"caching", "ReadWrite"},
                             {"storageAccountType", "Standard_LRS"}}}}}};
  ctx.AddOwned(ids.image, type::kImage, api::kCompute, spec::ImageName(s), std::move(image),
               {ids.resource_group, blob_url}, ids.resource_group,
               "Linux, generalized, from " + spec::VhdBlobName(s));
}

}  // namespace easel::plan
