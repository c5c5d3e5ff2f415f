// The spec loader exactly as `easel validate -f FILE` runs it: the bytes are written to a file
// and loaded (read, parsed as YAML or JSON, an AzureCluster or an AKSCluster by its kind,
// validated) with the embedded catalogs, then the diagnostics are formatted. A valid AKSCluster
// is also planned (the plan builder takes what validation let through). Any crash, sanitizer report, hang or leak is a bug.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "spec/catalog.h"
#include "plan/planner.h"
#include "spec/aks.h"

namespace {

std::string& SpecPath() {
  static std::string path = [] {
    char tmpl[] = "/tmp/easel-fuzz-spec-XXXXXX";
    const char* dir = mkdtemp(tmpl);
    if (!dir) std::abort();
    return std::string(dir) + "/spec.yaml";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = SpecPath();
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  easel::spec::Diagnostics diagnostics;
  easel::spec::AnySpec spec =
      easel::spec::LoadAnySpec(path, easel::spec::EmbeddedCatalog(), &diagnostics);
  size_t total = 0;
  for (const std::string& line : diagnostics.Lines()) total += line.size();
  (void)total;
  if (diagnostics.empty() && spec.is_aks()) {
    easel::plan::Plan plan = easel::plan::BuildAksPlan(spec.aks);
    if (plan.resources.empty()) std::abort();  // a valid cluster has at least its cluster
  }
  return 0;
}
