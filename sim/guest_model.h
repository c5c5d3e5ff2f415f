// The guest model: what cloud-init and kubeadm on a VM would do with its user data, as far as
// azsim models it (docs/azsim.md, "Guest model"). Pure functions over the user data; the
// decisions that need other resources (the init node, Key Vault) are made in arm_extensions.cc.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace azsim {

// Files the model reads from the cloud-config's write_files.
inline constexpr char kKubeadmConfigPath[] = "/run/kubeadm/kubeadm.yaml";
inline constexpr char kBootstrapEnvPath[] = "/etc/easel/bootstrap.env";
inline constexpr char kCaCertPath[] = "/etc/kubernetes/pki/ca.crt";

// Modelled durations (seconds, before --time-scale).
inline constexpr double kInitSeconds = 150;
inline constexpr double kJoinWorkerSeconds = 60;
inline constexpr double kJoinControlPlaneSeconds = 90;
inline constexpr double kDiscoveryTimeoutSeconds = 600;
inline constexpr double kMarkerTimeoutSeconds = 600;

struct GuestConfig {
  enum class Role { kNone, kInit, kJoin } role = Role::kNone;
  // Why no kubeadm configuration was found (a line for stderr), when role is kNone.
  std::string problem;
  bool control_plane = false;  // init nodes and control-plane joins
  // Init: ClusterConfiguration.controlPlaneEndpoint; join: discovery apiServerEndpoint.
  std::string endpoint;
  std::string token;                          // join: discovery.bootstrapToken.token
  std::vector<std::string> ca_hashes;         // join: caCertHashes
  std::vector<std::string> bootstrap_tokens;  // init: InitConfiguration.bootstrapTokens[].token
  std::map<std::string, std::string> env;     // /etc/easel/bootstrap.env
  std::string ca_pem;                         // /etc/kubernetes/pki/ca.crt
};

// Parses decoded user data (a #cloud-config YAML document). Never throws: anything unreadable
// gives role kNone with a problem.
GuestConfig ParseGuestConfig(const std::string& user_data);

// "sha256:" + lowercase hex of SHA-256 over the DER SubjectPublicKeyInfo of the PEM certificate;
// empty (and *error set) when it is not a certificate.
std::string CaPublicKeyPin(const std::string& pem, std::string* error);

// kubeadm's token format [a-z0-9]{6}.[a-z0-9]{16}.
bool BootstrapTokenWellFormed(const std::string& token);

// The join token of hour window `window` (floor(unix time / 3600)): HMAC-SHA256 keyed with
// `key`, over the decimal window; hex digest chars [0,6) + "." + [6,22).
std::string WindowToken(std::string_view key, int64_t window);

// Whether `token` is valid for a cluster whose init node lists `listed` tokens and whose vault
// holds `seed` (hex string; empty when absent) at unix time `now`: listed, or the window token
// of the current or previous hour (keyed with the seed string's bytes, or its hex-decoded bytes).
bool JoinTokenValid(const std::string& token, const std::vector<std::string>& listed,
                    const std::string& seed, double now);

// What kubeadm prints on success.
std::string KubeadmInitStdout(const std::string& endpoint);
std::string KubeadmJoinStdout(bool control_plane);

}  // namespace azsim
