// What the nodes' bootstrap needs in Azure: a user-assigned identity that the control-plane VMs
// carry, a Key Vault holding the cluster's private keys (readable by that identity only), and
// the step that writes the keys into it. The keys themselves never enter the plan.
#include "plan/api_versions.h"
#include "plan/builder_context.h"
#include "plan/late_bound.h"
#include "plan/resource_types.h"
#include "spec/naming.h"

namespace easel::plan {

// The names of the vault's secrets, one per private key (and the join-token seed).
const char* const kVaultSecretNames[] = {"ca-key", "etcd-ca-key", "front-proxy-ca-key", "sa-key",
                                         "join-token-seed"};

void BuildBootstrapSecrets(BuilderContext& ctx) {
  const spec::ClusterSpec& s = ctx.spec();
  WellKnownIds& ids = ctx.ids();

  const std::string identity_name = spec::ControlPlaneIdentityName(s);
  ids.control_plane_identity = ctx.IdInGroup(type::kUserAssignedIdentity, identity_name);
  ctx.AddOwned(ids.control_plane_identity, type::kUserAssignedIdentity, api::kManagedIdentity,
               identity_name, ctx.TrackedBody(), {ids.resource_group}, ids.resource_group,
               "carried by the control-plane VMs; reads the key vault");

  // Access policies rather than Azure RBAC: creating a role assignment needs
  // Microsoft.Authorization/roleAssignments/write, which Contributor does not have; a vault's
  // access policies are part of the vault, which Contributor may write.
  const std::string vault_name = spec::KeyVaultName(s);
  ids.key_vault = ctx.IdInGroup(type::kKeyVault, vault_name);
  Json vault = ctx.TrackedBody();
  vault["properties"] = {
      {"tenantId", kDeployerTenantId},
      {"sku", {{"family", "A"}, {"name", "standard"}}},
      {"accessPolicies",
       Json::array(
           {{{"tenantId", kDeployerTenantId},
             {"objectId", LiveField(ids.control_plane_identity, "/properties/principalId")},
             {"permissions", {{"secrets", Json::array({"get"})}}}},
            {{"tenantId", kDeployerTenantId},
             {"objectId", kDeployerObjectId},
             {"permissions", {{"secrets", Json::array({"get", "list", "set", "delete"})}}}}})},
      {"enabledForDeployment", false},
      {"enabledForDiskEncryption", false},
      {"enabledForTemplateDeployment", false},
      {"enableRbacAuthorization", false},
      {"softDeleteRetentionInDays", 7},
      {"publicNetworkAccess", "Enabled"}};
  ctx.AddOwned(ids.key_vault, type::kKeyVault, api::kKeyVault, vault_name, std::move(vault),
               {ids.resource_group, ids.control_plane_identity}, ids.resource_group,
               "the cluster's private keys; read by the control-plane identity only");

  ids.vault_secrets_step = ids.key_vault + "/secrets";
  std::string names;
  for (const char* n : kVaultSecretNames) names += (names.empty() ? "" : ", ") + std::string(n);
  ctx.AddStep(DataPlaneStep{ids.vault_secrets_step,
                            "vaultSecrets",
                            "store-keys",
                            names,
                            LiveField(ids.key_vault, "/properties/vaultUri"),
                            {ids.key_vault},
                            ids.key_vault});

  ctx.bootstrap_facts() = {
      {"apiHost", spec::ApiServerHost(s, ctx.options().cloudapp_suffix)},
      {"tenantId", kDeployerTenantId},
      {"identityClientId", LiveField(ids.control_plane_identity, "/properties/clientId")},
      {"vaultUri", LiveField(ids.key_vault, "/properties/vaultUri")}};
}

}  // namespace easel::plan
