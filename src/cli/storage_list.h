// `easel storage list --resource-group RG [--subscription ID] [-o json]`: the storage accounts and
// containers of a resource group a spec may name in spec.storage, with what easel can do with
// each (the list Palette shows on its cluster configuration page).
#pragma once

#include <string>

#include "cli/cluster_commands.h"

namespace easel::cli {

int StorageListCommand(const CommonOptions& common, const std::string& subscription,
                       const std::string& resource_group);

}  // namespace easel::cli
