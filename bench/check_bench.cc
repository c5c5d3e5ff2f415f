// Check benchmark: one drift check pass over N clusters held in the store (default 1,000), none
// drifted. Setup applies N quickstart-shaped clusters with azsim's throttling off (setup only);
// the check pass then runs with throttling on, as the real `easel check --all` process, whose
// CPU time and peak resident memory are read from wait4().
//
//   build/bench/check_bench [clusters]
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include "azure/lro.h"
#include "cli/local.h"
#include "cli/session.h"
#include "engine/drift.h"
#include "engine/reconciler.h"
#include "plan/planner.h"
#include "plan/render.h"
#include "spec/load.h"

using namespace easel;

namespace {

void Admin(cli::Session& ss, const std::string& path, const std::string& body) {
  HttpRequest req;
  req.method = "PUT";
  req.url = ss.context.cloud.arm_endpoint + "/_azsim/" + path;
  req.headers["Content-Type"] = "application/json";
  req.body = body;
  (void)ss.http->Send(req);
}

}  // namespace

int main(int argc, char** argv) {
  int clusters = argc > 1 ? std::max(1, std::atoi(argv[1])) : 1000;
  char tmpl[] = "/tmp/easel-checkbench-XXXXXX";
  std::string home = ::mkdtemp(tmpl);
  std::string db = home + "/state.db";
  ::setenv("HOME", home.c_str(), 1);
  ::setenv("EASEL_AZSIM", AZSIM_BINARY, 1);
  cli::LocalOptions local;
  local.time_scale = 0;
  if (Status s = cli::LocalUp(local); !s.ok()) return 1;
  {
    auto session = cli::OpenSession("local", db);
    if (!session.ok()) return 1;
    cli::Session& ss = **session;
    Admin(ss, "throttle", R"({"enabled": false})");
    spec::Diagnostics d;
    spec::ClusterSpec base = spec::LoadClusterSpec(
        std::string(EASEL_SOURCE_DIR) + "/examples/quickstart.yaml", spec::EmbeddedCatalog(), &d);
    // Azure allows 250 storage accounts per region and subscription (azsim enforces it): a fleet
    // shares one existing account, with a container per cluster.
    std::string account =
        "/subscriptions/" + base.subscription_id +
        "/resourceGroups/demo-rg/providers/Microsoft.Storage/storageAccounts/fleetimages";
    if (!azure::PutAndWait(
             *ss.arm, account, "2025-06-01",
             {{"location", "eastus"}, {"sku", {{"name", "Standard_LRS"}}}, {"kind", "StorageV2"}})
             .ok()) {
      return 1;
    }
    base.storage.custom_account = true;
    base.storage.account_name = "fleetimages";
    base.storage.account_resource_group = "demo-rg";
    // Setup only: no client-side rate limit either (azsim's is off too); the measured check pass
    // below is the real `easel check --all` process with its limits.
    azure::ArmClient unlimited(ss.context.cloud, ss.credential.get(), ss.http.get(), nullptr);
    engine::Environment env{&unlimited, ss.http.get(), ss.store.get()};
    engine::EngineOptions options;
    options.workers = 2;
    auto setup = std::chrono::steady_clock::now();
    const int batch = 50;
    int ready = 0;
    for (int first = 0; first < clusters; first += batch) {
      std::vector<std::thread> threads;
      std::vector<int> ok(static_cast<size_t>(batch), 0);
      for (int i = first; i < std::min(clusters, first + batch); ++i) {
        threads.emplace_back([&, i] {
          spec::ClusterSpec s = base;
          s.name = "chk" + std::to_string(i);
          plan::PlanOptions po;
          po.blob_endpoint = ss.context.cloud.blob_endpoint;
          plan::Plan p = plan::BuildPlan(s, po);
          store::ClusterRecord rec;
          rec.name = s.name;
          rec.context = "local";
          rec.plan_json = plan::RenderPlanJson(p);
          rec.phase = store::Phase::kProvisioning;
          (void)ss.store->PutCluster(rec);
          if (engine::Apply(env, s.name, p, options).ok &&
              engine::RecordBaseline(env, s.name, p).ok()) {
            (void)ss.store->SetPhase(s.name, store::Phase::kReady, "");
            ok[static_cast<size_t>(i - first)] = 1;
          }
        });
      }
      for (std::thread& t : threads) t.join();
      for (int v : ok) ready += v;
    }
    double setup_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - setup).count();
    Admin(ss, "throttle", R"({"enabled": true})");
    std::printf("setup: %d of %d clusters Ready in %.0f s (throttling off for setup only)\n", ready,
                clusters, setup_s);
  }
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    (void)null;
    execl(EASEL_BINARY, EASEL_BINARY, "--state", db.c_str(), "check", "--all",
          static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  int status = 0;
  struct rusage usage {};
  ::wait4(pid, &status, 0, &usage);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
               usage.ru_stime.tv_usec / 1e6;
  // The read bucket alone: 250 at once, then 25 a second, one list call per cluster.
  double read_bound = clusters > 250 ? (clusters - 250) / 25.0 : 0;
  std::printf(
      "| clusters | exit | wall s | read-bucket bound s | CPU s | CPU ms per cluster | peak RSS "
      "MiB |\n"
      "|---|---|---|---|---|---|---|\n| %d | %d | %.1f | %.1f | %.2f | %.2f | %.1f |\n",
      clusters, WIFEXITED(status) ? WEXITSTATUS(status) : -1, wall, read_bound, cpu,
      1000 * cpu / clusters, usage.ru_maxrss / 1024.0);
  (void)cli::LocalDown();
  std::filesystem::remove_all(home);
  return 0;
}
