#include "sim/guest_model.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <memory>
#include <regex>

#include "common/strings.h"
#include "sim/util.h"

namespace azsim {

namespace {

std::string Scalar(const YAML::Node& n, const char* key) {
  if (!n.IsMap() || !n[key] || !n[key].IsScalar()) return "";
  return n[key].as<std::string>();
}

// KEY=value lines (optionally "export KEY=value", quoted values), comments ignored.
std::map<std::string, std::string> ParseEnv(const std::string& text) {
  std::map<std::string, std::string> env;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    line = line.substr(start);
    if (easel::StartsWith(line, "export ")) line = line.substr(7);
    size_t eq = line.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    env[line.substr(0, eq)] = value;
  }
  return env;
}

void ReadKubeadm(const std::string& content, GuestConfig& g) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(content);
  } catch (const std::exception& e) {
    g.problem = std::string("cloud-init: ") + kKubeadmConfigPath + " is not YAML: " + e.what();
    return;
  }
  std::string endpoint;
  bool init = false, join = false;
  for (const YAML::Node& d : docs) {
    if (!d.IsMap()) continue;
    std::string kind = Scalar(d, "kind");
    if (kind == "ClusterConfiguration") {
      endpoint = Scalar(d, "controlPlaneEndpoint");
    } else if (kind == "InitConfiguration") {
      init = true;
      if (d["bootstrapTokens"] && d["bootstrapTokens"].IsSequence())
        for (const YAML::Node& t : d["bootstrapTokens"]) {
          std::string tok = Scalar(t, "token");
          if (!tok.empty()) g.bootstrap_tokens.push_back(tok);
        }
    } else if (kind == "JoinConfiguration") {
      join = true;
      YAML::Node bt = d["discovery"] && d["discovery"].IsMap() ? d["discovery"]["bootstrapToken"]
                                                               : YAML::Node();
      if (bt && bt.IsMap()) {
        g.endpoint = Scalar(bt, "apiServerEndpoint");
        g.token = Scalar(bt, "token");
        if (bt["caCertHashes"] && bt["caCertHashes"].IsSequence())
          for (const YAML::Node& h : bt["caCertHashes"])
            if (h.IsScalar()) g.ca_hashes.push_back(h.as<std::string>());
      }
      g.control_plane = bool(d["controlPlane"]) && !d["controlPlane"].IsNull();
    }
  }
  if (init) {
    g.role = GuestConfig::Role::kInit;
    g.control_plane = true;
    g.endpoint = endpoint;
  } else if (join) {
    g.role = GuestConfig::Role::kJoin;
  } else {
    g.problem = std::string("cloud-init: ") + kKubeadmConfigPath +
                " holds neither an InitConfiguration nor a JoinConfiguration";
  }
}

}  // namespace

GuestConfig ParseGuestConfig(const std::string& user_data) {
  GuestConfig g;
  YAML::Node root;
  try {
    root = YAML::Load(user_data);
  } catch (const std::exception& e) {
    g.problem =
        std::string("cloud-init: the user data is not a #cloud-config YAML document: ") + e.what();
    return g;
  }
  if (!root.IsMap()) {
    g.problem = "cloud-init: the user data is not a #cloud-config map";
    return g;
  }
  YAML::Node files = root["write_files"];
  if (!files || !files.IsSequence()) {
    g.problem = "cloud-init: the user data has no write_files";
    return g;
  }
  std::string kubeadm;
  bool have_kubeadm = false;
  try {
    for (const YAML::Node& f : files) {
      std::string path = Scalar(f, "path");
      std::string content = Scalar(f, "content");
      std::string encoding = easel::ToLower(Scalar(f, "encoding"));
      if (encoding == "b64" || encoding == "base64") {
        std::string decoded;
        if (!Base64Decode(content, &decoded)) {
          g.problem = "cloud-init: write_files " + path + ": content is not base64";
          return g;
        }
        content = decoded;
      } else if (!encoding.empty() && encoding != "text/plain") {
        g.problem = "cloud-init: write_files " + path + ": encoding " + encoding +
                    " is not modelled by azsim";
        return g;
      }
      if (path == kKubeadmConfigPath) {
        kubeadm = content;
        have_kubeadm = true;
      } else if (path == kBootstrapEnvPath) {
        g.env = ParseEnv(content);
      } else if (path == kCaCertPath) {
        g.ca_pem = content;
      }
    }
  } catch (const std::exception& e) {
    g.problem = std::string("cloud-init: write_files: ") + e.what();
    return g;
  }
  if (!have_kubeadm) {
    g.problem = std::string("cloud-init: no ") + kKubeadmConfigPath + " in write_files";
    return g;
  }
  ReadKubeadm(kubeadm, g);
  return g;
}

