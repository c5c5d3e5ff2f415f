// Blob storage, the little easel needs of it: an asynchronous server-side copy of the base VHD
// into the cluster's container, followed until it ends. Requests carry either an Entra ID token
// for Azure Storage (the principal needs a data role such as Storage Blob Data Contributor; no
// ARM call is spent) or a Shared Key signature (the account key comes from ARM's listKeys, which
// a Contributor may call: one ARM write). Keys and tokens are held in memory only, never logged.
#pragma once

#include <string>

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

class BlobClient {
 public:
  // Signs with Shared Key; `account_key` is the base64 key from listKeys.
  BlobClient(HttpClient* http, std::string account, std::string account_key);
  // Sends a bearer token for `scope` (the cloud's storage scope) obtained from `credential`.
  BlobClient(HttpClient* http, std::string account, TokenCredential* credential, std::string scope);

  bool signs_with_shared_key() const { return credential_ == nullptr; }

  // Every call fails with kPermissionDenied when storage refuses the caller's credential (403
  // AuthorizationPermissionMismatch: no data role; KeyBasedAuthenticationNotPermitted), with
  // kUnavailable when storage is busy or unreachable, else kFailedPrecondition.

  // Starts copying `source_url` to `destination_url` (202 Accepted). Returns the copy id.
  Result<std::string> StartCopy(const std::string& source_url, const std::string& destination_url);
  // The destination blob's copy state (HEAD).
  Result<BlobCopyState> CopyState(const std::string& destination_url);

  // Creates an empty page blob of `size` bytes (a multiple of 512); unwritten pages read as zeros.
  Status CreatePageBlob(const std::string& url, uint64_t size);
  // Writes `data` (a multiple of 512 bytes, at most 4 MiB) at `offset` of a page blob.
  Status PutPages(const std::string& url, uint64_t offset, const std::string& data);

 private:
  Result<HttpResponse> Send(HttpRequest request);

  HttpClient* http_;
  std::string account_;
  std::string key_;                        // decoded; empty with a credential
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

}  // namespace easel::azure
