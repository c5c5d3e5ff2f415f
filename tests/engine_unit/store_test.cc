// The state database (src/store/store.h), in a fresh directory under /tmp per test.
#include "store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>

namespace easel::store {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/easel-store-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/state.db";
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::unique_ptr<Store> OpenStore() {
    Result<std::unique_ptr<Store>> s = Store::Open(path_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  // PRAGMA user_version read (or written, when `set` >= 0) through a raw SQLite connection.
  int UserVersion(int set = -1) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    if (set >= 0) {
      EXPECT_EQ(sqlite3_exec(db, ("PRAGMA user_version = " + std::to_string(set)).c_str(), nullptr,
                             nullptr, nullptr),
                SQLITE_OK);
    }
    int version = -1;
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW) version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return version;
  }

  static ClusterRecord Cluster(const std::string& name, const std::string& spec) {
    ClusterRecord c;
    c.name = name;
    c.context = "ctx";
    c.spec_text = spec;
    c.plan_json = "{\"resources\":[]}";
    c.phase = Phase::kProvisioning;
    c.endpoint = "https://" + name + ".example:6443";
    return c;
  }

  static ResourceRecord Resource(const std::string& cluster, const std::string& id,
                                 const std::string& state) {
    ResourceRecord r;
    r.cluster = cluster;
    r.id = id;
    r.type = "Microsoft.Network/virtualNetworks";
    r.ownership = "owned";
    r.state = state;
    r.body_hash = "abc123";
    return r;
  }

  static OperationRecord Operation(const std::string& cluster, const std::string& id) {
    OperationRecord op;
    op.cluster = cluster;
    op.resource_id = id;
    op.method = "PUT";
    op.api_version = "2023-09-01";
    op.poll_kind = "async";
    op.poll_url = "https://management.azure.com/operations/" + id;
    return op;
  }

  std::string dir_, path_;
};

const std::regex kRfc3339(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");

TEST(StorePhase, RoundTripsThroughItsString) {
  for (Phase p : {Phase::kPending, Phase::kProvisioning, Phase::kReady, Phase::kUpdating,
                  Phase::kDeleting, Phase::kDeleted, Phase::kFailed}) {
    EXPECT_EQ(PhaseFromString(ToString(p)), p) << ToString(p);
  }
  EXPECT_STREQ(ToString(Phase::kReady), "Ready");
}

TEST(StoreTime, NowIsRfc3339UtcWithMilliseconds) {
  std::string now = NowRfc3339();
  EXPECT_TRUE(std::regex_match(now, kRfc3339)) << now;
}

TEST_F(StoreTest, ClusterRoundTrips) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ClusterRecord c = Cluster("alpha", "name: alpha\n");
  c.last_error = "none yet";
  ASSERT_TRUE(store->PutCluster(c).ok());
  Result<std::optional<ClusterRecord>> got = store->GetCluster("alpha");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  const ClusterRecord& g = **got;
  EXPECT_EQ(g.name, "alpha");
  EXPECT_EQ(g.context, "ctx");
  EXPECT_EQ(g.spec_text, "name: alpha\n");
  EXPECT_EQ(g.plan_json, c.plan_json);
  EXPECT_EQ(g.phase, Phase::kProvisioning);
  EXPECT_EQ(g.endpoint, c.endpoint);
  EXPECT_EQ(g.last_error, "none yet");
  EXPECT_TRUE(std::regex_match(g.created_at, kRfc3339)) << g.created_at;
  EXPECT_TRUE(std::regex_match(g.updated_at, kRfc3339)) << g.updated_at;
}

TEST_F(StoreTest, MissingClusterIsEmptyNotAnError) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  Result<std::optional<ClusterRecord>> got = store->GetCluster("nobody");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

TEST_F(StoreTest, PutClusterUpsertKeepsCreatedAtAndUpdatesUpdatedAt) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->PutCluster(Cluster("alpha", "v1")).ok());
  ClusterRecord first = **store->GetCluster("alpha");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // timestamps have 1 ms resolution
  ClusterRecord changed = Cluster("alpha", "v2");
  changed.phase = Phase::kReady;
  ASSERT_TRUE(store->PutCluster(changed).ok());
  ClusterRecord second = **store->GetCluster("alpha");
  EXPECT_EQ(second.spec_text, "v2");
  EXPECT_EQ(second.phase, Phase::kReady);
  EXPECT_EQ(second.created_at, first.created_at);
  EXPECT_GT(second.updated_at, first.updated_at);
  Result<std::vector<ClusterRecord>> all = store->ListClusters();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);
}

