// Makespan benchmark: how close does `apply` come to the best any scheduler could do, including
// the nodes' bootstrap?
//
// azsim runs with its latency model at a fixed time scale, and the engine gets the bootstrap
// hooks (cli::PrepareBootstrap), so every VM gets its user data and azsim's guest model lets each
// node's CustomScript extension ("bootstrap") succeed. For each example:
//
// - The bound is the longest dependency chain of the plan, weighted with azsim's latencies
//   (docs/azsim.md, "Latency model"), plus one guest-level dependency the plan does not express
//   but azsim's guest model enforces: a join node's extension succeeds 60 s (worker) or 90 s
//   (control plane) after both its own PUT and the success of the init node's extension, so in
//   the bound every join extension also depends on the init node's extension and costs 60/90 s;
//   the init node's extension costs 150 s after its PUT. An extension cannot be PUT before its VM
//   is done (azsim answers 409 while the VM's operation runs), and the plan makes it depend on
//   its VM, so the bound is a lower bound for any scheduler that respects the plan's
//   dependencies: the init extension ends no earlier than its VM + 150 s, a join no earlier than
//   max(its VM, the init extension) + 60/90 s.
// - easel's makespan is measured by applying the plan (engine::Apply, bootstrap hooks passed).
// - The baseline is Cluster API Provider Azure's flow, applied by the same engine to a copy of
//   the plan with extra dependencies: CAPZ's fixed service order (groups, vnets, security groups,
//   public IPs, NAT gateways, subnets, load balancers, private DNS, then the image, then per
//   machine NIC and VM; each service waits for the previous one), and the machines of Cluster
//   API: KubeadmControlPlane creates the first control-plane machine, waits until it is
//   initialised, and creates each further one only after the previous one has joined; workers
//   (MachineDeployments) get bootstrap data (CABPK) only once the control plane is initialised.
//   So control-plane machine k's NIC and VM depend on machine k-1's extension, and every worker's
//   NIC and VM depend on the init machine's extension. The identity, the Key Vault and its
//   secrets are not part of CAPZ's flow (CAPZ keeps bootstrap data in Kubernetes secrets): they
//   keep the plan's dependencies only, which does not slow the baseline down.
//
// The run also counts ARM writes per apply, and prints to stderr, per VM and extension, when it
// was done against its earliest possible finish in the bound.
//
//   build/bench/makespan_bench [time-scale]      (default 0.2; about 9 minutes)
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "azure/lro.h"
#include "cli/bootstrap_hooks.h"
#include "cli/local.h"
#include "cli/session.h"
#include "engine/reconciler.h"
#include "plan/late_bound.h"
#include "plan/planner.h"
#include "plan/resource_types.h"
#include "spec/load.h"

