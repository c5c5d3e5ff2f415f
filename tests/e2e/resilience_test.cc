// Crash safety and faults, through the real binary against azsim.
//
// Crash: `easel apply` and `easel delete` are killed with SIGKILL at 20 points each while azsim
// holds their operations in flight (its pause switch), and started again; the cluster converges,
// no resource is created twice, and azsim holds each owned resource once and nothing extra.
// Faults: with azsim injecting 10% 429s, 5% 5xx, 5% dropped connections and 5% failed operations,
// the examples still converge, and easel waited out every Retry-After (429s and operation polls).
// Polls: at a time scale where operations take seconds, every poll waits for its Retry-After.
#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <map>

#include "azure/lro.h"
#include "common/strings.h"
#include "e2e/harness.h"

namespace easel::e2e {
namespace {

using nlohmann::json;

// Every ARM answer that carried a Retry-After was followed up only once that many seconds had
// passed. The follow-up of a 429 or 503 is the retry of the same call (the same
// x-ms-client-request-id); that of an accepted or in-progress long-running operation is the next
// request from the same principal to the URL it pointed at (its Azure-AsyncOperation or Location
// URL, else its own path). Requests already on their way when it was answered do not count.
struct RetryAfterAudit {
  int throttled = 0;   // 429s
  int busy = 0;        // 503s
  int operations = 0;  // accepted or in-progress long-running operations
  int answers = 0;     // all of the above
  int followed = 0;    // of which a follow-up was found (and checked)
};

// Seconds since the epoch of azsim's ISO 8601 times ("2026-11-24T05:51:13.977Z").
double EpochSeconds(const std::string& t) {
  std::tm tm{};
  if (t.size() < 20 || !strptime(t.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
  return static_cast<double>(timegm(&tm)) + std::stod("0" + t.substr(19, t.size() - 20));
}

RetryAfterAudit AuditRetryAfter(const std::vector<json>& log) {
  RetryAfterAudit audit;
  for (size_t i = 0; i < log.size(); ++i) {
    const json& answer = log[i];
    int retry_after = answer.value("retryAfter", 0);
    if (answer.value("service", "") != "arm" || retry_after <= 0) continue;
    int status = answer.value("status", 0);
    bool retried = status == 429 || status == 503;
    bool redirected = (status == 201 || status == 202) && answer.contains("pollPath");
    std::string target = redirected ? answer.value("pollPath", "") : answer.value("path", "");
    std::string call = answer.value("clientRequestId", "");
    double answered =
        EpochSeconds(answer.value("time", "")) + answer.value("durationMs", 0.0) / 1000;
    ++audit.answers;
    ++(status == 429 ? audit.throttled : status == 503 ? audit.busy : audit.operations);
    for (size_t j = i + 1; j < log.size(); ++j) {
      double next = EpochSeconds(log[j].value("time", ""));
      if (log[j].value("service", "") != "arm") continue;
      bool follows = retried ? !call.empty() && log[j].value("clientRequestId", "") == call
                             : log[j].value("path", "") == target &&
                                   log[j].value("principal", "") == answer.value("principal", "");
      if (!follows || next < answered) continue;
      EXPECT_GE(next - answered, retry_after - 0.002)
          << answer.value("method", "") << " " << answer.value("path", "") << " answered " << status
          << " with Retry-After " << retry_after << "; " << target << " came " << (next - answered)
          << " s later";
      ++audit.followed;
      break;
    }
  }
  return audit;
}

TEST(CrashSafety, KilledApplyAndDeleteConvergeWithoutDuplicates) {
  LocalAzure azure(0);
  ASSERT_TRUE(azure.ok()) << azure.error();
  std::vector<std::string> before = azure.ResourcesIn("demo-rg");
  const std::vector<std::string> apply = {"apply", "-f", "examples/quickstart.yaml"};
  int kills = 0;
  for (int round = 0; round < 20; ++round) {
    azure.Admin("POST", "pause");
    kills += RunAndKill(azure, apply, 2 + 3 * (round % 7));
    azure.Admin("POST", "resume");
    // azsim completes due operations on ARM requests only: one unpaused read lets what the
    // killed run started finish, so that the next run goes further.
    azure.Get("/subscriptions/" + azure.subscription() + "/resourceGroups/demo-rg", "2024-11-01");
  }
  EXPECT_GE(kills, 20);
  CommandResult done = azure.Easel("apply -f examples/quickstart.yaml");
  ASSERT_EQ(done.exit_code, 0) << done.output;

  for (const auto& [path, count] : Creations(azure))
    EXPECT_EQ(count, 1) << path << " created twice";
  std::map<std::string, int> per_type;
  for (const std::string& id : azure.ResourcesIn("demo-rg")) {
    std::string type = id.substr(id.find("/providers/") + 11);
    per_type[type.substr(0, type.rfind('/'))]++;
  }
  std::map<std::string, int> expected = {
      {"microsoft.compute/disks", 4},
      {"microsoft.compute/images", 1},
      {"microsoft.compute/virtualmachines", 4},
      {"microsoft.compute/virtualmachines/demo-cp-0/extensions", 1},
      {"microsoft.compute/virtualmachines/demo-pool1-0/extensions", 1},
      {"microsoft.compute/virtualmachines/demo-pool1-1/extensions", 1},
      {"microsoft.compute/virtualmachines/demo-pool1-2/extensions", 1},
      {"microsoft.keyvault/vaults", 1},
      {"microsoft.managedidentity/userassignedidentities", 1},
      {"microsoft.network/loadbalancers", 1},
      {"microsoft.network/natgateways", 1},
      {"microsoft.network/networkinterfaces", 4},
      {"microsoft.network/networksecuritygroups", 2},
      {"microsoft.network/publicipaddresses", 2},
      {"microsoft.network/virtualnetworks", 1},
      {"microsoft.storage/storageaccounts", 1}};
  EXPECT_EQ(per_type, expected);

  const std::vector<std::string> del = {"delete", "cluster", "demo"};
  kills = 0;
  for (int round = 0; round < 20; ++round) {
    azure.Admin("POST", "pause");
    kills += RunAndKill(azure, del, 2 + 2 * (round % 5));
    azure.Admin("POST", "resume");
    // azsim completes due operations on ARM requests only: one unpaused read lets what the
    // killed run started finish, so that the next run goes further.
    azure.Get("/subscriptions/" + azure.subscription() + "/resourceGroups/demo-rg", "2024-11-01");
  }
  EXPECT_GE(kills, 20);
  CommandResult gone = azure.Easel("delete cluster demo");
  ASSERT_EQ(gone.exit_code, 0) << gone.output;
  EXPECT_EQ(azure.ResourcesIn("demo-rg"), before);
}

// The local cloud keeps its endpoints across `easel local down` and `up`, so what easel recorded
// (an image's blob URL) still matches: nothing to change after a restart.
TEST(LocalAzureRestart, KeepsEndpointsAndState) {
  LocalAzure azure(0);
  ASSERT_TRUE(azure.ok()) << azure.error();
  ASSERT_EQ(azure.Easel("apply -f examples/quickstart.yaml").exit_code, 0);
  ASSERT_EQ(azure.Easel("local down").exit_code, 0);
  CommandResult up = azure.Easel("local up --time-scale 0");
  ASSERT_EQ(up.exit_code, 0) << up.output;
  CommandResult preview = azure.Easel("plan --live -f examples/quickstart.yaml");
  EXPECT_EQ(preview.exit_code, 0) << preview.output;
  CommandResult graph = azure.Easel("plan --offline -f examples/quickstart.yaml -o json");
  size_t owned = 0;
  for (const json& r :
       json::parse(graph.output, nullptr, false).value("resources", json::array())) {
    owned += r.value("ownership", "") == "owned";
  }
  EXPECT_NE(preview.output.find("0 to create, 0 to change, 0 to delete, " + std::to_string(owned) +
                                " unchanged"),
            std::string::npos)
      << preview.output;
  EXPECT_EQ(azure.Easel("check demo").exit_code, 0);
}

TEST(Faults, ExamplesConvergeAndEveryRetryAfterIsRespected) {
  LocalAzure azure(0);
  ASSERT_TRUE(azure.ok()) << azure.error();
  const std::vector<std::pair<std::string, std::string>> examples = {
      {"quickstart.yaml", "demo"},
      {"ha.yaml", "prod"},
      {"private-api.yaml", "internal"},
      {"static-placement.yaml", "payments"},
      {"custom-storage.yaml", "storedemo"}};
  const std::vector<std::string> groups = {"demo-rg", "prod-rg",      "internal-rg", "payments-rg",
                                           "net-rg",  "storedemo-rg", "storage-rg"};
  for (const auto& [example, cluster] : examples) azure.CreatePrerequisites(example);
  std::map<std::string, std::vector<std::string>> before;
  for (const std::string& g : groups) before[g] = azure.ResourcesIn(g);
  json rules = {{"rules",
                 {{{"fault", "429"}, {"rate", 0.10}, {"retryAfter", 1}},
                  {{"fault", "500"}, {"rate", 0.025}},
                  {{"fault", "503"}, {"rate", 0.025}, {"retryAfter", 1}},
                  {{"fault", "drop"}, {"rate", 0.05}},
                  {{"fault", "lroFailed"}, {"rate", 0.05}, {"errorCode", "InternalServerError"}}}}};
  azure.Admin("PUT", "faults", rules.dump());
  int64_t since = LastSeq(azure);
  for (const auto& [example, cluster] : examples) {
    CommandResult r = azure.Easel("apply -f examples/" + example);
    EXPECT_EQ(r.exit_code, 0) << example << "\n" << r.output;
  }
  for (const auto& [example, cluster] : examples) {
    CommandResult r = azure.Easel("delete cluster " + cluster);
    EXPECT_EQ(r.exit_code, 0) << cluster << "\n" << r.output;
  }
  std::vector<json> log = azure.Requests(since);
  azure.Admin("PUT", "faults", R"({"rules": []})");
  for (const std::string& g : groups) EXPECT_EQ(azure.ResourcesIn(g), before[g]) << g;

  RetryAfterAudit audit = AuditRetryAfter(log);
  std::printf(
      "faults: %d 429s, %d 503s and %d operation answers with a Retry-After, each "
      "followed no earlier\n",
      audit.throttled, audit.busy, audit.operations);
  EXPECT_GT(audit.throttled, 0) << "no 429 was injected: the check proved nothing";
  EXPECT_EQ(audit.followed, audit.answers) << "answers with a Retry-After that nothing followed";
}

// At a time scale where operations take seconds, every poll of a long-running operation waits
// for the Retry-After of the answer before it (checked from azsim's request log).
TEST(Polls, EveryPollWaitsForItsRetryAfter) {
  LocalAzure azure(0.05);  // VMs take 4.5 s, storage accounts and images 1 s
  ASSERT_TRUE(azure.ok()) << azure.error();
  int64_t since = LastSeq(azure);
  CommandResult apply = azure.Easel("apply -f examples/quickstart.yaml");
  ASSERT_EQ(apply.exit_code, 0) << apply.output;
  CommandResult del = azure.Easel("delete cluster demo");
  ASSERT_EQ(del.exit_code, 0) << del.output;
  RetryAfterAudit audit = AuditRetryAfter(azure.Requests(since));
  std::printf("polls: %d operation answers with a Retry-After, each followed no earlier\n",
              audit.operations);
  EXPECT_GT(audit.operations, 0) << "no operation answered with a Retry-After: nothing proved";
  EXPECT_EQ(audit.followed, audit.answers) << "answers with a Retry-After that nothing followed";
}

}  // namespace
}  // namespace easel::e2e
