// The node boot script (src/bootstrap/scripts/easel-bootstrap.sh) run for real: azsim stands for
// Azure (a user-assigned identity, a Key Vault with access policies, the secrets easel writes,
// IMDS), the node's user data comes from bootstrap::RenderUserData, its write_files entries are
// written under a temporary root as cloud-init would, and bash runs the script with stand-ins for
// kubeadm, kubectl and systemctl first on PATH (they record their arguments). curl, base64, sed
// and tee are the machine's own.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "azure/key_vault_client.h"
#include "azure/lro.h"
#include "azure/token_claims.h"
#include "bootstrap/cluster_secrets.h"
#include "bootstrap/join_token.h"
#include "bootstrap/pki.h"
#include "bootstrap/user_data.h"
#include "common/base64.h"
#include "common/strings.h"
#include "e2e/harness.h"
#include "spec/catalog.h"
#include "spec/load.h"
#include "spec/naming.h"

extern char** environ;

namespace easel::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kGroupApi = "2024-11-01";
constexpr const char* kIdentityApi = "2024-11-30";
constexpr const char* kVaultApi = "2024-11-01";
constexpr const char* kVaultResource = "https://vault.azure.net";

struct Identity {
  std::string id, principal_id, client_id;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& content, fs::perms mode) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  fs::permissions(path, mode, fs::perm_options::replace);
}

// The permission bits of `path` (e.g. 0600), or -1 when it does not exist.
int ModeOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) out.push_back(line);
  return out;
}

// A node's filesystem and the stand-ins' records, removed at the end.
class NodeRoot {
 public:
  NodeRoot() {
    char tmpl[] = "/tmp/easel-boot-XXXXXX";
    base_ = ::mkdtemp(tmpl);
    fs::create_directories(root());
    fs::create_directories(bin());
    fs::create_directories(tmp());
  }
  ~NodeRoot() {
    std::error_code ec;
    fs::remove_all(base_, ec);
  }
  NodeRoot(const NodeRoot&) = delete;
  NodeRoot& operator=(const NodeRoot&) = delete;

  std::string root() const { return base_ + "/root"; }
  std::string bin() const { return base_ + "/bin"; }
  std::string calls() const { return base_ + "/calls.log"; }  // one line per stand-in call
  std::string seen() const { return base_ + "/seen"; }        // what kubeadm found when called
  std::string tmp() const { return base_ + "/tmp"; }          // the script's TMPDIR
  std::string operator/(const std::string& abs_path) const { return root() + abs_path; }

 private:
  std::string base_;
};

// kubeadm, kubectl and systemctl stand-ins: each appends "<name> <args...>" to the calls file.
// kubeadm also keeps a copy of its --config file and a listing of the PKI directory as it found
// them, and `kubeadm init` writes the admin kubeconfig as kubeadm does; kubectl fails, as kubectl
// would, when its --kubeconfig does not exist.
void WriteStubs(const NodeRoot& node) {
  const std::string record =
      "{ printf '%s' \"$(basename \"$0\")\"; printf ' %s' \"$@\"; "
      "printf '\\n'; } >>'" +
      node.calls() + "'\n";
  const fs::perms exec = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec;
  WriteFile(
      node.bin() + "/kubeadm",
      "#!/bin/bash\nset -eu\n" + record + "seen='" + node.seen() +
          "'\n"
          "mkdir -p \"$seen\"\n"
          "args=(\"$@\")\n"
          "for ((i = 0; i + 1 < ${#args[@]}; i++)); do\n"
          "  if [ \"${args[i]}\" = --config ]; then cp \"${args[i + 1]}\" "
          "\"$seen/$1-config.yaml\"; fi\n"
          "done\n"
          "(cd \"$EASEL_ROOT/etc/kubernetes\" 2>/dev/null && find pki -type f | LC_ALL=C sort) "
          ">\"$seen/$1-pki.txt\" || true\n"
          "if [ \"$1\" = init ]; then\n"
          "  printf 'apiVersion: v1\\nkind: Config\\n' >\"$EASEL_ROOT/etc/kubernetes/"
          "admin.conf\"\n"
          "fi\n",
      exec);
  WriteFile(node.bin() + "/kubectl",
            "#!/bin/bash\nset -eu\n" + record +
                "if [ \"$1\" = --kubeconfig ] && [ ! -f \"$2\" ]; then\n"
                "  echo \"error: stat $2: no such file or directory\" >&2\n"
                "  exit 1\n"
                "fi\n",
            exec);
  WriteFile(node.bin() + "/systemctl", "#!/bin/bash\nset -eu\n" + record, exec);
}

