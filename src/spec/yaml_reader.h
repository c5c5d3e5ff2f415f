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

  void ReportMissing(const std::string& key) { diagnostics_->Add(PathOf(key), "is required"); }

 private:
  bool Present(const std::string& key, Need need);

  YAML::Node node_;
  std::string path_;
  Diagnostics* diagnostics_;
  bool is_mapping_ = false;
};

// Reads a scalar as a string, reporting a wrong type at `path`.
std::optional<std::string> ReadString(const YAML::Node& node, const std::string& path,
                                      Diagnostics* diagnostics);

}  // namespace easel::spec
