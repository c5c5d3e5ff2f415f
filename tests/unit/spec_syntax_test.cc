#include <gtest/gtest.h>

#include <fstream>

#include "spec/catalog.h"
#include "spec/kubernetes_syntax.h"
#include "spec/ssh_key.h"

namespace easel::spec {
namespace {

TEST(SshKey, AcceptsEd25519AndRsa) {
  auto ed = ParseSshPublicKey(
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGDZ3lKDFaX4DnNokA9HEo5JAsnawOmvnlrTwSfvlIMU me@host");
  ASSERT_TRUE(ed.ok()) << ed.status().message();
  EXPECT_EQ(ed->type, "ssh-ed25519");
  EXPECT_EQ(ed->bits, 256);
  std::ifstream rsa_file(std::string(EASEL_TEST_DATA) + "/rsa2048.pub");
  std::string rsa_line;
  std::getline(rsa_file, rsa_line);
  auto rsa = ParseSshPublicKey(rsa_line);
  ASSERT_TRUE(rsa.ok()) << rsa.status().message();
  EXPECT_EQ(rsa->bits, 2048);
}

TEST(SshKey, RejectsBadKeys) {
  EXPECT_EQ(ParseSshPublicKey("-----BEGIN OPENSSH PRIVATE KEY-----\nabc").status().message(),
            "is a private key; give the public key (the .pub file), and keep the private key "
            "secret");
  EXPECT_EQ(
      ParseSshPublicKey("ecdsa-sha2-nistp256 AAAA").status().message(),
      "key type \"ecdsa-sha2-nistp256\" is not accepted by Azure; use ssh-ed25519 or ssh-rsa");
  EXPECT_EQ(ParseSshPublicKey("ssh-ed25519 AAAA!!!!").status().message(),
            "the key data is not valid base64");
  // Valid base64 of an rsa blob labelled as ed25519.
  EXPECT_EQ(ParseSshPublicKey("ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQAB").status().message(),
            "the key data does not hold a ssh-ed25519 key");
  // ed25519 with a 31-byte key.
  EXPECT_FALSE(
      ParseSshPublicKey(
          "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAHwDZ3lKDFaX4DnNokA9HEo5JAsnawOmvnlrTwSfvlIM=")
          .ok());
  EXPECT_FALSE(ParseSshPublicKey("justonefield").ok());
}

TEST(KubernetesSyntax, Labels) {
  EXPECT_EQ(LabelKeyProblem("tier"), "");
  EXPECT_EQ(LabelKeyProblem("example.com/tier"), "");
  EXPECT_NE(LabelKeyProblem("-tier"), "");
  EXPECT_NE(LabelKeyProblem("Example.com/tier"), "");
  EXPECT_NE(LabelKeyProblem("kubernetes.io/role"), "");
  EXPECT_NE(LabelKeyProblem(std::string(64, 'a')), "");
  EXPECT_EQ(LabelValueProblem(""), "");
  EXPECT_EQ(LabelValueProblem("web_1.a"), "");
  EXPECT_NE(LabelValueProblem("web!"), "");
}

TEST(KubernetesSyntax, Taints) {
  auto t = ParseTaint("dedicated=web:NoSchedule");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->key, "dedicated");
  EXPECT_EQ(t->value, "web");
  EXPECT_EQ(t->effect, "NoSchedule");
  auto no_value = ParseTaint("gpu:NoExecute");
  ASSERT_TRUE(no_value.ok());
  EXPECT_EQ(no_value->value, "");
  EXPECT_FALSE(ParseTaint("dedicated=web").ok());
  EXPECT_FALSE(ParseTaint("dedicated=web:Never").ok());
  EXPECT_FALSE(ParseTaint("=web:NoSchedule").ok());
}

TEST(KubernetesSyntax, Versions) {
  EXPECT_TRUE(IsKubernetesVersion("1.30.4"));
  EXPECT_TRUE(IsKubernetesVersion("1.9.0"));
  for (const char* bad : {"1.30", "v1.30.4", "2.0.0", "1.30.4-rc.1", "1.030.4", ""}) {
    EXPECT_FALSE(IsKubernetesVersion(bad)) << bad;
  }
}

TEST(Catalog, EmbeddedCatalogLoads) {
  const Catalog& c = EmbeddedCatalog();
  ASSERT_NE(c.FindRegion("eastus"), nullptr);
  EXPECT_EQ(c.FindRegion("eastus")->zones.size(), 3u);
  EXPECT_TRUE(c.FindRegion("westus")->zones.empty());
  ASSERT_NE(c.FindVmSize("Standard_D4s_v5"), nullptr);
  EXPECT_TRUE(c.FindVmSize("Standard_D4s_v5")->premium_storage);
  EXPECT_FALSE(c.OfferedInRegion("Standard_M128s", "westus"));
  EXPECT_EQ(c.ZonesOffering("Standard_M128s", "eastus"), (std::vector<std::string>{"1", "2"}));
}

TEST(Catalog, RejectsInconsistentData) {
  EXPECT_FALSE(Catalog::FromJson("[]").ok());
  EXPECT_FALSE(
      Catalog::FromJson(R"({"vmSizes": {}, "regions": {"x": {"notOffered": ["nope"]}}})").ok());
  auto bad_zone = Catalog::FromJson(
      R"({"vmSizes": {"S": {"vCPUs": 2, "memoryGiB": 4, "premiumStorage": true}},
          "regions": {"r": {"zones": ["1"], "zoneRestricted": {"S": ["2"]}}}})");
  ASSERT_FALSE(bad_zone.ok());
  EXPECT_EQ(bad_zone.status().message(),
            "catalog.regions.r.zoneRestricted.S: zone 2 is not a zone of the region");
}

}  // namespace
}  // namespace easel::spec
