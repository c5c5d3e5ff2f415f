// Built-in clouds and blob endpoints (src/azure/cloud.h).
#include "azure/cloud.h"

#include <gtest/gtest.h>

namespace easel::azure {
namespace {

TEST(BuiltinCloud, PublicCloudCaseInsensitively) {
  for (const char* name : {"AzurePublicCloud", "azurepubliccloud", "AZUREPUBLICCLOUD"}) {
    Result<Cloud> c = BuiltinCloud(name);
    ASSERT_TRUE(c.ok()) << name << ": " << c.status().ToString();
    EXPECT_EQ(c->name, "AzurePublicCloud");
    EXPECT_EQ(c->authority_host, "https://login.microsoftonline.com");
    EXPECT_EQ(c->arm_endpoint, "https://management.azure.com");
    EXPECT_EQ(c->arm_scope, "https://management.azure.com/.default");
    EXPECT_EQ(c->blob_endpoint, "https://{account}.blob.core.windows.net/");
  }
}

TEST(BuiltinCloud, UsGovernment) {
  Result<Cloud> c = BuiltinCloud("azureUSgovernment");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->name, "AzureUSGovernment");
  EXPECT_EQ(c->authority_host, "https://login.microsoftonline.us");
  EXPECT_EQ(c->arm_endpoint, "https://management.usgovcloudapi.net");
  EXPECT_EQ(c->arm_scope, "https://management.usgovcloudapi.net/.default");
  EXPECT_EQ(BlobEndpoint(*c, "acct"), "https://acct.blob.core.usgovcloudapi.net/");
}

TEST(BuiltinCloud, China) {
  Result<Cloud> c = BuiltinCloud("AzureChinaCloud");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->name, "AzureChinaCloud");
  EXPECT_EQ(c->authority_host, "https://login.chinacloudapi.cn");
  EXPECT_EQ(c->arm_endpoint, "https://management.chinacloudapi.cn");
  EXPECT_EQ(BlobEndpoint(*c, "acct"), "https://acct.blob.core.chinacloudapi.cn/");
}

TEST(BuiltinCloud, UnknownNameIsAnInvalidArgumentNamingIt) {
  Result<Cloud> c = BuiltinCloud("AzureGermanCloud");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("AzureGermanCloud"), std::string::npos)
      << c.status().message();
}

TEST(BlobEndpoint, FillsInTheAccount) {
  Result<Cloud> c = BuiltinCloud("AzurePublicCloud");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(BlobEndpoint(*c, "acct"), "https://acct.blob.core.windows.net/");
}

TEST(BlobEndpoint, PathStyleEndpointEndsWithASlash) {
  Cloud c;
  c.blob_endpoint = "https://127.0.0.1:9/{account}";
  EXPECT_EQ(BlobEndpoint(c, "acct"), "https://127.0.0.1:9/acct/");
  c.blob_endpoint = "https://127.0.0.1:9/{account}/";
  EXPECT_EQ(BlobEndpoint(c, "acct"), "https://127.0.0.1:9/acct/");
}

}  // namespace
}  // namespace easel::azure
