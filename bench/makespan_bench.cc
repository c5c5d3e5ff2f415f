// Makespan benchmark: how close does `apply` come to the best any scheduler could do?
//
// azsim runs with its latency model at a fixed time scale. For each example, the bound is the
// plan's critical path (its longest dependency chain) weighted with the same latencies; easel's
// makespan is measured by applying the plan, and, as a baseline, by applying it again in the fixed
// service order of Cluster API Provider Azure (groups, vnets, security groups, public IPs, NAT
// gateways, subnets, load balancers, private DNS, then the image, then per machine NIC and VM;
// each service waits for the previous one, machines run side by side). Both runs use the same
// engine; only the order differs. The run also counts ARM writes per apply.
//
//   build/bench/makespan_bench [time-scale]      (default 0.5; about 5 minutes)
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include <functional>

#include "azure/lro.h"
#include "cli/local.h"
#include "cli/session.h"
#include "engine/reconciler.h"
#include "plan/planner.h"
#include "plan/resource_types.h"
#include "spec/load.h"

namespace {

using namespace easel;
namespace fs = std::filesystem;

// azsim's default PUT latencies in seconds (docs/azsim.md, "Latency model"); reads and
// synchronous PUTs cost nothing in the bound.
double Latency(const std::string& type) {
  static const std::map<std::string, double> kSeconds = {
      {plan::type::kVirtualNetwork, 3},       {plan::type::kSubnet, 2},
      {plan::type::kNetworkSecurityGroup, 2}, {plan::type::kPublicIp, 3},
      {plan::type::kNatGateway, 10},          {plan::type::kLoadBalancer, 15},
      {plan::type::kNetworkInterface, 3},     {plan::type::kPrivateDnsZone, 30},
      {plan::type::kPrivateDnsARecord, 1},    {plan::type::kPrivateDnsLink, 30},
      {plan::type::kStorageAccount, 20},      {plan::type::kImage, 20},
      {plan::type::kVirtualMachine, 90}};
  auto it = kSeconds.find(type);
  return it == kSeconds.end() ? 0 : it->second;
}

// The longest dependency chain, in seconds at `scale` (the copy of a sparse VHD costs ~0).
double CriticalPath(const plan::Plan& p, double scale) {
  std::map<std::string, double> finish;
  std::map<std::string, std::vector<std::string>> deps;
  std::map<std::string, double> cost;
  for (const auto& r : p.resources) {
    deps[r.id] = r.depends_on;
    cost[r.id] = r.action == plan::Action::kRead ? 0 : Latency(r.type) * scale;
  }
  for (const auto& s : p.steps) {
    deps[s.id] = s.depends_on;
    cost[s.id] = 0;
  }
  std::function<double(const std::string&)> end = [&](const std::string& id) -> double {
    auto it = finish.find(id);
    if (it != finish.end()) return it->second;
    double start = 0;
    for (const std::string& d : deps[id]) start = std::max(start, end(d));
    return finish[id] = start + cost[id];
  };
  double longest = 0;
  for (const auto& [id, _] : deps) longest = std::max(longest, end(id));
  return longest;
}

// The same plan in CAPZ's service order: every node of a service waits for all nodes of the
// service before it.
plan::Plan InServiceOrder(plan::Plan p) {
  auto service = [](const std::string& type) {
    static const std::vector<std::vector<std::string>> kOrder = {
        {plan::type::kResourceGroup},
        {plan::type::kVirtualNetwork},
        {plan::type::kNetworkSecurityGroup},
        {plan::type::kPublicIp},
        {plan::type::kNatGateway},
        {plan::type::kSubnet},
        {plan::type::kLoadBalancer},
        {plan::type::kPrivateDnsZone, plan::type::kPrivateDnsARecord, plan::type::kPrivateDnsLink},
        {plan::type::kStorageAccount, plan::type::kBlobContainer, "blobCopy", plan::type::kImage},
        {plan::type::kNetworkInterface, plan::type::kVirtualMachine}};
    for (size_t i = 0; i < kOrder.size(); ++i) {
      for (const std::string& t : kOrder[i]) {
        if (t == type) return static_cast<int>(i);
      }
    }
    return 0;
  };
  std::map<int, std::vector<std::string>> members;
  for (const auto& r : p.resources) members[service(r.type)].push_back(r.id);
  for (const auto& s : p.steps) members[service("blobCopy")].push_back(s.id);
  auto previous = [&](int k) {
    for (int j = k - 1; j >= 0; --j) {
      if (members.count(j)) return members[j];
    }
    return std::vector<std::string>{};
  };
  for (auto& r : p.resources) {
    int k = service(r.type);
    if (r.type == plan::type::kVirtualMachine) continue;  // waits for its own NIC
    for (const std::string& id : previous(k)) r.depends_on.push_back(id);
  }
  for (auto& s : p.steps) {
    for (const std::string& id : previous(service("blobCopy"))) s.depends_on.push_back(id);
  }
  return p;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  double scale = argc > 1 ? std::atof(argv[1]) : 0.5;
  char tmpl[] = "/tmp/easel-bench-XXXXXX";
  std::string home = ::mkdtemp(tmpl);
  ::setenv("HOME", home.c_str(), 1);
  ::setenv("EASEL_AZSIM", AZSIM_BINARY, 1);
  cli::LocalOptions local;
  local.time_scale = scale;
  if (Status s = cli::LocalUp(local); !s.ok()) {
    std::fprintf(stderr, "local up: %s\n", s.message().c_str());
    return 1;
  }
  auto session = cli::OpenSession("local", home + "/bench.db");
  if (!session.ok()) {
    std::fprintf(stderr, "%s\n", session.status().message().c_str());
    return 1;
  }
  cli::Session& ss = **session;
  engine::Environment env{ss.arm.get(), ss.http.get(), ss.store.get()};
  std::printf("azsim time scale %.2f\n\n", scale);
  std::printf(
      "| example | resources | bound s | easel s | easel / bound | CAPZ order s | CAPZ / bound | "
      "ARM writes (owned) |\n|---|---|---|---|---|---|---|---|\n");
  int status = 0;
  for (const char* example : {"quickstart.yaml", "ha.yaml"}) {
    spec::Diagnostics d;
    spec::ClusterSpec s = spec::LoadClusterSpec(
        std::string(EASEL_SOURCE_DIR) + "/examples/" + example, spec::EmbeddedCatalog(), &d);
    if (example == std::string("ha.yaml")) {
      (void)azure::PutAndWait(*ss.arm,
                              "/subscriptions/" + s.subscription_id + "/resourceGroups/prod-rg",
                              "2024-11-01", {{"location", "westus2"}});
    }
    plan::PlanOptions options;
    options.blob_endpoint = ss.context.cloud.blob_endpoint;
    plan::Plan p = plan::BuildPlan(s, options);
    double bound = CriticalPath(p, scale);
    size_t owned = 0;
    for (const auto& r : p.resources) owned += r.ownership == plan::Ownership::kOwned;

    engine::EngineOptions eo;
    int64_t writes_before = ss.arm->counters().writes;
    auto start = std::chrono::steady_clock::now();
    engine::Outcome fast = engine::Apply(env, s.name, p, eo);
    double easel_s = Seconds(start);
    int64_t writes = ss.arm->counters().writes - writes_before;
    engine::Outcome gone = engine::Delete(env, s.name, p, eo);

    plan::Plan ordered = InServiceOrder(p);
    start = std::chrono::steady_clock::now();
    engine::Outcome slow = engine::Apply(env, s.name, ordered, eo);
    double capz_s = Seconds(start);
    engine::Outcome gone_again = engine::Delete(env, s.name, p, eo);
    if (!fast.ok || !slow.ok || !gone.ok || !gone_again.ok) {
      std::fprintf(stderr, "%s: a run failed: %s %s\n", example, fast.first_error.c_str(),
                   slow.first_error.c_str());
      status = 1;
    }
    std::printf("| %s | %zu | %.1f | %.1f | %.3f | %.1f | %.3f | %lld (%zu) |\n", example,
                p.resources.size(), bound, easel_s, easel_s / bound, capz_s, capz_s / bound,
                static_cast<long long>(writes), owned);
    std::fflush(stdout);
  }
  (void)cli::LocalDown();
  fs::remove_all(home);
  return status;
}
