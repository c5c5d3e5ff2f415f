// The ledger of the image cache's references (docs/storage.md, "The image cache"): the metadata
// of the cached VHD blob, one entry per cluster that uses the shared image, and a mark while the
// last cluster's delete removes the image. Blob storage replaces metadata only if the blob's ETag
// still matches (If-Match), so every change below is a compare-and-swap: two clusters that change
// the ledger at once never lose each other's entry; the slower one reads again and retries.
// (Azure's managed images have no ETag, so their tags could not be guarded this way.)
#pragma once

#include <map>
#include <string>

namespace easel::engine {

using BlobMetadata = std::map<std::string, std::string>;

struct Ledger {
  BlobMetadata references;  // reference key (spec::ImageReferenceKey) -> cluster name
  std::string releasing;    // the cluster whose delete is removing the image; empty: none
};

// The ledger in a blob's metadata (names lowercase, as blob_client gives them).
Ledger ReadLedger(const BlobMetadata& metadata);

// `metadata` with the reference `key` (naming `cluster`) added.
BlobMetadata WithReference(BlobMetadata metadata, const std::string& key,
                           const std::string& cluster);

// `metadata` without the reference `key`; when no reference remains, marked as being released by
// `cluster` (`last` is then true): the image may go, and no one may take a new reference.
struct Release {
  BlobMetadata metadata;
  bool last = false;
  size_t remaining = 0;
};
Release WithoutReference(BlobMetadata metadata, const std::string& key, const std::string& cluster);

}  // namespace easel::engine
