#include "engine/vhd_upload_step.h"

#include <memory>

#include "azure/blob_client.h"
#include "plan/api_versions.h"

namespace easel::engine {
namespace {

// Connections signed with the token (empty key) or the account key.
image::UploadOptions OptionsFor(azure::ArmClient& arm, const std::string& account,
                                const std::string& key,
                                std::function<void(const image::UploadProgress&)> progress) {
  image::UploadOptions options;
  options.progress = std::move(progress);
  options.connect = [&arm, account, key]() {
    image::BlobConnection c;
    HttpClientOptions http;
    http.ca_bundle = arm.cloud().ca_bundle;
    c.http = std::make_unique<HttpClient>(http);
    c.blob = key.empty() ? std::make_unique<azure::BlobClient>(
                               c.http.get(), account, arm.credential(), arm.cloud().storage_scope)
                         : std::make_unique<azure::BlobClient>(c.http.get(), account, key);
    return c;
  };
  return options;
}

}  // namespace

std::string AccountKeyWarning(const std::string& account, const std::string& refused,
                              const std::string& what) {
  return "storage account " + account + " refused easel's Entra ID token (" + refused +
         "); the VHD " + what +
         " signs with the account key instead, which costs a listKeys call. Granting the "
         "principal Storage Blob Data Contributor on the account avoids it.";
}

Result<UploadStepOutcome> UploadVhdStep(
    azure::ArmClient& arm, const std::string& file, const std::string& url,
    const std::string& account_id, const std::string& account,
    std::function<void(const image::UploadProgress&)> progress) {
  UploadStepOutcome out;
  Result<image::UploadResult> r =
      image::UploadVhd(file, url, OptionsFor(arm, account, "", progress));
  if (r.ok() || r.status().code() != StatusCode::kPermissionDenied) {
    if (!r.ok()) return r.status();
    out.result = *r;
    return out;
  }
  const Status refused = r.status();
  Result<std::string> key = azure::ListFirstKey(arm, account_id, plan::api::kStorage);
  out.listed_keys = true;
  if (!key.ok()) {
    return Status::PermissionDenied(refused.message() + "; and the account key could not be had (" +
                                    key.status().message() + ")");
  }
  out.key_warning = AccountKeyWarning(account, refused.message(), "upload");
  r = image::UploadVhd(file, url, OptionsFor(arm, account, *key, std::move(progress)));
  if (!r.ok()) return r.status();
  out.result = *r;
  return out;
}

}  // namespace easel::engine
