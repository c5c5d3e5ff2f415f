#include "cli/cluster_commands.h"

#include <algorithm>

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/aks_status.h"
#include "cli/bootstrap_hooks.h"
#include "cli/image_cache_facts.h"
#include "cli/progress_view.h"
#include "cli/session.h"
#include "cli/storage_checks.h"
#include "common/files.h"
#include "common/strings.h"
#include "engine/drift.h"
#include "engine/preview.h"
#include "engine/reconciler.h"
#include "image/vhd_image.h"
#include "plan/aks_changes.h"
#include "plan/planner.h"
#include "plan/render.h"
#include "plan/resource_types.h"
#include "spec/aks.h"
#include "spec/load.h"
#include "spec/naming.h"
#include "spec/parse.h"
#include "spec/parse_util.h"

namespace easel::cli {
namespace {

using Json = nlohmann::json;

// Where the API server answers, from the plan.
std::string EndpointOf(const spec::ClusterSpec& s, const azure::Cloud& cloud) {
  return "https://" + spec::ApiServerHost(s, cloud.cloudapp_suffix) + ":6443";
}

// A node's state: its bootstrap extension's (Bootstrapping, Joined, Failed) once it has one,
// else its VM's (Booting, Ready, Failed).
struct NodeStatus {
  std::string name, state, error;
};
std::vector<NodeStatus> NodesOf(const std::vector<store::ResourceRecord>& resources) {
  std::vector<NodeStatus> nodes;
  std::map<std::string, size_t> index;  // lowercased VM id -> node
  for (const store::ResourceRecord& r : resources) {
    if (r.type != plan::type::kVirtualMachine) continue;
    index[ToLower(r.id)] = nodes.size();
    nodes.push_back(
        {r.id.substr(r.id.rfind('/') + 1), r.state == "Ready" ? "Booted" : r.state, r.last_error});
  }
  for (const store::ResourceRecord& r : resources) {
    if (r.type != plan::type::kVmExtension) continue;
    auto it = index.find(ToLower(r.id.substr(0, ToLower(r.id).rfind("/extensions/"))));
    if (it == index.end()) continue;
    nodes[it->second].state = r.state;
    nodes[it->second].error = r.last_error;
  }
  return nodes;
}

// "https://<fqdn>:443" of the AKS cluster in `plan` (its private FQDN for a private cluster), as
// Azure reports it; empty when it cannot be read.
std::string AksEndpoint(Session& ss, const plan::Plan& plan) {
  for (const plan::ResourceNode& r : plan.resources) {
    if (r.type != plan::type::kManagedCluster) continue;
    Result<azure::ArmResponse> got = ss.arm->Call("GET", r.id, r.api_version);
    if (!got.ok() || got->status != 200 || !got->body.contains("properties")) return "";
    const Json& p = got->body["properties"];
    for (const char* key : {"fqdn", "privateFQDN"}) {
      if (p.contains(key) && p[key].is_string())
        return "https://" + p[key].get<std::string>() + ":443";
    }
  }
  return "";
}

void PrintAksStatus(const AksStatus& a) {
  std::cout << "AKS:       Kubernetes " << a.current_version << " (asked " << a.requested_version
            << "), " << a.provisioning_state << (a.power_state.empty() ? "" : ", " + a.power_state)
            << "\n";
  std::cout << "FQDN:      " << a.fqdn << "\n";
  if (!a.addons.empty()) {
    std::cout << "Add-ons:  ";
    for (const auto& [name, enabled] : a.addons) {
      std::cout << " " << name << (enabled ? " (on)" : " (off)");
    }
    std::cout << "\n";
  }
  std::cout << "Pools:\n";
  for (const AksPoolStatus& p : a.pools) {
    std::string scale =
        p.autoscaled ? " autoscale " + std::to_string(p.min) + "-" + std::to_string(p.max) : "";
    std::printf("  %-12s %-6s %3d x %-18s %-8s %s%s\n", p.name.c_str(), p.mode.c_str(), p.count,
                p.vm_size.c_str(), p.version.c_str(), p.state.c_str(), scale.c_str());
  }
}

// The Kubernetes version the stored spec asks for ("" when it cannot be read). Only the document
// is read: parsing the whole spec would read files it names (sshPublicKeyFile).
std::string VersionOf(const store::ClusterRecord& c) {
  spec::Diagnostics ignored;
  YAML::Node root;
  if (!spec::LoadSpecDocument(c.spec_text, c.name, &ignored, &root) || !root.IsMap()) return "";
  YAML::Node s = root["spec"];
  if (!s.IsMap() || !s["kubernetesVersion"].IsScalar()) return "";
  return s["kubernetesVersion"].Scalar();
}

// "AzureCluster" or "AKSCluster", from the stored plan.
std::string KindOf(const store::ClusterRecord& c) {
  Result<plan::Plan> p = plan::PlanFromJson(c.plan_json);
  return p.ok() ? p->kind : "AzureCluster";
}

// Continues in a detached child; the parent returns at once (--no-wait).
bool Detach() {
  pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid > 0) std::_Exit(kExitOk);
  ::setsid();
  std::freopen("/dev/null", "w", stdout);
  return true;
}

// A session and the stored cluster `name` with its plan; prints the problem and sets *exit_code
// when there is none.
struct StoredCluster {
  std::unique_ptr<Session> session;
  store::ClusterRecord record;
  plan::Plan plan;
};
std::optional<StoredCluster> OpenStoredCluster(const CommonOptions& common, const std::string& name,
                                               int* exit_code) {
  Result<std::unique_ptr<Session>> session = OpenSession(common.context, common.state_path);
  if (!session.ok()) {
    std::cerr << "easel: " << session.status().message() << "\n";
    *exit_code = kExitFailure;
    return std::nullopt;
  }
  Result<std::optional<store::ClusterRecord>> record = (*session)->store->GetCluster(name);
  if (!record.ok() || !record->has_value()) {
    std::cerr << "easel: no cluster named " << name << "\n";
    *exit_code = kExitInvalid;
    return std::nullopt;
  }
  Result<plan::Plan> plan = plan::PlanFromJson((*record)->plan_json);
  if (!plan.ok()) {
    std::cerr << "easel: the stored plan of " << name
              << " is unreadable: " << plan.status().message() << "\n";
    *exit_code = kExitFailure;
    return std::nullopt;
  }
  return StoredCluster{std::move(session).value(), **record, std::move(plan).value()};
}

// A spec loaded, validated and planned against the context's cloud, with the session and what the
// store knows of the cluster. Prints the problem and sets *exit_code when it cannot be had.
struct PlannedCluster {
  spec::AnySpec spec;
  std::unique_ptr<Session> session;
  plan::Plan plan;
  std::optional<store::ClusterRecord> record;  // the stored cluster, if any
  std::optional<plan::Plan> previous;          // its plan, unless it was deleted
  int planning_writes = 0;                     // ARM writes planning sent (a name check)
};
// Prints why planning cannot go on, if it cannot: the cloud could not be asked (`failure`, exit
// code 1) or the spec asks for what the cloud refuses (`problems`, one per line, exit code 2).
bool Refused(const Status& failure, const spec::Diagnostics& problems, int* exit_code) {
  if (!failure.ok()) {
    std::cerr << "easel: " << failure.message() << "\n";
    *exit_code = kExitFailure;
    return true;
  }
  if (problems.empty()) return false;
  for (const std::string& line : problems.Lines()) std::cerr << line << "\n";
  *exit_code = kExitInvalid;
  return true;
}

std::optional<PlannedCluster> LoadAndPlan(const CommonOptions& common, const std::string& file,
                                          int* exit_code) {
  spec::Catalog loaded;
  const spec::Catalog* catalog = &spec::EmbeddedCatalog();
  if (!common.catalog_path.empty()) {
    Result<spec::Catalog> c = spec::LoadCatalog(common.catalog_path);
    if (!c.ok()) {
      std::cerr << "easel: --catalog: " << c.status().message() << "\n";
      *exit_code = kExitInvalid;
      return std::nullopt;
    }
    loaded = std::move(c).value();
    catalog = &loaded;
  }
  PlannedCluster out;
  spec::Diagnostics diagnostics;
  out.spec = LoadCheckedSpec(file, *catalog, &diagnostics);
  if (!diagnostics.empty()) {
    for (const std::string& line : diagnostics.Lines()) std::cerr << line << "\n";
    *exit_code = kExitInvalid;
    return std::nullopt;
  }
  Result<std::unique_ptr<Session>> session = OpenSession(common.context, common.state_path);
  if (!session.ok()) {
    std::cerr << "easel: " << session.status().message() << "\n";
    *exit_code = kExitFailure;
    return std::nullopt;
  }
  out.session = std::move(session).value();
  Result<std::optional<store::ClusterRecord>> stored =
      out.session->store->GetCluster(out.spec.name());
  if (!stored.ok()) {
    std::cerr << "easel: " << stored.status().message() << "\n";
    *exit_code = kExitFailure;
    return std::nullopt;
  }
  out.record = *stored;
  if (out.record && out.record->phase != store::Phase::kDeleted) {
    Result<plan::Plan> p = plan::PlanFromJson(out.record->plan_json);
    if (p.ok()) out.previous = std::move(p).value();
  }
  plan::PlanOptions plan_options;
  plan_options.blob_endpoint = out.session->context.cloud.blob_endpoint;
  plan_options.cloudapp_suffix = out.session->context.cloud.cloudapp_suffix;
  plan_options.storage_suffix = out.session->context.cloud.storage_suffix;
  if (!out.spec.is_aks()) {
    // Before any write: a local image is an Azure-ready VHD; the storage account's name and
    // fitness (cli/storage_checks.h).
    spec::Diagnostics problems;
    if (const std::string& file = out.spec.iaas.image.vhd_file; !file.empty()) {
      Result<image::VhdInspection> vhd = image::InspectVhd(file);
      if (!vhd.ok()) problems.Add("spec.image.vhdFile", vhd.status().message());
    }
    // (Not asked when the spec is already refused: the name check is an ARM write.)
    Result<StorageFacts> facts =
        problems.empty()
            ? ReadStorageFacts(*out.session->arm, out.spec.iaas, out.previous, &problems)
            : Result<StorageFacts>(StorageFacts{});
    if (Refused(facts.status(), problems, exit_code)) return std::nullopt;
    plan_options.storage_account_name = facts->account_name;
    plan_options.deployer_has_blob_data_role = facts->deployer_has_blob_data_role;
    out.planning_writes = facts->arm_writes;
    if (out.spec.iaas.image.cache) {
      Result<ImageCacheFacts> cache =
          ReadImageCacheFacts(*out.session->arm, *out.session->http, out.session->context.cloud,
                              out.spec.iaas, &problems);
      if (Refused(cache.status(), problems, exit_code)) return std::nullopt;
      plan_options.image_cache = cache->cache;
      out.planning_writes += cache->arm_writes;
    }
  }
  out.plan = out.spec.is_aks() ? plan::BuildAksPlan(out.spec.aks)
                               : plan::BuildPlan(out.spec.iaas, plan_options);
  // A shared image this cluster no longer uses is released (and stays to release until it is).
  if (out.previous && !out.spec.is_aks()) plan::CarryReleases(*out.previous, &out.plan);
  if (out.previous && out.previous->kind != out.plan.kind) {
    std::cerr << "kind: cluster " << out.spec.name() << " exists as an " << out.previous->kind
              << "; it cannot become an " << out.plan.kind << " (delete it first)\n";
    *exit_code = kExitInvalid;
    return std::nullopt;
  }
  if (out.previous && out.spec.is_aks()) {
    plan::CarryPoolNames(*out.previous, &out.plan);
    spec::Diagnostics refused;
    plan::CheckAksChanges(*out.previous, out.plan, &refused);
    if (!refused.empty()) {
      for (const std::string& line : refused.Lines()) std::cerr << line << "\n";
      *exit_code = kExitInvalid;
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace

int ApplyCommand(const CommonOptions& common, const std::string& file, bool no_wait) {
  int exit_code = kExitOk;
  std::optional<PlannedCluster> planned = LoadAndPlan(common, file, &exit_code);
  if (!planned) return exit_code;
  const spec::AnySpec& s = planned->spec;
  const std::string& name = s.name();
  Session& ss = *planned->session;
  const plan::Plan& plan = planned->plan;
  const std::optional<plan::Plan>& previous = planned->previous;
  store::ClusterRecord record = planned->record.value_or(store::ClusterRecord{});
  bool first = !planned->record || record.phase == store::Phase::kDeleted ||
               record.phase == store::Phase::kPending;
  record.name = name;
  record.context = ss.context.name;
  Result<std::string> spec_text = ReadFileBounded(file, spec::kMaxSpecBytes);  // read fine above
  record.spec_text = spec_text.ok() ? *spec_text : "";
  record.plan_json = plan::RenderPlanJson(plan);
  record.phase = first ? store::Phase::kProvisioning : store::Phase::kUpdating;
  record.endpoint = s.is_aks() ? record.endpoint : EndpointOf(s.iaas, ss.context.cloud);
  record.last_error.clear();
  if (Status st = ss.store->PutCluster(record); !st.ok()) {
    std::cerr << "easel: " << st.message() << "\n";
    return kExitFailure;
  }
  (void)ss.store->AddEvent(name, "Normal",
                           std::string(first ? "provisioning" : "updating") + " from " + file);
  if (no_wait) {
    std::cout << "cluster " << name << ": " << store::ToString(record.phase)
              << " in the background; follow it with `easel describe cluster " << name << "`\n";
    std::cout.flush();
    if (!Detach()) return kExitFailure;
  }
  // AKS bootstraps its own nodes: only an AzureCluster gets user data and vault secrets.
  std::unique_ptr<ClusterBootstrap> bootstrap;
  if (!s.is_aks()) {
    Result<std::unique_ptr<ClusterBootstrap>> prepared =
        PrepareBootstrap(s.iaas, *ss.store, common.state_path, ss.context.cloud.name,
                         ss.context.cloud.key_vault_resource);
    if (!prepared.ok()) {
      std::cerr << "easel: cluster " << name << ": " << prepared.status().message() << "\n";
      (void)ss.store->SetPhase(name, store::Phase::kFailed, prepared.status().message());
      return kExitFailure;
    }
    bootstrap = std::move(prepared).value();
  }
  ProgressView view(::isatty(STDOUT_FILENO) != 0);
  engine::EngineOptions options;
  if (!no_wait) options.on_progress = [&view](const engine::Progress& p) { view.Update(p); };
  engine::Environment env{ss.arm.get(), ss.http.get(), ss.store.get(),
                          bootstrap ? &bootstrap->hooks : nullptr};
  engine::Outcome outcome = engine::Apply(env, name, plan, options);
  outcome.writes += planned->planning_writes;
  if (outcome.ok && previous) {
    // Owned resources the new plan no longer has (a pool scaled down, a NAT gateway dropped).
    plan::Plan removed = plan::Removed(*previous, plan);
    if (!removed.resources.empty()) {
      engine::Outcome gone = engine::Delete(env, name, removed, options);
      outcome.writes += gone.writes;
      if (!gone.ok) {
        outcome.ok = false;
        outcome.first_error = gone.first_error;
      }
    }
  }
  if (outcome.ok) {
    if (Status b = engine::RecordBaseline(env, name, plan); !b.ok()) {
      (void)ss.store->AddEvent(name, "Warning", "no drift baseline: " + b.message());
    }
  }
  if (outcome.ok && !s.is_aks() &&
      std::any_of(plan.steps.begin(), plan.steps.end(),
                  [](const plan::DataPlaneStep& st) { return st.kind == "imageRelease"; })) {
    // Every reference the cluster gave up is released: the stored plan need not carry them on.
    record.plan_json = plan::RenderPlanJson(plan::WithoutReleases(plan));
    (void)ss.store->PutCluster(record);
  }
  if (outcome.ok && s.is_aks()) {
    // The API server's name is Azure's choice: read it back.
    record.endpoint = AksEndpoint(ss, plan);
    (void)ss.store->PutCluster(record);
  }
  store::Phase phase = outcome.ok ? store::Phase::kReady : store::Phase::kFailed;
  (void)ss.store->SetPhase(name, phase, outcome.first_error);
  (void)ss.store->AddEvent(name, outcome.ok ? "Normal" : "Warning",
                           outcome.ok ? "Ready" : "Failed: " + outcome.first_error);
  view.Finish();
  for (const std::string& warning : outcome.warnings) std::cerr << "warning: " << warning << "\n";
  if (no_wait) return outcome.ok ? kExitOk : kExitFailure;
  if (!outcome.ok) {
    std::cerr << "easel: cluster " << name << " failed: " << outcome.first_error << "\n";
    return kExitFailure;
  }
  std::cout << "cluster " << name << " is Ready (" << outcome.writes << " ARM writes, "
            << outcome.copies << (outcome.copies == 1 ? " blob copy, " : " blob copies, ")
            << (outcome.uploads ? std::to_string(outcome.uploads) + " VHD upload, " : "")
            << outcome.unchanged << " unchanged); API server " << record.endpoint << "\n";
  return kExitOk;
}

int LivePlanCommand(const CommonOptions& common, const std::string& file) {
  int exit_code = kExitOk;
  std::optional<PlannedCluster> planned = LoadAndPlan(common, file, &exit_code);
  if (!planned) {
    if (exit_code == kExitFailure) {
      std::cerr << "(`easel plan --offline -f " << file
                << "` shows the resource graph without a cloud)\n";
    }
    return exit_code;
  }
  const std::string& name = planned->spec.name();
  Session& ss = *planned->session;
  const plan::Plan& plan = planned->plan;
  const std::optional<plan::Plan>& previous = planned->previous;
  engine::Environment env{ss.arm.get(), ss.http.get(), ss.store.get()};
  Result<std::vector<engine::PreviewItem>> items =
      engine::Preview(env, name, plan, previous ? &*previous : nullptr);
  if (!items.ok()) {
    std::cerr << "easel: " << items.status().message() << "\n";
    return kExitFailure;
  }
  std::map<std::string, int> counts;
  if (common.output == "json") {
    Json out = {{"cluster", name}, {"changes", Json::array()}};
    for (const auto& i : *items) {
      out["changes"].push_back({{"id", i.id},
                                {"type", i.type},
                                {"name", i.name},
                                {"action", i.action},
                                {"detail", i.detail}});
    }
    std::cout << out.dump(2) << "\n";
  } else {
    for (const auto& i : *items) {
      counts[i.action]++;
      std::string type = i.type.substr(i.type.rfind('/') + 1);
      std::printf("%-10s %-22s %-40s %s\n", i.action.c_str(), type.c_str(), i.name.c_str(),
                  i.detail.c_str());
    }
    std::printf("\n%d to create, %d to change, %d to delete, %d unchanged, %d read\n",
                counts["create"], counts["update"], counts["delete"], counts["unchanged"],
                counts["read"]);
  }
  bool blocked = false;
  for (const auto& i : *items) blocked = blocked || i.action == "conflict" || i.action == "missing";
  return blocked ? kExitFailure : kExitOk;
}

int DeleteCommand(const CommonOptions& common, const std::string& name, bool no_wait) {
  int exit_code = kExitOk;
  std::optional<StoredCluster> stored = OpenStoredCluster(common, name, &exit_code);
  if (!stored) return exit_code;
  Session& ss = *stored->session;
  const plan::Plan* plan = &stored->plan;
  (void)ss.store->SetPhase(name, store::Phase::kDeleting, "");
  (void)ss.store->AddEvent(name, "Normal", "deleting");
  if (no_wait) {
    std::cout << "cluster " << name << ": Deleting in the background\n";
    std::cout.flush();
    if (!Detach()) return kExitFailure;
  }
  ProgressView view(::isatty(STDOUT_FILENO) != 0);
  engine::EngineOptions options;
  if (!no_wait) options.on_progress = [&view](const engine::Progress& p) { view.Update(p); };
  engine::Environment env{ss.arm.get(), ss.http.get(), ss.store.get()};
  engine::Outcome outcome = engine::Delete(env, name, *plan, options);
  view.Finish();
  (void)ss.store->SetPhase(name, outcome.ok ? store::Phase::kDeleted : store::Phase::kFailed,
                           outcome.first_error);
  (void)ss.store->AddEvent(name, outcome.ok ? "Normal" : "Warning",
                           outcome.ok ? "Deleted" : "delete failed: " + outcome.first_error);
  if (no_wait) return outcome.ok ? kExitOk : kExitFailure;
  if (!outcome.ok) {
    std::cerr << "easel: deleting " << name << " failed: " << outcome.first_error
              << " (run `easel delete cluster " << name << "` again to finish)\n";
    return kExitFailure;
  }
  std::cout << "cluster " << name << " deleted (" << outcome.writes << " deletes)\n";
  return kExitOk;
}

int GetClustersCommand(const CommonOptions& common) {
  Result<std::unique_ptr<store::Store>> st =
      store::Store::Open(common.state_path.empty() ? store::DefaultStatePath() : common.state_path);
  if (!st.ok()) {
    std::cerr << "easel: " << st.status().message() << "\n";
    return kExitFailure;
  }
  Result<std::vector<store::ClusterRecord>> clusters = (*st)->ListClusters();
  if (!clusters.ok()) {
    std::cerr << "easel: " << clusters.status().message() << "\n";
    return kExitFailure;
  }
  if (common.output == "json") {
    Json out = Json::array();
    for (const auto& c : *clusters) {
      out.push_back({{"name", c.name},
                     {"kind", KindOf(c)},
                     {"kubernetesVersion", VersionOf(c)},
                     {"context", c.context},
                     {"phase", store::ToString(c.phase)},
                     {"endpoint", c.endpoint},
                     {"lastError", c.last_error},
                     {"createdAt", c.created_at},
                     {"updatedAt", c.updated_at}});
    }
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::printf("%-24s %-13s %-8s %-10s %-13s %-24s %s\n", "NAME", "KIND", "VERSION", "CONTEXT",
              "PHASE", "UPDATED", "ENDPOINT");
  for (const auto& c : *clusters) {
    std::printf("%-24s %-13s %-8s %-10s %-13s %-24s %s\n", c.name.c_str(), KindOf(c).c_str(),
                VersionOf(c).c_str(), c.context.c_str(), store::ToString(c.phase),
                c.updated_at.c_str(), c.endpoint.c_str());
  }
  return kExitOk;
}

int DescribeClusterCommand(const CommonOptions& common, const std::string& name) {
  Result<std::unique_ptr<store::Store>> st =
      store::Store::Open(common.state_path.empty() ? store::DefaultStatePath() : common.state_path);
  if (!st.ok()) {
    std::cerr << "easel: " << st.status().message() << "\n";
    return kExitFailure;
  }
  Result<std::optional<store::ClusterRecord>> c = (*st)->GetCluster(name);
  if (!c.ok() || !c->has_value()) {
    std::cerr << "easel: no cluster named " << name << "\n";
    return kExitInvalid;
  }
  Result<std::vector<store::ResourceRecord>> resources = (*st)->ListResources(name);
  if (!resources.ok()) {
    std::cerr << "easel: " << resources.status().message() << "\n";
    return kExitFailure;
  }
  const store::ClusterRecord& r = **c;
  std::vector<NodeStatus> nodes = NodesOf(*resources);
  // An AKS cluster's version, add-ons and live pool counts come from Azure, not the store.
  std::optional<AksStatus> aks;
  std::string aks_error;
  if (Result<plan::Plan> p = plan::PlanFromJson(r.plan_json); p.ok() && p->kind == "AKSCluster") {
    st->reset();
    Result<std::unique_ptr<Session>> session = OpenSession(common.context, common.state_path);
    Result<AksStatus> status =
        session.ok() ? ReadAksStatus(*(*session)->arm, *p) : Result<AksStatus>(session.status());
    if (status.ok()) {
      aks = *status;
    } else {
      aks_error = status.status().message();
    }
  }
  if (common.output == "json") {
    Json out = {{"name", r.name},
                {"context", r.context},
                {"phase", store::ToString(r.phase)},
                {"endpoint", r.endpoint},
                {"lastError", r.last_error},
                {"createdAt", r.created_at},
                {"updatedAt", r.updated_at},
                {"resources", Json::array()}};
    for (const auto& res : *resources) {
      out["resources"].push_back({{"id", res.id},
                                  {"type", res.type},
                                  {"ownership", res.ownership},
                                  {"state", res.state},
                                  {"lastError", res.last_error},
                                  {"updatedAt", res.updated_at}});
    }
    out["nodes"] = Json::array();
    for (const NodeStatus& n : nodes) {
      out["nodes"].push_back({{"name", n.name}, {"state", n.state}, {"lastError", n.error}});
    }
    if (aks) out["aks"] = aks->ToJson();
    if (!aks_error.empty()) out["aksError"] = aks_error;
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "Name:      " << r.name << "\nContext:   " << r.context
            << "\nPhase:     " << store::ToString(r.phase) << "\nEndpoint:  " << r.endpoint
            << "\nUpdated:   " << r.updated_at << "\n";
  if (!r.last_error.empty()) std::cout << "Error:     " << r.last_error << "\n";
  if (aks) PrintAksStatus(*aks);
  if (!aks_error.empty()) std::cout << "AKS:       not read (" << aks_error << ")\n";
  if (!nodes.empty()) {
    std::cout << "Nodes:\n";
    for (const NodeStatus& n : nodes) {
      std::printf("  %-14s %s\n", n.state.c_str(), n.name.c_str());
      if (!n.error.empty()) {
        std::string indented = "      " + ReplaceAll(n.error, "\n", "\n      ");
        std::printf("%s\n", indented.c_str());
      }
    }
  }
  std::cout << "Resources:\n";
  for (const auto& res : *resources) {
    std::printf("  %-10s %-9s %-50s %s%s%s\n", res.state.c_str(), res.ownership.c_str(),
                res.type.c_str(), res.id.substr(res.id.rfind('/') + 1).c_str(),
                res.last_error.empty() ? "" : "  error: ", res.last_error.c_str());
  }
  return kExitOk;
}

int CheckCommand(const CommonOptions& common, const std::string& name) {
  int exit_code = kExitOk;
  std::optional<StoredCluster> stored = OpenStoredCluster(common, name, &exit_code);
  if (!stored) return exit_code;
  Session& ss = *stored->session;
  engine::Environment env{ss.arm.get(), ss.http.get(), ss.store.get()};
  Result<engine::CheckResult> result = engine::CheckDrift(env, name, stored->plan);
  if (!result.ok()) {
    std::cerr << "easel: checking " << name << ": " << result.status().message() << "\n";
    return kExitFailure;
  }
  for (const engine::DriftItem& d : result->drift) {
    (void)ss.store->AddEvent(name, "Warning",
                             "drift: " + d.type + " " + d.name + " " + d.kind +
                                 (d.detail.empty() ? "" : ": " + d.detail));
  }
  if (common.output == "json") {
    Json out = {{"cluster", name},
                {"drift", Json::array()},
                {"listCalls", result->list_calls},
                {"resourceReads", result->resource_reads}};
    for (const engine::DriftItem& d : result->drift) {
      out["drift"].push_back({{"id", d.id},
                              {"type", d.type},
                              {"name", d.name},
                              {"kind", d.kind},
                              {"detail", d.detail}});
    }
    std::cout << out.dump(2) << "\n";
  } else if (result->drift.empty()) {
    std::cout << "cluster " << name << ": no drift (" << result->list_calls << " list call"
              << (result->list_calls == 1 ? "" : "s") << ", " << result->resource_reads
              << " resource reads)\n";
  } else {
    for (const engine::DriftItem& d : result->drift) {
      std::cout << d.kind << "  " << d.type << "  " << d.name
                << (d.detail.empty() ? "" : "  " + d.detail) << "\n";
    }
    size_t overridden = 0;
    for (const engine::DriftItem& d : result->drift) overridden += d.kind == "overridden";
    std::cout << "cluster " << name << ": " << result->drift.size() << " resources drifted";
    if (overridden < result->drift.size()) {
      std::cout << (overridden ? "; `easel apply` repairs the others"
                               : "; `easel apply` repairs them");
    }
    if (overridden > 0) {
      std::cout << "; " << overridden
                << " kept by Azure against the spec (a policy?): apply does not rewrite them";
    }
    std::cout << "\n";
  }
  return result->drift.empty() ? kExitOk : kExitFailure;
}

int CheckAllCommand(const CommonOptions& common) {
  Result<std::unique_ptr<Session>> session = OpenSession(common.context, common.state_path);
  if (!session.ok()) {
    std::cerr << "easel: " << session.status().message() << "\n";
    return kExitFailure;
  }
  Session& ss = **session;
  Result<std::vector<store::ClusterRecord>> clusters = ss.store->ListClusters();
  if (!clusters.ok()) {
    std::cerr << "easel: " << clusters.status().message() << "\n";
    return kExitFailure;
  }
  engine::Environment env{ss.arm.get(), ss.http.get(), ss.store.get()};
  size_t checked = 0, drifted = 0, failed = 0;
  int64_t lists = 0, reads = 0;
  for (const store::ClusterRecord& c : *clusters) {
    if (c.phase != store::Phase::kReady || c.context != ss.context.name) continue;
    Result<plan::Plan> plan = plan::PlanFromJson(c.plan_json);
    if (!plan.ok()) continue;
    Result<engine::CheckResult> r = engine::CheckDrift(env, c.name, *plan);
    ++checked;
    if (!r.ok()) {
      ++failed;
      std::cout << c.name << ": check failed: " << r.status().message() << "\n";
      continue;
    }
    lists += r->list_calls;
    reads += r->resource_reads;
    if (!r->drift.empty()) {
      ++drifted;
      std::cout << c.name << ": " << r->drift.size()
                << " resources drifted (first: " << r->drift[0].name << " " << r->drift[0].kind
                << ")\n";
    }
  }
  std::cout << checked << " clusters checked: " << drifted << " drifted, " << failed << " failed; "
            << lists << " list calls, " << reads << " resource reads\n";
  return drifted == 0 && failed == 0 ? kExitOk : kExitFailure;
}

int EventsCommand(const CommonOptions& common, const std::string& name) {
  Result<std::unique_ptr<store::Store>> st =
      store::Store::Open(common.state_path.empty() ? store::DefaultStatePath() : common.state_path);
  if (!st.ok()) {
    std::cerr << "easel: " << st.status().message() << "\n";
    return kExitFailure;
  }
  Result<std::vector<store::EventRecord>> events = (*st)->ListEvents(name);
  if (!events.ok()) {
    std::cerr << "easel: " << events.status().message() << "\n";
    return kExitFailure;
  }
  for (const auto& e : *events) {
    std::printf("%s  %-7s  %s\n", e.time.c_str(), e.kind.c_str(), e.message.c_str());
  }
  return kExitOk;
}

}  // namespace easel::cli
