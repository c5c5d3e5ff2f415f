// Key Vault secrets: the store (secrets and soft-deleted vaults) and the data plane
// (api-version 7.x): set, get, list, versions, delete (soft), deleted secrets get/list, purge,
// recover. Authorization by access policies or, with enableRbacAuthorization, by role
// assignments (decided by Arm::VaultAccessFor).
#include <algorithm>
#include <cctype>
#include <regex>

#include "common/strings.h"
#include "sim/arm.h"
#include "sim/entra.h"
#include "sim/keyvault.h"
#include "sim/util.h"

namespace azsim {

using nlohmann::json;

namespace {

const char kSecretNs[] = "kvsecret";
const char kDeletedVaultNs[] = "kvdeleted";

json RecordToJson(const SecretRecord& r) {
  json versions = json::array();
  for (const auto& v : r.versions)
    versions.push_back({{"version", v.version},
                        {"value", v.value},
                        {"contentType", v.content_type},
                        {"tags", v.tags},
                        {"attributes", v.attributes},
                        {"created", v.created},
                        {"updated", v.updated}});
  return {
      {"name", r.name}, {"versions", versions}, {"deleted", r.deleted}, {"purgeAt", r.purge_at}};
}

SecretRecord RecordFromJson(const json& j) {
  SecretRecord r;
  r.name = j.value("name", "");
  r.deleted = j.value("deleted", 0.0);
  r.purge_at = j.value("purgeAt", 0.0);
  if (j.contains("versions") && j["versions"].is_array())
    for (const auto& v : j["versions"]) {
      SecretVersion s;
      s.version = v.value("version", "");
      s.value = v.value("value", "");
      s.content_type = v.value("contentType", "");
      s.tags = v.value("tags", json());
      s.attributes = v.value("attributes", json::object());
      s.created = v.value("created", 0.0);
      s.updated = v.value("updated", 0.0);
      r.versions.push_back(std::move(s));
    }
  return r;
}

json DeletedVaultToJson(const DeletedVault& v) {
  return {{"name", v.name},        {"sub", v.sub}, {"location", v.location},
          {"vaultId", v.vault_id}, {"doc", v.doc}, {"deleted", v.deleted},
          {"purgeAt", v.purge_at}};
}

}  // namespace

bool ValidVaultName(const std::string& name) {
  if (name.size() < 3 || name.size() > 24) return false;
  if (!std::isalpha(static_cast<unsigned char>(name[0]))) return false;
  if (!std::isalnum(static_cast<unsigned char>(name.back()))) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    if (c == '-' && i > 0 && name[i - 1] == '-') return false;
  }
  return true;
}

bool ValidSecretName(const std::string& name) {
  static const std::regex re("^[0-9a-zA-Z-]{1,127}$");
  return std::regex_match(name, re);
}

// ---------------------------------------------------------------- store

easel::Status KeyVaultStore::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  easel::Status st = store_.Scan(kSecretNs, [&](const std::string& key, const std::string& value) {
    json j = json::parse(value, nullptr, false);
    size_t slash = key.find('/');
    if (!j.is_object() || slash == std::string::npos) return;
    secrets_[key.substr(0, slash)][key.substr(slash + 1)] = RecordFromJson(j);
  });
  if (!st.ok()) return st;
  return store_.Scan(kDeletedVaultNs, [&](const std::string& key, const std::string& value) {
    json j = json::parse(value, nullptr, false);
    if (!j.is_object()) return;
    DeletedVault v;
    v.name = j.value("name", "");
    v.sub = j.value("sub", "");
    v.location = j.value("location", "");
    v.vault_id = j.value("vaultId", "");
    v.doc = j.value("doc", json::object());
    v.deleted = j.value("deleted", 0.0);
    v.purge_at = j.value("purgeAt", 0.0);
    deleted_[key] = v;
  });
}

std::optional<SecretRecord> KeyVaultStore::Get(const std::string& vault,
                                               const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto vit = secrets_.find(easel::ToLower(vault));
  if (vit == secrets_.end()) return std::nullopt;
  auto it = vit->second.find(easel::ToLower(name));
  if (it == vit->second.end()) return std::nullopt;
  return it->second;
}

