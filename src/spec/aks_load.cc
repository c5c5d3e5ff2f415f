#include <filesystem>

#include "common/files.h"
#include "spec/aks.h"
#include "spec/parse.h"
#include "spec/parse_util.h"
#include "spec/validate.h"

namespace easel::spec {

AnySpec ParseAnySpec(const std::string& text, const std::string& source_name,
                     const Catalog& catalog, Diagnostics* diagnostics) {
  AnySpec out;
  out.kind = kAzureClusterKind;
  YAML::Node root;
  if (!LoadSpecDocument(text, source_name, diagnostics, &root)) return out;
  if (KindOfDocument(root) == kAksClusterKind) {
    out.kind = kAksClusterKind;
    out.aks = ParseAksClusterSpecDocument(root, catalog, diagnostics);
    if (diagnostics->empty() || !out.aks.name.empty() || !out.aks.location.empty()) {
      ValidateAksClusterSpec(out.aks, catalog, EmbeddedAksCatalog(), diagnostics);
    }
    return out;
  }
  ParseOptions options;
  options.source_name = source_name;
  options.base_dir = std::filesystem::path(source_name).parent_path().string();
  if (options.base_dir.empty()) options.base_dir = ".";
  options.catalog = &catalog;
  out.iaas = ParseClusterSpecDocument(root, options, diagnostics);
  if (diagnostics->empty() || !out.iaas.name.empty() || !out.iaas.location.empty()) {
    ValidateClusterSpec(out.iaas, catalog, diagnostics);
  }
  return out;
}

AnySpec LoadAnySpec(const std::string& path, const Catalog& catalog, Diagnostics* diagnostics) {
  Result<std::string> text = ReadFileBounded(path, kMaxSpecBytes);
  if (!text.ok()) {
    diagnostics->Add(path, text.status().message());
    return AnySpec{kAzureClusterKind, {}, {}};
  }
  return ParseAnySpec(*text, path, catalog, diagnostics);
}

}  // namespace easel::spec