TEST_F(StoreTest, ListClustersIsSortedByName) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  for (const char* name : {"gamma", "alpha", "beta"}) {
    ASSERT_TRUE(store->PutCluster(Cluster(name, "spec")).ok());
  }
  Result<std::vector<ClusterRecord>> all = store->ListClusters();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].name, "alpha");
  EXPECT_EQ((*all)[1].name, "beta");
  EXPECT_EQ((*all)[2].name, "gamma");
}

TEST_F(StoreTest, SetPhaseRecordsPhaseAndError) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->PutCluster(Cluster("alpha", "v1")).ok());
  ASSERT_TRUE(store->SetPhase("alpha", Phase::kFailed, "quota exceeded").ok());
  ClusterRecord c = **store->GetCluster("alpha");
  EXPECT_EQ(c.phase, Phase::kFailed);
  EXPECT_EQ(c.last_error, "quota exceeded");
}

TEST_F(StoreTest, ResourcesRoundTripInInsertionOrder) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->PutResource(Resource("alpha", "/sub/vnet", "Creating")).ok());
  ASSERT_TRUE(store->PutResource(Resource("alpha", "/sub/nsg", "Pending")).ok());
  ResourceRecord kept = Resource("alpha", "/sub/vnet", "Ready");
  kept.overridden = "tags.team: want \"platform\", have \"finance\"";
  ASSERT_TRUE(store->PutResource(kept).ok());  // upsert
  ASSERT_TRUE(store->SetChangedTime("alpha", "/sub/nsg", "2024-01-01T00:00:00Z").ok());
  Result<std::vector<ResourceRecord>> list = store->ListResources("alpha");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, "/sub/vnet");
  EXPECT_EQ((*list)[0].state, "Ready");
  EXPECT_EQ((*list)[0].type, "Microsoft.Network/virtualNetworks");
  EXPECT_EQ((*list)[0].ownership, "owned");
  EXPECT_EQ((*list)[0].body_hash, "abc123");
  EXPECT_EQ((*list)[0].overridden, kept.overridden);
  EXPECT_EQ((*list)[1].overridden, "");
  EXPECT_TRUE(std::regex_match((*list)[0].updated_at, kRfc3339));
  EXPECT_EQ((*list)[1].id, "/sub/nsg");
  EXPECT_EQ((*list)[1].changed_time, "2024-01-01T00:00:00Z");
  ASSERT_TRUE(store->DeleteResource("alpha", "/sub/vnet").ok());
  list = store->ListResources("alpha");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, "/sub/nsg");
}

TEST_F(StoreTest, OperationJournalPutListDelete) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  OperationRecord vnet = Operation("alpha", "/sub/vnet");
  vnet.started_at = "2024-01-01T00:00:00.000Z";
  ASSERT_TRUE(store->PutOperation(vnet).ok());
  ASSERT_TRUE(store->PutOperation(Operation("alpha", "/sub/nsg")).ok());
  Result<std::vector<OperationRecord>> ops = store->ListOperations("alpha");
  ASSERT_TRUE(ops.ok()) << ops.status().ToString();
  ASSERT_EQ(ops->size(), 2u);
  std::sort(ops->begin(), ops->end(),
            [](const auto& a, const auto& b) { return a.resource_id < b.resource_id; });
  const OperationRecord& nsg = (*ops)[0];
  EXPECT_EQ(nsg.resource_id, "/sub/nsg");
  EXPECT_TRUE(std::regex_match(nsg.started_at, kRfc3339)) << nsg.started_at;  // filled in
  const OperationRecord& v = (*ops)[1];
  EXPECT_EQ(v.cluster, "alpha");
  EXPECT_EQ(v.method, "PUT");
  EXPECT_EQ(v.api_version, "2023-09-01");
  EXPECT_EQ(v.poll_kind, "async");
  EXPECT_EQ(v.poll_url, "https://management.azure.com/operations//sub/vnet");
  EXPECT_EQ(v.started_at, "2024-01-01T00:00:00.000Z");

  ASSERT_TRUE(store->DeleteOperation("alpha", "/sub/vnet").ok());
  ops = store->ListOperations("alpha");
  ASSERT_TRUE(ops.ok());
  ASSERT_EQ(ops->size(), 1u);
  EXPECT_EQ((*ops)[0].resource_id, "/sub/nsg");
}

