// kubeadm's configuration for one node. The API version follows the Kubernetes version:
// kubeadm.k8s.io/v1beta3 up to 1.30, v1beta4 from 1.31 (whose extraArgs are {name, value} lists
// and whose timeouts moved into `timeouts`).
#include <yaml-cpp/yaml.h>

#include "bootstrap/user_data.h"
#include "spec/kubernetes_catalog.h"
#include "spec/naming.h"

namespace easel::bootstrap {
namespace {

constexpr int kApiServerPort = 6443;
constexpr const char* kControlPlaneHealthTimeout = "10m0s";
// Workers and joining control-plane nodes may boot before the first node serves the API.
constexpr const char* kDiscoveryTimeout = "20m0s";

bool UsesV1Beta4(const std::string& kubernetes_version) {
  return spec::CompareVersions(spec::MinorOf(kubernetes_version), "1.31") >= 0;
}

std::string Endpoint(const CloudFacts& f) {
  return f.api_host + ":" + std::to_string(kApiServerPort);
}

// Writes an extraArgs map in the version's shape.
void ExtraArgs(YAML::Emitter& out, bool v1beta4,
               const std::vector<std::pair<std::string, std::string>>& args) {
  if (v1beta4) {
    out << YAML::BeginSeq;
    for (const auto& [name, value] : args) {
      out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name << YAML::Key << "value"
          << YAML::Value << value << YAML::EndMap;
    }
    out << YAML::EndSeq;
  } else {
    out << YAML::BeginMap;
    for (const auto& [name, value] : args) out << YAML::Key << name << YAML::Value << value;
    out << YAML::EndMap;
  }
}

void Header(YAML::Emitter& out, bool v1beta4, const char* kind) {
  out << YAML::Key << "apiVersion" << YAML::Value
      << (v1beta4 ? "kubeadm.k8s.io/v1beta4" : "kubeadm.k8s.io/v1beta3");
  out << YAML::Key << "kind" << YAML::Value << kind;
}

void NodeRegistration(YAML::Emitter& out, const UserDataInput& in, bool v1beta4) {
  std::vector<std::pair<std::string, std::string>> kubelet = {{"cloud-provider", "external"}};
  std::vector<spec::Taint> taints;
  if (in.node.role == NodeRole::kWorker && in.node.pool) {
    std::string labels;
    for (const auto& [k, v] : in.node.pool->labels) {
      labels += (labels.empty() ? "" : ",") + k + "=" + v;
    }
    if (!labels.empty()) kubelet.emplace_back("node-labels", labels);
    taints = in.node.pool->taints;
  } else if (in.node.role != NodeRole::kWorker) {
    taints.push_back({"node-role.kubernetes.io/control-plane", "", "NoSchedule"});
  }
  out << YAML::Key << "nodeRegistration" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << in.node.name;
  out << YAML::Key << "kubeletExtraArgs" << YAML::Value;
  ExtraArgs(out, v1beta4, kubelet);
  out << YAML::Key << "taints" << YAML::Value << YAML::BeginSeq;
  for (const spec::Taint& t : taints) {
    out << YAML::BeginMap << YAML::Key << "key" << YAML::Value << t.key;
    if (!t.value.empty()) out << YAML::Key << "value" << YAML::Value << t.value;
    out << YAML::Key << "effect" << YAML::Value << t.effect << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
}

std::string ClusterConfiguration(const UserDataInput& in, bool v1beta4) {
  const spec::ClusterSpec& s = *in.spec;
  YAML::Emitter out;
  out << YAML::BeginMap;
  Header(out, v1beta4, "ClusterConfiguration");
  out << YAML::Key << "clusterName" << YAML::Value << s.name;
  out << YAML::Key << "kubernetesVersion" << YAML::Value << "v" + s.kubernetes_version;
  out << YAML::Key << "controlPlaneEndpoint" << YAML::Value << Endpoint(in.facts);
  out << YAML::Key << "networking" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "podSubnet" << YAML::Value << s.network.pod_cidr;
  out << YAML::Key << "serviceSubnet" << YAML::Value << s.network.service_cidr;
  out << YAML::Key << "dnsDomain" << YAML::Value << "cluster.local" << YAML::EndMap;
  out << YAML::Key << "apiServer" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "certSANs" << YAML::Value << YAML::BeginSeq << in.facts.api_host
      << "localhost"
      << "127.0.0.1" << YAML::EndSeq;
  if (!v1beta4) {
    out << YAML::Key << "timeoutForControlPlane" << YAML::Value << kControlPlaneHealthTimeout;
  }
  out << YAML::EndMap;
  out << YAML::Key << "controllerManager" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "extraArgs" << YAML::Value;
  ExtraArgs(out, v1beta4, {{"cloud-provider", "external"}});
  out << YAML::EndMap;
  out << YAML::Key << "etcd" << YAML::Value << YAML::BeginMap << YAML::Key << "local" << YAML::Value
      << YAML::BeginMap << YAML::Key << "dataDir" << YAML::Value << "/var/lib/etcd" << YAML::EndMap
      << YAML::EndMap;
  if (v1beta4) {
    out << YAML::Key << "encryptionAlgorithm" << YAML::Value
        << ToString(s.pki.key_algorithm);  // "RSA-2048" | "ECDSA-P256", kubeadm's names
  }
  out << YAML::EndMap;
  return out.c_str();
}

std::string Duration(std::chrono::seconds s) { return std::to_string(s.count()) + "s"; }

std::string InitConfiguration(const UserDataInput& in, bool v1beta4) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  Header(out, v1beta4, "InitConfiguration");
  out << YAML::Key << "bootstrapTokens" << YAML::Value << YAML::BeginSeq;
  for (const JoinToken& t : in.tokens) {
    out << YAML::BeginMap << YAML::Key << "token" << YAML::Value << t.token;
    out << YAML::Key << "ttl" << YAML::Value << Duration(t.ttl);
    out << YAML::Key << "usages" << YAML::Value << YAML::Flow << YAML::BeginSeq << "signing"
        << "authentication" << YAML::EndSeq;
    out << YAML::Key << "groups" << YAML::Value << YAML::Flow << YAML::BeginSeq
        << "system:bootstrappers:kubeadm:default-node-token" << YAML::EndSeq << YAML::EndMap;
  }
  out << YAML::EndSeq;
  NodeRegistration(out, in, v1beta4);
  out << YAML::Key << "localAPIEndpoint" << YAML::Value << YAML::BeginMap << YAML::Key << "bindPort"
      << YAML::Value << kApiServerPort << YAML::EndMap;
  if (v1beta4) {
    out << YAML::Key << "timeouts" << YAML::Value << YAML::BeginMap << YAML::Key
        << "controlPlaneComponentHealthCheck" << YAML::Value << kControlPlaneHealthTimeout
        << YAML::EndMap;
  }
  out << YAML::EndMap;
  return out.c_str();
}

std::string JoinConfiguration(const UserDataInput& in, bool v1beta4) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  Header(out, v1beta4, "JoinConfiguration");
  out << YAML::Key << "discovery" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "bootstrapToken" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "apiServerEndpoint" << YAML::Value << Endpoint(in.facts);
  out << YAML::Key << "token" << YAML::Value << in.tokens.front().token;
  out << YAML::Key << "caCertHashes" << YAML::Value << YAML::BeginSeq << in.pki.ca_cert_hash
      << YAML::EndSeq << YAML::EndMap;
  if (!v1beta4) out << YAML::Key << "timeout" << YAML::Value << kDiscoveryTimeout;
  out << YAML::EndMap;
  NodeRegistration(out, in, v1beta4);
  if (in.node.role == NodeRole::kControlPlaneJoin) {
    out << YAML::Key << "controlPlane" << YAML::Value << YAML::BeginMap << YAML::Key
        << "localAPIEndpoint" << YAML::Value << YAML::BeginMap << YAML::Key << "bindPort"
        << YAML::Value << kApiServerPort << YAML::EndMap << YAML::EndMap;
  }
  if (v1beta4) {
    out << YAML::Key << "timeouts" << YAML::Value << YAML::BeginMap << YAML::Key << "discovery"
        << YAML::Value << kDiscoveryTimeout << YAML::EndMap;
  }
  out << YAML::EndMap;
  return out.c_str();
}

}  // namespace

Result<std::string> RenderKubeadmConfig(const UserDataInput& in) {
  if (!in.spec) return Status::InvalidArgument("no cluster spec");
  if (in.tokens.empty()) {
    return Status::InvalidArgument("node " + in.node.name + ": no join token");
  }
  if (in.facts.api_host.empty()) {
    return Status::InvalidArgument("node " + in.node.name + ": the API server's name is unknown");
  }
  const bool v1beta4 = UsesV1Beta4(in.spec->kubernetes_version);
  if (in.node.role == NodeRole::kInit) {
    return ClusterConfiguration(in, v1beta4) + "\n---\n" + InitConfiguration(in, v1beta4) + "\n";
  }
  if (in.pki.ca_cert_hash.empty()) {
    return Status::InvalidArgument("node " + in.node.name + ": no CA certificate hash");
  }
  return JoinConfiguration(in, v1beta4) + "\n";
}

}  // namespace easel::bootstrap
