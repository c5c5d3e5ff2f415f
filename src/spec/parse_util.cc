#include "spec/parse_util.h"

#include <algorithm>
#include <set>

#include "common/strings.h"
#include "spec/kubernetes_syntax.h"
#include "spec/parse.h"

namespace easel::spec {
namespace {

// Byte offset of the first invalid UTF-8 sequence, or npos.
size_t InvalidUtf8Offset(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    if (c < 0x80) {
      extra = 0;
    } else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
      extra = 1;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
    } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
      extra = 3;
    } else {
      return i;
    }
    if (i + extra >= s.size() && extra > 0) return i;
    for (size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    }
    i += extra + 1;
  }
  return std::string::npos;
}

// Deepest nesting of flow collections, ignoring brackets inside quotes and comments. Block
// nesting is bounded by yaml-cpp itself.
int FlowNestingDepth(const std::string& s) {
  int depth = 0, deepest = 0;
  char quote = 0;
  bool comment = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (comment) {
      comment = c != '\n';
    } else if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\n')) {
      comment = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// Reads a document, returning false (with an error) when it cannot even be parsed as YAML.
}  // namespace

bool LoadSpecDocument(const std::string& text, const std::string& source_name, Diagnostics* d,
                      YAML::Node* out) {
  const std::string& where = source_name;
  if (text.size() > kMaxSpecBytes) {
    d->Add(where, "is " + std::to_string(text.size()) + " bytes; a spec may be at most " +
                      std::to_string(kMaxSpecBytes) + " bytes");
    return false;
  }
  if (text.find('\0') != std::string::npos) {
    d->Add(where, "is not a text file (it contains NUL bytes)");
    return false;
  }
  if (size_t at = InvalidUtf8Offset(text); at != std::string::npos) {
    d->Add(where, "is not UTF-8 text (invalid byte at offset " + std::to_string(at) + ")");
    return false;
  }
  if (int depth = FlowNestingDepth(text); depth > kMaxNestingDepth) {
    d->Add(where, "nests " + std::to_string(depth) + " levels deep; at most " +
                      std::to_string(kMaxNestingDepth) + " are allowed");
    return false;
  }
  LoadLimits limits;
  limits.max_depth = kMaxNestingDepth;
  std::string problem;
  if (!LoadSingleDocument(text, limits, out, &problem)) {
    d->Add(where, problem);
    return false;
  }
  return true;
}

std::string KindOfDocument(const YAML::Node& root) {
  if (KindOf(root) != ValueKind::kMapping) return "";
  YAML::Node kind = root["kind"];
  return KindOf(kind) == ValueKind::kString ? kind.Scalar() : "";
}

void StringOrDefault(MapReader& r, const std::string& key, const std::string& fallback,
                     std::string* out, DefaultsApplied* defaults) {
  if (!r.Has(key)) {
    *out = fallback;
    defaults->emplace_back(r.PathOf(key), fallback);
  } else if (auto v = r.String(key)) {
    *out = *v;
  }
}

std::optional<std::string> Choice(MapReader& r, const std::string& key,
                                  const std::vector<std::string>& choices,
                                  const std::string& fallback, DefaultsApplied* defaults) {
  if (!r.Has(key)) {
    if (!fallback.empty()) defaults->emplace_back(r.PathOf(key), fallback);
    return std::nullopt;
  }
  std::optional<std::string> v = r.String(key);
  if (!v) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *v) == choices.end()) {
    std::string list = Join(std::vector<std::string>(choices.begin(), choices.end() - 1), ", ");
    r.diagnostics()->Add(r.PathOf(key),
                         "must be " + list + " or " + choices.back() + ", got " + Quote(*v));
    return std::nullopt;
  }
  return v;
}

std::vector<Taint> ReadTaints(MapReader& r, const std::string& path) {
  std::vector<Taint> out;
  auto taints = r.StringList("taints");
  if (!taints) return out;
  std::set<std::pair<std::string, std::string>> seen;  // key, effect
  for (size_t i = 0; i < taints->size(); ++i) {
    Result<Taint> taint = ParseTaint((*taints)[i]);
    if (!taint.ok()) {
      r.diagnostics()->Add(IndexPath(path + ".taints", i), taint.status().message());
    } else if (!seen.insert({taint->key, taint->effect}).second) {
      r.diagnostics()->Add(IndexPath(path + ".taints", i), "repeats the key " + Quote(taint->key) +
                                                               " with effect " + taint->effect);
    } else {
      out.push_back(*taint);
    }
  }
  return out;
}

int ClampToInt(int64_t v) { return static_cast<int>(std::clamp<int64_t>(v, -1, 1 << 30)); }

}  // namespace easel::spec
