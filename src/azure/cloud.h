// Azure clouds: where to get tokens, where Resource Manager and Blob storage live.
#pragma once

#include <string>

#include "common/status.h"

namespace easel::azure {

struct Cloud {
  std::string name;            // "AzurePublicCloud", or "custom" (azsim)
  std::string authority_host;  // "https://login.microsoftonline.com"
  std::string arm_endpoint;    // "https://management.azure.com" (no trailing slash)
  std::string arm_scope;       // "https://management.azure.com/.default"
  std::string storage_scope = "https://storage.azure.com/.default";
  // A storage account's blob endpoint; "{account}" is replaced by the account name.
  std::string blob_endpoint;  // "https://{account}.blob.core.windows.net/"
  std::string imds_endpoint = "http://169.254.169.254/metadata/identity/oauth2/token";
  std::string ca_bundle;  // extra trusted CA (PEM) for a custom cloud; empty: system CAs
};

// AzurePublicCloud, AzureUSGovernment or AzureChinaCloud (case-insensitive).
Result<Cloud> BuiltinCloud(const std::string& name);

// The blob endpoint of `account` in `cloud`, ending with '/'.
std::string BlobEndpoint(const Cloud& cloud, const std::string& account);

}  // namespace easel::azure
