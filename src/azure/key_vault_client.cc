#include "azure/key_vault_client.h"

#include <nlohmann/json.hpp>

#include "common/strings.h"

namespace easel::azure {
namespace {

constexpr const char* kApiVersion = "7.4";

// Key Vault's error: {"error": {"code", "message"}}; the message names no secret value.
std::string ErrorOf(const HttpResponse& r) {
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  std::string code, message;
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const nlohmann::json& e = j["error"];
    if (e.contains("code") && e["code"].is_string()) code = e["code"].get<std::string>();
    if (e.contains("message") && e["message"].is_string()) {
      message = e["message"].get<std::string>();
    }
  }
  std::string out = std::to_string(r.status) + (code.empty() ? "" : " " + code);
  return message.empty() ? out : out + ": " + message.substr(0, 400);
}

}  // namespace

KeyVaultClient::KeyVaultClient(HttpClient* http, TokenCredential* credential, std::string resource)
    : http_(http), credential_(credential), resource_(std::move(resource)) {}

Result<HttpResponse> KeyVaultClient::Send(const std::string& method, const std::string& vault_uri,
                                          const std::string& name, const std::string& body) {
  if (!StartsWith(ToLower(vault_uri), "https://")) {
    return Status::InvalidArgument("vault URI " + Quote(vault_uri) + " is not https");
  }
  Result<AccessToken> token = credential_->GetToken(resource_ + "/.default");
  if (!token.ok()) return token.status();
  HttpRequest req;
  req.method = method;
  std::string base = vault_uri.back() == '/' ? vault_uri : vault_uri + "/";
  req.url = base + "secrets/" + name + "?api-version=" + kApiVersion;
  req.headers["Authorization"] = "Bearer " + token->token;
  if (!body.empty()) {
    req.headers["Content-Type"] = "application/json";
    req.body = body;
  }
  Result<HttpResponse> r = http_->Send(req);
  if (!r.ok()) return Status::Unavailable("Key Vault " + base + ": " + r.status().message());
  if (r->status == 401 || r->status == 403) {
    return Status::PermissionDenied("Key Vault " + base + " refused the principal: " + ErrorOf(*r));
  }
  if (r->status == 429 || r->status >= 500) {
    return Status::Unavailable("Key Vault " + base + ": " + ErrorOf(*r));
  }
  return r;
}

Result<std::optional<std::string>> KeyVaultClient::GetSecret(const std::string& vault_uri,
                                                             const std::string& name) {
  Result<HttpResponse> r = Send("GET", vault_uri, name, "");
  if (!r.ok()) return r.status();
  if (r->status == 404) return std::optional<std::string>();
  if (r->status != 200) {
    return Status::FailedPrecondition("reading secret " + name + ": " + ErrorOf(*r));
  }
  nlohmann::json j = nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("value") || !j["value"].is_string()) {
    return Status::FailedPrecondition("reading secret " + name + ": the answer holds no value");
  }
  return std::optional<std::string>(j["value"].get<std::string>());
}

Status KeyVaultClient::SetSecret(const std::string& vault_uri, const std::string& name,
                                 const std::string& value) {
  nlohmann::json body = {{"value", value}, {"contentType", "application/x-pem-file;base64"}};
  Result<HttpResponse> r = Send("PUT", vault_uri, name, body.dump());
  if (!r.ok()) return r.status();
  if (r->status != 200 && r->status != 201) {
    return Status::FailedPrecondition("writing secret " + name + ": " + ErrorOf(*r));
  }
  return Status::Ok();
}

}  // namespace easel::azure
