// Durable key-value storage for azsim's state (SQLite, WAL mode). Every write is committed before
// it returns, so an answered request survives SIGKILL of the process.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace azsim {

class Store {
 public:
  static easel::Result<std::unique_ptr<Store>> Open(const std::string& path);
  ~Store();

  // One write: a put (value set) or a delete (value unset) of (ns, key).
  struct Write {
    std::string ns, key;
    std::optional<std::string> value;
  };
  // Applies all writes in one transaction.
  easel::Status Apply(const std::vector<Write>& writes);
  easel::Status Put(const std::string& ns, const std::string& key, const std::string& value);
  easel::Status Delete(const std::string& ns, const std::string& key);
  // Calls fn(key, value) for every entry of ns, in key order.
  easel::Status Scan(const std::string& ns,
                     const std::function<void(const std::string&, const std::string&)>& fn);

 private:
  Store() = default;
  std::mutex mu_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* put_ = nullptr;
  sqlite3_stmt* del_ = nullptr;
};

}  // namespace azsim
