// Typed, path-aware reading of a parsed YAML (or JSON) document.
//
// YAML types scalars by their spelling: an unquoted 1.30 is a number, not the string "1.30".
// The reader applies YAML 1.2's core schema to plain scalars and reports a wrong type, an
// unknown key (with a did-you-mean), a duplicate key or a missing required key as a FieldError.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "spec/diagnostics.h"

namespace easel::spec {

enum class ValueKind { kNull, kString, kInteger, kFloat, kBoolean, kList, kMapping };

// What a node holds, under YAML 1.2's core schema ("a string", "an integer", ...).
ValueKind KindOf(const YAML::Node& node);
const char* KindLabel(ValueKind kind);

enum class Need { kOptional, kRequired };

class MapReader {
 public:
  // Checks that `node` is a mapping whose keys are distinct strings from `allowed`; reports
  // anything else at `path`. An absent or null node reads as an empty mapping.
  MapReader(const YAML::Node& node, std::string path, Diagnostics* diagnostics,
            std::vector<std::string> allowed);

  bool is_mapping() const { return is_mapping_; }
  // True when `key` is present with a non-null value.
  bool Has(const std::string& key) const;
  YAML::Node Get(const std::string& key) const;
  std::string PathOf(const std::string& key) const { return ChildPath(path_, key); }
  const std::string& path() const { return path_; }
  Diagnostics* diagnostics() const { return diagnostics_; }

  // Each returns nullopt when the key is absent (reported if required) or of the wrong type
  // (reported).
  std::optional<std::string> String(const std::string& key, Need need = Need::kOptional);
  std::optional<int64_t> Integer(const std::string& key, Need need = Need::kOptional);
  std::optional<bool> Boolean(const std::string& key, Need need = Need::kOptional);
  std::optional<std::vector<std::string>> StringList(const std::string& key,
                                                     Need need = Need::kOptional);
  // A mapping of string keys to string values, in document order.
  std::optional<std::vector<std::pair<std::string, std::string>>> StringMap(
      const std::string& key, Need need = Need::kOptional);

  // Reports `key` as missing, unless the node was not a mapping at all (already reported).
  void ReportMissing(const std::string& key) {
    if (is_mapping_) diagnostics_->Add(PathOf(key), "is required");
  }

 private:
  bool Present(const std::string& key, Need need);

  YAML::Node node_;
  std::string path_;
  Diagnostics* diagnostics_;
  bool is_mapping_ = false;
};

// Limits on what LoadSingleDocument accepts.
struct LoadLimits {
  int max_depth = 64;                   // nesting of mappings and lists, block or flow
  size_t max_nodes = 100'000;           // nodes, counting each alias as the nodes it stands for
  size_t max_alias_expansion = 10'000;  // nodes one alias may stand for
};

// Parses `text` as exactly one YAML document into *out, checking the limits while the parser
// runs (not after): a deep nesting, an alias bomb or a second document stops it at once. The
// parser's state is bounded too: yaml-cpp's multi-document loader, given a short document such
// as "a", yields empty documents for ever, so at most two documents are ever asked for. On
// failure, *error says why, with the line and column where it was noticed ("is empty", "holds
// more than one document ...", "YAML syntax error at line 2, column 1: ...").
bool LoadSingleDocument(const std::string& text, const LoadLimits& limits, YAML::Node* out,
                        std::string* error);

// Reads a scalar as a string, reporting a wrong type at `path`.
std::optional<std::string> ReadString(const YAML::Node& node, const std::string& path,
                                      Diagnostics* diagnostics);

}  // namespace easel::spec
