#include "cli/kubeconfig_command.h"

#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <vector>

#include "bootstrap/kubeconfig.h"
#include "bootstrap/pki.h"
#include "cli/aks_kubeconfig.h"
#include "common/files.h"
#include "engine/cluster_secrets_store.h"
#include "plan/render.h"
#include "spec/parse.h"
#include "store/secret_box.h"
#include "store/store.h"

namespace easel::cli {
namespace {

// The user running easel, for the certificate's name.
std::string OsUserName() {
  std::vector<char> buf(16384);
  struct passwd pw {};
  struct passwd* found = nullptr;
  if (::getpwuid_r(::geteuid(), &pw, buf.data(), buf.size(), &found) == 0 && found &&
      found->pw_name && *found->pw_name) {
    return found->pw_name;
  }
  if (const char* user = std::getenv("USER"); user && *user) return user;
  return "uid-" + std::to_string(::geteuid());
}

// The API server's URL from the stored endpoint: today apply stores "https://host:6443"; a bare
// host gets the scheme and kubeadm's port.
std::string ServerUrl(const std::string& endpoint) {
  if (endpoint.rfind("https://", 0) == 0) return endpoint;
  return "https://" + endpoint + ":6443";
}

// "%Y-%m-%dT%H:%M:%SZ" of a time point.
std::string Rfc3339(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int Fail(const std::string& message, int exit_code) {
  std::cerr << "easel: " << message << "\n";
  return exit_code;
}

}  // namespace

int KubeconfigCommand(const CommonOptions& common, const KubeconfigOptions& options) {
  std::chrono::seconds lifetime = bootstrap::kDefaultClientCertLifetime;
  if (!options.ttl.empty()) {
    Result<std::chrono::seconds> parsed = bootstrap::ParseDuration(options.ttl);
    if (!parsed.ok()) return Fail("--ttl: " + parsed.status().message(), kExitInvalid);
    if (*parsed > bootstrap::kMaxClientCertLifetime) {
      return Fail("--ttl: " + options.ttl + " is longer than the maximum, 7d", kExitInvalid);
    }
    lifetime = *parsed;
  }
  std::string state_path =
      common.state_path.empty() ? store::DefaultStatePath() : common.state_path;
  Result<std::unique_ptr<store::Store>> st = store::Store::Open(state_path);
  if (!st.ok()) return Fail(st.status().message(), kExitFailure);
  store::Store& db = **st;
  Result<std::optional<store::ClusterRecord>> record = db.GetCluster(options.name);
  if (!record.ok()) return Fail(record.status().message(), kExitFailure);
  if (!record->has_value()) return Fail("no cluster named " + options.name, kExitInvalid);
  const store::ClusterRecord& cluster = **record;
  if (cluster.phase == store::Phase::kDeleted) {
    return Fail("cluster " + options.name + " was deleted", kExitFailure);
  }
  if (cluster.endpoint.empty()) {
    return Fail("cluster " + options.name + " has no API server endpoint yet: run easel apply",
                kExitFailure);
  }
  if (Result<plan::Plan> plan = plan::PlanFromJson(cluster.plan_json);
      plan.ok() && plan->kind == "AKSCluster") {
    st->reset();  // the session opens the store again
    return AksKubeconfig(common, options, *plan);
  }

  // Checked before the key is opened, so that asking for a cluster without a CA never creates a
  // key file.
  Result<std::optional<std::string>> sealed =
      db.GetSecret(options.name, engine::kClusterSecretsName);
  if (!sealed.ok()) return Fail(sealed.status().message(), kExitFailure);
  const std::string no_ca =
      "cluster " + options.name + " has no certificate authority yet: run easel apply";
  if (!sealed->has_value()) return Fail(no_ca, kExitFailure);
  Result<store::SecretBox> box = store::SecretBox::Open(state_path);
  if (!box.ok()) {
    return Fail(box.status().message(),
                box.status().code() == StatusCode::kInvalidArgument ? kExitInvalid : kExitFailure);
  }
  Result<std::optional<bootstrap::ClusterSecrets>> secrets =
      engine::LoadClusterSecrets(db, *box, options.name);
  if (!secrets.ok()) return Fail(secrets.status().message(), kExitFailure);
  if (!secrets->has_value()) return Fail(no_ca, kExitFailure);
  const bootstrap::ClusterPki& pki = (*secrets)->pki;

  bootstrap::ClientCertificateRequest request;
  if (options.admin) {
    spec::Diagnostics diagnostics;  // only the version is needed; other problems do not matter
    spec::ClusterSpec spec = spec::ParseClusterSpec(cluster.spec_text, {}, &diagnostics);
    if (spec.kubernetes_version.empty()) {
      return Fail("the stored spec of cluster " + options.name + " has no kubernetesVersion",
                  kExitFailure);
    }
    Result<std::string> group = bootstrap::AdminGroupFor(spec.kubernetes_version);
    if (!group.ok()) {
      return Fail("cluster " + options.name + ": " + group.status().message(), kExitFailure);
    }
    request.common_name = "kubernetes-admin";
    request.organizations = {*group};
  } else {
    request.common_name = "easel:" + OsUserName();
  }
  request.lifetime = lifetime;
  request.now = std::chrono::system_clock::now();
  Result<bootstrap::ClientCertificate> cert = bootstrap::SignClientCertificate(pki.ca, request);
  if (!cert.ok())
    return Fail("signing the client certificate: " + cert.status().message(), kExitFailure);

  bootstrap::KubeconfigInput input;
  input.cluster_name = options.name;
  input.server_url = ServerUrl(cluster.endpoint);
  input.ca_cert_pem = pki.ca.cert_pem;
  input.user_name = request.common_name;
  input.client_cert_pem = cert->cert_pem;
  input.client_key_pem = cert->key_pem;
  std::string text = bootstrap::RenderKubeconfig(input);
  if (options.file.empty()) {
    std::cout << text;
    std::cout.flush();
    return std::cout ? kExitOk : kExitFailure;
  }
  if (Status s = ReplaceFileAtomically(options.file, text, 0600); !s.ok()) {
    return Fail(s.message(), kExitFailure);
  }
  std::cout << "kubeconfig for " << request.common_name << "@" << options.name << " written to "
            << options.file << " (valid until " << Rfc3339(request.now + lifetime) << ")\n";
  return kExitOk;
}

}  // namespace easel::cli
