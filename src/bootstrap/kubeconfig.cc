#include "bootstrap/kubeconfig.h"

#include <cstdint>
#include <nlohmann/json.hpp>

#include "common/base64.h"

namespace easel::bootstrap {
namespace {

// A YAML double-quoted scalar: JSON's string escapes are valid YAML escapes.
std::string Quoted(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Reads a decimal number from s[*at...]; false when there is none or it is too large.
bool ReadNumber(const std::string& s, size_t* at, int64_t* out) {
  size_t start = *at;
  int64_t value = 0;
  while (*at < s.size() && s[*at] >= '0' && s[*at] <= '9') {
    if (value > (INT64_MAX - 9) / 10) return false;
    value = value * 10 + (s[*at] - '0');
    ++*at;
  }
  *out = value;
  return *at > start;
}

}  // namespace

std::string RenderKubeconfig(const KubeconfigInput& in) {
  std::string context = in.user_name + "@" + in.cluster_name;
  std::string out;
  out += "apiVersion: v1\n";
  out += "kind: Config\n";
  out += "clusters:\n";
  out += "- name: " + Quoted(in.cluster_name) + "\n";
  out += "  cluster:\n";
  out += "    server: " + Quoted(in.server_url) + "\n";
  out += "    certificate-authority-data: " + Base64Encode(in.ca_cert_pem) + "\n";
  out += "users:\n";
  out += "- name: " + Quoted(in.user_name) + "\n";
  out += "  user:\n";
  out += "    client-certificate-data: " + Base64Encode(in.client_cert_pem) + "\n";
  out += "    client-key-data: " + Base64Encode(in.client_key_pem) + "\n";
  out += "contexts:\n";
  out += "- name: " + Quoted(context) + "\n";
  out += "  context:\n";
  out += "    cluster: " + Quoted(in.cluster_name) + "\n";
  out += "    user: " + Quoted(in.user_name) + "\n";
  out += "current-context: " + Quoted(context) + "\n";
  out += "preferences: {}\n";
  return out;
}

Result<std::string> AdminGroupFor(const std::string& kubernetes_version) {
  size_t at = !kubernetes_version.empty() && kubernetes_version[0] == 'v' ? 1 : 0;
  int64_t major = 0, minor = 0;
  bool ok = ReadNumber(kubernetes_version, &at, &major) && at < kubernetes_version.size() &&
            kubernetes_version[at++] == '.' && ReadNumber(kubernetes_version, &at, &minor);
  if (!ok) {
    return Status::InvalidArgument("Kubernetes version \"" + kubernetes_version +
                                   "\" is not of the form 1.31 or 1.31.2");
  }
  bool cluster_admins = major > 1 || (major == 1 && minor >= 29);
  return std::string(cluster_admins ? "kubeadm:cluster-admins" : "system:masters");
}

Result<std::chrono::seconds> ParseDuration(const std::string& text) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("duration \"" + text + "\": " + why +
                                   " (examples: 90s, 30m, 12h, 7d)");
  };
  size_t at = 0;
  int64_t value = 0;
  if (!ReadNumber(text, &at, &value)) {
    return bad(at < text.size() && text[at] >= '0' && text[at] <= '9' ? "the number is too large"
                                                                      : "expected a number first");
  }
  if (at == text.size()) return bad("the unit is missing");
  if (at + 1 != text.size()) return bad("expected one unit, s, m, h or d, after the number");
  int64_t unit = 0;
  switch (text[at]) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    default:
      return bad(std::string("unknown unit '") + text[at] + "'");
  }
  if (value == 0) return bad("must be positive");
  if (value > INT64_MAX / unit / 1000) return bad("the number is too large");
  return std::chrono::seconds(value * unit);
}

}  // namespace easel::bootstrap
