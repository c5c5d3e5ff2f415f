#include "azure/blob_client.h"

#include <openssl/hmac.h>

#include <algorithm>
#include <ctime>
#include <vector>

#include "common/base64.h"
#include "common/strings.h"

namespace easel::azure {
namespace {

constexpr const char* kBlobApiVersion = "2021-12-02";

std::string HttpDate() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

// Splits "https://host/path?query" into its path and query.
void SplitUrl(const std::string& url, std::string* path, std::string* query) {
  size_t scheme = url.find("://");
  size_t start = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (start == std::string::npos) {
    *path = "/";
    query->clear();
    return;
  }
  size_t q = url.find('?', start);
  *path = url.substr(start, q == std::string::npos ? std::string::npos : q - start);
  *query = q == std::string::npos ? "" : url.substr(q + 1);
}

// The error of a blob response that is not the expected one, classified: the caller's
// credential lacking the right (a token without a data role, a key on an account that disallows
// keys), storage busy (5xx, 429), or anything else (other 403s too: a copy source storage cannot
// read, a firewall).
Status BlobError(const HttpResponse& r, const std::string& what) {
  std::string code = r.Header("x-ms-error-code");
  std::string why = what + ": HTTP " + std::to_string(r.status) + (code.empty() ? "" : " " + code);
  if (r.status == 403 &&
      (code == "AuthorizationPermissionMismatch" || code == "KeyBasedAuthenticationNotPermitted")) {
    return Status::PermissionDenied(why);
  }
  if (r.status >= 500 || r.status == 429) return Status::Unavailable(why);
  return Status::FailedPrecondition(why);
}

}  // namespace

std::string SharedKeyStringToSign(const HttpRequest& request, const std::string& account) {
  auto header = [&](const char* name) {
    auto it = request.headers.find(name);
    return it == request.headers.end() ? std::string() : it->second;
  };
  std::string content_length = request.body.empty() ? "" : std::to_string(request.body.size());
  std::string s = request.method + "\n" + header("Content-Encoding") + "\n" +
                  header("Content-Language") + "\n" + content_length + "\n" +
                  header("Content-MD5") + "\n" + header("Content-Type") + "\n" + header("Date") +
                  "\n" + header("If-Modified-Since") + "\n" + header("If-Match") + "\n" +
                  header("If-None-Match") + "\n" + header("If-Unmodified-Since") + "\n" +
                  header("Range") + "\n";
  std::vector<std::pair<std::string, std::string>> ms;
  for (const auto& [name, value] : request.headers) {
    std::string lower = ToLower(name);
    if (StartsWith(lower, "x-ms-")) ms.emplace_back(lower, value);
  }
  std::sort(ms.begin(), ms.end());
  for (const auto& [name, value] : ms) s += name + ":" + value + "\n";
  std::string path, query;
  SplitUrl(request.url, &path, &query);
  s += "/" + account + path;
  std::vector<std::pair<std::string, std::string>> params;
  size_t pos = 0;
  while (!query.empty() && pos <= query.size()) {
    size_t amp = query.find('&', pos);
    std::string part = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    size_t eq = part.find('=');
    params.emplace_back(ToLower(part.substr(0, eq)),
                        eq == std::string::npos ? "" : part.substr(eq + 1));
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  std::sort(params.begin(), params.end());
  for (const auto& [name, value] : params) s += "\n" + name + ":" + value;
  return s;
}

BlobClient::BlobClient(HttpClient* http, std::string account, std::string account_key)
    : http_(http), account_(std::move(account)) {
  key_ = Base64Decode(account_key).value_or("");
}

BlobClient::BlobClient(HttpClient* http, std::string account, TokenCredential* credential,
                       std::string scope)
    : http_(http),
      account_(std::move(account)),
      credential_(credential),
      scope_(std::move(scope)) {}

Result<HttpResponse> BlobClient::Send(HttpRequest request) {
  request.headers["x-ms-date"] = HttpDate();
  request.headers["x-ms-version"] = kBlobApiVersion;
  if (credential_ != nullptr) {
    Result<AccessToken> token = credential_->GetToken(scope_);
    if (!token.ok()) return token.status();
    request.headers["Authorization"] = "Bearer " + token->token;
    return http_->Send(request);
  }
  if (key_.empty()) return Status::InvalidArgument("storage account key is not valid base64");
  std::string to_sign = SharedKeyStringToSign(request, account_);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(to_sign.data()), to_sign.size(), mac, &mac_len);
  request.headers["Authorization"] =
      "SharedKey " + account_ + ":" +
      Base64Encode(std::string(reinterpret_cast<char*>(mac), mac_len));
  return http_->Send(request);
}

Result<std::string> BlobClient::StartCopy(const std::string& source_url,
                                          const std::string& destination_url) {
  HttpRequest req;
  req.method = "PUT";
  req.url = destination_url;
  req.headers["x-ms-copy-source"] = source_url;
  Result<HttpResponse> r = Send(req);
  if (!r.ok()) return r.status();
  if (r->status != 202 && r->status != 201) {
    return BlobError(*r, "copying " + source_url + " to " + destination_url);
  }
  return r->Header("x-ms-copy-id");
}

Result<BlobCopyState> BlobClient::CopyState(const std::string& destination_url) {
  HttpRequest req;
  req.method = "HEAD";
  req.url = destination_url;
  Result<HttpResponse> r = Send(req);
  if (!r.ok()) return r.status();
  BlobCopyState state;
  if (r->status == 404) return state;
  if (r->status != 200) return BlobError(*r, "reading blob " + destination_url);
  state.exists = true;
  state.status = r->Header("x-ms-copy-status");
  state.source = r->Header("x-ms-copy-source");
  state.progress = r->Header("x-ms-copy-progress");
  state.description = r->Header("x-ms-copy-status-description");
  state.retry_after = RetryAfterOf(r->headers).value_or(std::chrono::milliseconds(1000));
  return state;
}

Status BlobClient::CreatePageBlob(const std::string& url, uint64_t size) {
  HttpRequest req;
  req.method = "PUT";
  req.url = url;
  req.headers["x-ms-blob-type"] = "PageBlob";
  req.headers["x-ms-blob-content-length"] = std::to_string(size);
  Result<HttpResponse> r = Send(req);
  if (!r.ok()) return r.status();
  if (r->status != 201) return BlobError(*r, "creating page blob " + url);
  return Status::Ok();
}

Status BlobClient::PutPages(const std::string& url, uint64_t offset, const std::string& data) {
  HttpRequest req;
  req.method = "PUT";
  req.url = url + (url.find('?') == std::string::npos ? "?" : "&") + "comp=page";
  req.headers["x-ms-page-write"] = "update";
  req.headers["x-ms-range"] =
      "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + data.size() - 1);
  req.body = data;
  Result<HttpResponse> r = Send(req);
  if (!r.ok()) return r.status();
  if (r->status != 201) return BlobError(*r, "writing pages of " + url);
  return Status::Ok();
}

Result<std::string> ListFirstKey(ArmClient& arm, const std::string& account_id,
                                 const std::string& api_version) {
  Result<ArmResponse> r =
      arm.Call("POST", account_id + "/listKeys", api_version, nlohmann::json::object());
  if (!r.ok()) return r.status();
  if (r->status != 200 || !r->body.is_object() || !r->body.contains("keys") ||
      !r->body["keys"].is_array() || r->body["keys"].empty() || !r->body["keys"][0].is_object() ||
      !r->body["keys"][0].contains("value") || !r->body["keys"][0]["value"].is_string()) {
    return Status::FailedPrecondition("listKeys of " + account_id + ": " + Describe(*r));
  }
  return r->body["keys"][0]["value"].get<std::string>();
}

std::string ResolveBlobUrl(const Cloud& cloud, const std::string& url) {
  const std::string kPublicSuffix = ".blob.core.windows.net";
  if (!StartsWith(url, "https://")) return url;
  size_t host_end = url.find_first_of("/?", 8);
  std::string host =
      ToLower(url.substr(8, host_end == std::string::npos ? std::string::npos : host_end - 8));
  if (!EndsWith(host, kPublicSuffix)) return url;  // host names are case-insensitive
  std::string account = host.substr(0, host.size() - kPublicSuffix.size());
  std::string rest = host_end == std::string::npos ? "" : url.substr(host_end);
  if (!rest.empty() && rest[0] == '/') rest = rest.substr(1);
  return BlobEndpoint(cloud, account) + rest;
}

}  // namespace easel::azure
