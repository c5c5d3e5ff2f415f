// The Kubernetes minors easel supports and the add-on versions pinned per minor:
// data/kubernetes.json, compiled in (EmbeddedKubernetesCatalog).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace easel::spec {

struct AddonVersions {
  std::string calico;
  std::string cloud_provider_azure;
  std::string azure_disk_csi;
};

struct KubernetesRelease {
  std::string minor;  // "1.36"
  std::string end_of_support;
  AddonVersions addons;
};

// Manifest URL templates per add-on; "{version}" stands for the add-on's version.
struct AddonManifests {
  std::vector<std::string> calico;
  std::vector<std::string> cloud_provider_azure;
  std::vector<std::string> azure_disk_csi;
};

class KubernetesCatalog {
 public:
  // Parses the JSON; errors name the offending entry.
  static Result<KubernetesCatalog> FromJson(const std::string& text);

  // The release of "MAJOR.MINOR" or "MAJOR.MINOR.PATCH"; nullptr when not supported.
  const KubernetesRelease* Find(const std::string& version) const;
  std::vector<std::string> Minors() const;  // ascending
  const AddonManifests& manifests() const { return manifests_; }

 private:
  std::vector<KubernetesRelease> releases_;
  AddonManifests manifests_;
};

const KubernetesCatalog& EmbeddedKubernetesCatalog();

// "1.36.2" -> "1.36"; unchanged when there is no second dot.
std::string MinorOf(const std::string& version);

// Compares two "MAJOR.MINOR[.PATCH]" versions numerically (<0, 0, >0).
int CompareVersions(const std::string& a, const std::string& b);

}  // namespace easel::spec
