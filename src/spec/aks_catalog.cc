#include "spec/aks_catalog.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "spec/kubernetes_catalog.h"
#include "spec/kubernetes_syntax.h"

namespace easel::spec {

extern const char kEmbeddedAksJson[];  // generated from data/aks.json

namespace {

using Json = nlohmann::json;

Result<std::vector<std::string>> VersionList(const Json& j, const std::string& where) {
  if (!j.is_array() || j.empty()) {
    return Status::InvalidArgument(where + ": must be a non-empty list of versions");
  }
  std::vector<std::string> out;
  for (const Json& v : j) {
    if (!v.is_string() || !IsKubernetesVersion(v.get<std::string>())) {
      return Status::InvalidArgument(where + ": " + v.dump() + " is not a version x.y.z");
    }
    out.push_back(v.get<std::string>());
  }
  std::sort(out.begin(), out.end(),
            [](const std::string& a, const std::string& b) { return CompareVersions(a, b) < 0; });
  return out;
}

}  // namespace

Result<AksCatalog> AksCatalog::FromJson(const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::InvalidArgument("AKS catalog: not a JSON object");
  AksCatalog c;
  Result<std::vector<std::string>> defaults =
      VersionList(j.value("defaultVersions", Json()), "defaultVersions");
  if (!defaults.ok()) return defaults.status();
  c.default_versions_ = *defaults;
  if (j.contains("regions")) {
    if (!j["regions"].is_object()) return Status::InvalidArgument("regions: must be an object");
    for (const auto& [region, list] : j["regions"].items()) {
      Result<std::vector<std::string>> v = VersionList(list, "regions." + region);
      if (!v.ok()) return v.status();
      c.region_versions_[region] = *v;
    }
  }
  if (j.contains("ephemeralOsDiskMaxGB")) {
    const Json& e = j["ephemeralOsDiskMaxGB"];
    if (!e.is_object()) return Status::InvalidArgument("ephemeralOsDiskMaxGB: must be an object");
    for (const auto& [size, gb] : e.items()) {
      if (!gb.is_number_integer() || gb.get<int64_t>() < 0 || gb.get<int64_t>() > 1 << 20) {
        return Status::InvalidArgument("ephemeralOsDiskMaxGB." + size + ": must be GiB >= 0");
      }
      c.ephemeral_max_gb_[size] = gb.get<int>();
    }
  }
  return c;
}

const std::vector<std::string>& AksCatalog::Versions(const std::string& region) const {
  auto it = region_versions_.find(region);
  return it == region_versions_.end() ? default_versions_ : it->second;
}

std::optional<std::string> AksCatalog::Resolve(const std::string& requested,
                                               const std::string& region) const {
  const std::vector<std::string>& offered = Versions(region);
  const bool minor_only = MinorOf(requested) == requested;
  std::optional<std::string> best;
  for (const std::string& v : offered) {
    if (minor_only ? MinorOf(v) == requested : v == requested) best = v;  // ascending: newest last
  }
  return best;
}

std::optional<int> AksCatalog::EphemeralOsDiskMaxGb(const std::string& vm_size) const {
  auto it = ephemeral_max_gb_.find(vm_size);
  if (it == ephemeral_max_gb_.end()) return std::nullopt;
  return it->second;
}

const AksCatalog& EmbeddedAksCatalog() {
  static const AksCatalog catalog = [] {
    Result<AksCatalog> c = AksCatalog::FromJson(kEmbeddedAksJson);
    return c.ok() ? std::move(c).value() : AksCatalog{};
  }();
  return catalog;
}

}  // namespace easel::spec
