#include "sim/entra.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "common/strings.h"
#include "sim/util.h"

namespace azsim {

using nlohmann::json;

struct Entra::Impl {
  EVP_PKEY* key = nullptr;
  std::string n_b64, e_b64;
  Fixture fixture;
  std::string authority;
  std::mutex mu;
  std::unordered_map<std::string, TokenClaims> verified;  // token -> claims, a cache of good tokens
  Entra::IdentityLookup lookup;

  ~Impl() {
    if (key) EVP_PKEY_free(key);
  }
};

Entra::~Entra() = default;

namespace {

std::string BnToB64(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) return "";
  std::string bytes(size_t(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(bn);
  return Base64UrlEncode(bytes);
}

HttpResponse JsonResponse(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.Set("Content-Type", "application/json; charset=utf-8");
  r.Set("Cache-Control", "no-store, no-cache");
  r.body = body.dump();
  return r;
}

HttpResponse AadError(int status, const std::string& error, const std::string& code,
                      const std::string& desc) {
  std::string trace = NewGuid(), corr = NewGuid();
  return JsonResponse(status, {{"error", error},
                               {"error_description", code + ": " + desc + "\r\nTrace ID: " + trace +
                                                         "\r\nCorrelation ID: " + corr +
                                                         "\r\nTimestamp: " + Iso8601(NowSeconds())},
                               {"error_codes", {std::stoi(code.substr(6))}},
                               {"timestamp", Iso8601(NowSeconds())},
                               {"trace_id", trace},
                               {"correlation_id", corr}});
}

// "https://management.azure.com/.default" -> "https://management.azure.com/"
std::string AudienceFromScope(const std::string& scope) {
  std::string first = scope.substr(0, scope.find(' '));
  if (easel::EndsWith(first, "/.default")) first = first.substr(0, first.size() - 8);
  return first;
}

}  // namespace

easel::Result<std::unique_ptr<Entra>> Entra::Create(const std::string& jwt_key_file,
                                                    const Fixture& fixture, std::string authority) {
  std::unique_ptr<Entra> e(new Entra());
  e->impl_ = std::make_unique<Impl>();
  FILE* f = std::fopen(jwt_key_file.c_str(), "r");
  if (!f) return easel::Status::IOError("cannot open " + jwt_key_file);
  e->impl_->key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (!e->impl_->key) return easel::Status::InvalidArgument(jwt_key_file + ": not a private key");
  e->impl_->n_b64 = BnToB64(e->impl_->key, OSSL_PKEY_PARAM_RSA_N);
  e->impl_->e_b64 = BnToB64(e->impl_->key, OSSL_PKEY_PARAM_RSA_E);
  e->impl_->fixture = fixture;
  e->impl_->authority = std::move(authority);
  return e;
}

void Entra::SetIdentityLookup(IdentityLookup lookup) { impl_->lookup = std::move(lookup); }

std::string Entra::AuthorizeUri() const {
  return impl_->authority + "/" + impl_->fixture.tenants.at(0) + "/oauth2/authorize";
}

std::string Entra::Issue(const Principal& p, const std::string& audience, double lifetime) {
  double now = NowSeconds();
  json header = {{"typ", "JWT"}, {"alg", "RS256"}, {"kid", "azsim-1"}};
  json payload = {{"aud", audience},
                  {"iss", "https://sts.windows.net/" + p.tenant_id + "/"},
                  {"iat", int64_t(now)},
                  {"nbf", int64_t(now) - 300},
                  {"exp", int64_t(now + lifetime)},
                  {"appid", p.client_id},
                  {"azp", p.client_id},
                  {"oid", p.object_id},
                  {"sub", p.object_id},
                  {"tid", p.tenant_id},
                  {"idtyp", "app"},
                  {"ver", "1.0"},
                  {"jti", NewGuid()}};
  std::string signing = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  std::string sig;
  if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, impl_->key) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(signing.data()),
                     signing.size()) == 1) {
    sig.resize(len);
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(signing.data()), signing.size());
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  return signing + "." + Base64UrlEncode(sig);
}

