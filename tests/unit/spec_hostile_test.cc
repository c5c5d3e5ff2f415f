// Spec input that once hung or crashed the loader (found by tests/fuzz/spec_load and by review),
// each now a clear error in bounded time and memory.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "spec/parse.h"
#include "spec/validate.h"
#include "spec/yaml_reader.h"

namespace easel::spec {
namespace {

std::vector<std::string> Problems(const std::string& text) {
  Diagnostics d;
  ParseOptions options;
  options.source_name = "spec.yaml";
  options.base_dir = EASEL_TEST_DATA;
  ClusterSpec s = ParseClusterSpec(text, options, &d);
  if (d.empty()) ValidateClusterSpec(s, EmbeddedCatalog(), &d);
  return d.Lines();
}

constexpr const char* kSpec = R"(apiVersion: easel/v1
kind: AzureCluster
metadata: {name: demo}
spec:
  subscriptionId: 00000000-0000-0000-0000-000000000000
  location: eastus
  resourceGroup: demo-rg
  kubernetesVersion: "1.30.4"
  sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGDZ3lKDFaX4DnNokA9HEo5JAsnawOmvnlrTwSfvlIMU x"
  image: {vhdUrl: "URL"}
  workerPools: [{name: pool1}]
)";

std::string WithUrl(const std::string& url) {
  std::string s = kSpec;
  s.replace(s.find("URL"), 3, url);
  return s;
}

// yaml-cpp's LoadAll never returns on these: it yields empty documents for ever, until memory
// runs out (found by brute force over all one- and two-byte documents: "," and 37 more).
TEST(SpecHostile, ShortDocumentsEndWithOneError) {
  for (const char* text : {",", ",x", "\n,", ",\n", ",,", ",%", "\x2c\x04"}) {
    EXPECT_EQ(Problems(text), std::vector<std::string>{"spec.yaml: must be a mapping (apiVersion, "
                                                       "kind, metadata, spec), got null"})
        << text;
  }
  EXPECT_EQ(Problems("a"), std::vector<std::string>{"spec.yaml: must be a mapping (apiVersion, "
                                                    "kind, metadata, spec), got a string"});
  EXPECT_EQ(Problems("-"), std::vector<std::string>{"spec.yaml: must be a mapping (apiVersion, "
                                                    "kind, metadata, spec), got a list"});
  for (const char* text :
       {"?", ":", "!", "&a", "*", "[", "{", "'", "\"", "|", ">", "%", "@", "x:"}) {
    EXPECT_FALSE(Problems(text).empty()) << text;  // and it returns
  }
}

TEST(SpecHostile, ASecondDocumentIsNamedByItsLine) {
  EXPECT_EQ(Problems(std::string(kSpec) + "---\nkind: Other\n"),
            std::vector<std::string>{"spec.yaml: holds more than one document (another starts at "
                                     "line 13, column 1); one is expected"});
  // Empty trailing documents are not a second spec.
  std::vector<std::string> p =
      Problems(WithUrl("https://a.blob.core.windows.net/i/b.vhd") + "---\n...\n");
  EXPECT_EQ(p, std::vector<std::string>{});
}

TEST(SpecHostile, AVeryLongUrlIsCheckedWithoutRecursion) {
  std::string path(200000, 'a');
  EXPECT_EQ(Problems(WithUrl("https://a.blob.core.windows.net/images/" + path + ".vhd")),
            std::vector<std::string>{});
  std::vector<std::string> p = Problems(WithUrl("https://" + path));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].rfind("spec.image.vhdUrl: must be an https URL of a blob", 0), 0u);
  p = Problems(WithUrl("https://a.blob.core.windows.net/images/" + path + ".vhd#x"));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].rfind("spec.image.vhdUrl: must be an https URL of a blob", 0), 0u);
}

TEST(SpecHostile, AnAliasBombIsStoppedWhileParsing) {
  std::string bomb = std::string(kSpec) + "x0: &x0 [a, a, a, a, a, a, a, a, a]\n";
  for (int i = 1; i < 10; ++i) {
    bomb += "x" + std::to_string(i) + ": &x" + std::to_string(i) + " [";
    for (int k = 0; k < 9; ++k) bomb += (k ? ", *x" : "*x") + std::to_string(i - 1);
    bomb += "]\n";
  }
  EXPECT_EQ(Problems(bomb), std::vector<std::string>{"spec.yaml: an alias at line 17, column 10 "
                                                     "stands for 66430 nodes; at most 10000 are "
                                                     "allowed"});
}

TEST(SpecHostile, DeepBlockNestingIsStoppedAtTheLimit) {
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += std::string(static_cast<size_t>(i), ' ') + "a:\n";
  EXPECT_EQ(Problems(deep), std::vector<std::string>{
                                "spec.yaml: nests more than 64 levels deep at line 65, column 65"});
}

TEST(SpecHostile, HugeAndNonDecimalIntegersNameTheField) {
  std::string s = WithUrl("https://a.blob.core.windows.net/i/b.vhd");
  s.replace(s.find("{name: pool1}"), 13, "{name: pool1, count: 99999999999999999999999}");
  EXPECT_EQ(Problems(s), std::vector<std::string>{
                             "spec.workerPools[0].count: must be a decimal integer in range, got "
                             "99999999999999999999999"});
}

TEST(SpecHostile, PlainScalarsFollowTheCoreSchemaWithoutRegex) {
  auto kind = [](const std::string& s) { return KindOf(YAML::Load("v: " + s)["v"]); };
  EXPECT_EQ(kind("~"), ValueKind::kNull);
  EXPECT_EQ(kind("True"), ValueKind::kBoolean);
  EXPECT_EQ(kind("-12"), ValueKind::kInteger);
  EXPECT_EQ(kind("0x1F"), ValueKind::kInteger);
  EXPECT_EQ(kind("0o17"), ValueKind::kInteger);
  EXPECT_EQ(kind("0o8"), ValueKind::kString);
  EXPECT_EQ(kind("1.30"), ValueKind::kFloat);
  EXPECT_EQ(kind(".5e-3"), ValueKind::kFloat);
  EXPECT_EQ(kind("1."), ValueKind::kFloat);
  EXPECT_EQ(kind("-.inf"), ValueKind::kFloat);
  EXPECT_EQ(kind(".NaN"), ValueKind::kFloat);
  EXPECT_EQ(kind("-.nan"), ValueKind::kString);
  EXPECT_EQ(kind("."), ValueKind::kString);
  EXPECT_EQ(kind("1e"), ValueKind::kString);
  EXPECT_EQ(kind("1.30.4"), ValueKind::kString);
  EXPECT_EQ(kind(std::string(100000, '1')), ValueKind::kInteger);
}

}  // namespace
}  // namespace easel::spec
