// Fleet benchmark: 50 quickstart-shaped clusters applied at once in one subscription, with
// azsim's ARM throttling on (reads 250 + 25/s, writes and deletes 200 + 10/s). All clusters share
// one ARM client and its rate limiter, as one easel process (or server) would. Reports how many
// became Ready, the 429s azsim answered (from its request log), and the time against the bound
// that the write bucket alone imposes.
//
//   build/bench/fleet_bench [clusters]      (default 50; a few minutes)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include "cli/local.h"
#include "cli/session.h"
#include "engine/reconciler.h"
#include "plan/planner.h"
#include "spec/load.h"

using namespace easel;

int main(int argc, char** argv) {
  int clusters = argc > 1 ? std::max(1, std::atoi(argv[1])) : 50;
  char tmpl[] = "/tmp/easel-fleet-XXXXXX";
  std::string home = ::mkdtemp(tmpl);
  ::setenv("HOME", home.c_str(), 1);
  ::setenv("EASEL_AZSIM", AZSIM_BINARY, 1);
  cli::LocalOptions local;
  local.time_scale = 0;  // operations finish at once: the limits, not latency, set the pace
  if (Status s = cli::LocalUp(local); !s.ok()) {
    std::fprintf(stderr, "local up: %s\n", s.message().c_str());
    return 1;
  }
  auto session = cli::OpenSession("local", home + "/fleet.db");
  if (!session.ok()) return 1;
  cli::Session& ss = **session;
  spec::Diagnostics d;
  spec::ClusterSpec base = spec::LoadClusterSpec(
      std::string(EASEL_SOURCE_DIR) + "/examples/quickstart.yaml", spec::EmbeddedCatalog(), &d);
  std::vector<plan::Plan> plans;
  size_t writes_needed = 0;
  for (int i = 0; i < clusters; ++i) {
    spec::ClusterSpec s = base;
    s.name = "fleet" + std::to_string(i);
    plan::PlanOptions options;
    options.blob_endpoint = ss.context.cloud.blob_endpoint;
    plans.push_back(plan::BuildPlan(s, options));
    for (const auto& r : plans.back().resources) writes_needed += r.action == plan::Action::kCreate;
  }
  engine::Environment env{ss.arm.get(), ss.http.get(), ss.store.get()};
  engine::EngineOptions options;
  options.workers = 4;
  std::vector<engine::Outcome> outcomes(plans.size());
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (size_t i = 0; i < plans.size(); ++i) {
    threads.emplace_back(
        [&, i] { outcomes[i] = engine::Apply(env, plans[i].cluster, plans[i], options); });
  }
  for (std::thread& t : threads) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int ready = 0;
  for (const auto& o : outcomes) ready += o.ok;
  // 429s azsim answered, from its counters (the request log is also the source of the e2e checks).
  Result<azure::ArmResponse> counters = Status::Unavailable("");
  easel::HttpRequest req;
  req.url = ss.context.cloud.arm_endpoint + "/_azsim/counters";
  auto raw = ss.http->Send(req);
  nlohmann::json c = raw.ok() ? nlohmann::json::parse(raw->body, nullptr, false) : nlohmann::json();
  int64_t throttled = c.is_object() ? c["byStatus"].value("429", int64_t{0}) : -1;
  // The write bucket alone: 200 at once, then 10 a second.
  double write_bound = writes_needed > 200 ? (writes_needed - 200) / 10.0 : 0;
  std::printf(
      "| clusters | Ready | ARM writes needed | 429s answered | client 429s seen | seconds | "
      "write-bucket bound s | seconds / bound |\n|---|---|---|---|---|---|---|---|\n");
  std::printf("| %d | %d | %zu | %lld | %lld | %.1f | %.1f | %.2f |\n", clusters, ready,
              writes_needed, static_cast<long long>(throttled),
              static_cast<long long>(ss.arm->counters().throttled.load()), seconds, write_bound,
              write_bound > 0 ? seconds / write_bound : 0);
  (void)cli::LocalDown();
  std::filesystem::remove_all(home);
  return ready == clusters && throttled == 0 ? 0 : 1;
}
