// Checks shared by the AzureCluster and AKSCluster validators; each adds its errors to `d`.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/azure_names.h"
#include "common/net.h"
#include "spec/catalog.h"
#include "spec/diagnostics.h"

namespace easel::spec {

// metadata.tags: Azure's limits (50 per resource, one of them easel's ownership tag), reserved
// prefixes, case-insensitive duplicates.
void CheckTags(const std::vector<std::pair<std::string, std::string>>& tags, Diagnostics* d);
// spec.subscriptionId: a GUID.
void CheckSubscriptionId(const std::string& id, Diagnostics* d);
// spec.location: a region of the catalog (with a did-you-mean). Empty is not reported here.
const Region* CheckLocation(const std::string& location, const Catalog& catalog, Diagnostics* d);
// A CIDR field: well-formed, canonical, its prefix within [min_prefix, max_prefix]. nullopt (and
// reported) otherwise; nullopt without report when `text` is empty.
std::optional<Cidr> CheckCidrField(Diagnostics* d, const std::string& path, const std::string& text,
                                   int min_prefix, int max_prefix);
// An Azure resource name of `kind` at `path`; empty names are not reported here.
void CheckAzureName(Diagnostics* d, AzureNameKind kind, const std::string& path,
                    const std::string& name);
// Availability zones of a node group at `path` ("spec.pools[0].zones"): each listed once, each a
// zone of `location`, and (when `vm_size` is not empty) one where that size is offered.
void CheckZones(Diagnostics* d, const Catalog& catalog, const std::string& location,
                const std::string& vm_size, const std::vector<std::string>& zones,
                const std::string& path);
// A GUID ("00000000-0000-0000-0000-000000000000").
bool IsGuid(const std::string& text);

}  // namespace easel::spec
