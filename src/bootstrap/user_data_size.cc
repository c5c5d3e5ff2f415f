// The customData size check at plan time (Azure's 65,535-byte limit is otherwise found only when
// the VM PUT is refused, after the rest of the cluster was built).
#include <string>

#include "bootstrap/user_data.h"
#include "spec/naming.h"

namespace easel::bootstrap {
namespace {

// Larger than any certificate or key easel makes (an RSA-2048 CA certificate is about 1.1 KiB
// of PEM), so that a spec which passes here fits whatever the real values are.
std::string StandInPem(const char* label) {
  std::string pem = std::string("-----BEGIN ") + label + "-----\n";
  for (int line = 0; line < 40; ++line) pem += std::string(64, 'A') + "\n";
  return pem + "-----END " + label + "-----\n";
}

}  // namespace

std::vector<NodeInfo> ClusterNodes(const spec::ClusterSpec& s) {
  std::vector<NodeInfo> nodes;
  for (int i = 0; i < s.control_plane.count; ++i) {
    nodes.push_back({spec::ControlPlaneMachineName(s, i),
                     i == 0 ? NodeRole::kInit : NodeRole::kControlPlaneJoin, nullptr});
  }
  for (const spec::WorkerPoolSpec& pool : s.worker_pools) {
    for (int i = 0; i < pool.count; ++i) {
      nodes.push_back({spec::WorkerMachineName(s, pool, i), NodeRole::kWorker, &pool});
    }
  }
  return nodes;
}

Status CheckUserDataSizes(const spec::ClusterSpec& s) {
  UserDataInput in;
  in.spec = &s;
  in.facts.tenant_id = std::string(36, 'f');
  in.facts.identity_client_id = std::string(36, 'f');
  in.facts.vault_uri = "https://" + std::string(24, 'v') + ".vault.usgovcloudapi.net/";
  in.facts.api_host = spec::ApiServerHost(s, "cloudapp.usgovcloudapi.net");
  in.pki = {StandInPem("CERTIFICATE"), StandInPem("CERTIFICATE"), StandInPem("CERTIFICATE"),
            StandInPem("PUBLIC KEY"), "sha256:" + std::string(64, 'f')};
  in.tokens = {{std::string(6, 'a') + "." + std::string(16, 'a'), std::chrono::seconds(7200)},
               {std::string(6, 'b') + "." + std::string(16, 'b'), std::chrono::seconds(7200)}};
  // One node of each kind stands for all of them: names differ only in their index.
  std::vector<NodeInfo> nodes = ClusterNodes(s);
  for (size_t i = 0; i < nodes.size(); ++i) {
    const NodeInfo& n = nodes[i];
    bool first_of_pool = n.role != NodeRole::kWorker || i == 0 || nodes[i - 1].pool != n.pool;
    if (!first_of_pool && i + 1 != nodes.size() && nodes[i + 1].pool == n.pool) continue;
    in.node = n;
    Result<std::string> text = RenderUserData(in);
    if (text.ok()) continue;
    std::string field = "spec.controlPlane";
    if (n.pool) {
      for (size_t p = 0; p < s.worker_pools.size(); ++p) {
        if (&s.worker_pools[p] == n.pool) field = "spec.workerPools[" + std::to_string(p) + "]";
      }
    }
    return Status(text.status().code(), field + ": " + text.status().message());
  }
  return Status::Ok();
}

}  // namespace easel::bootstrap
