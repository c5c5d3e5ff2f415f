#include "azure/cloud.h"

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
  };
  static const Known kClouds[] = {
      {"azurepubliccloud", "AzurePublicCloud", "https://login.microsoftonline.com",
       "https://management.azure.com", "blob.core.windows.net"},
      {"azureusgovernment", "AzureUSGovernment", "https://login.microsoftonline.us",
       "https://management.usgovcloudapi.net", "blob.core.usgovcloudapi.net"},
      {"azurechinacloud", "AzureChinaCloud", "https://login.chinacloudapi.cn",
       "https://management.chinacloudapi.cn", "blob.core.chinacloudapi.cn"},
  };
  for (const Known& k : kClouds) {
    if (n != k.key) continue;
    Cloud c;
    c.name = k.name;
    c.authority_host = k.authority;
    c.arm_endpoint = k.arm;
    c.arm_scope = std::string(k.arm) + "/.default";
    c.blob_endpoint = std::string("https://{account}.") + k.blob_suffix + "/";
    return c;
  }
  return Status::InvalidArgument("unknown cloud " + Quote(name) +
                                 " (AzurePublicCloud, AzureUSGovernment, AzureChinaCloud)");
}

std::string BlobEndpoint(const Cloud& cloud, const std::string& account) {
  std::string url = cloud.blob_endpoint;
  size_t at = url.find("{account}");
  if (at != std::string::npos) url.replace(at, 9, account);
  if (url.empty() || url.back() != '/') url += '/';
  return url;
}

}  // namespace easel::azure
