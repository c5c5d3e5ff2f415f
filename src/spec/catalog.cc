#include "spec/catalog.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/files.h"

namespace easel::spec {

extern const char kEmbeddedCatalogJson[];  // generated from data/azure-catalog.json

namespace {

Result<std::vector<std::string>> StringList(const nlohmann::json& j, const std::string& where) {
  if (!j.is_array()) return Status::InvalidArgument(where + ": must be a list of strings");
  std::vector<std::string> out;
  for (const auto& e : j) {
    if (!e.is_string()) return Status::InvalidArgument(where + ": must be a list of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

// The member `key` of `object`, or an empty array/object when absent.
const nlohmann::json& Member(const nlohmann::json& object, const char* key,
                             const nlohmann::json& fallback) {
  auto it = object.find(key);
  return it == object.end() ? fallback : *it;
}

}  // namespace

Result<Catalog> Catalog::FromJson(const std::string& text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::InvalidArgument("catalog: not a JSON object");
  }
  Catalog catalog;
  const auto& sizes = doc["vmSizes"];
  if (!sizes.is_object()) return Status::InvalidArgument("catalog.vmSizes: must be an object");
  for (const auto& [name, s] : sizes.items()) {
    std::string where = "catalog.vmSizes." + name;
    if (!s.is_object() || !s["vCPUs"].is_number_integer() || !s["memoryGiB"].is_number() ||
        !s["premiumStorage"].is_boolean()) {
      return Status::InvalidArgument(where + ": needs vCPUs, memoryGiB and premiumStorage");
    }
    catalog.vm_sizes_[name] = VmSize{s["vCPUs"].get<int>(), s["memoryGiB"].get<double>(),
                                     s["premiumStorage"].get<bool>()};
  }
  const auto& regions = doc["regions"];
  if (!regions.is_object()) return Status::InvalidArgument("catalog.regions: must be an object");
  for (const auto& [name, r] : regions.items()) {
    std::string where = "catalog.regions." + name;
    if (!r.is_object()) return Status::InvalidArgument(where + ": must be an object");
    Region region;
    static const nlohmann::json kEmptyList = nlohmann::json::array();
    static const nlohmann::json kEmptyMap = nlohmann::json::object();
    auto zones = StringList(Member(r, "zones", kEmptyList), where + ".zones");
    if (!zones.ok()) return zones.status();
    region.zones = *zones;
    auto absent = StringList(Member(r, "notOffered", kEmptyList), where + ".notOffered");
    if (!absent.ok()) return absent.status();
    region.not_offered = *absent;
    for (const std::string& size : region.not_offered) {
      if (!catalog.vm_sizes_.count(size)) {
        return Status::InvalidArgument(where + ".notOffered: unknown VM size " + size);
      }
    }
    for (const auto& [size, z] : Member(r, "zoneRestricted", kEmptyMap).items()) {
      auto list = StringList(z, where + ".zoneRestricted." + size);
      if (!list.ok()) return list.status();
      if (!catalog.vm_sizes_.count(size)) {
        return Status::InvalidArgument(where + ".zoneRestricted: unknown VM size " + size);
      }
      for (const std::string& zone : *list) {
        if (std::find(region.zones.begin(), region.zones.end(), zone) == region.zones.end()) {
          return Status::InvalidArgument(where + ".zoneRestricted." + size + ": zone " + zone +
                                         " is not a zone of the region");
        }
      }
      region.zone_restricted[size] = *list;
    }
    catalog.regions_[name] = std::move(region);
  }
  return catalog;
}

const Region* Catalog::FindRegion(const std::string& name) const {
  auto it = regions_.find(name);
  return it == regions_.end() ? nullptr : &it->second;
}

const VmSize* Catalog::FindVmSize(const std::string& name) const {
  auto it = vm_sizes_.find(name);
  return it == vm_sizes_.end() ? nullptr : &it->second;
}

bool Catalog::OfferedInRegion(const std::string& size, const std::string& region) const {
  const Region* r = FindRegion(region);
  if (!r || !FindVmSize(size)) return false;
  return std::find(r->not_offered.begin(), r->not_offered.end(), size) == r->not_offered.end();
}

std::vector<std::string> Catalog::ZonesOffering(const std::string& size,
                                                const std::string& region) const {
  const Region* r = FindRegion(region);
  if (!r || !OfferedInRegion(size, region)) return {};
  auto it = r->zone_restricted.find(size);
  return it == r->zone_restricted.end() ? r->zones : it->second;
}

std::vector<std::string> Catalog::RegionNames() const {
  std::vector<std::string> out;
  for (const auto& [name, _] : regions_) out.push_back(name);
  return out;
}

std::vector<std::string> Catalog::VmSizeNames() const {
  std::vector<std::string> out;
  for (const auto& [name, _] : vm_sizes_) out.push_back(name);
  return out;
}

const Catalog& EmbeddedCatalog() {
  static const Catalog* catalog = [] {
    Result<Catalog> c = Catalog::FromJson(kEmbeddedCatalogJson);
    // The embedded file is checked by a unit test; a broken one is a build defect.
    if (!c.ok()) std::abort();
    return new Catalog(std::move(c).value());
  }();
  return *catalog;
}

Result<Catalog> LoadCatalog(const std::string& path) {
  Result<std::string> text = ReadFileBounded(path, 16 << 20);
  if (!text.ok()) return Status(text.status().code(), path + ": " + text.status().message());
  return Catalog::FromJson(*text);
}

}  // namespace easel::spec
