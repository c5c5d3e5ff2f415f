// Semantic validation of a parsed ClusterSpec: everything Azure or Kubernetes would reject, found
// before anything is sent to Azure.
#pragma once

#include "spec/catalog.h"
#include "spec/diagnostics.h"
#include "spec/types.h"

namespace easel::spec {

// Adds one FieldError per problem. Fields left empty by a parse error are not checked again.
void ValidateClusterSpec(const ClusterSpec& spec, const Catalog& catalog, Diagnostics* diagnostics);

}  // namespace easel::spec
