// easel/v1 AKSCluster specs: parsing and validation (docs/aks.md), and loading a spec file of
// either kind.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "spec/aks_catalog.h"
#include "spec/aks_types.h"
#include "spec/catalog.h"
#include "spec/diagnostics.h"
#include "spec/types.h"

namespace easel::spec {

inline constexpr const char* kAzureClusterKind = "AzureCluster";
inline constexpr const char* kAksClusterKind = "AKSCluster";

// Reads an AKSCluster document with defaults applied; structural problems go to `diagnostics`.
AksClusterSpec ParseAksClusterSpecDocument(const YAML::Node& root, const Catalog& catalog,
                                           Diagnostics* diagnostics);

// Everything Azure would refuse, at once, as "<field path>: <problem>".
void ValidateAksClusterSpec(const AksClusterSpec& spec, const Catalog& catalog,
                            const AksCatalog& aks, Diagnostics* diagnostics);

// A spec file of either kind, read, parsed and validated. `kind` is "AzureCluster" or
// "AKSCluster" (the one that was read); the spec is usable only when no diagnostics were added.
struct AnySpec {
  std::string kind;
  ClusterSpec iaas;
  AksClusterSpec aks;
  bool is_aks() const { return kind == kAksClusterKind; }
  const std::string& name() const { return is_aks() ? aks.name : iaas.name; }
};
AnySpec LoadAnySpec(const std::string& path, const Catalog& catalog, Diagnostics* diagnostics);
// The same from text already read (the stored spec of a cluster).
AnySpec ParseAnySpec(const std::string& text, const std::string& source_name,
                     const Catalog& catalog, Diagnostics* diagnostics);

}  // namespace easel::spec
