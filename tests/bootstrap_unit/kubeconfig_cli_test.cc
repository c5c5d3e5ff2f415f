// The real `easel kubeconfig` binary over a state database prepared through the store API.
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "bootstrap/pki.h"
#include "common/base64.h"
#include "engine/cluster_secrets_store.h"
#include "store/secret_box.h"
#include "store/store.h"
#include "tests/bootstrap_unit/test_util.h"

namespace easel {
namespace {

using easel::testing::ModeOf;
using easel::testing::ReadFile;
using easel::testing::RunShell;
using easel::testing::ShellQuote;
using easel::testing::TempDir;
using easel::testing::Trim;
using easel::testing::WriteFile;

class KubeconfigCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_ = dir_.File("state.db");
    auto s = store::Store::Open(state_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    Result<std::string> spec = ReadFileText(EASEL_SOURCE_DIR "/examples/quickstart.yaml");
    ASSERT_TRUE(spec.ok());
    ASSERT_NE(spec->find("kubernetesVersion: \"1.36.2\""), std::string::npos);
    for (const char* name : {"dev", "fresh"}) {
      store::ClusterRecord c;
      c.name = name;
      c.context = "local";
      c.spec_text = *spec;
      c.plan_json = "{}";
      c.phase = store::Phase::kReady;
      c.endpoint = std::string("https://") + name + "-api.eastus.cloudapp.azure.com:6443";
      ASSERT_TRUE((*s)->PutCluster(c).ok());
    }
    Result<store::SecretBox> box = store::SecretBox::Open(state_);
    ASSERT_TRUE(box.ok()) << box.status().ToString();
    Result<bootstrap::ClusterSecrets> secrets = engine::LoadOrCreateClusterSecrets(
        **s, *box, "dev", bootstrap::KeyAlgorithm::kEcdsaP256, std::chrono::system_clock::now());
    ASSERT_TRUE(secrets.ok()) << secrets.status().ToString();
    ca_pem_ = secrets->pki.ca.cert_pem;
    WriteFile(dir_.File("ca.crt"), ca_pem_);
  }

  static Result<std::string> ReadFileText(const std::string& path) {
    std::string text = ReadFile(path);
    if (text.empty()) return Status::IOError(path);
    return text;
  }

  // Runs easel with `args`, stderr merged into the output, without EASEL_SECRET_KEY.
  easel::testing::CommandResult Easel(const std::string& args) {
    return RunShell("env -u EASEL_SECRET_KEY HOME=" + ShellQuote(dir_.path()) +
                    " " EASEL_BINARY " --state " + ShellQuote(state_) + " " + args + " 2>&1");
  }

  // The subject of the client certificate in kubeconfig `path`, and whether it verifies.
  std::string SubjectOf(const std::string& path, bool* verifies) {
    auto view = RunShell("kubectl config view --kubeconfig " + ShellQuote(path) + " --raw -o json");
    EXPECT_EQ(view.exit_code, 0) << view.output;
    nlohmann::json j = nlohmann::json::parse(view.output, nullptr, false);
    std::optional<std::string> cert =
        Base64Decode(j["users"][0]["user"]["client-certificate-data"].get<std::string>());
    EXPECT_TRUE(cert.has_value());
    WriteFile(dir_.File("client.crt"), cert.value_or(""));
    auto verify = RunShell("openssl verify -purpose sslclient -CAfile " + dir_.File("ca.crt") +
                           " " + dir_.File("client.crt") + " 2>&1");
    *verifies = verify.exit_code == 0;
    return Trim(RunShell("openssl x509 -in " + dir_.File("client.crt") +
                         " -noout -subject -nameopt RFC2253")
                    .output);
  }

