#include "sim/blob.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "sim/entra.h"
#include "sim/util.h"
#include "sim/vhd.h"

namespace azsim {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kMaxPageWrite = 4ull << 20;
constexpr uint64_t kMaxUnrangedRead = 256ull << 20;

struct BlobError {
  int status = 0;
  std::string code, message;
};

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

HttpResponse XmlError(int status, const std::string& code, const std::string& message) {
  HttpResponse r;
  r.status = status;
  r.Set("Content-Type", "application/xml");
  r.Set("x-ms-error-code", code);
  std::string rid = NewGuid();
  r.Set("x-ms-request-id", rid);
  r.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" + code + "</Code><Message>" +
           XmlEscape(message) + "\nRequestId:" + rid + "\nTime:" + Iso8601(NowSeconds()) +
           "</Message></Error>";
  return r;
}

std::string NewBlobEtag() { return "\"0x8D" + HexEncode(RandomBytes(7)).substr(0, 13) + "\""; }

// Parses "bytes=S-E" (E optional). Returns false when malformed.
bool ParseRange(const std::string& text, uint64_t* start, std::optional<uint64_t>* end) {
  if (!easel::StartsWith(text, "bytes=")) return false;
  std::string r = text.substr(6);
  size_t dash = r.find('-');
  if (dash == std::string::npos || dash == 0) return false;
  char* e = nullptr;
  *start = std::strtoull(r.c_str(), &e, 10);
  if (e != r.c_str() + dash) return false;
  std::string tail = r.substr(dash + 1);
  if (tail.empty()) {
    end->reset();
    return true;
  }
  *end = std::strtoull(tail.c_str(), &e, 10);
  return *e == '\0' && **end >= *start;
}

// Extracts the text of every <tag>...</tag> in order, with the tag name.
std::vector<std::pair<std::string, std::string>> XmlChildren(const std::string& xml) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while ((pos = xml.find('<', pos)) != std::string::npos) {
    size_t close = xml.find('>', pos);
    if (close == std::string::npos) break;
    std::string tag = xml.substr(pos + 1, close - pos - 1);
    if (tag.empty() || tag[0] == '/' || tag[0] == '?' || tag.back() == '/') {
      pos = close + 1;
      continue;
    }
    std::string end_tag = "</" + tag + ">";
    size_t end = xml.find(end_tag, close + 1);
    std::string inner = end == std::string::npos ? "" : xml.substr(close + 1, end - close - 1);
    if (inner.find('<') == std::string::npos) {
      out.emplace_back(tag, inner);
      pos = end == std::string::npos ? close + 1 : end + end_tag.size();
    } else {
      pos = close + 1;
    }
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------- state

struct BlobMeta {
  std::string type;  // BlockBlob, PageBlob, AppendBlob
  uint64_t size = 0;
  std::string etag;
  double created = 0, modified = 0;
  std::string content_type = "application/octet-stream";
  std::string content_md5, content_encoding, content_language, content_disposition, cache_control;
  std::map<std::string, std::string> metadata;
  std::map<uint64_t, uint64_t> pages;  // written page ranges: start -> end (inclusive)
  std::vector<std::pair<std::string, uint64_t>> blocks;  // committed block ids and sizes
  int64_t sequence = 0;
  // Copy state.
  std::string copy_id, copy_status, copy_source, copy_description;
  double copy_start = 0, copy_done = 0;  // wall times
  uint64_t copy_total = 0;
  std::string copy_source_key, copy_source_etag;  // the source as it was when the copy started
  std::string file;                               // data file name under data_dir/blobs
};

struct ContainerMeta {
  std::string etag;
  double modified = 0;
  std::string public_access;  // "", "blob", "container"
  std::map<std::string, std::string> metadata;
};

struct BlobService::Impl {
  Store& store;
  Entra& entra;
  Settings settings;
  double copy_override = 0;
  BlobDataAccessSource data_access;  // set once at start
  std::mutex mu;
  std::map<std::string, std::vector<std::string>> accounts;  // account -> keys (base64)
  std::map<std::string, bool> allow_public;                  // account -> allowBlobPublicAccess
  std::map<std::string, bool> deny_shared_key;      // account -> allowSharedKeyAccess is false
  std::map<std::string, ContainerMeta> containers;  // "acct/ctr"
  std::map<std::string, BlobMeta> blobs;            // "acct/ctr/blob"
  std::map<std::string, std::map<std::string, std::string>>
      uncommitted;  // blob key -> block id -> file

  Impl(Store& s, Entra& e, Settings st) : store(s), entra(e), settings(std::move(st)) {}

  std::string DataPath(const std::string& file) const {
    return settings.data_dir + "/blobs/" + file;
  }
  std::string BlockPath(const std::string& file) const {
    return settings.data_dir + "/blocks/" + file;
  }

  void SaveAccount(const std::string& a) {
    (void)store.Put("acct", a,
                    json{{"keys", accounts[a]},
                         {"allowPublic", allow_public[a]},
                         {"denySharedKey", deny_shared_key[a]}}
                        .dump());
  }

  void SaveContainer(const std::string& key) {
    const ContainerMeta& c = containers[key];
    (void)store.Put("ctr", key,
                    json{{"etag", c.etag},
                         {"modified", c.modified},
                         {"public", c.public_access},
                         {"metadata", c.metadata}}
                        .dump(-1, ' ', false, json::error_handler_t::replace));
  }
  void SaveBlob(const std::string& key) {
    const BlobMeta& b = blobs[key];
    json pages = json::array();
    for (const auto& [s, e] : b.pages) pages.push_back({s, e});
    json blocks = json::array();
    for (const auto& [id, size] : b.blocks) blocks.push_back({id, size});
    json j = {{"type", b.type},
              {"size", b.size},
              {"etag", b.etag},
              {"created", b.created},
              {"modified", b.modified},
              {"contentType", b.content_type},
              {"md5", b.content_md5},
              {"encoding", b.content_encoding},
              {"language", b.content_language},
              {"disposition", b.content_disposition},
              {"cache", b.cache_control},
              {"metadata", b.metadata},
              {"pages", pages},
              {"blocks", blocks},
              {"seq", b.sequence},
              {"copyId", b.copy_id},
              {"copyStatus", b.copy_status},
              {"copySource", b.copy_source},
              {"copyDescription", b.copy_description},
              {"copyStart", b.copy_start},
              {"copyDone", b.copy_done},
              {"copyTotal", b.copy_total},
              {"copySourceKey", b.copy_source_key},
              {"copySourceEtag", b.copy_source_etag},
              {"file", b.file}};
    (void)store.Put("blob", key, j.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  static BlobMeta BlobFromJson(const json& j) {
    BlobMeta b;
    b.type = j.value("type", "BlockBlob");
    b.size = j.value("size", uint64_t{0});
    b.etag = j.value("etag", "");
    b.created = j.value("created", 0.0);
    b.modified = j.value("modified", 0.0);
    b.content_type = j.value("contentType", "");
    b.content_md5 = j.value("md5", "");
    b.content_encoding = j.value("encoding", "");
    b.content_language = j.value("language", "");
    b.content_disposition = j.value("disposition", "");
    b.cache_control = j.value("cache", "");
    b.metadata = j.value("metadata", std::map<std::string, std::string>{});
    for (const auto& p : j.value("pages", json::array()))
      b.pages[p[0].get<uint64_t>()] = p[1].get<uint64_t>();
    for (const auto& p : j.value("blocks", json::array()))
      b.blocks.push_back({p[0].get<std::string>(), p[1].get<uint64_t>()});
    b.sequence = j.value("seq", int64_t{0});
    b.copy_id = j.value("copyId", "");
    b.copy_status = j.value("copyStatus", "");
    b.copy_source = j.value("copySource", "");
    b.copy_description = j.value("copyDescription", "");
    b.copy_start = j.value("copyStart", 0.0);
    b.copy_done = j.value("copyDone", 0.0);
    b.copy_total = j.value("copyTotal", uint64_t{0});
    b.copy_source_key = j.value("copySourceKey", "");
    b.copy_source_etag = j.value("copySourceEtag", "");
    b.file = j.value("file", "");
    return b;
  }

  void RemoveBlobData(BlobMeta& b) {
    if (!b.file.empty()) {
      std::error_code ec;
      fs::remove(DataPath(b.file), ec);
    }
  }

  // Advances a pending copy whose time has come.
  void AdvanceCopy(const std::string& key, BlobMeta& b) {
    if (b.copy_status != "pending") return;
    // As on Azure, a source changed or deleted while the copy runs fails the copy.
    auto src = blobs.find(b.copy_source_key);
    if (src == blobs.end() || src->second.etag != b.copy_source_etag) {
      b.copy_status = "failed";
      b.copy_done = NowSeconds();
      b.copy_description =
          "500 InternalError \"Copy failed: the source blob was modified or deleted during the "
          "copy.\"";
      b.size = 0;
      b.pages.clear();
      RemoveBlobData(b);
      SaveBlob(key);
      return;
    }
    if (NowSeconds() >= b.copy_done) {
      b.copy_status = "success";
      SaveBlob(key);
    }
  }
};

BlobService::BlobService(Store& store, Entra& entra, Settings settings)
    : impl_(std::make_unique<Impl>(store, entra, std::move(settings))) {}
BlobService::~BlobService() = default;

easel::Status BlobService::Start() {
  std::error_code ec;
  fs::create_directories(impl_->settings.data_dir + "/blobs", ec);
  fs::create_directories(impl_->settings.data_dir + "/blocks", ec);
  if (ec)
    return easel::Status::IOError("cannot create " + impl_->settings.data_dir + ": " +
                                  ec.message());
  std::lock_guard<std::mutex> lock(impl_->mu);
  easel::Status st = impl_->store.Scan("acct", [&](const std::string& k, const std::string& v) {
    json j = json::parse(v, nullptr, false);
    if (j.is_object() && j.contains("keys") && j["keys"].is_array()) {
      impl_->accounts[k] = j["keys"].get<std::vector<std::string>>();
      impl_->allow_public[k] = j.value("allowPublic", false);
      impl_->deny_shared_key[k] = j.value("denySharedKey", false);
    }
  });
  if (!st.ok()) return st;
  st = impl_->store.Scan("ctr", [&](const std::string& k, const std::string& v) {
    json j = json::parse(v, nullptr, false);
    if (!j.is_object()) return;
    ContainerMeta c;
    c.etag = j.value("etag", "");
    c.modified = j.value("modified", 0.0);
    c.public_access = j.value("public", "");
    c.metadata = j.value("metadata", std::map<std::string, std::string>{});
    impl_->containers[k] = c;
  });
  if (!st.ok()) return st;
  return impl_->store.Scan("blob", [&](const std::string& k, const std::string& v) {
    json j = json::parse(v, nullptr, false);
    if (j.is_object()) impl_->blobs[k] = Impl::BlobFromJson(j);
  });
}

std::vector<std::string> BlobService::EnsureAccount(const std::string& account,
                                                    AccountAccess access) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto& keys = impl_->accounts[account];
  if (keys.size() != 2) keys = {Base64Encode(RandomBytes(64)), Base64Encode(RandomBytes(64))};
  impl_->allow_public[account] = access.allow_public;
  impl_->deny_shared_key[account] = !access.allow_shared_key;
  impl_->SaveAccount(account);
  return keys;
}

bool BlobService::PublicAccessAllowed(const std::string& account) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->allow_public.find(account);
  return it != impl_->allow_public.end() && it->second;
}

std::vector<std::string> BlobService::Keys(const std::string& account) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->accounts.find(account);
  return it == impl_->accounts.end() ? std::vector<std::string>{} : it->second;
}

std::string BlobService::RegenerateKey(const std::string& account, int index) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto& keys = impl_->accounts[account];
  if (keys.size() != 2) keys = {Base64Encode(RandomBytes(64)), Base64Encode(RandomBytes(64))};
  keys[size_t(index)] = Base64Encode(RandomBytes(64));
  impl_->SaveAccount(account);
  return keys[size_t(index)];
}

