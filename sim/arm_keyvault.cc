// Microsoft.KeyVault: vaults (global names, soft delete into deletedVaults, purge, recover,
// checkNameAvailability) and the authorization rule of the secrets data plane (access policies,
// or role assignments with enableRbacAuthorization). The data plane is in keyvault_data.cc.
#include <algorithm>

#include "common/strings.h"
#include "sim/arm.h"
#include "sim/keyvault.h"
#include "sim/util.h"

namespace azsim {

using nlohmann::json;

namespace {

const char kVaultType[] = "Microsoft.KeyVault/vaults";

const char kVaultNameRule[] =
    "A vault's name must be between 3-24 alphanumeric characters. The name must begin with a "
    "letter, end with a letter or digit, and not contain consecutive hyphens.";

std::string DeletedVaultId(const std::string& sub, const std::string& location,
                           const std::string& name) {
  return "/subscriptions/" + sub + "/providers/Microsoft.KeyVault/locations/" + location +
         "/deletedVaults/" + name;
}

json DeletedVaultJson(const DeletedVault& v) {
  json props = {
      {"vaultId", v.vault_id},
      {"location", v.location},
      {"tags", v.doc.value("tags", json::object())},
      {"deletionDate", Iso8601(v.deleted)},
      {"scheduledPurgeDate", Iso8601(v.purge_at)},
      {"purgeProtectionEnabled", v.doc.contains("properties") && v.doc["properties"].is_object() &&
                                     v.doc["properties"].value("enablePurgeProtection", false)}};
  return {{"id", DeletedVaultId(v.sub, v.location, v.name)},
          {"name", v.name},
          {"type", "Microsoft.KeyVault/deletedVaults"},
          {"properties", props}};
}

const Resource* FindVaultByName(Arm& arm, const std::string& name) {
  const Resource* found = nullptr;
  arm.ForEach([&](const Resource& r) {
    if (!found && IEquals(r.type, kVaultType) && IEquals(LastSegment(r.id), name)) found = &r;
  });
  return found;
}

std::string HostOf(const std::string& base) {
  // "https://127.0.0.1:P" -> "127.0.0.1"
  std::string rest = base.substr(base.find("://") + 3);
  size_t colon = rest.rfind(':');
  return colon == std::string::npos ? rest : rest.substr(0, colon);
}

int PortOf(const std::string& uri) {
  std::string rest = uri.substr(uri.find("://") == std::string::npos ? 0 : uri.find("://") + 3);
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos) return 0;
  return std::atoi(rest.c_str() + colon + 1);
}

bool WellFormedPolicy(const json& p) {
  if (!p.is_object() || !p.contains("objectId") || !p["objectId"].is_string() ||
      !p.contains("tenantId") || !p["tenantId"].is_string() || !p.contains("permissions") ||
      !p["permissions"].is_object())
    return false;
  for (const auto& [kind, list] : p["permissions"].items()) {
    if (!list.is_array()) return false;
    for (const auto& perm : list)
      if (!perm.is_string()) return false;
  }
  return true;
}

ArmError ValidateVault(PutContext& ctx) {
  Arm& arm = ctx.arm;
  KeyVaultStore* kv = arm.settings().vaults;
  json& props = ctx.body["properties"];
  std::string mode = easel::ToLower(props.value("createMode", "default"));
  std::optional<DeletedVault> deleted = kv ? kv->FindDeletedVault(ctx.name) : std::nullopt;
  if (!ctx.existing) {
    if (const Resource* other = FindVaultByName(arm, ctx.name))
      return Err(409, "VaultAlreadyExists",
                 "The vault name '" + ctx.name +
                     "' is already in use. Vault names are globally unique so it is possible "
                     "that the name is already taken. If you are sure that the vault name was "
                     "not taken then it is possible that a vault with the same name was recently "
                     "deleted but not purged after being placed in a recoverable state. (in use "
                     "by " +
                     other->id + ")");
    if (deleted && mode != "recover")
      return Err(409, "ConflictError",
                 "A vault with the same name already exists in deleted state. You need to either "
                 "recover or purge existing key vault. Follow this link "
                 "https://go.microsoft.com/fwlink/?linkid=2149745 for more information on soft "
                 "delete.");
    if (mode == "recover") {
      if (!deleted || !IEquals(deleted->sub, ctx.sub))
        return Err(404, "NotFound",
                   "The vault '" + ctx.name +
                       "' was not found in deleted state in this subscription and cannot be "
                       "recovered.");
      if (NormalizeLocation(ctx.body.value("location", "")) != deleted->location)
        return Err(400, "BadRequest",
                   "The deleted vault '" + ctx.name + "' is in location '" + deleted->location +
                       "'; it can only be recovered there.");
      // The vault comes back as it was deleted; tags of the request win.
      json old = deleted->doc.value("properties", json::object());
      old.erase("provisioningState");
      props = old;
      if (!ctx.body.contains("tags") && deleted->doc.contains("tags"))
        ctx.body["tags"] = deleted->doc["tags"];
    }
  }
  for (const char* k :
       {"enableSoftDelete", "enableRbacAuthorization", "enablePurgeProtection",
        "enabledForDeployment", "enabledForDiskEncryption", "enabledForTemplateDeployment"})
    if (props.contains(k) && !props[k].is_boolean())
      return Err(400, "BadRequest",
                 std::string("The parameter properties.") + k + " must be a boolean.");
  if (props.contains("softDeleteRetentionInDays") &&
      !props["softDeleteRetentionInDays"].is_number_integer())
    return Err(400, "BadRequest", "softDeleteRetentionInDays must be an integer.");
  if (!props.contains("tenantId") || !props["tenantId"].is_string())
    return Err(400, "BadRequest", "The parameter properties.tenantId is required.");
  if (!props.contains("sku") || !props["sku"].is_object() || !props["sku"].contains("name"))
    return Err(400, "BadRequest", "The parameter properties.sku is required.");
  std::string sku = easel::ToLower(props["sku"].value("name", ""));
  if (sku != "standard" && sku != "premium")
    return Err(400, "BadRequest",
               "The SKU '" + props["sku"].value("name", "") +
                   "' is not valid; expected 'standard' or 'premium'.");
  if (!props["sku"].contains("family")) props["sku"]["family"] = "A";
  if (!props.contains("accessPolicies")) props["accessPolicies"] = json::array();
  if (!props["accessPolicies"].is_array())
    return Err(400, "BadRequest", "The parameter properties.accessPolicies must be an array.");
  for (const auto& p : props["accessPolicies"])
    if (!WellFormedPolicy(p))
      return Err(400, "BadRequest",
                 "Each access policy needs tenantId and objectId (strings) and permissions (an "
                 "object of string arrays).");
  const json* old = ctx.existing ? &(*ctx.existing)["properties"] : nullptr;
  if (!props.contains("enableSoftDelete"))
    props["enableSoftDelete"] = old ? old->value("enableSoftDelete", true) : true;
  if (!props.contains("softDeleteRetentionInDays"))
    props["softDeleteRetentionInDays"] = old ? old->value("softDeleteRetentionInDays", 90) : 90;
  if (!ctx.body.contains("tags")) ctx.body["tags"] = json::object();  // Key Vault answers {}
  int days = props.value("softDeleteRetentionInDays", 90);
  if (days < 7 || days > 90)
    return Err(400, "BadRequest", "softDeleteRetentionInDays must be between 7 and 90.");
  if (old && old->value("enablePurgeProtection", false) &&
      props.contains("enablePurgeProtection") && !props.value("enablePurgeProtection", true))
    return Err(400, "BadRequest", "Purge protection cannot be disabled once enabled.");
  if (!props.contains("enablePurgeProtection") && old && old->contains("enablePurgeProtection"))
    props["enablePurgeProtection"] = (*old)["enablePurgeProtection"];
  if (!props.contains("enableRbacAuthorization"))
    props["enableRbacAuthorization"] = old ? old->value("enableRbacAuthorization", false) : false;
  props.erase("createMode");
  // The data plane: one listener per vault (its URI is the root of host:port).
  std::string uri = old ? old->value("vaultUri", "") : "";
  if (uri.empty() && deleted && mode == "recover")
    uri = deleted->doc["properties"].value("vaultUri", "");
  int port = 0;
  if (arm.settings().open_vault_listener)
    port = arm.settings().open_vault_listener(ctx.name, uri.empty() ? 0 : PortOf(uri));
  if (port == 0 && uri.empty())
    return Err(500, "InternalServerError", "azsim could not open the vault's data plane.");
  if (port) uri = "https://" + HostOf(arm.settings().arm_base) + ":" + std::to_string(port) + "/";
  props["vaultUri"] = uri;
  props["publicNetworkAccess"] = props.value("publicNetworkAccess", "Enabled");
  if (deleted && mode == "recover" && kv) kv->RemoveDeletedVault(ctx.name);
  return {};
}

// PUT .../vaults/{v}/accessPolicies/{add|replace|remove}: changes the vault's policies per
// objectId (add merges permissions, replace sets them, remove takes them away) and answers the
// policies given. The operation is not kept as a resource of its own.
ArmError ValidateAccessPolicyUpdate(PutContext& ctx) {
  std::string kind = easel::ToLower(ctx.name);
  if (kind != "add" && kind != "replace" && kind != "remove")
    return Err(400, "BadRequest",
               "The access policy operation '" + ctx.name +
                   "' is not valid; expected add, replace or remove.");
  const Resource* vault = ctx.arm.Find(ctx.parent_id);
  if (!vault) return Err(404, "ParentResourceNotFound", "The vault was not found.");
  const json& props = ctx.body["properties"];
  if (!props.contains("accessPolicies") || !props["accessPolicies"].is_array())
    return Err(400, "BadRequest", "The parameter properties.accessPolicies is required.");
  json vj = json::parse(vault->body, nullptr, false);
  if (!vj.is_object() || !vj["properties"].is_object())
    return Err(500, "InternalServerError", "The vault document is unreadable.");
  json& policies = vj["properties"]["accessPolicies"];
  if (!policies.is_array()) policies = json::array();
  for (const auto& change : props["accessPolicies"]) {
    if (!WellFormedPolicy(change))
      return Err(400, "BadRequest", "Each access policy needs tenantId, objectId and permissions.");
    std::string oid = change["objectId"].get<std::string>();
    json* entry = nullptr;
    for (auto& p : policies)
      if (p.is_object() && IEquals(p.value("objectId", ""), oid)) entry = &p;
    if (!entry) {
      if (kind == "remove") continue;
      policies.push_back({{"tenantId", change.value("tenantId", ctx.arm.settings().tenant_id)},
                          {"objectId", oid},
                          {"permissions", json::object()}});
      entry = &policies.back();
    }
    json& perms = (*entry)["permissions"];
    for (auto it = change["permissions"].begin(); it != change["permissions"].end(); ++it) {
      if (!it.value().is_array()) continue;
      if (kind == "replace" || !perms.contains(it.key()) || !perms[it.key()].is_array()) {
        if (kind != "remove") perms[it.key()] = it.value();
        continue;
      }
      json kept = json::array();
      for (const auto& have : perms[it.key()]) {
        bool listed = std::find(it.value().begin(), it.value().end(), have) != it.value().end();
        if (kind == "add" || !listed) kept.push_back(have);
      }
      if (kind == "add")
        for (const auto& want : it.value())
          if (std::find(kept.begin(), kept.end(), want) == kept.end()) kept.push_back(want);
      perms[it.key()] = kept;
    }
  }
  if (kind == "remove") {
    json left = json::array();
    for (const auto& p : policies) {
      bool empty = true;
      if (p.is_object() && p.contains("permissions") && p["permissions"].is_object())
        for (const auto& [k, v] : p["permissions"].items())
          if (v.is_array() && !v.empty()) empty = false;
      if (!empty) left.push_back(p);
    }
    policies = left;
  }
  vj["etag"] = "W/\"" + NewGuid() + "\"";
  Resource updated = *vault;
  updated.body = vj.dump();
  updated.changed = NowSeconds();
  ctx.extra_puts.push_back(updated);
  ctx.body.erase("location");
  // Azure answers the id of the vault's access policies, without the operation kind.
  ctx.body["id"] = ctx.parent_id + "/accessPolicies/";
  return {};
}

void VaultRemoved(Arm& arm, const Resource& r) {
  KeyVaultStore* kv = arm.settings().vaults;
  if (!kv) return;
  json j = json::parse(r.body, nullptr, false);
  if (!j.is_object()) return;
  j.erase("_azsim");
  const json& p = j["properties"];
  std::string name = LastSegment(r.id);
  if (p.is_object() && !p.value("enableSoftDelete", true)) {
    kv->PurgeVault(name);
    return;
  }
  std::string sub, rg;
  SplitScope(r.id, &sub, &rg);
  DeletedVault v;
  v.name = name;
  v.sub = sub;
  v.location = r.location;
  v.vault_id = r.id;
  v.doc = j;
  v.deleted = NowSeconds();
  v.purge_at =
      v.deleted + (p.is_object() ? p.value("softDeleteRetentionInDays", 90) : 90) * 86400.0;
  kv->AddDeletedVault(v);
}

std::optional<HttpResponse> KeyVaultRoute(Arm& arm, const HttpRequest& req,
                                          const std::vector<std::string>& seg,
                                          const std::string& sub) {
  KeyVaultStore* kv = arm.settings().vaults;
  if (!kv) return std::nullopt;
  // /subscriptions/{s}/providers/Microsoft.KeyVault/...
  if (seg.size() == 5 && IEquals(seg[4], "checkNameAvailability") && req.method == "POST") {
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("name") || !body["name"].is_string())
      return ArmErrorResponse(Err(400, "BadRequest", "The parameter 'name' is required."));
    std::string name = body["name"].get<std::string>();
    if (!ValidVaultName(name))
      return ArmJson(200, {{"nameAvailable", false},
                           {"reason", "AccountNameInvalid"},
                           {"message", "Vault name '" + name + "' is invalid. " + kVaultNameRule}});
    if (FindVaultByName(arm, name) || kv->FindDeletedVault(name))
      return ArmJson(200, {{"nameAvailable", false},
                           {"reason", "AlreadyExists"},
                           {"message", "The vault name '" + name + "' is already in use."}});
    return ArmJson(200, {{"nameAvailable", true}});
  }
  if (seg.size() == 5 && IEquals(seg[4], "deletedVaults") && req.method == "GET") {
    json arr = json::array();
    for (const auto& v : kv->DeletedVaults(sub)) arr.push_back(DeletedVaultJson(v));
    return ArmJson(200, {{"value", arr}});
  }
  // .../locations/{loc}/deletedVaults/{name}[/purge]
  if (seg.size() >= 8 && IEquals(seg[4], "locations") && IEquals(seg[6], "deletedVaults")) {
    std::string loc = NormalizeLocation(seg[5]);
    std::optional<DeletedVault> v = kv->FindDeletedVault(seg[7]);
    bool match = v && IEquals(v->sub, sub) && v->location == loc;
    auto missing = [&]() {
      return ArmErrorResponse(Err(404, "ResourceNotFound",
                                  "The Resource 'Microsoft.KeyVault/deletedVaults/" + seg[7] +
                                      "' under resource group '' was not found."));
    };
    if (seg.size() == 8 && req.method == "GET") {
      if (!match) return missing();
      return ArmJson(200, DeletedVaultJson(*v));
    }
    if (seg.size() == 9 && IEquals(seg[8], "purge") && req.method == "POST") {
      if (!match) return missing();
      if (v->doc.contains("properties") && v->doc["properties"].is_object() &&
          v->doc["properties"].value("enablePurgeProtection", false))
        return ArmErrorResponse(
            Err(409, "ConflictError",
                "The vault '" + v->name +
                    "' has purge protection enabled and cannot be purged before its scheduled "
                    "purge date " +
                    Iso8601(v->purge_at) + "."));
      kv->PurgeVault(v->name);
      kv->RemoveDeletedVault(v->name);
      return arm.AcceptedOperation(req, "Microsoft.KeyVault", loc);
    }
  }
  return std::nullopt;
}