std::string CaPublicKeyPin(const std::string& pem, std::string* error) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), int(pem.size())),
                                                BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr, X509_free);
  if (!cert) {
    *error = std::string(kCaCertPath) + " is not a PEM certificate";
    return "";
  }
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(X509_get0_pubkey(cert.get()), &der);
  if (len <= 0 || !der) {
    *error = "the CA certificate has no readable public key";
    return "";
  }
  std::string spki(reinterpret_cast<char*>(der), size_t(len));
  OPENSSL_free(der);
  return "sha256:" + HexEncode(Sha256(spki));
}

bool BootstrapTokenWellFormed(const std::string& token) {
  static const std::regex re("^[a-z0-9]{6}\\.[a-z0-9]{16}$");
  return std::regex_match(token, re);
}

std::string WindowToken(std::string_view key, int64_t window) {
  std::string hex = HexEncode(HmacSha256(key, std::to_string(window)));
  return hex.substr(0, 6) + "." + hex.substr(6, 16);
}

bool JoinTokenValid(const std::string& token, const std::vector<std::string>& listed,
                    const std::string& seed, double now) {
  for (const auto& t : listed)
    if (t == token) return true;
  if (seed.empty()) return false;
  // The node reads the secret as easel stores it (base64 of the hex seed), decodes it, and keys
  // the HMAC with the bytes the hex encodes (openssl -macopt hexkey:); a raw hex or raw value is
  // accepted too, for clients that store it so.
  std::vector<std::string> texts = {seed};
  std::string unwrapped;
  if (Base64Decode(seed, &unwrapped)) texts.push_back(unwrapped);
  std::vector<std::string> keys;
  for (const std::string& text : texts) {
    keys.push_back(text);
    bool hex = !text.empty() && text.size() % 2 == 0 &&
               text.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
    if (!hex) continue;
    std::string decoded;
    for (size_t i = 0; i < text.size(); i += 2)
      decoded += char(std::stoi(text.substr(i, 2), nullptr, 16));
    keys.push_back(decoded);
  }
  int64_t window = int64_t(std::floor(now / 3600));
  for (const auto& key : keys)
    for (int64_t w : {window, window - 1})
      if (WindowToken(key, w) == token) return true;
  return false;
}

std::string KubeadmInitStdout(const std::string& endpoint) {
  return "[init] Using Kubernetes version from the configuration\n"
         "[preflight] Running pre-flight checks\n"
         "[certs] Using the existing \"ca\" certificate and key\n"
         "[kubeconfig] Writing \"admin.conf\" kubeconfig file\n"
         "[control-plane] Creating static Pod manifest for \"kube-apiserver\"\n"
         "[etcd] Creating static Pod manifest for local etcd in \"/etc/kubernetes/manifests\"\n"
         "[wait-control-plane] Waiting for the kubelet to boot up the control plane\n"
         "[upload-config] Storing the configuration used in ConfigMap \"kubeadm-config\"\n"
         "[bootstrap-token] Configured RBAC rules to allow Node Bootstrap tokens to get nodes\n"
         "[addons] Applied essential addon: CoreDNS\n"
         "[addons] Applied essential addon: kube-proxy\n\n"
         "Your Kubernetes control-plane has initialized successfully!\n\n"
         "You can now join any number of control-plane nodes or worker nodes at " +
         endpoint + "\n";
}

std::string KubeadmJoinStdout(bool control_plane) {
  std::string out =
      "[preflight] Running pre-flight checks\n"
      "[preflight] Reading configuration from the cluster...\n"
      "[kubelet-start] Writing kubelet configuration to file \"/var/lib/kubelet/config.yaml\"\n"
      "[kubelet-start] Starting the kubelet\n"
      "[kubelet-start] Waiting for the kubelet to perform the TLS Bootstrap\n\n";
  if (control_plane)
    out +=
        "This node has joined the cluster and a new control plane instance was created:\n\n"
        "* Certificate signing request was sent to apiserver and approval was received.\n"
        "* The Kubelet was informed of the new secure connection details.\n"
        "* Control plane label and taint were applied to the new node.\n"
        "* The Kubernetes control plane instances scaled up.\n"
        "* A new etcd member was added to the local/stacked etcd cluster.\n";
  else
    out +=
        "This node has joined the cluster:\n"
        "* Certificate signing request was sent to apiserver and a response was received.\n"
        "* The Kubelet was informed of the new secure connection details.\n\n"
        "Run 'kubectl get nodes' on the control-plane to see this node join the cluster.\n";
  return out;
}

}  // namespace azsim
