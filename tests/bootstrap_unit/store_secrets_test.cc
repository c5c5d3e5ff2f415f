// Secrets in the state database (schema 2), the engine's LoadOrCreateClusterSecrets over it, and
// the file modes of ~/.easel and the database.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <optional>

#include "bootstrap/join_token.h"
#include "engine/cluster_secrets_store.h"
#include "store/secret_box.h"
#include "store/store.h"
#include "tests/bootstrap_unit/test_util.h"

namespace easel {
namespace {

using easel::testing::ModeOf;
using easel::testing::ReadFile;
using easel::testing::TempDir;
using std::chrono::system_clock;

const system_clock::time_point kNow = system_clock::from_time_t(1'796'000'000);

// Schema 1 exactly as easel 0.1 created it.
const char* const kSchemaV1 = R"sql(
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
    INSERT INTO clusters VALUES ('old', 'local', 'spec: 1', '{"resources":[]}', 'Ready',
      'https://old.example:6443', '', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
    INSERT INTO resources VALUES ('old', '/subscriptions/s/resourceGroups/rg', 'rg', 'owned',
      'Ready', '', 't0', 'h0', '2026-01-01T00:00:00.000Z');
    INSERT INTO operations VALUES ('old', '/x', 'PUT', '2024-01-01', 'azure-async', 'https://p',
      '2026-01-01T00:00:00.000Z');
    INSERT INTO events (cluster, time, kind, message) VALUES ('old', 't', 'Normal', 'Ready');
    PRAGMA user_version = 1;
)sql";

class StoreSecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("state.db");
    box_.emplace(std::move(store::SecretBox::FromKey(std::string(32, 'k'))).value());
  }
  std::unique_ptr<store::Store> Open() {
    Result<std::unique_ptr<store::Store>> s = store::Store::Open(path_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  static store::ClusterRecord Cluster(const std::string& name) {
    store::ClusterRecord c;
    c.name = name;
    c.context = "local";
    c.spec_text = "spec";
    c.plan_json = "{}";
    c.endpoint = "https://" + name + ".example:6443";
    return c;
  }

  TempDir dir_;
  std::string path_;
  std::optional<store::SecretBox> box_;
};

TEST_F(StoreSecretsTest, MigrationFromVersion1KeepsEverything) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, kSchemaV1, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);

  auto s = Open();
  ASSERT_TRUE(s);
  auto c = s->GetCluster("old");
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((*c)->endpoint, "https://old.example:6443");
  EXPECT_EQ((*c)->phase, store::Phase::kReady);
  EXPECT_EQ(s->ListResources("old")->size(), 1u);
  EXPECT_EQ((*s->ListResources("old"))[0].changed_time, "t0");
  EXPECT_EQ((*s->ListResources("old"))[0].body_hash, "h0");
  EXPECT_EQ((*s->ListResources("old"))[0].overridden, "") << "schema 3 adds it, empty";
  EXPECT_EQ(s->ListOperations("old")->size(), 1u);
  EXPECT_EQ(s->ListEvents("old")->size(), 1u);
  ASSERT_TRUE(s->PutSecret("old", "bootstrap", "sealed-bytes").ok());
  EXPECT_EQ(**s->GetSecret("old", "bootstrap"), "sealed-bytes");
  s.reset();

  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 3);
  sqlite3_finalize(st);
  sqlite3_close(db);
  EXPECT_EQ(store::Store::kSchemaVersion, 3);
  // Opening again is a no-op.
  auto again = Open();
  ASSERT_TRUE(again);
  EXPECT_EQ(**again->GetSecret("old", "bootstrap"), "sealed-bytes");
}

