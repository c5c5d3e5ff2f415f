// The commands a user lives in: apply, delete, get, describe, events.
#pragma once

#include <string>

namespace easel::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitInvalid = 2;

struct CommonOptions {
  std::string context;     // empty: the current context
  std::string state_path;  // empty: $EASEL_STATE or ~/.easel/state.db
  std::string catalog_path;
  std::string output = "table";  // table | json
};

int ApplyCommand(const CommonOptions& common, const std::string& file, bool no_wait);
// `easel plan -f FILE --live`: what apply would create, change (with the field), delete, or leave.
int LivePlanCommand(const CommonOptions& common, const std::string& file);
int DeleteCommand(const CommonOptions& common, const std::string& name, bool no_wait);
int GetClustersCommand(const CommonOptions& common);
int DescribeClusterCommand(const CommonOptions& common, const std::string& name);
// Exit 0 when nothing drifted, 1 when something did (or the check failed).
int CheckCommand(const CommonOptions& common, const std::string& name);
// Checks every Ready cluster of the store; prints one line per cluster that drifted and a summary.
int CheckAllCommand(const CommonOptions& common);
int EventsCommand(const CommonOptions& common, const std::string& name);

}  // namespace easel::cli
