#include "engine/reconciler.h"

#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include "azure/blob_client.h"
#include "azure/key_vault_client.h"
#include "azure/lro.h"
#include "azure/token_claims.h"
#include "common/base64.h"
#include "common/hash.h"
#include "common/strings.h"
#include "engine/diff.h"
#include "engine/field_ownership.h"
#include "engine/image_ledger.h"
#include "engine/late_bound.h"
#include "engine/ownership_mark.h"
#include "engine/scheduler.h"
#include "engine/vhd_upload_step.h"
#include "plan/api_versions.h"
#include "plan/resource_types.h"
#include "spec/naming.h"

namespace easel::engine {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string ParentOfExtension(const std::string& id);

constexpr milliseconds kRecheckDelay{1000};
// Transient blob errors (storage busy or unreachable, a token not to be had) in a row before the
// copy fails; waits grow linearly, about half a minute in all.
constexpr int kBlobRetries = 7;
constexpr const char* kCopyMethod = "COPY";    // journal entries of the VHD copy step
constexpr const char* kPurgeMethod = "PURGE";  // a deleted vault's purge (its name is freed)
constexpr size_t kOutputTailLines = 12;        // of a failed node's bootstrap output
// The error of an extension whose command failed (Azure's code for it).
constexpr const char* kExtensionFailed = "VMExtensionProvisioningError";

// The last `n` lines of `text`.
std::string Tail(const std::string& text, size_t n) {
  size_t end = text.size();
  while (end > 0 && text[end - 1] == '\n') --end;
  size_t at = end;
  for (size_t lines = 0; at > 0; --at) {
    if (text[at - 1] == '\n' && ++lines == n) break;
  }
  return text.substr(at, end - at);
}

// The step a node's bootstrap output names: "failed at step 3/4 (kubeadm init): ..." gives
// "3/4 (kubeadm init)"; else the last progress line "step 3/4: kubeadm init" gives the same.
std::string FailedStep(const std::string& text) {
  const std::string failed = "failed at step ";
  if (size_t at = text.rfind(failed); at != std::string::npos) {
    size_t end = text.find_first_of(":\n", at + failed.size());
    return text.substr(at + failed.size(),
                       end == std::string::npos ? end : end - at - failed.size());
  }
  const std::string progress = ": step ";
  size_t at = text.rfind(progress);
  if (at == std::string::npos) return "";
  size_t colon = text.find(": ", at + progress.size());
  size_t eol = text.find('\n', at + progress.size());
  if (colon == std::string::npos || (eol != std::string::npos && colon > eol)) return "";
  std::string number = text.substr(at + progress.size(), colon - at - progress.size());
  std::string name = text.substr(colon + 2, eol == std::string::npos ? eol : eol - colon - 2);
  return number + " (" + name + ")";
}

// The VM name of an extension id (".../virtualMachines/<vm>/extensions/<name>").
std::string VmOfExtension(const std::string& id) {
  std::string vm = ParentOfExtension(id);
  return vm.substr(vm.rfind('/') + 1);
}

std::string ParentOf(const std::string& id, const std::string& segment) {
  size_t at = ToLower(id).rfind("/" + ToLower(segment) + "/");
  return at == std::string::npos ? "" : id.substr(0, at);
}
std::string ParentOfExtension(const std::string& id) { return ParentOf(id, "extensions"); }

// Whether the live resource carries this cluster's ownership mark.
bool MarkedOwned(const Json& live, const std::string& key) {
  return MarkedWith(live, key, spec::kOwnedTagValue);
}

// Attempts at a compare-and-swap of the image cache's ledger before giving up (each loses only
// to another cluster's change, so this many in a row means a storm of clusters).
constexpr int kLedgerAttempts = 20;

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Node {
  bool is_step = false;
  const plan::ResourceNode* resource = nullptr;
  const plan::DataPlaneStep* step = nullptr;
  std::string id, type, name;
  std::vector<size_t> next;  // nodes waiting on this one
  int unmet = 0;
  int lro_failures = 0;
  int blob_errors = 0;  // transient blob errors in a row
  bool started = false;
  bool purging = false;  // a deleted vault whose purge is under way
  // Differences Azure kept after easel wrote this body (store::ResourceRecord::overridden).
  std::vector<std::string> kept_by_azure;
  Clock::time_point start_time;
};

// How a node's bootstrap shows in progress: the VM boots, its extension follows kubeadm.
std::string NodeState(const std::string& type, const std::string& state) {
  if (type == plan::type::kVirtualMachine && state == "Creating") return "Booting";
  if (type != plan::type::kVmExtension) return state;
  if (state == "Creating" || state == "Waiting" || state == "Resuming") return "Bootstrapping";
  if (state == "Ready" || state == "Unchanged") return "Joined";
  return state;
}

class Run {
 public:
  Run(const Environment& env, std::string cluster, const plan::Plan& plan,
      const EngineOptions& options, bool deleting)
      : env_(env),
        plan_(plan),
        cluster_(std::move(cluster)),
        options_(options),
        deleting_(deleting),
        owner_key_(OwnershipKey(cluster_)),
        scheduler_(options.workers) {
    std::map<std::string, size_t> index;
    for (const plan::ResourceNode& r : plan.resources) {
      index[r.id] = nodes_.size();
      Node n;
      n.resource = &r;
      n.id = r.id;
      n.type = r.type;
      // A node's extension is shown as the node: every extension has the same name.
      n.name = r.type == plan::type::kVmExtension ? VmOfExtension(r.id) : r.name;
      nodes_.push_back(std::move(n));
    }
    if (Result<std::vector<store::ResourceRecord>> records = env_.store->ListResources(cluster_);
        records.ok()) {
      for (auto& [id, kept] : KeptByAzure(*records, plan)) {
        for (Node& n : nodes_) {
          if (ToLower(n.id) == id) n.kept_by_azure = kept;
        }
      }
    }
    for (const plan::DataPlaneStep& s : plan.steps) {
      index[s.id] = nodes_.size();
      Node n;
      n.is_step = true;
      n.step = &s;
      n.id = s.id;
      n.type = s.kind;
      n.name = s.name;
      nodes_.push_back(std::move(n));
    }
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const std::vector<std::string>& deps =
          nodes_[i].is_step ? nodes_[i].step->depends_on : nodes_[i].resource->depends_on;
      for (const std::string& d : deps) {
        auto it = index.find(d);
        if (it == index.end()) continue;
        // Apply: a node waits for what it depends on. Delete: for what depends on it.
        size_t before = deleting_ ? i : it->second, after = deleting_ ? it->second : i;
        nodes_[before].next.push_back(after);
        nodes_[after].unmet++;
      }
    }
  }

