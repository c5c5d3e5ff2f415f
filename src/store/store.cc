#include "store/store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "common/files.h"

namespace easel::store {
namespace {

// A prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  bool ok() const { return rc_ == SQLITE_OK; }
  Statement& Bind(const std::string& v) {
    sqlite3_bind_text(stmt_, ++index_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& BindBlob(const std::string& v) {
    sqlite3_bind_blob(stmt_, ++index_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // SQLITE_ROW or SQLITE_DONE, else an error code.
  int Step() { return sqlite3_step(stmt_); }
  std::string Text(int column) const {
    const unsigned char* t = sqlite3_column_text(stmt_, column);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string();
  }
  std::string Blob(int column) const {
    const void* b = sqlite3_column_blob(stmt_, column);
    return b ? std::string(static_cast<const char*>(b),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string();
  }
  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  // The number of rows the last write changed.
  int Changes() const { return sqlite3_changes(db_); }
  Status Error(const std::string& what) const {
    return Status::IOError("state database: " + what + ": " + sqlite3_errmsg(db_));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
  int index_ = 0;
};

// Runs a write statement with string parameters.
Status Write(sqlite3* db, const char* sql, const std::vector<std::string>& params,
             const char* what) {
  Statement st(db, sql);
  if (!st.ok()) return st.Error(what);
  for (const std::string& p : params) st.Bind(p);
  if (st.Step() != SQLITE_DONE) return st.Error(what);
  return Status::Ok();
}

// Each migration takes the schema from version i to i + 1.
const char* const kMigrations[] = {
    R"sql(
    CREATE TABLE clusters (
      name TEXT PRIMARY KEY, context TEXT NOT NULL, spec_text TEXT NOT NULL,
      plan_json TEXT NOT NULL, phase TEXT NOT NULL, endpoint TEXT NOT NULL DEFAULT '',
      last_error TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
    CREATE TABLE resources (
      cluster TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, ownership TEXT NOT NULL,
      state TEXT NOT NULL, last_error TEXT NOT NULL DEFAULT '', changed_time TEXT NOT NULL DEFAULT '',
      body_hash TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL,
      PRIMARY KEY (cluster, id));
    CREATE TABLE operations (
      cluster TEXT NOT NULL, resource_id TEXT NOT NULL, method TEXT NOT NULL,
      api_version TEXT NOT NULL, poll_kind TEXT NOT NULL, poll_url TEXT NOT NULL,
      started_at TEXT NOT NULL, PRIMARY KEY (cluster, resource_id));
    CREATE TABLE events (
      id INTEGER PRIMARY KEY AUTOINCREMENT, cluster TEXT NOT NULL, time TEXT NOT NULL,
      kind TEXT NOT NULL, message TEXT NOT NULL);
    CREATE INDEX events_by_cluster ON events (cluster, id);
    )sql",
    // 2: a cluster's secrets, sealed by store::SecretBox before they get here.
    R"sql(
    CREATE TABLE secrets (
      cluster TEXT NOT NULL, name TEXT NOT NULL, sealed BLOB NOT NULL, updated_at TEXT NOT NULL,
      PRIMARY KEY (cluster, name));
    )sql",
    // 3: what Azure kept of a resource's last written body (ResourceRecord::overridden).
    R"sql(
    ALTER TABLE resources ADD COLUMN overridden TEXT NOT NULL DEFAULT '';
    )sql",
};
static_assert(sizeof kMigrations / sizeof kMigrations[0] == Store::kSchemaVersion,
              "one migration per schema version");

bool IsSpecialDatabaseName(const std::string& path) {
  return path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0;
}

// Takes group and other access away from `path` when it exists and has any.
Status TightenFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::IOError("cannot read " + path + ": " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0 && ::chmod(path.c_str(), st.st_mode & 0600) != 0) {
    return Status::IOError("cannot make " + path + " private (chmod 600): " + std::strerror(errno));
  }
  return Status::Ok();
}

// The directory and the database file of `path` as store.h describes: directories created 0700,
// easel's own directory (named .easel) tightened to 0700, the database created 0600 or tightened
// to it, and its -wal and -shm files tightened too (SQLite gives new ones the database's mode).
Status PrepareDatabaseFiles(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    Status s = parent.filename() == ".easel" ? EnsurePrivateDirectory(parent.string())
                                             : CreatePrivateDirectories(parent.string());
    if (!s.ok()) return s;
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::IOError("cannot open the state database " + path + ": " + std::strerror(errno));
  }
  ::close(fd);
  for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
    if (Status s = TightenFile(file); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

const char* ToString(Phase p) {
  switch (p) {
    case Phase::kPending:
      return "Pending";
    case Phase::kProvisioning:
      return "Provisioning";
    case Phase::kReady:
      return "Ready";
    case Phase::kUpdating:
      return "Updating";
    case Phase::kDeleting:
      return "Deleting";
    case Phase::kDeleted:
      return "Deleted";
    case Phase::kFailed:
      return "Failed";
  }
  return "Pending";
}

Phase PhaseFromString(const std::string& s) {
  for (Phase p : {Phase::kPending, Phase::kProvisioning, Phase::kReady, Phase::kUpdating,
                  Phase::kDeleting, Phase::kDeleted, Phase::kFailed}) {
    if (s == ToString(p)) return p;
  }
  return Phase::kPending;
}

std::string NowRfc3339() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  int ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

std::string DefaultStatePath() {
  if (const char* env = std::getenv("EASEL_STATE"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.easel/state.db";
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& path) {
  if (!IsSpecialDatabaseName(path)) {
    if (Status s = PrepareDatabaseFiles(path); !s.ok()) return s;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::IOError("cannot open the state database " + path + ": " + why);
  }
  sqlite3_busy_timeout(db, 10'000);  // another easel process may hold the write lock briefly
  std::unique_ptr<Store> store(new Store(db));
  // WAL: readers never block the writer; synchronous=FULL: a committed journal entry survives
  // a power cut, not only a crash.
  if (Status s = store->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                             "PRAGMA foreign_keys=ON;");
      !s.ok()) {
    return s;
  }
  if (Status s = store->Migrate(); !s.ok()) return s;
  return store;
}

Store::~Store() { sqlite3_close(db_); }

Status Store::Exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string why = error ? error : "unknown error";
    sqlite3_free(error);
    return Status::IOError("state database: " + why);
  }
  return Status::Ok();
}

Status Store::Migrate() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (Status s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  int version = 0;
  {
    Statement st(db_, "PRAGMA user_version");
    if (st.Step() == SQLITE_ROW) version = static_cast<int>(st.Int(0));
  }
  if (version > kSchemaVersion) {
    (void)Exec("ROLLBACK");  // the error being returned matters more
    return Status::FailedPrecondition("the state database has schema version " +
                                      std::to_string(version) + ", newer than this easel's " +
                                      std::to_string(kSchemaVersion) + "; upgrade easel");
  }
  for (int v = version; v < kSchemaVersion; ++v) {
    if (Status s = Exec(kMigrations[v]); !s.ok()) {
      (void)Exec("ROLLBACK");  // the error being returned matters more
      return s;
    }
  }
  if (Status s = Exec("PRAGMA user_version = " + std::to_string(kSchemaVersion)); !s.ok()) {
    (void)Exec("ROLLBACK");  // the error being returned matters more
    return s;
  }
  return Exec("COMMIT");
}

Status Store::PutCluster(const ClusterRecord& c) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string now = NowRfc3339();
  return Write(db_,
               "INSERT INTO clusters (name, context, spec_text, plan_json, phase, endpoint, "
               "last_error, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?) "
               "ON CONFLICT(name) DO UPDATE SET context=excluded.context, "
               "spec_text=excluded.spec_text, plan_json=excluded.plan_json, phase=excluded.phase, "
               "endpoint=excluded.endpoint, last_error=excluded.last_error, "
               "updated_at=excluded.updated_at",
               {c.name, c.context, c.spec_text, c.plan_json, ToString(c.phase), c.endpoint,
                c.last_error, c.created_at.empty() ? now : c.created_at, now},
               "saving cluster");
}

namespace {
ClusterRecord ReadCluster(const Statement& st) {
  ClusterRecord c;
  c.name = st.Text(0);
  c.context = st.Text(1);
  c.spec_text = st.Text(2);
  c.plan_json = st.Text(3);
  c.phase = PhaseFromString(st.Text(4));
  c.endpoint = st.Text(5);
  c.last_error = st.Text(6);
  c.created_at = st.Text(7);
  c.updated_at = st.Text(8);
  return c;
}
constexpr const char* kClusterColumns =
    "SELECT name, context, spec_text, plan_json, phase, endpoint, last_error, created_at, "
    "updated_at FROM clusters";
}  // namespace

Result<std::optional<ClusterRecord>> Store::GetCluster(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement st(db_, (std::string(kClusterColumns) + " WHERE name = ?").c_str());
  if (!st.ok()) return st.Error("reading cluster");
  st.Bind(name);
  int rc = st.Step();
  if (rc == SQLITE_DONE) return std::optional<ClusterRecord>();
  if (rc != SQLITE_ROW) return st.Error("reading cluster");
  return std::optional<ClusterRecord>(ReadCluster(st));
}

Result<std::vector<ClusterRecord>> Store::ListClusters() {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement st(db_, (std::string(kClusterColumns) + " ORDER BY name").c_str());
  if (!st.ok()) return st.Error("listing clusters");
  std::vector<ClusterRecord> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back(ReadCluster(st));
  if (rc != SQLITE_DONE) return st.Error("listing clusters");
  return out;
}

Status Store::SetPhase(const std::string& cluster, Phase phase, const std::string& last_error) {
  std::lock_guard<std::mutex> lock(mutex_);
  return Write(db_, "UPDATE clusters SET phase = ?, last_error = ?, updated_at = ? WHERE name = ?",
               {ToString(phase), last_error, NowRfc3339(), cluster}, "saving phase");
}

Status Store::DeleteCluster(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (Status s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;  // all of it or none of it
  for (const char* sql :
       {"DELETE FROM resources WHERE cluster = ?", "DELETE FROM operations WHERE cluster = ?",
        "DELETE FROM events WHERE cluster = ?", "DELETE FROM secrets WHERE cluster = ?",
        "DELETE FROM clusters WHERE name = ?"}) {
    if (Status s = Write(db_, sql, {name}, "deleting cluster"); !s.ok()) {
      (void)Exec("ROLLBACK");  // the error being returned matters more
      return s;
    }
  }
  return Exec("COMMIT");
}

Status Store::PutSecret(const std::string& cluster, const std::string& name,
                        const std::string& sealed) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement st(db_,
               "INSERT INTO secrets (cluster, name, sealed, updated_at) VALUES (?,?,?,?) "
               "ON CONFLICT(cluster, name) DO UPDATE SET sealed=excluded.sealed, "
               "updated_at=excluded.updated_at");
  if (!st.ok()) return st.Error("saving secret");
  st.Bind(cluster).Bind(name).BindBlob(sealed).Bind(NowRfc3339());
  if (st.Step() != SQLITE_DONE) return st.Error("saving secret");
  return Status::Ok();
}

Result<bool> Store::PutSecretIfAbsent(const std::string& cluster, const std::string& name,
                                      const std::string& sealed) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement st(db_,
               "INSERT INTO secrets (cluster, name, sealed, updated_at) VALUES (?,?,?,?) "
               "ON CONFLICT(cluster, name) DO NOTHING");
  if (!st.ok()) return st.Error("saving secret");
  st.Bind(cluster).Bind(name).BindBlob(sealed).Bind(NowRfc3339());
  if (st.Step() != SQLITE_DONE) return st.Error("saving secret");
  return st.Changes() > 0;
}

Result<std::optional<std::string>> Store::GetSecret(const std::string& cluster,
                                                    const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement st(db_, "SELECT sealed FROM secrets WHERE cluster = ? AND name = ?");
  if (!st.ok()) return st.Error("reading secret");
  st.Bind(cluster).Bind(name);
  int rc = st.Step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return st.Error("reading secret");
  return std::optional<std::string>(st.Blob(0));
}

Status Store::DeleteSecret(const std::string& cluster, const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  return Write(db_, "DELETE FROM secrets WHERE cluster = ? AND name = ?", {cluster, name},
               "deleting secret");
}

Status Store::PutResource(const ResourceRecord& r) {
  std::lock_guard<std::mutex> lock(mutex_);
  return Write(db_,
               "INSERT INTO resources (cluster, id, type, ownership, state, last_error, "
               "changed_time, body_hash, updated_at, overridden) VALUES (?,?,?,?,?,?,?,?,?,?) "
               "ON CONFLICT(cluster, id) DO UPDATE SET type=excluded.type, "
               "ownership=excluded.ownership, state=excluded.state, "
               "last_error=excluded.last_error, changed_time=excluded.changed_time, "
               "body_hash=excluded.body_hash, updated_at=excluded.updated_at, "
               "overridden=excluded.overridden",
               {r.cluster, r.id, r.type, r.ownership, r.state, r.last_error, r.changed_time,
                r.body_hash, NowRfc3339(), r.overridden},
               "saving resource");
}

Result<std::vector<ResourceRecord>> Store::ListResources(const std::string& cluster) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement st(db_,
               "SELECT cluster, id, type, ownership, state, last_error, changed_time, body_hash, "
               "updated_at, overridden FROM resources WHERE cluster = ? ORDER BY rowid");
  if (!st.ok()) return st.Error("listing resources");
  st.Bind(cluster);
  std::vector<ResourceRecord> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    out.push_back({st.Text(0), st.Text(1), st.Text(2), st.Text(3), st.Text(4), st.Text(5),
                   st.Text(6), st.Text(7), st.Text(8), st.Text(9)});
  }
  if (rc != SQLITE_DONE) return st.Error("listing resources");
  return out;
}

Status Store::DeleteResource(const std::string& cluster, const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  return Write(db_, "DELETE FROM resources WHERE cluster = ? AND id = ?", {cluster, id},
               "deleting resource");
}

Status Store::SetChangedTime(const std::string& cluster, const std::string& id,
                             const std::string& changed_time) {
  std::lock_guard<std::mutex> lock(mutex_);
  return Write(db_, "UPDATE resources SET changed_time = ? WHERE cluster = ? AND id = ?",
               {changed_time, cluster, id}, "saving changedTime");
}

Status Store::PutOperation(const OperationRecord& op) {
  std::lock_guard<std::mutex> lock(mutex_);
  return Write(db_,
               "INSERT OR REPLACE INTO operations (cluster, resource_id, method, api_version, "
               "poll_kind, poll_url, started_at) VALUES (?,?,?,?,?,?,?)",
               {op.cluster, op.resource_id, op.method, op.api_version, op.poll_kind, op.poll_url,
                op.started_at.empty() ? NowRfc3339() : op.started_at},
               "journalling operation");
}

Result<std::vector<OperationRecord>> Store::ListOperations(const std::string& cluster) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement st(db_,
               "SELECT cluster, resource_id, method, api_version, poll_kind, poll_url, started_at "
               "FROM operations WHERE cluster = ?");
  if (!st.ok()) return st.Error("reading the journal");
  st.Bind(cluster);
  std::vector<OperationRecord> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    out.push_back(
        {st.Text(0), st.Text(1), st.Text(2), st.Text(3), st.Text(4), st.Text(5), st.Text(6)});
  }
  if (rc != SQLITE_DONE) return st.Error("reading the journal");
  return out;
}

Status Store::DeleteOperation(const std::string& cluster, const std::string& resource_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  return Write(db_, "DELETE FROM operations WHERE cluster = ? AND resource_id = ?",
               {cluster, resource_id}, "closing operation");
}

Status Store::AddEvent(const std::string& cluster, const std::string& kind,
                       const std::string& message) {
  std::lock_guard<std::mutex> lock(mutex_);
  return Write(db_, "INSERT INTO events (cluster, time, kind, message) VALUES (?,?,?,?)",
               {cluster, NowRfc3339(), kind, message}, "recording event");
}

Result<std::vector<EventRecord>> Store::ListEvents(const std::string& cluster) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement st(db_,
               "SELECT id, cluster, time, kind, message FROM events WHERE cluster = ? ORDER BY id");
  if (!st.ok()) return st.Error("reading events");
  st.Bind(cluster);
  std::vector<EventRecord> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    out.push_back({st.Int(0), st.Text(1), st.Text(2), st.Text(3), st.Text(4)});
  }
  if (rc != SQLITE_DONE) return st.Error("reading events");
  return out;
}

}  // namespace easel::store
