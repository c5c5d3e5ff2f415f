// Blob storage, the little easel needs of it: an asynchronous server-side copy of the base VHD
// into the cluster's container, followed until it ends, and the page blob operations of
// `easel image upload`. Requests carry an Entra ID token for Azure Storage (the principal needs a
// data role such as Storage Blob Data Contributor; no ARM call is spent), a Shared Key signature
// (the account key comes from ARM's listKeys, which a Contributor may call: one ARM write, or from
// the user), or a SAS token given by the user. Keys, SAS tokens and bearer tokens are held in
// memory only, never logged, and never part of an error message.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "azure/arm_client.h"
#include "azure/cloud.h"
#include "azure/credentials.h"
#include "common/http_client.h"

namespace easel::azure {

struct BlobCopyState {
  bool exists = false;
  std::string status;    // pending | success | failed | aborted ("" for a blob not made by a copy)
  std::string source;    // x-ms-copy-source
  std::string progress;  // "copied/total" bytes
  std::string description;
  std::chrono::milliseconds retry_after{0};
};

// A blob's properties (HEAD). `exists` false on 404, the rest empty then.
struct BlobProperties {
  bool exists = false;
  std::string type;  // BlockBlob | PageBlob | AppendBlob
  uint64_t size = 0;
  std::string etag;         // as storage sends it, quotes included: what If-Match takes
  std::string content_md5;  // base64; empty when the blob has none
  std::map<std::string, std::string> metadata;  // x-ms-meta-* (names lowercase, prefix removed)
};

// A byte range [begin, end) of a page blob (both multiples of 512).
struct PageRange {
  uint64_t begin = 0;
  uint64_t end = 0;
};

// A shared access signature: the query string a SAS URL carries ("sv=...&sig=..."), with or
// without a leading '?'.
struct SasToken {
  std::string query;
};

// The most answers GetPageRanges follows (storage lists up to 10,000 ranges an answer).
inline constexpr int kMaxPageListPages = 10'000;

class BlobClient {
 public:
  // Signs with Shared Key; `account_key` is the base64 key from listKeys.
  BlobClient(HttpClient* http, std::string account, std::string account_key);
  // Sends a bearer token for `scope` (the cloud's storage scope) obtained from `credential`.
  BlobClient(HttpClient* http, std::string account, TokenCredential* credential, std::string scope);

  // Appends `sas` to every request's URL; no Authorization header.
  BlobClient(HttpClient* http, std::string account, SasToken sas);

  bool signs_with_shared_key() const { return credential_ == nullptr && sas_.empty(); }

  // Every call fails with kPermissionDenied when storage refuses the caller's credential (403
  // AuthorizationPermissionMismatch: no data role; KeyBasedAuthenticationNotPermitted), with
  // kUnavailable when storage is busy or unreachable, else kFailedPrecondition. The page blob
  // calls (GetProperties to ReadRange) also give kPermissionDenied for 403 AuthenticationFailed
  // (a wrong key or SAS), kNotFound for a missing container or blob, kInvalidArgument for 400
  // Md5Mismatch. URLs are given without a SAS: the client adds it.

  // Starts copying `source_url` to `destination_url` (202 Accepted). Returns the copy id;
  // kAborted when another copy into the destination is pending (409 PendingCopyOperation).
  // `metadata`, when given, becomes the copy's metadata instead of the source's.
  Result<std::string> StartCopy(const std::string& source_url, const std::string& destination_url,
                                const std::map<std::string, std::string>& metadata = {});
  // The destination blob's copy state (HEAD).
  Result<BlobCopyState> CopyState(const std::string& destination_url);

  // Creates the container at `container_url` (201; 409 ContainerAlreadyExists is success too).
  Status CreateContainer(const std::string& container_url);
  // The blob's type, size and metadata (HEAD).
  Result<BlobProperties> GetProperties(const std::string& url);

  // Replaces the blob's metadata with `metadata` (Set Blob Metadata), only if the blob's ETag is
  // still `if_match`: kAborted when it is not (412 ConditionNotMet: someone wrote in between),
  // kNotFound when the blob is gone, kInvalidArgument for an empty `if_match` (which would make
  // the write unconditional). The compare-and-swap of the image cache's references.
  Status SetMetadata(const std::string& url, const std::map<std::string, std::string>& metadata,
                     const std::string& if_match);
  // Deletes the blob if its ETag is still `if_match` (kAborted otherwise); a blob already gone is
  // success.
  Status DeleteBlob(const std::string& url, const std::string& if_match);

  // Creates an empty page blob of `size` bytes (a multiple of 512), replacing any blob of that
  // name; unwritten pages read as zeros. `metadata` names are sent as x-ms-meta-<name>.
  Status CreatePageBlob(const std::string& url, uint64_t size,
                        const std::map<std::string, std::string>& metadata = {});
  // Writes `data` (a multiple of 512 bytes, at most 4 MiB) at `offset` of a page blob, with its
  // Content-MD5: storage checks it and answers 400 Md5Mismatch (kInvalidArgument here) when the
  // bytes it received differ.
  Status PutPages(const std::string& url, uint64_t offset, const std::string& data);
  // The written ranges of a page blob (Get Page Ranges), in order.
  // Follows NextMarker up to kMaxPageListPages answers (a storage that never stops is an error).
  Result<std::vector<PageRange>> GetPageRanges(const std::string& url);
  // `length` bytes of the blob at `offset` (Get Blob with a range).
  Result<std::string> ReadRange(const std::string& url, uint64_t offset, uint64_t length);

 private:
  Result<HttpResponse> Send(HttpRequest request);
  // HEAD of a blob: the response when 200 or 404, else the classified error.
  Result<HttpResponse> Head(const std::string& url);

  HttpClient* http_;
  std::string account_;
  std::string key_;                        // decoded; empty with a credential or a SAS
  std::string sas_;                        // the SAS query without '?'; empty otherwise
  TokenCredential* credential_ = nullptr;  // not owned
  std::string scope_;
};

// The first key of a storage account (POST .../listKeys).
Result<std::string> ListFirstKey(ArmClient& arm, const std::string& account_id,
                                 const std::string& api_version);

// Azure's public blob URLs (https://<account>.blob.core.windows.net/...) resolved against
// `cloud`: unchanged in the public cloud, rewritten onto the cloud's blob endpoint elsewhere
// (azsim serves path-style https://127.0.0.1:P/<account>/...). Other URLs are unchanged.
std::string ResolveBlobUrl(const Cloud& cloud, const std::string& url);

// Shared Key's string to sign for a request (exposed for tests).
std::string SharedKeyStringToSign(const HttpRequest& request, const std::string& account);

// A service SAS for one blob (sr=b) or a container (blob empty: sr=c), signed with the account
// key, in the format of version `version` (2020-12-06 or later).
struct ServiceSasOptions {
  std::string account, container, blob;
  std::string permissions;  // "racwd" letters, in that order
  std::string expiry;       // ISO 8601 UTC, e.g. "2030-01-01T00:00:00Z"
  std::string version = "2021-12-02";
};
// The string a service SAS signs: permissions, start, expiry, canonical resource
// (/blob/{account}/{container}[/{blob}]), identifier, IP, protocol, version, resource, snapshot
// time, encryption scope, and the five response-header overrides, joined by '\n'.
std::string ServiceSasStringToSign(const ServiceSasOptions& options);
// The SAS query string ("sv=...&sr=...&sp=...&se=...&sig=..."); kInvalidArgument when the key
// is not base64.
Result<std::string> MakeServiceSas(const ServiceSasOptions& options,
                                   const std::string& account_key);

}  // namespace easel::azure
