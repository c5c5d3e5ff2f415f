// The Resource Manager engine: a generic resource store (case-insensitive ids, persistence,
// long-running operations, ETags, parents and references) plus per-type specs registered by the
// resource-provider files (arm_network.cc, arm_compute.cc, ...).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/blob.h"
#include "sim/config.h"
#include "sim/http.h"
#include "sim/store.h"

namespace azsim {

class BlobService;
class Arm;

struct ArmError {
  int status = 0;  // 0: no error
  std::string code;
  std::string message;
  bool ok() const { return status == 0; }
};
inline ArmError Err(int status, std::string code, std::string message) {
  return ArmError{status, std::move(code), std::move(message)};
}

struct Resource {
  std::string id;    // canonical casing, as first written
  std::string type;  // canonical type, "Microsoft.Network/virtualNetworks/subnets"
  std::string body;  // the JSON document GET returns (inline children are composed on read)
  double created = 0;
  double changed = 0;
  std::string op_id;  // operation in flight, or empty
  std::string location;
};

// What a type's validate hook sees and may change when a PUT or PATCH is accepted.
struct PutContext {
  Arm& arm;
  std::string id;       // canonical id of the resource being written
  std::string sub, rg;  // rg empty at subscription scope
  std::string name;
  std::string parent_id;           // enclosing resource (or resource group) id
  const nlohmann::json* existing;  // current document, nullptr on create
  nlohmann::json& body;  // new document without readonly fields; hooks fill computed fields
  std::vector<Resource> extra_puts;  // written with the resource (implicit disks, inline children)
  std::vector<std::string>
      extra_deletes;  // ids removed with the resource (children dropped from a PUT)
};

struct ActionContext {
  Arm& arm;
  const HttpRequest& req;
  const Resource& resource;
  nlohmann::json body;
};

// A fault decided for a request: a long-running operation it starts ends Failed with `code`;
// `message` (optional) is the error message (for VM extensions also the extension's stderr).
struct LroFault {
  std::string code, message;
  bool empty() const { return code.empty(); }
};

struct Operation;

// What a type's resolve hook decides about a PUT in flight (types whose outcome depends on other
// resources, e.g. VM extensions): done or not yet, the error when it failed, the estimated
// simulated completion time while it runs, and hidden state to store with the resource.
struct LroOutcome {
  bool done = false;
  std::string error_code, error_message;
  double due = 0;
  nlohmann::json hidden;  // merged into the resource's hidden "_azsim" object when done
};

struct TypeSpec {
  std::string type;  // canonical, e.g. "Microsoft.Network/virtualNetworks"
  enum class PutStyle { kSync, kAsync201, kLocation202 } put = PutStyle::kAsync201;
  int create_status = 201;  // status of a kAsync201 PUT that creates (managed disks answer 202)
  bool async_delete = true;
  double put_seconds = 1;  // latency model, before --time-scale
  double delete_seconds = 1;
  bool location_required = true;
  bool strict = false;  // unknown top-level properties -> 400 InvalidRequestContent
  // Azure answers an `etag` for the type (none for Microsoft.Compute/images, whose model has
  // none): without one, no If-Match value can match (412).
  bool has_etag = true;
  bool network = false;         // conflicts answer 429 RetryableErrorDueToAnotherOperation
  bool listed_in_group = true;  // appears in /resources lists (top-level types)
  bool transient = false;       // a PUT that acts on its parent (vault accessPolicies): not stored
  std::function<bool(const std::string&)> valid_name;
  std::string name_rule;  // text for the InvalidResourceName message
  std::string name_error_code = "InvalidResourceName";
  std::string in_use_code;  // deleting while another resource references it: 400 with this code
  // Inline children: property under "properties" -> child type (element {name, properties}).
  std::vector<std::pair<std::string, std::string>> inline_children;
  std::function<ArmError(PutContext&)> validate;
  std::function<ArmError(Arm&, const Resource&)> before_delete;
  // Runs when the resource is removed (cleanup of data elsewhere, e.g. blob data).
  std::function<void(Arm&, const Resource&)> on_removed;
  // Adds derived content to a document on read.
  std::function<void(Arm&, const Resource&, nlohmann::json&)> compose;
  // Decides a PUT's long-running operation lazily (on every request) instead of after
  // put_seconds: called with the simulated time; the Operation carries an injected fault.
  std::function<LroOutcome(Arm&, const Resource&, const Operation&, double sim_now)> resolve_put;
  // Adds request-dependent content to a GET answer ($expand=instanceView).
  std::function<void(Arm&, const Resource&, const HttpRequest&, nlohmann::json&)> expand;
  // POST actions by lowercased name.
  std::map<std::string, std::function<HttpResponse(ActionContext&)>> actions;
};

// A handler of subscription-level provider paths (/subscriptions/{s}/providers/{ns}/...) that
// are not resources: answers or returns nullopt to let the generic router continue.
using ProviderRoute = std::function<std::optional<HttpResponse>(
    Arm&, const HttpRequest&, const std::vector<std::string>& seg, const std::string& sub)>;

class TypeRegistry {
 public:
  TypeSpec& Add(TypeSpec spec);
  // A namespace written "/Ns" handles tenant-level paths (/providers/Ns/...), with sub "".
  void AddRoute(const std::string& ns, ProviderRoute route);
  const ProviderRoute* FindRoute(const std::string& ns) const;
  const TypeSpec* Find(const std::string& type) const;  // case-insensitive
  std::vector<const TypeSpec*> All() const;

