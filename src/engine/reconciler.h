// Making Azure match a plan (Apply), and taking a cluster away (Delete).
//
// Apply runs every node of the plan whose dependencies are met, in parallel: it reads the
// resource, PUTs only what is missing or differs from the plan, and follows the long-running
// operation. Each operation is journalled in the store before easel waits on it; a later run
// resumes the journalled operations instead of sending them again. Resources easel did not
// create (existing ones, or ones without its ownership mark) are read, never written.
//
// Delete runs in reverse dependency order and deletes only resources whose live ownership mark
// says this cluster owns them; a resource already gone counts as deleted.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "azure/arm_client.h"
#include "azure/cloud.h"
#include "common/http_client.h"
#include "plan/graph.h"
#include "store/store.h"

namespace easel::engine {

// What the nodes' bootstrap needs from above the engine (cli/ wires bootstrap/ in): the engine
// itself never sees a private key except to hand it to the cluster's Key Vault.
struct BootstrapHooks {
  // The user data (cloud-init text) of VM `vm_name` with bootstrap `role`; `facts` is the plan's
  // bootstrap facts with every late-bound value resolved.
  std::function<Result<std::string>(const std::string& vm_name, const std::string& role,
                                    const nlohmann::json& facts)>
      user_data;
  // The secrets the cluster's vault must hold: name -> value.
  std::function<Result<std::vector<std::pair<std::string, std::string>>>()> vault_secrets;
};

struct Environment {
  azure::ArmClient* arm;
  HttpClient* http;  // blob and Key Vault data planes
  store::Store* store;
  const BootstrapHooks* bootstrap = nullptr;  // null: VMs get no user data, no vault secrets
};

// One line of progress: a resource (or step) changed state.
struct Progress {
  std::string id;
  std::string type;
  std::string name;
  std::string
      state;  // Reading, Creating, Updating, Ready, Unchanged, Deleting, Deleted, Failed, ...
  std::string detail;  // an error, a diff, copy progress
  std::chrono::milliseconds elapsed{0};
  size_t done = 0, total = 0;
};

struct EngineOptions {
  int workers = 16;
  int lro_failure_retries = 3;  // a failed long-running operation is sent again this often
  std::function<void(const Progress&)> on_progress;
};

struct Outcome {
  bool ok = false;
  size_t writes = 0;        // ARM writes sent (PUTs, DELETEs, POST actions)
  size_t copies = 0;        // server-side blob copies started (data plane, not ARM)
  size_t uploads = 0;       // local VHDs uploaded (spec.image.vhdFile)
  size_t unchanged = 0;     // resources that already matched
  std::string first_error;  // "<resource>: <Azure's error>"
  // What the user should know although it worked (also in the event log).
  std::vector<std::string> warnings;
};

Outcome Apply(const Environment& env, const std::string& cluster, const plan::Plan& plan,
              const EngineOptions& options);
Outcome Delete(const Environment& env, const std::string& cluster, const plan::Plan& plan,
               const EngineOptions& options);

// The tag (or metadata entry) that marks a resource as this cluster's.
std::string OwnershipKey(const std::string& cluster);

}  // namespace easel::engine
