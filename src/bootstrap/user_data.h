// The user data (cloud-init #cloud-config) of every node of a cluster: the kubeadm configuration,
// cloud-provider-azure's azure.json, easel's boot script and the public half of the cluster's
// PKI. Pure: spec, plan facts and the cluster's public material in, documents out.
//
// No private key ever goes into user data: control-plane nodes read theirs from the cluster's
// Key Vault at boot (docs/bootstrap.md). The only secret in it is a worker join token, short-lived
// by construction (bootstrap/join_token.h).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"
#include "spec/types.h"

namespace easel::bootstrap {

// Azure's limit on osProfile.customData, before base64.
inline constexpr size_t kMaxUserDataBytes = 65535;

enum class NodeRole { kInit, kControlPlaneJoin, kWorker };
const char* ToString(NodeRole r);  // "init", "control-plane", "worker"

struct NodeInfo {
  std::string name;  // the VM's name, also the Kubernetes node name
  NodeRole role = NodeRole::kWorker;
  const spec::WorkerPoolSpec* pool = nullptr;  // workers only
};

// What only the cloud knows; resolved when the nodes are created.
struct CloudFacts {
  std::string cloud = "AzurePublicCloud";  // azure.json's "cloud"
  std::string tenant_id;
  std::string identity_client_id;  // the control-plane nodes' identity
  std::string vault_uri;           // "https://<vault>.vault.azure.net/"
  std::string vault_resource = "https://vault.azure.net";
  std::string api_host;  // the API server's DNS name
};

// The public half of the cluster's PKI (certificates travel in user data; keys never do).
struct PublicPki {
  std::string ca_cert_pem;
  std::string etcd_ca_cert_pem;
  std::string front_proxy_ca_cert_pem;
  std::string sa_public_pem;
  std::string ca_cert_hash;  // "sha256:<hex>", kubeadm's caCertHashes
};

// A bootstrap token and when it expires.
struct JoinToken {
  std::string token;  // [a-z0-9]{6}.[a-z0-9]{16}
  std::chrono::seconds ttl{0};
};

struct UserDataInput {
  const spec::ClusterSpec* spec = nullptr;
  NodeInfo node;
  CloudFacts facts;
  PublicPki pki;
  // Workers and joining control-plane nodes: the token they join with. The first control-plane
  // node: the tokens it registers (the current window's and the next one's).
  std::vector<JoinToken> tokens;
};

// The #cloud-config document of one node. Fails (naming the node) when it exceeds Azure's
// customData limit or an input is missing.
Result<std::string> RenderUserData(const UserDataInput& in);

// Every node of the cluster, control plane first (the first one initialises the cluster).
std::vector<NodeInfo> ClusterNodes(const spec::ClusterSpec& s);

// Checks, before anything is sent, that every node's user data fits Azure's limit: renders each
// with stand-ins as large as any real certificate, token or id. The error names the node and the
// spec field that made it large ("spec.workerPools[0]: node demo-pool1-0: user data is ...").
Status CheckUserDataSizes(const spec::ClusterSpec& s);

// The kubeadm configuration document(s) of one node (a write_files entry of the user data).
Result<std::string> RenderKubeadmConfig(const UserDataInput& in);

// cloud-provider-azure's /etc/kubernetes/azure.json (managed identity, never a secret).
std::string RenderAzureJson(const spec::ClusterSpec& s, const CloudFacts& facts);

// The add-on manifests the first control-plane node applies, in order.
std::vector<std::string> AddonManifests(const spec::ClusterSpec& s);

// The scripts easel writes onto nodes (embedded from src/bootstrap/scripts/), by file name:
// easel-bootstrap.sh, easel-join-token.sh, easel-bootstrap-wait.sh.
const std::string& Script(const std::string& name);
std::vector<std::string> ScriptNames();

// Where the CustomScript extension finds the wait script (written by the user data).
inline constexpr const char* kWaitScriptPath = "/usr/local/sbin/easel-bootstrap-wait";

}  // namespace easel::bootstrap