void BlobService::DeleteAccount(const std::string& account) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->accounts.erase(account);
  impl_->allow_public.erase(account);
  impl_->deny_shared_key.erase(account);
  (void)impl_->store.Delete("acct", account);
  std::string prefix = account + "/";
  for (auto it = impl_->containers.lower_bound(prefix);
       it != impl_->containers.end() && easel::StartsWith(it->first, prefix);) {
    (void)impl_->store.Delete("ctr", it->first);
    it = impl_->containers.erase(it);
  }
  for (auto it = impl_->blobs.lower_bound(prefix);
       it != impl_->blobs.end() && easel::StartsWith(it->first, prefix);) {
    impl_->RemoveBlobData(it->second);
    (void)impl_->store.Delete("blob", it->first);
    it = impl_->blobs.erase(it);
  }
}

void BlobService::EnsureContainer(const std::string& account, const std::string& container,
                                  const std::string& access) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string key = account + "/" + container;
  ContainerMeta& c = impl_->containers[key];
  if (c.etag.empty()) c.etag = NewBlobEtag();
  c.modified = NowSeconds();
  c.public_access = access;
  impl_->SaveContainer(key);
}

void BlobService::DeleteContainer(const std::string& account, const std::string& container) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string key = account + "/" + container;
  impl_->containers.erase(key);
  (void)impl_->store.Delete("ctr", key);
  std::string prefix = key + "/";
  for (auto it = impl_->blobs.lower_bound(prefix);
       it != impl_->blobs.end() && easel::StartsWith(it->first, prefix);) {
    impl_->RemoveBlobData(it->second);
    (void)impl_->store.Delete("blob", it->first);
    it = impl_->blobs.erase(it);
  }
}

void BlobService::SetCopySpeedOverride(double mb_per_s) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->copy_override = mb_per_s;
}

bool BlobService::BlobExistsAtUrl(const std::string& url) {
  std::string base = impl_->settings.blob_base + "/";
  std::string u = url.substr(0, url.find('?'));
  if (!easel::StartsWith(u, base)) return false;
  std::vector<std::string> seg = SplitPath(u.substr(base.size()));
  if (seg.size() < 3) return false;
  std::string key = seg[0] + "/" + seg[1] + "/" +
                    easel::Join(std::vector<std::string>(seg.begin() + 2, seg.end()), "/");
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->blobs.count(key) > 0;
}

// ---------------------------------------------------------------- request handling

