// The storage account and container that hold the node image's VHD, the copy of the base VHD
// into them, and the managed image made from the copy.
#include "plan/api_versions.h"
#include "plan/arm_ids.h"
#include "plan/builder_context.h"
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

}  // namespace

void BuildStorageAndImage(BuilderContext& ctx) {
  const spec::ClusterSpec& s = ctx.spec();
  WellKnownIds& ids = ctx.ids();
  const std::string account = spec::StorageAccountName(s);
  std::string account_id;
  if (s.storage.custom_account) {
    account_id = ResourceId(s.subscription_id, s.storage.account_resource_group,
                            type::kStorageAccount, account);
    ctx.AddExisting(account_id, type::kStorageAccount, api::kStorage, account, ids.resource_group,
                    "existing, in " + s.storage.account_resource_group);
  } else {
    account_id = ctx.IdInGroup(type::kStorageAccount, account);
    Json body = {{"sku", {{"name", "Standard_LRS"}}}, {"kind", "StorageV2"}};
    body.update(ctx.TrackedBody());
    body["properties"] = {
        {"accessTier", "Hot"},
        {"minimumTlsVersion", "TLS1_2"},
        {"supportsHttpsTrafficOnly", true},
        {"allowBlobPublicAccess", false},
        {"publicNetworkAccess", "Enabled"},
        {"networkAcls", {{"defaultAction", "Allow"}, {"bypass", "AzureServices"}}}};
    ctx.AddOwned(account_id, type::kStorageAccount, api::kStorage, account, std::move(body),
                 {ids.resource_group}, ids.resource_group, "StorageV2, Standard_LRS, TLS 1.2");
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
  ctx.AddStep(DataPlaneStep{
      blob_url, "blobCopy", "copy-vhd", s.image.vhd_url, blob_url, {container_id}, container_id});

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
