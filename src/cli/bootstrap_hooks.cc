#include "cli/bootstrap_hooks.h"

#include <chrono>

#include "bootstrap/join_token.h"
#include "bootstrap/pki.h"
#include "bootstrap/user_data.h"
#include "common/base64.h"
#include "engine/cluster_secrets_store.h"
#include "spec/load.h"
#include "store/secret_box.h"

namespace easel::cli {
namespace {

using Clock = std::chrono::system_clock;

bootstrap::KeyAlgorithm AlgorithmOf(const spec::ClusterSpec& s) {
  return s.pki.key_algorithm == spec::PkiKeyAlgorithm::kEcdsaP256
             ? bootstrap::KeyAlgorithm::kEcdsaP256
             : bootstrap::KeyAlgorithm::kRsa2048;
}

// The worker join tokens of this hour window and the next, each valid to the end of the window
// after its own (bootstrap/join_token.h; the nodes' timer keeps creating them).
Result<std::vector<bootstrap::JoinToken>> CurrentTokens(const std::string& seed_hex) {
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
  const int64_t window = bootstrap::WindowOf(Clock::now());
  std::vector<bootstrap::JoinToken> out;
  for (int64_t w : {window, window + 1}) {
    Result<bootstrap::BootstrapToken> t = bootstrap::WindowToken(seed_hex, w);
    if (!t.ok()) return t.status();
    int64_t expires = (w + 2) * bootstrap::kJoinTokenWindowSeconds;
    out.push_back({t->ToString(), std::chrono::seconds(expires - now)});
  }
  return out;
}

std::string String(const nlohmann::json& facts, const char* key) {
  return facts.contains(key) && facts[key].is_string() ? facts[key].get<std::string>() : "";
}

}  // namespace

Result<std::unique_ptr<ClusterBootstrap>> PrepareBootstrap(const spec::ClusterSpec& spec,
                                                           store::Store& store,
                                                           const std::string& state_path,
                                                           const std::string& cloud_name,
                                                           const std::string& vault_resource) {
  Result<store::SecretBox> box =
      store::SecretBox::Open(state_path.empty() ? store::DefaultStatePath() : state_path);
  if (!box.ok()) return box.status();
  Result<bootstrap::ClusterSecrets> secrets =
      engine::LoadOrCreateClusterSecrets(store, *box, spec.name, AlgorithmOf(spec), Clock::now());
  if (!secrets.ok()) return secrets.status();
  auto out = std::make_unique<ClusterBootstrap>();
  out->secrets = std::move(secrets).value();
  const bootstrap::ClusterSecrets* s = &out->secrets;
  Result<std::string> hash = bootstrap::CaCertHash(s->pki.ca.cert_pem);
  if (!hash.ok()) return hash.status();
  bootstrap::PublicPki pki{s->pki.ca.cert_pem, s->pki.etcd_ca.cert_pem,
                           s->pki.front_proxy_ca.cert_pem, s->pki.sa_public_pem, *hash};
  const spec::ClusterSpec* sp = &spec;
  // azsim stands for the public cloud; a custom cloud's own name means nothing to the provider.
  std::string cloud = cloud_name.rfind("Azure", 0) == 0 ? cloud_name : "AzurePublicCloud";

  out->hooks.user_data = [sp, s, pki, cloud, vault_resource](
                             const std::string& vm, const std::string& role,
                             const nlohmann::json& facts) -> Result<std::string> {
    bootstrap::UserDataInput in;
    in.spec = sp;
    bool found = false;
    for (const bootstrap::NodeInfo& n : bootstrap::ClusterNodes(*sp)) {
      if (n.name == vm) {
        in.node = n;
        found = true;
      }
    }
    if (!found) return Status::Internal("VM " + vm + " is not a node of the spec");
    if (bootstrap::ToString(in.node.role) != role) {
      return Status::Internal("VM " + vm + ": planned as " + role + ", spec says " +
                              bootstrap::ToString(in.node.role));
    }
    in.facts = {cloud,
                String(facts, "tenantId"),
                String(facts, "identityClientId"),
                String(facts, "vaultUri"),
                vault_resource,
                String(facts, "apiHost")};
    in.pki = pki;
    Result<std::vector<bootstrap::JoinToken>> tokens = CurrentTokens(s->join_token_seed_hex);
    if (!tokens.ok()) return tokens.status();
    in.tokens = *tokens;
    if (in.node.role != bootstrap::NodeRole::kInit) in.tokens.resize(1);
    Result<std::string> text = bootstrap::RenderUserData(in);
    if (!text.ok()) return text.status();
    // The promise of docs/bootstrap.md, checked on every document before it leaves.
    if (bootstrap::ContainsPrivateKey(*text)) {
      return Status::Internal("VM " + vm + ": user data would hold a private key; not sent");
    }
    return text;
  };

  out->hooks.vault_secrets = [s]() -> Result<std::vector<std::pair<std::string, std::string>>> {
    // Base64, so that the node reads each value from Key Vault's JSON without a JSON parser.
    return std::vector<std::pair<std::string, std::string>>{
        {"ca-key", Base64Encode(s->pki.ca.key_pem)},
        {"etcd-ca-key", Base64Encode(s->pki.etcd_ca.key_pem)},
        {"front-proxy-ca-key", Base64Encode(s->pki.front_proxy_ca.key_pem)},
        {"sa-key", Base64Encode(s->pki.sa_private_pem)},
        {"join-token-seed", Base64Encode(s->join_token_seed_hex)}};
  };
  return out;
}

spec::AnySpec LoadCheckedSpec(const std::string& file, const spec::Catalog& catalog,
                              spec::Diagnostics* diagnostics) {
  spec::AnySpec s = spec::LoadAnySpec(file, catalog, diagnostics);
  if (!diagnostics->empty() || s.is_aks()) return s;
  if (Status size = bootstrap::CheckUserDataSizes(s.iaas); !size.ok()) {
    const std::string& m = size.message();
    size_t colon = m.find(": ");
    diagnostics->Add(m.substr(0, colon), colon == std::string::npos ? "" : m.substr(colon + 2));
  }
  return s;
}

}  // namespace easel::cli