easel::Result<TokenClaims> Entra::Verify(const std::string& authorization,
                                         const std::string& audience_prefix) {
  if (authorization.size() < 8 || !IEquals(authorization.substr(0, 7), "Bearer "))
    return easel::Status::InvalidArgument("The access token is missing or not a Bearer token.");
  std::string token = authorization.substr(7);
  double now = NowSeconds();
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto it = impl_->verified.find(token);
    if (it != impl_->verified.end()) {
      if (it->second.expires <= now)
        return easel::Status::InvalidArgument("The access token has expired.");
      if (!easel::StartsWith(easel::ToLower(it->second.audience), easel::ToLower(audience_prefix)))
        return easel::Status::InvalidArgument("The access token has an invalid audience.");
      return it->second;
    }
  }
  size_t d1 = token.find('.');
  size_t d2 = d1 == std::string::npos ? std::string::npos : token.find('.', d1 + 1);
  if (d2 == std::string::npos)
    return easel::Status::InvalidArgument("The access token is malformed.");
  std::string payload_raw, sig;
  if (!Base64UrlDecode(token.substr(d1 + 1, d2 - d1 - 1), &payload_raw) ||
      !Base64UrlDecode(token.substr(d2 + 1), &sig))
    return easel::Status::InvalidArgument("The access token is malformed.");
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool good = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, impl_->key) == 1 &&
              EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                               reinterpret_cast<const unsigned char*>(token.data()), d2) == 1;
  EVP_MD_CTX_free(ctx);
  if (!good) return easel::Status::InvalidArgument("The access token signature is invalid.");
  json payload = json::parse(payload_raw, nullptr, false);
  if (!payload.is_object()) return easel::Status::InvalidArgument("The access token is malformed.");
  TokenClaims c;
  c.object_id = payload.value("oid", "");
  c.client_id = payload.value("appid", "");
  c.tenant_id = payload.value("tid", "");
  c.audience = payload.value("aud", "");
  c.expires = payload.value("exp", 0.0);
  if (c.expires <= now) return easel::Status::InvalidArgument("The access token has expired.");
  if (!easel::StartsWith(easel::ToLower(c.audience), easel::ToLower(audience_prefix)))
    return easel::Status::InvalidArgument("The access token has an invalid audience.");
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->verified.size() > 100000) impl_->verified.clear();
  impl_->verified[token] = c;
  return c;
}

std::optional<HttpResponse> Entra::Handle(const HttpRequest& req) {
  std::vector<std::string> seg = SplitPath(req.path);
  if (seg.size() >= 3 && IEquals(seg[0], "metadata") && IEquals(seg[1], "identity"))
    return Imds(req);
  if (seg.size() == 4 && IEquals(seg[1], "oauth2") && IEquals(seg[2], "v2.0") &&
      IEquals(seg[3], "token")) {
    if (req.method != "POST")
      return AadError(405, "invalid_request", "AADSTS900561",
                      "The endpoint only accepts POST requests.");
    return Token(req, seg[0]);
  }
  if (seg.size() == 4 && IEquals(seg[1], "v2.0") && IEquals(seg[2], ".well-known") &&
      IEquals(seg[3], "openid-configuration"))
    return Discovery(seg[0]);
  if (seg.size() == 3 && IEquals(seg[1], ".well-known") && IEquals(seg[2], "openid-configuration"))
    return Discovery(seg[0]);
  if (seg.size() == 4 && IEquals(seg[1], "discovery") && IEquals(seg[2], "v2.0") &&
      IEquals(seg[3], "keys")) {
    return JsonResponse(200, {{"keys",
                               {{{"kty", "RSA"},
                                 {"use", "sig"},
                                 {"kid", "azsim-1"},
                                 {"alg", "RS256"},
                                 {"n", impl_->n_b64},
                                 {"e", impl_->e_b64}}}}});
  }
  if (seg.size() == 3 && IEquals(seg[0], "common") && IEquals(seg[1], "discovery") &&
      IEquals(seg[2], "instance")) {
    std::string host = impl_->authority.substr(impl_->authority.find("://") + 3);
    return JsonResponse(
        200, {{"tenant_discovery_endpoint",
               impl_->authority + "/{tenant}/v2.0/.well-known/openid-configuration"},
              {"api-version", "1.1"},
              {"metadata",
               {{{"preferred_network", host}, {"preferred_cache", host}, {"aliases", {host}}}}}});
  }
  return std::nullopt;
}

HttpResponse Entra::Discovery(const std::string& tenant) {
  const std::string base = impl_->authority + "/" + tenant;
  return JsonResponse(
      200, {{"token_endpoint", base + "/oauth2/v2.0/token"},
            {"token_endpoint_auth_methods_supported",
             {"client_secret_post", "private_key_jwt", "client_secret_basic"}},
            {"jwks_uri", base + "/discovery/v2.0/keys"},
            {"response_modes_supported", {"query", "fragment", "form_post"}},
            {"subject_types_supported", {"pairwise"}},
            {"id_token_signing_alg_values_supported", {"RS256"}},
            {"response_types_supported", {"code", "id_token", "code id_token", "id_token token"}},
            {"scopes_supported", {"openid", "profile", "email", "offline_access"}},
            {"issuer", base + "/v2.0"},
            {"request_uri_parameter_supported", false},
            {"userinfo_endpoint", base + "/oidc/userinfo"},
            {"authorization_endpoint", base + "/oauth2/v2.0/authorize"},
            {"device_authorization_endpoint", base + "/oauth2/v2.0/devicecode"},
            {"http_logout_supported", true},
            {"frontchannel_logout_supported", true},
            {"end_session_endpoint", base + "/oauth2/v2.0/logout"},
            {"claims_supported", {"sub", "iss", "aud", "exp", "iat", "tid", "oid"}},
            {"tenant_region_scope", "NA"},
            {"cloud_instance_name", "azsim"}});
}

