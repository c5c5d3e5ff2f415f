// Blob storage on azsim's blob listener, path-style: /{account}/{container}/{blob}. Containers,
// block blobs, page blobs (sparse files on disk), asynchronous Copy Blob, Shared Key, service SAS
// and bearer-token authorization, storage XML errors.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "sim/http.h"
#include "sim/store.h"

namespace azsim {

class Entra;

// What Azure RBAC says of a principal's access to one storage account's data: the account's ARM
// id, and the principal's role assignments as (scope, role definition GUID). Provided by ARM.
struct BlobDataAccess {
  std::string account_id;  // empty when no storage account has that name
  std::vector<std::pair<std::string, std::string>> assignments;
};
using BlobDataAccessSource =
    std::function<BlobDataAccess(const std::string& object_id, const std::string& account)>;

class BlobService {
 public:
  struct Settings {
    std::string data_dir;        // blob contents live here
    std::string blob_base;       // https://127.0.0.1:Q
    double copy_mb_per_s = 200;  // copy speed before --time-scale
    double time_scale = 1.0;
  };
  BlobService(Store& store, Entra& entra, Settings settings);
  ~BlobService();
  easel::Status Start();

  // Serves a blob request; *principal receives who was authorized (for the request log).
  HttpResponse Handle(const HttpRequest& req, std::string* principal);
  // Where bearer tokens' data roles come from (ARM's role assignments). Called without the blob
  // service's lock held. Without it, no bearer token is allowed data access.
  void SetDataAccessSource(BlobDataAccessSource source);

  // ---- Called by ARM (Microsoft.Storage) ----
  // What an account's properties allow on its data plane.
  struct AccountAccess {
    bool allow_public = false;     // allowBlobPublicAccess: containers may be public
    bool allow_shared_key = true;  // allowSharedKeyAccess: Shared Key and service SAS work
  };
  // Creates the account's keys when absent and records its access settings; returns
  // {key1, key2}.
  std::vector<std::string> EnsureAccount(const std::string& account, AccountAccess access);
  bool PublicAccessAllowed(const std::string& account);
  std::vector<std::string> Keys(const std::string& account);
  std::string RegenerateKey(const std::string& account, int index);
  void DeleteAccount(const std::string& account);
  // Creates or deletes a container from the management plane.
  void EnsureContainer(const std::string& account, const std::string& container,
                       const std::string& public_access);
  void DeleteContainer(const std::string& account, const std::string& container);
  // Fixture: a page blob of `size` bytes (a multiple of 512) in an existing account, created with
  // its container when absent; with `vhd`, `size` is the virtual disk size (a multiple of 1 MiB)
  // and a fixed-VHD footer follows it.
  easel::Status PutFixtureBlob(const std::string& account, const std::string& container,
                               const std::string& name, uint64_t size, bool vhd);
  // Admin: a fixed copy speed that ignores --time-scale (0 restores the default model).
  void SetCopySpeedOverride(double mb_per_s);
  // True when `url` (https://host:port/{account}/{container}/{blob}, query ignored) names a blob.
  bool BlobExistsAtUrl(const std::string& url);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace azsim
