#include "bootstrap/user_data.h"

#include <map>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "common/http_client.h"  // UrlEncode
#include "common/strings.h"
#include "spec/kubernetes_catalog.h"
#include "spec/naming.h"

namespace easel::bootstrap {

// Generated from src/bootstrap/scripts/ (see CMakeLists.txt).
extern const char kScriptEaselBootstrap[];
extern const char kScriptEaselJoinToken[];
extern const char kScriptEaselBootstrapWait[];

namespace {

constexpr const char* kRawGitHub = "https://raw.githubusercontent.com/";

struct File {
  std::string path;
  std::string permissions;
  std::string content;
};

// The boot script's settings, as shell assignments. Values are names and URLs easel validated;
// one that could break the quoting is refused rather than escaped.
Result<std::string> BootstrapEnv(const UserDataInput& in) {
  const bool internal = in.spec->network.api_server.type == spec::ApiServerType::kInternal;
  int steps = 0;
  switch (in.node.role) {
    case NodeRole::kInit:
      steps = internal ? 5 : 4;
      break;
    case NodeRole::kControlPlaneJoin:
      steps = internal ? 4 : 3;
      break;
    case NodeRole::kWorker:
      steps = 1;
      break;
  }
  std::vector<std::pair<std::string, std::string>> vars = {
      {"NODE_NAME", in.node.name},
      {"ROLE", ToString(in.node.role)},
      {"STEPS", std::to_string(steps)},
      {"API_HOST", in.facts.api_host},
      {"API_INTERNAL", internal ? "true" : "false"},
  };
  if (in.node.role != NodeRole::kWorker) {
    if (in.facts.vault_uri.empty() || in.facts.identity_client_id.empty()) {
      return Status::InvalidArgument("node " + in.node.name +
                                     ": the cluster's Key Vault or identity is unknown");
    }
    std::string uri = in.facts.vault_uri;
    if (uri.back() != '/') uri += '/';
    vars.push_back({"VAULT_URI", uri});
    vars.push_back({"VAULT_RESOURCE", UrlEncode(in.facts.vault_resource)});
    vars.push_back({"IDENTITY_CLIENT_ID", in.facts.identity_client_id});
  }
  std::string out;
  for (const auto& [k, v] : vars) {
    if (v.find_first_of("'\n\r") != std::string::npos) {
      return Status::InvalidArgument("node " + in.node.name + ": " + k +
                                     " holds a quote or newline");
    }
    out += k + "='" + v + "'\n";
  }
  return out;
}

std::string ManifestUrl(const std::string& tmpl, const std::string& version,
                        const std::string& mirror) {
  std::string url = ReplaceAll(tmpl, "{version}", version);
  if (!mirror.empty() && StartsWith(url, kRawGitHub)) {
    url = mirror + url.substr(std::string(kRawGitHub).size());
  }
  return url;
}

const char* kJoinTokenService =
    "[Unit]\n"
    "Description=easel: keep worker join tokens available\n"
    "After=kubelet.service\n\n"
    "[Service]\n"
    "Type=oneshot\n"
    "ExecStart=/usr/local/sbin/easel-join-token\n";

const char* kJoinTokenTimer =
    "[Unit]\n"
    "Description=easel: refresh worker join tokens hourly\n\n"
    "[Timer]\n"
    "OnActiveSec=1min\n"
    "OnCalendar=hourly\n"
    "Persistent=true\n\n"
    "[Install]\n"
    "WantedBy=timers.target\n";

void Emit(YAML::Emitter& out, const File& f) {
  out << YAML::BeginMap;
  out << YAML::Key << "path" << YAML::Value << f.path;
  out << YAML::Key << "owner" << YAML::Value << "root:root";
  out << YAML::Key << "permissions" << YAML::Value << YAML::SingleQuoted << f.permissions;
  out << YAML::Key << "content" << YAML::Value << YAML::Literal << f.content;
  out << YAML::EndMap;
}

}  // namespace

const char* ToString(NodeRole r) {
  switch (r) {
    case NodeRole::kInit:
      return "init";
    case NodeRole::kControlPlaneJoin:
      return "control-plane";
    case NodeRole::kWorker:
      return "worker";
  }
  return "worker";
}

const std::string& Script(const std::string& name) {
  static const std::map<std::string, std::string> scripts = {
      {"easel-bootstrap.sh", kScriptEaselBootstrap},
      {"easel-join-token.sh", kScriptEaselJoinToken},
      {"easel-bootstrap-wait.sh", kScriptEaselBootstrapWait}};
  static const std::string none;
  auto it = scripts.find(name);
  return it == scripts.end() ? none : it->second;
}

std::vector<std::string> ScriptNames() {
  return {"easel-bootstrap.sh", "easel-join-token.sh", "easel-bootstrap-wait.sh"};
}

std::vector<std::string> AddonManifests(const spec::ClusterSpec& s) {
  const spec::KubernetesCatalog& k = spec::EmbeddedKubernetesCatalog();
  const spec::KubernetesRelease* release = k.Find(s.kubernetes_version);
  if (!release) return {};
  const spec::AddonsSpec& a = s.addons;
  auto pick = [](const std::string& override_version, const std::string& pinned) {
    return override_version.empty() ? pinned : override_version;
  };
  std::vector<std::string> out;
  auto add = [&](const std::vector<std::string>& templates, const std::string& version) {
    for (const std::string& t : templates) out.push_back(ManifestUrl(t, version, a.mirror));
  };
  if (a.cni == spec::Cni::kCalico) {
    add(k.manifests().calico, pick(a.calico_version, release->addons.calico));
  }
  add(k.manifests().cloud_provider_azure,
      pick(a.cloud_provider_azure_version, release->addons.cloud_provider_azure));
  add(k.manifests().azure_disk_csi, pick(a.azure_disk_csi_version, release->addons.azure_disk_csi));
  return out;
}

std::string RenderAzureJson(const spec::ClusterSpec& s, const CloudFacts& facts) {
  const bool static_vnet = s.network.vnet.placement == spec::Placement::kStatic;
  nlohmann::ordered_json j = {
      {"cloud", facts.cloud},
      {"tenantId", facts.tenant_id},
      {"subscriptionId", s.subscription_id},
      {"resourceGroup", s.resource_group},
      {"location", s.location},
      {"vmType", "standard"},
      {"vnetName", static_vnet ? s.network.vnet.name : spec::VnetName(s)},
      {"vnetResourceGroup", static_vnet ? s.network.vnet.resource_group : s.resource_group},
      {"subnetName", static_vnet ? s.network.worker_subnet.name : spec::WorkerSubnetName(s)},
      {"securityGroupName",
       static_vnet ? s.network.worker_subnet.security_group : spec::WorkerNsgName(s)},
      {"securityGroupResourceGroup",
       static_vnet ? s.network.vnet.resource_group : s.resource_group},
      {"routeTableName", ""},
      {"loadBalancerSku", "Standard"},
      {"loadBalancerName", s.name},
      {"maximumLoadBalancerRuleCount", 250},
      {"useManagedIdentityExtension", true},
      {"userAssignedIdentityID", facts.identity_client_id},
      {"useInstanceMetadata", true},
  };
  return j.dump(2) + "\n";
}

Result<std::string> RenderUserData(const UserDataInput& in) {
  if (!in.spec) return Status::InvalidArgument("no cluster spec");
  const NodeInfo& node = in.node;
  const bool control_plane = node.role != NodeRole::kWorker;
  Result<std::string> env = BootstrapEnv(in);
  if (!env.ok()) return env.status();
  Result<std::string> kubeadm = RenderKubeadmConfig(in);
  if (!kubeadm.ok()) return kubeadm.status();

  std::vector<File> files;
  files.push_back({"/etc/easel/bootstrap.env", "0600", *env});
  if (control_plane) {
    if (in.pki.ca_cert_pem.empty() || in.pki.etcd_ca_cert_pem.empty() ||
        in.pki.front_proxy_ca_cert_pem.empty() || in.pki.sa_public_pem.empty()) {
      return Status::InvalidArgument("node " + node.name +
                                     ": the cluster's certificates are missing");
    }
    files.push_back({"/etc/kubernetes/pki/ca.crt", "0644", in.pki.ca_cert_pem});
    files.push_back({"/etc/kubernetes/pki/etcd/ca.crt", "0644", in.pki.etcd_ca_cert_pem});
    files.push_back(
        {"/etc/kubernetes/pki/front-proxy-ca.crt", "0644", in.pki.front_proxy_ca_cert_pem});
    files.push_back({"/etc/kubernetes/pki/sa.pub", "0644", in.pki.sa_public_pem});
  }
  files.push_back({"/etc/kubernetes/azure.json", "0644", RenderAzureJson(*in.spec, in.facts)});
  files.push_back({"/run/kubeadm/kubeadm.yaml", "0600", *kubeadm});
  if (node.role == NodeRole::kInit) {
    std::string list;
    for (const std::string& url : AddonManifests(*in.spec)) list += url + "\n";
    files.push_back({"/etc/easel/addons.list", "0644", list});
  }
  files.push_back({"/usr/local/sbin/easel-bootstrap", "0755", Script("easel-bootstrap.sh")});
  files.push_back({kWaitScriptPath, "0755", Script("easel-bootstrap-wait.sh")});
  if (control_plane) {
    files.push_back({"/usr/local/sbin/easel-join-token", "0755", Script("easel-join-token.sh")});
    files.push_back({"/etc/systemd/system/easel-join-token.service", "0644", kJoinTokenService});
    files.push_back({"/etc/systemd/system/easel-join-token.timer", "0644", kJoinTokenTimer});
  }

  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "write_files" << YAML::Value << YAML::BeginSeq;
  for (const File& f : files) Emit(out, f);
  out << YAML::EndSeq;
  out << YAML::Key << "runcmd" << YAML::Value << YAML::BeginSeq << YAML::Flow << YAML::BeginSeq
      << "/usr/local/sbin/easel-bootstrap" << YAML::EndSeq << YAML::EndSeq;
  out << YAML::EndMap;
  if (!out.good()) {
    return Status::Internal("node " + node.name + ": user data: " + out.GetLastError());
  }
  std::string text = "#cloud-config\n" + std::string(out.c_str()) + "\n";
  if (text.size() > kMaxUserDataBytes) {
    return Status::InvalidArgument("node " + node.name + ": user data is " +
                                   std::to_string(text.size()) + " bytes; Azure allows at most " +
                                   std::to_string(kMaxUserDataBytes) + " (osProfile.customData)");
  }
  return text;
}

}  // namespace easel::bootstrap