std::vector<SecretRecord> KeyVaultStore::List(const std::string& vault) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SecretRecord> out;
  auto vit = secrets_.find(easel::ToLower(vault));
  if (vit == secrets_.end()) return out;
  for (const auto& [k, r] : vit->second) out.push_back(r);
  return out;
}

easel::Status KeyVaultStore::Put(const std::string& vault, const SecretRecord& rec) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string v = easel::ToLower(vault), n = easel::ToLower(rec.name);
  easel::Status st = store_.Put(kSecretNs, v + "/" + n, RecordToJson(rec).dump());
  if (st.ok()) secrets_[v][n] = rec;
  return st;
}

easel::Status KeyVaultStore::Remove(const std::string& vault, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string v = easel::ToLower(vault), n = easel::ToLower(name);
  easel::Status st = store_.Delete(kSecretNs, v + "/" + n);
  if (st.ok() && secrets_.count(v)) secrets_[v].erase(n);
  return st;
}

std::optional<std::string> KeyVaultStore::LatestValue(const std::string& vault,
                                                      const std::string& name) const {
  auto rec = Get(vault, name);
  if (!rec || rec->deleted > 0 || rec->versions.empty()) return std::nullopt;
  const SecretVersion& v = rec->versions.back();
  if (v.attributes.is_object() && !v.attributes.value("enabled", true)) return std::nullopt;
  return v.value;
}

void KeyVaultStore::PurgeVault(const std::string& vault) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string v = easel::ToLower(vault);
  auto vit = secrets_.find(v);
  if (vit == secrets_.end()) return;
  std::vector<Store::Write> writes;
  for (const auto& [n, r] : vit->second) writes.push_back({kSecretNs, v + "/" + n, std::nullopt});
  (void)store_.Apply(writes);
  secrets_.erase(vit);
}

void KeyVaultStore::AddDeletedVault(const DeletedVault& v) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string key = easel::ToLower(v.name);
  (void)store_.Put(kDeletedVaultNs, key, DeletedVaultToJson(v).dump());
  deleted_[key] = v;
}

std::optional<DeletedVault> KeyVaultStore::FindDeletedVault(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = deleted_.find(easel::ToLower(name));
  if (it == deleted_.end()) return std::nullopt;
  return it->second;
}

std::vector<DeletedVault> KeyVaultStore::DeletedVaults(const std::string& sub) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<DeletedVault> out;
  for (const auto& [k, v] : deleted_)
    if (IEquals(v.sub, sub)) out.push_back(v);
  return out;
}

void KeyVaultStore::RemoveDeletedVault(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string key = easel::ToLower(name);
  (void)store_.Delete(kDeletedVaultNs, key);
  deleted_.erase(key);
}

// ---------------------------------------------------------------- data plane