  Outcome Execute() {
    Result<std::vector<store::OperationRecord>> journal = env_.store->ListOperations(cluster_);
    if (!journal.ok()) return Failed("", journal.status().message());
    for (const store::OperationRecord& op : *journal) journal_[op.resource_id] = op;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (size_t i = 0; i < nodes_.size(); ++i) {
        if (nodes_[i].unmet == 0) StartLocked(i);
      }
    }
    scheduler_.Drain();
    std::lock_guard<std::mutex> lock(mu_);
    outcome_.ok = outcome_.first_error.empty() && done_ == nodes_.size();
    if (outcome_.first_error.empty() && done_ != nodes_.size()) {
      outcome_.first_error = "some resources did not run because what they depend on failed";
    }
    return outcome_;
  }

 private:
  // --- bookkeeping ---------------------------------------------------------------------------

  void StartLocked(size_t i) {
    Node& n = nodes_[i];
    n.started = true;
    n.start_time = Clock::now();
    scheduler_.Post([this, i] { Begin(i); });
  }

  void Report(size_t i, const std::string& state, const std::string& detail = "") {
    if (!options_.on_progress) return;
    Progress p;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const Node& n = nodes_[i];
      p = Progress{n.id,   n.type,
                   n.name, NodeState(n.type, state),
                   detail, std::chrono::duration_cast<milliseconds>(Clock::now() - n.start_time),
                   done_,  nodes_.size()};
    }
    options_.on_progress(p);
  }

  void Record(size_t i, const std::string& state, const std::string& error = "") {
    const Node& n = nodes_[i];
    std::string ownership = n.is_step ? "owned" : plan::ToString(n.resource->ownership);
    std::string hash = n.is_step ? "" : Sha256Hex(n.resource->body.dump());
    std::string kept;
    for (const std::string& text : n.kept_by_azure) kept += text + "\n";
    (void)env_.store->PutResource(
        {cluster_, n.id, n.type, ownership, NodeState(n.type, state), error, "", hash, "", kept});
  }

  void Event(const std::string& kind, const std::string& message) {
    (void)env_.store->AddEvent(cluster_, kind, message);
  }

  void Finish(size_t i, const std::string& state, const std::string& detail = "") {
    if (!deleting_ || state != "Deleted") Record(i, state);
    if (deleting_ && state == "Deleted") (void)env_.store->DeleteResource(cluster_, nodes_[i].id);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++done_;
      if (state == "Unchanged") outcome_.unchanged++;
      for (size_t next : nodes_[i].next) {
        if (--nodes_[next].unmet == 0) StartLocked(next);
      }
    }
    Report(i, state, detail);
  }

  void Fail(size_t i, const std::string& error) {
    Record(i, "Failed", error);
    Event("Warning", LabelOf(i) + " failed: " + error);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (outcome_.first_error.empty()) outcome_.first_error = nodes_[i].name + ": " + error;
    }
    Report(i, "Failed", error);
  }

  Outcome Failed(const std::string& what, const std::string& error) {
    Outcome o;
    o.first_error = what.empty() ? error : what + ": " + error;
    return o;
  }

  std::string TypeLabelOf(size_t i) const {
    const std::string& t = nodes_[i].type;
    return t.substr(t.rfind('/') + 1);
  }

  // "virtualMachines demo-cp-0", and for a bootstrap extension "node demo-cp-0".
  std::string LabelOf(size_t i) const {
    if (nodes_[i].type == plan::type::kVmExtension) return "node " + nodes_[i].name;
    return TypeLabelOf(i) + " " + nodes_[i].name;
  }

  // --- late-bound values --------------------------------------------------------------------

  void RememberLive(const std::string& id, const Json& body) {
    std::lock_guard<std::mutex> lock(mu_);
    live_[ToLower(id)] = body;
  }

  // The deployer's tenant and object id, from its ARM token (read once).
  Status LoadDeployer() {
    std::lock_guard<std::mutex> lock(deployer_mu_);
    if (!bindings_.deployer_object_id.empty()) return Status::Ok();
    Result<azure::AccessToken> token =
        env_.arm->credential()->GetToken(env_.arm->cloud().arm_scope);
    if (!token.ok()) return token.status();
    Result<azure::PrincipalClaims> claims = azure::ClaimsOf(token->token);
    if (!claims.ok()) return claims.status();
    bindings_.deployer_tenant_id = claims->tenant_id;
    bindings_.deployer_object_id = claims->object_id;
    bindings_.live = [this](const std::string& id) -> std::optional<Json> {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = live_.find(ToLower(id));
      if (it == live_.end()) return std::nullopt;
      return it->second;
    };
    return Status::Ok();
  }

  static bool HasPlaceholders(const Json& j) {
    if (j.is_object() || j.is_array()) {
      for (const Json& v : j) {
        if (HasPlaceholders(v)) return true;
      }
      return false;
    }
    return IsPlaceholder(j);
  }

  // The plan's body (or any plan value) with its late-bound values resolved.
  Result<Json> Resolved(const plan::Json& planned) {
    Json body = Json::parse(planned.dump());
    if (!HasPlaceholders(body)) return body;
    if (Status s = LoadDeployer(); !s.ok()) return s;
    LateBindings b;
    {
      std::lock_guard<std::mutex> lock(deployer_mu_);
      b = bindings_;
    }
    return ResolveLateBound(body, b);
  }

  void CountWrite() {
    std::lock_guard<std::mutex> lock(mu_);
    outcome_.writes++;
  }

  std::optional<store::OperationRecord> TakeJournal(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = journal_.find(id);
    if (it == journal_.end()) return std::nullopt;
    store::OperationRecord op = it->second;
    journal_.erase(it);
    return op;
  }

  // --- operations ------------------------------------------------------------------------------

  void Begin(size_t i) {
    // An operation journalled by an earlier, interrupted run is followed first, not sent again.
    if (std::optional<store::OperationRecord> op = TakeJournal(nodes_[i].id)) {
      Report(i, "Resuming", op->method);
      if (op->method == kCopyMethod) {
        PollCopy(i);
        return;
      }
      azure::PendingOperation pending;
      pending.method = op->method;
      pending.resource_id = op->resource_id;
      pending.api_version = op->api_version;
      pending.kind = azure::PollKindFromString(op->poll_kind);
      pending.poll_url = op->poll_url;
      Poll(i, pending);
      return;
    }
    Dispatch(i);
  }

  void Dispatch(size_t i) {
    const Node& n = nodes_[i];
    if (deleting_) {
      if (n.is_step && (n.step->kind == "imageReference" || n.step->kind == "imageRelease")) {
        ReleaseReference(i);
      } else if (!n.is_step && n.resource->ownership == plan::Ownership::kShared) {
        FinishShared(i);
      } else if (n.is_step || n.resource->ownership != plan::Ownership::kOwned) {
        Finish(i, "Kept");
      } else if (GoesWithParent(*n.resource)) {
        Finish(i, "Deleted", "with the resource it belongs to");
      } else {
        DeleteResource(i);
      }
      return;
    }
    if (n.is_step && n.step->kind == "vaultSecrets") {
      ReconcileVaultSecrets(i);
    } else if (n.is_step && n.step->kind == "imageReference") {
      HoldReference(i);
    } else if (n.is_step && n.step->kind == "imageRelease") {
      ReleaseReference(i);  // a reference the cluster no longer holds (plan::CarryReleases)
    } else if (n.is_step && n.step->kind == "blobUpload") {
      ReconcileUpload(i);
    } else if (n.is_step) {
      ReconcileCopy(i);
    } else {
      ReconcileResource(i);
    }
  }

  // A cluster's pools and extensions, when their cluster is deleted in the same run.
  bool GoesWithParent(const plan::ResourceNode& r) const {
    if (!plan::DeletedWithParent(r.type)) return false;
    const std::string id = ToLower(r.id);
    for (const plan::ResourceNode& other : plan_.resources) {
      const std::string prefix = ToLower(other.id) + "/";
      if (&other != &r && other.ownership == plan::Ownership::kOwned &&
          id.compare(0, prefix.size(), prefix) == 0) {
        return true;
      }
    }
    return false;
  }

  void Journal(size_t i, const azure::PendingOperation& op) {
    store::OperationRecord rec{
        cluster_, op.resource_id, op.method, op.api_version, azure::ToString(op.kind), op.poll_url,
        ""};
    (void)env_.store->PutOperation(rec);
    (void)i;
  }

  // Follows an operation to its end, then continues with the node's normal course: a finished PUT
  // or DELETE is followed by a fresh look at the resource, so a resumed run decides from what is
  // there now.
  void Poll(size_t i, azure::PendingOperation op) {
    Result<azure::OperationOutcome> r = azure::PollOnce(*env_.arm, op);
    if (!r.ok()) {
      scheduler_.Post([this, i, op] { Poll(i, op); }, kRecheckDelay);  // transport trouble
      return;
    }
    switch (r->state) {
      case azure::OperationState::kInProgress: {
        milliseconds wait = r->retry_after;
        scheduler_.Post([this, i, op] { Poll(i, op); }, wait);
        return;
      }
      case azure::OperationState::kSucceeded:
        (void)env_.store->DeleteOperation(cluster_, op.resource_id);
        if (op.method == kPurgeMethod) {
          Event("Normal", "purged the deleted key vault " + nodes_[i].name + " (its name is free)");
          if (deleting_) return Finish(i, "Deleted");
          return Dispatch(i);
        }
        if (op.method == "DELETE") {
          if (deleting_) {
            Event("Normal", "deleted " + TypeLabelOf(i) + " " + nodes_[i].name);
            if (nodes_[i].type == plan::type::kKeyVault) return PurgeDeletedVault(i);
            Finish(i, "Deleted");
          } else {
            Dispatch(i);
          }
          return;
        }
        if (deleting_) {
          DeleteResource(i);
        } else {
          ReconcileResource(i, /*after_write=*/true);
        }
        return;
      case azure::OperationState::kFailed: {
        (void)env_.store->DeleteOperation(cluster_, op.resource_id);
        std::string error =
            r->error_code + (r->error_message.empty() ? "" : ": " + r->error_message);
        if (nodes_[i].type == plan::type::kVmExtension && !deleting_ &&
            r->error_code == kExtensionFailed) {
          // The node's bootstrap failed: sending the extension again would not run it again.
          // (Other failures are the platform's and are retried like any operation.)
          return Fail(i, BootstrapFailure(i, error));
        }
        int failures;
        {
          std::lock_guard<std::mutex> lock(mu_);
          failures = ++nodes_[i].lro_failures;
        }
        if (failures <= options_.lro_failure_retries) {
          Report(i, "Retrying", error);
          scheduler_.Post([this, i] { Dispatch(i); }, kRecheckDelay * failures);
          return;
        }
        Fail(i, error);
        return;
      }
    }
  }

  // --- bootstrap -------------------------------------------------------------------------------

  // Which step of a node's bootstrap failed and the last lines of its output, from the
  // extension's instance view (what the CustomScript extension captured).
  std::string BootstrapFailure(size_t i, const std::string& error) {
    const plan::ResourceNode& r = *nodes_[i].resource;
    std::string out = "bootstrap failed (" + error + ")";
    Result<azure::ArmResponse> got =
        env_.arm->Call("GET", r.id + "?$expand=instanceView", r.api_version);
    if (!got.ok() || got->status != 200) return out;
    Json::json_pointer subs("/properties/instanceView/substatuses");
    if (!got->body.contains(subs) || !got->body[subs].is_array()) return out;
    std::string stdout_text, stderr_text;
    for (const Json& sub : got->body[subs]) {
      if (!sub.is_object()) continue;
      std::string code = sub.value("code", ""), message = sub.value("message", "");
      if (code.find("/StdOut/") != std::string::npos) stdout_text = message;
      if (code.find("/StdErr/") != std::string::npos) stderr_text = message;
    }
    std::string step = FailedStep(stderr_text);
    if (step.empty()) step = FailedStep(stdout_text);
    std::string tail = Tail(stderr_text.empty() ? stdout_text : stderr_text, kOutputTailLines);
    if (!step.empty()) out += " at step " + step;
    if (!tail.empty()) out += "; output:\n" + tail;
    return out;
  }

  // Sets the VM's customData from its user data placeholder (on creation only).
  Status AddUserData(size_t i, Json* body) {
    std::string role = UserDataRole(*body);
    if (role.empty()) return Status::Ok();
    Json& os = (*body)["properties"]["osProfile"];
    if (!env_.bootstrap || !env_.bootstrap->user_data) {
      os.erase("customData");
      return Status::Ok();
    }
    Result<Json> facts = Resolved(plan_.bootstrap);
    if (!facts.ok()) return facts.status();
    Result<std::string> text = env_.bootstrap->user_data(nodes_[i].name, role, *facts);
    if (!text.ok()) return text.status();
    os["customData"] = Base64Encode(*text);
    return Status::Ok();
  }

  // Writes the cluster's private keys into its vault (data plane: no ARM write), each only when
  // the vault does not hold that value already.
  void ReconcileVaultSecrets(size_t i) {
    const plan::DataPlaneStep& step = *nodes_[i].step;
    if (!env_.bootstrap || !env_.bootstrap->vault_secrets) return Finish(i, "Unchanged");
    Result<Json> uri = Resolved(plan::Json(step.destination));
    if (!uri.ok()) return Fail(i, uri.status().message());
    if (!uri->is_string()) return Fail(i, "the vault has no URI");
    Result<std::vector<std::pair<std::string, std::string>>> secrets =
        env_.bootstrap->vault_secrets();
    if (!secrets.ok()) return Fail(i, secrets.status().message());
    azure::KeyVaultClient vault(env_.http, env_.arm->credential(),
                                env_.arm->cloud().key_vault_resource);
    size_t written = 0;
    for (const auto& [name, value] : *secrets) {
      Result<std::optional<std::string>> have = vault.GetSecret(uri->get<std::string>(), name);
      if (!have.ok()) {
        if (RetryBlobLater(i, have.status(), [this, i] { ReconcileVaultSecrets(i); })) return;
        return Fail(i, have.status().message());
      }
      if (*have && **have == value) continue;
      if (written == 0) Report(i, "Writing", "into " + uri->get<std::string>());
      Status set = vault.SetSecret(uri->get<std::string>(), name, value);
      if (!set.ok()) {
        if (RetryBlobLater(i, set, [this, i] { ReconcileVaultSecrets(i); })) return;
        return Fail(i, set.message());
      }
      ++written;
    }
    BlobSucceeded(i);
    if (written == 0) return Finish(i, "Unchanged");
    Event("Normal", "wrote " + std::to_string(written) + " secrets into the key vault");
    Finish(i, "Ready");
  }

  // --- Key Vault soft delete --------------------------------------------------------------------

  // The id of the soft-deleted vault a vault node leaves behind.
  std::string DeletedVaultId(size_t i) const {
    const plan::ResourceNode& r = *nodes_[i].resource;
    std::string sub = r.id.substr(0, r.id.find("/resourceGroups/"));
    std::string location = r.body.value("location", "");
    return sub + "/providers/Microsoft.KeyVault/locations/" + location + "/deletedVaults/" + r.name;
  }

  // A deleted vault keeps its name for its retention period; purging frees it, so that a
  // cluster of the same name can be created again.
  void PurgeDeletedVault(size_t i) {
    const plan::ResourceNode& r = *nodes_[i].resource;
    {
      std::lock_guard<std::mutex> lock(mu_);
      nodes_[i].purging = true;
    }
    Report(i, "Purging");
    CountWrite();
    std::string deleted = DeletedVaultId(i);
    Result<azure::ArmResponse> purge = env_.arm->Call("POST", deleted + "/purge", r.api_version);
    if (!purge.ok()) return Fail(i, purge.status().message());
    if (purge->status == 404) return deleting_ ? Finish(i, "Deleted") : Dispatch(i);
    if (purge->status != 200 && purge->status != 202) {
      return Fail(i, "purging the deleted key vault: " + azure::Describe(*purge));
    }
    azure::PendingOperation op = azure::StartedOperation(kPurgeMethod, r.id, r.api_version, *purge);
    if (op.kind != azure::PollKind::kNone) Journal(i, op);
    scheduler_.Post([this, i, op] { Poll(i, op); }, op.retry_after);
  }

  // The vault's name is taken: by this cluster's own deleted vault (a cluster deleted while easel
  // could not purge), which is purged, or by someone else's, which is an error.
  void PurgeOwnDeletedVault(size_t i, const std::string& conflict) {
    const plan::ResourceNode& r = *nodes_[i].resource;
    Result<azure::ArmResponse> got = env_.arm->Call("GET", DeletedVaultId(i), r.api_version);
    if (!got.ok()) return Fail(i, got.status().message());
    Json tags = got->status == 200 && got->body.contains("properties")
                    ? got->body["properties"].value("tags", Json::object())
                    : Json();
    if (got->status != 200 || !MarkedOwned(Json{{"tags", tags}}, owner_key_)) {
      return Fail(i, conflict +
                         " (key vault names are global, and a deleted vault keeps its "
                         "name until it is purged)");
    }
    PurgeDeletedVault(i);
  }

  void ReconcileResource(size_t i, bool after_write = false) {
    const plan::ResourceNode& r = *nodes_[i].resource;
    Result<azure::ArmResponse> got = env_.arm->Call("GET", r.id, r.api_version);
    if (!got.ok()) return Fail(i, got.status().message());
    if (r.action == plan::Action::kRead) {
      if (got->status == 200) {
        RememberLive(r.id, got->body);
        return Finish(i, "Ready");
      }
      if (got->status == 404) {
        return Fail(i, "the existing " + TypeLabelOf(i) + " " + r.name +
                           " was not found (easel reads it and never creates it)");
      }
      return Fail(i, azure::Describe(*got));
    }
    if (got->status == 200) {
      if (r.ownership == plan::Ownership::kShared && !MarkedFor(r, got->body, owner_key_)) {
        return Fail(i, "exists and is not the image cache's (no " +
                           std::string(spec::kImageCacheTag) + "=" + SharedMarkOf(r) +
                           " mark); easel does not take over resources it did not create");
      }
      bool marked = r.ownership == plan::Ownership::kShared || MarkedOwned(got->body, owner_key_) ||
                    plan::OwnershipFollowsParent(r.type);
      if (!marked) {
        return Fail(i, "exists and is not owned by cluster " + cluster_ + " (no " + owner_key_ +
                           "=owned mark); easel does not take over resources it did not create");
      }
      if (!azure::IsTerminalProvisioningState(got->body)) {
        // An operation easel did not journal (a crash just after sending it), or Azure's own.
        Report(i, "Waiting", "an operation is in progress");
        return WaitOut(i);
      }
      Result<Json> resolved = Resolved(r.body);
      if (!resolved.ok()) return Fail(i, resolved.status().message());
      Json desired = std::move(resolved).value();
      StripUserData(&desired);
      Json comparable = ComparableBody(r, std::move(desired));
      // Differences Azure kept after easel last wrote this very body (a `modify` policy
      // overwriting a tag easel sets) do not count: writing it again would change nothing.
      std::vector<Difference> kept;
      std::string difference =
          DifferenceBeyond(comparable, got->body, nodes_[i].kept_by_azure, &kept);
      RememberLive(r.id, got->body);
      // A resource Azure left Failed is sent again (ARM's way to retry it), even when its body
      // matches: for a bootstrap extension this runs its check on the node once more.
      Json::json_pointer state("/properties/provisioningState");
      if (!after_write && got->body.contains(state) && got->body[state].is_string() &&
          ToLower(got->body[state].get<std::string>()) == "failed") {
        return Put(i, "Updating", "its provisioningState is Failed", &got->body);
      }
      if (difference.empty()) {
        SetKept(i, kept);
        return Finish(i, after_write ? "Ready" : "Unchanged",
                      kept.empty() ? "" : KeptMessage(kept));
      }
      if (after_write) {
        // Azure accepted the body but keeps other values (a policy's): remember them with the
        // body's hash, so that no later apply sends this body again for them, and say so once.
        std::vector<Difference> all = AllDifferences(comparable, got->body);
        SetKept(i, all);
        std::string message = KeptMessage(all);
        Event("Warning", TypeLabelOf(i) + " " + r.name + ": " + message);
        return Finish(i, "Ready", message);
      }
      return Put(i, "Updating", difference, &got->body);
    }
    if (got->status == 404) return Put(i, "Creating", "");
    return Fail(i, azure::Describe(*got));
  }

  // Follows an operation on node i's resource that easel did not send (or did not journal) until
  // the resource is in a terminal state, or gone; then the node goes on as after its own write.
  void WaitOut(size_t i) {
    const plan::ResourceNode& r = *nodes_[i].resource;
    azure::PendingOperation op;
    op.method = azure::kWaitMethod;
    op.resource_id = r.id;
    op.api_version = r.api_version;
    op.kind = azure::PollKind::kProvisioningState;
    scheduler_.Post([this, i, op] { Poll(i, op); }, kRecheckDelay);
  }

  void SetKept(size_t i, const std::vector<Difference>& kept) {
    std::vector<std::string> texts;
    for (const Difference& d : kept) texts.push_back(d.text);
    nodes_[i].kept_by_azure = std::move(texts);
  }

  // A PUT replaces the resource: a VNet PUT without `subnets` deletes its subnets. Subnets are
  // planned as resources of their own, so an update of a VNet carries the live ones along.
  static Json BodyToSend(const plan::ResourceNode& r, Json body, const Json* live) {
    // customData cannot change after creation, and Azure never returns it.
    if (live) StripUserData(&body);
    if (live) body = UpdateBody(r, std::move(body), *live);
    if (live && r.type == plan::type::kVirtualNetwork && live->contains("properties") &&
        (*live)["properties"].contains("subnets") && !body["properties"].contains("subnets")) {
      body["properties"]["subnets"] = (*live)["properties"]["subnets"];
    }
    return body;
  }

  void Put(size_t i, const std::string& verb, const std::string& detail,
           const Json* live = nullptr) {
    const plan::ResourceNode& r = *nodes_[i].resource;
    Result<Json> resolved = Resolved(r.body);
    if (!resolved.ok()) return Fail(i, resolved.status().message());
    Json body = BodyToSend(r, std::move(resolved).value(), live);
    if (!live) {
      if (Status s = AddUserData(i, &body); !s.ok()) return Fail(i, s.message());
    }
    Report(i, verb, detail);
    Record(i, verb);
    CountWrite();
    Result<azure::ArmResponse> put = env_.arm->Call("PUT", r.id, r.api_version, body);
    if (!put.ok()) return Fail(i, put.status().message());
    if (put->status == 409 && r.type == plan::type::kKeyVault && !nodes_[i].purging) {
      return PurgeOwnDeletedVault(i, azure::Describe(*put));
    }
    if (put->status != 200 && put->status != 201 && put->status != 202) {
      if (put->status == 409 && r.ownership == plan::Ownership::kShared) {
        return Fail(i, azure::Describe(*put) +
                           " (another cluster may be creating the image cache at this moment, in "
                           "another resource group: run apply again to use it)");
      }
      return Fail(i, azure::Describe(*put));
    }
    Event("Normal", (verb == "Creating" ? "creating " : "updating ") + TypeLabelOf(i) + " " +
                        r.name + (detail.empty() ? "" : " (" + detail + ")"));
    azure::PendingOperation op = azure::StartedOperation("PUT", r.id, r.api_version, *put);
    if (op.kind != azure::PollKind::kNone) Journal(i, op);
    milliseconds wait = op.kind == azure::PollKind::kNone ? milliseconds(0) : op.retry_after;
    scheduler_.Post([this, i, op] { Poll(i, op); }, wait);
  }

  void DeleteResource(size_t i) {
    const plan::ResourceNode& r = *nodes_[i].resource;
    Result<azure::ArmResponse> got = env_.arm->Call("GET", r.id, r.api_version);
    if (!got.ok()) return Fail(i, got.status().message());
    if (got->status == 404) return Finish(i, "Deleted", "already gone");
    if (got->status != 200) return Fail(i, azure::Describe(*got));
    // The live mark decides, not the store: a resource someone else re-created is left alone.
    Json owner_view = got->body;
    if (r.type == plan::type::kSubnet) {
      std::string vnet = ParentOf(r.id, "subnets");
      Result<azure::ArmResponse> parent = env_.arm->Call("GET", vnet, r.api_version);
      if (!parent.ok()) return Fail(i, parent.status().message());
      owner_view = parent->status == 200 ? parent->body : Json();
    }
    const bool follows_parent =
        plan::OwnershipFollowsParent(r.type) && r.type != plan::type::kSubnet;
    if (!follows_parent && !MarkedOwned(owner_view, owner_key_)) {
      Event("Warning", TypeLabelOf(i) + " " + r.name + " is not marked as owned by " + cluster_ +
                           ": left alone");
      return Finish(i, "Kept", "not owned by this cluster");
    }
    if (!azure::IsTerminalProvisioningState(got->body)) return WaitOut(i);
    Report(i, "Deleting");
    Record(i, "Deleting");
    CountWrite();
    Result<azure::ArmResponse> del = env_.arm->Call("DELETE", r.id, r.api_version);
    if (!del.ok()) return Fail(i, del.status().message());
    if (del->status == 404 || del->status == 204 || del->status == 200) {
      Event("Normal", "deleted " + TypeLabelOf(i) + " " + r.name);
      if (r.type == plan::type::kKeyVault) return PurgeDeletedVault(i);
      return Finish(i, "Deleted");
    }
    if (del->status != 202) return Fail(i, azure::Describe(*del));
    azure::PendingOperation op = azure::StartedOperation("DELETE", r.id, r.api_version, *del);
    Journal(i, op);
    scheduler_.Post([this, i, op] { Poll(i, op); }, op.retry_after);
  }

  // --- the VHD copy ----------------------------------------------------------------------------

  // The storage account (ARM id and name) a copy step writes into.
  std::pair<std::string, std::string> AccountOf(size_t i) const {
    const plan::DataPlaneStep& s = *nodes_[i].step;
    std::string container_id = s.depends_on.empty() ? "" : s.depends_on[0];
    std::string account_id = ParentOf(container_id, "blobServices");
    return {account_id, account_id.substr(account_id.rfind('/') + 1)};
  }

  // The account's blob client: an Entra ID token at first, which costs no ARM call.
  azure::BlobClient* BlobFor(size_t i) {
    std::string account = AccountOf(i).second;
    std::lock_guard<std::mutex> lock(blob_mu_);
    std::unique_ptr<azure::BlobClient>& client = blobs_[account];
    if (!client) {
      client = std::make_unique<azure::BlobClient>(env_.http, account, env_.arm->credential(),
                                                   env_.arm->cloud().storage_scope);
    }
    return client.get();
  }

  // Storage refused the token (the principal has no data role on the account): the account's
  // key signs its requests from now on, at the cost of listKeys, one ARM write. The token client
  // stays alive (retired): another step may still hold it.
  Result<azure::BlobClient*> FallBackToAccountKey(size_t i, const Status& refused) {
    auto [account_id, account] = AccountOf(i);
    std::lock_guard<std::mutex> lock(blob_mu_);
    std::unique_ptr<azure::BlobClient>& client = blobs_[account];
    if (client && client->signs_with_shared_key()) return client.get();  // another step did it
    Result<std::string> key = azure::ListFirstKey(*env_.arm, account_id, plan::api::kStorage);
    std::string warning = AccountKeyWarning(account, refused.message(), "copy");
    {
      std::lock_guard<std::mutex> lock(mu_);
      outcome_.writes++;  // listKeys was sent, whatever it answered
      if (key.ok()) outcome_.warnings.push_back(warning);
    }
    if (!key.ok()) return key.status();
    Event("Warning", warning);
    if (client) retired_blobs_.push_back(std::move(client));
    client = std::make_unique<azure::BlobClient>(env_.http, account, *key);
    return client.get();
  }

  // Runs `call` on the step's blob client; when storage refuses the token, once more signed
  // with the account key.
  template <typename Call>
  auto OnBlob(size_t i, Call call) -> decltype(call(std::declval<azure::BlobClient&>())) {
    azure::BlobClient* blob = BlobFor(i);
    auto result = call(*blob);
    if (result.ok() || result.status().code() != StatusCode::kPermissionDenied ||
        blob->signs_with_shared_key()) {
      return result;
    }
    Result<azure::BlobClient*> keyed = FallBackToAccountKey(i, result.status());
    if (!keyed.ok()) return keyed.status();
    auto again = call(**keyed);
    if (!again.ok() && again.status().code() == StatusCode::kPermissionDenied) {
      return Status::PermissionDenied(
          "storage account " + AccountOf(i).second + " refused both easel's token (" +
          result.status().message() + ") and the account key (" + again.status().message() +
          "): grant the principal Storage Blob Data Contributor on the account");
    }
    return again;
  }

  // True when `error` is transient and the copy step should try `again` later (it has not failed
  // kBlobRetries times in a row); false when it should fail now.
  bool RetryBlobLater(size_t i, const Status& error, std::function<void()> again) {
    if (error.code() != StatusCode::kUnavailable) return false;
    int errors;
    {
      std::lock_guard<std::mutex> lock(mu_);
      errors = ++nodes_[i].blob_errors;
    }
    if (errors > kBlobRetries) return false;
    Report(i, "Retrying", error.message());
    scheduler_.Post(std::move(again), kRecheckDelay * errors);
    return true;
  }

  void BlobSucceeded(size_t i) {
    std::lock_guard<std::mutex> lock(mu_);
    nodes_[i].blob_errors = 0;
  }

  // The image made from the copied blob, when the plan has one; its name carries a hash of the
  // source URL, so an image that exists and succeeded means this copy was done.
  const plan::ResourceNode* ImageFedBy(size_t i) const {
    for (size_t next : nodes_[i].next) {
      const Node& n = nodes_[next];
      if (!n.is_step && n.resource->type == plan::type::kImage) return n.resource;
    }
    return nullptr;
  }

  // Whether the image the step's blob feeds exists already (then the blob's work was done): saves
  // the blob reads on an unchanged cluster.
  bool ImageAlreadyMade(size_t i) {
    const plan::ResourceNode* image = ImageFedBy(i);
    if (!image) return false;
    Result<azure::ArmResponse> got = env_.arm->Call("GET", image->id, image->api_version);
    const bool marked = got.ok() && MarkedFor(*image, got->body, owner_key_);
    return got.ok() && got->status == 200 && marked && got->body["properties"].is_object() &&
           got->body["properties"].contains("provisioningState") &&
           got->body["properties"]["provisioningState"].is_string() &&
           ToLower(got->body["properties"]["provisioningState"].get<std::string>()) == "succeeded";
  }

  // A local VHD uploaded into the container. The upload is resumable by itself (a marker in the
  // blob's metadata), so a restarted apply continues it without a journal entry.
  void ReconcileUpload(size_t i) {
    const plan::DataPlaneStep& s = *nodes_[i].step;
    if (ImageAlreadyMade(i) && (!ContentNamed(i) || CachedVhdExists(i))) {
      return Finish(i, "Unchanged", "its image exists");
    }
    auto [account_id, account] = AccountOf(i);
    Report(i, "Uploading", s.source);
    Record(i, "Uploading");
    Result<UploadStepOutcome> up =
        UploadVhdStep(*env_.arm, s.source, s.destination, account_id, account,
                      [this, i](const image::UploadProgress& p) {
                        Report(i, "Uploading",
                               std::to_string(p.read_bytes) + "/" + std::to_string(p.extent_bytes));
                      });
    if (!up.ok()) return Fail(i, "uploading " + s.source + ": " + up.status().message());
    if (up->listed_keys) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        outcome_.writes++;  // listKeys
        outcome_.warnings.push_back(up->key_warning);
      }
      Event("Warning", up->key_warning);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      outcome_.uploads++;
    }
    Event("Normal", "uploaded " + s.source + " to " + s.destination + " (" +
                        std::to_string(up->result.sent_bytes) + " bytes sent)");
    Finish(i, "Ready", std::to_string(up->result.sent_bytes) + " bytes sent");
  }

  // Whether the image cache's VHD is there (it holds the ledger the reference step needs).
  bool CachedVhdExists(size_t i) {
    const plan::DataPlaneStep& s = *nodes_[i].step;
    Result<azure::BlobProperties> props =
        OnBlob(i, [&](azure::BlobClient& blob) { return blob.GetProperties(s.destination); });
    return props.ok() && props->exists;
  }

  // The image cache's VHD, which is named by its content (its image is shared).
  bool ContentNamed(size_t i) const {
    const plan::ResourceNode* image = ImageFedBy(i);
    return image && image->ownership == plan::Ownership::kShared;
  }

  void ReconcileCopy(size_t i) {
    const plan::DataPlaneStep& s = *nodes_[i].step;
    // (The cache's VHD is read in any case: it holds the ledger the next step needs.)
    const bool content_named = ContentNamed(i);
    if (!content_named && ImageAlreadyMade(i)) return Finish(i, "Unchanged", "its image exists");
    std::string source = azure::ResolveBlobUrl(env_.arm->cloud(), s.source);
    Result<azure::BlobCopyState> state =
        OnBlob(i, [&](azure::BlobClient& blob) { return blob.CopyState(s.destination); });
    if (!state.ok()) {
      if (RetryBlobLater(i, state.status(), [this, i] { ReconcileCopy(i); })) return;
      return Fail(i, state.status().message());
    }
    BlobSucceeded(i);
    // The image cache's VHD is named by its content: copied from another URL of the same content
    // it is just as good, and copying again would replace its metadata, the ledger.
    if (state->exists && state->status == "success" && (state->source == source || content_named)) {
      return Finish(i, "Unchanged");
    }
    if (state->exists && state->status == "pending") return PollCopy(i);
    Report(i, "Copying", source);
    Record(i, "Copying");
    Result<std::string> started = OnBlob(i, [&](azure::BlobClient& blob) {
      // The cache's copy starts an empty ledger (a source's metadata, say another cache's
      // ledger, must not come along).
      return blob.StartCopy(source, s.destination,
                            content_named
                                ? std::map<std::string, std::string>{{"easelcache", "vhd"}}
                                : std::map<std::string, std::string>{});
    });
    if (!started.ok() && started.status().code() == StatusCode::kAborted) {
      // Another apply started the same copy a moment ago (two clusters of the image cache, say):
      // follow it instead.
      Report(i, "Copying", "following the copy already pending");
      return PollCopy(i);
    }
    if (!started.ok()) {
      if (RetryBlobLater(i, started.status(), [this, i] { ReconcileCopy(i); })) return;
      return Fail(i, started.status().message());
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      outcome_.copies++;
    }
    (void)env_.store->PutOperation({cluster_, s.id, kCopyMethod, "", "copy", s.destination, ""});
    Event("Normal", "copying " + source + " to " + s.destination);
    scheduler_.Post([this, i] { PollCopy(i); }, kRecheckDelay);
  }

  void PollCopy(size_t i) {
    const plan::DataPlaneStep& s = *nodes_[i].step;
    Result<azure::BlobCopyState> state =
        OnBlob(i, [&](azure::BlobClient& blob) { return blob.CopyState(s.destination); });
    if (!state.ok()) {
      if (RetryBlobLater(i, state.status(), [this, i] { PollCopy(i); })) return;
      return Fail(i, state.status().message());
    }
    BlobSucceeded(i);
    if (state->exists && state->status == "pending") {
      Report(i, "Copying", state->progress);
      scheduler_.Post([this, i] { PollCopy(i); }, state->retry_after);
      return;
    }
    (void)env_.store->DeleteOperation(cluster_, s.id);
    if (state->exists && state->status == "success") return Finish(i, "Ready");
    int failures;
    {
      std::lock_guard<std::mutex> lock(mu_);
      failures = ++nodes_[i].lro_failures;
    }
    std::string why = "copy " + (state->exists ? state->status : "vanished") +
                      (state->description.empty() ? "" : ": " + state->description);
    if (failures <= options_.lro_failure_retries) {
      Report(i, "Retrying", why);
      scheduler_.Post([this, i] { ReconcileCopy(i); }, kRecheckDelay * failures);
      return;
    }
    Fail(i, why);
  }

  // --- the image cache's references (engine/image_ledger.h) ------------------------------------

  // The cached VHD's properties, its metadata being the ledger; false (after failing or
  // rescheduling the node through `again`) when they could not be read.
  bool ReadLedgerBlob(size_t i, azure::BlobProperties* out, std::function<void()> again) {
    const plan::DataPlaneStep& s = *nodes_[i].step;
    Result<azure::BlobProperties> props =
        OnBlob(i, [&](azure::BlobClient& blob) { return blob.GetProperties(s.destination); });
    if (!props.ok()) {
      if (!RetryBlobLater(i, props.status(), std::move(again))) Fail(i, props.status().message());
      return false;
    }
    BlobSucceeded(i);
    *out = std::move(props).value();
    return true;
  }

  // Runs a conditional write on the step's blob: true when written, false when another cluster
  // changed the blob first (read again), an error otherwise.
  Result<bool> Conditional(size_t i, const std::function<Status(azure::BlobClient&)>& write) {
    return OnBlob(i, [&](azure::BlobClient& blob) -> Result<bool> {
      Status st = write(blob);
      if (st.code() == StatusCode::kAborted) return false;
      if (!st.ok()) return st;
      return true;
    });
  }

  // Writes `metadata` into the ledger if it is still at `etag` (Conditional).
  Result<bool> SwapLedger(size_t i, const BlobMetadata& metadata, const std::string& etag) {
    const std::string& url = nodes_[i].step->destination;
    return Conditional(
        i, [&](azure::BlobClient& blob) { return blob.SetMetadata(url, metadata, etag); });
  }

  // Apply: adds this cluster's reference to the ledger of the shared image its VMs boot from.
  void HoldReference(size_t i, int attempt = 0) {
    const plan::DataPlaneStep& s = *nodes_[i].step;
    const std::string key = plan::ReferenceKeyOf(s);
    azure::BlobProperties props;
    if (!ReadLedgerBlob(i, &props, [this, i, attempt] { HoldReference(i, attempt); })) return;
    if (!props.exists) {
      // The VHD step before this one put it there: it went since (someone removed it).
      return Fail(i, "the image cache's VHD " + s.destination +
                         " went while this apply ran (removed by someone); run apply again");
    }
    Ledger ledger = ReadLedger(props.metadata);
    if (ledger.releasing() && ledger.releasing_key != key && !ledger.StaleRelease(UnixNow())) {
      return Fail(i, "the shared image " + s.source +
                         " is being removed by the delete of cluster " + ledger.releasing_cluster +
                         "; run apply again when it has finished");
    }
    if (ledger.releasing()) {
      // This cluster's own delete, interrupted, or a delete that died long ago: the reference
      // clears the mark, and the image (next) is made again if it went meanwhile.
      Event("Warning", "takes over the image cache's ledger " + s.destination +
                           " from an unfinished release by " +
                           (ledger.releasing_cluster.empty() ? "an unknown cluster"
                                                             : ledger.releasing_cluster));
    }
    if (ledger.references.count(key) && !ledger.releasing()) {
      return Finish(i, "Unchanged",
                    "held (" + std::to_string(ledger.references.size()) + " clusters)");
    }
    Report(i, "Referencing", s.source);
    Result<bool> wrote = SwapLedger(i, WithReference(props.metadata, key, cluster_), props.etag);
    if (!wrote.ok()) return Fail(i, wrote.status().message());
    if (!*wrote)
      return RetryLedger(i, attempt, [this, i, attempt] { HoldReference(i, attempt + 1); });
    const size_t users = ledger.references.size() + 1;
    Event("Normal", "holds a reference to the shared image " + s.source + " (" +
                        std::to_string(users) + " clusters use it)");
    Finish(i, "Ready", "held (" + std::to_string(users) + " clusters)");
  }

  // Another cluster changed the ledger between the read and the write: read again, a little
  // later each time.
  void RetryLedger(size_t i, int attempt, std::function<void()> again) {
    if (attempt + 1 >= kLedgerAttempts) {
      return Fail(i, "the image cache's ledger changed under every one of " +
                         std::to_string(kLedgerAttempts) + " attempts to update it");
    }
    Report(i, "Retrying", "the ledger changed (another cluster): reading it again");
    scheduler_.Post(std::move(again), milliseconds(50 * (attempt + 1)));
  }

  // Delete: removes this cluster's reference; the last one removes the shared image, then its VHD.
  // A delete interrupted after it marked the ledger as released continues the removal.
  void ReleaseReference(size_t i, int attempt = 0) {
    const plan::DataPlaneStep& s = *nodes_[i].step;
    const std::string key = plan::ReferenceKeyOf(s);
    azure::BlobProperties props;
    if (!ReadLedgerBlob(i, &props, [this, i, attempt] { ReleaseReference(i, attempt); })) return;
    if (!props.exists) return Finish(i, "Deleted", "the cached VHD is gone: nothing to release");
    Ledger ledger = ReadLedger(props.metadata);
    if (!ledger.references.count(key)) {
      // This release marked the ledger and was interrupted: it goes on (no one took a reference).
      if (ledger.releasing_key == key && ledger.references.empty()) return RemoveSharedImage(i);
      return Finish(i, "Deleted", "no reference held");
    }
    Report(i, "Releasing", s.source);
    Release release = WithoutReference(props.metadata, key, cluster_, UnixNow());
    Result<bool> wrote = SwapLedger(i, release.metadata, props.etag);
    if (!wrote.ok()) return Fail(i, wrote.status().message());
    if (!*wrote) {
      return RetryLedger(i, attempt, [this, i, attempt] { ReleaseReference(i, attempt + 1); });
    }
    if (!release.last) {
      Event("Normal", "released its reference to the shared image " + s.source + " (" +
                          std::to_string(release.remaining) + " clusters still use it)");
      return Finish(i, "Deleted",
                    "released; " + std::to_string(release.remaining) + " clusters still use it");
    }
    RemoveSharedImage(i);
  }

  // The last reference went: the shared image is deleted (no VM needs it once created).
  void RemoveSharedImage(size_t i) {
    const plan::DataPlaneStep& s = *nodes_[i].step;
    Report(i, "Deleting", "the shared image, its last user gone");
    CountWrite();
    Result<azure::ArmResponse> del = env_.arm->Call("DELETE", s.source, plan::api::kCompute);
    if (!del.ok()) return Fail(i, del.status().message());
    if (del->status == 200 || del->status == 204 || del->status == 404) return RemoveCachedVhd(i);
    if (del->status != 202) return Fail(i, "deleting the shared image: " + azure::Describe(*del));
    azure::PendingOperation op =
        azure::StartedOperation("DELETE", s.source, plan::api::kCompute, *del);
    scheduler_.Post([this, i, op] { PollImageRemoval(i, op); }, op.retry_after);
  }

  void PollImageRemoval(size_t i, azure::PendingOperation op) {
    Result<azure::OperationOutcome> r = azure::PollOnce(*env_.arm, op);
    if (!r.ok() || r->state == azure::OperationState::kInProgress) {
      milliseconds wait = r.ok() ? r->retry_after : kRecheckDelay;
      scheduler_.Post([this, i, op] { PollImageRemoval(i, op); }, wait);
      return;
    }
    if (r->state == azure::OperationState::kFailed) {
      return Fail(i, "deleting the shared image: " + r->error_code + ": " + r->error_message);
    }
    RemoveCachedVhd(i);
  }

  // Then the cached VHD (the ledger with it), if no one took a reference since (none can: the
  // ledger says it is being released, and every change to it is a compare-and-swap).
  void RemoveCachedVhd(size_t i, int attempt = 0) {
    const plan::DataPlaneStep& s = *nodes_[i].step;
    azure::BlobProperties props;
    if (!ReadLedgerBlob(i, &props, [this, i, attempt] { RemoveCachedVhd(i, attempt); })) return;
    if (props.exists) {
      Ledger ledger = ReadLedger(props.metadata);
      if (!ledger.references.empty() || ledger.releasing_key != plan::ReferenceKeyOf(s)) {
        return Fail(i, "the image cache's ledger " + s.destination +
                           " changed while its image was being removed; it is left as it is");
      }
      Result<bool> deleted = Conditional(
          i, [&](azure::BlobClient& blob) { return blob.DeleteBlob(s.destination, props.etag); });
      if (!deleted.ok()) return Fail(i, deleted.status().message());
      if (!*deleted) {
        return RetryLedger(i, attempt, [this, i, attempt] { RemoveCachedVhd(i, attempt + 1); });
      }
    }
    Event("Normal", "removed the shared image " + s.source + " and its VHD (the last user gone)");
    Finish(i, "Deleted", "the last user: removed the shared image and its VHD");
  }

  // A resource of the image cache, on delete: kept (the last reference's release, which runs
  // after it, removes the image and its VHD).
  void FinishShared(size_t i) { Finish(i, "Kept", "the image cache's, shared"); }

  const Environment& env_;
  const plan::Plan& plan_;
  const std::string cluster_;
  const EngineOptions& options_;
  const bool deleting_;
  const std::string owner_key_;
  std::vector<Node> nodes_;
  std::map<std::string, store::OperationRecord> journal_;
  std::map<std::string, Json> live_;  // lowercased id -> the resource as last read in this run
  std::mutex deployer_mu_;
  LateBindings bindings_;
  std::mutex mu_;
  size_t done_ = 0;
  Outcome outcome_;
  std::mutex blob_mu_;
  std::map<std::string, std::unique_ptr<azure::BlobClient>> blobs_;
  std::vector<std::unique_ptr<azure::BlobClient>> retired_blobs_;  // token clients replaced
  Scheduler scheduler_;  // last: its workers stop before the state they use is destroyed
};

}  // namespace

std::string OwnershipKey(const std::string& cluster) { return "easel_cluster_" + cluster; }

Outcome Apply(const Environment& env, const std::string& cluster, const plan::Plan& plan,
              const EngineOptions& options) {
  return Run(env, cluster, plan, options, /*deleting=*/false).Execute();
}

Outcome Delete(const Environment& env, const std::string& cluster, const plan::Plan& plan,
               const EngineOptions& options) {
  return Run(env, cluster, plan, options, /*deleting=*/true).Execute();
}

}  // namespace easel::engine
