// Parsing of easel/v1 AzureCluster documents (YAML; JSON is accepted as YAML).
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "spec/catalog.h"
#include "spec/diagnostics.h"
#include "spec/types.h"

namespace easel::spec {

// The largest spec easel reads; anything larger is refused before parsing.
inline constexpr size_t kMaxSpecBytes = 1 << 20;
// The deepest nesting of flow collections ([ and {) accepted before parsing.
inline constexpr int kMaxNestingDepth = 64;

struct ParseOptions {
  std::string source_name = "spec";  // names the document in document-level errors
  std::string base_dir = ".";        // sshPublicKeyFile is relative to this
  const Catalog* catalog = nullptr;  // for zone defaults; EmbeddedCatalog() when null
};

// Reads `text` into a ClusterSpec with defaults applied. Structural problems (syntax, unknown
// fields, wrong types, missing required fields) are added to `diagnostics`; the returned spec
// holds whatever could be read, so that validation can report further problems at once.
ClusterSpec ParseClusterSpec(const std::string& text, const ParseOptions& options,
                             Diagnostics* diagnostics);

// The same, from a document already loaded (LoadSpecDocument in spec/parse_util.h).
ClusterSpec ParseClusterSpecDocument(const YAML::Node& root, const ParseOptions& options,
                                     Diagnostics* diagnostics);

}  // namespace easel::spec
