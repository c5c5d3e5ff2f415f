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
  // Key Vault's token audience (data plane), and the DNS suffix of public IP names.
  std::string key_vault_resource = "https://vault.azure.net";
  std::string cloudapp_suffix = "cloudapp.azure.com";
  // The storage endpoints' DNS suffix ("core.windows.net"): private link zones are named after it.
  std::string storage_suffix = "core.windows.net";
  std::string imds_endpoint = "http://169.254.169.254/metadata/identity/oauth2/token";
  std::string ca_bundle;  // extra trusted CA (PEM) for a custom cloud; empty: system CAs
};

// AzurePublicCloud, AzureUSGovernment or AzureChinaCloud (case-insensitive).
Result<Cloud> BuiltinCloud(const std::string& name);

// A cloud of one's own (Azure Stack Hub, a proxy, azsim): every endpoint given.
struct CustomCloudEndpoints {
  std::string name = "custom";
  std::string authority_host;  // https URL of Entra ID (or its stand-in)
  std::string arm_endpoint;    // https URL of Resource Manager; tokens are asked for its scope
  // https URL of an account's blob service holding "{account}": host-style
  // "https://{account}.blob.example.net/" or path-style "https://host:port/{account}/".
  std::string blob_endpoint;
  std::string ca_bundle;  // PEM file of extra trusted CAs; empty: the system's
};
// Checks the endpoints (https only: TLS is always verified; a readable PEM CA file) and makes the
// cloud. kInvalidArgument names the endpoint at fault.
Result<Cloud> CustomCloud(const CustomCloudEndpoints& endpoints);

// The blob endpoint of `account` in `cloud`, ending with '/'.
std::string BlobEndpoint(const Cloud& cloud, const std::string& account);

}  // namespace easel::azure