// Role definitions of the Key Vault data roles -> the secret permissions they grant.
bool RoleGrants(const std::string& role, const std::string& permission) {
  std::string r = easel::ToLower(role);
  if (r == "00482a5a-887f-4fb3-b363-3b7fe8e74483") return true;  // Key Vault Administrator
  if (r == "b86a8fe4-44ce-4948-aee5-eccb2c155cd7") return true;  // Key Vault Secrets Officer
  if (r == "4633458b-17de-408a-b874-0445c86b69e6")               // Key Vault Secrets User
    return permission == "get" || permission == "list";
  return false;
}

}  // namespace

Arm::VaultAccess Arm::VaultAccessLocked(const std::string& vault, const std::string& object_id,
                                        const std::string& permission) const {
  VaultAccess out;
  const Resource* r = FindVaultByName(const_cast<Arm&>(*this), vault);
  if (!r) return out;
  json j = json::parse(r->body, nullptr, false);
  if (!j.is_object() || !j["properties"].is_object()) return out;
  const json& p = j["properties"];
  out.exists = true;
  out.name = LastSegment(r->id);
  out.location = r->location;
  out.soft_delete = p.value("enableSoftDelete", true);
  out.purge_protection = p.value("enablePurgeProtection", false);
  out.retention_days = p.value("softDeleteRetentionInDays", 90);
  if (p.value("enableRbacAuthorization", false)) {
    std::string id = easel::ToLower(r->id);
    for (const auto& [scope, role] : RoleAssignmentsOf(object_id)) {
      std::string s = easel::ToLower(scope);
      bool covers = id == s || (easel::StartsWith(id, s) && id[s.size()] == '/');
      if (covers && RoleGrants(role, permission)) out.allowed = true;
    }
    return out;
  }
  if (!p.contains("accessPolicies") || !p["accessPolicies"].is_array()) return out;
  for (const auto& ap : p["accessPolicies"]) {
    if (!ap.is_object() || !IEquals(ap.value("objectId", ""), object_id)) continue;
    if (!ap.contains("permissions") || !ap["permissions"].is_object()) continue;
    const json& secrets = ap["permissions"].value("secrets", json::array());
    if (!secrets.is_array()) continue;
    for (const auto& s : secrets)
      if (s.is_string() &&
          (IEquals(s.get<std::string>(), permission) || IEquals(s.get<std::string>(), "all")))
        out.allowed = true;
  }
  return out;
}