namespace {

struct Req {
  const HttpRequest& http;
  std::string account, container, blob;  // decoded
  std::string comp, restype;
  // Who was authorized, for the request log: "sharedkey:{account}", a token's object id,
  // "sas:{account}" or "anonymous".
  mutable std::string principal;
  // RBAC of bearer tokens, read before the service's lock is taken:
  // "{object id}/{account}/{container}" ->
  // the permission letters the token's data roles grant on this request's container.
  std::map<std::string, std::string> data_permissions = {};
};

// The built-in data roles of Blob storage: role definition GUID -> the permission letters (as in
// SAS) their data actions amount to.
const std::map<std::string, std::string>& BlobDataRoles() {
  static const std::map<std::string, std::string> roles = {
      {"b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "racwdlt"},  // Storage Blob Data Owner
      {"ba92f5b4-2d11-453d-a403-e96b0029c9fe", "racwdlt"},  // Storage Blob Data Contributor
      {"2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", "rl"},       // Storage Blob Data Reader
  };
  return roles;
}

// The permission letters `access` grants on `container` of its account: the union of the data
// roles assigned at the account, at a scope above it, or at the container.
std::string DataPermissions(const BlobDataAccess& access, const std::string& container) {
  if (access.account_id.empty()) return "";
  std::string account = easel::ToLower(access.account_id);
  std::string container_id =
      account + "/blobservices/default/containers/" + easel::ToLower(container);
  std::string letters;
  for (const auto& [scope, role] : access.assignments) {
    std::string s = easel::ToLower(scope);
    auto covers = [&](const std::string& id) {
      return id == s || (easel::StartsWith(id, s) && id[s.size()] == '/');
    };
    if (!covers(account) && (container.empty() || !covers(container_id))) continue;
    auto it = BlobDataRoles().find(easel::ToLower(role));
    if (it != BlobDataRoles().end()) letters += it->second;
  }
  return letters;
}

std::string CanonicalHeaders(const HttpRequest& req) {
  std::vector<std::pair<std::string, std::string>> h;
  for (const auto& [k, v] : req.headers)
    if (easel::StartsWith(k, "x-ms-")) {
      std::string val = v;
      while (!val.empty() && val.back() == ' ') val.pop_back();
      while (!val.empty() && val.front() == ' ') val.erase(0, 1);
      h.emplace_back(k, val);
    }
  std::sort(h.begin(), h.end());
  std::string out;
  for (const auto& [k, v] : h) out += k + ":" + v + "\n";
  return out;
}

std::string SharedKeyStringToSign(const HttpRequest& req, const std::string& account) {
  auto hv = [&](const char* n) { return req.Header(n); };
  std::string length = hv("content-length");
  if (length == "0") length.clear();
  std::string s = req.method + "\n" + hv("content-encoding") + "\n" + hv("content-language") +
                  "\n" + length + "\n" + hv("content-md5") + "\n" + hv("content-type") + "\n" +
                  (req.HasHeader("x-ms-date") ? "" : hv("date")) + "\n" + hv("if-modified-since") +
                  "\n" + hv("if-match") + "\n" + hv("if-none-match") + "\n" +
                  hv("if-unmodified-since") + "\n" + hv("range") + "\n";
  s += CanonicalHeaders(req);
  s += "/" + account + req.path;
  // Query parameters: lowercased names, sorted, decoded values.
  std::map<std::string, std::vector<std::string>> q;
  size_t pos = 0;
  const std::string& raw = req.raw_query;
  while (pos < raw.size()) {
    size_t amp = raw.find('&', pos);
    if (amp == std::string::npos) amp = raw.size();
    std::string part = raw.substr(pos, amp - pos);
    size_t eq = part.find('=');
    std::string k = easel::ToLower(UrlDecode(part.substr(0, eq)));
    std::string v = eq == std::string::npos ? "" : UrlDecode(part.substr(eq + 1));
    if (!k.empty()) q[k].push_back(v);
    pos = amp + 1;
  }
  for (auto& [k, vals] : q) {
    std::sort(vals.begin(), vals.end());
    s += "\n" + k + ":" + easel::Join(vals, ",");
  }
  return s;
}

}  // namespace

// Authorization. Returns an empty optional when allowed; `perm` is the SAS permission letter
// needed.
static std::optional<HttpResponse> Authorize(BlobService::Impl& impl, const Req& r, char perm,
                                             bool anonymous_ok) {
  const HttpRequest& req = r.http;
  std::string auth = req.Header("authorization");
  auto keys_it = impl.accounts.find(r.account);
  if (keys_it == impl.accounts.end())
    return XmlError(404, "ResourceNotFound", "The specified resource does not exist.");
  // Shared Key and service SAS (signed with a key) are refused when the account disallows keys.
  if ((easel::StartsWith(auth, "SharedKey ") || req.query.count("sig")) &&
      impl.deny_shared_key[r.account])
    return XmlError(403, "KeyBasedAuthenticationNotPermitted",
                    "Key based authentication is not permitted on this storage account.");
  if (easel::StartsWith(auth, "SharedKey ")) {
    std::string cred = auth.substr(10);
    size_t colon = cred.find(':');
    if (colon == std::string::npos || cred.substr(0, colon) != r.account)
      return XmlError(403, "AuthenticationFailed",
                      "Server failed to authenticate the request. The account in the Authorization "
                      "header does not match.");
    std::string sig = cred.substr(colon + 1);
    std::string sts = SharedKeyStringToSign(req, r.account);
    for (const auto& key : keys_it->second) {
      std::string raw;
      if (Base64Decode(key, &raw) && Base64Encode(HmacSha256(raw, sts)) == sig) {
        r.principal = "sharedkey:" + r.account;
        return std::nullopt;
      }
    }
    return XmlError(403, "AuthenticationFailed",
                    "Server failed to authenticate the request. Make sure the value of "
                    "Authorization header is formed correctly including the signature.");
  }
  if (IEquals(auth.substr(0, std::min<size_t>(auth.size(), 7)), "Bearer ")) {
    auto claims = impl.entra.Verify(auth, "https://storage.azure.com");
    if (!claims.ok()) {
      HttpResponse res =
          XmlError(401, "InvalidAuthenticationInfo",
                   "Server failed to authenticate the request. " + claims.status().message());
      res.Set("WWW-Authenticate", "Bearer authorization_uri=" + impl.entra.AuthorizeUri() +
                                      " resource_id=https://storage.azure.com");
      return res;
    }
    auto granted = r.data_permissions.find(claims->object_id + "/" + r.account + "/" + r.container);
    if (granted == r.data_permissions.end() || granted->second.find(perm) == std::string::npos)
      return XmlError(
          403, "AuthorizationPermissionMismatch",
          "This request is not authorized to perform this operation using this permission.");
    r.principal = claims->object_id;
    return std::nullopt;
  }
  if (req.query.count("sig")) {
    auto q = [&](const char* k) { return req.Query(k); };
    std::string sv = q("sv"), sr = q("sr"), sp = q("sp"), st = q("st"), se = q("se");
    if (q("ss").size() || q("srt").size())
      return XmlError(403, "AuthenticationFailed",
                      "Account SAS is not supported by azsim; use a service SAS.");
    std::string canonical = "/blob/" + r.account + "/" + r.container;
    if (sr == "b" || sr == "bs" || sr == "bv") canonical += "/" + r.blob;
    std::vector<std::string> fields = {sp, st, se, canonical, q("si"), q("sip"), q("spr"), sv};
    if (sv >= "2018-11-09") {
      fields.push_back(sr);
      fields.push_back(q("snapshot").empty() ? q("versionid") : q("snapshot"));
      if (sv >= "2020-12-06") fields.push_back(q("ses"));
    }
    for (const char* k : {"rscc", "rscd", "rsce", "rscl", "rsct"}) fields.push_back(q(k));
    std::string sts = easel::Join(fields, "\n");
    bool good = false;
    for (const auto& key : keys_it->second) {
      std::string raw;
      if (Base64Decode(key, &raw) && Base64Encode(HmacSha256(raw, sts)) == q("sig")) good = true;
    }
    if (!good)
      return XmlError(403, "AuthenticationFailed",
                      "Server failed to authenticate the request. Signature did not match.");
    double now = NowSeconds(), t = 0;
    if (!se.empty() && (!ParseIso8601(se, &t) || t < now))
      return XmlError(403, "AuthenticationFailed", "Signed expiry time has passed or is invalid.");
    if (!st.empty() && ParseIso8601(st, &t) && t > now + 300)
      return XmlError(403, "AuthenticationFailed", "Signed start time is in the future.");
    if ((sr == "b" || sr == "bs" || sr == "bv") && r.blob.empty())
      return XmlError(
          403, "AuthorizationResourceTypeMismatch",
          "This request is not authorized to perform this operation using this resource type.");
    bool perm_ok = sp.find(perm) != std::string::npos ||
                   (perm == 'w' && sp.find('c') != std::string::npos && false);
    if (!perm_ok)
      return XmlError(
          403, "AuthorizationPermissionMismatch",
          "This request is not authorized to perform this operation using this permission.");
    r.principal = "sas:" + r.account;
    return std::nullopt;
  }
  if (anonymous_ok) {
    auto c = impl.containers.find(r.account + "/" + r.container);
    if (c != impl.containers.end() && !c->second.public_access.empty() &&
        !impl.allow_public[r.account])
      return XmlError(409, "PublicAccessNotPermitted",
                      "Public access is not permitted on this storage account.");
    if (c != impl.containers.end() && (c->second.public_access == "container" ||
                                       (c->second.public_access == "blob" && !r.blob.empty()))) {
      r.principal = "anonymous";
      return std::nullopt;
    }
  }
  if (!r.blob.empty() || !r.container.empty()) {
    auto c = impl.containers.find(r.account + "/" + r.container);
    if (c == impl.containers.end() && anonymous_ok)
      return XmlError(404, "ResourceNotFound", "The specified resource does not exist.");
  }
  return XmlError(401, "NoAuthenticationInformation",
                  "Server failed to authenticate the request. Please refer to the information in "
                  "the www-authenticate header.");
}

namespace {

void CommonHeaders(HttpResponse& res, const HttpRequest& req) {
  if (res.Get("x-ms-request-id").empty()) res.Set("x-ms-request-id", NewGuid());
  res.Set("x-ms-version",
          req.Header("x-ms-version").empty() ? "2025-11-05" : req.Header("x-ms-version"));
  res.Set("Date", HttpDate(NowSeconds()));
  std::string cid = req.Header("x-ms-client-request-id");
  if (!cid.empty()) res.Set("x-ms-client-request-id", cid);
  res.Set("Server", "azsim-blob");
}

void BlobHeaders(HttpResponse& res, const BlobMeta& b) {
  res.Set("ETag", b.etag);
  res.Set("Last-Modified", HttpDate(b.modified));
  res.Set("x-ms-creation-time", HttpDate(b.created));
  res.Set("x-ms-blob-type", b.type);
  res.Set("Content-Type", b.content_type.empty() ? "application/octet-stream" : b.content_type);
  if (!b.content_md5.empty()) res.Set("Content-MD5", b.content_md5);
  if (!b.content_encoding.empty()) res.Set("Content-Encoding", b.content_encoding);
  if (!b.content_language.empty()) res.Set("Content-Language", b.content_language);
  if (!b.content_disposition.empty()) res.Set("Content-Disposition", b.content_disposition);
  if (!b.cache_control.empty()) res.Set("Cache-Control", b.cache_control);
  res.Set("x-ms-lease-status", "unlocked");
  res.Set("x-ms-lease-state", "available");
  res.Set("x-ms-server-encrypted", "true");
  res.Set("Accept-Ranges", "bytes");
  if (b.type == "PageBlob") res.Set("x-ms-blob-sequence-number", std::to_string(b.sequence));
  for (const auto& [k, v] : b.metadata) res.Set("x-ms-meta-" + k, v);
  if (!b.copy_id.empty()) {
    res.Set("x-ms-copy-id", b.copy_id);
    res.Set("x-ms-copy-status", b.copy_status);
    res.Set("x-ms-copy-source", b.copy_source);
    uint64_t copied = b.copy_total;
    if (b.copy_status == "pending") {
      double span = std::max(1e-9, b.copy_done - b.copy_start);
      double frac = std::clamp((NowSeconds() - b.copy_start) / span, 0.0, 0.99);
      copied = uint64_t(double(b.copy_total) * frac);
    } else if (b.copy_status == "aborted" || b.copy_status == "failed") {
      copied = 0;
    }
    res.Set("x-ms-copy-progress", std::to_string(copied) + "/" + std::to_string(b.copy_total));
    if (b.copy_status != "pending") res.Set("x-ms-copy-completion-time", HttpDate(b.copy_done));
    if (!b.copy_description.empty()) res.Set("x-ms-copy-status-description", b.copy_description);
  }
}

// Azure's rule for x-ms-meta-* headers: names are C# identifiers, values printable ASCII. Anything
// else is 400 InvalidMetadata (it also kept invalid UTF-8 out of the persisted JSON, whose dump
// threw on it: found by tests/fuzz/sim_blob).
bool MetadataValid(const HttpRequest& req) {
  for (const auto& [k, v] : req.headers) {
    if (!easel::StartsWith(k, "x-ms-meta-")) continue;
    std::string name = k.substr(10);
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
    for (char c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    }
    for (char c : v) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
        return false;
      }
    }
  }
  return true;
}

