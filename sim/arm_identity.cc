// Microsoft.ManagedIdentity userAssignedIdentities and Microsoft.Authorization roleAssignments.
#include <map>
#include <regex>
#include <vector>

#include "common/strings.h"
#include "sim/arm.h"
#include "sim/util.h"

namespace azsim {

using nlohmann::json;

namespace {

bool IsGuid(const std::string& s) {
  static const std::regex re(
      "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  return std::regex_match(s, re);
}

ArmError ValidateIdentity(PutContext& ctx) {
  json& props = ctx.body["properties"];
  const json* old = ctx.existing ? &(*ctx.existing)["properties"] : nullptr;
  props["principalId"] = old ? old->value("principalId", NewGuid()) : NewGuid();
  props["clientId"] = old ? old->value("clientId", NewGuid()) : NewGuid();
  std::string tenant = ctx.arm.settings().tenant_id.empty()
                           ? std::string("72f988bf-0000-4000-8000-00000000a2e1")
                           : ctx.arm.settings().tenant_id;
  props["tenantId"] = old ? old->value("tenantId", tenant) : tenant;
  if (!props.contains("isolationScope")) props["isolationScope"] = "None";
  props.erase("provisioningState");
  return {};
}

ArmError ValidateRoleAssignment(PutContext& ctx) {
  json& props = ctx.body["properties"];
  if (!props.contains("roleDefinitionId") || !props["roleDefinitionId"].is_string())
    return Err(400, "InvalidRoleDefinitionId", "The role definition ID is missing.");
  if (!props.contains("principalId") || !props["principalId"].is_string())
    return Err(400, "InvalidPrincipalId",
               "A valid principal ID must be provided for role assignment.");
  std::string rd = props["roleDefinitionId"].get<std::string>();
  std::string lower = easel::ToLower(rd);
  size_t pos = lower.find("/providers/microsoft.authorization/roledefinitions/");
  if (pos == std::string::npos || !IsGuid(LastSegment(rd)))
    return Err(400, "InvalidRoleDefinitionId", "The role definition ID '" + rd + "' is not valid.");
  if (!IsGuid(props["principalId"].get<std::string>()))
    return Err(400, "InvalidPrincipalId",
               "A valid principal ID must be provided for role assignment.");
  std::string scope = ctx.id.substr(
      0, easel::ToLower(ctx.id).find("/providers/microsoft.authorization/roleassignments/"));
  props["scope"] = scope;
  if (!props.contains("principalType")) props["principalType"] = "ServicePrincipal";
  if (ctx.existing) {
    const json& op = (*ctx.existing)["properties"];
    if (!IEquals(op.value("principalId", ""), props["principalId"].get<std::string>()) ||
        !IEquals(op.value("roleDefinitionId", ""), rd))
      return Err(
          400, "RoleAssignmentUpdateNotPermitted",
          "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.");
  }
  // The same principal, role and scope may be assigned once.
  bool dup = false;
  std::string lp = easel::ToLower(props["principalId"].get<std::string>());
  ctx.arm.ForEach([&](const Resource& r) {
    if (!IEquals(r.type, "Microsoft.Authorization/roleAssignments") || IEquals(r.id, ctx.id))
      return;
    json j = json::parse(r.body, nullptr, false);
    if (!j.is_object()) return;
    const json& p = j["properties"];
    if (IEquals(p.value("principalId", ""), lp) &&
        IEquals(LastSegment(p.value("roleDefinitionId", "")), LastSegment(rd)) &&
        IEquals(p.value("scope", ""), scope))
      dup = true;
  });
  if (dup) return Err(409, "RoleAssignmentExists", "The role assignment already exists.");
  props["createdOn"] = Iso8601(NowSeconds());
  props["updatedOn"] = Iso8601(NowSeconds());
  props.erase("provisioningState");
  return {};
}

}  // namespace

BlobDataAccess Arm::BlobDataAccessFor(const std::string& object_id,
                                      const std::string& account) const {
  BlobDataAccess access;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, r] : resources_)
    if (IEquals(r.type, "Microsoft.Storage/storageAccounts") && LastSegment(r.id) == account)
      access.account_id = r.id;
  access.assignments = RoleAssignmentsOf(object_id);
  return access;
}