namespace {

using namespace easel;
namespace fs = std::filesystem;

// azsim's default PUT latencies in seconds (docs/azsim.md, "Latency model"); reads and
// synchronous PUTs (resource groups, identities, containers, DNS A records) cost nothing in the
// bound, nor do the data-plane steps (the copy of a sparse VHD, the vault's secrets: ~0).
// Extensions are weighted by their guest role (ExtensionSeconds).
double Latency(const std::string& type) {
  static const std::map<std::string, double> kSeconds = {
      {plan::type::kVirtualNetwork, 3},       {plan::type::kSubnet, 2},
      {plan::type::kNetworkSecurityGroup, 2}, {plan::type::kPublicIp, 3},
      {plan::type::kNatGateway, 10},          {plan::type::kLoadBalancer, 15},
      {plan::type::kNetworkInterface, 3},     {plan::type::kPrivateDnsZone, 30},
      {plan::type::kPrivateDnsARecord, 1},    {plan::type::kPrivateDnsLink, 30},
      {plan::type::kStorageAccount, 20},      {plan::type::kImage, 20},
      {plan::type::kVirtualMachine, 90},      {plan::type::kKeyVault, 10},
      {plan::type::kUserAssignedIdentity, 0}};
  auto it = kSeconds.find(type);
  return it == kSeconds.end() ? 0 : it->second;
}

// The guest model's seconds from an extension's start (its PUT, and for a join also the init
// node's success) to its success, by the bootstrap role of its VM.
double ExtensionSeconds(const std::string& role) {
  if (role == "init") return 150;
  if (role == "control-plane") return 90;
  return 60;  // worker
}

// The bootstrap roles of the plan's VMs, in plan order (the plan adds control-plane machines by
// index, the init node first), read from the user-data placeholder of each VM's body.
struct Machine {
  std::string vm, nic, extension, role;
};

std::vector<Machine> Machines(const plan::Plan& p) {
  std::map<std::string, std::string> extension_of;  // VM id -> its bootstrap extension
  for (const auto& r : p.resources) {
    if (r.type != plan::type::kVmExtension) continue;
    extension_of[r.id.substr(0, r.id.find("/extensions/"))] = r.id;
  }
  std::vector<Machine> out;
  for (const auto& r : p.resources) {
    if (r.type != plan::type::kVirtualMachine || !r.body.is_object()) continue;
    Machine m;
    m.vm = r.id;
    m.extension = extension_of[r.id];
    using Pointer = plan::Json::json_pointer;
    const std::string user_data =
        r.body.value(Pointer("/properties/osProfile/customData"), std::string());
    for (const char* role : {"init", "control-plane", "worker"}) {
      if (user_data == plan::UserDataFor(role)) m.role = role;
    }
    m.nic =
        r.body.value(Pointer("/properties/networkProfile/networkInterfaces/0/id"), std::string());
    out.push_back(m);
  }
  return out;
}

// The earliest finish of every node, in seconds at `scale`, and the longest of them.
struct Bound {
  std::map<std::string, double> finish;
  double longest = 0;
};

Bound CriticalPath(const plan::Plan& p, double scale) {
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
  // The guest model: a join waits for the init node's extension (a dependency azsim enforces,
  // not one the plan states).
  std::string init_extension;
  const std::vector<Machine> machines = Machines(p);
  for (const Machine& m : machines) {
    if (m.role == "init") init_extension = m.extension;
  }
  for (const Machine& m : machines) {
    if (m.extension.empty() || !deps.count(m.extension)) continue;
    cost[m.extension] = ExtensionSeconds(m.role) * scale;
    if (m.role != "init" && !init_extension.empty()) deps[m.extension].push_back(init_extension);
  }
  Bound b;
  std::function<double(const std::string&)> end = [&](const std::string& id) -> double {
    auto it = b.finish.find(id);
    if (it != b.finish.end()) return it->second;
    double start = 0;
    for (const std::string& d : deps[id]) start = std::max(start, end(d));
    return b.finish[id] = start + cost[id];
  };
  for (const auto& [id, _] : deps) b.longest = std::max(b.longest, end(id));
  return b;
}

// CAPZ's fixed service order: every node of a service waits for all nodes of the service before
// it. The bootstrap resources (identity, vault, its secrets, extensions) are not in the order.
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
    return -1;  // not part of CAPZ's service order: keeps the plan's dependencies only
  };
  std::map<int, std::vector<std::string>> members;
  for (const auto& r : p.resources) {
    if (int k = service(r.type); k >= 0) members[k].push_back(r.id);
  }
  for (const auto& s : p.steps) {
    if (int k = service(s.kind); k >= 0) members[k].push_back(s.id);
  }
  auto previous = [&](int k) {
    for (int j = k - 1; j >= 0; --j) {
      if (members.count(j)) return members[j];
    }
    return std::vector<std::string>{};
  };
  for (auto& r : p.resources) {
    int k = service(r.type);
    if (k < 0) continue;
    if (r.type == plan::type::kVirtualMachine) continue;  // waits for its own NIC
    for (const std::string& id : previous(k)) r.depends_on.push_back(id);
  }
  for (auto& s : p.steps) {
    int k = service(s.kind);
    if (k < 0) continue;
    for (const std::string& id : previous(k)) s.depends_on.push_back(id);
  }
  return p;
}

