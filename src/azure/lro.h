// Long-running operations, as ARM runs them (../shared/azure-reference.md §2): an operation is
// followed through its Azure-AsyncOperation URL, else its Location URL, else the resource's own
// provisioningState. A PendingOperation is plain data, so the engine can journal it before it
// waits and resume it after a crash without sending the request again.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "azure/arm_client.h"

namespace easel::azure {

enum class PollKind { kNone, kAsyncOperation, kLocation, kProvisioningState };
const char* ToString(PollKind kind);
PollKind PollKindFromString(const std::string& s);

struct PendingOperation {
  // "PUT" or "DELETE"; or kWaitMethod: not easel's operation, but one easel waits out (a
  // resource found in a non-terminal state). A resource gone meanwhile ends a wait or a DELETE
  // (succeeded); for a PUT it is "not there yet".
  std::string method;
  std::string resource_id;  // ARM path of the resource
  std::string api_version;
  PollKind kind = PollKind::kNone;           // kNone: finished in the first answer
  std::string poll_url;                      // absolute URL, for kAsyncOperation and kLocation
  std::chrono::milliseconds retry_after{0};  // wait before the next poll
};

enum class OperationState { kInProgress, kSucceeded, kFailed };

struct OperationOutcome {
  OperationState state = OperationState::kInProgress;
  std::string error_code, error_message;     // kFailed
  std::chrono::milliseconds retry_after{0};  // kInProgress: when to poll again
  nlohmann::json resource;                   // kSucceeded PUT: the final resource
};

// The operation an accepted PUT or DELETE started (response 200/201/202/204). A response that is
// already terminal gives kind kNone.
inline constexpr const char* kWaitMethod = "WAIT";

PendingOperation StartedOperation(const std::string& method, const std::string& resource_id,
                                  const std::string& api_version, const ArmResponse& response);

// True when the resource body's provisioningState is absent or Succeeded/Failed/Canceled.
bool IsTerminalProvisioningState(const nlohmann::json& resource);

// Polls once. Errors are transport failures after retries; a failed operation is an outcome.
Result<OperationOutcome> PollOnce(ArmClient& arm, const PendingOperation& op);

// Sends a PUT and follows its operation to the end, waiting Retry-After between polls: for
// setting up prerequisites (the local image catalog, test fixtures), not for the engine, which
// never blocks a thread on a wait.
Status PutAndWait(ArmClient& arm, const std::string& resource_id, const std::string& api_version,
                  const nlohmann::json& body);

// The default wait between polls when the server gives no Retry-After.
inline constexpr std::chrono::milliseconds kDefaultPollInterval{2000};

}  // namespace easel::azure
