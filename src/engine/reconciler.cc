#include "engine/reconciler.h"

#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include "azure/blob_client.h"
#include "azure/lro.h"
#include "common/hash.h"
#include "common/strings.h"
#include "engine/diff.h"
#include "engine/scheduler.h"
#include "plan/resource_types.h"

namespace easel::engine {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kRecheckDelay{1000};
// Transient blob errors (storage busy or unreachable, a token not to be had) in a row before the
// copy fails; waits grow linearly, about half a minute in all.
constexpr int kBlobRetries = 7;
constexpr const char* kCopyMethod = "COPY";  // journal entries of the VHD copy step

std::string ParentOf(const std::string& id, const std::string& segment) {
  size_t at = ToLower(id).rfind("/" + ToLower(segment) + "/");
  return at == std::string::npos ? "" : id.substr(0, at);
}

// Whether the live resource carries this cluster's ownership mark (a tag, or a metadata entry
// for the types Azure does not tag).
bool MarkedOwned(const Json& live, const std::string& key) {
  auto owned_in = [&](const Json& map) {
    if (!map.is_object()) return false;
    for (const auto& [k, v] : map.items()) {
      if (ToLower(k) == ToLower(key) && v.is_string() && v.get<std::string>() == "owned") {
        return true;
      }
    }
    return false;
  };
  if (live.is_object() && live.contains("tags") && owned_in(live["tags"])) return true;
  return live.is_object() && live.contains("properties") && live["properties"].is_object() &&
         live["properties"].contains("metadata") && owned_in(live["properties"]["metadata"]);
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
  Clock::time_point start_time;
};

class Run {
 public:
  Run(const Environment& env, std::string cluster, const plan::Plan& plan,
      const EngineOptions& options, bool deleting)
      : env_(env),
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
      n.name = r.name;
      nodes_.push_back(std::move(n));
    }
    for (const plan::DataPlaneStep& s : plan.steps) {
      index[s.id] = nodes_.size();
      Node n;
      n.is_step = true;
      n.step = &s;
      n.id = s.id;
      n.type = "blobCopy";
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
                   n.name, state,
                   detail, std::chrono::duration_cast<milliseconds>(Clock::now() - n.start_time),
                   done_,  nodes_.size()};
    }
    options_.on_progress(p);
  }

  void Record(size_t i, const std::string& state, const std::string& error = "") {
    const Node& n = nodes_[i];
    std::string ownership = n.is_step ? "owned" : plan::ToString(n.resource->ownership);
    std::string hash = n.is_step ? "" : Sha256Hex(n.resource->body.dump());
    (void)env_.store->PutResource({cluster_, n.id, n.type, ownership, state, error, "", hash, ""});
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
    Event("Warning", TypeLabelOf(i) + " " + nodes_[i].name + " failed: " + error);
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
      if (n.is_step || n.resource->ownership != plan::Ownership::kOwned) {
        Finish(i, "Kept");
      } else {
        DeleteResource(i);
      }
      return;
    }
    if (n.is_step) {
      ReconcileCopy(i);
    } else {
      ReconcileResource(i);
    }
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
        if (op.method == "DELETE") {
          if (deleting_) {
            Event("Normal", "deleted " + TypeLabelOf(i) + " " + nodes_[i].name);
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

  void ReconcileResource(size_t i, bool after_write = false) {
    const plan::ResourceNode& r = *nodes_[i].resource;
    Result<azure::ArmResponse> got = env_.arm->Call("GET", r.id, r.api_version);
    if (!got.ok()) return Fail(i, got.status().message());
    if (r.action == plan::Action::kRead) {
      if (got->status == 200) return Finish(i, "Ready");
      if (got->status == 404) {
        return Fail(i, "the existing " + TypeLabelOf(i) + " " + r.name +
                           " was not found (easel reads it and never creates it)");
      }
      return Fail(i, azure::Describe(*got));
    }
    if (got->status == 200) {
      bool marked = MarkedOwned(got->body, owner_key_) || r.type == plan::type::kSubnet;
      if (!marked) {
        return Fail(i, "exists and is not owned by cluster " + cluster_ + " (no " + owner_key_ +
                           "=owned mark); easel does not take over resources it did not create");
      }
      if (!azure::IsTerminalProvisioningState(got->body)) {
        // An operation easel did not journal (a crash just after sending it), or Azure's own.
        azure::PendingOperation op;
        op.method = "PUT";
        op.resource_id = r.id;
        op.api_version = r.api_version;
        op.kind = azure::PollKind::kProvisioningState;
        Report(i, "Waiting", "an operation is in progress");
        scheduler_.Post([this, i, op] { Poll(i, op); }, kRecheckDelay);
        return;
      }
      Json desired = Json::parse(r.body.dump());
      std::string difference = FirstDifference(desired, got->body);
      if (difference.empty()) return Finish(i, after_write ? "Ready" : "Unchanged");
      if (after_write) {
        // Azure accepted the body but reports something else: do not loop on PUTs.
        return Finish(i, "Ready", "differs after update: " + difference);
      }
      return Put(i, "Updating", difference, &got->body);
    }
    if (got->status == 404) return Put(i, "Creating", "");
    return Fail(i, azure::Describe(*got));
  }

  // A PUT replaces the resource: a VNet PUT without `subnets` deletes its subnets. Subnets are
  // planned as resources of their own, so an update of a VNet carries the live ones along.
  static Json UpdateBody(const plan::ResourceNode& r, const Json* live) {
    Json body = Json::parse(r.body.dump());
    if (live && r.type == plan::type::kVirtualNetwork && live->contains("properties") &&
        (*live)["properties"].contains("subnets") && !body["properties"].contains("subnets")) {
      body["properties"]["subnets"] = (*live)["properties"]["subnets"];
    }
    return body;
  }

  void Put(size_t i, const std::string& verb, const std::string& detail,
           const Json* live = nullptr) {
    const plan::ResourceNode& r = *nodes_[i].resource;
    Report(i, verb, detail);
    Record(i, verb);
    CountWrite();
    Result<azure::ArmResponse> put =
        env_.arm->Call("PUT", r.id, r.api_version, UpdateBody(r, live));
    if (!put.ok()) return Fail(i, put.status().message());
    if (put->status != 200 && put->status != 201 && put->status != 202) {
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
    if (!MarkedOwned(owner_view, owner_key_)) {
      Event("Warning", TypeLabelOf(i) + " " + r.name + " is not marked as owned by " + cluster_ +
                           ": left alone");
      return Finish(i, "Kept", "not owned by this cluster");
    }
    if (!azure::IsTerminalProvisioningState(got->body)) {
      azure::PendingOperation op;
      op.method = "PUT";
      op.resource_id = r.id;
      op.api_version = r.api_version;
      op.kind = azure::PollKind::kProvisioningState;
      scheduler_.Post([this, i, op] { Poll(i, op); }, kRecheckDelay);
      return;
    }
    Report(i, "Deleting");
    Record(i, "Deleting");
    CountWrite();
    Result<azure::ArmResponse> del = env_.arm->Call("DELETE", r.id, r.api_version);
    if (!del.ok()) return Fail(i, del.status().message());
    if (del->status == 404 || del->status == 204 || del->status == 200) {
      Event("Normal", "deleted " + TypeLabelOf(i) + " " + r.name);
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
    Result<std::string> key = azure::ListFirstKey(*env_.arm, account_id, "2025-06-01");
    std::string warning = "storage account " + account + " refused easel's Entra ID token (" +
                          refused.message() +
                          "); the VHD copy signs with the account key instead, which costs a "
                          "listKeys call. Granting the principal Storage Blob Data Contributor "
                          "on the account avoids it.";
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

  void ReconcileCopy(size_t i) {
    const plan::DataPlaneStep& s = *nodes_[i].step;
    if (const plan::ResourceNode* image = ImageFedBy(i)) {
      // Saves the blob reads on an unchanged cluster.
      Result<azure::ArmResponse> got = env_.arm->Call("GET", image->id, image->api_version);
      if (got.ok() && got->status == 200 && MarkedOwned(got->body, owner_key_) &&
          got->body["properties"].is_object() &&
          got->body["properties"].contains("provisioningState") &&
          got->body["properties"]["provisioningState"].is_string() &&
          ToLower(got->body["properties"]["provisioningState"].get<std::string>()) == "succeeded") {
        return Finish(i, "Unchanged", "its image exists");
      }
    }
    std::string source = azure::ResolveBlobUrl(env_.arm->cloud(), s.source);
    Result<azure::BlobCopyState> state =
        OnBlob(i, [&](azure::BlobClient& blob) { return blob.CopyState(s.destination); });
    if (!state.ok()) {
      if (RetryBlobLater(i, state.status(), [this, i] { ReconcileCopy(i); })) return;
      return Fail(i, state.status().message());
    }
    BlobSucceeded(i);
    if (state->exists && state->status == "success" && state->source == source) {
      return Finish(i, "Unchanged");
    }
    if (state->exists && state->status == "pending") return PollCopy(i);
    Report(i, "Copying", source);
    Record(i, "Copying");
    Result<std::string> started =
        OnBlob(i, [&](azure::BlobClient& blob) { return blob.StartCopy(source, s.destination); });
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

  const Environment& env_;
  const std::string cluster_;
  const EngineOptions& options_;
  const bool deleting_;
  const std::string owner_key_;
  std::vector<Node> nodes_;
  std::map<std::string, store::OperationRecord> journal_;
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