  TempDir dir_;
  std::string state_;
  std::string ca_pem_;
};

TEST_F(KubeconfigCliTest, AdminToAFileWithMode0600) {
  std::string file = dir_.File("admin.conf");
  WriteFile(file, "old contents");
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  auto r = Easel("kubeconfig dev --admin --ttl 2h --file " + ShellQuote(file));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("kubernetes-admin@dev"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(ModeOf(file), 0600);
  std::string text = ReadFile(file);
  EXPECT_TRUE(bootstrap::ContainsPrivateKey(text));
  EXPECT_NE(text.find("server: \"https://dev-api.eastus.cloudapp.azure.com:6443\""),
            std::string::npos)
      << text;
  bool verifies = false;
  EXPECT_EQ(SubjectOf(file, &verifies), "subject=CN=kubernetes-admin,O=kubeadm:cluster-admins");
  EXPECT_TRUE(verifies);
  // Two hours (and the clock-skew margin), not the default day.
  auto dates = RunShell("openssl x509 -in " + dir_.File("client.crt") + " -noout -checkend 7500");
  EXPECT_NE(dates.exit_code, 0) << "valid for more than ~2 h";
  auto soon = RunShell("openssl x509 -in " + dir_.File("client.crt") + " -noout -checkend 3600");
  EXPECT_EQ(soon.exit_code, 0) << "expires within an hour";
}

TEST_F(KubeconfigCliTest, UserToStdoutIsTheOsUserWithoutGroups) {
  auto r = RunShell("env -u EASEL_SECRET_KEY HOME=" + ShellQuote(dir_.path()) +
                    " " EASEL_BINARY " --state " + ShellQuote(state_) + " kubeconfig dev");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string file = dir_.File("stdout.conf");
  WriteFile(file, r.output);
  struct passwd* pw = ::getpwuid(::geteuid());
  ASSERT_NE(pw, nullptr);
  bool verifies = false;
  EXPECT_EQ(SubjectOf(file, &verifies), std::string("subject=CN=easel:") + pw->pw_name);
  EXPECT_TRUE(verifies);
  auto day = RunShell("openssl x509 -in " + dir_.File("client.crt") + " -noout -checkend 86000");
  EXPECT_EQ(day.exit_code, 0) << "the default lifetime is a day";
  auto more = RunShell("openssl x509 -in " + dir_.File("client.crt") + " -noout -checkend 87000");
  EXPECT_NE(more.exit_code, 0);
}

TEST_F(KubeconfigCliTest, BadInputExits2AndNamesTheProblem) {
  auto too_long = Easel("kubeconfig dev --ttl 8d");
  EXPECT_EQ(too_long.exit_code, 2) << too_long.output;
  EXPECT_NE(too_long.output.find("--ttl"), std::string::npos) << too_long.output;
  EXPECT_NE(too_long.output.find("7d"), std::string::npos) << too_long.output;
  auto bad_unit = Easel("kubeconfig dev --ttl 5y");
  EXPECT_EQ(bad_unit.exit_code, 2) << bad_unit.output;
  EXPECT_NE(bad_unit.output.find("unknown unit 'y'"), std::string::npos) << bad_unit.output;
  auto unknown = Easel("kubeconfig nope");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("no cluster named nope"), std::string::npos);
  auto no_name = Easel("kubeconfig");
  EXPECT_EQ(no_name.exit_code, 2) << no_name.output;
  auto bad_key =
      RunShell("EASEL_SECRET_KEY=short HOME=" + ShellQuote(dir_.path()) +
               " " EASEL_BINARY " --state " + ShellQuote(state_) + " kubeconfig dev 2>&1");
  EXPECT_EQ(bad_key.exit_code, 2) << bad_key.output;
  EXPECT_NE(bad_key.output.find("EASEL_SECRET_KEY"), std::string::npos);
}

TEST_F(KubeconfigCliTest, WithoutACaOrWithTheWrongKeyExits1) {
  auto fresh = Easel("kubeconfig fresh --admin");
  EXPECT_EQ(fresh.exit_code, 1) << fresh.output;
  EXPECT_NE(fresh.output.find("cluster fresh has no certificate authority yet: run easel apply"),
            std::string::npos)
      << fresh.output;
  auto wrong =
      RunShell("EASEL_SECRET_KEY=" + std::string(64, 'a') + " HOME=" + ShellQuote(dir_.path()) +
               " " EASEL_BINARY " --state " + ShellQuote(state_) + " kubeconfig dev 2>&1");
  EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
  EXPECT_NE(wrong.output.find("cannot open a sealed secret"), std::string::npos) << wrong.output;
  EXPECT_EQ(wrong.output.find("PRIVATE KEY"), std::string::npos);
}

}  // namespace
}  // namespace easel

namespace easel {
namespace {

// ~/.easel is private whichever command makes it first (here `easel context add`, which writes
// ~/.easel/config.json), and a loose one is tightened.
TEST(EaselHomeMode, ContextAddMakesItPrivate) {
  easel::testing::TempDir home;
  auto run = [&] {
    return easel::testing::RunShell(
        "env -u EASEL_HOME -u EASEL_STATE HOME=" + easel::testing::ShellQuote(home.path()) +
        " " EASEL_BINARY " context add prod --cloud AzurePublicCloud 2>&1");
  };
  auto r = run();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(easel::testing::ModeOf(home.File(".easel")), 0700);
  ASSERT_EQ(::chmod(home.File(".easel").c_str(), 0755), 0);
  r = run();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(easel::testing::ModeOf(home.File(".easel")), 0700);
}

}  // namespace
}  // namespace easel