Arm::VaultAccess Arm::VaultAccessFor(const std::string& vault, const std::string& object_id,
                                     const std::string& permission) const {
  std::lock_guard<std::mutex> lock(mu_);
  return VaultAccessLocked(vault, object_id, permission);
}

void Arm::OpenVaultListeners() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!settings_.open_vault_listener) return;
  std::vector<Resource> updates;
  for (const auto& [k, r] : resources_) {
    if (!IEquals(r.type, kVaultType)) continue;
    json j = json::parse(r.body, nullptr, false);
    if (!j.is_object() || !j["properties"].is_object()) continue;
    std::string uri = j["properties"].value("vaultUri", "");
    int port = settings_.open_vault_listener(LastSegment(r.id), PortOf(uri));
    if (port && port != PortOf(uri)) {
      // The old port is taken: the vault moves (its URI changes, as after a DNS change).
      j["properties"]["vaultUri"] =
          "https://" + HostOf(settings_.arm_base) + ":" + std::to_string(port) + "/";
      Resource copy = r;
      copy.body = j.dump();
      updates.push_back(copy);
    }
  }
  for (const auto& u : updates) (void)WriteNow(u);
}

void RegisterKeyVaultTypes(TypeRegistry& r) {
  TypeSpec vault;
  vault.type = kVaultType;
  vault.put_seconds = 10;
  vault.async_delete = false;  // Vaults_Delete answers 200/204
  vault.valid_name = ValidVaultName;
  vault.name_rule = kVaultNameRule;
  vault.name_error_code = "VaultNameNotValid";
  vault.validate = ValidateVault;
  vault.on_removed = VaultRemoved;
  r.Add(vault);
  r.AddRoute("Microsoft.KeyVault", KeyVaultRoute);

  TypeSpec policies;
  policies.type = "Microsoft.KeyVault/vaults/accessPolicies";
  policies.put = TypeSpec::PutStyle::kSync;
  policies.async_delete = false;
  policies.location_required = false;
  policies.listed_in_group = false;
  policies.validate = ValidateAccessPolicyUpdate;
  // Not a resource: nothing remains after the PUT (see Arm::Put's transient types).
  policies.transient = true;
  r.Add(policies);
}

}  // namespace azsim
