#include "engine/image_ledger.h"

#include "common/strings.h"
#include "spec/naming.h"

namespace easel::engine {
namespace {

bool IsReferenceKey(const std::string& name) {
  return StartsWith(name, spec::kImageReferencePrefix);
}

}  // namespace

Ledger ReadLedger(const BlobMetadata& metadata) {
  Ledger ledger;
  for (const auto& [name, value] : metadata) {
    if (IsReferenceKey(name)) ledger.references[name] = value;
    if (name == spec::kImageReleasingKey) ledger.releasing = value;
  }
  return ledger;
}

BlobMetadata WithReference(BlobMetadata metadata, const std::string& key,
                           const std::string& cluster) {
  metadata[key] = cluster;
  return metadata;
}

Release WithoutReference(BlobMetadata metadata, const std::string& key,
                         const std::string& cluster) {
  metadata.erase(key);
  Release r;
  r.remaining = ReadLedger(metadata).references.size();
  r.last = r.remaining == 0;
  if (r.last) metadata[spec::kImageReleasingKey] = cluster;
  r.metadata = std::move(metadata);
  return r;
}

}  // namespace easel::engine
