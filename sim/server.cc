#include "sim/server.h"

#include <boost/asio/ssl.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "common/files.h"
#include "common/strings.h"
#include "sim/util.h"

namespace azsim {

using nlohmann::json;

namespace {
constexpr size_t kLogLimit = 200000;
}

Server::~Server() = default;

easel::Result<std::unique_ptr<Server>> Server::Start(const Options& options,
                                                     boost::asio::io_context& io) {
  std::unique_ptr<Server> s(new Server());
  s->options_ = options;
  if (!options.fixtures_file.empty()) {
    auto f = LoadFixture(options.fixtures_file);
    if (!f.ok()) return f.status();
    s->fixture_ = *f;
  } else {
    s->fixture_ = DefaultFixture();
  }
  s->state_dir_ = options.state_dir;
  if (s->state_dir_.empty()) {
    char tmpl[] = "/tmp/azsim-XXXXXX";
    if (!mkdtemp(tmpl)) return easel::Status::IOError("cannot create a temporary state directory");
    s->state_dir_ = tmpl;
  }
  std::error_code ec;
  std::filesystem::create_directories(s->state_dir_, ec);
  if (ec)
    return easel::Status::IOError("cannot create state directory " + s->state_dir_ + ": " +
                                  ec.message());
  auto tls_files = EnsureTlsFiles(s->state_dir_);
  if (!tls_files.ok()) return tls_files.status();
  s->tls_files_ = *tls_files;
  s->tls_ = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
  boost::system::error_code bec;
  s->tls_->set_options(
      boost::asio::ssl::context::default_workarounds | boost::asio::ssl::context::no_sslv2 |
          boost::asio::ssl::context::no_sslv3 | boost::asio::ssl::context::no_tlsv1 |
          boost::asio::ssl::context::no_tlsv1_1,
      bec);
  s->tls_->use_certificate_chain_file(s->tls_files_.cert_file, bec);
  if (!bec)
    s->tls_->use_private_key_file(s->tls_files_.key_file, boost::asio::ssl::context::pem, bec);
  if (bec) return easel::Status::IOError("TLS setup failed: " + bec.message());

  Server* self = s.get();
  auto main = HttpsServer::Listen(io, *s->tls_, options.listen_host, options.listen_port,
                                  [self](HttpRequest& req) { return self->HandleMain(req); });
  if (!main.ok()) return main.status();
  s->main_listener_ = std::move(*main);
  auto blob = HttpsServer::Listen(io, *s->tls_, options.blob_host, options.blob_port,
                                  [self](HttpRequest& req) { return self->HandleBlob(req); });
  if (!blob.ok()) return blob.status();
  s->blob_listener_ = std::move(*blob);
  s->arm_base_ = "https://" + options.listen_host + ":" + std::to_string(s->main_listener_->port());
  s->blob_base_ = "https://" + options.blob_host + ":" + std::to_string(s->blob_listener_->port());

  auto store = Store::Open(s->state_dir_ + "/state.db");
  if (!store.ok()) return store.status();
  s->store_ = std::move(*store);
  auto entra = Entra::Create(s->tls_files_.jwt_key_file, s->fixture_, s->arm_base_);
  if (!entra.ok()) return entra.status();
  s->entra_ = std::move(*entra);
  s->blob_ = std::make_unique<BlobService>(
      *s->store_, *s->entra_,
      BlobService::Settings{s->state_dir_ + "/blobdata", s->blob_base_, options.blob_copy_mbps,
                            options.time_scale});
  easel::Status st = s->blob_->Start();
  if (!st.ok()) return st;
  s->io_ = &io;
  s->vaults_ = std::make_unique<KeyVaultStore>(*s->store_);
  st = s->vaults_->Start();
  if (!st.ok()) return st;
  Arm::Settings arm_settings;
  arm_settings.time_scale = options.time_scale;
  arm_settings.arm_base = s->arm_base_;
  arm_settings.blob_base = s->blob_base_;
  arm_settings.open_vault_listener = [self](const std::string& vault, int preferred) {
    return self->OpenVaultListener(vault, preferred);
  };
  arm_settings.vaults = s->vaults_.get();
  arm_settings.tenant_id = s->fixture_.tenants.at(0);
  s->arm_ = std::make_unique<Arm>(*s->store_, *s->blob_, s->fixture_, arm_settings);
  s->vault_data_ = std::make_unique<KeyVaultData>(*s->arm_, *s->entra_, *s->vaults_, s->arm_base_,
                                                  s->fixture_.tenants.at(0));
  s->entra_->SetIdentityLookup([arm = s->arm_.get()](const std::string& client_id,
                                                     const std::string& res_id,
                                                     const std::string& object_id) {
    return arm->FindIdentity(client_id, res_id, object_id);
  });
  s->blob_->SetDataAccessSource(
      [arm = s->arm_.get()](const std::string& object_id, const std::string& account) {
        return arm->BlobDataAccessFor(object_id, account);
      });
  st = s->arm_->Start();
  if (!st.ok()) return st;
  s->arm_->OpenVaultListeners();
  for (const auto& b : s->fixture_.blobs) {
    st = s->blob_->PutFixtureBlob(b["account"], b["container"], b["name"],
                                  b["sizeBytes"].get<uint64_t>(), b.value("vhd", false));
    if (!st.ok()) return st;
  }
  s->throttle_ = std::make_unique<Throttle>(options.throttle);
  s->faults_ = std::make_unique<Faults>(options.seed);
  if (!options.faults_file.empty()) {
    auto text = easel::ReadFileBounded(options.faults_file, 1 << 20);
    if (!text.ok()) return text.status();
    json j = json::parse(*text, nullptr, false);
    st = s->faults_->Load(j);
    if (!st.ok()) return st;
  }
  return s;
}

std::string Server::ReadyLine() const {
  const Principal* sp = nullptr;
  for (const auto& p : fixture_.principals)
    if (!p.managed_identity) {
      sp = &p;
      break;
    }
  json j = {{"arm", arm_base_},
            {"authority", arm_base_},
            {"blob", blob_base_},
            {"caFile", std::filesystem::absolute(tls_files_.ca_file).string()},
            {"stateDir", std::filesystem::absolute(state_dir_).string()},
            {"tenantId", fixture_.subscriptions[0].tenant_id},
            {"subscriptionId", fixture_.subscriptions[0].id},
            {"clientId", sp ? sp->client_id : ""},
            {"clientSecret", sp ? sp->client_secret : ""}};
  return j.dump();
}

namespace {

// The path of an absolute URL, without its query ("" for "").
std::string PathOfUrl(const std::string& url) {
  size_t scheme = url.find("://");
  size_t path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (path == std::string::npos) return "";
  return url.substr(path, url.find('?', path) - path);
}

}  // namespace

void Server::Record(const HttpRequest& req, const std::string& service,
                    const std::string& principal, const HttpResponse& res, double start) {
  const int status = res.status;
  double end = NowSeconds();
  std::string type = service == "arm"        ? Arm::RequestType(req.path)
                     : service == "keyvault" ? "keyvault"
                                             : "blob";
  char duration[32];
  std::snprintf(duration, sizeof(duration), "%.3f", (end - start) * 1e3);
  // Built by hand: this runs for every request (nlohmann::json costs more here than ARM does).
  std::string line = "{\"time\":\"" + Iso8601(start) + "\",\"service\":\"" + service +
                     "\",\"principal\":" + JsonQuote(principal) +
                     ",\"method\":" + JsonQuote(req.method) + ",\"path\":" + JsonQuote(req.path) +
                     ",\"apiVersion\":" + JsonQuote(req.Query("api-version")) +
                     ",\"type\":" + JsonQuote(type) + ",\"status\":" + std::to_string(status) +
                     ",\"durationMs\":" + duration +
                     ",\"requestBytes\":" + std::to_string(req.body.size());
  if (std::string client_id = req.Header("x-ms-client-request-id"); !client_id.empty())
    line += ",\"clientRequestId\":" + JsonQuote(client_id);
  // azsim sends Retry-After in whole seconds, never as a date.
  std::string retry_after = res.Get("Retry-After");
  if (!retry_after.empty() && retry_after.find_first_not_of("0123456789") == std::string::npos &&
      retry_after.size() < 10)
    line += ",\"retryAfter\":" + retry_after;
  std::string poll = res.Get("Azure-AsyncOperation");
  if (poll.empty()) poll = res.Get("Location");
  if (!poll.empty()) line += ",\"pollPath\":" + JsonQuote(PathOfUrl(poll));
  std::lock_guard<std::mutex> lock(log_mu_);
  line += ",\"seq\":" + std::to_string(++log_seq_) + "}";
  log_.push_back(std::move(line));
  if (log_.size() > kLogLimit) log_.pop_front();
  by_method_[req.method]++;
  by_type_[type.empty() ? "-" : type]++;
  by_status_[std::to_string(status)]++;
}

HttpResponse Server::HandleMain(HttpRequest& req) {
  double start = NowSeconds();
  if (easel::StartsWith(req.path, "/_azsim/")) {
    if (!req.loopback) {
      HttpResponse r = ArmJson(
          403,
          {{"error",
            {{"code", "Forbidden"}, {"message", "The admin API is served on loopback only."}}}});
      return r;
    }
    return HandleAdmin(req);
  }
  if (auto r = entra_->Handle(req)) {
    Record(req, "entra", "", *r, start);
    return *r;
  }
  std::string principal;
  HttpResponse res = HandleArm(req, &principal);
  std::string rid = RequestId();
  res.Set("x-ms-request-id", rid);
  std::string corr = req.Header("x-ms-correlation-request-id");
  res.Set("x-ms-correlation-request-id", corr.empty() ? rid : corr);
  std::string cid = req.Header("x-ms-client-request-id");
  if (!cid.empty()) res.Set("x-ms-client-request-id", cid);
  if (!res.drop) Record(req, "arm", principal, res, start);
  return res;
}

HttpResponse Server::HandleArm(HttpRequest& req, std::string* principal) {
  auto claims = entra_->Verify(req.Header("authorization"), "https://management.");
  // Clients of a custom cloud (scope "{arm endpoint}/.default") get tokens for azsim's own URL.
  if (!claims.ok()) {
    auto own = entra_->Verify(req.Header("authorization"), arm_base_ + "/");
    if (own.ok()) claims = own;
  }
  if (!claims.ok()) {
    bool missing = req.Header("authorization").empty();
    HttpResponse r = ArmErrorResponse(
        Err(401, missing ? "AuthenticationFailed" : "InvalidAuthenticationToken",
            missing ? "Authentication failed. The 'Authorization' header is missing."
                    : "The access token is invalid: " + claims.status().message()));
    r.Set("WWW-Authenticate",
          "Bearer authorization_uri=\"" + entra_->AuthorizeUri() +
              "\", error=\"invalid_token\", error_description=\"The authentication failed.\"");
    return r;
  }
  *principal = claims->object_id;
  req.principal = claims->object_id;
  std::string kind = Arm::OperationKind(req);
  std::vector<std::string> seg = SplitPath(req.path);
  std::string sub = seg.size() >= 2 ? easel::ToLower(seg[1]) : "";
  Throttle::Decision d = throttle_->Take(sub, claims->object_id, kind);
  auto add_limit = [&](HttpResponse& r) { r.Set(d.header, std::to_string(d.remaining)); };
  if (!d.allowed) {
    HttpResponse r = ArmErrorResponse(
        Err(429, "TooManyRequests",
            "The request is being throttled as the limit has been reached for operation type - " +
                std::string(kind == "read"     ? "Read"
                            : kind == "delete" ? "Delete"
                                               : "Write") +
                "_ObservationWindow_00:00:01."));
    r.Set("Retry-After", std::to_string(int64_t(std::ceil(d.retry_after))));
    add_limit(r);
    return r;
  }
  std::string type = Arm::RequestType(req.path);
  FaultDecision f = faults_->Decide("arm", kind, type);
  HttpResponse res;
  if (f.fault == "drop") {
    res.drop = true;
    return res;
  }
  if (f.fault == "429" || f.fault == "503" || f.fault == "500") {
    int status = std::stoi(f.fault);
    std::string code = status == 429   ? "TooManyRequests"
                       : status == 503 ? "ServiceUnavailable"
                                       : "InternalServerError";
    res = ArmErrorResponse(Err(status, code, "Fault injected by azsim."));
    if (status != 500) res.Set("Retry-After", std::to_string(int64_t(std::ceil(f.retry_after))));
    add_limit(res);
    return res;
  }
  res = arm_->Handle(req, f.fault == "lroFailed" ? LroFault{f.error_code, f.message} : LroFault{});
  add_limit(res);
  return res;
}

int Server::OpenVaultListener(const std::string& vault, int preferred) {
  std::lock_guard<std::mutex> lock(vault_mu_);
  std::string key = easel::ToLower(vault);
  auto it = vault_listeners_.find(key);
  if (it != vault_listeners_.end()) return it->second->port();
  auto handler = [this, key](HttpRequest& req) { return HandleVault(req, key); };
  auto l = HttpsServer::Listen(*io_, *tls_, options_.listen_host, preferred, handler);
  if (!l.ok() && preferred != 0)
    l = HttpsServer::Listen(*io_, *tls_, options_.listen_host, 0, handler);
  if (!l.ok()) return 0;
  int port = (*l)->port();
  vault_uris_[key] = "https://" + options_.listen_host + ":" + std::to_string(port) + "/";
  vault_listeners_[key] = std::move(*l);
  return port;
}

HttpResponse Server::HandleVault(HttpRequest& req, const std::string& vault) {
  double start = NowSeconds();
  std::string uri;
  {
    std::lock_guard<std::mutex> lock(vault_mu_);
    uri = vault_uris_[vault];
  }
  std::string principal;
  HttpResponse res;
  try {
    res = vault_data_->Handle(req, vault, uri, &principal);
  } catch (const std::exception& e) {
    res = ArmJson(
        500, {{"error", {{"code", "InternalServerError"}, {"message", "azsim internal error"}}}});
  }
  std::string rid = RequestId();
  res.Set("x-ms-request-id", rid);
  std::string cid = req.Header("x-ms-client-request-id");
  if (!cid.empty()) res.Set("x-ms-client-request-id", cid);
  res.Set("x-ms-keyvault-service-version", "1.9.1.0");
  // Only method, path and status are logged: never a secret value.
  Record(req, "keyvault", principal, res, start);
  return res;
}

HttpResponse Server::HandleBlob(HttpRequest& req) {
  double start = NowSeconds();
  std::string principal;
  FaultDecision f = faults_->Decide("blob",
                                    req.method == "GET" || req.method == "HEAD" ? "read"
                                    : req.method == "DELETE"                    ? "delete"
                                                                                : "write",
                                    "");
  HttpResponse res;
  if (f.fault == "drop") {
    res.drop = true;
    return res;
  }
  if (f.fault == "500" || f.fault == "503" || f.fault == "429") {
    int status = f.fault == "429" ? 503 : std::stoi(f.fault);
    res.status = status;
    res.Set("Content-Type", "application/xml");
    res.Set("x-ms-error-code", status == 503 ? "ServerBusy" : "InternalError");
    res.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" +
               std::string(status == 503 ? "ServerBusy" : "InternalError") +
               "</Code><Message>Fault injected by azsim.</Message></Error>";
    if (status == 503) res.Set("Retry-After", std::to_string(int64_t(std::ceil(f.retry_after))));
  } else {
    res = blob_->Handle(req, &principal);
  }
  Record(req, "blob", principal, res, start);
  return res;
}

HttpResponse Server::HandleAdmin(HttpRequest& req) {
  std::string p = req.path.substr(8);
  if (p == "health") return ArmJson(200, {{"status", "ok"}, {"paused", arm_->paused()}});
  if (p == "requests" && req.method == "GET") {
    uint64_t since = std::strtoull(req.Query("since").c_str(), nullptr, 10);
    HttpResponse r;
    r.Set("Content-Type", "application/x-ndjson");
    std::lock_guard<std::mutex> lock(log_mu_);
    uint64_t first = log_seq_ - log_.size() + 1;
    for (size_t i = since >= first ? size_t(since - first + 1) : 0; i < log_.size(); ++i)
      r.body += log_[i] + "\n";
    return r;
  }
  if (p == "counters" && req.method == "GET") {
    std::lock_guard<std::mutex> lock(log_mu_);
    return ArmJson(200, {{"byMethod", by_method_},
                         {"byType", by_type_},
                         {"byStatus", by_status_},
                         {"total", log_seq_}});
  }
  if (p == "reset" && req.method == "POST") {
    {
      std::lock_guard<std::mutex> lock(log_mu_);
      log_.clear();
      log_seq_ = 0;
      by_method_.clear();
      by_type_.clear();
      by_status_.clear();
    }
    throttle_->Reset();
    (void)faults_->Load({{"rules", json::array()}});
    return ArmJson(200, {{"reset", true}});
  }
  if (p == "faults") {
    if (req.method == "GET") return ArmJson(200, faults_->ToJson());
    if (req.method == "PUT" || req.method == "POST") {
      json j = json::parse(req.body, nullptr, false);
      easel::Status st = faults_->Load(j);
      if (!st.ok())
        return ArmJson(400, {{"error", {{"code", "InvalidFaults"}, {"message", st.message()}}}});
      return ArmJson(200, faults_->ToJson());
    }
  }
  if (p == "policies") {
    if (req.method == "GET") return ArmJson(200, {{"policies", arm_->Policies()}});
    if (req.method == "PUT" || req.method == "POST") {
      json j = json::parse(req.body, nullptr, false);
      easel::Status st = arm_->SetPolicies(j.is_object() ? j.value("policies", json()) : json());
      if (!st.ok())
        return ArmJson(400, {{"error", {{"code", "InvalidPolicies"}, {"message", st.message()}}}});
      return ArmJson(200, {{"policies", arm_->Policies()}});
    }
  }
  if (p == "throttle" && (req.method == "PUT" || req.method == "POST")) {
    json j = json::parse(req.body, nullptr, false);
    if (!j.is_object() || !j.contains("enabled") || !j["enabled"].is_boolean())
      return ArmJson(
          400,
          {{"error", {{"code", "InvalidRequest"}, {"message", "expected {\"enabled\": bool}"}}}});
    throttle_->set_enabled(j["enabled"].get<bool>());
    throttle_->Reset();
    return ArmJson(200, {{"enabled", j["enabled"]}});
  }
  if (p == "settings" && (req.method == "PUT" || req.method == "POST")) {
    json j = json::parse(req.body, nullptr, false);
    if (!j.is_object() || (j.contains("blobCopyMBps") && !j["blobCopyMBps"].is_number()))
      return ArmJson(
          400,
          {{"error",
            {{"code", "InvalidRequest"}, {"message", "expected {\"blobCopyMBps\": number}"}}}});
    if (j.contains("blobCopyMBps")) blob_->SetCopySpeedOverride(j["blobCopyMBps"].get<double>());
    return ArmJson(200, j);
  }
  if (p == "vm-user-data" && req.method == "GET") {
    std::optional<std::string> data = arm_->VmUserData(req.Query("id"));
    if (!data)
      return ArmJson(404, {{"error",
                            {{"code", "NotFound"},
                             {"message", "No virtual machine with user data has the id '" +
                                             req.Query("id") + "'."}}}});
    HttpResponse r;
    r.Set("Content-Type", "text/plain; charset=utf-8");
    r.body = *data;
    return r;
  }
  if (p == "pause" && req.method == "POST") {
    arm_->Pause();
    return ArmJson(200, {{"paused", true}});
  }
  if (p == "resume" && req.method == "POST") {
    arm_->Resume();
    return ArmJson(200, {{"paused", false}});
  }
  return ArmJson(
      404, {{"error", {{"code", "NotFound"}, {"message", "Unknown admin endpoint " + req.path}}}});
}

}  // namespace azsim
