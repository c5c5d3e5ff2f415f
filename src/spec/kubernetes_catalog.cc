#include "spec/kubernetes_catalog.h"

#include <algorithm>
#include <cstdlib>

#include <nlohmann/json.hpp>

namespace easel::spec {

extern const char kEmbeddedKubernetesJson[];  // generated from data/kubernetes.json

namespace {

using Json = nlohmann::json;

Result<std::vector<std::string>> Urls(const Json& manifests, const char* key) {
  if (!manifests.contains(key) || !manifests[key].is_array() || manifests[key].empty()) {
    return Status::InvalidArgument(std::string("manifests.") + key + ": must be a list of URLs");
  }
  std::vector<std::string> out;
  for (const Json& u : manifests[key]) {
    if (!u.is_string() || u.get<std::string>().rfind("https://", 0) != 0) {
      return Status::InvalidArgument(std::string("manifests.") + key + ": " + u.dump() +
                                     " is not an https URL");
    }
    out.push_back(u.get<std::string>());
  }
  return out;
}

std::vector<long> Numbers(const std::string& version) {
  std::vector<long> out;
  size_t start = 0;
  while (start <= version.size()) {
    size_t dot = version.find('.', start);
    std::string part =
        version.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    out.push_back(std::strtol(part.c_str(), nullptr, 10));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

}  // namespace

std::string MinorOf(const std::string& version) {
  size_t first = version.find('.');
  if (first == std::string::npos) return version;
  size_t second = version.find('.', first + 1);
  return second == std::string::npos ? version : version.substr(0, second);
}

int CompareVersions(const std::string& a, const std::string& b) {
  std::vector<long> x = Numbers(a), y = Numbers(b);
  for (size_t i = 0; i < std::max(x.size(), y.size()); ++i) {
    long p = i < x.size() ? x[i] : 0, q = i < y.size() ? y[i] : 0;
    if (p != q) return p < q ? -1 : 1;
  }
  return 0;
}

Result<KubernetesCatalog> KubernetesCatalog::FromJson(const std::string& text) {
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::InvalidArgument("the Kubernetes catalog is not a JSON object");
  }
  KubernetesCatalog c;
  if (!doc.contains("versions") || !doc["versions"].is_array()) {
    return Status::InvalidArgument("versions: must be a list");
  }
  for (const Json& v : doc["versions"]) {
    if (!v.is_object() || !v.contains("minor") || !v["minor"].is_string() ||
        !v.contains("addons") || !v["addons"].is_object()) {
      return Status::InvalidArgument("versions: " + v.dump() + " needs minor and addons");
    }
    KubernetesRelease r;
    r.minor = v["minor"].get<std::string>();
    r.end_of_support = v.value("endOfSupport", "");
    const Json& a = v["addons"];
    for (const char* key : {"calico", "cloudProviderAzure", "azureDiskCsi"}) {
      if (!a.contains(key) || !a[key].is_string()) {
        return Status::InvalidArgument("versions[" + r.minor + "].addons." + key +
                                       ": must be a version string");
      }
    }
    r.addons = {a["calico"].get<std::string>(), a["cloudProviderAzure"].get<std::string>(),
                a["azureDiskCsi"].get<std::string>()};
    c.releases_.push_back(std::move(r));
  }
  std::sort(c.releases_.begin(), c.releases_.end(),
            [](const KubernetesRelease& x, const KubernetesRelease& y) {
              return CompareVersions(x.minor, y.minor) < 0;
            });
  if (!doc.contains("manifests") || !doc["manifests"].is_object()) {
    return Status::InvalidArgument("manifests: must be an object");
  }
  const Json& m = doc["manifests"];
  Result<std::vector<std::string>> calico = Urls(m, "calico");
  if (!calico.ok()) return calico.status();
  Result<std::vector<std::string>> cpa = Urls(m, "cloudProviderAzure");
  if (!cpa.ok()) return cpa.status();
  Result<std::vector<std::string>> disk = Urls(m, "azureDiskCsi");
  if (!disk.ok()) return disk.status();
  c.manifests_ = {*calico, *cpa, *disk};
  return c;
}

const KubernetesRelease* KubernetesCatalog::Find(const std::string& version) const {
  std::string minor = MinorOf(version);
  for (const KubernetesRelease& r : releases_) {
    if (r.minor == minor) return &r;
  }
  return nullptr;
}

std::vector<std::string> KubernetesCatalog::Minors() const {
  std::vector<std::string> out;
  for (const KubernetesRelease& r : releases_) out.push_back(r.minor);
  return out;
}

const KubernetesCatalog& EmbeddedKubernetesCatalog() {
  static const KubernetesCatalog* catalog = [] {
    Result<KubernetesCatalog> c = KubernetesCatalog::FromJson(kEmbeddedKubernetesJson);
    // The embedded file is checked by a unit test; a broken one is a build defect.
    if (!c.ok()) std::abort();
    return new KubernetesCatalog(std::move(c).value());
  }();
  return *catalog;
}

}  // namespace easel::spec
