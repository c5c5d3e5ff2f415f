#include "cli/aks_kubeconfig.h"

#include <iostream>
#include <optional>

#include "cli/session.h"
#include "common/base64.h"
#include "common/files.h"
#include "plan/resource_types.h"

namespace easel::cli {
namespace {

int Fail(const std::string& message, int exit_code) {
  std::cerr << "easel: " << message << "\n";
  return exit_code;
}

}  // namespace

int AksKubeconfig(const CommonOptions& common, const KubeconfigOptions& options,
                  const plan::Plan& plan) {
  if (!options.ttl.empty()) {
    return Fail("--ttl: AKS decides how long its credentials last; omit --ttl", kExitInvalid);
  }
  const plan::ResourceNode* cluster = nullptr;
  for (const plan::ResourceNode& r : plan.resources) {
    if (r.type == plan::type::kManagedCluster) cluster = &r;
  }
  if (!cluster) return Fail("the stored plan of " + options.name + " has no AKS cluster", 1);
  const bool entra =
      cluster->body.contains("properties") && cluster->body["properties"].contains("aadProfile");
  Result<std::unique_ptr<Session>> session = OpenSession(common.context, common.state_path);
  if (!session.ok()) return Fail(session.status().message(), kExitFailure);
  const std::string action = options.admin ? "/listClusterAdminCredential"
                                           : (entra ? "/listClusterUserCredential?format=exec"
                                                    : "/listClusterUserCredential");
  Result<azure::ArmResponse> got =
      (*session)->arm->Call("POST", cluster->id + action, cluster->api_version, nlohmann::json());
  if (!got.ok()) return Fail(got.status().message(), kExitFailure);
  if (got->status != 200) {
    std::string why = azure::Describe(*got);
    if (options.admin && cluster->body["properties"].value("disableLocalAccounts", false)) {
      why += " (cluster " + options.name + " has local accounts disabled: use `easel kubeconfig " +
             options.name + "` without --admin and sign in with Entra ID)";
    }
    return Fail("cluster " + options.name + ": " + why, kExitFailure);
  }
  const nlohmann::json& list = got->body.is_object() ? got->body["kubeconfigs"] : got->body;
  if (!list.is_array() || list.empty() || !list[0].is_object() || !list[0].contains("value") ||
      !list[0]["value"].is_string()) {
    return Fail("cluster " + options.name + ": AKS answered without a kubeconfig", kExitFailure);
  }
  std::optional<std::string> text = Base64Decode(list[0]["value"].get<std::string>());
  if (!text) {
    return Fail("cluster " + options.name + ": the kubeconfig AKS sent is not base64",
                kExitFailure);
  }
  if (options.file.empty()) {
    std::cout << *text;
    std::cout.flush();
    return std::cout ? kExitOk : kExitFailure;
  }
  if (Status s = ReplaceFileAtomically(options.file, *text, 0600); !s.ok()) {
    return Fail(s.message(), kExitFailure);
  }
  std::cout << (options.admin ? "admin" : "user") << " kubeconfig of AKS cluster " << options.name
            << " written to " << options.file
            << (entra && !options.admin ? " (signs in with Entra ID through kubelogin)" : "")
            << "\n";
  return kExitOk;
}

}  // namespace easel::cli
