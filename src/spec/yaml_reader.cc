#include "spec/yaml_reader.h"

#include <charconv>
#include <map>
#include <set>
#include <sstream>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include "common/strings.h"

namespace easel::spec {
namespace {

const std::string kStrTag = "tag:yaml.org,2002:str";

bool AllOf(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsOctal(char c) { return c >= '0' && c <= '7'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool IsCoreFloat(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    return i - start;
  };
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t whole = digits();
  size_t fraction = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    fraction = digits();
    if (whole == 0 && fraction == 0) return false;
  } else if (whole == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

// YAML 1.2 core schema for plain (unquoted) scalars, checked by hand: std::regex matches
// recursively and overflows the stack on long strings.
ValueKind KindOfPlainScalar(const std::string& text) {
  std::string_view s = text;
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return ValueKind::kNull;
  for (std::string_view b : {"true", "True", "TRUE", "false", "False", "FALSE"}) {
    if (s == b) return ValueKind::kBoolean;
  }
  std::string_view unsigned_part = s[0] == '-' || s[0] == '+' ? s.substr(1) : s;
  if (AllOf(unsigned_part, IsDigit)) return ValueKind::kInteger;
  if (s.size() > 2 && s.substr(0, 2) == "0o" && AllOf(s.substr(2), IsOctal)) {
    return ValueKind::kInteger;
  }
  if (s.size() > 2 && s.substr(0, 2) == "0x" && AllOf(s.substr(2), IsHex)) {
    return ValueKind::kInteger;
  }
  if (IsCoreFloat(s)) return ValueKind::kFloat;
  for (std::string_view special : {".inf", ".Inf", ".INF"}) {
    if (unsigned_part == special) return ValueKind::kFloat;
  }
  for (std::string_view nan : {".nan", ".NaN", ".NAN"}) {
    if (s == nan) return ValueKind::kFloat;
  }
  return ValueKind::kString;
}

std::string At(const YAML::Mark& mark) {
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

// Thrown from the event handler to stop the parser at the first limit exceeded.
struct LimitExceeded {
  std::string message;
};

// Checks a document's events against the limits as the parser produces them: nesting depth,
// nodes with aliases expanded (each anchor remembers the size of its subtree).
class LimitChecker : public YAML::EventHandler {
 public:
  explicit LimitChecker(const LoadLimits& limits) : limits_(limits) {}

  bool saw_content() const { return nodes_ > 0; }
  const YAML::Mark& document_start() const { return document_start_; }

  void OnDocumentStart(const YAML::Mark& mark) override { document_start_ = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { Leaf(mark, anchor); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    Leaf(mark, anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchor_sizes_.find(anchor);
    size_t size = it == anchor_sizes_.end() ? 1 : it->second;
    if (size > limits_.max_alias_expansion) {
      throw LimitExceeded{"an alias at " + At(mark) + " stands for " + std::to_string(size) +
                          " nodes; at most " + std::to_string(limits_.max_alias_expansion) +
                          " are allowed"};
    }
    Count(mark, size);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Open_ {
    YAML::anchor_t anchor;
    size_t nodes_at_start;
  };

  void Count(const YAML::Mark& mark, size_t n) {
    nodes_ += n;
    if (nodes_ > limits_.max_nodes) {
      throw LimitExceeded{"holds more than " + std::to_string(limits_.max_nodes) +
                          " values (counting what aliases stand for) at " + At(mark)};
    }
  }
  void Leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
    Count(mark, 1);
    if (anchor != YAML::NullAnchor) anchor_sizes_[anchor] = 1;
  }
  void Open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    Count(mark, 1);
    if (static_cast<int>(open_.size()) >= limits_.max_depth) {
      throw LimitExceeded{"nests more than " + std::to_string(limits_.max_depth) +
                          " levels deep at " + At(mark)};
    }
    open_.push_back({anchor, nodes_ - 1});
  }
  void Close() {
    if (open_.empty()) return;
    Open_ o = open_.back();
    open_.pop_back();
    if (o.anchor != YAML::NullAnchor) anchor_sizes_[o.anchor] = nodes_ - o.nodes_at_start;
  }

  const LoadLimits& limits_;
  size_t nodes_ = 0;
  std::vector<Open_> open_;
  std::map<YAML::anchor_t, size_t> anchor_sizes_;
  YAML::Mark document_start_ = YAML::Mark::null_mark();
};

// Swallows the events of whatever follows the first document.
class ContentDetector : public YAML::EventHandler {
 public:
  bool saw_content = false;
  YAML::Mark first = YAML::Mark::null_mark();
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}  // an empty document ("---\n...")
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { See(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                const std::string&) override {
    See(m);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    See(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    See(m);
  }
  void OnMapEnd() override {}

 private:
  void See(const YAML::Mark& m) {
    if (!saw_content) first = m;
    saw_content = true;
    throw LimitExceeded{};  // one event is enough to know a second document exists
  }
};

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

bool LoadSingleDocument(const std::string& text, const LoadLimits& limits, YAML::Node* out,
                        std::string* error) {
  try {
    // First pass: events only, checked against the limits as they come.
    std::istringstream in(text);
    YAML::Parser parser(in);
    LimitChecker checker(limits);
    if (!parser.HandleNextDocument(checker)) {
      *error = "is empty";
      return false;
    }
    // A second document with content is an error; empty ones (which yaml-cpp may produce for
    // ever after a short document) are not, and one look is all the parser gets.
    ContentDetector next;
    try {
      parser.HandleNextDocument(next);
    } catch (const LimitExceeded&) {
    }
    if (next.saw_content) {
      *error = "holds more than one document (another starts at " + At(next.first) +
               "); one is expected";
      return false;
    }
    // Second pass: the nodes of the first document, now known to be within the limits.
    std::istringstream again(text);
    *out = YAML::Load(again);
    return true;
  } catch (const LimitExceeded& e) {
    *error = e.message;
    return false;
  } catch (const YAML::Exception& e) {
    if (!e.mark.is_null()) {
      *error = "YAML syntax error at " + At(e.mark) + ": " + e.msg;
    } else {
      *error = "YAML error: " + e.msg;
    }
    return false;
  }
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