TEST_F(StoreTest, EventsListInOrderOfId) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->AddEvent("alpha", "Normal", "first").ok());
  ASSERT_TRUE(store->AddEvent("beta", "Normal", "other cluster").ok());
  ASSERT_TRUE(store->AddEvent("alpha", "Warning", "second").ok());
  ASSERT_TRUE(store->AddEvent("alpha", "Normal", "third").ok());
  Result<std::vector<EventRecord>> events = store->ListEvents("alpha");
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].message, "first");
  EXPECT_EQ((*events)[1].message, "second");
  EXPECT_EQ((*events)[1].kind, "Warning");
  EXPECT_EQ((*events)[2].message, "third");
  EXPECT_LT((*events)[0].id, (*events)[1].id);
  EXPECT_LT((*events)[1].id, (*events)[2].id);
  EXPECT_EQ((*events)[0].cluster, "alpha");
  EXPECT_TRUE(std::regex_match((*events)[0].time, kRfc3339)) << (*events)[0].time;
}

TEST_F(StoreTest, DeleteClusterRemovesAllOfItAndNothingElse) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  for (const char* name : {"alpha", "beta"}) {
    ASSERT_TRUE(store->PutCluster(Cluster(name, "spec")).ok());
    ASSERT_TRUE(store->PutResource(Resource(name, "/sub/vnet", "Ready")).ok());
    ASSERT_TRUE(store->PutOperation(Operation(name, "/sub/vnet")).ok());
    ASSERT_TRUE(store->AddEvent(name, "Normal", "created").ok());
  }
  ASSERT_TRUE(store->DeleteCluster("alpha").ok());

  EXPECT_FALSE(store->GetCluster("alpha")->has_value());
  EXPECT_TRUE(store->ListResources("alpha")->empty());
  EXPECT_TRUE(store->ListOperations("alpha")->empty());
  EXPECT_TRUE(store->ListEvents("alpha")->empty());

  EXPECT_TRUE(store->GetCluster("beta")->has_value());
  EXPECT_EQ(store->ListResources("beta")->size(), 1u);
  EXPECT_EQ(store->ListOperations("beta")->size(), 1u);
  EXPECT_EQ(store->ListEvents("beta")->size(), 1u);
  EXPECT_EQ(store->ListClusters()->size(), 1u);
}

TEST_F(StoreTest, ReopeningKeepsDataAndSchemaVersion) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->PutCluster(Cluster("alpha", "kept")).ok());
    ASSERT_TRUE(store->PutResource(Resource("alpha", "/sub/vnet", "Ready")).ok());
    ASSERT_TRUE(store->PutOperation(Operation("alpha", "/sub/vnet")).ok());
    ASSERT_TRUE(store->AddEvent("alpha", "Normal", "created").ok());
  }
  EXPECT_EQ(UserVersion(), Store::kSchemaVersion);
  auto store = OpenStore();
  ASSERT_TRUE(store);
  Result<std::optional<ClusterRecord>> c = store->GetCluster("alpha");
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->spec_text, "kept");
  EXPECT_EQ(store->ListResources("alpha")->size(), 1u);
  EXPECT_EQ(store->ListOperations("alpha")->size(), 1u);
  EXPECT_EQ(store->ListEvents("alpha")->size(), 1u);
  EXPECT_EQ(UserVersion(), Store::kSchemaVersion);
}

TEST_F(StoreTest, NewerSchemaVersionIsRefusedClearly) {
  { ASSERT_TRUE(OpenStore()); }
  ASSERT_EQ(UserVersion(Store::kSchemaVersion + 1), Store::kSchemaVersion + 1);
  Result<std::unique_ptr<Store>> s = Store::Open(path_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
  const std::string& why = s.status().message();
  EXPECT_NE(why.find("schema version " + std::to_string(Store::kSchemaVersion + 1)),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("upgrade easel"), std::string::npos) << why;
  EXPECT_EQ(UserVersion(), Store::kSchemaVersion + 1);  // left as it was
}

}  // namespace
}  // namespace easel::store
