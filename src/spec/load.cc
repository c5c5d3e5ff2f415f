#include "spec/load.h"

#include <filesystem>

#include "common/files.h"
#include "spec/parse.h"
#include "spec/validate.h"

namespace easel::spec {

ClusterSpec LoadClusterSpec(const std::string& path, const Catalog& catalog,
                            Diagnostics* diagnostics) {
  Result<std::string> text = ReadFileBounded(path, kMaxSpecBytes);
  if (!text.ok()) {
    diagnostics->Add(path, text.status().message());
    return ClusterSpec{};
  }
  ParseOptions options;
  options.source_name = path;
  options.base_dir = std::filesystem::path(path).parent_path().string();
  if (options.base_dir.empty()) options.base_dir = ".";
  options.catalog = &catalog;
  ClusterSpec spec = ParseClusterSpec(*text, options, diagnostics);
  if (diagnostics->empty() || !spec.name.empty() || !spec.location.empty()) {
    ValidateClusterSpec(spec, catalog, diagnostics);
  }
  return spec;
}

}  // namespace easel::spec