namespace {

HttpResponse KvJson(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.Set("Content-Type", "application/json; charset=utf-8");
  r.body = body.dump();
  return r;
}

HttpResponse KvError(int status, const std::string& code, const std::string& message,
                     const std::string& inner = "") {
  json e = {{"code", code}, {"message", message}};
  if (!inner.empty()) e["innererror"] = {{"code", inner}};
  return KvJson(status, {{"error", e}});
}

std::string RecoveryLevel(const Arm::VaultAccess& v) {
  if (!v.soft_delete) return "Purgeable";
  return v.purge_protection ? "Recoverable" : "Recoverable+Purgeable";
}

json Attributes(const SecretVersion& s, const Arm::VaultAccess& v) {
  json a = s.attributes.is_object() ? s.attributes : json::object();
  if (!a.contains("enabled")) a["enabled"] = true;
  a["created"] = int64_t(s.created);
  a["updated"] = int64_t(s.updated);
  a["recoveryLevel"] = RecoveryLevel(v);
  if (v.soft_delete) a["recoverableDays"] = v.retention_days;
  return a;
}

// A SecretBundle (with the value when `with_value`), or a SecretItem (list entry).
json Bundle(const std::string& uri, const SecretRecord& r, const SecretVersion& s,
            const Arm::VaultAccess& v, bool with_value, bool item) {
  json j;
  j["id"] = item ? uri + "secrets/" + r.name : uri + "secrets/" + r.name + "/" + s.version;
  if (with_value) j["value"] = s.value;
  j["attributes"] = Attributes(s, v);
  if (!s.content_type.empty()) j["contentType"] = s.content_type;
  if (s.tags.is_object()) j["tags"] = s.tags;
  return j;
}

json DeletedFields(const std::string& uri, const SecretRecord& r) {
  return {{"recoveryId", uri + "deletedsecrets/" + r.name},
          {"deletedDate", int64_t(r.deleted)},
          {"scheduledPurgeDate", int64_t(r.purge_at)}};
}

// The type errors of a secret body's optional fields ("" when none).
std::string BadAttributes(const json& body) {
  if (body.contains("contentType") && !body["contentType"].is_string())
    return "Property 'contentType' must be a string.";
  if (body.contains("tags")) {
    if (!body["tags"].is_object()) return "Property 'tags' must be an object.";
    for (const auto& [k, v] : body["tags"].items())
      if (!v.is_string()) return "Tag values must be strings.";
  }
  if (!body.contains("attributes")) return "";
  const json& a = body["attributes"];
  if (!a.is_object()) return "Property 'attributes' must be an object.";
  if (a.contains("enabled") && !a["enabled"].is_boolean())
    return "Property 'attributes.enabled' must be a boolean.";
  for (const char* k : {"nbf", "exp"})
    if (a.contains(k) && !a[k].is_number())
      return std::string("Property 'attributes.") + k + "' must be a number (seconds).";
  return "";
}

std::string NewVersion() {
  std::string g = NewGuid();
  g.erase(std::remove(g.begin(), g.end(), '-'), g.end());
  return g;
}

}  // namespace