// Writes every write_files entry of a #cloud-config document under the node's root with its
// permissions, as cloud-init does. Returns path -> content; fails the test on anything cloud-init
// would do differently than a plain write (an encoding, a missing field).
std::map<std::string, std::string> WriteUserData(const std::string& user_data,
                                                 const NodeRoot& node) {
  std::map<std::string, std::string> files;
  EXPECT_TRUE(StartsWith(user_data, "#cloud-config\n"));
  YAML::Node doc = YAML::Load(user_data);
  EXPECT_TRUE(doc["write_files"].IsSequence());
  for (const YAML::Node& f : doc["write_files"]) {
    const std::string path = f["path"].as<std::string>();
    EXPECT_TRUE(StartsWith(path, "/")) << path;
    EXPECT_FALSE(f["encoding"]) << path << ": an encoding this test does not decode";
    const std::string permissions = f["permissions"].as<std::string>();
    const std::string content = f["content"].as<std::string>();
    WriteFile(node / path, content, static_cast<fs::perms>(std::stoi(permissions, nullptr, 8)));
    EXPECT_EQ(ModeOf(node / path), std::stoi(permissions, nullptr, 8)) << path;
    files[path] = content;
  }
  // What cloud-init runs once the files are written.
  const YAML::Node runcmd = doc["runcmd"];
  EXPECT_TRUE(runcmd.IsSequence() && runcmd.size() == 1 && runcmd[0].IsSequence() &&
              runcmd[0].size() == 1 &&
              runcmd[0][0].as<std::string>() == "/usr/local/sbin/easel-bootstrap")
      << YAML::Dump(runcmd);
  return files;
}

struct ScriptRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr (the script tees both into its log)
};

// Runs `bash <script>` with the environment of the test plus `env`, reading its output until
// every writer (the script's tee included) has closed it.
ScriptRun RunBash(const std::string& script, const std::map<std::string, std::string>& env) {
  std::vector<std::string> entries;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    if (!env.count(entry.substr(0, entry.find('=')))) entries.push_back(entry);
  }
  for (const auto& [k, v] : env) entries.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& e : entries) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string bash = "/bin/bash";
  std::vector<char*> argv = {bash.data(), const_cast<char*>(script.c_str()), nullptr};

  ScriptRun run;
  int fds[2];
  if (::pipe(fds) != 0) return run;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    ::close(fds[1]);
    int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, 0);
    ::execve(bash.c_str(), argv.data(), envp.data());
    std::_Exit(127);
  }
  ::close(fds[1]);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof(buf))) > 0) run.output.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

class BootScriptTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    azure_ = new LocalAzure(0);
    if (!azure_->ok()) {
      setup_error_ = azure_->error();
      return;
    }
    try {
      Prepare();
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete azure_;
    azure_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(setup_error_, ""); }

  static void Must(const Status& s, const std::string& what) {
    if (!s.ok()) throw std::runtime_error(what + ": " + s.message());
  }

  static std::string GroupId() {
    return "/subscriptions/" + azure_->subscription() + "/resourceGroups/boot-rg";
  }

  static Identity CreateIdentity(const std::string& name) {
    Identity out;
    out.id = GroupId() + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + name;
    Must(azure::PutAndWait(azure_->arm(), out.id, kIdentityApi, {{"location", "eastus"}}), out.id);
    json body = azure_->Get(out.id, kIdentityApi);
    out.principal_id = body["properties"].value("principalId", "");
    out.client_id = body["properties"].value("clientId", "");
    if (out.principal_id.empty() || out.client_id.empty()) {
      throw std::runtime_error(name + ": no principalId or clientId in " + body.dump());
    }
    return out;
  }

  // The resource group, two identities (`reader_` may get the vault's secrets, `outsider_` has no
  // access policy), the vault (the test principal may set secrets) and the cluster's secrets in
  // it, written as easel writes them (base64 of each PEM, cli/bootstrap_hooks.cc).
  static void Prepare() {
    Must(azure::PutAndWait(azure_->arm(), GroupId(), kGroupApi, {{"location", "eastus"}}),
         "resource group");
    reader_ = CreateIdentity("boot-cp-id");
    outsider_ = CreateIdentity("boot-other-id");

    Result<azure::AccessToken> token =
        azure_->credential().GetToken(std::string(kVaultResource) + "/.default");
    Must(token.status(), "test principal's vault token");
    Result<azure::PrincipalClaims> me = azure::ClaimsOf(token->token);
    Must(me.status(), "test principal's claims");

    vault_id_ = GroupId() + "/providers/Microsoft.KeyVault/vaults/bootscript-kv";
    const std::string tenant = azure_->tenant_id();
    json vault = {{"location", "eastus"},
                  {"properties",
                   {{"tenantId", tenant},
                    {"sku", {{"family", "A"}, {"name", "standard"}}},
                    {"accessPolicies",
                     json::array({{{"tenantId", tenant},
                                   {"objectId", reader_.principal_id},
                                   {"permissions", {{"secrets", json::array({"get"})}}}},
                                  {{"tenantId", tenant},
                                   {"objectId", me->object_id},
                                   {"permissions", {{"secrets", json::array({"set"})}}}}})}}}};
    Must(azure::PutAndWait(azure_->arm(), vault_id_, kVaultApi, vault), "vault");
    vault_uri_ = azure_->Get(vault_id_, kVaultApi)["properties"].value("vaultUri", "");
    if (vault_uri_.empty()) throw std::runtime_error("the vault has no vaultUri");

    Result<bootstrap::ClusterSecrets> secrets = bootstrap::NewClusterSecrets(
        bootstrap::KeyAlgorithm::kRsa2048, std::chrono::system_clock::now());
    Must(secrets.status(), "cluster secrets");
    secrets_ = *secrets;
    azure::KeyVaultClient kv(&azure_->http(), &azure_->credential(), kVaultResource);
    const bootstrap::ClusterPki& pki = secrets_.pki;
    for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
             {"ca-key", pki.ca.key_pem},
             {"etcd-ca-key", pki.etcd_ca.key_pem},
             {"front-proxy-ca-key", pki.front_proxy_ca.key_pem},
             {"sa-key", pki.sa_private_pem},
             {"join-token-seed", secrets_.join_token_seed_hex}}) {
      Must(kv.SetSecret(vault_uri_, name, Base64Encode(value)), "secret " + name);
    }
  }

  static spec::ClusterSpec LoadSpec(const std::string& example) {
    spec::Diagnostics diagnostics;
    spec::ClusterSpec s =
        spec::LoadClusterSpec(std::string(EASEL_SOURCE_DIR) + "/examples/" + example,
                              spec::EmbeddedCatalog(), &diagnostics);
    EXPECT_TRUE(diagnostics.empty()) << Join(diagnostics.Lines(), "\n");
    return s;
  }

  // The user data of `spec`'s first node of `role`, for a node carrying `identity`.
  static std::string UserData(const spec::ClusterSpec& s, bootstrap::NodeRole role,
                              const Identity& identity) {
    bootstrap::UserDataInput in;
    in.spec = &s;
    for (const bootstrap::NodeInfo& n : bootstrap::ClusterNodes(s)) {
      if (n.role == role) {
        in.node = n;
        break;
      }
    }
    EXPECT_EQ(in.node.role, role);
    in.facts.tenant_id = azure_->tenant_id();
    in.facts.identity_client_id = identity.client_id;
    in.facts.vault_uri = vault_uri_;
    in.facts.vault_resource = kVaultResource;
    in.facts.api_host = spec::ApiServerHost(s);
    const bootstrap::ClusterPki& pki = secrets_.pki;
    Result<std::string> hash = bootstrap::CaCertHash(pki.ca.cert_pem);
    EXPECT_TRUE(hash.ok());
    in.pki = {pki.ca.cert_pem, pki.etcd_ca.cert_pem, pki.front_proxy_ca.cert_pem, pki.sa_public_pem,
              hash.ok() ? *hash : ""};
    const int64_t window = bootstrap::WindowOf(std::chrono::system_clock::now());
    for (int64_t w : {window, window + 1}) {
      Result<bootstrap::BootstrapToken> t = bootstrap::WindowToken(secrets_.join_token_seed_hex, w);
      EXPECT_TRUE(t.ok());
      if (t.ok()) in.tokens.push_back({t->ToString(), std::chrono::hours(2)});
    }
    if (role != bootstrap::NodeRole::kInit) in.tokens.resize(1);
    Result<std::string> text = bootstrap::RenderUserData(in);
    EXPECT_TRUE(text.ok()) << text.status().message();
    return text.ok() ? *text : "";
  }

  // Runs the node's boot script as cloud-init's runcmd would, against azsim.
  static ScriptRun Boot(const NodeRoot& node) {
    const char* path = std::getenv("PATH");
    ScriptRun run = RunBash(node / "/usr/local/sbin/easel-bootstrap",
                            {{"EASEL_ROOT", node.root()},
                             {"EASEL_IMDS_ENDPOINT", azure_->arm_endpoint()},
                             {"CURL_CA_BUNDLE", azure_->ca_file()},
                             {"TMPDIR", node.tmp()},
                             {"PATH", node.bin() + ":" + (path ? path : "/usr/bin:/bin")}});
    // The answers of IMDS (a token) and Key Vault (a key) are not left behind, whatever the
    // outcome.
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(node.tmp())) left.push_back(e.path().string());
    EXPECT_EQ(left, std::vector<std::string>{}) << "temporary files of the boot script";
    return run;
  }

  static int64_t LastSeq() {
    std::vector<json> all = azure_->Requests();
    return all.empty() ? 0 : all.back().value("seq", int64_t{0});
  }

  // The Key Vault data-plane requests azsim logged after `since`: "METHOD path status principal".
  static std::vector<std::string> VaultRequests(int64_t since) {
    std::vector<std::string> out;
    for (const json& r : azure_->Requests(since)) {
      if (r.value("service", "") != "keyvault") continue;
      out.push_back(r.value("method", "") + " " + r.value("path", "") + " " +
                    std::to_string(r.value("status", 0)) + " " + r.value("principal", ""));
    }
    return out;
  }

  static LocalAzure* azure_;
  static std::string setup_error_, vault_id_, vault_uri_;
  static Identity reader_, outsider_;
  static bootstrap::ClusterSecrets secrets_;
};

