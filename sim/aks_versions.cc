#include "sim/aks_versions.h"

#include <cstdlib>

namespace azsim {

namespace {

// Late 2026: AKS offers 1.34, 1.35 and 1.36 (easel's per-region data file should agree).
const std::vector<std::string> kSupported = {"1.34.6", "1.34.8", "1.35.3",
                                             "1.35.5", "1.36.0", "1.36.2"};
const char kDefault[] = "1.35";

bool Number(const std::string& s, int* out) {
  if (s.empty() || s.size() > 6) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  *out = std::atoi(s.c_str());
  return true;
}

}  // namespace

std::string K8sVersion::ToString() const {
  std::string s = std::to_string(major) + "." + std::to_string(minor);
  if (patch >= 0) s += "." + std::to_string(patch);
  return s;
}

std::optional<K8sVersion> ParseK8sVersion(const std::string& text) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : text) {
    if (c == '.') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  if (parts.size() != 2 && parts.size() != 3) return std::nullopt;
  K8sVersion v;
  if (!Number(parts[0], &v.major) || !Number(parts[1], &v.minor)) return std::nullopt;
  if (parts.size() == 3 && !Number(parts[2], &v.patch)) return std::nullopt;
  return v;
}

int CompareK8s(const K8sVersion& a, const K8sVersion& b) {
  if (a.major != b.major) return a.major < b.major ? -1 : 1;
  if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch != b.patch) return a.patch < b.patch ? -1 : 1;
  return 0;
}

const std::vector<std::string>& SupportedK8sVersions() { return kSupported; }

std::string DefaultK8sVersion() { return kDefault; }

std::optional<K8sVersion> ResolveK8sVersion(const std::string& requested, std::string* code,
                                            std::string* message) {
  std::optional<K8sVersion> want = ParseK8sVersion(requested);
  if (want && want->alias()) {
    std::optional<K8sVersion> best;
    for (const auto& s : kSupported) {
      K8sVersion v = *ParseK8sVersion(s);
      if (v.major == want->major && v.minor == want->minor) best = v;
    }
    if (best) return best;
    *code = "UnsupportedAliasMinorVersion";
    *message = requested +
               " is not a supported Kubernetes version. To see our supported AKS version list "
               "please visit https://docs.microsoft.com/azure/aks/supported-kubernetes-versions "
               "for more details.";
    return std::nullopt;
  }
  if (want)
    for (const auto& s : kSupported)
      if (CompareK8s(*ParseK8sVersion(s), *want) == 0) return want;
  *code = "AgentPoolK8sVersionNotSupported";
  *message = "Version " + requested +
             " is not supported in this region. Please use [az aks get-versions] command to get "
             "the supported version list in this region. For more information, please check "
             "https://aka.ms/supported-version-list";
  return std::nullopt;
}

std::vector<std::string> AvailableUpgrades(const K8sVersion& current) {
  std::vector<std::string> out;
  for (const auto& s : kSupported) {
    K8sVersion v = *ParseK8sVersion(s);
    if (v.major != current.major) continue;
    if ((v.minor == current.minor && v.patch > current.patch) || v.minor == current.minor + 1)
      out.push_back(s);
  }
  return out;
}

}  // namespace azsim
