#include "azure/blob_client.h"

#include <openssl/hmac.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <vector>

#include "common/base64.h"
#include "common/hash.h"
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

// BlobError for the page blob calls, which also tell a missing container or blob (404), a key or
// SAS storage did not accept (403 AuthenticationFailed) and a transactional MD5 the bytes did
// not match (400 Md5Mismatch).
Status PageBlobError(const HttpResponse& r, const std::string& what) {
  std::string code = r.Header("x-ms-error-code");
  if (r.status == 404) {
    return Status::NotFound(what + ": HTTP 404" + (code.empty() ? "" : " " + code));
  }
  if (r.status == 403 && code == "AuthenticationFailed") {
    return Status::PermissionDenied(what + ": HTTP 403 AuthenticationFailed");
  }
  if (r.status == 400 && code == "Md5Mismatch") {
    return Status::InvalidArgument(what +
                                   ": HTTP 400 Md5Mismatch (the bytes storage received "
                                   "differ from those sent)");
  }
  return BlobError(r, what);
}

std::string HmacSha256Base64(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_len);
  return Base64Encode(std::string(reinterpret_cast<char*>(mac), mac_len));
}

std::string WithQuery(const std::string& url, const std::string& query) {
  if (query.empty()) return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + query;
}

std::string ByteRange(uint64_t offset, uint64_t length) {
  return "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1);
}

