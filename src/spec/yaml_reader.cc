#include "spec/yaml_reader.h"

#include <charconv>
#include <regex>
#include <set>

#include "common/strings.h"

namespace easel::spec {
namespace {

const std::string kStrTag = "tag:yaml.org,2002:str";

// YAML 1.2 core schema for plain (unquoted) scalars.
ValueKind KindOfPlainScalar(const std::string& s) {
  static const std::regex kNull("^(~|null|Null|NULL|)$");
  static const std::regex kBool("^(true|True|TRUE|false|False|FALSE)$");
  static const std::regex kInt("^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$");
  static const std::regex kFloat(
      "^([-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|"
      "NAN))$");
  if (s.size() > 64) return ValueKind::kString;  // no number is that long; spare the regexes
  if (std::regex_match(s, kNull)) return ValueKind::kNull;
  if (std::regex_match(s, kBool)) return ValueKind::kBoolean;
  if (std::regex_match(s, kInt)) return ValueKind::kInteger;
  if (std::regex_match(s, kFloat)) return ValueKind::kFloat;
  return ValueKind::kString;
}

std::string Article(ValueKind kind) { return KindLabel(kind); }

}  // namespace

std::string ChildPath(const std::string& parent, const std::string& key) {
  bool plain = !key.empty();
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') plain = false;
  }
  if (!plain) return parent + "[" + Quote(key) + "]";
  return parent.empty() ? key : parent + "." + key;
}

std::string IndexPath(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

ValueKind KindOf(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return ValueKind::kNull;
  if (node.IsSequence()) return ValueKind::kList;
  if (node.IsMap()) return ValueKind::kMapping;
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == kStrTag) return ValueKind::kString;  // quoted or !!str
  if (tag == "tag:yaml.org,2002:int") return ValueKind::kInteger;
  if (tag == "tag:yaml.org,2002:float") return ValueKind::kFloat;
  if (tag == "tag:yaml.org,2002:bool") return ValueKind::kBoolean;
  return KindOfPlainScalar(node.Scalar());
}

const char* KindLabel(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNull:
      return "null";
    case ValueKind::kString:
      return "a string";
    case ValueKind::kInteger:
      return "an integer";
    case ValueKind::kFloat:
      return "a number";
    case ValueKind::kBoolean:
      return "a boolean";
    case ValueKind::kList:
      return "a list";
    case ValueKind::kMapping:
      return "a mapping";
  }
  return "a value";
}

std::optional<std::string> ReadString(const YAML::Node& node, const std::string& path,
                                      Diagnostics* diagnostics) {
  ValueKind kind = KindOf(node);
  if (kind == ValueKind::kString) return node.Scalar();
  std::string message = "must be a string, got " + Article(kind);
  if (kind == ValueKind::kInteger || kind == ValueKind::kFloat || kind == ValueKind::kBoolean) {
    message += " (quote it: \"" + node.Scalar() + "\")";
  }
  diagnostics->Add(path, message);
  return std::nullopt;
}

MapReader::MapReader(const YAML::Node& node, std::string path, Diagnostics* diagnostics,
                     std::vector<std::string> allowed)
    : path_(std::move(path)), diagnostics_(diagnostics) {
  ValueKind kind = KindOf(node);
  if (kind == ValueKind::kNull) {
    node_ = YAML::Node(YAML::NodeType::Map);
    is_mapping_ = true;
    return;
  }
  if (kind != ValueKind::kMapping) {
    diagnostics_->Add(path_.empty() ? "(document)" : path_,
                      std::string("must be a mapping, got ") + KindLabel(kind));
    node_ = YAML::Node(YAML::NodeType::Map);
    return;
  }
  is_mapping_ = true;
  node_ = node;
  std::set<std::string> seen;
  for (const auto& entry : node) {
    if (KindOf(entry.first) == ValueKind::kList || KindOf(entry.first) == ValueKind::kMapping) {
      diagnostics_->Add(path_.empty() ? "(document)" : path_, "keys must be strings");
      continue;
    }
    std::string key = entry.first.Scalar();
    if (!seen.insert(key).second) {
      diagnostics_->Add(PathOf(key), "duplicate key");
      continue;
    }
    bool known = false;
    for (const std::string& a : allowed) known = known || a == key;
    if (!known) {
      std::string hint = ClosestMatch(key, allowed);
      diagnostics_->Add(PathOf(key), hint.empty() ? "unknown field"
                                                  : "unknown field (did you mean " + hint + "?)");
    }
  }
}

