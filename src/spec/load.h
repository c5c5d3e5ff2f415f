// Reading, parsing and validating a cluster spec file in one call.
#pragma once

#include <string>

#include "spec/catalog.h"
#include "spec/diagnostics.h"
#include "spec/types.h"

namespace easel::spec {

// Reads `path` (at most kMaxSpecBytes), parses and validates it. Every problem, including an
// unreadable file, is added to `diagnostics`; the spec is usable only when none were added.
ClusterSpec LoadClusterSpec(const std::string& path, const Catalog& catalog,
                            Diagnostics* diagnostics);

}  // namespace easel::spec