 private:
  std::map<std::string, TypeSpec> types_;        // lowercased type -> spec
  std::map<std::string, ProviderRoute> routes_;  // lowercased namespace -> route
};

// Azure's paired region of `location` (lowercase name), "" when azsim knows none (arm_storage.cc).
std::string PairedRegion(const std::string& location);

// Registration functions, one per resource-provider file.
void RegisterResourceTypes(TypeRegistry& r);
void RegisterNetworkTypes(TypeRegistry& r);
void RegisterComputeTypes(TypeRegistry& r);
void RegisterStorageTypes(TypeRegistry& r);
void RegisterContainerServiceTypes(TypeRegistry& r);
void RegisterIdentityTypes(TypeRegistry& r);
void RegisterExtensionTypes(TypeRegistry& r);
void RegisterKeyVaultTypes(TypeRegistry& r);
void RegisterKubernetesConfigurationTypes(TypeRegistry& r);
void RegisterPolicyTypes(TypeRegistry& r);
// Checks a subnet's delegations and fills their computed fields (arm_subnet_delegation.cc).
ArmError FillSubnetDelegations(nlohmann::json& subnet_props, const std::string& subnet_id);
// The VM's $expand=instanceView (with its extensions' views), in arm_extensions.cc.
void ExpandVmInstanceView(Arm& arm, const Resource& vm, const HttpRequest& req,
                          nlohmann::json& doc);

struct Operation {
  std::string id;
  std::string resource_id;  // lowercased key of the resource
  std::string kind;         // "put", "delete"
  std::string ns;           // provider namespace, for the status URL
  std::string location;
  std::string status = "InProgress";
  double start = 0, end = 0;  // wall time
  double due = 0;             // simulated time of completion
  std::string error_code, error_message;
  bool created = false;  // PUT created the resource
  bool dynamic = false;  // decided by the type's resolve_put hook
  double sim_start = 0;  // simulated time of the request that started it
};

struct FaultDecision;

class KeyVaultStore;

class Arm {
 public:
  struct Settings {
    double time_scale = 1.0;
    std::string arm_base;   // https://127.0.0.1:P
    std::string blob_base;  // https://127.0.0.1:Q
    // Opens (or reopens, at `preferred` when free) the HTTPS listener of a vault's data plane and
    // returns its port (0 on failure).
    std::function<int(const std::string& vault, int preferred)> open_vault_listener;
    KeyVaultStore* vaults = nullptr;  // secrets and deleted vaults
    std::string tenant_id;            // the first tenant
  };
  Arm(Store& store, BlobService& blob, const Fixture& fixture, Settings settings);

