#include "engine/image_ledger.h"

#include <sstream>

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
    if (name != spec::kImageReleasingKey) continue;
    // "<key> <unix seconds> <cluster>"; a mark that does not parse still blocks (since 0: stale).
    std::istringstream in(value);
    in >> ledger.releasing_key >> ledger.releasing_since >> ledger.releasing_cluster;
    if (ledger.releasing_key.empty()) ledger.releasing_key = "?";
  }
  return ledger;
}

BlobMetadata WithReference(BlobMetadata metadata, const std::string& key,
                           const std::string& cluster) {
  metadata.erase(spec::kImageReleasingKey);
  metadata[key] = cluster;
  return metadata;
}

Release WithoutReference(BlobMetadata metadata, const std::string& key, const std::string& cluster,
                         int64_t now) {
  metadata.erase(key);
  Release r;
  r.remaining = ReadLedger(metadata).references.size();
  r.last = r.remaining == 0;
  if (r.last) metadata[spec::kImageReleasingKey] = key + " " + std::to_string(now) + " " + cluster;
  r.metadata = std::move(metadata);
  return r;
}

}  // namespace easel::engine
