// `easel image upload`: a fixed VHD to a page blob, sending only the pages that hold data, in
// parallel, resumable. Errors are Status values; nothing here throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "azure/blob_client.h"
#include "common/http_client.h"
#include "common/status.h"

namespace easel::image {

// One worker's connection: its own HTTP client (so its own connection) and blob client on it.
struct BlobConnection {
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<azure::BlobClient> blob;
};

struct UploadProgress {
  uint64_t read_bytes = 0;     // bytes of the file's data extents read so far
  uint64_t extent_bytes = 0;   // bytes of the file's data extents (what will be read)
  uint64_t sent_bytes = 0;     // bytes of pages written by Put Page so far
  uint64_t present_bytes = 0;  // bytes of data pages the blob held already (resume)
};

struct UploadOptions {
  int connections = 4;     // worker threads, each with its own connection
  bool overwrite = false;  // replace a blob of the name that is not a resumable upload of FILE
  // Makes one connection; called once per worker and once for the setup calls.
  std::function<BlobConnection()> connect;
  // Called now and then (from the workers, one call at a time).
  std::function<void(const UploadProgress&)> progress;
  int max_attempts = 6;  // per request, for transient failures (5xx, 429, timeouts)
  std::chrono::milliseconds first_backoff{250};
  // Test hook: stop, as an interruption would, once this many Put Page requests succeeded (0:
  // never).
  uint64_t stop_after_puts = 0;
};

struct UploadResult {
  uint64_t file_size = 0;      // the blob's size
  uint64_t data_bytes = 0;     // bytes of the file's non-zero pages
  uint64_t sent_bytes = 0;     // bytes sent by Put Page in this run
  uint64_t present_bytes = 0;  // bytes of non-zero pages the blob held already (resumed)
  uint64_t puts = 0;           // Put Page requests that succeeded
  uint64_t retries = 0;        // requests repeated after a transient failure
  bool resumed = false;        // the blob was an earlier, unfinished upload of this file
};

// The metadata entry (x-ms-meta-easelupload) that marks a blob as an upload of a file: its
// size, modification time and VHD unique id. A blob with the same marker holds, in the pages Get
// Page Ranges lists, this file's bytes (each written from it under a Content-MD5 check).
inline constexpr char kUploadMarkerName[] = "easelupload";

// Uploads the fixed VHD at `path` to the page blob `url` (without SAS). Checks first that the
// file is an Azure-ready fixed VHD (InspectVhd: kInvalidArgument). An absent blob is created;
// one with this file's marker is resumed (pages it lists are not sent again); another page blob
// of the same size, a blob of another size or another type is kAlreadyExists, unless
// `overwrite`. kNotFound: the container does not exist; kPermissionDenied: storage refused the
// credential; kUnavailable: storage stayed busy or unreachable through every attempt;
// kInvalidArgument: a range storage received other bytes for (Md5Mismatch), named.
Result<UploadResult> UploadVhd(const std::string& path, const std::string& url,
                               const UploadOptions& options);

}  // namespace easel::image
