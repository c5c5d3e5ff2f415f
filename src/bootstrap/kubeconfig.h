// kubeconfig files for a cluster's users, and the rules for the identity in them.
#pragma once

#include <chrono>
#include <string>

#include "common/status.h"

namespace easel::bootstrap {

struct KubeconfigInput {
  std::string cluster_name;
  std::string server_url;  // https://host:6443
  std::string ca_cert_pem;
  std::string user_name;
  std::string client_cert_pem, client_key_pem;
};

// A kubeconfig (YAML, apiVersion v1, kind Config) with one cluster (server,
// certificate-authority-data), one user (client-certificate-data, client-key-data) and one
// context "<user>@<cluster>", which is the current one. The PEMs are base64-encoded; names and the
// URL are quoted. The result holds a private key: write it to a file of mode 0600 or to stdout.
std::string RenderKubeconfig(const KubeconfigInput& input);

// The group that makes a client certificate a cluster administrator: "kubeadm:cluster-admins"
// (bound to cluster-admin by kubeadm) from Kubernetes 1.29, "system:masters" before. Accepts
// "1.31", "1.31.2", "v1.31.2" (and suffixes such as "-rc.1"); kInvalidArgument otherwise.
Result<std::string> AdminGroupFor(const std::string& kubernetes_version);

// The lifetime of a client certificate `easel kubeconfig` signs: the default and the maximum.
inline constexpr std::chrono::seconds kDefaultClientCertLifetime{24 * 3600};
inline constexpr std::chrono::seconds kMaxClientCertLifetime{7 * 24 * 3600};

// A duration: a positive integer followed by one unit, s, m, h or d ("90s", "30m", "12h", "7d").
// kInvalidArgument with the reason otherwise (no unit, unknown unit, zero, overflow).
Result<std::chrono::seconds> ParseDuration(const std::string& text);

}  // namespace easel::bootstrap
