// Cloud-init generation on hostile specs: the bytes are loaded as `easel validate` loads a spec;
// when it is valid, every node's user data and an admin kubeconfig are rendered and read back
// with yaml-cpp. Properties checked, beyond "no crash, hang or leak": the user data is one
// #cloud-config mapping with only write_files and runcmd; it writes only easel's own files;
// bootstrap.env holds only KEY='value' lines (it is sourced by a root shell); the kubeadm
// configuration is YAML mappings; the kubeconfig names the cluster and server it was given. A
// spec value that escapes its quoting (YAML or shell injection) breaks one of these.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bootstrap/kubeconfig.h"
#include "bootstrap/pki.h"
#include "bootstrap/user_data.h"
#include "spec/aks.h"
#include "spec/catalog.h"
#include "spec/naming.h"

namespace {

namespace b = easel::bootstrap;
namespace spec = easel::spec;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in.good() && !in.eof()) std::abort();
  return ss.str();
}

const b::PublicPki& Pki() {
  static const b::PublicPki pki = [] {
    const std::string dir = std::string(EASEL_SOURCE_DIR) + "/tests/data/pki/";
    b::PublicPki p{ReadFile(dir + "ca.crt"), ReadFile(dir + "etcd-ca.crt"),
                   ReadFile(dir + "front-proxy-ca.crt"), ReadFile(dir + "sa.pub"), ""};
    easel::Result<std::string> hash = b::CaCertHash(p.ca_cert_pem);
    if (!hash.ok()) std::abort();
    p.ca_cert_hash = *hash;
    return p;
  }();
  return pki;
}

void Check(bool ok) {
  if (!ok) std::abort();
}

const std::set<std::string>& AllowedPaths() {
  static const std::set<std::string> paths = {"/etc/easel/bootstrap.env",
                                              "/etc/easel/addons.list",
                                              "/etc/kubernetes/azure.json",
                                              "/etc/kubernetes/pki/ca.crt",
                                              "/etc/kubernetes/pki/etcd/ca.crt",
                                              "/etc/kubernetes/pki/front-proxy-ca.crt",
                                              "/etc/kubernetes/pki/sa.pub",
                                              "/etc/systemd/system/easel-join-token.service",
                                              "/etc/systemd/system/easel-join-token.timer",
                                              "/run/kubeadm/kubeadm.yaml",
                                              "/usr/local/sbin/easel-bootstrap",
                                              "/usr/local/sbin/easel-bootstrap-wait",
                                              "/usr/local/sbin/easel-join-token"};
  return paths;
}

void CheckBootstrapEnv(const std::string& content) {
  static const std::regex line("[A-Z_][A-Z0-9_]*='[^'\n]*'");
  std::istringstream in(content);
  for (std::string l; std::getline(in, l);) {
    if (l.empty()) continue;
    Check(std::regex_match(l, line));
  }
}

void CheckUserData(const std::string& text) {
  Check(text.rfind("#cloud-config\n", 0) == 0);
  YAML::Node doc = YAML::Load(text);
  Check(doc.IsMap());
  for (const auto& kv : doc) {
    const std::string key = kv.first.as<std::string>();
    Check(key == "write_files" || key == "runcmd");
  }
  for (const YAML::Node& file : doc["write_files"]) {
    Check(file.IsMap());
    const std::string path = file["path"].as<std::string>();
    Check(AllowedPaths().count(path) == 1);
    const std::string content = file["content"].as<std::string>();
    if (path == "/etc/easel/bootstrap.env") CheckBootstrapEnv(content);
    if (path == "/run/kubeadm/kubeadm.yaml") {
      for (const YAML::Node& part : YAML::LoadAll(content)) Check(part.IsMap());
    }
    if (path == "/etc/easel/addons.list") {
      std::istringstream in(content);
      for (std::string l; std::getline(in, l);)
        Check(l.empty() || l.find_first_of(" \t'\"`$;&|") == std::string::npos);
    }
  }
}

void CheckKubeconfig(const spec::ClusterSpec& s) {
  b::KubeconfigInput in;
  in.cluster_name = s.name;
  in.server_url = "https://" + spec::ApiServerHost(s) + ":6443";
  in.ca_cert_pem = Pki().ca_cert_pem;
  in.user_name = "admin-" + s.name;
  in.client_cert_pem = Pki().ca_cert_pem;
  in.client_key_pem =
      "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n";
  YAML::Node doc = YAML::Load(b::RenderKubeconfig(in));
  Check(doc.IsMap());
  Check(doc["clusters"].size() == 1 && doc["users"].size() == 1);
  Check(doc["clusters"][0]["name"].as<std::string>() == in.cluster_name);
  Check(doc["clusters"][0]["cluster"]["server"].as<std::string>() == in.server_url);
  Check(doc["users"][0]["name"].as<std::string>() == in.user_name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // In memory (see spec_load_fuzz.cc): no file per input.
  const std::string text(reinterpret_cast<const char*>(data), size);
  spec::Diagnostics diagnostics;
  spec::AnySpec any = spec::ParseAnySpec(text, "spec.yaml", spec::EmbeddedCatalog(), &diagnostics);
  if (!diagnostics.empty() || any.is_aks()) return 0;
  const spec::ClusterSpec& s = any.iaas;
  if (!b::CheckUserDataSizes(s).ok()) return 0;
  for (const b::NodeInfo& node : b::ClusterNodes(s)) {
    b::UserDataInput in;
    in.spec = &s;
    in.node = node;
    in.facts.tenant_id = "72f988bf-0000-4000-8000-00000000a2e1";
    in.facts.identity_client_id = "11111111-2222-4333-8444-555555555555";
    in.facts.vault_uri = "https://" + spec::KeyVaultName(s) + ".vault.azure.net/";
    in.facts.api_host = spec::ApiServerHost(s);
    in.pki = Pki();
    in.tokens = {{"abcdef.0123456789abcdef", std::chrono::seconds(3600)}};
    if (node.role == b::NodeRole::kInit)
      in.tokens.push_back({"bcdefa.123456789abcdef0", std::chrono::seconds(7200)});
    easel::Result<std::string> text = b::RenderUserData(in);
    Check(text.ok());  // sizes were checked: a valid spec must render
    CheckUserData(*text);
  }
  CheckKubeconfig(s);
  return 0;
}