TEST_F(StoreSecretsTest, SecretsArePutReplacedReadAndDeletedWithTheCluster) {
  auto s = Open();
  ASSERT_TRUE(s->PutCluster(Cluster("a")).ok());
  ASSERT_TRUE(s->PutCluster(Cluster("b")).ok());
  EXPECT_FALSE(s->GetSecret("a", "x")->has_value());
  std::string binary("\x00\x01\xff\x7f binary", 11);
  ASSERT_TRUE(s->PutSecret("a", "x", binary).ok());
  EXPECT_EQ(**s->GetSecret("a", "x"), binary);
  ASSERT_TRUE(s->PutSecret("a", "x", "second").ok());
  EXPECT_EQ(**s->GetSecret("a", "x"), "second");
  EXPECT_FALSE(*s->PutSecretIfAbsent("a", "x", "third"));
  EXPECT_EQ(**s->GetSecret("a", "x"), "second");
  EXPECT_TRUE(*s->PutSecretIfAbsent("a", "y", "first"));
  EXPECT_EQ(**s->GetSecret("a", "y"), "first");
  ASSERT_TRUE(s->PutSecret("b", "x", "b's").ok());
  ASSERT_TRUE(s->DeleteSecret("a", "y").ok());
  EXPECT_FALSE(s->GetSecret("a", "y")->has_value());

  ASSERT_TRUE(s->DeleteCluster("a").ok());
  EXPECT_FALSE(s->GetSecret("a", "x")->has_value());
  EXPECT_EQ(**s->GetSecret("b", "x"), "b's");
}

TEST_F(StoreSecretsTest, LoadOrCreateCreatesOnceAndKeepsTheCa) {
  auto s = Open();
  EXPECT_FALSE(engine::LoadClusterSecrets(*s, *box_, "dev")->has_value());
  Result<bootstrap::ClusterSecrets> first = engine::LoadOrCreateClusterSecrets(
      *s, *box_, "dev", bootstrap::KeyAlgorithm::kEcdsaP256, kNow);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->pki.algorithm, bootstrap::KeyAlgorithm::kEcdsaP256);
  EXPECT_TRUE(bootstrap::CheckPki(first->pki).ok());
  EXPECT_TRUE(bootstrap::WindowToken(first->join_token_seed_hex, 1).ok());

  Result<bootstrap::ClusterSecrets> second = engine::LoadOrCreateClusterSecrets(
      *s, *box_, "dev", bootstrap::KeyAlgorithm::kEcdsaP256, kNow);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->pki.ca.cert_pem, first->pki.ca.cert_pem);
  EXPECT_EQ(second->pki.ca.key_pem, first->pki.ca.key_pem);
  EXPECT_EQ(second->join_token_seed_hex, first->join_token_seed_hex);
  // Another algorithm asked for: the stored CA stays.
  Result<bootstrap::ClusterSecrets> other =
      engine::LoadOrCreateClusterSecrets(*s, *box_, "dev", bootstrap::KeyAlgorithm::kRsa2048, kNow);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->pki.algorithm, bootstrap::KeyAlgorithm::kEcdsaP256);
  EXPECT_EQ(other->pki.ca.cert_pem, first->pki.ca.cert_pem);
  auto loaded = engine::LoadClusterSecrets(*s, *box_, "dev");
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ((*loaded)->pki.sa_private_pem, first->pki.sa_private_pem);
  // A second cluster gets its own.
  Result<bootstrap::ClusterSecrets> prod = engine::LoadOrCreateClusterSecrets(
      *s, *box_, "prod", bootstrap::KeyAlgorithm::kEcdsaP256, kNow);
  ASSERT_TRUE(prod.ok());
  EXPECT_NE(prod->pki.ca.cert_pem, first->pki.ca.cert_pem);
}

TEST_F(StoreSecretsTest, WrongKeyOrMovedSecretIsAnErrorNeverReplaced) {
  auto s = Open();
  ASSERT_TRUE(engine::LoadOrCreateClusterSecrets(*s, *box_, "dev",
                                                 bootstrap::KeyAlgorithm::kEcdsaP256, kNow)
                  .ok());
  std::string before = **s->GetSecret("dev", engine::kClusterSecretsName);
  store::SecretBox other = std::move(store::SecretBox::FromKey(std::string(32, 'z'))).value();
  Result<bootstrap::ClusterSecrets> wrong = engine::LoadOrCreateClusterSecrets(
      *s, other, "dev", bootstrap::KeyAlgorithm::kEcdsaP256, kNow);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("cluster dev"), std::string::npos);
  EXPECT_EQ(**s->GetSecret("dev", engine::kClusterSecretsName), before);  // untouched
  // Copied under another cluster's name, it does not open.
  ASSERT_TRUE(s->PutSecret("copy", engine::kClusterSecretsName, before).ok());
  EXPECT_FALSE(engine::LoadClusterSecrets(*s, *box_, "copy").ok());
}

