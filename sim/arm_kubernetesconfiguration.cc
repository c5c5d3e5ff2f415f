// Microsoft.KubernetesConfiguration: cluster extensions (microsoft.flux, ...) and Flux
// configurations, extension resources under a managed cluster
// ({cluster}/providers/Microsoft.KubernetesConfiguration/{extensions|fluxConfigurations}/{name}),
// both long-running and removed with the cluster.
#include "common/strings.h"
#include "sim/aks.h"
#include "sim/util.h"

namespace azsim {

using nlohmann::json;

namespace {

const char kExtension[] = "Microsoft.KubernetesConfiguration/extensions";
const char kFlux[] = "Microsoft.KubernetesConfiguration/fluxConfigurations";
const char kFluxType[] = "microsoft.flux";

// Versions azsim installs when the body gives none.
std::string LatestVersion(const std::string& extension_type) {
  if (IEquals(extension_type, kFluxType)) return "1.17.3";
  return "1.0.0";
}

bool ConfigName(const std::string& n) {
  // Lowercase alphanumerics, '-' and '.', 1-63 characters, alphanumeric at both ends.
  if (n.empty() || n.size() > 63) return false;
  for (char c : n)
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.'))
      return false;
  return std::isalnum(static_cast<unsigned char>(n.front())) &&
         std::isalnum(static_cast<unsigned char>(n.back()));
}

ArmError CheckScope(PutContext& ctx, std::string* cluster_id) {
  const Resource* cluster = ctx.arm.Find(ExtensionScopeOf(ctx.id));
  if (!cluster || !IEquals(cluster->type, kManagedClusterType))
    return Err(400, "InvalidParameter",
               "Microsoft.KubernetesConfiguration resources are supported under "
               "Microsoft.ContainerService/managedClusters; '" +
                   ExtensionScopeOf(ctx.id) + "' is not a managed cluster.");
  *cluster_id = cluster->id;
  return {};
}

ArmError ValidateExtension(PutContext& ctx) {
  std::string cluster;
  ArmError e = CheckScope(ctx, &cluster);
  if (!e.ok()) return e;
  json& props = ctx.body["properties"];
  const json* old = ctx.existing ? JObj(*ctx.existing, "properties") : nullptr;
  if (!props.contains("extensionType") && old && old->contains("extensionType"))
    props["extensionType"] = (*old)["extensionType"];
  std::string type = JStr(props, "extensionType");
  if (type.empty()) return Err(400, "InvalidParameter", "properties.extensionType is required.");
  if (old && !IEquals(JStr(*old, "extensionType"), type))
    return Err(400, "PropertyChangeNotAllowed",
               "Changing property 'extensionType' is not allowed.");
  for (const Resource* other : ctx.arm.Children(cluster, kExtension)) {
    if (IEquals(other->id, ctx.id)) continue;
    json oj = json::parse(other->body, nullptr, false);
    if (IEquals(JStr(oj.value("properties", json::object()), "extensionType"), type))
      return Err(409, "Conflict",
                 "An extension of type '" + type + "' is already installed on the cluster as '" +
                     LastSegment(other->id) + "'.");
  }
  for (const char* f : {"configurationSettings", "configurationProtectedSettings", "scope"})
    if (props.contains(f) && !props[f].is_object() && !props[f].is_null())
      return Err(400, "InvalidParameter", "properties." + std::string(f) + " must be an object.");
  if (props.contains("version") && !props["version"].is_string() && !props["version"].is_null())
    return Err(400, "InvalidParameter", "properties.version must be a string.");
  std::string version = JStr(props, "version", old ? JStr(*old, "version") : "");
  if (version.empty()) version = LatestVersion(type);
  props["version"] = version;
  props["currentVersion"] = version;
  if (!props.contains("autoUpgradeMinorVersion")) props["autoUpgradeMinorVersion"] = true;
  if (!props.contains("releaseTrain")) props["releaseTrain"] = "Stable";
  if (!props.contains("scope") || !props["scope"].is_object())
    props["scope"] = {
        {"cluster", {{"releaseNamespace", IEquals(type, kFluxType) ? "flux-system" : "default"}}}};
  if (!props.contains("configurationSettings")) props["configurationSettings"] = json::object();
  if (old && !props.contains("configurationProtectedSettings") &&
      old->contains("configurationProtectedSettings"))
    props["configurationProtectedSettings"] = (*old)["configurationProtectedSettings"];
  props["statuses"] = json::array();
  props["isSystemExtension"] = false;
  std::string principal = old && JObj(*old, "aksAssignedIdentity")
                              ? JStr((*old)["aksAssignedIdentity"], "principalId", NewGuid())
                              : NewGuid();
  props["aksAssignedIdentity"] = {
      {"type", "SystemAssigned"}, {"principalId", principal}, {"tenantId", SimTenant(ctx.arm)}};
  if (ctx.body.contains("identity")) {
    if (!ctx.body["identity"].is_object())
      return Err(400, "InvalidParameter", "identity must be an object.");
    if (IEquals(JStr(ctx.body["identity"], "type"), "SystemAssigned")) {
      const json* oid = ctx.existing ? JObj(*ctx.existing, "identity") : nullptr;
      ctx.body["identity"]["principalId"] = oid ? JStr(*oid, "principalId", NewGuid()) : NewGuid();
      ctx.body["identity"]["tenantId"] = SimTenant(ctx.arm);
    }
  }
  return {};
}

std::string CommitOf(const std::string& url, const std::string& ref) {
  return HexEncode(Sha256(url + "#" + ref)).substr(0, 40);
}

ArmError ValidateFlux(PutContext& ctx) {
  std::string cluster;
  ArmError e = CheckScope(ctx, &cluster);
  if (!e.ok()) return e;
  bool flux = false;
  for (const Resource* ext : ctx.arm.Children(cluster, kExtension)) {
    json ej = json::parse(ext->body, nullptr, false);
    const json props = ej.is_object() ? ej.value("properties", json::object()) : json::object();
    if (IEquals(JStr(props, "extensionType"), kFluxType) &&
        !IEquals(JStr(props, "provisioningState"), "Failed") &&
        !IEquals(JStr(props, "provisioningState"), "Deleting"))
      flux = true;
  }
  if (!flux)
    return Err(400, "BadRequest",
               "The microsoft.flux extension is not installed on cluster '" + LastSegment(cluster) +
                   "': install it (a Microsoft.KubernetesConfiguration/extensions resource with "
                   "extensionType microsoft.flux) before creating a Flux configuration.");
  json& props = ctx.body["properties"];
  if (!props.contains("sourceKind")) props["sourceKind"] = "GitRepository";
  std::string kind = JStr(props, "sourceKind");
  if (kind != "GitRepository" && kind != "Bucket" && kind != "AzureBlob")
    return Err(400, "InvalidParameter",
               "properties.sourceKind must be GitRepository, Bucket or AzureBlob.");
  std::string synced;
  if (kind == "GitRepository") {
    const json* git = JObj(props, "gitRepository");
    if (!git || JStr(*git, "url").empty())
      return Err(400, "InvalidParameter",
                 "properties.gitRepository.url is required with sourceKind GitRepository.");
    std::string url = JStr(*git, "url");
    if (!easel::StartsWith(url, "https://") && !easel::StartsWith(url, "http://") &&
        !easel::StartsWith(url, "ssh://") && !easel::StartsWith(url, "git@"))
      return Err(400, "InvalidParameter",
                 "properties.gitRepository.url must be an http(s):// or ssh:// URL.");
    json& g = props["gitRepository"];
    if (g.contains("repositoryRef") && !g["repositoryRef"].is_object())
      return Err(400, "InvalidParameter", "gitRepository.repositoryRef must be an object.");
    if (!g.contains("repositoryRef")) g["repositoryRef"] = {{"branch", "master"}};
    const json& ref = g["repositoryRef"];
    std::string name = JStr(ref, "branch", JStr(ref, "tag", JStr(ref, "semver", "")));
    std::string commit = JStr(ref, "commit");
    if (name.empty() && commit.empty())
      return Err(400, "InvalidParameter",
                 "gitRepository.repositoryRef needs a branch, tag, semver or commit.");
    synced = (name.empty() ? "" : name + "/") + (commit.empty() ? CommitOf(url, name) : commit);
    if (!g.contains("timeoutInSeconds")) g["timeoutInSeconds"] = 600;
    if (!g.contains("syncIntervalInSeconds")) g["syncIntervalInSeconds"] = 600;
  }
  if (props.contains("kustomizations") && !props["kustomizations"].is_object())
    return Err(400, "InvalidParameter", "properties.kustomizations must be an object.");
  if (props.contains("kustomizations"))
    for (auto it = props["kustomizations"].begin(); it != props["kustomizations"].end(); ++it) {
      json& k = it.value();
      if (!k.is_object())
        return Err(400, "InvalidParameter", "kustomizations." + it.key() + " must be an object.");
      k["name"] = it.key();
      if (!k.contains("path")) k["path"] = "";
      if (!k.contains("dependsOn")) k["dependsOn"] = json::array();
      if (!k.contains("timeoutInSeconds")) k["timeoutInSeconds"] = 600;
      if (!k.contains("syncIntervalInSeconds")) k["syncIntervalInSeconds"] = 600;
      if (!k.contains("prune")) k["prune"] = false;
      if (!k.contains("force")) k["force"] = false;
    }
  if (!props.contains("scope")) props["scope"] = "cluster";
  if (!props.contains("namespace")) props["namespace"] = "default";
  if (!props.contains("suspend")) props["suspend"] = false;
  props["sourceSyncedCommitId"] = synced;
  props["repositoryPublicKey"] = "";
  props["errorMessage"] = "";
  std::string now = Iso8601(NowSeconds());
  props["sourceUpdatedAt"] = now;
  props["statusUpdatedAt"] = now;
  return {};
}

// complianceState and statuses follow the operation: Pending while it runs, Compliant after.
void ComposeFlux(Arm&, const Resource& res, json& j) {
  if (!j.is_object() || !j["properties"].is_object()) return;
  json& p = j["properties"];
  p.erase("configurationProtectedSettings");
  bool done = IEquals(JStr(p, "provisioningState"), "Succeeded");
  std::string state = done ? "Compliant" : "Pending";
  p["complianceState"] = state;
  std::string name = LastSegment(res.id);
  std::string rev = JStr(p, "sourceSyncedCommitId");
  json statuses = json::array();
  auto status = [&](const std::string& n, const std::string& kind, const std::string& msg,
                    const std::string& reason) {
    json s = {{"name", n}, {"kind", kind}, {"complianceState", state}};
    if (done)
      s["statusConditions"] = json::array({{{"lastTransitionTime", JStr(p, "statusUpdatedAt")},
                                            {"message", msg},
                                            {"reason", reason},
                                            {"status", "True"},
                                            {"type", "Ready"}}});
    statuses.push_back(s);
  };
  status(name, JStr(p, "sourceKind", "GitRepository"), "'Fetched revision: " + rev + "'",
         "GitOperationSucceed");
  if (const json* ks = JObj(p, "kustomizations"))
    for (auto it = ks->begin(); it != ks->end(); ++it)
      status(name + "-" + it.key(), "Kustomization", "'Applied revision: " + rev + "'",
             "ReconciliationSucceeded");
  p["statuses"] = statuses;
}

TypeSpec ConfigSpec(const char* type, double put_seconds) {
  TypeSpec s;
  s.type = type;
  s.location_required = false;
  s.listed_in_group = false;
  s.put_seconds = put_seconds;
  s.delete_seconds = 30;
  s.valid_name = ConfigName;
  s.name_error_code = "InvalidParameter";
  s.name_rule =
      "Names are 1-63 lowercase letters, digits, '-' and '.', starting and ending with a letter "
      "or digit.";
  return s;
}

}  // namespace

void RegisterKubernetesConfigurationTypes(TypeRegistry& r) {
  TypeSpec ext = ConfigSpec(kExtension, 60);
  ext.validate = ValidateExtension;
  ext.compose = [](Arm&, const Resource&, json& j) {
    if (j.is_object() && j["properties"].is_object())
      j["properties"].erase("configurationProtectedSettings");
  };
  r.Add(ext);

  TypeSpec flux = ConfigSpec(kFlux, 30);
  flux.validate = ValidateFlux;
  flux.compose = ComposeFlux;
  r.Add(flux);
}

}  // namespace azsim
