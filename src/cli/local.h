// `easel local up|down|status`: azsim, the local Azure, run in the background with its state under
// ~/.easel/local, and a context named "local" pointing at it.
#pragma once

#include <string>

#include "common/status.h"

namespace easel::cli {

struct LocalOptions {
  double time_scale =
      0.05;  // azsim's latency model x this: the quickstart is Ready in about a minute
  std::string state_path;  // easel's state database (for seeding through a session)
};

Status LocalUp(const LocalOptions& options);
Status LocalDown();
Status LocalStatus();

}  // namespace easel::cli
