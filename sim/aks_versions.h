// The Kubernetes versions azsim's AKS offers (one list for every region) and the version rules
// AKS applies: x.y resolves to the newest patch of that minor, x.y.z must be listed.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace azsim {

struct K8sVersion {
  int major = 0, minor = 0, patch = -1;  // patch -1: an alias "x.y"
  std::string ToString() const;
  bool alias() const { return patch < 0; }
};

// Parses "1.35" or "1.35.5"; nullopt for anything else.
std::optional<K8sVersion> ParseK8sVersion(const std::string& text);
// Compares minor then patch (an alias compares as patch -1).
int CompareK8s(const K8sVersion& a, const K8sVersion& b);
// The supported patch versions, oldest first.
const std::vector<std::string>& SupportedK8sVersions();
// The version a cluster gets when its body gives none (an alias).
std::string DefaultK8sVersion();
// Resolves a requested version to a supported patch version; on failure `code` and `message`
// are Azure's (AgentPoolK8sVersionNotSupported, UnsupportedAliasMinorVersion).
std::optional<K8sVersion> ResolveK8sVersion(const std::string& requested, std::string* code,
                                            std::string* message);
// Supported versions of the next minor after `current` and newer patches of its own minor.
std::vector<std::string> AvailableUpgrades(const K8sVersion& current);

}  // namespace azsim