  // Loads persisted state and creates fixture resources that are absent.
  easel::Status Start();

  // Handles an authenticated ARM request. `lro_failure` (from faults) makes a started
  // long-running operation end Failed with that code.
  HttpResponse Handle(const HttpRequest& req, const LroFault& lro_failure);

  // Azure Policy `modify` assignments (the fixture's `policies`; admin API replaces them).
  nlohmann::json Policies() const;
  easel::Status SetPolicies(const nlohmann::json& policies);

  // Operation progress control (admin API).
  void Pause();
  void Resume();
  bool paused() const;
  double time_scale() const { return settings_.time_scale; }

  // RBAC for the blob data plane: the storage account named `account` and the role assignments
  // of `object_id` (takes the engine's lock).
  BlobDataAccess BlobDataAccessFor(const std::string& object_id, const std::string& account) const;

  // Key Vault data plane: whether `object_id` may use `permission` ("get", "list", "set",
  // "delete", "recover", "purge") on secrets of vault `vault` (takes the engine's lock).
  struct VaultAccess {
    bool exists = false;
    bool allowed = false;
    std::string name, location;  // canonical vault name and location
    bool soft_delete = true, purge_protection = false;
    int retention_days = 90;
  };
  VaultAccess VaultAccessFor(const std::string& vault, const std::string& object_id,
                             const std::string& permission) const;
  // The same without the lock (for hooks).
  VaultAccess VaultAccessLocked(const std::string& vault, const std::string& object_id,
                                const std::string& permission) const;

  // A user-assigned identity created through ARM, by clientId, ARM id or principalId (object id).
  std::optional<Principal> FindIdentity(const std::string& client_id, const std::string& res_id,
                                        const std::string& object_id) const;
  // The decoded customData of a VM, nullopt when the VM is unknown or has none.
  std::optional<std::string> VmUserData(const std::string& vm_id) const;
  // Reopens the data-plane listeners of all vaults (after Start).
  void OpenVaultListeners();

  // Classification used by throttling, faults and counters: "read", "write", "delete", "action".
  static std::string OperationKind(const HttpRequest& req);
  // Resource type of a request path ("Microsoft.Network/virtualNetworks"), or "" when none.
  static std::string RequestType(const std::string& path);

  // ---- Used by the type hooks (the engine's mutex is held when hooks run) ----
  // (scope, role definition GUID) of every role assignment of `object_id`.
  std::vector<std::pair<std::string, std::string>> RoleAssignmentsOf(
      const std::string& object_id) const;
  // GET {scope}/providers/Microsoft.Authorization/permissions: what the caller may do there
  // (sim/arm_identity.cc).
  HttpResponse CallerPermissions(const HttpRequest& req, const std::string& scope) const;
  // A finished operation (for synchronous work answered 202 + Location, e.g. a purge).
  HttpResponse AcceptedOperation(const HttpRequest& req, const std::string& ns,
                                 const std::string& location);
  double SimNowLocked() const { return SimNow(); }
  const Operation* FindOperation(const std::string& op_id) const;
  // Hidden state kept with a resource ("_azsim" in its stored body, never rendered).
  static nlohmann::json Hidden(const Resource& r);
  const Resource* Find(const std::string& id) const;
  std::optional<nlohmann::json> FindJson(const std::string& id) const;
  // Resources whose id starts with prefix (lowercased compare) and have type `type` (or any if
  // empty).
  std::vector<const Resource*> Children(const std::string& parent_id,
                                        const std::string& child_type) const;
  std::vector<const Resource*> OfType(const std::string& sub, const std::string& type) const;
  // All resources of a subscription (or all when sub is empty) matching a predicate.
  void ForEach(const std::function<void(const Resource&)>& fn) const;
  // True when `id` names an existing resource or a named element inside one
  // (".../loadBalancers/lb/backendAddressPools/p").
  bool ReferenceExists(const std::string& id) const;
  BlobService& blob() { return blob_; }
  const Settings& settings() const { return settings_; }
  // Builds a Resource for extra_puts with the standard envelope.
  Resource MakeChild(const std::string& id, const std::string& type, nlohmann::json body) const;
  // Writes a resource now (used by actions that create or change state outside PUT).
  easel::Status WriteNow(const Resource& r);
  // Removes a resource and its descendants now.
  easel::Status RemoveNow(const std::string& id);