TEST_F(StoreSecretsTest, SecretsAreSealedAtRest) {
  bootstrap::ClusterSecrets secrets;
  {
    auto s = Open();
    Result<bootstrap::ClusterSecrets> created = engine::LoadOrCreateClusterSecrets(
        *s, *box_, "dev", bootstrap::KeyAlgorithm::kRsa2048, kNow);
    ASSERT_TRUE(created.ok());
    secrets = *created;
  }
  std::string raw = ReadFile(path_) + ReadFile(path_ + "-wal");
  ASSERT_GT(raw.size(), 0u);
  EXPECT_EQ(raw.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(raw.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_EQ(raw.find(secrets.join_token_seed_hex), std::string::npos);
  // Not even a line of a key's base64 body.
  std::string key_line = secrets.pki.ca.key_pem.substr(secrets.pki.ca.key_pem.find('\n') + 1, 64);
  EXPECT_EQ(raw.find(key_line), std::string::npos);
  EXPECT_FALSE(bootstrap::ContainsPrivateKey(raw));
}

class StatePermissionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : {"HOME", "EASEL_STATE"}) {
      if (const char* value = std::getenv(v)) saved_[v] = value;
    }
    ::setenv("HOME", home_.path().c_str(), 1);
    ::unsetenv("EASEL_STATE");
    old_umask_ = ::umask(022);
  }
  void TearDown() override {
    ::umask(old_umask_);
    for (const char* v : {"HOME", "EASEL_STATE"}) {
      auto it = saved_.find(v);
      if (it != saved_.end()) {
        ::setenv(v, it->second.c_str(), 1);
      } else {
        ::unsetenv(v);
      }
    }
  }
  TempDir home_;
  std::map<std::string, std::string> saved_;
  mode_t old_umask_ = 022;
};

TEST_F(StatePermissionsTest, NewEaselHomeIs0700AndDatabaseFiles0600) {
  std::string path = store::DefaultStatePath();
  ASSERT_EQ(path, home_.File(".easel/state.db"));
  Result<std::unique_ptr<store::Store>> s = store::Store::Open(path);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  store::ClusterRecord c;
  c.name = "x";
  ASSERT_TRUE((*s)->PutCluster(c).ok());
  EXPECT_EQ(ModeOf(home_.File(".easel")), 0700);
  EXPECT_EQ(ModeOf(path), 0600);
  EXPECT_EQ(ModeOf(path + "-wal"), 0600);
  EXPECT_EQ(ModeOf(path + "-shm"), 0600);
}

TEST_F(StatePermissionsTest, LooseExistingOnesAreTightened) {
  std::string dir = home_.File(".easel");
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
  std::string path = dir + "/state.db";
  {
    // An easel 0.1 database: created with the default mode, WAL files included.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(
        sqlite3_exec(db, "PRAGMA journal_mode=WAL; CREATE TABLE t(x);", nullptr, nullptr, nullptr),
        SQLITE_OK);
    ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
    ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);
    ASSERT_EQ(::chmod((path + "-wal").c_str(), 0644), 0);
    ASSERT_EQ(::chmod((path + "-shm").c_str(), 0644), 0);
    Result<std::unique_ptr<store::Store>> s = store::Store::Open(path);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(ModeOf(dir), 0700);
    EXPECT_EQ(ModeOf(path), 0600);
    EXPECT_EQ(ModeOf(path + "-wal"), 0600);
    EXPECT_EQ(ModeOf(path + "-shm"), 0600);
    sqlite3_close(db);
  }
}

TEST_F(StatePermissionsTest, ADirectoryEaselDidNotCreateIsLeftAsItIs) {
  std::string shared = home_.File("projects");
  ASSERT_EQ(::mkdir(shared.c_str(), 0755), 0);
  Result<std::unique_ptr<store::Store>> s = store::Store::Open(shared + "/state.db");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(ModeOf(shared), 0755);
  EXPECT_EQ(ModeOf(shared + "/state.db"), 0600);
  // Parents easel creates are private.
  Result<std::unique_ptr<store::Store>> deep = store::Store::Open(home_.File("a/b/state.db"));
  ASSERT_TRUE(deep.ok());
  EXPECT_EQ(ModeOf(home_.File("a")), 0700);
  EXPECT_EQ(ModeOf(home_.File("a/b")), 0700);
}

}  // namespace
}  // namespace easel