bool MapReader::Has(const std::string& key) const {
  YAML::Node v = Get(key);
  return !v.IsNull();
}

YAML::Node MapReader::Get(const std::string& key) const {
  // Lookup through a const node: the non-const operator[] would insert the key, and a missing
  // key yields an invalid node that throws when copied into; return a null node instead.
  const YAML::Node& map = node_;
  if (!is_mapping_ || !map.IsMap()) return YAML::Node();
  YAML::Node v = map[key];
  if (!v.IsDefined()) return YAML::Node();
  return v;
}

bool MapReader::Present(const std::string& key, Need need) {
  if (Has(key)) return true;
  if (need == Need::kRequired && is_mapping_) ReportMissing(key);
  return false;
}

std::optional<std::string> MapReader::String(const std::string& key, Need need) {
  if (!Present(key, need)) return std::nullopt;
  return ReadString(Get(key), PathOf(key), diagnostics_);
}

std::optional<int64_t> MapReader::Integer(const std::string& key, Need need) {
  if (!Present(key, need)) return std::nullopt;
  YAML::Node v = Get(key);
  ValueKind kind = KindOf(v);
  if (kind != ValueKind::kInteger) {
    diagnostics_->Add(PathOf(key), std::string("must be an integer, got ") + KindLabel(kind));
    return std::nullopt;
  }
  const std::string& s = v.Scalar();
  int64_t value = 0;
  const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
  auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    diagnostics_->Add(PathOf(key), "must be a decimal integer in range, got " + s);
    return std::nullopt;
  }
  return value;
}

std::optional<bool> MapReader::Boolean(const std::string& key, Need need) {
  if (!Present(key, need)) return std::nullopt;
  YAML::Node v = Get(key);
  ValueKind kind = KindOf(v);
  if (kind != ValueKind::kBoolean) {
    diagnostics_->Add(PathOf(key), std::string("must be a boolean, got ") + KindLabel(kind));
    return std::nullopt;
  }
  return v.Scalar()[0] == 't' || v.Scalar()[0] == 'T';
}

std::optional<std::vector<std::string>> MapReader::StringList(const std::string& key, Need need) {
  if (!Present(key, need)) return std::nullopt;
  YAML::Node v = Get(key);
  if (KindOf(v) != ValueKind::kList) {
    diagnostics_->Add(PathOf(key), std::string("must be a list, got ") + KindLabel(KindOf(v)));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (size_t i = 0; i < v.size(); ++i) {
    auto s = ReadString(v[i], IndexPath(PathOf(key), i), diagnostics_);
    if (s) out.push_back(*s);
    ok = ok && s.has_value();
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> MapReader::StringMap(
    const std::string& key, Need need) {
  if (!Present(key, need)) return std::nullopt;
  YAML::Node v = Get(key);
  if (KindOf(v) != ValueKind::kMapping) {
    diagnostics_->Add(PathOf(key), std::string("must be a mapping, got ") + KindLabel(KindOf(v)));
    return std::nullopt;
  }
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;
  for (const auto& entry : v) {
    ValueKind key_kind = KindOf(entry.first);
    if (key_kind == ValueKind::kList || key_kind == ValueKind::kMapping) {
      diagnostics_->Add(PathOf(key), "keys must be strings");
      continue;
    }
    std::string k = entry.first.Scalar();
    std::string path = ChildPath(PathOf(key), k);
    if (!seen.insert(k).second) {
      diagnostics_->Add(path, "duplicate key");
      continue;
    }
    auto s = ReadString(entry.second, path, diagnostics_);
    if (s) out.emplace_back(k, *s);
  }
  return out;
}

}  // namespace easel::spec
