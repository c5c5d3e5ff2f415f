#include "spec/validate_common.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "common/strings.h"

namespace easel::spec {
namespace {

constexpr int kMaxUserTags = 49;    // Azure allows 50 tags; easel's ownership tag is one of them
constexpr size_t kMaxTagKey = 128;  // storage accounts' limit, the tightest of easel's types
constexpr size_t kMaxTagValue = 256;

}  // namespace

void CheckTags(const std::vector<std::pair<std::string, std::string>>& tags, Diagnostics* d) {
  if (tags.size() > static_cast<size_t>(kMaxUserTags)) {
    d->Add("metadata.tags", "has " + std::to_string(tags.size()) + " tags; at most " +
                                std::to_string(kMaxUserTags) +
                                " (Azure allows 50 per resource, one is easel's ownership tag)");
  }
  std::map<std::string, std::string> seen;  // lowercase key -> first spelling
  for (const auto& [key, value] : tags) {
    std::string path = ChildPath("metadata.tags", key);
    std::string lower = ToLower(key);
    if (key.empty() || key.size() > kMaxTagKey) {
      d->Add(path, "tag name must be 1-" + std::to_string(kMaxTagKey) + " characters");
    }
    if (key.find_first_of("<>%&\\?/") != std::string::npos) {
      d->Add(path, "tag name must not contain any of < > % & \\ ? /");
    }
    for (const char* reserved : {"microsoft", "azure", "windows"}) {
      if (StartsWith(lower, reserved)) {
        d->Add(path,
               std::string("tag names starting with \"") + reserved + "\" are reserved by Azure");
      }
    }
    if (StartsWith(lower, "easel_cluster_")) {
      d->Add(path,
             "tag names starting with \"easel_cluster_\" are reserved for easel's "
             "ownership tag");
    }
    if (value.size() > kMaxTagValue) {
      d->Add(path, "tag value is " + std::to_string(value.size()) + " characters (at most " +
                       std::to_string(kMaxTagValue) + ")");
    }
    auto [it, inserted] = seen.emplace(lower, key);
    if (!inserted) {
      d->Add(path,
             "duplicates tag " + Quote(it->second) + " (Azure tag names are case-insensitive)");
    }
  }
}

bool IsGuid(const std::string& text) {
  static const std::regex kGuid(
      "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  return text.size() == 36 && std::regex_match(text, kGuid);
}

void CheckSubscriptionId(const std::string& id, Diagnostics* d) {
  if (!id.empty() && !IsGuid(id)) {
    d->Add("spec.subscriptionId",
           "must be a GUID such as \"00000000-0000-0000-0000-000000000000\", got " + Quote(id));
  }
}

const Region* CheckLocation(const std::string& location, const Catalog& catalog, Diagnostics* d) {
  const Region* region = catalog.FindRegion(location);
  if (location.empty() || region) return region;
  std::string hint = ClosestMatch(location, catalog.RegionNames());
  d->Add("spec.location", "unknown region " + Quote(location) +
                              (hint.empty() ? "" : " (did you mean " + hint + "?)"));
  return nullptr;
}

std::optional<Cidr> CheckCidrField(Diagnostics* d, const std::string& path, const std::string& text,
                                   int min_prefix, int max_prefix) {
  if (text.empty()) return std::nullopt;
  Result<Cidr> cidr = ParseCidr(text);
  if (!cidr.ok()) {
    d->Add(path, cidr.status().message());
    return std::nullopt;
  }
  if (!cidr->IsCanonical()) {
    d->Add(path, Quote(text) + " has host bits set; write it as " + cidr->Canonical().ToString());
    return std::nullopt;
  }
  if (cidr->prefix < min_prefix || cidr->prefix > max_prefix) {
    d->Add(path, "prefix length /" + std::to_string(cidr->prefix) + " is outside /" +
                     std::to_string(min_prefix) + " to /" + std::to_string(max_prefix));
    return std::nullopt;
  }
  return *cidr;
}

void CheckAzureName(Diagnostics* d, AzureNameKind kind, const std::string& path,
                    const std::string& name) {
  if (name.empty()) return;
  std::string problem = AzureNameProblem(kind, name);
  if (!problem.empty()) {
    d->Add(path, std::string(AzureNameKindLabel(kind)) + " name " + Quote(name) + " " + problem);
  }
}

void CheckZones(Diagnostics* d, const Catalog& catalog, const std::string& location,
                const std::string& vm_size, const std::vector<std::string>& zones,
                const std::string& path) {
  const Region* region = catalog.FindRegion(location);
  std::set<std::string> seen;
  for (size_t i = 0; i < zones.size(); ++i) {
    const std::string zpath = IndexPath(path, i);
    const std::string& zone = zones[i];
    if (!seen.insert(zone).second) {
      d->Add(zpath, "zone " + Quote(zone) + " is listed twice");
      continue;
    }
    if (!region) continue;
    if (std::find(region->zones.begin(), region->zones.end(), zone) == region->zones.end()) {
      d->Add(zpath, "zone " + Quote(zone) + " does not exist in " + location +
                        (region->zones.empty() ? " (it has no availability zones; omit zones)"
                                               : " (zones: " + Join(region->zones, ", ") + ")"));
      continue;
    }
    if (!vm_size.empty()) {
      std::vector<std::string> offered = catalog.ZonesOffering(vm_size, location);
      if (std::find(offered.begin(), offered.end(), zone) == offered.end()) {
        d->Add(zpath, vm_size + " is not offered in zone " + zone + " of " + location +
                          " (offered in: " + Join(offered, ", ") + ")");
      }
    }
  }
}

}  // namespace easel::spec
