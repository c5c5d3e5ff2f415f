// What AKS offers, per region: Kubernetes versions, and the largest Ephemeral OS disk of each VM
// size. data/aks.json, compiled in (EmbeddedAksCatalog).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace easel::spec {

class AksCatalog {
 public:
  // Parses the JSON; errors name the offending entry.
  static Result<AksCatalog> FromJson(const std::string& text);

  // The full versions AKS offers in `region` ("1.36.2"), ascending.
  const std::vector<std::string>& Versions(const std::string& region) const;
  // The version `requested` ("1.36" or "1.36.2") resolves to in `region`: the newest patch of a
  // minor, or the exact patch; nullopt when the region does not offer it.
  std::optional<std::string> Resolve(const std::string& requested, const std::string& region) const;
  // The largest Ephemeral OS disk of `vm_size` in GiB (0: no local disk); nullopt: unknown size.
  std::optional<int> EphemeralOsDiskMaxGb(const std::string& vm_size) const;

 private:
  std::vector<std::string> default_versions_;
  std::map<std::string, std::vector<std::string>> region_versions_;
  std::map<std::string, int> ephemeral_max_gb_;
};

const AksCatalog& EmbeddedAksCatalog();

}  // namespace easel::spec