LocalAzure* BootScriptTest::azure_ = nullptr;
std::string BootScriptTest::setup_error_, BootScriptTest::vault_id_, BootScriptTest::vault_uri_;
Identity BootScriptTest::reader_, BootScriptTest::outsider_;
bootstrap::ClusterSecrets BootScriptTest::secrets_;

// The private keys a control-plane node reads from the vault: file -> the PEM easel generated.
std::vector<std::pair<std::string, std::string>> KeyFiles(const bootstrap::ClusterSecrets& s) {
  return {{"/etc/kubernetes/pki/ca.key", s.pki.ca.key_pem},
          {"/etc/kubernetes/pki/etcd/ca.key", s.pki.etcd_ca.key_pem},
          {"/etc/kubernetes/pki/front-proxy-ca.key", s.pki.front_proxy_ca.key_pem},
          {"/etc/kubernetes/pki/sa.key", s.pki.sa_private_pem},
          {"/etc/kubernetes/easel/join-token-seed", s.join_token_seed_hex}};
}

TEST_F(BootScriptTest, InitNodeReadsItsKeysFromKeyVaultAndInitialisesTheCluster) {
  const spec::ClusterSpec s = LoadSpec("quickstart.yaml");
  NodeRoot node;
  WriteStubs(node);
  std::map<std::string, std::string> files =
      WriteUserData(UserData(s, bootstrap::NodeRole::kInit, reader_), node);
  ASSERT_TRUE(files.count("/run/kubeadm/kubeadm.yaml"));
  const int64_t since = LastSeq();

  ScriptRun run = Boot(node);
  ASSERT_EQ(run.exit_code, 0) << run.output;

  // The private keys, byte for byte, readable by root only.
  for (const auto& [path, pem] : KeyFiles(secrets_)) {
    EXPECT_EQ(ModeOf(node / path), 0600) << path;
    EXPECT_TRUE(ReadFile(node / path) == pem) << path << " differs from the generated key";
  }
  // Read with the node's identity, one GET per secret.
  std::vector<std::string> expected_reads;
  for (const char* name :
       {"ca-key", "etcd-ca-key", "front-proxy-ca-key", "sa-key", "join-token-seed"}) {
    expected_reads.push_back("GET /secrets/" + std::string(name) + " 200 " + reader_.principal_id);
  }
  EXPECT_EQ(VaultRequests(since), expected_reads);

  // kubeadm init with the rendered configuration, the keys already in place; then the join-token
  // timer; then every add-on manifest in order, with the admin kubeconfig kubeadm wrote.
  const std::string config = node / "/run/kubeadm/kubeadm.yaml";
  std::vector<std::string> expected = {"kubeadm init --config " + config,
                                       "systemctl enable --now easel-join-token.timer"};
  const std::vector<std::string> manifests = bootstrap::AddonManifests(s);
  ASSERT_FALSE(manifests.empty());
  for (const std::string& url : manifests) {
    expected.push_back("kubectl --kubeconfig " + (node / "/etc/kubernetes/admin.conf") +
                       " apply -f " + url);
  }
  EXPECT_EQ(Lines(ReadFile(node.calls())), expected) << run.output;
  EXPECT_EQ(ReadFile(node.seen() + "/init-config.yaml"), files["/run/kubeadm/kubeadm.yaml"]);
  EXPECT_EQ(Lines(ReadFile(node.seen() + "/init-pki.txt")),
            (std::vector<std::string>{"pki/ca.crt", "pki/ca.key", "pki/etcd/ca.crt",
                                      "pki/etcd/ca.key", "pki/front-proxy-ca.crt",
                                      "pki/front-proxy-ca.key", "pki/sa.key", "pki/sa.pub"}));
  EXPECT_FALSE(fs::exists(config)) << "kubeadm.yaml holds the join tokens";

  EXPECT_TRUE(fs::exists(node / "/run/easel/bootstrap-success.complete"));
  EXPECT_FALSE(fs::exists(node / "/run/easel/bootstrap-failed"));
  const std::string log = ReadFile(node / "/var/log/easel-bootstrap.log");
  EXPECT_EQ(log, run.output);
  for (const char* step : {"easel-bootstrap: step 1/4: reading the cluster's keys from Key Vault",
                           "easel-bootstrap: step 2/4: kubeadm init",
                           "easel-bootstrap: step 3/4: starting the "
                           "join-token timer",
                           "easel-bootstrap: step 4/4: installing add-ons"}) {
    EXPECT_NE(log.find(step), std::string::npos) << step << "\n" << log;
  }
  EXPECT_NE(log.find("easel-bootstrap: node " + bootstrap::ClusterNodes(s)[0].name +
                     " is bootstrapped (init)"),
            std::string::npos)
      << log;
  // No secret value reaches the log.
  for (const auto& [path, pem] : KeyFiles(secrets_)) {
    EXPECT_EQ(log.find(Base64Encode(pem).substr(0, 40)), std::string::npos) << path;
  }
  EXPECT_EQ(log.find(secrets_.join_token_seed_hex), std::string::npos);
}

