// `easel kubeconfig NAME [--admin] [--ttl DURATION] [--file FILE]`: a kubeconfig with a new,
// short-lived client certificate signed by the cluster's CA (from the store, sealed).
#pragma once

#include <string>

#include "cli/cluster_commands.h"

namespace easel::cli {

struct KubeconfigOptions {
  std::string name;  // the cluster
  // kubernetes-admin in the cluster-admin group (kubeadm:cluster-admins from Kubernetes 1.29,
  // system:masters before); otherwise easel:<OS user name> with no group.
  bool admin = false;
  std::string ttl;   // the certificate's lifetime ("12h"); empty: 24 h; at most 7 days
  std::string file;  // written with mode 0600 (replaced atomically); empty: stdout
};

// Exit codes: 0 done, 2 bad input (--ttl, an unknown cluster, a bad EASEL_SECRET_KEY), 1 anything
// else (no CA yet, an unreadable store or key).
int KubeconfigCommand(const CommonOptions& common, const KubeconfigOptions& options);

}  // namespace easel::cli
