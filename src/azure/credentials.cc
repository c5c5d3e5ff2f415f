#include "azure/credentials.h"

#include <charconv>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/strings.h"

namespace easel::azure {
namespace {

using Clock = std::chrono::system_clock;
constexpr auto kRefreshMargin = std::chrono::minutes(5);

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// expires_in / expires_on may be numbers or strings (IMDS sends strings). nullopt when absent,
// not a whole number, or out of int64's range.
std::optional<int64_t> NumberField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (it->is_number_integer()) {
    if (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t(INT64_MAX)) return INT64_MAX;
    return it->get<int64_t>();
  }
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc::result_out_of_range) return s[0] == '-' ? INT64_MIN : INT64_MAX;
    if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
    return v;
  }
  return std::nullopt;
}

}  // namespace

Result<AccessToken> ParseTokenResponse(const HttpResponse& r, const std::string& who) {
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  if (r.status != 200) {
    std::string why = "HTTP " + std::to_string(r.status);
    if (j.is_object() && j.contains("error") && j["error"].is_string()) {
      why = j["error"].get<std::string>().substr(0, 100);
      if (j.contains("error_description") && j["error_description"].is_string()) {
        why += ": " + j["error_description"].get<std::string>().substr(0, 300);
      }
    }
    if (r.status >= 500 || r.status == 429) return Status::Unavailable(who + ": " + why);
    return Status::InvalidArgument(who + ": " + why);
  }
  if (!j.is_object() || !j.contains("access_token") || !j["access_token"].is_string()) {
    return Status::Unavailable(who + ": the token response has no access_token");
  }
  AccessToken token;
  token.token = j["access_token"].get<std::string>();
  // Everything in whole seconds, clamped before it becomes a time_point: an expiry of 1e18 or
  // -1e18 must neither overflow the clock's nanoseconds nor make a token live for ever.
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
  constexpr int64_t kMaxLifetime = std::chrono::seconds(kMaxTokenLifetime).count();
  int64_t lifetime = 300;
  if (std::optional<int64_t> on = NumberField(j, "expires_on"); on && *on > 0) {
    lifetime = *on > now ? std::min(*on - now, kMaxLifetime) : 0;
  } else if (std::optional<int64_t> in = NumberField(j, "expires_in"); in && *in > 0) {
    lifetime = std::min(*in, kMaxLifetime);
  }
  token.expires_on = Clock::time_point(std::chrono::seconds(now + lifetime));
  return token;
}

ClientSecretCredential::ClientSecretCredential(std::string authority_host, std::string tenant_id,
                                               std::string client_id, std::string client_secret,
                                               HttpClient* http)
    : authority_host_(std::move(authority_host)),
      tenant_id_(std::move(tenant_id)),
      client_id_(std::move(client_id)),
      client_secret_(std::move(client_secret)),
      http_(http) {
  while (!authority_host_.empty() && authority_host_.back() == '/') authority_host_.pop_back();
}

Result<AccessToken> ClientSecretCredential::GetToken(const std::string& scope) {
  HttpRequest req;
  req.method = "POST";
  req.url = authority_host_ + "/" + tenant_id_ + "/oauth2/v2.0/token";
  req.headers["Content-Type"] = "application/x-www-form-urlencoded";
  req.body = "grant_type=client_credentials&client_id=" + UrlEncode(client_id_) +
             "&client_secret=" + UrlEncode(client_secret_) + "&scope=" + UrlEncode(scope);
  Result<HttpResponse> r = http_->Send(req);
  if (!r.ok()) return r.status();
  return ParseTokenResponse(*r, "token for client " + client_id_);
}

ManagedIdentityCredential::ManagedIdentityCredential(std::string endpoint, std::string client_id,
                                                     HttpClient* http)
    : endpoint_(std::move(endpoint)), client_id_(std::move(client_id)), http_(http) {}

Result<AccessToken> ManagedIdentityCredential::GetToken(const std::string& scope) {
  std::string resource = EndsWith(scope, "/.default") ? scope.substr(0, scope.size() - 9) : scope;
  HttpRequest req;
  req.url = endpoint_ + "?api-version=2018-02-01&resource=" + UrlEncode(resource);
  if (!client_id_.empty()) req.url += "&client_id=" + UrlEncode(client_id_);
  req.headers["Metadata"] = "true";
  Result<HttpResponse> r = http_->Send(req);
  if (!r.ok()) return r.status();
  return ParseTokenResponse(*r, "managed identity token");
}

CachingCredential::CachingCredential(std::unique_ptr<TokenCredential> inner)
    : inner_(std::move(inner)) {}

Result<AccessToken> CachingCredential::GetToken(const std::string& scope) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = cache_.find(scope);
  if (it != cache_.end() && it->second.expires_on - kRefreshMargin > Clock::now()) {
    return it->second;
  }
  Result<AccessToken> fresh = inner_->GetToken(scope);
  if (!fresh.ok()) return fresh;
  cache_[scope] = *fresh;
  return fresh;
}

std::unique_ptr<TokenCredential> DefaultCredential(const Cloud& cloud, HttpClient* http) {
  std::string tenant = Env("AZURE_TENANT_ID"), client = Env("AZURE_CLIENT_ID");
  std::string secret = Env("AZURE_CLIENT_SECRET"), authority = Env("AZURE_AUTHORITY_HOST");
  std::unique_ptr<TokenCredential> inner;
  if (!tenant.empty() && !client.empty() && !secret.empty()) {
    inner = std::make_unique<ClientSecretCredential>(
        authority.empty() ? cloud.authority_host : authority, tenant, client, secret, http);
  } else {
    inner = std::make_unique<ManagedIdentityCredential>(cloud.imds_endpoint, client, http);
  }
  return std::make_unique<CachingCredential>(std::move(inner));
}

}  // namespace easel::azure
