// What the calling principal may do at a scope, as Resource Manager's permissions API answers it
// (GET {scope}/providers/Microsoft.Authorization/permissions): one entry per role assignment that
// applies there, each with its actions and data actions and their exclusions.
#pragma once

#include <string>
#include <vector>

#include "azure/arm_client.h"

namespace easel::azure {

struct PermissionEntry {
  std::vector<std::string> actions, not_actions;
  std::vector<std::string> data_actions, not_data_actions;
};

class Permissions {
 public:
  explicit Permissions(std::vector<PermissionEntry> entries) : entries_(std::move(entries)) {}
  // Whether some entry grants `operation` ("Microsoft.Storage/storageAccounts/listkeys/action")
  // without excluding it. Patterns may hold '*' (any characters); case-insensitive, as Azure.
  bool Allows(const std::string& operation) const;
  // The same for a data action ("Microsoft.Storage/.../blobs/write").
  bool AllowsData(const std::string& data_action) const;

 private:
  std::vector<PermissionEntry> entries_;
};

// Reads the caller's permissions at `scope` (an ARM id). kNotFound when the scope does not exist;
// other failures as the ARM client gives them, or kFailedPrecondition with Azure's error.
Result<Permissions> ReadPermissions(ArmClient& arm, const std::string& scope);

// An Azure action pattern ('*' matches any run of characters) against an operation.
bool ActionMatches(const std::string& pattern, const std::string& operation);

inline constexpr const char* kBlobWriteDataAction =
    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write";
inline constexpr const char* kListKeysAction = "Microsoft.Storage/storageAccounts/listkeys/action";

}  // namespace easel::azure
