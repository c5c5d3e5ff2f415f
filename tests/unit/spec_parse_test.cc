#include <gtest/gtest.h>

#include <fstream>

#include "spec/parse.h"
#include "spec/validate.h"

namespace easel::spec {
namespace {

constexpr const char* kMinimal = R"(apiVersion: easel/v1
kind: AzureCluster
metadata: {name: demo}
spec:
  subscriptionId: 00000000-0000-0000-0000-000000000000
  location: eastus
  resourceGroup: demo-rg
  kubernetesVersion: "1.36.2"
  sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGDZ3lKDFaX4DnNokA9HEo5JAsnawOmvnlrTwSfvlIMU x"
  image: {vhdUrl: "https://a.blob.core.windows.net/images/base.vhd"}
  workerPools: [{name: pool1}]
)";

std::vector<std::string> Problems(const std::string& text, ClusterSpec* out = nullptr) {
  Diagnostics d;
  ParseOptions options;
  options.source_name = "spec.yaml";
  options.base_dir = EASEL_TEST_DATA;
  ClusterSpec s = ParseClusterSpec(text, options, &d);
  if (d.empty()) ValidateClusterSpec(s, EmbeddedCatalog(), &d);
  if (out) *out = s;
  return d.Lines();
}

TEST(Parse, MinimalSpecGetsDocumentedDefaults) {
  ClusterSpec s;
  ASSERT_EQ(Problems(kMinimal, &s), std::vector<std::string>{});
  EXPECT_EQ(s.network.vnet.placement, Placement::kDynamic);
  EXPECT_EQ(s.network.vnet.cidr, "10.0.0.0/16");
  EXPECT_EQ(s.network.control_plane_subnet.cidr, "10.0.0.0/24");
  EXPECT_EQ(s.network.worker_subnet.cidr, "10.0.16.0/20");
  EXPECT_EQ(s.network.outbound, Outbound::kNatGateway);
  EXPECT_EQ(s.network.api_server.type, ApiServerType::kPublic);
  EXPECT_FALSE(s.storage.custom_account);
  EXPECT_TRUE(s.storage.auto_container);
  EXPECT_EQ(s.control_plane.count, 1);
  EXPECT_EQ(s.control_plane.vm_size, "Standard_D4s_v5");
  EXPECT_EQ(s.control_plane.os_disk.type, "Premium_LRS");
  EXPECT_EQ(s.control_plane.zones, (std::vector<std::string>{"1", "2", "3"}));
  ASSERT_EQ(s.worker_pools.size(), 1u);
  EXPECT_EQ(s.worker_pools[0].count, 1);
  EXPECT_EQ(s.worker_pools[0].os_disk.type, "StandardSSD_LRS");
  EXPECT_EQ(s.worker_pools[0].os_disk.size_gb, 128);
  EXPECT_EQ(s.worker_pools[0].update_strategy, UpdateStrategy::kExpandFirst);
  EXPECT_FALSE(s.defaults_applied.empty());
}

TEST(Parse, JsonIsAccepted) {
  std::string json =
      R"({"apiVersion": "easel/v1", "kind": "AzureCluster", "metadata": {"name": "j"},
    "spec": {"subscriptionId": "00000000-0000-0000-0000-000000000000", "location": "westus",
    "resourceGroup": "rg", "kubernetesVersion": "1.35.1",
    "sshPublicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGDZ3lKDFaX4DnNokA9HEo5JAsnawOmvnlrTwSfvlIMU",
    "image": {"vhdUrl": "https://a.blob.core.windows.net/i/b.vhd"},
    "workerPools": [{"name": "p", "count": 2}]}})";
  ClusterSpec s;
  ASSERT_EQ(Problems(json, &s), std::vector<std::string>{});
  EXPECT_TRUE(s.control_plane.zones.empty());  // westus has no zones
  EXPECT_EQ(s.worker_pools[0].count, 2);
}

TEST(Parse, SshKeyFileIsReadRelativeToTheSpec) {
  std::string text = kMinimal;
  size_t at = text.find("  sshPublicKey:");
  text.replace(at, text.find('\n', at) - at, "  sshPublicKeyFile: rsa2048.pub");
  ClusterSpec s;
  ASSERT_EQ(Problems(text, &s), std::vector<std::string>{});
  EXPECT_EQ(s.ssh_public_key.rfind("ssh-rsa ", 0), 0u);
}

TEST(Parse, AutoscaledPoolCountDefaultsToMin) {
  std::string text = kMinimal;
  text.replace(text.find("[{name: pool1}]"), 15, "[{name: pool1, autoscale: {min: 2, max: 5}}]");
  ClusterSpec s;
  ASSERT_EQ(Problems(text, &s), std::vector<std::string>{});
  EXPECT_EQ(s.worker_pools[0].count, 2);
}

TEST(HostileInput, HugeFileIsRefusedBeforeParsing) {
  std::string huge(kMaxSpecBytes + 1, '#');
  EXPECT_EQ(
      Problems(huge),
      std::vector<std::string>{"spec.yaml: is 1048577 bytes; a spec may be at most 1048576 bytes"});
}

TEST(HostileInput, DeepFlowNesting) {
  std::string deep = "spec: " + std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(Problems(deep), std::vector<std::string>{
                                "spec.yaml: nests 100000 levels deep; at most 64 are allowed"});
}

TEST(HostileInput, DeepBlockNestingIsAnErrorNotACrash) {
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += std::string(static_cast<size_t>(i), ' ') + "a:\n";
  std::vector<std::string> problems = Problems(deep);
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems[0].rfind("spec.yaml: ", 0), 0u) << problems[0];
}

TEST(HostileInput, BinaryAndInvalidUtf8) {
  EXPECT_EQ(Problems(std::string("\x7f"
                                 "ELF\0\0\0",
                                 7)),
            std::vector<std::string>{"spec.yaml: is not a text file (it contains NUL bytes)"});
  EXPECT_EQ(Problems("name: \xff\xfe"),
            std::vector<std::string>{"spec.yaml: is not UTF-8 text (invalid byte at offset 6)"});
}

TEST(HostileInput, AliasBombStaysBounded) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n";
  std::string prev = "a";
  for (int i = 0; i < 12; ++i) {
    std::string name = "l" + std::to_string(i);
    bomb += name + ": &" + name + " [";
    for (int k = 0; k < 9; ++k) bomb += (k ? ", *" : "*") + prev;
    bomb += "]\n";
    prev = name;
  }
  std::vector<std::string> problems = Problems(bomb);  // stopped while parsing; no blow-up
  EXPECT_EQ(problems, std::vector<std::string>{"spec.yaml: an alias at line 6, column 10 stands "
                                               "for 66430 nodes; at most 10000 are allowed"});
}

TEST(HostileInput, MultipleDocumentsAndSyntaxErrors) {
  EXPECT_EQ(Problems("a: 1\n---\nb: 2\n"),
            std::vector<std::string>{"spec.yaml: holds more than one document (another starts "
                                     "at line 3, column 1); one is expected"});
  EXPECT_EQ(
      Problems("a: [1, 2\n"),
      std::vector<std::string>{
          "spec.yaml: YAML syntax error at line 2, column 1: end of sequence flow not found"});
  EXPECT_EQ(Problems(""), std::vector<std::string>{"spec.yaml: is empty"});
}

}  // namespace
}  // namespace easel::spec
