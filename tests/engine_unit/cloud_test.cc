// Built-in and custom clouds, and blob endpoints (src/azure/cloud.h).
#include "azure/cloud.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

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

// A custom cloud: https endpoints (trailing slashes dropped), a scope derived from ARM, and an
// absolute path to its CA file.
TEST(CustomCloud, TakesItsEndpointsAndDerivesTheScope) {
  std::string ca = std::filesystem::temp_directory_path() /
                   ("easel-cloud-test-" + std::to_string(::getpid()) + ".pem");
  std::ofstream(ca) << "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  Result<Cloud> c =
      CustomCloud({"stack", "https://login.stack.example/", "https://management.stack.example/",
                   "https://{account}.blob.stack.example", ca});
  std::filesystem::remove(ca);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->name, "stack");
  EXPECT_EQ(c->authority_host, "https://login.stack.example");
  EXPECT_EQ(c->arm_endpoint, "https://management.stack.example");
  EXPECT_EQ(c->arm_scope, "https://management.stack.example/.default");
  EXPECT_EQ(c->storage_scope, "https://storage.azure.com/.default");
  EXPECT_EQ(BlobEndpoint(*c, "acct"), "https://acct.blob.stack.example/");
  EXPECT_EQ(c->ca_bundle, ca);
}

TEST(CustomCloud, PathStyleBlobEndpoint) {
  Result<Cloud> c = CustomCloud({"custom", "https://127.0.0.1:9", "https://127.0.0.1:9",
                                 "https://127.0.0.1:10/{account}/", ""});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(BlobEndpoint(*c, "acct"), "https://127.0.0.1:10/acct/");
  EXPECT_EQ(c->ca_bundle, "");
}

TEST(CustomCloud, EachBadEndpointIsNamed) {
  struct Case {
    CustomCloudEndpoints endpoints;
    std::string wanted;
  };
  const std::string ok = "https://x.example";
  const std::string not_pem = std::filesystem::temp_directory_path() /
                              ("easel-cloud-test-" + std::to_string(::getpid()) + ".txt");
  std::ofstream(not_pem) << "not a certificate\n";
  const std::vector<Case> cases = {
      {{"c", "http://login.example", ok, "https://{account}.b.example", ""}, "authority host"},
      {{"c", ok, "management.example", "https://{account}.b.example", ""}, "ARM endpoint"},
      {{"c", ok, ok, "", ""}, "blob endpoint"},
      {{"c", ok, "https:///", "https://{account}.b.example", ""}, "has no host"},
      {{"c", ok, ok, "https://blob.example/", ""}, "does not hold {account}"},
      {{"c", ok, ok, "https://{account}.b.example", "/no/such/ca.pem"}, "CA file"},
      {{"c", ok, ok, "https://{account}.b.example", not_pem}, "no PEM certificate"},
  };
  for (const Case& c : cases) {
    Result<Cloud> cloud = CustomCloud(c.endpoints);
    ASSERT_FALSE(cloud.ok()) << c.wanted;
    EXPECT_EQ(cloud.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(cloud.status().message().find(c.wanted), std::string::npos)
        << cloud.status().message();
  }
  std::filesystem::remove(not_pem);
}

}  // namespace
}  // namespace easel::azure
