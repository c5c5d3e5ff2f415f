// easel's state: clusters, their resources, the journal of in-flight long-running operations,
// and events. SQLite in WAL mode (~/.easel/state.db by default); the schema is versioned and
// migrated on open. No secret is stored in the clear: credentials stay in the environment or in a
// file that a context only references, and a cluster's own secrets (its CA keys) are stored only
// as sealed bytes (store/secret_box.h), which this class neither makes nor opens.
//
// Files: directories easel creates for the database get mode 0700, and the database's directory
// is tightened to 0700 when it is easel's own (a directory named .easel, as ~/.easel); the
// database and its -wal and -shm files are created with mode 0600 and tightened to it when they
// are looser.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

struct sqlite3;

namespace easel::store {

enum class Phase { kPending, kProvisioning, kReady, kUpdating, kDeleting, kDeleted, kFailed };
const char* ToString(Phase p);
Phase PhaseFromString(const std::string& s);

struct ClusterRecord {
  std::string name;
  std::string context;
  std::string spec_text;  // the spec as applied
  std::string plan_json;
  Phase phase = Phase::kPending;
  std::string endpoint;
  std::string last_error;
  std::string created_at, updated_at;  // RFC 3339 UTC
};

struct ResourceRecord {
  std::string cluster;
  std::string id;
  std::string type;
  std::string ownership;  // owned | existing
  std::string state;      // Pending, Creating, Updating, Ready, Deleting, Deleted, Failed
  std::string last_error;
  std::string changed_time;  // ARM's changedTime when last seen, for drift checks
  std::string body_hash;     // SHA-256 of the desired body last applied
  std::string updated_at;
  // The differences Azure kept after easel wrote the body of `body_hash` (a policy overwriting a
  // tag easel sets), one FirstDifference text a line; easel does not write that body again for
  // them (engine/reconciler.cc). Empty: Azure took the body as sent.
  std::string overridden;
};

// An in-flight long-running operation, written before easel waits on it.
struct OperationRecord {
  std::string cluster;
  std::string resource_id;
  std::string method;  // PUT or DELETE
  std::string api_version;
  std::string poll_kind;  // see azure::PollKind
  std::string poll_url;
  std::string started_at;
};

struct EventRecord {
  int64_t id = 0;
  std::string cluster;
  std::string time;
  std::string kind;  // Normal | Warning
  std::string message;
};

class Store {
 public:
  // Opens (creating) the database at `path` and migrates it to the current schema.
  // Applies the file modes described above; kIOError when it cannot.
  static Result<std::unique_ptr<Store>> Open(const std::string& path);
  ~Store();

  // 1: clusters, resources, operations, events. 2: + secrets. 3: + resources.overridden.
  static constexpr int kSchemaVersion = 3;

  Status PutCluster(const ClusterRecord& c);
  Result<std::optional<ClusterRecord>> GetCluster(const std::string& name);
  Result<std::vector<ClusterRecord>> ListClusters();
  Status SetPhase(const std::string& cluster, Phase phase, const std::string& last_error);
  // With its resources, operations, events and secrets.
  Status DeleteCluster(const std::string& name);

  // A cluster's secret `name`, sealed by the caller (SecretBox::Seal): replaces any previous one.
  Status PutSecret(const std::string& cluster, const std::string& name, const std::string& sealed);
  // Stores `sealed` unless the cluster already has a secret `name`; true when it was stored. Lets
  // concurrent processes agree on one value (the first).
  Result<bool> PutSecretIfAbsent(const std::string& cluster, const std::string& name,
                                 const std::string& sealed);
  // The sealed bytes, or nullopt when there is no such secret.
  Result<std::optional<std::string>> GetSecret(const std::string& cluster, const std::string& name);
  Status DeleteSecret(const std::string& cluster, const std::string& name);

  Status PutResource(const ResourceRecord& r);
  Result<std::vector<ResourceRecord>> ListResources(const std::string& cluster);
  Status DeleteResource(const std::string& cluster, const std::string& id);
  // Records ARM's changedTime of a resource as last seen (the drift check's baseline).
  Status SetChangedTime(const std::string& cluster, const std::string& id,
                        const std::string& changed_time);

  Status PutOperation(const OperationRecord& op);
  Result<std::vector<OperationRecord>> ListOperations(const std::string& cluster);
  Status DeleteOperation(const std::string& cluster, const std::string& resource_id);

  Status AddEvent(const std::string& cluster, const std::string& kind, const std::string& message);
  Result<std::vector<EventRecord>> ListEvents(const std::string& cluster);

 private:
  explicit Store(sqlite3* db) : db_(db) {}
  Status Exec(const std::string& sql);
  Status Migrate();

  sqlite3* db_;
  std::mutex mutex_;  // one connection, serialized: SQLite's own locking covers other processes
};

// RFC 3339 UTC with milliseconds: "2026-11-24T03:04:38.123Z".
std::string NowRfc3339();

// The default database path: $EASEL_STATE, else ~/.easel/state.db.
std::string DefaultStatePath();

}  // namespace easel::store
