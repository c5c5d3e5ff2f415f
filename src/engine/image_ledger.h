// The ledger of the image cache's references (docs/storage.md, "The image cache"): the metadata
// of the cached VHD blob, one entry per cluster that uses the shared image, and a mark while the
// last cluster's release removes the image. Blob storage replaces metadata only if the blob's ETag
// still matches (If-Match), so every change below is a compare-and-swap: two clusters that change
// the ledger at once never lose each other's entry; the slower one reads again and retries.
// (Azure's managed images have no ETag, so their tags could not be guarded this way.)
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace easel::engine {

using BlobMetadata = std::map<std::string, std::string>;

// A release mark older than this is taken for a delete that died: another cluster may clear it.
inline constexpr int64_t kStaleReleaseSeconds = 15 * 60;

struct Ledger {
  BlobMetadata references;  // reference key (spec::ImageReferenceKey) -> cluster name
  // The release under way, if any: the releasing reference's key, since when (unix seconds), and
  // its cluster's name (for messages).
  std::string releasing_key;
  int64_t releasing_since = 0;
  std::string releasing_cluster;
  bool releasing() const { return !releasing_key.empty(); }
  bool StaleRelease(int64_t now) const {
    return releasing() && now - releasing_since > kStaleReleaseSeconds;
  }
};

// The ledger in a blob's metadata (names lowercase, as blob_client gives them).
Ledger ReadLedger(const BlobMetadata& metadata);

// `metadata` with the reference `key` (naming `cluster`) added and any release mark removed (a
// reference is only added over a mark that is the adder's own or stale).
BlobMetadata WithReference(BlobMetadata metadata, const std::string& key,
                           const std::string& cluster);

// `metadata` without the reference `key`; when no reference remains, marked as being released by
// that reference at `now` (`last` is then true): the image may go, and no one may take a new
// reference.
struct Release {
  BlobMetadata metadata;
  bool last = false;
  size_t remaining = 0;
};
Release WithoutReference(BlobMetadata metadata, const std::string& key, const std::string& cluster,
                         int64_t now);

}  // namespace easel::engine