HttpResponse Entra::Token(const HttpRequest& req, const std::string& tenant) {
  auto form = ParseQuery(req.body, true);
  bool tenant_known = false;
  for (const auto& t : impl_->fixture.tenants) tenant_known |= IEquals(t, tenant);
  if (!tenant_known)
    return AadError(400, "invalid_request", "AADSTS90002", "Tenant '" + tenant + "' not found.");
  if (form["grant_type"] != "client_credentials")
    return AadError(400, "unsupported_grant_type", "AADSTS70003",
                    "The app requested an unsupported grant type '" + form["grant_type"] + "'.");
  std::string client_id = form["client_id"];
  std::string secret = form["client_secret"];
  std::string auth = req.Header("authorization");
  if (client_id.empty() && auth.size() > 6 && IEquals(auth.substr(0, 6), "Basic ")) {
    std::string decoded;
    if (Base64Decode(auth.substr(6), &decoded)) {
      size_t colon = decoded.find(':');
      client_id = UrlDecode(decoded.substr(0, colon), true);
      if (colon != std::string::npos) secret = UrlDecode(decoded.substr(colon + 1), true);
    }
  }
  if (form["scope"].empty())
    return AadError(400, "invalid_scope", "AADSTS1002012",
                    "The provided value for scope is not valid.");
  const Principal* principal = nullptr;
  for (const auto& p : impl_->fixture.principals)
    if (IEquals(p.client_id, client_id) && IEquals(p.tenant_id, tenant) && !p.managed_identity)
      principal = &p;
  if (!principal)
    return AadError(400, "unauthorized_client", "AADSTS700016",
                    "Application with identifier '" + client_id +
                        "' was not found in the directory '" + tenant + "'.");
  if (secret.empty() || secret != principal->client_secret)
    return AadError(
        401, "invalid_client", "AADSTS7000215",
        "Invalid client secret provided. Ensure the secret being sent in the request is the client "
        "secret value, not the client secret ID, for a secret added to app '" +
            client_id + "'.");
  std::string audience = AudienceFromScope(form["scope"]);
  return JsonResponse(200, {{"token_type", "Bearer"},
                            {"expires_in", 3599},
                            {"ext_expires_in", 3599},
                            {"access_token", Issue(*principal, audience, 3599)}});
}

HttpResponse Entra::Imds(const HttpRequest& req) {
  if (!IEquals(req.Header("metadata"), "true"))
    return JsonResponse(400, {{"error", "invalid_request"},
                              {"error_description", "Required metadata header not specified"}});
  std::vector<std::string> seg = SplitPath(req.path);
  if (seg.size() != 4 || !IEquals(seg[2], "oauth2") || !IEquals(seg[3], "token"))
    return JsonResponse(404, {{"error", "not_found"}, {"error_description", "Unknown IMDS path"}});
  std::string resource = req.Query("resource");
  if (resource.empty())
    return JsonResponse(400, {{"error", "invalid_request"},
                              {"error_description", "Required audience parameter not specified"}});
  // As Azure IMDS: client_id, msi_res_id (ARM id) or object_id (principalId) select a
  // user-assigned identity; none selects the default (the fixture's first managed identity).
  std::string client_id = req.Query("client_id"), res_id = req.Query("msi_res_id"),
              object_id = req.Query("object_id");
  if (object_id.empty()) object_id = req.Query("principal_id");
  std::optional<Principal> found;
  for (const auto& p : impl_->fixture.principals) {
    if (!p.managed_identity) continue;
    bool any = client_id.empty() && res_id.empty() && object_id.empty();
    if (any || (!client_id.empty() && IEquals(client_id, p.client_id)) ||
        (!object_id.empty() && IEquals(object_id, p.object_id))) {
      found = p;
      break;
    }
  }
  if (!found && impl_->lookup && (!client_id.empty() || !res_id.empty() || !object_id.empty()))
    found = impl_->lookup(client_id, res_id, object_id);
  if (!found)
    return JsonResponse(
        400, {{"error", "invalid_request"}, {"error_description", "Identity not found"}});
  if (found->tenant_id.empty()) found->tenant_id = impl_->fixture.tenants.at(0);
  const Principal* principal = &*found;
  double now = NowSeconds();
  return JsonResponse(200, {{"access_token", Issue(*principal, resource, 86399)},
                            {"client_id", principal->client_id},
                            {"expires_in", "86399"},
                            {"expires_on", std::to_string(int64_t(now + 86399))},
                            {"ext_expires_in", "86399"},
                            {"not_before", std::to_string(int64_t(now))},
                            {"resource", resource},
                            {"token_type", "Bearer"}});
}

}  // namespace azsim