// CAPZ's flow: its service order, control-plane machines one after another (each created once
// the previous one has joined; the first, the init node, once the infrastructure is there), and
// workers once the control plane is initialised.
plan::Plan InCapzFlow(const plan::Plan& original) {
  plan::Plan p = InServiceOrder(original);
  const std::vector<Machine> machines = Machines(p);
  std::map<std::string, std::vector<std::string>> extra;  // node id -> extension ids it waits for
  std::string init_extension, previous_control_plane;
  for (const Machine& m : machines) {
    if (m.role == "init") init_extension = m.extension;
  }
  for (const Machine& m : machines) {
    std::string wait_for;
    if (m.role == "init") {
      previous_control_plane = m.extension;
      continue;
    }
    if (m.role == "control-plane") {
      wait_for = previous_control_plane;
      previous_control_plane = m.extension;
    } else {
      wait_for = init_extension;
    }
    if (wait_for.empty()) continue;
    extra[m.nic].push_back(wait_for);
    extra[m.vm].push_back(wait_for);
  }
  for (auto& r : p.resources) {
    auto it = extra.find(r.id);
    if (it == extra.end()) continue;
    for (const std::string& id : it->second) r.depends_on.push_back(id);
  }
  return p;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// One apply, timed, with the time each node became ready (seconds since the start).
struct Timed {
  engine::Outcome outcome;
  double seconds = 0;
  std::map<std::string, double> ready;
};

Timed TimedApply(const engine::Environment& env, const std::string& cluster, const plan::Plan& p) {
  Timed t;
  std::mutex mu;
  auto start = std::chrono::steady_clock::now();
  engine::EngineOptions eo;
  eo.on_progress = [&](const engine::Progress& progress) {
    if (progress.state != "Ready" && progress.state != "Joined" && progress.state != "Unchanged") {
      return;
    }
    std::lock_guard<std::mutex> lock(mu);
    t.ready[progress.id] = Seconds(start);
  };
  t.outcome = engine::Apply(env, cluster, p, eo);
  t.seconds = Seconds(start);
  return t;
}

// Per machine: when its VM and its extension were ready, against their earliest finish.
void PrintMachines(const char* example, const char* run, const plan::Plan& p, const Timed& t,
                   const Bound& b) {
  for (const Machine& m : Machines(p)) {
    std::string name = m.vm.substr(m.vm.rfind('/') + 1);
    auto at = [&](const std::string& id) {
      auto it = t.ready.find(id);
      return it == t.ready.end() ? -1.0 : it->second;
    };
    std::fprintf(stderr, "%s %s %s (%s): VM %.1f (bound %.1f), extension %.1f (bound %.1f)\n",
                 example, run, name.c_str(), m.role.c_str(), at(m.vm), b.finish.at(m.vm),
                 at(m.extension), b.finish.at(m.extension));
  }
}

}  // namespace

int main(int argc, char** argv) {
  double scale = argc > 1 ? std::atof(argv[1]) : 0.2;
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
  std::printf("azsim time scale %.2f\n\n", scale);
  std::printf(
      "| example | resources | bound s | easel s | easel / bound | CAPZ flow s | CAPZ / bound | "
      "CAPZ flow's own path s | ARM writes (owned) |\n|---|---|---|---|---|---|---|---|---|\n");
  std::fflush(stdout);
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
    auto bootstrap = cli::PrepareBootstrap(s, *ss.store, home + "/bench.db", ss.context.cloud.name,
                                           ss.context.cloud.key_vault_resource);
    if (!bootstrap.ok()) {
      std::fprintf(stderr, "%s: bootstrap: %s\n", example, bootstrap.status().message().c_str());
      return 1;
    }
    engine::Environment env{ss.arm.get(), ss.http.get(), ss.store.get(), &(*bootstrap)->hooks};
    plan::PlanOptions options;
    options.blob_endpoint = ss.context.cloud.blob_endpoint;
    plan::Plan p = plan::BuildPlan(s, options);
    Bound bound = CriticalPath(p, scale);
    size_t owned = 0;
    for (const auto& r : p.resources) owned += r.ownership == plan::Ownership::kOwned;

    engine::EngineOptions quiet;
    int64_t writes_before = ss.arm->counters().writes;
    Timed fast = TimedApply(env, s.name, p);
    int64_t writes = ss.arm->counters().writes - writes_before;
    PrintMachines(example, "easel", p, fast, bound);
    engine::Outcome gone = engine::Delete(env, s.name, p, quiet);

    plan::Plan capz = InCapzFlow(p);
    Bound capz_path = CriticalPath(capz, scale);
    Timed slow = TimedApply(env, s.name, capz);
    PrintMachines(example, "capz", p, slow, capz_path);
    engine::Outcome gone_again = engine::Delete(env, s.name, p, quiet);
    if (!fast.outcome.ok || !slow.outcome.ok || !gone.ok || !gone_again.ok) {
      std::fprintf(stderr, "%s: a run failed: %s | %s | %s | %s\n", example,
                   fast.outcome.first_error.c_str(), slow.outcome.first_error.c_str(),
                   gone.first_error.c_str(), gone_again.first_error.c_str());
      status = 1;
    }
    std::printf("| %s | %zu | %.1f | %.1f | %.3f | %.1f | %.3f | %.1f | %lld (%zu) |\n", example,
                p.resources.size(), bound.longest, fast.seconds, fast.seconds / bound.longest,
                slow.seconds, slow.seconds / bound.longest, capz_path.longest,
                static_cast<long long>(writes), owned);
    std::fflush(stdout);
  }
  (void)cli::LocalDown();
  fs::remove_all(home);
  return status;
}
