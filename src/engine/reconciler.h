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

struct Environment {
  azure::ArmClient* arm;
  HttpClient* http;  // blob data plane
  store::Store* store;
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