 private:
  HttpResponse HandleLocked(const HttpRequest& req, const LroFault& lro_failure);
  HttpResponse Put(const HttpRequest& req, const struct Target& t, const LroFault& lro_failure);
  HttpResponse Patch(const HttpRequest& req, const struct Target& t);
  HttpResponse Get(const HttpRequest& req, const struct Target& t);
  HttpResponse Delete(const HttpRequest& req, const struct Target& t, const LroFault& lro_failure);
  HttpResponse List(const HttpRequest& req, const struct Target& t);
  HttpResponse Action(const HttpRequest& req, const struct Target& t);
  HttpResponse ResourceGroup(const HttpRequest& req, const std::string& sub,
                             const std::string& name, const LroFault& lro_failure);
  HttpResponse ListGeneric(const HttpRequest& req, const std::string& prefix,
                           const std::string& sub, bool expand_filters);
  HttpResponse OperationStatus(const HttpRequest& req, const std::string& op_id, bool result_style);
  HttpResponse Subscription(const HttpRequest& req, const std::vector<std::string>& seg);
  HttpResponse CheckNameAvailability(const HttpRequest& req);
  HttpResponse Locations(const std::string& sub) const;

  std::string Render(const Resource& r) const;  // body + composed children
  void AdvanceDue();
  void ResolveDynamic();
  void PruneOperations();
  void Complete(Operation& op);
  double SimNow() const;
  easel::Status Persist(const std::vector<Resource>& puts, const std::vector<std::string>& deletes,
                        const std::vector<Operation*>& ops);
  Operation& StartOperation(const std::string& key, const std::string& kind, const std::string& ns,
                            const std::string& location, double seconds, const LroFault& failure,
                            bool created);
  void AddLroHeaders(HttpResponse& res, const Operation& op, const HttpRequest& req,
                     bool async_header) const;
  ArmError CheckReferences(const nlohmann::json& body, const std::string& self_id) const;
  ArmError CheckConflict(const Resource& r, const TypeSpec& spec) const;
  void RemoveTree(const std::string& key, std::vector<std::string>& deleted_keys);

  Store& store_;
  BlobService& blob_;
  Fixture fixture_;
  Settings settings_;
  TypeRegistry types_;
  mutable std::mutex mu_;
  std::map<std::string, Resource> resources_;   // lowercased id -> resource
  std::map<std::string, Operation> ops_;        // op id -> operation
  std::multimap<double, std::string> pending_;  // due sim time -> op id
  std::set<std::string> dynamic_;               // op ids decided by resolve_put hooks
  bool paused_ = false;
  double paused_at_ = 0, paused_total_ = 0;
};

// Helpers for hooks.
nlohmann::json ArmErrorBody(const ArmError& e);
HttpResponse ArmJson(int status, const nlohmann::json& body);
HttpResponse ArmErrorResponse(const ArmError& e);
std::string NormalizeLocation(const std::string& location);
// Name checks used by several types.
bool NameMatches(const std::string& name, size_t min_len, size_t max_len,
                 const std::string& extra_chars, bool first_alnum, const std::string& bad_last);
// Returns the last segment of an id.
std::string LastSegment(const std::string& id);
// Parses "/subscriptions/{s}/resourceGroups/{g}/..." into sub and group (empty when absent).
void SplitScope(const std::string& id, std::string* sub, std::string* rg);

}  // namespace azsim
