// The catalog of Azure regions, their zones and VM sizes: data/azure-catalog.json.
//
// The file is compiled into easel (EmbeddedCatalog); LoadCatalog reads another copy.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace easel::spec {

struct VmSize {
  int vcpus = 0;
  double memory_gib = 0;
  bool premium_storage = false;
};

struct Region {
  std::vector<std::string> zones;                                   // empty: no zones
  std::vector<std::string> not_offered;                             // sizes absent here
  std::map<std::string, std::vector<std::string>> zone_restricted;  // size -> zones offered
};

class Catalog {
 public:
  // Parses the catalog JSON; errors name the offending entry.
  static Result<Catalog> FromJson(const std::string& text);

  const Region* FindRegion(const std::string& name) const;
  const VmSize* FindVmSize(const std::string& name) const;
  bool OfferedInRegion(const std::string& size, const std::string& region) const;
  // The zones of `region` where `size` is offered (all the region's zones unless restricted).
  std::vector<std::string> ZonesOffering(const std::string& size, const std::string& region) const;

  std::vector<std::string> RegionNames() const;
  std::vector<std::string> VmSizeNames() const;

 private:
  std::map<std::string, Region> regions_;
  std::map<std::string, VmSize> vm_sizes_;
};

// The catalog built from data/azure-catalog.json at compile time.
const Catalog& EmbeddedCatalog();
// Reads and parses a catalog file.
Result<Catalog> LoadCatalog(const std::string& path);

}  // namespace easel::spec