HttpResponse KeyVaultData::Handle(const HttpRequest& req, const std::string& vault,
                                  const std::string& uri, std::string* principal) {
  std::string challenge = "Bearer authorization=\"" + authority_ + "/" + tenant_ +
                          "\", resource=\"https://vault.azure.net\"";
  std::string auth = req.Header("authorization");
  if (auth.empty()) {
    HttpResponse r =
        KvError(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.");
    r.Set("WWW-Authenticate", challenge);
    return r;
  }
  auto claims = entra_.Verify(auth, "https://vault.azure.net");
  if (!claims.ok()) {
    HttpResponse r = KvError(401, "Unauthorized",
                             "AKV10022: Invalid audience or token: " + claims.status().message());
    r.Set("WWW-Authenticate", challenge);
    return r;
  }
  *principal = claims->object_id;
  std::vector<std::string> seg = SplitPath(req.path);
  if (seg.empty() || (!IEquals(seg[0], "secrets") && !IEquals(seg[0], "deletedsecrets")))
    return KvError(400, "BadParameter", "The request URI is not a supported Key Vault operation.");
  bool deleted_col = IEquals(seg[0], "deletedsecrets");
  std::string perm;
  const std::string& m = req.method;
  if (!deleted_col) {
    if (seg.size() == 1 && m == "GET")
      perm = "list";
    else if (seg.size() == 2 && m == "PUT")
      perm = "set";
    else if (seg.size() == 2 && m == "DELETE")
      perm = "delete";
    else if (seg.size() == 2 && m == "GET")
      perm = "get";
    else if (seg.size() == 3 && m == "GET" && IEquals(seg[2], "versions"))
      perm = "list";
    else if (seg.size() == 3 && m == "GET")
      perm = "get";
    else if (seg.size() == 3 && m == "PATCH")
      perm = "set";
  } else {
    if (seg.size() <= 2 && m == "GET")
      perm = "list";
    else if (seg.size() == 2 && m == "DELETE")
      perm = "purge";
    else if (seg.size() == 3 && m == "POST" && IEquals(seg[2], "recover"))
      perm = "recover";
  }
  if (perm.empty())
    return KvError(405, "BadParameter", "The method " + m + " is not allowed on " + req.path + ".");
  Arm::VaultAccess v = arm_.VaultAccessFor(vault, claims->object_id, perm);
  if (!v.exists) return KvError(404, "VaultNotFound", "The vault '" + vault + "' does not exist.");
  if (!v.allowed)
    return KvError(403, "Forbidden",
                   "The user, group or application 'appid=" + claims->client_id +
                       ";oid=" + claims->object_id + ";iss=https://sts.windows.net/" +
                       claims->tenant_id + "/' does not have secrets " + perm +
                       " permission on key vault '" + v.name + ";location=" + v.location +
                       "'. For help resolving this issue, please see "
                       "https://go.microsoft.com/fwlink/?linkid=2125287",
                   "AccessDenied");
  double now = NowSeconds();
  auto not_found = [&](const std::string& name) {
    return KvError(
        404, "SecretNotFound",
        "A secret with (name/id) " + name +
            " was not found in this key vault. If you recently deleted this secret you "
            "may be able to recover it using the correct recovery command. For help "
            "resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182");
  };
  auto paged = [&](const std::vector<json>& items) {
    size_t top = 25;
    std::string mr = req.Query("maxresults");
    if (!mr.empty())
      top = std::clamp<size_t>(size_t(std::max(1L, std::strtol(mr.c_str(), nullptr, 10))), 1, 25);
    size_t skip = size_t(std::max(0L, std::strtol(req.Query("$skiptoken").c_str(), nullptr, 10)));
    json value = json::array();
    for (size_t i = skip; i < items.size() && value.size() < top; ++i) value.push_back(items[i]);
    json out = {{"value", value}, {"nextLink", nullptr}};
    if (skip + value.size() < items.size())
      out["nextLink"] = uri + req.path.substr(1) +
                        "?api-version=" + UrlEncode(req.Query("api-version")) +
                        "&maxresults=" + std::to_string(top) +
                        "&$skiptoken=" + std::to_string(skip + value.size());
    return KvJson(200, out);
  };

  if (!deleted_col && seg.size() == 1) {
    std::vector<json> items;
    for (const auto& r : store_.List(vault))
      if (r.deleted == 0 && !r.versions.empty())
        items.push_back(Bundle(uri, r, r.versions.back(), v, false, true));
    return paged(items);
  }
  if (deleted_col && seg.size() == 1) {
    std::vector<json> items;
    for (const auto& r : store_.List(vault))
      if (r.deleted > 0 && !r.versions.empty()) {
        json j = Bundle(uri, r, r.versions.back(), v, false, true);
        j.update(DeletedFields(uri, r));
        items.push_back(j);
      }
    return paged(items);
  }
  const std::string& name = seg[1];
  if (!ValidSecretName(name))
    return KvError(400, "BadParameter",
                   "The request URI contains an invalid name: " + name +
                       ". Secret names must match ^[0-9a-zA-Z-]{1,127}$.");
  std::optional<SecretRecord> rec = store_.Get(vault, name);

  if (deleted_col) {
    if (!rec || rec->deleted == 0)
      return KvError(404, "SecretNotFound",
                     "Deleted Secret not found: " + name +
                         ". If the secret was purged, it "
                         "cannot be recovered.");
    if (m == "GET") {
      json j = Bundle(uri, *rec, rec->versions.back(), v, false, false);
      j.update(DeletedFields(uri, *rec));
      return KvJson(200, j);
    }
    if (m == "DELETE") {
      if (v.purge_protection)
        return KvError(403, "Forbidden",
                       "Operation \"purge\" is not allowed because purge protection is enabled "
                       "for this vault. Key Vault service will automatically purge it after the "
                       "retention period has passed.");
      (void)store_.Remove(vault, name);
      HttpResponse r;
      r.status = 204;
      return r;
    }
    rec->deleted = 0;
    rec->purge_at = 0;
    (void)store_.Put(vault, *rec);
    return KvJson(200, Bundle(uri, *rec, rec->versions.back(), v, false, false));
  }

  if (m == "PUT") {
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("value") || !body["value"].is_string())
      return KvError(400, "BadParameter", "Property 'value' is required and must be a string.");
    if (std::string bad = BadAttributes(body); !bad.empty())
      return KvError(400, "BadParameter", bad);
    if (rec && rec->deleted > 0)
      return KvError(
          409, "Conflict",
          "Secret " + name +
              " is currently in a deleted but recoverable state, and "
              "its name cannot be reused; in this state, the secret can only be recovered "
              "or purged.",
          "ObjectIsDeletedButRecoverable");
    if (!rec) {
      rec = SecretRecord{};
      rec->name = name;
    }
    SecretVersion s;
    s.version = NewVersion();
    s.value = body["value"].get<std::string>();
    if (body.contains("contentType") && body["contentType"].is_string())
      s.content_type = body["contentType"].get<std::string>();
    if (body.contains("tags") && body["tags"].is_object()) s.tags = body["tags"];
    s.attributes = json::object();
    if (body.contains("attributes") && body["attributes"].is_object())
      for (const char* k : {"enabled", "nbf", "exp"})
        if (body["attributes"].contains(k)) s.attributes[k] = body["attributes"][k];
    s.created = s.updated = now;
    rec->versions.push_back(s);
    if (!store_.Put(vault, *rec).ok())
      return KvError(500, "InternalServerError", "azsim could not persist the secret.");
    return KvJson(200, Bundle(uri, *rec, s, v, true, false));
  }
  if (!rec || rec->deleted > 0 || rec->versions.empty()) return not_found(name);
  if (m == "DELETE") {
    if (!v.soft_delete) {
      (void)store_.Remove(vault, name);
      return KvJson(200, Bundle(uri, *rec, rec->versions.back(), v, false, false));
    }
    rec->deleted = now;
    rec->purge_at = now + v.retention_days * 86400.0;
    (void)store_.Put(vault, *rec);
    json j = Bundle(uri, *rec, rec->versions.back(), v, false, false);
    j.update(DeletedFields(uri, *rec));
    return KvJson(200, j);
  }
  if (seg.size() == 3 && IEquals(seg[2], "versions")) {
    std::vector<json> items;
    for (const auto& s : rec->versions) {
      json j = Bundle(uri, *rec, s, v, false, false);
      items.push_back(j);
    }
    return paged(items);
  }
  const SecretVersion* s = &rec->versions.back();
  if (seg.size() == 3) {
    s = nullptr;
    for (const auto& ver : rec->versions)
      if (IEquals(ver.version, seg[2])) s = &ver;
    if (!s) return not_found(name + "/" + seg[2]);
  }
  if (m == "PATCH") {
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object())
      return KvError(400, "BadParameter", "The request body is not a JSON object.");
    if (std::string bad = BadAttributes(body); !bad.empty())
      return KvError(400, "BadParameter", bad);
    SecretVersion& w = const_cast<SecretVersion&>(*s);
    if (body.contains("contentType") && body["contentType"].is_string())
      w.content_type = body["contentType"].get<std::string>();
    if (body.contains("tags") && body["tags"].is_object()) w.tags = body["tags"];
    if (body.contains("attributes") && body["attributes"].is_object())
      for (const char* k : {"enabled", "nbf", "exp"})
        if (body["attributes"].contains(k)) w.attributes[k] = body["attributes"][k];
    w.updated = now;
    (void)store_.Put(vault, *rec);
    return KvJson(200, Bundle(uri, *rec, w, v, false, false));
  }
  if (s->attributes.is_object() && !s->attributes.value("enabled", true))
    return KvError(403, "Forbidden", "Operation get is not allowed on a disabled secret.",
                   "SecretDisabled");
  return KvJson(200, Bundle(uri, *rec, *s, v, true, false));
}

}  // namespace azsim
