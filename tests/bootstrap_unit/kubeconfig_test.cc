// src/bootstrap/kubeconfig.h; the rendered file is read back by the real kubectl.
#include "bootstrap/kubeconfig.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "bootstrap/pki.h"
#include "common/base64.h"
#include "tests/bootstrap_unit/test_util.h"

namespace easel::bootstrap {
namespace {

using easel::testing::RunShell;
using easel::testing::ShellQuote;
using easel::testing::TempDir;
using easel::testing::WriteFile;
using std::chrono::system_clock;

const system_clock::time_point kNow = system_clock::from_time_t(1'796'000'000);

class KubeconfigTest : public ::testing::TestWithParam<KeyAlgorithm> {};

TEST_P(KubeconfigTest, KubectlReadsItAndTheDataRoundTrips) {
  Result<ClusterPki> pki = GenerateClusterPki(GetParam(), kNow);
  ASSERT_TRUE(pki.ok()) << pki.status().ToString();
  Result<ClientCertificate> cert = SignClientCertificate(
      pki->ca, {"kubernetes-admin", {"kubeadm:cluster-admins"}, std::chrono::hours(24), kNow});
  ASSERT_TRUE(cert.ok());
  KubeconfigInput in{"dev-1",          "https://dev-1-api.eastus.cloudapp.azure.com:6443",
                     pki->ca.cert_pem, "kubernetes-admin",
                     cert->cert_pem,   cert->key_pem};
  TempDir dir;
  std::string path = dir.File("kubeconfig");
  WriteFile(path, RenderKubeconfig(in));
  auto r = RunShell("kubectl config view --kubeconfig " + ShellQuote(path) + " --raw -o json 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json j = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.output;
  EXPECT_EQ(j["kind"], "Config");
  EXPECT_EQ(j["apiVersion"], "v1");
  EXPECT_EQ(j["current-context"], "kubernetes-admin@dev-1");
  ASSERT_EQ(j["clusters"].size(), 1u);
  EXPECT_EQ(j["clusters"][0]["name"], "dev-1");
  EXPECT_EQ(j["clusters"][0]["cluster"]["server"], in.server_url);
  EXPECT_EQ(
      Base64Decode(j["clusters"][0]["cluster"]["certificate-authority-data"].get<std::string>()),
      pki->ca.cert_pem);
  ASSERT_EQ(j["users"].size(), 1u);
  EXPECT_EQ(j["users"][0]["name"], "kubernetes-admin");
  EXPECT_EQ(Base64Decode(j["users"][0]["user"]["client-certificate-data"].get<std::string>()),
            cert->cert_pem);
  EXPECT_EQ(Base64Decode(j["users"][0]["user"]["client-key-data"].get<std::string>()),
            cert->key_pem);
  ASSERT_EQ(j["contexts"].size(), 1u);
  EXPECT_EQ(j["contexts"][0]["name"], "kubernetes-admin@dev-1");
  EXPECT_EQ(j["contexts"][0]["context"]["cluster"], "dev-1");
  EXPECT_EQ(j["contexts"][0]["context"]["user"], "kubernetes-admin");
  // kubectl's own view of what is current.
  auto current = RunShell("kubectl config current-context --kubeconfig " + ShellQuote(path));
  EXPECT_EQ(easel::testing::Trim(current.output), "kubernetes-admin@dev-1");
}

// kubectl (Go's crypto/tls) loads the key and certificates and authenticates with them to a TLS
// server that trusts only the cluster CA and requires a client certificate (openssl s_server).
TEST_P(KubeconfigTest, KubectlAuthenticatesWithItToAServerTrustingTheCa) {
  // Real time here: the handshake checks validity against the clock (nothing asserts on time).
  auto now = system_clock::now();
  Result<ClusterPki> pki = GenerateClusterPki(GetParam(), now);
  ASSERT_TRUE(pki.ok());
  TempDir dir;
  WriteFile(dir.File("ca.crt"), pki->ca.cert_pem);
  WriteFile(dir.File("ca.key"), pki->ca.key_pem);
  WriteFile(dir.File("ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  std::string cd = "cd " + ShellQuote(dir.path()) + " && ";
  auto csr = RunShell(cd +
                      "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                      "-keyout server.key -subj /CN=localhost -out server.csr 2>&1 && "
                      "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
                      "-days 1 -extfile ext -out server.crt 2>&1");
  ASSERT_EQ(csr.exit_code, 0) << csr.output;

  // The server prints its shell's pid (exec keeps it), then "ACCEPT 127.0.0.1:<port>".
  FILE* server = ::popen((cd + "echo $$; exec timeout 120 openssl s_server -accept 127.0.0.1:0 "
                               "-cert server.crt -key server.key -CAfile ca.crt -Verify 1 "
                               "-verify_return_error -www 2>&1")
                             .c_str(),
                         "r");
  ASSERT_NE(server, nullptr);
  char line[512];
  int pid = 0;
  std::string port;
  while (std::fgets(line, sizeof line, server)) {
    std::string l = easel::testing::Trim(line);
    if (pid == 0) {
      pid = std::atoi(l.c_str());
    } else if (l.rfind("ACCEPT", 0) == 0) {
      port = l.substr(l.rfind(':') + 1);
      break;
    }
  }
  ASSERT_GT(pid, 0);
  ASSERT_FALSE(port.empty()) << "openssl s_server did not start";

  auto kubeconfig_for = [&](const CertificateAuthority& signer, const std::string& name) {
    Result<ClientCertificate> cert = SignClientCertificate(
        signer, {"kubernetes-admin", {"kubeadm:cluster-admins"}, std::chrono::hours(1), now});
    EXPECT_TRUE(cert.ok());
    std::string path = dir.File(name);
    WriteFile(path, RenderKubeconfig({"dev", "https://127.0.0.1:" + port, pki->ca.cert_pem,
                                      "kubernetes-admin", cert->cert_pem, cert->key_pem}));
    return RunShell("timeout 60 kubectl --kubeconfig " + ShellQuote(path) +
                    " --request-timeout 30s get --raw / 2>&1");
  };
  auto good = kubeconfig_for(pki->ca, "good.conf");
  // A certificate from another CA of the same cluster is refused by the server.
  auto other = kubeconfig_for(pki->front_proxy_ca, "other.conf");
  ::kill(pid, SIGTERM);
  ::pclose(server);
  EXPECT_EQ(good.exit_code, 0) << good.output;
  EXPECT_NE(good.output.find("<HTML>"), std::string::npos) << good.output;
  EXPECT_NE(other.exit_code, 0) << other.output;
  EXPECT_NE(other.output.find("tls"), std::string::npos) << other.output;
}

INSTANTIATE_TEST_SUITE_P(Algorithms, KubeconfigTest,
                         ::testing::Values(KeyAlgorithm::kRsa2048, KeyAlgorithm::kEcdsaP256),
                         [](const ::testing::TestParamInfo<KeyAlgorithm>& info) {
                           return info.param == KeyAlgorithm::kRsa2048 ? "Rsa2048" : "EcdsaP256";
                         });

TEST(Kubeconfig, NamesThatNeedQuotingSurviveYaml) {
  KubeconfigInput in{"c: #1", "https://[::1]:6443", "ca", "easel:o'brien \"x\"", "cert", "key"};
  TempDir dir;
  WriteFile(dir.File("k"), RenderKubeconfig(in));
  auto r = RunShell("kubectl config view --kubeconfig " + dir.File("k") + " --raw -o json 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json j = nlohmann::json::parse(r.output, nullptr, false);
  EXPECT_EQ(j["clusters"][0]["name"], "c: #1");
  EXPECT_EQ(j["users"][0]["name"], "easel:o'brien \"x\"");
  EXPECT_EQ(j["current-context"], "easel:o'brien \"x\"@c: #1");
  EXPECT_EQ(j["clusters"][0]["cluster"]["server"], "https://[::1]:6443");
}

TEST(AdminGroupFor, KubeadmClusterAdminsFrom129) {
  EXPECT_EQ(*AdminGroupFor("1.29.0"), "kubeadm:cluster-admins");
  EXPECT_EQ(*AdminGroupFor("1.30.4"), "kubeadm:cluster-admins");
  EXPECT_EQ(*AdminGroupFor("v1.37.1"), "kubeadm:cluster-admins");
  EXPECT_EQ(*AdminGroupFor("1.31"), "kubeadm:cluster-admins");
  EXPECT_EQ(*AdminGroupFor("1.30.0-rc.1"), "kubeadm:cluster-admins");
  EXPECT_EQ(*AdminGroupFor("2.0.0"), "kubeadm:cluster-admins");
  EXPECT_EQ(*AdminGroupFor("1.28.9"), "system:masters");
  EXPECT_EQ(*AdminGroupFor("v1.9.0"), "system:masters");
  for (const char* bad : {"", "1", "v", "1.", "x1.30", "1.x", "99999999999999999999.1"}) {
    Result<std::string> g = AdminGroupFor(bad);
    ASSERT_FALSE(g.ok()) << bad;
    EXPECT_EQ(g.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(ParseDuration, UnitsAndClearErrors) {
  EXPECT_EQ(*ParseDuration("90s"), std::chrono::seconds(90));
  EXPECT_EQ(*ParseDuration("30m"), std::chrono::minutes(30));
  EXPECT_EQ(*ParseDuration("12h"), std::chrono::hours(12));
  EXPECT_EQ(*ParseDuration("7d"), std::chrono::hours(7 * 24));
  struct Bad {
    const char* text;
    const char* why;
  };
  for (const Bad& b :
       {Bad{"", "expected a number"}, Bad{"h", "expected a number"}, Bad{"12", "unit is missing"},
        Bad{"12x", "unknown unit 'x'"}, Bad{"1h30m", "one unit"}, Bad{"0h", "positive"},
        Bad{"-1h", "expected a number"}, Bad{"1.5h", "one unit"},
        Bad{"99999999999999999999d", "too large"}, Bad{"9999999999999999d", "too large"},
        Bad{" 1h", "expected a number"}, Bad{"1H", "unknown unit"}}) {
    Result<std::chrono::seconds> d = ParseDuration(b.text);
    ASSERT_FALSE(d.ok()) << b.text;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(d.status().message().find(b.why), std::string::npos)
        << b.text << ": " << d.status().message();
  }
  EXPECT_EQ(kDefaultClientCertLifetime, std::chrono::hours(24));
  EXPECT_EQ(kMaxClientCertLifetime, std::chrono::hours(24 * 7));
}

}  // namespace
}  // namespace easel::bootstrap
