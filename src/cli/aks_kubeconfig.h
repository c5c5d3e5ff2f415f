// `easel kubeconfig NAME` for an AKS cluster: AKS issues the credentials, easel asks for them.
#pragma once

#include <string>

#include "cli/cluster_commands.h"
#include "cli/kubeconfig_command.h"
#include "plan/graph.h"

namespace easel::cli {

// The user kubeconfig from listClusterUserCredential (format=exec, which uses kubelogin, when the
// cluster has Entra ID), or with options.admin the one from listClusterAdminCredential (refused by
// AKS, with a clear message, when local accounts are disabled). Written to options.file with mode
// 0600, or to stdout. --ttl does not apply: AKS decides the credentials' lifetime.
int AksKubeconfig(const CommonOptions& common, const KubeconfigOptions& options,
                  const plan::Plan& plan);

}  // namespace easel::cli