std::map<std::string, std::string> MetadataFromHeaders(const HttpRequest& req) {
  std::map<std::string, std::string> m;
  for (const auto& [k, v] : req.headers)
    if (easel::StartsWith(k, "x-ms-meta-")) m[k.substr(10)] = v;
  return m;
}

// Adds [s, e] to a set of disjoint inclusive ranges, merging neighbours.
void AddRange(std::map<uint64_t, uint64_t>& ranges, uint64_t s, uint64_t e) {
  auto it = ranges.upper_bound(s);
  if (it != ranges.begin()) {
    auto prev = std::prev(it);
    if (prev->second + 1 >= s) {
      s = prev->first;
      e = std::max(e, prev->second);
      it = ranges.erase(prev);
    }
  }
  while (it != ranges.end() && it->first <= e + 1) {
    e = std::max(e, it->second);
    it = ranges.erase(it);
  }
  ranges[s] = e;
}

void RemoveRange(std::map<uint64_t, uint64_t>& ranges, uint64_t s, uint64_t e) {
  std::map<uint64_t, uint64_t> out;
  for (const auto& [a, b] : ranges) {
    if (b < s || a > e) {
      out[a] = b;
      continue;
    }
    if (a < s) out[a] = s - 1;
    if (b > e) out[e + 1] = b;
  }
  ranges.swap(out);
}

bool ReadFileRange(const std::string& path, uint64_t offset, uint64_t len, std::string* out) {
  out->assign(len, '\0');
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return len == 0 || errno == ENOENT;
  uint64_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd, out->data() + done, len - done, off_t(offset + done));
    if (n <= 0) break;  // past end of a sparse file reads as zeros already
    done += uint64_t(n);
  }
  ::close(fd);
  return true;
}

bool WriteFileRange(const std::string& path, uint64_t offset, const std::string& data,
                    uint64_t size) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT, 0600);
  if (fd < 0) return false;
  bool ok = ::ftruncate(fd, off_t(size)) == 0 || true;
  uint64_t done = 0;
  while (ok && done < data.size()) {
    ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done, off_t(offset + done));
    if (n <= 0)
      ok = false;
    else
      done += uint64_t(n);
  }
  ok = ::fdatasync(fd) == 0 && ok;
  ::close(fd);
  return ok;
}

bool PunchHole(const std::string& path, uint64_t offset, uint64_t len) {
  int fd = ::open(path.c_str(), O_WRONLY);
  if (fd < 0) return errno == ENOENT;
  int rc = ::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off_t(offset), off_t(len));
  if (rc != 0) {
    std::string zeros(len, '\0');
    rc = ::pwrite(fd, zeros.data(), len, off_t(offset)) == ssize_t(len) ? 0 : -1;
  }
  ::close(fd);
  return rc == 0;
}

}  // namespace

// ---------------------------------------------------------------- operations

