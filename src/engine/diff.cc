#include "engine/diff.h"

#include <strings.h>

#include <algorithm>

#include "engine/late_bound.h"

namespace easel::engine {
namespace {

std::string Show(const nlohmann::json& j) {
  std::string s = j.is_null() ? "nothing" : j.dump();
  return s.size() > 120 ? s.substr(0, 117) + "..." : s;
}

// `exact`: strings compare case-sensitively and objects must have the same keys; `extra_keys`
// lets this object (not its members) carry keys `want` does not name.
// `at`, when given, receives where the (first) difference is.
std::string Compare(const nlohmann::json& want, const nlohmann::json& have, const std::string& path,
                    const nlohmann::json::json_pointer& pointer, Difference* at, bool exact,
                    bool extra_keys = false) {
  // A late-bound value not resolved here (a drift check reads no other resource) and user data
  // (which Azure never returns) match whatever Azure has.
  if (IsPlaceholder(want)) return "";
  auto differ = [&] {
    std::string text = path + ": want " + Show(want) + ", have " + Show(have);
    if (at) *at = {text, path, pointer, have};
    return text;
  };
  if (want.is_object()) {
    if (!have.is_object()) return differ();
    if (exact && !extra_keys && want.size() != have.size()) return differ();
    for (const auto& [key, value] : want.items()) {
      std::string child = path.empty() ? key : path + "." + key;
      auto it = have.find(key);
      if (it == have.end()) {
        if (IsPlaceholder(value)) continue;
        std::string text = child + ": want " + Show(value) + ", have nothing";
        if (at) *at = {text, child, pointer / key, nullptr};
        return text;
      }
      // Tags compare exactly, but tags easel did not ask for (an Azure Policy `modify` effect
      // adding a cost center, say) are not a difference.
      bool policy_tags = key == "tags" && path.empty();
      if (std::string d =
              Compare(value, *it, child, pointer / key, at, exact || key == "tags", policy_tags);
          !d.empty())
        return d;
    }
    return "";
  }
  if (want.is_array()) {
    if (!have.is_array() || have.size() != want.size()) return differ();
    for (size_t i = 0; i < want.size(); ++i) {
      if (std::string d = Compare(want[i], have[i], path + "[" + std::to_string(i) + "]",
                                  pointer / i, at, exact);
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
  return Compare(desired, live, "", nlohmann::json::json_pointer(), nullptr, false);
}

std::optional<Difference> FirstDifferenceAt(const nlohmann::json& desired,
                                            const nlohmann::json& live) {
  Difference at;
  if (Compare(desired, live, "", nlohmann::json::json_pointer(), &at, false).empty())
    return std::nullopt;
  return at;
}

void AcceptLive(nlohmann::json* desired, const Difference& d) {
  if (d.pointer.empty()) {
    *desired = d.have;
  } else if (!d.have.is_null()) {
    (*desired)[d.pointer] = d.have;
  } else if (nlohmann::json::json_pointer parent = d.pointer.parent_pointer();
             desired->contains(parent) && (*desired)[parent].is_object()) {
    (*desired)[parent].erase(d.pointer.back());
  } else {
    (*desired)[d.pointer] = nullptr;
  }
}

std::vector<Difference> AllDifferences(nlohmann::json desired, const nlohmann::json& live) {
  std::vector<Difference> out;
  constexpr size_t kMax = 32;  // a bound, should accepting a value ever not settle it
  while (out.size() < kMax) {
    std::optional<Difference> d = FirstDifferenceAt(desired, live);
    if (!d) break;
    AcceptLive(&desired, *d);
    out.push_back(std::move(*d));
  }
  return out;
}

std::string KeptMessage(const Difference& d) { return KeptMessage(std::vector<Difference>{d}); }

std::string KeptMessage(const std::vector<Difference>& kept) {
  std::string out = "Azure keeps ";
  for (size_t i = 0; i < kept.size(); ++i) {
    const Difference& d = kept[i];
    out += (i ? ", " : "") + d.path + (d.have.is_null() ? " unset" : " at " + Show(d.have));
  }
  return out + " (a policy?): easel does not rewrite " + (kept.size() == 1 ? "it" : "them");
}

std::string DifferenceBeyond(nlohmann::json desired, const nlohmann::json& live,
                             const std::vector<std::string>& kept,
                             std::vector<Difference>* kept_found) {
  for (size_t n = 0; n <= kept.size(); ++n) {
    std::optional<Difference> d = FirstDifferenceAt(desired, live);
    if (!d) return "";
    if (std::find(kept.begin(), kept.end(), d->text) == kept.end()) return d->text;
    AcceptLive(&desired, *d);
    if (kept_found) kept_found->push_back(std::move(*d));
  }
  return FirstDifference(desired, live);
}

}  // namespace easel::engine
