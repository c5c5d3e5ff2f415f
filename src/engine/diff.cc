#include "engine/diff.h"

#include <strings.h>

#include "engine/late_bound.h"

namespace easel::engine {
namespace {

std::string Show(const nlohmann::json& j) {
  std::string s = j.is_null() ? "nothing" : j.dump();
  return s.size() > 120 ? s.substr(0, 117) + "..." : s;
}

// `exact`: strings compare case-sensitively and objects must have the same keys; `extra_keys`
// lets this object (not its members) carry keys `want` does not name.
std::string Compare(const nlohmann::json& want, const nlohmann::json& have, const std::string& path,
                    bool exact, bool extra_keys = false) {
  // A late-bound value not resolved here (a drift check reads no other resource) and user data
  // (which Azure never returns) match whatever Azure has.
  if (IsPlaceholder(want)) return "";
  auto differ = [&] { return path + ": want " + Show(want) + ", have " + Show(have); };
  if (want.is_object()) {
    if (!have.is_object()) return differ();
    if (exact && !extra_keys && want.size() != have.size()) return differ();
    for (const auto& [key, value] : want.items()) {
      std::string child = path.empty() ? key : path + "." + key;
      auto it = have.find(key);
      if (it == have.end()) {
        if (IsPlaceholder(value)) continue;
        return child + ": want " + Show(value) + ", have nothing";
      }
      // Tags compare exactly, but tags easel did not ask for (an Azure Policy `modify` effect
      // adding a cost center, say) are not a difference.
      bool policy_tags = key == "tags" && path.empty();
      if (std::string d = Compare(value, *it, child, exact || key == "tags", policy_tags);
          !d.empty())
        return d;
    }
    return "";
  }
  if (want.is_array()) {
    if (!have.is_array() || have.size() != want.size()) return differ();
    for (size_t i = 0; i < want.size(); ++i) {
      if (std::string d = Compare(want[i], have[i], path + "[" + std::to_string(i) + "]", exact);
          !d.empty()) {
        return d;
      }
    }
    return "";
  }
  if (want.is_string() && have.is_string()) {
    const std::string& a = want.get_ref<const std::string&>();
    const std::string& b = have.get_ref<const std::string&>();
    bool same = exact ? a == b : strcasecmp(a.c_str(), b.c_str()) == 0;
    return same ? "" : differ();
  }
  if (want.is_number() && have.is_number()) {
    return want.get<double>() == have.get<double>() ? "" : differ();
  }
  return want == have ? "" : differ();
}

}  // namespace

std::string FirstDifference(const nlohmann::json& desired, const nlohmann::json& live) {
  return Compare(desired, live, "", false);
}

}  // namespace easel::engine