std::optional<Principal> Arm::FindIdentity(const std::string& client_id, const std::string& res_id,
                                           const std::string& object_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, r] : resources_) {
    if (!IEquals(r.type, "Microsoft.ManagedIdentity/userAssignedIdentities")) continue;
    json j = json::parse(r.body, nullptr, false);
    if (!j.is_object() || !j["properties"].is_object()) continue;
    const json& p = j["properties"];
    if ((!client_id.empty() && IEquals(p.value("clientId", ""), client_id)) ||
        (!res_id.empty() && IEquals(r.id, res_id)) ||
        (!object_id.empty() && IEquals(p.value("principalId", ""), object_id))) {
      Principal out;
      out.client_id = p.value("clientId", "");
      out.object_id = p.value("principalId", "");
      out.tenant_id = p.value("tenantId", settings_.tenant_id);
      out.managed_identity = true;
      return out;
    }
  }
  return std::nullopt;
}

namespace {

// The data actions of the built-in Blob storage data roles (role definition GUID -> dataActions),
// as Azure's role definitions list them.
const std::map<std::string, std::vector<std::string>>& BlobDataRoleActions() {
  static const std::string blobs =
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs";
  static const std::map<std::string, std::vector<std::string>> roles = {
      {"b7e6dc6d-f1e8-4753-8033-0f276bb0955b", {blobs + "/*"}},  // Storage Blob Data Owner
      {"ba92f5b4-2d11-453d-a403-e96b0029c9fe",                   // Storage Blob Data Contributor
       {blobs + "/delete", blobs + "/read", blobs + "/write", blobs + "/move/action",
        blobs + "/add/action"}},
      {"2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", {blobs + "/read"}},  // Storage Blob Data Reader
  };
  return roles;
}

// Whether an assignment at `assigned` applies at `scope` (the same scope or one above it).
bool AppliesAt(const std::string& assigned, const std::string& scope) {
  std::string a = easel::ToLower(assigned), s = easel::ToLower(scope);
  while (!a.empty() && a.back() == '/') a.pop_back();
  return s == a || (easel::StartsWith(s, a) && s.size() > a.size() && s[a.size()] == '/');
}

}  // namespace

// azsim does not model Resource Manager's RBAC: every principal may do everything on the control
// plane, answered as one Owner-like entry. Data roles are modelled (the blob service enforces
// them), so each blob data role assigned at the scope or above adds its data actions.
HttpResponse Arm::CallerPermissions(const HttpRequest& req, const std::string& scope) const {
  std::vector<std::string> seg = SplitPath(scope);
  if (seg.size() >= 4 && IEquals(seg[2], "resourceGroups") &&
      !Find("/subscriptions/" + seg[1] + "/resourceGroups/" + seg[3]))
    return ArmErrorResponse(
        Err(404, "ResourceGroupNotFound", "Resource group '" + seg[3] + "' could not be found."));
  if (seg.size() > 4 && !Find(scope))
    return ArmErrorResponse(
        Err(404, "ResourceNotFound", "The Resource '" + scope + "' was not found."));
  json value = json::array({{{"actions", {"*"}},
                             {"notActions", json::array()},
                             {"dataActions", json::array()},
                             {"notDataActions", json::array()}}});
  for (const auto& [assigned, role] : RoleAssignmentsOf(req.principal)) {
    auto it = BlobDataRoleActions().find(easel::ToLower(role));
    if (it == BlobDataRoleActions().end() || !AppliesAt(assigned, scope)) continue;
    value.push_back({{"actions", json::array()},
                     {"notActions", json::array()},
                     {"dataActions", it->second},
                     {"notDataActions", json::array()}});
  }
  return ArmJson(200, {{"value", value}});
}

void RegisterIdentityTypes(TypeRegistry& r) {
  TypeSpec id;
  id.type = "Microsoft.ManagedIdentity/userAssignedIdentities";
  id.put = TypeSpec::PutStyle::kSync;
  id.async_delete = false;
  id.valid_name = [](const std::string& n) { return NameMatches(n, 3, 128, "-_", true, ""); };
  id.name_rule =
      "Identity names are 3-128 characters of letters, digits, '-' and '_', starting with a letter "
      "or digit.";
  id.validate = ValidateIdentity;
  r.Add(id);

  TypeSpec ra;
  ra.type = "Microsoft.Authorization/roleAssignments";
  ra.put = TypeSpec::PutStyle::kSync;
  ra.async_delete = false;
  ra.location_required = false;
  ra.listed_in_group = false;
  ra.valid_name = IsGuid;
  ra.name_error_code = "InvalidRoleAssignmentId";
  ra.name_rule = "The role assignment ID must be a GUID.";
  ra.validate = ValidateRoleAssignment;
  r.Add(ra);
}

}  // namespace azsim
