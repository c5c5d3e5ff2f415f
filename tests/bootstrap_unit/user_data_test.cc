// The user data of every node of every example: golden files (byte for byte, from a fixed test
// PKI and a seeded join token), accepted by `cloud-init schema`, every script in it accepted by
// `shellcheck`, no private key anywhere, and each worker's CA pin matching the CA.
// To accept a deliberate change: EASEL_UPDATE_GOLDEN=1 build/tests/bootstrap_unit/...
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "bootstrap/join_token.h"
#include "bootstrap/pki.h"
#include "bootstrap/user_data.h"
#include "spec/catalog.h"
#include "spec/diagnostics.h"
#include "spec/load.h"
#include "spec/naming.h"
#include "test_util.h"

namespace easel {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::RunShell;
using testing::ShellQuote;
using testing::TempDir;
using testing::WriteFile;

const fs::path kSource = EASEL_SOURCE_DIR;
// A fixed seed and hour window: the tokens in the golden files never change.
const char* kSeed = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
constexpr int64_t kWindow = 494000;

bootstrap::PublicPki TestPki() {
  fs::path dir = kSource / "tests/data/pki";
  bootstrap::PublicPki pki{ReadFile(dir / "ca.crt"), ReadFile(dir / "etcd-ca.crt"),
                           ReadFile(dir / "front-proxy-ca.crt"), ReadFile(dir / "sa.pub"), ""};
  Result<std::string> hash = bootstrap::CaCertHash(pki.ca_cert_pem);
  EXPECT_TRUE(hash.ok()) << hash.status().message();
  pki.ca_cert_hash = hash.ok() ? *hash : "";
  return pki;
}

std::vector<bootstrap::JoinToken> TestTokens() {
  std::vector<bootstrap::JoinToken> out;
  for (int64_t w : {kWindow, kWindow + 1}) {
    Result<bootstrap::BootstrapToken> t = bootstrap::WindowToken(kSeed, w);
    EXPECT_TRUE(t.ok());
    out.push_back({t.ok() ? t->ToString() : "", std::chrono::seconds(3600 * (w - kWindow + 1))});
  }
  return out;
}

bootstrap::UserDataInput InputFor(const spec::ClusterSpec& s, const bootstrap::NodeInfo& node) {
  bootstrap::UserDataInput in;
  in.spec = &s;
  in.node = node;
  in.facts.tenant_id = "72f988bf-0000-4000-8000-00000000a2e1";
  in.facts.identity_client_id = "11111111-2222-4333-8444-555555555555";
  in.facts.vault_uri = "https://" + spec::KeyVaultName(s) + ".vault.azure.net/";
  in.facts.api_host = spec::ApiServerHost(s);
  in.pki = TestPki();
  in.tokens = TestTokens();
  if (node.role != bootstrap::NodeRole::kInit) in.tokens.resize(1);
  return in;
}

std::vector<fs::path> Examples() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(kSource / "examples")) {
    // AKS bootstraps its own nodes: only AzureCluster examples have user data.
    if (e.path().extension() == ".yaml" && e.path().filename().string().rfind("aks-", 0) != 0) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

spec::ClusterSpec Load(const fs::path& file) {
  spec::Diagnostics d;
  spec::ClusterSpec s = spec::LoadClusterSpec(file.string(), spec::EmbeddedCatalog(), &d);
  EXPECT_TRUE(d.empty()) << file;
  return s;
}

// Every node's user data of one example, with a header line naming the node.
std::string AllUserData(const spec::ClusterSpec& s, std::vector<std::string>* documents) {
  std::string all;
  for (const bootstrap::NodeInfo& node : bootstrap::ClusterNodes(s)) {
    Result<std::string> text = bootstrap::RenderUserData(InputFor(s, node));
    EXPECT_TRUE(text.ok()) << node.name << ": " << text.status().message();
    if (!text.ok()) continue;
    all += "# ---- node " + node.name + " (" + bootstrap::ToString(node.role) + ")\n" + *text;
    documents->push_back(*text);
  }
  return all;
}

TEST(UserData, EachExampleMatchesItsGoldenFile) {
  const bool update = std::getenv("EASEL_UPDATE_GOLDEN") != nullptr;
  for (const fs::path& example : Examples()) {
    std::vector<std::string> docs;
    std::string all = AllUserData(Load(example), &docs);
    fs::path golden = kSource / "tests/golden" / (example.stem().string() + ".user-data.yaml");
    if (update) WriteFile(golden, all);
    EXPECT_EQ(all, ReadFile(golden)) << "user data of " << example << " differs from " << golden;
  }
}

TEST(UserData, CloudInitAcceptsEveryDocumentAndShellcheckEveryScript) {
  TempDir dir;
  int checked = 0, scripts = 0;
  for (const fs::path& example : Examples()) {
    std::vector<std::string> docs;
    AllUserData(Load(example), &docs);
    for (const std::string& doc : docs) {
      std::string file = dir.File("user-data-" + std::to_string(checked++) + ".yaml");
      WriteFile(file, doc);
      testing::CommandResult schema =
          RunShell("cloud-init schema --config-file " + ShellQuote(file) + " 2>&1");
      EXPECT_EQ(schema.exit_code, 0) << example << ":\n" << schema.output << doc;
      YAML::Node root = YAML::Load(doc);
      for (const YAML::Node& f : root["write_files"]) {
        std::string content = f["content"].as<std::string>();
        if (content.rfind("#!", 0) != 0) continue;
        std::string script = dir.File("script-" + std::to_string(scripts++) + ".sh");
        WriteFile(script, content);
        testing::CommandResult sc = RunShell("shellcheck " + ShellQuote(script) + " 2>&1");
        EXPECT_EQ(sc.exit_code, 0) << f["path"].as<std::string>() << ":\n" << sc.output;
      }
    }
  }
  EXPECT_GT(checked, 10);
  EXPECT_GT(scripts, checked);  // the boot and wait scripts on every node, more on control planes
}

TEST(UserData, HoldsNoPrivateKeyAndPinsTheCa) {
  const std::string hash = TestPki().ca_cert_hash;
  for (const fs::path& example : Examples()) {
    spec::ClusterSpec s = Load(example);
    for (const bootstrap::NodeInfo& node : bootstrap::ClusterNodes(s)) {
      Result<std::string> text = bootstrap::RenderUserData(InputFor(s, node));
      ASSERT_TRUE(text.ok()) << text.status().message();
      EXPECT_FALSE(bootstrap::ContainsPrivateKey(*text)) << node.name;
      YAML::Node root = YAML::Load(*text);
      for (const YAML::Node& f : root["write_files"]) {
        if (f["path"].as<std::string>() != "/run/kubeadm/kubeadm.yaml") continue;
        std::vector<YAML::Node> kubeadm = YAML::LoadAll(f["content"].as<std::string>());
        for (const YAML::Node& d : kubeadm) {
          if (d["kind"].as<std::string>() != "JoinConfiguration") continue;
          EXPECT_EQ(d["discovery"]["bootstrapToken"]["caCertHashes"][0].as<std::string>(), hash)
              << node.name;
          EXPECT_TRUE(bootstrap::IsBootstrapToken(
              d["discovery"]["bootstrapToken"]["token"].as<std::string>()));
          EXPECT_EQ(d["nodeRegistration"]["name"].as<std::string>(), node.name);
        }
      }
    }
  }
}

// The kubeadm API follows the Kubernetes version: v1beta3 up to 1.30, v1beta4 from 1.31.
TEST(UserData, KubeadmApiVersionFollowsKubernetes) {
  spec::ClusterSpec s = Load(kSource / "examples/quickstart.yaml");
  bootstrap::NodeInfo init{spec::ControlPlaneMachineName(s, 0), bootstrap::NodeRole::kInit,
                           nullptr};
  for (auto [version, api, args] :
       {std::tuple{"1.30.4", "kubeadm.k8s.io/v1beta3", "cloud-provider: external"},
        std::tuple{"1.31.0", "kubeadm.k8s.io/v1beta4", "- name: cloud-provider"}}) {
    s.kubernetes_version = version;
    Result<std::string> config = bootstrap::RenderKubeadmConfig(InputFor(s, init));
    ASSERT_TRUE(config.ok());
    EXPECT_NE(config->find(std::string("apiVersion: ") + api), std::string::npos) << *config;
    EXPECT_NE(config->find(args), std::string::npos) << *config;
    EXPECT_NE(config->find("controlPlaneEndpoint: " + spec::ApiServerHost(s) + ":6443"),
              std::string::npos);
  }
}

// A pool's labels and taints become the node's registration labels and taints.
TEST(UserData, PoolLabelsAndTaintsRegisterWithTheNode) {
  spec::ClusterSpec s = Load(kSource / "examples/ha.yaml");
  for (const bootstrap::NodeInfo& node : bootstrap::ClusterNodes(s)) {
    if (!node.pool || (node.pool->labels.empty() && node.pool->taints.empty())) continue;
    Result<std::string> config = bootstrap::RenderKubeadmConfig(InputFor(s, node));
    ASSERT_TRUE(config.ok());
    YAML::Node reg = YAML::Load(*config)["nodeRegistration"];
    std::string labels;
    for (const YAML::Node& a : reg["kubeletExtraArgs"]) {
      if (a["name"].as<std::string>() == "node-labels") labels = a["value"].as<std::string>();
    }
    for (const auto& [k, v] : node.pool->labels) {
      EXPECT_NE(labels.find(k + "=" + v), std::string::npos) << labels;
    }
    ASSERT_EQ(reg["taints"].size(), node.pool->taints.size());
    for (size_t i = 0; i < node.pool->taints.size(); ++i) {
      EXPECT_EQ(reg["taints"][i]["key"].as<std::string>(), node.pool->taints[i].key);
      EXPECT_EQ(reg["taints"][i]["effect"].as<std::string>(), node.pool->taints[i].effect);
    }
    return;
  }
  FAIL() << "examples/ha.yaml has no pool with labels or taints";
}

// Too much for Azure's customData limit fails before anything is sent, naming node and field.
TEST(UserData, OversizedUserDataFailsNamingTheNode) {
  spec::ClusterSpec s = Load(kSource / "examples/quickstart.yaml");
  for (int i = 0; i < 1000; ++i) {
    s.worker_pools[0].labels["example.com/label-" + std::to_string(i)] = std::string(63, 'x');
  }
  Status st = bootstrap::CheckUserDataSizes(s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("spec.workerPools[0]: node demo-pool1-0: user data is "),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("at most 65535"), std::string::npos);
}

}  // namespace
}  // namespace easel
