// `easel local up|down|status`: azsim, the local Azure, run in the background with its state under
// ~/.easel/local, and a context named "local" pointing at it.
#pragma once

#include <string>

#include "common/status.h"

namespace easel::cli {

// The name of the context `easel local up` creates.
inline constexpr const char* kLocalContext = "local";
// The name of its cloud (azsim's endpoints).
inline constexpr const char* kLocalCloudName = "azsim";

struct LocalOptions {
  // azsim's latency model (VMs 90 s, storage accounts and images 20 s, ...) times this: the
  // quickstart's critical path of about 135 s becomes about a minute.
  double time_scale = 0.5;
  std::string state_path;  // easel's state database (for seeding through a session)
};

Status LocalUp(const LocalOptions& options);
Status LocalDown();
Status LocalStatus();
// Whether the azsim that `easel local up` started is still running.
bool LocalAzureRunning();

}  // namespace easel::cli
