#include "sim/store.h"

#include <sqlite3.h>

namespace azsim {

easel::Result<std::unique_ptr<Store>> Store::Open(const std::string& path) {
  std::unique_ptr<Store> s(new Store());
  if (sqlite3_open_v2(path.c_str(), &s->db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK)
    return easel::Status::IOError("cannot open state database " + path);
  // WAL with synchronous=NORMAL is durable against a process crash (the WAL is in the OS page
  // cache once the commit returns); FULL would also survive power loss at a large cost.
  const char* setup =
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
      "CREATE TABLE IF NOT EXISTS kv(ns TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,"
      " PRIMARY KEY(ns, key)) WITHOUT ROWID;";
  char* err = nullptr;
  if (sqlite3_exec(s->db_, setup, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "unknown";
    sqlite3_free(err);
    return easel::Status::IOError("state database " + path + ": " + m);
  }
  if (sqlite3_prepare_v2(s->db_, "INSERT OR REPLACE INTO kv(ns,key,value) VALUES(?,?,?)", -1,
                         &s->put_, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(s->db_, "DELETE FROM kv WHERE ns=? AND key=?", -1, &s->del_, nullptr) !=
          SQLITE_OK)
    return easel::Status::IOError("state database " + path + ": cannot prepare statements");
  return s;
}

Store::~Store() {
  sqlite3_finalize(put_);
  sqlite3_finalize(del_);
  if (db_) sqlite3_close(db_);
}

easel::Status Store::Apply(const std::vector<Write>& writes) {
  std::lock_guard<std::mutex> lock(mu_);
  if (writes.size() > 1) sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
  for (const auto& w : writes) {
    sqlite3_stmt* st = w.value ? put_ : del_;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, w.ns.data(), int(w.ns.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, w.key.data(), int(w.key.size()), SQLITE_TRANSIENT);
    if (w.value) sqlite3_bind_blob(st, 3, w.value->data(), int(w.value->size()), SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) {
      std::string m = sqlite3_errmsg(db_);
      if (writes.size() > 1) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return easel::Status::IOError("state write failed: " + m);
    }
  }
  if (writes.size() > 1 && sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
    return easel::Status::IOError(std::string("state commit failed: ") + sqlite3_errmsg(db_));
  return easel::Status::Ok();
}

easel::Status Store::Put(const std::string& ns, const std::string& key, const std::string& value) {
  return Apply({Write{ns, key, value}});
}

easel::Status Store::Delete(const std::string& ns, const std::string& key) {
  return Apply({Write{ns, key, std::nullopt}});
}

easel::Status Store::Scan(const std::string& ns,
                          const std::function<void(const std::string&, const std::string&)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT key, value FROM kv WHERE ns=? ORDER BY key", -1, &st,
                         nullptr) != SQLITE_OK)
    return easel::Status::IOError("state scan failed");
  sqlite3_bind_text(st, 1, ns.data(), int(ns.size()), SQLITE_TRANSIENT);
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::string key(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)),
                    size_t(sqlite3_column_bytes(st, 0)));
    const void* blob = sqlite3_column_blob(st, 1);
    std::string value =
        blob ? std::string(static_cast<const char*>(blob), size_t(sqlite3_column_bytes(st, 1)))
             : std::string();
    fn(key, value);
  }
  sqlite3_finalize(st);
  return easel::Status::Ok();
}

}  // namespace azsim