// The number inside <Tag>...</Tag> at or after `pos`, advancing `pos` past it.
std::optional<uint64_t> XmlNumber(const std::string& xml, const std::string& tag, size_t* pos) {
  std::string open = "<" + tag + ">";
  size_t a = xml.find(open, *pos);
  if (a == std::string::npos) return std::nullopt;
  a += open.size();
  size_t b = xml.find("</" + tag + ">", a);
  if (b == std::string::npos || b == a || b - a > 20) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = a; i < b; ++i) {
    if (xml[i] < '0' || xml[i] > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(xml[i] - '0');
  }
  *pos = b;
  return v;
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

BlobClient::BlobClient(HttpClient* http, std::string account, SasToken sas)
    : http_(http), account_(std::move(account)) {
  sas_ = std::move(sas.query);
  if (!sas_.empty() && sas_[0] == '?') sas_.erase(0, 1);
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
  if (!sas_.empty()) {
    std::string clean = request.url;
    request.url = WithQuery(request.url, sas_);
    Result<HttpResponse> r = http_->Send(request);
    if (r.ok()) return r;
    // A transport error names the URL: name it without the SAS.
    std::string m = r.status().message();
    for (size_t at = m.find(request.url); at != std::string::npos; at = m.find(request.url)) {
      m.replace(at, request.url.size(), clean);
    }
    return Status(r.status().code(), m);
  }
  if (credential_ != nullptr) {
    Result<AccessToken> token = credential_->GetToken(scope_);
    if (!token.ok()) return token.status();
    request.headers["Authorization"] = "Bearer " + token->token;
    return http_->Send(request);
  }
  if (key_.empty()) return Status::InvalidArgument("storage account key is not valid base64");
  request.headers["Authorization"] =
      "SharedKey " + account_ + ":" +
      HmacSha256Base64(key_, SharedKeyStringToSign(request, account_));
  return http_->Send(request);
}

Result<std::string> BlobClient::StartCopy(const std::string& source_url,
                                          const std::string& destination_url,
                                          const std::map<std::string, std::string>& metadata) {
  HttpRequest req;
  req.method = "PUT";
  req.url = destination_url;
  req.headers["x-ms-copy-source"] = source_url;
  for (const auto& [name, value] : metadata) req.headers["x-ms-meta-" + name] = value;
  Result<HttpResponse> r = Send(req);
  if (!r.ok()) return r.status();
  if (r->status == 409 && r->Header("x-ms-error-code") == "PendingCopyOperation") {
    return Status::Aborted("copying " + source_url + " to " + destination_url +
                           ": another copy into it is pending (HTTP 409 PendingCopyOperation)");
  }
  if (r->status != 202 && r->status != 201) {
    return BlobError(*r, "copying " + source_url + " to " + destination_url);
  }
  return r->Header("x-ms-copy-id");
}

Result<HttpResponse> BlobClient::Head(const std::string& url) {
  HttpRequest req;
  req.method = "HEAD";
  req.url = url;
  Result<HttpResponse> r = Send(req);
  if (!r.ok()) return r.status();
  if (r->status != 200 && r->status != 404) return BlobError(*r, "reading blob " + url);
  return r;
}

Result<BlobCopyState> BlobClient::CopyState(const std::string& destination_url) {
  Result<HttpResponse> r = Head(destination_url);
  if (!r.ok()) return r.status();
  BlobCopyState state;
  if (r->status == 404) return state;
  state.exists = true;
  state.status = r->Header("x-ms-copy-status");
  state.source = r->Header("x-ms-copy-source");
  state.progress = r->Header("x-ms-copy-progress");
  state.description = r->Header("x-ms-copy-status-description");
  state.retry_after = RetryAfterOf(r->headers).value_or(std::chrono::milliseconds(1000));
  return state;
}

Status BlobClient::CreateContainer(const std::string& container_url) {
  HttpRequest req;
  req.method = "PUT";
  req.url = WithQuery(container_url, "restype=container");
  Result<HttpResponse> r = Send(req);
  if (!r.ok()) return r.status();
  if (r->status == 201 ||
      (r->status == 409 && r->Header("x-ms-error-code") == "ContainerAlreadyExists")) {
    return Status::Ok();
  }
  return PageBlobError(*r, "creating container " + container_url);
}

Result<BlobProperties> BlobClient::GetProperties(const std::string& url) {
  Result<HttpResponse> r = Head(url);
  if (!r.ok()) return r.status();
  BlobProperties p;
  if (r->status == 404) return p;
  p.exists = true;
  p.type = r->Header("x-ms-blob-type");
  p.size = std::strtoull(r->Header("Content-Length").c_str(), nullptr, 10);
  p.etag = r->Header("ETag");
  p.content_md5 = r->Header("Content-MD5");
  for (const auto& [name, value] : r->headers) {
    std::string lower = ToLower(name);
    if (StartsWith(lower, "x-ms-meta-")) p.metadata[lower.substr(10)] = value;
  }
  return p;
}

namespace {
// A conditional write storage refused because the blob changed: 412 ConditionNotMet.
Status ConditionalError(const HttpResponse& r, const std::string& what) {
  if (r.status == 412 && r.Header("x-ms-error-code") == "ConditionNotMet") {
    return Status::Aborted(what + ": the blob changed (HTTP 412 ConditionNotMet)");
  }
  return PageBlobError(r, what);
}
}  // namespace

Status BlobClient::SetMetadata(const std::string& url,
                               const std::map<std::string, std::string>& metadata,
                               const std::string& if_match) {
  if (if_match.empty()) {
    return Status::InvalidArgument(url + ": no ETag to make the write conditional on");
  }
  HttpRequest req;
  req.method = "PUT";
  req.url = WithQuery(url, "comp=metadata");
  req.headers["If-Match"] = if_match;
  for (const auto& [name, value] : metadata) req.headers["x-ms-meta-" + name] = value;
  Result<HttpResponse> r = Send(req);
  if (!r.ok()) return r.status();
  if (r->status != 200) return ConditionalError(*r, "setting the metadata of " + url);
  return Status::Ok();
}

Status BlobClient::DeleteBlob(const std::string& url, const std::string& if_match) {
  if (if_match.empty()) {
    return Status::InvalidArgument(url + ": no ETag to make the write conditional on");
  }
  HttpRequest req;
  req.method = "DELETE";
  req.url = url;
  req.headers["If-Match"] = if_match;
  Result<HttpResponse> r = Send(req);
  if (!r.ok()) return r.status();
  if (r->status == 202 || r->status == 404) return Status::Ok();
  return ConditionalError(*r, "deleting " + url);
}

Status BlobClient::CreatePageBlob(const std::string& url, uint64_t size,
                                  const std::map<std::string, std::string>& metadata) {
  HttpRequest req;
  req.method = "PUT";
  req.url = url;
  req.headers["x-ms-blob-type"] = "PageBlob";
  req.headers["x-ms-blob-content-length"] = std::to_string(size);
  for (const auto& [name, value] : metadata) req.headers["x-ms-meta-" + name] = value;
  Result<HttpResponse> r = Send(req);
  if (!r.ok()) return r.status();
  if (r->status != 201) return PageBlobError(*r, "creating page blob " + url);
  return Status::Ok();
}

Status BlobClient::PutPages(const std::string& url, uint64_t offset, const std::string& data) {
  HttpRequest req;
  req.method = "PUT";
  req.url = WithQuery(url, "comp=page");
  req.headers["x-ms-page-write"] = "update";
  req.headers["x-ms-range"] = ByteRange(offset, data.size());
  req.headers["Content-MD5"] = Base64Encode(Md5(data));
  req.body = data;
  Result<HttpResponse> r = Send(req);
  if (!r.ok()) return r.status();
  if (r->status != 201) return PageBlobError(*r, "writing pages of " + url);
  return Status::Ok();
}

Result<std::vector<PageRange>> BlobClient::GetPageRanges(const std::string& url) {
  std::vector<PageRange> ranges;
  std::string marker;
  int pages = 0;
  do {
    if (++pages > kMaxPageListPages) {
      return Status::FailedPrecondition("listing the pages of " + url + ": more than " +
                                        std::to_string(kMaxPageListPages) +
                                        " pages of page ranges");
    }
    // Storage may cut a long list short and give a NextMarker to continue from.
    HttpRequest req;
    req.method = "GET";
    req.url =
        WithQuery(url, "comp=pagelist" + (marker.empty() ? "" : "&marker=" + UrlEncode(marker)));
    Result<HttpResponse> r = Send(req);
    if (!r.ok()) return r.status();
    if (r->status != 200) return PageBlobError(*r, "listing the pages of " + url);
    size_t pos = 0;
    while (true) {
      std::optional<uint64_t> start = XmlNumber(r->body, "Start", &pos);
      if (!start) break;
      std::optional<uint64_t> end = XmlNumber(r->body, "End", &pos);
      if (!end || *end < *start || *end == UINT64_MAX) {
        return Status::FailedPrecondition("listing the pages of " + url +
                                          ": a PageRange without a valid End");
      }
      ranges.push_back({*start, *end + 1});
    }
    std::string next = marker;
    marker.clear();
    size_t a = r->body.find("<NextMarker>");
    if (a != std::string::npos) {
      a += 12;
      size_t b = r->body.find("</NextMarker>", a);
      if (b != std::string::npos) marker = r->body.substr(a, b - a);
    }
    if (!marker.empty() && marker == next) {
      return Status::FailedPrecondition("listing the pages of " + url +
                                        ": storage gave the same NextMarker twice");
    }
  } while (!marker.empty());
  std::sort(ranges.begin(), ranges.end(),
            [](const PageRange& a, const PageRange& b) { return a.begin < b.begin; });
  return ranges;
}

Result<std::string> BlobClient::ReadRange(const std::string& url, uint64_t offset,
                                          uint64_t length) {
  HttpRequest req;
  req.method = "GET";
  req.url = url;
  req.headers["x-ms-range"] = ByteRange(offset, length);
  Result<HttpResponse> r = Send(req);
  if (!r.ok()) return r.status();
  if (r->status != 206 && r->status != 200) return PageBlobError(*r, "reading " + url);
  return std::move(r->body);
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

std::string ServiceSasStringToSign(const ServiceSasOptions& o) {
  std::string canonical = "/blob/" + o.account + "/" + o.container;
  if (!o.blob.empty()) canonical += "/" + o.blob;
  // sp, st, se, canonicalized resource, si, sip, spr, sv, sr, snapshot time, ses, then rscc,
  // rscd, rsce, rscl, rsct.
  return o.permissions + "\n\n" + o.expiry + "\n" + canonical + "\n\n\n\n" + o.version + "\n" +
         (o.blob.empty() ? "c" : "b") + "\n\n\n\n\n\n\n";
}

Result<std::string> MakeServiceSas(const ServiceSasOptions& o, const std::string& account_key) {
  std::optional<std::string> key = Base64Decode(account_key);
  if (!key || key->empty())
    return Status::InvalidArgument("storage account key is not valid base64");
  return "sv=" + UrlEncode(o.version) + "&sr=" + (o.blob.empty() ? "c" : "b") +
         "&sp=" + UrlEncode(o.permissions) + "&se=" + UrlEncode(o.expiry) +
         "&sig=" + UrlEncode(HmacSha256Base64(*key, ServiceSasStringToSign(o)));
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
