#include "azure/cloud.h"

#include <filesystem>

#include "common/files.h"
#include "common/strings.h"

namespace easel::azure {

Result<Cloud> BuiltinCloud(const std::string& name) {
  std::string n = ToLower(name);
  struct Known {
    const char* key;
    const char* name;
    const char* authority;
    const char* arm;
    const char* blob_suffix;
    const char* vault;
    const char* cloudapp;
  };
  static const Known kClouds[] = {
      {"azurepubliccloud", "AzurePublicCloud", "https://login.microsoftonline.com",
       "https://management.azure.com", "blob.core.windows.net", "https://vault.azure.net",
       "cloudapp.azure.com"},
      {"azureusgovernment", "AzureUSGovernment", "https://login.microsoftonline.us",
       "https://management.usgovcloudapi.net", "blob.core.usgovcloudapi.net",
       "https://vault.usgovcloudapi.net", "cloudapp.usgovcloudapi.net"},
      {"azurechinacloud", "AzureChinaCloud", "https://login.chinacloudapi.cn",
       "https://management.chinacloudapi.cn", "blob.core.chinacloudapi.cn",
       "https://vault.azure.cn", "cloudapp.chinacloudapi.cn"},
  };
  for (const Known& k : kClouds) {
    if (n != k.key) continue;
    Cloud c;
    c.name = k.name;
    c.authority_host = k.authority;
    c.arm_endpoint = k.arm;
    c.arm_scope = std::string(k.arm) + "/.default";
    c.blob_endpoint = std::string("https://{account}.") + k.blob_suffix + "/";
    c.key_vault_resource = k.vault;
    c.cloudapp_suffix = k.cloudapp;
    c.storage_suffix = std::string(k.blob_suffix).substr(5);  // after "blob."
    return c;
  }
  return Status::InvalidArgument("unknown cloud " + Quote(name) +
                                 " (AzurePublicCloud, AzureUSGovernment, AzureChinaCloud)");
}

Result<Cloud> CustomCloud(const CustomCloudEndpoints& e) {
  auto https = [](const char* what, std::string url) -> Result<std::string> {
    if (!StartsWith(ToLower(url), "https://")) {
      return Status::InvalidArgument(std::string(what) + " " + Quote(url) +
                                     " is not an https URL (easel always verifies TLS)");
    }
    std::string given = url;
    while (url.size() > 8 && url.back() == '/') url.pop_back();
    if (url.size() <= 8 || url[8] == '/') {
      return Status::InvalidArgument(std::string(what) + " " + Quote(given) + " has no host");
    }
    return url;
  };
  Result<std::string> authority = https("authority host", e.authority_host);
  if (!authority.ok()) return authority.status();
  Result<std::string> arm = https("ARM endpoint", e.arm_endpoint);
  if (!arm.ok()) return arm.status();
  Result<std::string> blob = https("blob endpoint", e.blob_endpoint);
  if (!blob.ok()) return blob.status();
  if (blob->find("{account}") == std::string::npos) {
    return Status::InvalidArgument("blob endpoint " + Quote(e.blob_endpoint) +
                                   " does not hold {account} (https://{account}.blob.example/ "
                                   "or https://host:port/{account}/)");
  }
  if (!e.ca_bundle.empty()) {
    Result<std::string> pem = ReadFileBounded(e.ca_bundle, 4 << 20);
    if (!pem.ok()) return Status::InvalidArgument("CA file: " + pem.status().message());
    if (pem->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      return Status::InvalidArgument("CA file " + Quote(e.ca_bundle) + " holds no PEM certificate");
    }
  }
  Cloud c;
  c.name = e.name;
  c.authority_host = *authority;
  c.arm_endpoint = *arm;
  c.arm_scope = *arm + "/.default";
  c.blob_endpoint = *blob + "/";
  // A host-style endpoint names the storage suffix; a path-style one (azsim) keeps Azure's.
  const std::string host_style = "https://{account}.blob.";
  if (StartsWith(*blob, host_style)) {
    std::string rest = blob->substr(host_style.size());
    c.storage_suffix = rest.substr(0, rest.find_first_of(":/"));
  }
  // Absolute: the context is used from any directory.
  c.ca_bundle = e.ca_bundle.empty() ? "" : std::filesystem::absolute(e.ca_bundle).string();
  return c;
}

std::string BlobEndpoint(const Cloud& cloud, const std::string& account) {
  std::string url = cloud.blob_endpoint;
  size_t at = url.find("{account}");
  if (at != std::string::npos) url.replace(at, 9, account);
  if (url.empty() || url.back() != '/') url += '/';
  return url;
}

}  // namespace easel::azure
