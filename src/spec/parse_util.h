// Pieces shared by the spec parsers (AzureCluster in parse.cc, AKSCluster in aks_parse.cc): the
// bounded document loader and the readers that record applied defaults.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "spec/diagnostics.h"
#include "spec/types.h"
#include "spec/yaml_reader.h"

namespace easel::spec {

using DefaultsApplied = std::vector<std::pair<std::string, std::string>>;

// Reads `text` as one YAML (or JSON) document within the spec limits (size, NUL bytes, UTF-8,
// nesting, aliases). On failure adds one error at `source_name` and returns false.
bool LoadSpecDocument(const std::string& text, const std::string& source_name, Diagnostics* d,
                      YAML::Node* out);

// The top-level `kind` of a loaded document, or "" when it has none (or is not a mapping).
std::string KindOfDocument(const YAML::Node& root);

// Reads the string `key` into *out; when it is absent, uses `fallback` and records the default.
void StringOrDefault(MapReader& r, const std::string& key, const std::string& fallback,
                     std::string* out, DefaultsApplied* defaults);

// Reads `key`, which must be one of `choices`; when absent, records `fallback` as the default
// (unless empty). Returns the value, or nullopt when absent or not a valid choice (reported).
std::optional<std::string> Choice(MapReader& r, const std::string& key,
                                  const std::vector<std::string>& choices,
                                  const std::string& fallback, DefaultsApplied* defaults);

// Reads `taints` ("key[=value]:Effect" each, no key/effect twice) at `path`.
std::vector<Taint> ReadTaints(MapReader& r, const std::string& path);

// Clamps a user integer into an int without overflow (out-of-range values stay invalid).
int ClampToInt(int64_t v);

}  // namespace easel::spec