namespace {

HttpResponse Created(int status = 201) {
  HttpResponse r;
  r.status = status;
  return r;
}

HttpResponse ListContainers(BlobService::Impl& impl, const Req& r) {
  std::string prefix = r.http.Query("prefix");
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ServiceEndpoint=\"" +
      impl.settings.blob_base + "/" + r.account + "/\"><Prefix>" + XmlEscape(prefix) +
      "</Prefix><Containers>";
  std::string p = r.account + "/";
  for (auto it = impl.containers.lower_bound(p);
       it != impl.containers.end() && easel::StartsWith(it->first, p); ++it) {
    std::string name = it->first.substr(p.size());
    if (!easel::StartsWith(name, prefix)) continue;
    xml += "<Container><Name>" + XmlEscape(name) + "</Name><Properties><Last-Modified>" +
           HttpDate(it->second.modified) + "</Last-Modified><Etag>" + it->second.etag +
           "</Etag><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState>";
    if (!it->second.public_access.empty())
      xml += "<PublicAccess>" + it->second.public_access + "</PublicAccess>";
    xml +=
        "<HasImmutabilityPolicy>false</HasImmutabilityPolicy><HasLegalHold>false</HasLegalHold></"
        "Properties></Container>";
  }
  xml += "</Containers><NextMarker /></EnumerationResults>";
  HttpResponse res;
  res.Set("Content-Type", "application/xml");
  res.body = xml;
  return res;
}

HttpResponse HandleAccount(BlobService::Impl& impl, const Req& r) {
  if (r.http.method == "GET" && r.comp == "list") {
    if (auto deny = Authorize(impl, r, 'l', false)) return *deny;
    return ListContainers(impl, r);
  }
  if (r.restype == "service" && r.comp == "properties" && r.http.method == "GET") {
    if (auto deny = Authorize(impl, r, 'r', false)) return *deny;
    HttpResponse res;
    res.Set("Content-Type", "application/xml");
    res.body =
        "<?xml version=\"1.0\" "
        "encoding=\"utf-8\"?><StorageServiceProperties><DefaultServiceVersion>2025-11-05</"
        "DefaultServiceVersion></StorageServiceProperties>";
    return res;
  }
  if (r.restype == "account" && r.comp == "properties") {
    if (auto deny = Authorize(impl, r, 'r', false)) return *deny;
    HttpResponse res;
    res.Set("x-ms-sku-name", "Standard_LRS");
    res.Set("x-ms-account-kind", "StorageV2");
    return res;
  }
  return XmlError(400, "UnsupportedHttpVerb",
                  "The resource doesn't support the specified HTTP verb or operation.");
}

HttpResponse ListBlobs(BlobService::Impl& impl, const Req& r) {
  std::string prefix = r.http.Query("prefix");
  std::string marker = r.http.Query("marker");
  size_t max = 5000;
  if (!r.http.Query("maxresults").empty())
    max = size_t(std::max(1L, std::strtol(r.http.Query("maxresults").c_str(), nullptr, 10)));
  std::string p = r.account + "/" + r.container + "/";
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ServiceEndpoint=\"" +
      impl.settings.blob_base + "/" + r.account + "/\" ContainerName=\"" + XmlEscape(r.container) +
      "\"><Prefix>" + XmlEscape(prefix) + "</Prefix><Blobs>";
  size_t n = 0;
  std::string next;
  for (auto it = impl.blobs.lower_bound(p + std::max(prefix, marker));
       it != impl.blobs.end() && easel::StartsWith(it->first, p); ++it) {
    std::string name = it->first.substr(p.size());
    if (!easel::StartsWith(name, prefix)) break;
    if (!marker.empty() && name < marker) continue;
    if (n == max) {
      next = name;
      break;
    }
    ++n;
    const BlobMeta& b = it->second;
    xml += "<Blob><Name>" + XmlEscape(name) + "</Name><Properties><Creation-Time>" +
           HttpDate(b.created) + "</Creation-Time><Last-Modified>" + HttpDate(b.modified) +
           "</Last-Modified><Etag>" + b.etag + "</Etag><Content-Length>" + std::to_string(b.size) +
           "</Content-Length><Content-Type>" + XmlEscape(b.content_type) +
           "</Content-Type><Content-MD5>" + b.content_md5 + "</Content-MD5><BlobType>" + b.type +
           "</BlobType><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</"
           "LeaseState><ServerEncrypted>true</ServerEncrypted>";
    if (!b.copy_id.empty())
      xml += "<CopyId>" + b.copy_id + "</CopyId><CopyStatus>" + b.copy_status +
             "</CopyStatus><CopySource>" + XmlEscape(b.copy_source) + "</CopySource>";
    xml += "</Properties>";
    if (r.http.Query("include").find("metadata") != std::string::npos) {
      xml += "<Metadata>";
      for (const auto& [k, v] : b.metadata) xml += "<" + k + ">" + XmlEscape(v) + "</" + k + ">";
      xml += "</Metadata>";
    }
    xml += "</Blob>";
  }
  xml += "</Blobs><NextMarker>" + XmlEscape(next) + "</NextMarker></EnumerationResults>";
  HttpResponse res;
  res.Set("Content-Type", "application/xml");
  res.body = xml;
  return res;
}

HttpResponse HandleContainer(BlobService::Impl& impl, const Req& r) {
  const std::string key = r.account + "/" + r.container;
  const std::string& m = r.http.method;
  bool exists = impl.containers.count(key) > 0;
  char perm =
      (m == "GET" || m == "HEAD") ? (r.comp == "list" ? 'l' : 'r') : (m == "DELETE" ? 'd' : 'w');
  if (auto deny = Authorize(impl, r, perm, m == "GET" && r.comp == "list")) return *deny;
  if (r.restype != "container")
    return XmlError(
        400, "InvalidQueryParameterValue",
        "Value for one of the query parameters specified in the request URI is invalid (restype).");
  if (m == "PUT" && r.comp.empty()) {
    if (exists)
      return XmlError(409, "ContainerAlreadyExists", "The specified container already exists.");
    const std::string& n = r.container;
    bool valid = n.size() >= 3 && n.size() <= 63 && n.find("--") == std::string::npos &&
                 n.front() != '-' && n.back() != '-';
    for (unsigned char c : n) valid &= (std::islower(c) || std::isdigit(c) || c == '-');
    if (!valid)
      return XmlError(400, "InvalidResourceName",
                      "The specifed resource name contains invalid characters.");
    ContainerMeta c;
    c.etag = NewBlobEtag();
    c.modified = NowSeconds();
    c.public_access = easel::ToLower(r.http.Header("x-ms-blob-public-access"));
    if (!c.public_access.empty() && !impl.allow_public[r.account])
      return XmlError(409, "PublicAccessNotPermitted",
                      "Public access is not permitted on this storage account.");
    c.metadata = MetadataFromHeaders(r.http);
    impl.containers[key] = c;
    impl.SaveContainer(key);
    HttpResponse res = Created();
    res.Set("ETag", c.etag);
    res.Set("Last-Modified", HttpDate(c.modified));
    return res;
  }
  if (!exists) return XmlError(404, "ContainerNotFound", "The specified container does not exist.");
  ContainerMeta& c = impl.containers[key];
  if (m == "DELETE") {
    std::string prefix = key + "/";
    for (auto it = impl.blobs.lower_bound(prefix);
         it != impl.blobs.end() && easel::StartsWith(it->first, prefix);) {
      impl.RemoveBlobData(it->second);
      (void)impl.store.Delete("blob", it->first);
      it = impl.blobs.erase(it);
    }
    impl.containers.erase(key);
    (void)impl.store.Delete("ctr", key);
    return Created(202);
  }
  if (m == "GET" && r.comp == "list") return ListBlobs(impl, r);
  if ((m == "GET" || m == "HEAD") && (r.comp.empty() || r.comp == "metadata")) {
    HttpResponse res;
    res.Set("ETag", c.etag);
    res.Set("Last-Modified", HttpDate(c.modified));
    res.Set("x-ms-lease-status", "unlocked");
    res.Set("x-ms-lease-state", "available");
    res.Set("x-ms-has-immutability-policy", "false");
    res.Set("x-ms-has-legal-hold", "false");
    if (!c.public_access.empty()) res.Set("x-ms-blob-public-access", c.public_access);
    for (const auto& [k, v] : c.metadata) res.Set("x-ms-meta-" + k, v);
    return res;
  }
  if (m == "PUT" && r.comp == "metadata") {
    c.metadata = MetadataFromHeaders(r.http);
    c.etag = NewBlobEtag();
    c.modified = NowSeconds();
    impl.SaveContainer(key);
    HttpResponse res;
    res.Set("ETag", c.etag);
    res.Set("Last-Modified", HttpDate(c.modified));
    return res;
  }
  if (r.comp == "acl") {
    if (m == "PUT") {
      std::string access = easel::ToLower(r.http.Header("x-ms-blob-public-access"));
      if (!access.empty() && !impl.allow_public[r.account])
        return XmlError(409, "PublicAccessNotPermitted",
                        "Public access is not permitted on this storage account.");
      c.public_access = access;
      c.etag = NewBlobEtag();
      c.modified = NowSeconds();
      impl.SaveContainer(key);
    }
    HttpResponse res;
    res.Set("ETag", c.etag);
    res.Set("Last-Modified", HttpDate(c.modified));
    if (!c.public_access.empty()) res.Set("x-ms-blob-public-access", c.public_access);
    if (m == "GET") {
      res.Set("Content-Type", "application/xml");
      res.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><SignedIdentifiers />";
    }
    return res;
  }
  return XmlError(400, "UnsupportedHttpVerb",
                  "The resource doesn't support the specified HTTP verb or operation.");
}

// Conditional headers on a blob: If-Match / If-None-Match.
std::optional<HttpResponse> CheckConditions(const Req& r, const BlobMeta* b) {
  std::string im = r.http.Header("if-match"), inm = r.http.Header("if-none-match");
  if (!im.empty() && im != "*" && (!b || b->etag != im))
    return XmlError(412, "ConditionNotMet",
                    "The condition specified using HTTP conditional header(s) is not met.");
  if (!im.empty() && im == "*" && !b)
    return XmlError(412, "ConditionNotMet",
                    "The condition specified using HTTP conditional header(s) is not met.");
  if (!inm.empty() && b && (inm == "*" || inm == b->etag)) {
    if (r.http.method == "GET" || r.http.method == "HEAD") {
      HttpResponse res;
      res.status = 304;
      return res;
    }
    return XmlError(409, "BlobAlreadyExists", "The specified blob already exists.");
  }
  return std::nullopt;
}

// Stores a new version of a blob (dropping its uncommitted blocks) and answers 201.
HttpResponse CommitBlob(BlobService::Impl& impl, const std::string& key, const BlobMeta& b) {
  impl.blobs[key] = b;
  impl.uncommitted.erase(key);
  impl.SaveBlob(key);
  HttpResponse res = Created();
  res.Set("ETag", b.etag);
  res.Set("Last-Modified", HttpDate(b.modified));
  res.Set("x-ms-request-server-encrypted", "true");
  return res;
}

HttpResponse StartCopy(BlobService::Impl& impl, const Req& r, const std::string& key);

HttpResponse PutBlob(BlobService::Impl& impl, const Req& r, const std::string& key) {
  if (r.http.HasHeader("x-ms-copy-source")) return StartCopy(impl, r, key);
  std::string type = r.http.Header("x-ms-blob-type");
  BlobMeta b;
  auto old = impl.blobs.find(key);
  b.created = old != impl.blobs.end() ? old->second.created : NowSeconds();
  b.modified = NowSeconds();
  b.etag = NewBlobEtag();
  b.file = old != impl.blobs.end() && !old->second.file.empty()
               ? old->second.file
               : HexEncode(Sha256(key + NewGuid()));
  b.content_type = r.http.Header("x-ms-blob-content-type");
  if (b.content_type.empty()) b.content_type = r.http.Header("content-type");
  if (b.content_type.empty()) b.content_type = "application/octet-stream";
  b.content_encoding = r.http.Header("x-ms-blob-content-encoding");
  b.content_language = r.http.Header("x-ms-blob-content-language");
  b.content_disposition = r.http.Header("x-ms-blob-content-disposition");
  b.cache_control = r.http.Header("x-ms-blob-cache-control");
  b.metadata = MetadataFromHeaders(r.http);
  std::string path = impl.DataPath(b.file);
  std::error_code ec;
  fs::remove(path, ec);
  if (type == "PageBlob") {
    if (!r.http.body.empty())
      return XmlError(400, "InvalidHeaderValue",
                      "A page blob is created empty (Content-Length: 0).");
    std::string len = r.http.Header("x-ms-blob-content-length");
    char* end = nullptr;
    uint64_t size = std::strtoull(len.c_str(), &end, 10);
    if (len.empty() || *end != '\0' || size % 512 != 0 || size > (8ull << 40))
      return XmlError(400, "InvalidHeaderValue",
                      "The value for one of the HTTP headers is not in the correct format "
                      "(x-ms-blob-content-length must be a multiple of 512).");
    b.type = "PageBlob";
    b.size = size;
    b.sequence = std::strtoll(r.http.Header("x-ms-blob-sequence-number").c_str(), nullptr, 10);
    if (!WriteFileRange(path, 0, "", size))
      return XmlError(500, "InternalError", "azsim could not create the blob file.");
  } else if (type == "BlockBlob" || type == "AppendBlob") {
    b.type = type;
    b.size = r.http.body.size();
    if (!WriteFileRange(path, 0, r.http.body, b.size))
      return XmlError(500, "InternalError", "azsim could not write the blob.");
    if (type == "BlockBlob") {
      // Azure computes the MD5 of a single-shot upload and checks a transactional Content-MD5.
      std::string md5 = Base64Encode(Md5(r.http.body));
      std::string sent = r.http.Header("content-md5");
      if (!sent.empty() && sent != md5)
        return XmlError(400, "Md5Mismatch",
                        "The MD5 value specified in the request did not match with the MD5 value "
                        "calculated by the server.");
      b.content_md5 =
          r.http.HasHeader("x-ms-blob-content-md5") ? r.http.Header("x-ms-blob-content-md5") : md5;
    }
  } else {
    return XmlError(
        400, "MissingRequiredHeader",
        "An HTTP header that's mandatory for this request is not specified (x-ms-blob-type).");
  }
  return CommitBlob(impl, key, b);
}

HttpResponse PutBlock(BlobService::Impl& impl, const Req& r, const std::string& key) {
  std::string id = r.http.Query("blockid");
  std::string raw;
  if (id.empty() || !Base64Decode(id, &raw) || raw.size() > 64)
    return XmlError(
        400, "InvalidQueryParameterValue",
        "Value for one of the query parameters specified in the request URI is invalid (blockid).");
  if (r.http.body.size() > (4000ull << 20))
    return XmlError(413, "RequestBodyTooLarge", "The request body is too large.");
  std::string file = HexEncode(Sha256(key + "\n" + id));
  std::string path = impl.BlockPath(file);
  std::error_code ec;
  fs::remove(path, ec);
  if (!WriteFileRange(path, 0, r.http.body, r.http.body.size()))
    return XmlError(500, "InternalError", "azsim could not write the block.");
  impl.uncommitted[key][id] = file;
  HttpResponse res = Created();
  res.Set("x-ms-request-server-encrypted", "true");
  return res;
}

HttpResponse PutBlockList(BlobService::Impl& impl, const Req& r, const std::string& key) {
  auto items = XmlChildren(r.http.body);
  auto old = impl.blobs.find(key);
  std::map<std::string, uint64_t> committed;
  std::string old_path;
  std::map<std::string, uint64_t> committed_offset;
  if (old != impl.blobs.end()) {
    uint64_t off = 0;
    for (const auto& [id, size] : old->second.blocks) {
      committed[id] = size;
      committed_offset[id] = off;
      off += size;
    }
    old_path = impl.DataPath(old->second.file);
  }
  auto& pending = impl.uncommitted[key];
  std::string data;
  std::vector<std::pair<std::string, uint64_t>> blocks;
  for (const auto& [tag, id] : items) {
    if (tag != "Latest" && tag != "Committed" && tag != "Uncommitted") continue;
    std::string chunk;
    bool found = false;
    if ((tag == "Latest" || tag == "Uncommitted") && pending.count(id)) {
      std::string p = impl.BlockPath(pending[id]);
      found = ReadFileRange(p, 0, fs::exists(p) ? fs::file_size(p) : 0, &chunk);
    } else if ((tag == "Latest" || tag == "Committed") && committed.count(id)) {
      found = ReadFileRange(old_path, committed_offset[id], committed[id], &chunk);
    }
    if (!found) return XmlError(400, "InvalidBlockList", "The specified block list is invalid.");
    blocks.push_back({id, chunk.size()});
    data += chunk;
  }
  BlobMeta b;
  b.type = "BlockBlob";
  b.created = old != impl.blobs.end() ? old->second.created : NowSeconds();
  b.modified = NowSeconds();
  b.etag = NewBlobEtag();
  b.size = data.size();
  b.blocks = blocks;
  b.file = HexEncode(Sha256(key + NewGuid()));
  b.content_type = r.http.Header("x-ms-blob-content-type");
  if (b.content_type.empty()) b.content_type = "application/octet-stream";
  b.content_md5 = r.http.Header("x-ms-blob-content-md5");
  b.content_encoding = r.http.Header("x-ms-blob-content-encoding");
  b.cache_control = r.http.Header("x-ms-blob-cache-control");
  b.metadata = MetadataFromHeaders(r.http);
  if (!WriteFileRange(impl.DataPath(b.file), 0, data, data.size()))
    return XmlError(500, "InternalError", "azsim could not write the blob.");
  if (old != impl.blobs.end()) impl.RemoveBlobData(old->second);
  for (const auto& [id, f] : pending) {
    std::error_code ec;
    fs::remove(impl.BlockPath(f), ec);
  }
  return CommitBlob(impl, key, b);
}

HttpResponse GetBlockList(BlobService::Impl& impl, const Req& r, const std::string& key) {
  auto it = impl.blobs.find(key);
  std::string xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList><CommittedBlocks>";
  if (it != impl.blobs.end())
    for (const auto& [id, size] : it->second.blocks)
      xml += "<Block><Name>" + id + "</Name><Size>" + std::to_string(size) + "</Size></Block>";
  xml += "</CommittedBlocks><UncommittedBlocks>";
  for (const auto& [id, f] : impl.uncommitted[key]) {
    std::error_code ec;
    auto size = fs::file_size(impl.BlockPath(f), ec);
    xml +=
        "<Block><Name>" + id + "</Name><Size>" + std::to_string(ec ? 0 : size) + "</Size></Block>";
  }
  xml += "</UncommittedBlocks></BlockList>";
  HttpResponse res;
  (void)r;
  res.Set("Content-Type", "application/xml");
  if (it != impl.blobs.end()) res.Set("ETag", it->second.etag);
  res.body = xml;
  return res;
}

HttpResponse PutPage(BlobService::Impl& impl, const Req& r, const std::string& key, BlobMeta& b) {
  if (b.type != "PageBlob")
    return XmlError(400, "InvalidBlobType", "The blob type is invalid for this operation.");
  std::string range = r.http.Header("x-ms-range");
  if (range.empty()) range = r.http.Header("range");
  uint64_t start = 0;
  std::optional<uint64_t> end;
  if (!ParseRange(range, &start, &end) || !end)
    return XmlError(
        400, "InvalidHeaderValue",
        "The value for one of the HTTP headers is not in the correct format (x-ms-range).");
  if (start % 512 != 0 || (*end + 1) % 512 != 0)
    return XmlError(416, "InvalidPageRange",
                    "The page range specified is invalid (ranges must be 512-byte aligned).");
  if (*end >= b.size)
    return XmlError(416, "InvalidPageRange",
                    "The page range specified is invalid (past the end of the blob).");
  uint64_t len = *end - start + 1;
  std::string action = r.http.Header("x-ms-page-write");
  if (action == "update") {
    if (len > kMaxPageWrite)
      return XmlError(
          413, "RequestBodyTooLarge",
          "The request body is too large and exceeds the maximum permissible limit (4 MiB).");
    if (r.http.body.size() != len)
      return XmlError(400, "InvalidHeaderValue",
                      "The Content-Length does not match the x-ms-range.");
    // A transactional Content-MD5 is checked, as Azure does.
    if (std::string sent = r.http.Header("content-md5");
        !sent.empty() && sent != Base64Encode(Md5(r.http.body)))
      return XmlError(400, "Md5Mismatch",
                      "The MD5 value specified in the request did not match with the MD5 value "
                      "calculated by the server.");
    if (!WriteFileRange(impl.DataPath(b.file), start, r.http.body, b.size))
      return XmlError(500, "InternalError", "azsim could not write the page.");
    AddRange(b.pages, start, *end);
  } else if (action == "clear") {
    if (!r.http.body.empty()) return XmlError(400, "InvalidHeaderValue", "Clear takes no body.");
    PunchHole(impl.DataPath(b.file), start, len);
    RemoveRange(b.pages, start, *end);
  } else {
    return XmlError(400, "InvalidHeaderValue", "x-ms-page-write must be update or clear.");
  }
  b.etag = NewBlobEtag();
  b.modified = NowSeconds();
  impl.SaveBlob(key);
  HttpResponse res = Created();
  res.Set("ETag", b.etag);
  res.Set("Last-Modified", HttpDate(b.modified));
  res.Set("x-ms-blob-sequence-number", std::to_string(b.sequence));
  res.Set("x-ms-request-server-encrypted", "true");
  return res;
}

HttpResponse GetPageRanges(const Req& r, const BlobMeta& b) {
  if (b.type != "PageBlob")
    return XmlError(400, "InvalidBlobType", "The blob type is invalid for this operation.");
  uint64_t lo = 0, hi = b.size ? b.size - 1 : 0;
  std::string range = r.http.Header("x-ms-range");
  if (range.empty()) range = r.http.Header("range");
  if (!range.empty()) {
    std::optional<uint64_t> end;
    if (!ParseRange(range, &lo, &end))
      return XmlError(400, "InvalidHeaderValue", "The x-ms-range header is malformed.");
    if (end) hi = std::min(hi, *end);
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><PageList>";
  for (const auto& [s, e] : b.pages) {
    if (e < lo || s > hi) continue;
    xml += "<PageRange><Start>" + std::to_string(std::max(s, lo)) + "</Start><End>" +
           std::to_string(std::min(e, hi)) + "</End></PageRange>";
  }
  xml += "</PageList>";
  HttpResponse res;
  res.Set("Content-Type", "application/xml");
  res.Set("ETag", b.etag);
  res.Set("Last-Modified", HttpDate(b.modified));
  res.Set("x-ms-blob-content-length", std::to_string(b.size));
  res.body = xml;
  return res;
}

HttpResponse GetBlob(BlobService::Impl& impl, const Req& r, const BlobMeta& b) {
  HttpResponse res;
  BlobHeaders(res, b);
  std::string range = r.http.Header("x-ms-range");
  if (range.empty()) range = r.http.Header("range");
  uint64_t start = 0, len = b.size;
  if (!range.empty()) {
    std::optional<uint64_t> end;
    if (!ParseRange(range, &start, &end))
      return XmlError(400, "InvalidHeaderValue", "The range header is malformed.");
    if (start >= b.size && b.size > 0)
      return XmlError(416, "InvalidRange",
                      "The range specified is invalid for the current size of the resource.");
    uint64_t last = end ? std::min(*end, b.size ? b.size - 1 : 0) : (b.size ? b.size - 1 : 0);
    len = b.size == 0 ? 0 : last - start + 1;
    res.status = 206;
    res.Set("Content-Range", "bytes " + std::to_string(start) + "-" + std::to_string(last) + "/" +
                                 std::to_string(b.size));
  }
  if (r.http.method == "HEAD") {
    res.head_length = len;
    return res;
  }
  if (len > kMaxUnrangedRead)
    return XmlError(400, "OutOfRangeInput",
                    "azsim serves at most 256 MiB per GET; read the blob in ranges.");
  if (!ReadFileRange(impl.DataPath(b.file), start, len, &res.body))
    return XmlError(500, "InternalError", "azsim could not read the blob.");
  return res;
}

// Copy Blob: authorizes the source, copies the data now (sparsely) and reports "pending" until the
// modelled duration has passed.
HttpResponse StartCopy(BlobService::Impl& impl, const Req& r, const std::string& key) {
  std::string src = r.http.Header("x-ms-copy-source");
  std::string base = impl.settings.blob_base + "/";
  std::string src_path = src.substr(0, src.find('?'));
  if (!easel::StartsWith(src_path, base))
    return XmlError(400, "CannotVerifyCopySource",
                    "azsim copies only from its own blob endpoint (" + base + ").");
  std::vector<std::string> seg = SplitPath(src_path.substr(base.size() - 1));
  if (seg.size() < 3)
    return XmlError(400, "InvalidHeaderValue", "x-ms-copy-source does not name a blob.");
  HttpRequest src_req;
  src_req.method = "GET";
  src_req.path = src_path.substr(base.size() - 1);
  size_t q = src.find('?');
  if (q != std::string::npos) {
    src_req.raw_query = src.substr(q + 1);
    src_req.query = ParseQuery(src_req.raw_query);
  }
  std::string src_auth = r.http.Header("x-ms-copy-source-authorization");
  if (!src_auth.empty()) src_req.headers["authorization"] = src_auth;
  Req sr{src_req, seg[0],
         seg[1],  easel::Join(std::vector<std::string>(seg.begin() + 2, seg.end()), "/"),
         "",      "",
         ""};
  sr.data_permissions = r.data_permissions;  // the copy source token's roles, read before the lock
  std::string src_key = sr.account + "/" + sr.container + "/" + sr.blob;
  auto sit = impl.blobs.find(src_key);
  bool same_account = sr.account == r.account;
  if (!same_account || src_req.query.count("sig") || !src_auth.empty()) {
    if (auto deny = Authorize(impl, sr, 'r', true)) {
      (void)deny;
      return XmlError(403, "CannotVerifyCopySource",
                      "Server failed to authenticate the request for the copy source.");
    }
  }
  if (sit == impl.blobs.end())
    return XmlError(404, "CannotVerifyCopySource", "The specified blob does not exist.");
  const BlobMeta src_b = sit->second;
  auto old = impl.blobs.find(key);
  if (old != impl.blobs.end() && old->second.copy_status == "pending")
    return XmlError(409, "PendingCopyOperation", "There is currently a pending copy operation.");
  BlobMeta b = src_b;
  b.created = old != impl.blobs.end() ? old->second.created : NowSeconds();
  b.modified = NowSeconds();
  b.etag = NewBlobEtag();
  b.file = HexEncode(Sha256(key + NewGuid()));
  b.metadata = MetadataFromHeaders(r.http).empty() ? src_b.metadata : MetadataFromHeaders(r.http);
  // Sparse copy: page blobs copy their written ranges only.
  std::string dst = impl.DataPath(b.file);
  if (src_b.type == "PageBlob") {
    if (!WriteFileRange(dst, 0, "", src_b.size))
      return XmlError(500, "InternalError", "azsim could not create the copy.");
    for (const auto& [s, e] : src_b.pages) {
      for (uint64_t off = s; off <= e; off += kMaxPageWrite) {
        uint64_t n = std::min<uint64_t>(kMaxPageWrite, e - off + 1);
        std::string chunk;
        ReadFileRange(impl.DataPath(src_b.file), off, n, &chunk);
        WriteFileRange(dst, off, chunk, src_b.size);
      }
    }
  } else {
    std::error_code ec;
    fs::copy_file(impl.DataPath(src_b.file), dst, fs::copy_options::overwrite_existing, ec);
    if (ec) return XmlError(500, "InternalError", "azsim could not copy the blob.");
  }
  if (old != impl.blobs.end()) impl.RemoveBlobData(old->second);
  uint64_t data_bytes = 0;
  if (src_b.type == "PageBlob") {
    for (const auto& [s, e] : src_b.pages) data_bytes += e - s + 1;
  } else {
    data_bytes = src_b.size;
  }
  double seconds = impl.settings.copy_mb_per_s > 0
                       ? double(data_bytes) / (impl.settings.copy_mb_per_s * 1e6)
                       : 0;
  seconds *= impl.settings.time_scale;
  if (impl.copy_override > 0) seconds = double(src_b.size) / (impl.copy_override * 1e6);
  b.copy_id = NewGuid();
  b.copy_source = src;
  b.copy_source_key = src_key;
  b.copy_source_etag = src_b.etag;
  b.copy_total = src_b.size;
  b.copy_start = NowSeconds();
  b.copy_done = b.copy_start + seconds;
  b.copy_status = seconds > 0 ? "pending" : "success";
  b.copy_description.clear();
  impl.blobs[key] = b;
  impl.SaveBlob(key);
  HttpResponse res = Created(202);
  res.Set("ETag", b.etag);
  res.Set("Last-Modified", HttpDate(b.modified));
  res.Set("x-ms-copy-id", b.copy_id);
  res.Set("x-ms-copy-status", b.copy_status);
  return res;
}

HttpResponse HandleBlob(BlobService::Impl& impl, const Req& r) {
  const std::string& m = r.http.method;
  const std::string key = r.account + "/" + r.container + "/" + r.blob;
  char perm = (m == "GET" || m == "HEAD") ? 'r' : (m == "DELETE" ? 'd' : 'w');
  if (auto deny = Authorize(impl, r, perm, m == "GET" || m == "HEAD")) return *deny;
  if (!impl.containers.count(r.account + "/" + r.container))
    return XmlError(404, "ContainerNotFound", "The specified container does not exist.");
  auto it = impl.blobs.find(key);
  BlobMeta* b = it == impl.blobs.end() ? nullptr : &it->second;
  if (b) impl.AdvanceCopy(key, *b);
  if (auto failed = CheckConditions(r, b)) return *failed;
  if (m == "PUT") {
    if (r.comp.empty()) return PutBlob(impl, r, key);
    if (r.comp == "block") return PutBlock(impl, r, key);
    if (r.comp == "blocklist") return PutBlockList(impl, r, key);
    if (!b) return XmlError(404, "BlobNotFound", "The specified blob does not exist.");
    if (r.comp == "page") return PutPage(impl, r, key, *b);
    if (r.comp == "copy") {
      if (!IEquals(r.http.Header("x-ms-copy-action"), "abort"))
        return XmlError(400, "InvalidHeaderValue", "x-ms-copy-action must be abort.");
      if (b->copy_id != r.http.Query("copyid"))
        return XmlError(409, "NoPendingCopyOperation",
                        "There is currently no pending copy operation with that id.");
      if (b->copy_status != "pending")
        return XmlError(409, "NoPendingCopyOperation",
                        "There is currently no pending copy operation.");
      b->copy_status = "aborted";
      b->copy_done = NowSeconds();
      b->copy_description = "Copy aborted by the client.";
      b->size = 0;
      b->pages.clear();
      impl.RemoveBlobData(*b);
      impl.SaveBlob(key);
      return Created(204);
    }
    if (r.comp == "metadata") {
      b->metadata = MetadataFromHeaders(r.http);
    } else if (r.comp == "properties") {
      if (r.http.HasHeader("x-ms-blob-content-type"))
        b->content_type = r.http.Header("x-ms-blob-content-type");
      if (r.http.HasHeader("x-ms-blob-cache-control"))
        b->cache_control = r.http.Header("x-ms-blob-cache-control");
      if (r.http.HasHeader("x-ms-blob-content-md5"))
        b->content_md5 = r.http.Header("x-ms-blob-content-md5");
      if (r.http.HasHeader("x-ms-blob-content-length")) {
        if (b->type != "PageBlob")
          return XmlError(400, "InvalidBlobType", "Only page blobs can be resized.");
        uint64_t size =
            std::strtoull(r.http.Header("x-ms-blob-content-length").c_str(), nullptr, 10);
        if (size % 512)
          return XmlError(400, "InvalidHeaderValue",
                          "The page blob size must be a multiple of 512.");
        if (size < b->size) RemoveRange(b->pages, size, b->size);
        b->size = size;
        if (::truncate(impl.DataPath(b->file).c_str(), off_t(size)) != 0) {
          WriteFileRange(impl.DataPath(b->file), 0, "", size);
        }
      }
    } else {
      return XmlError(400, "InvalidQueryParameterValue", "Unsupported comp value " + r.comp + ".");
    }
    b->etag = NewBlobEtag();
    b->modified = NowSeconds();
    impl.SaveBlob(key);
    HttpResponse res;
    res.Set("ETag", b->etag);
    res.Set("Last-Modified", HttpDate(b->modified));
    if (b->type == "PageBlob") res.Set("x-ms-blob-sequence-number", std::to_string(b->sequence));
    return res;
  }
  if (m == "GET" && r.comp == "blocklist") return GetBlockList(impl, r, key);
  if (!b) {
    if (m == "HEAD") {
      HttpResponse res = XmlError(404, "BlobNotFound", "The specified blob does not exist.");
      res.body.clear();
      return res;
    }
    return XmlError(404, "BlobNotFound", "The specified blob does not exist.");
  }
  if (m == "GET" && r.comp == "pagelist") return GetPageRanges(r, *b);
  if ((m == "GET" || m == "HEAD") && r.comp == "metadata") {
    HttpResponse res;
    BlobHeaders(res, *b);
    return res;
  }
  if ((m == "GET" || m == "HEAD") && r.comp.empty()) return GetBlob(impl, r, *b);
  if (m == "DELETE") {
    impl.RemoveBlobData(*b);
    impl.blobs.erase(it);
    impl.uncommitted.erase(key);
    (void)impl.store.Delete("blob", key);
    return Created(202);
  }
  return XmlError(400, "UnsupportedHttpVerb",
                  "The resource doesn't support the specified HTTP verb or operation.");
}

}  // namespace

HttpResponse BlobService::Handle(const HttpRequest& http, std::string* principal) {
  Impl& impl = *impl_;
  std::vector<std::string> seg = SplitPath(http.path);
  Req r{http, "", "", "", http.Query("comp"), http.Query("restype"), ""};
  if (!seg.empty()) r.account = seg[0];
  if (seg.size() >= 2) r.container = seg[1];
  if (seg.size() >= 3)
    r.blob = easel::Join(std::vector<std::string>(seg.begin() + 2, seg.end()), "/");
  // Data roles of the bearer tokens (the request's and its copy source's), asked of ARM before
  // the lock: ARM calls into this service with its own lock held.
  auto add_permissions = [&](const std::string& authorization, const std::string& account,
                             const std::string& container) {
    if (!impl.data_access || account.empty() ||
        !IEquals(authorization.substr(0, std::min<size_t>(authorization.size(), 7)), "Bearer "))
      return;
    auto claims = impl.entra.Verify(authorization, "https://storage.azure.com");
    if (!claims.ok()) return;
    r.data_permissions[claims->object_id + "/" + account + "/" + container] =
        DataPermissions(impl.data_access(claims->object_id, account), container);
  };
  add_permissions(http.Header("authorization"), r.account, r.container);
  if (std::string source = http.Header("x-ms-copy-source"); !source.empty()) {
    std::string base = impl.settings.blob_base + "/";
    if (easel::StartsWith(source, base)) {
      std::string path = source.substr(0, source.find('?'));
      std::vector<std::string> src = SplitPath(path.substr(base.size() - 1));
      if (src.size() >= 2)
        add_permissions(http.Header("x-ms-copy-source-authorization"), src[0], src[1]);
    }
  }
  HttpResponse res;
  {
    std::lock_guard<std::mutex> lock(impl.mu);
    if (r.account.empty()) {
      res = XmlError(400, "InvalidUri",
                     "The requested URI does not represent any resource on the server.");
    } else if (!MetadataValid(http)) {
      res = XmlError(400, "InvalidMetadata",
                     "The metadata specified is invalid. It has characters that are not "
                     "permitted.");
    } else if (r.container.empty()) {
      res = HandleAccount(impl, r);
    } else if (r.blob.empty()) {
      res = HandleContainer(impl, r);
    } else {
      res = HandleBlob(impl, r);
    }
  }
  CommonHeaders(res, http);
  if (principal) *principal = r.principal;
  return res;
}

void BlobService::SetDataAccessSource(BlobDataAccessSource source) {
  impl_->data_access = std::move(source);
}

easel::Status BlobService::PutFixtureBlob(const std::string& account, const std::string& container,
                                          const std::string& name, uint64_t size, bool vhd) {
  if (Keys(account).empty())
    return easel::Status::InvalidArgument("fixture blob " + account + "/" + container + "/" + name +
                                          ": storage account " + account +
                                          " is not in the fixture's resources");
  if (vhd ? size % (1u << 20) != 0 : size % 512 != 0)
    return easel::Status::InvalidArgument("fixture blob " + name + ": size must be a multiple of " +
                                          (vhd ? "1 MiB" : "512"));
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string ckey = account + "/" + container;
  if (!impl_->containers.count(ckey)) {
    ContainerMeta c;
    c.etag = NewBlobEtag();
    c.modified = NowSeconds();
    impl_->containers[ckey] = c;
    impl_->SaveContainer(ckey);
  }
  std::string key = ckey + "/" + name;
  if (impl_->blobs.count(key)) return easel::Status::Ok();
  BlobMeta b;
  b.type = "PageBlob";
  b.size = vhd ? size + 512 : size;
  b.created = b.modified = NowSeconds();
  b.etag = NewBlobEtag();
  b.file = HexEncode(Sha256(key + NewGuid()));
  std::string footer =
      vhd ? VhdFooter(size, uint32_t(NowSeconds() - 946684800), RandomBytes(16)) : "";
  if (!WriteFileRange(impl_->DataPath(b.file), size, footer, b.size))
    return easel::Status::IOError("cannot write fixture blob " + name);
  if (vhd) AddRange(b.pages, size, size + 511);
  impl_->blobs[key] = b;
  impl_->SaveBlob(key);
  return easel::Status::Ok();
}

}  // namespace azsim