TEST_F(BootScriptTest, InitNodeWithAnInternalApiServerPointsTheEndpointAtItself) {
  const spec::ClusterSpec s = LoadSpec("private-api.yaml");
  NodeRoot node;
  WriteStubs(node);
  WriteUserData(UserData(s, bootstrap::NodeRole::kInit, reader_), node);

  ScriptRun run = Boot(node);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(ReadFile(node / "/etc/hosts"), "127.0.0.1 " + spec::ApiServerHost(s) + "\n");
  const std::string log = ReadFile(node / "/var/log/easel-bootstrap.log");
  EXPECT_NE(log.find("step 2/5: pointing the internal API endpoint " + spec::ApiServerHost(s) +
                     " at this node"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("step 5/5: installing add-ons"), std::string::npos) << log;
  std::vector<std::string> calls = Lines(ReadFile(node.calls()));
  ASSERT_GE(calls.size(), 2u);
  EXPECT_EQ(calls[0], "kubeadm init --config " + (node / "/run/kubeadm/kubeadm.yaml"));
  EXPECT_TRUE(fs::exists(node / "/run/easel/bootstrap-success.complete"));
}

TEST_F(BootScriptTest, ControlPlaneNodeWithoutAccessToTheVaultFailsAtStepOne) {
  const spec::ClusterSpec s = LoadSpec("quickstart.yaml");
  NodeRoot node;
  WriteStubs(node);
  WriteUserData(UserData(s, bootstrap::NodeRole::kInit, outsider_), node);
  const int64_t since = LastSeq();

  ScriptRun run = Boot(node);
  EXPECT_NE(run.exit_code, 0) << run.output;

  const std::string failed = ReadFile(node / "/run/easel/bootstrap-failed");
  const std::string prefix =
      "1/4 (reading the cluster's keys from Key Vault): reading secret ca-key "
      "from " +
      vault_uri_ + ": 403 ";
  EXPECT_TRUE(StartsWith(failed, prefix)) << failed;
  EXPECT_NE(failed.find("\"Forbidden\""), std::string::npos) << failed;
  // The end of Key Vault's message too: which permission on which vault.
  EXPECT_NE(failed.find("does not have secrets get permission on key vault "
                        "'bootscript-kv;location=eastus'"),
            std::string::npos)
      << failed;
  EXPECT_EQ(Lines(failed).size(), 1u) << failed;

  const std::string log = ReadFile(node / "/var/log/easel-bootstrap.log");
  EXPECT_NE(log.find("easel-bootstrap: failed at step 1/4 (reading the cluster's keys from Key "
                     "Vault): reading secret ca-key from " +
                     vault_uri_ + ": 403 "),
            std::string::npos)
      << log;
  // The vault refused the node's own identity, and the script stopped at the first secret.
  EXPECT_EQ(VaultRequests(since),
            std::vector<std::string>{"GET /secrets/ca-key 403 " + outsider_.principal_id});

  for (const auto& [path, pem] : KeyFiles(secrets_)) {
    EXPECT_FALSE(fs::exists(node / path)) << path;
  }
  EXPECT_FALSE(fs::exists(node.calls())) << ReadFile(node.calls());
  EXPECT_FALSE(fs::exists(node / "/run/easel/bootstrap-success.complete"));
  EXPECT_TRUE(fs::exists(node / "/run/kubeadm/kubeadm.yaml"));
}

TEST_F(BootScriptTest, WorkerNodeOnlyJoins) {
  const spec::ClusterSpec s = LoadSpec("quickstart.yaml");
  NodeRoot node;
  WriteStubs(node);
  std::map<std::string, std::string> files =
      WriteUserData(UserData(s, bootstrap::NodeRole::kWorker, reader_), node);
  EXPECT_EQ(files["/etc/easel/bootstrap.env"].find("VAULT_URI"), std::string::npos);
  const int64_t since = LastSeq();

  ScriptRun run = Boot(node);
  ASSERT_EQ(run.exit_code, 0) << run.output;

  const std::string config = node / "/run/kubeadm/kubeadm.yaml";
  EXPECT_EQ(Lines(ReadFile(node.calls())),
            std::vector<std::string>{"kubeadm join --config " + config});
  EXPECT_EQ(ReadFile(node.seen() + "/join-config.yaml"), files["/run/kubeadm/kubeadm.yaml"]);
  EXPECT_NE(files["/run/kubeadm/kubeadm.yaml"].find("kind: JoinConfiguration"), std::string::npos);
  EXPECT_FALSE(fs::exists(config));
  EXPECT_EQ(VaultRequests(since), std::vector<std::string>{});
  for (const auto& [path, pem] : KeyFiles(secrets_)) {
    EXPECT_FALSE(fs::exists(node / path)) << path;
  }
  EXPECT_TRUE(fs::exists(node / "/run/easel/bootstrap-success.complete"));
  EXPECT_FALSE(fs::exists(node / "/run/easel/bootstrap-failed"));
  const std::string log = ReadFile(node / "/var/log/easel-bootstrap.log");
  EXPECT_NE(log.find("easel-bootstrap: step 1/1: kubeadm join"), std::string::npos) << log;
  EXPECT_NE(log.find("is bootstrapped (worker)"), std::string::npos) << log;
}

}  // namespace
}  // namespace easel::e2e
