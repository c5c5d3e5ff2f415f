#include "azure/arm_client.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <random>
#include <thread>

#include "common/strings.h"

namespace easel::azure {
namespace {

// The subscription id of an ARM path or URL, for the rate limiter's buckets.
std::string SubscriptionOf(const std::string& target) {
  std::string lower = ToLower(target);
  size_t at = lower.find("/subscriptions/");
  if (at == std::string::npos) return "";
  size_t start = at + 15;
  size_t end = target.find_first_of("/?", start);
  return ToLower(target.substr(start, end == std::string::npos ? end : end - start));
}

}  // namespace

std::string NewUuid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) {
    std::random_device rd;
    for (auto& x : b) x = static_cast<unsigned char>(rd());
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

std::string ArmResponse::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

ArmError ErrorOf(const ArmResponse& r) {
  ArmError e;
  const nlohmann::json* err = nullptr;
  if (r.body.is_object() && r.body.contains("error") && r.body["error"].is_object()) {
    err = &r.body["error"];
  } else if (r.body.is_object() && r.body.contains("code")) {
    err = &r.body;
  }
  if (err) {
    if (err->contains("code") && (*err)["code"].is_string()) e.code = (*err)["code"];
    if (err->contains("message") && (*err)["message"].is_string()) e.message = (*err)["message"];
  }
  return e;
}

std::string Describe(const ArmResponse& r) {
  ArmError e = ErrorOf(r);
  std::string out = std::to_string(r.status);
  if (!e.code.empty()) out += " " + e.code;
  if (!e.message.empty()) out += ": " + e.message.substr(0, 500);
  return out;
}

namespace {

// A header value that is a plain decimal number (surrounding blanks allowed), saturated at
// INT64_MAX; nullopt otherwise (signs, fractions, trailing garbage).
std::optional<int64_t> DecimalHeader(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec == std::errc::result_out_of_range) return INT64_MAX;
  if (ec != std::errc() || ptr != v.data() + v.size()) return std::nullopt;
  return n;
}

std::chrono::milliseconds ClampedMs(int64_t ms) {
  return std::chrono::milliseconds(std::clamp<int64_t>(ms, 0, kMaxRetryAfter.count()));
}

}  // namespace

std::optional<std::chrono::milliseconds> RetryAfterOf(const HttpHeaders& headers) {
  for (const char* name : {"retry-after-ms", "x-ms-retry-after-ms"}) {
    auto it = headers.find(name);
    if (it != headers.end() && !it->second.empty()) {
      if (std::optional<int64_t> ms = DecimalHeader(it->second)) return ClampedMs(*ms);
    }
  }
  auto it = headers.find("Retry-After");
  if (it == headers.end() || it->second.empty()) return std::nullopt;
  const std::string& v = it->second;
  if (std::optional<int64_t> seconds = DecimalHeader(v)) {
    constexpr int64_t kMaxSeconds = kMaxRetryAfter.count() / 1000;
    return ClampedMs(std::min(*seconds, kMaxSeconds) * 1000);
  }
  std::tm tm{};
  const char* end = strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end && *end == '\0') {
    // Seconds from now, computed in time_t and clamped before any chrono conversion: a date far
    // in the future (or past) must not overflow.
    std::time_t when = timegm(&tm);
    std::time_t now = std::time(nullptr);
    if (when == static_cast<std::time_t>(-1)) return std::nullopt;
    int64_t delta = 0;
    if (__builtin_sub_overflow(static_cast<int64_t>(when), static_cast<int64_t>(now), &delta)) {
      delta = when > now ? INT64_MAX : 0;
    }
    constexpr int64_t kMaxSeconds = kMaxRetryAfter.count() / 1000;
    return ClampedMs(std::clamp<int64_t>(delta, 0, kMaxSeconds) * 1000);
  }
  return std::nullopt;
}

std::string OriginOf(const std::string& url) {
  std::string lower = ToLower(url);
  std::string scheme;
  if (StartsWith(lower, "https://")) {
    scheme = "https";
  } else if (StartsWith(lower, "http://")) {
    scheme = "http";
  } else {
    return "";
  }
  size_t start = scheme.size() + 3;
  size_t end = lower.find_first_of("/?#\\", start);
  std::string authority = lower.substr(start, end == std::string::npos ? end : end - start);
  if (authority.empty()) return "";
  // Only host names, IPv4 and bracketed IPv6 literals with an optional port: no userinfo
  // ("arm@evil"), percent-escapes or anything a client library might read differently.
  for (char c : authority) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' &&
        c != '[' && c != ']') {
      return "";
    }
  }
  std::string host = authority, port;
  size_t colon = authority.rfind(':');
  size_t bracket = authority.rfind(']');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5) return "";
    for (char c : port) {
      if (c < '0' || c > '9') return "";
    }
    if (std::stoi(port) > 65535) return "";
    while (port.size() > 1 && port[0] == '0') port.erase(0, 1);
  }
  if (host.empty()) return "";
  if ((scheme == "https" && port == "443") || (scheme == "http" && port == "80")) port.clear();
  return scheme + "://" + host + (port.empty() ? "" : ":" + port);
}

namespace {

// The host (with port) of a URL, as it is written, for error messages.
std::string HostForMessage(const std::string& url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string host = url.substr(start, end == std::string::npos ? end : end - start);
  if (host.size() > 200) host = host.substr(0, 200) + "...";
  return host.empty() ? "(none)" : host;
}

}  // namespace

Status CheckArmUrl(const std::string& url, const std::string& arm_endpoint) {
  std::string origin = OriginOf(url);
  std::string arm = OriginOf(arm_endpoint);
  if (!origin.empty() && origin == arm) return Status::Ok();
  return Status::PermissionDenied("refusing to send the ARM token to " +
                                  Quote(HostForMessage(url)) +
                                  ": the URL is not on the ARM endpoint " + arm_endpoint);
}

Classification Classify(const ArmResponse& r) {
  Classification c;
  c.retry_after = RetryAfterOf(r.headers);
  ArmError e = ErrorOf(r);
  c.transient = r.status == 429 || r.status == 500 || r.status == 502 || r.status == 503 ||
                r.status == 504 || e.code == "AnotherOperationInProgress" ||
                e.code == "RetryableErrorDueToAnotherOperation";
  return c;
}

ArmClient::ArmClient(Cloud cloud, TokenCredential* credential, HttpClient* http,
                     RateLimiter* limiter, RetryPolicy policy)
    : cloud_(std::move(cloud)),
      credential_(credential),
      http_(http),
      limiter_(limiter),
      policy_(policy),
      correlation_id_(NewUuid()),
      sleep_([](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }) {}

std::string ArmClient::UrlFor(const std::string& target, const std::string& api_version) const {
  std::string url = StartsWith(target, "https://") || StartsWith(target, "http://")
                        ? target
                        : cloud_.arm_endpoint + target;
  if (!api_version.empty() && ToLower(url).find("api-version=") == std::string::npos) {
    url += (url.find('?') == std::string::npos ? "?" : "&");
    url += "api-version=" + api_version;
  }
  return url;
}

std::chrono::milliseconds ArmClient::Backoff(int attempt) {
  // Exponential with full jitter: uniform in [base, min(max, base * 2^attempt)].
  thread_local std::mt19937_64 rng(std::random_device{}());
  int64_t ceiling = std::min<int64_t>(policy_.max_delay.count(), policy_.base_delay.count()
                                                                     << std::min(attempt, 16));
  std::uniform_int_distribution<int64_t> dist(policy_.base_delay.count(),
                                              std::max(ceiling, policy_.base_delay.count()));
  return std::chrono::milliseconds(dist(rng));
}

Result<ArmResponse> ArmClient::Call(const std::string& method, const std::string& target,
                                    const std::string& api_version,
                                    const std::optional<nlohmann::json>& body) {
  const std::string subscription = SubscriptionOf(target);
  const RequestKind kind = KindOfMethod(method);
  const std::string client_request_id = NewUuid();  // the same on every retry of this call
  const std::string url = UrlFor(target, api_version);
  // The token goes to the cloud's ARM endpoint only, whatever URL an answer named.
  if (Status s = CheckArmUrl(url, cloud_.arm_endpoint); !s.ok()) return s;
  std::string last_problem;
  for (int attempt = 0; attempt < policy_.max_attempts; ++attempt) {
    Result<AccessToken> token = credential_->GetToken(cloud_.arm_scope);
    if (!token.ok()) {
      if (token.status().code() != StatusCode::kUnavailable) return token.status();
      last_problem = token.status().message();
      counters_.retries++;
      sleep_(Backoff(attempt));
      continue;
    }
    if (limiter_) limiter_->Acquire(subscription, kind);
    HttpRequest req;
    req.method = method;
    req.url = url;
    req.headers["Authorization"] = "Bearer " + token->token;
    req.headers["x-ms-correlation-request-id"] = correlation_id_;
    req.headers["x-ms-client-request-id"] = client_request_id;
    req.headers["Accept"] = "application/json";
    if (body) {
      req.headers["Content-Type"] = "application/json";
      req.body = body->dump();
    }
    (kind == RequestKind::kRead    ? counters_.reads
     : kind == RequestKind::kWrite ? counters_.writes
                                   : counters_.deletes)++;
    Result<HttpResponse> sent = http_->Send(req);
    if (!sent.ok()) {  // refused, reset, timed out: the request may or may not have arrived
      last_problem = sent.status().message();
      counters_.retries++;
      sleep_(Backoff(attempt));
      continue;
    }
    ArmResponse r{sent->status, std::move(sent->headers), nlohmann::json()};
    if (!sent->body.empty()) r.body = nlohmann::json::parse(sent->body, nullptr, false);
    if (r.body.is_discarded()) r.body = nullptr;
    if (limiter_) {
      static const char* kRemaining[] = {"x-ms-ratelimit-remaining-subscription-reads",
                                         "x-ms-ratelimit-remaining-subscription-writes",
                                         "x-ms-ratelimit-remaining-subscription-deletes"};
      std::string remaining = r.Header(kRemaining[static_cast<int>(kind)]);
      if (!remaining.empty()) limiter_->Observe(subscription, kind, std::atof(remaining.c_str()));
    }
    Classification c = Classify(r);
    if (!c.transient) return r;
    if (r.status == 429) counters_.throttled++;
    last_problem = Describe(r);
    if (attempt + 1 == policy_.max_attempts) break;
    counters_.retries++;
    std::chrono::milliseconds wait = c.retry_after ? *c.retry_after : Backoff(attempt);
    if (r.status == 429 && limiter_ && ErrorOf(r).code != "RetryableErrorDueToAnotherOperation") {
      // Throttled: the subscription's bucket is empty for every caller; the limiter holds all of
      // this kind back, this call included (its next Acquire waits).
      limiter_->Block(subscription, kind, wait);
    } else {
      sleep_(wait);
    }
  }
  return Status::Unavailable(method + " " + target + ": gave up after " +
                             std::to_string(policy_.max_attempts) + " attempts: " + last_problem);
}

}  // namespace easel::azure

namespace easel::azure {

Result<std::vector<nlohmann::json>> ListAll(ArmClient& arm, const std::string& path,
                                            const std::string& api_version, int* http_status,
                                            int* calls) {
  std::vector<nlohmann::json> out;
  std::string next = path, api = api_version, previous;
  *http_status = 200;
  for (int page = 0; !next.empty(); ++page) {
    if (page == kMaxListPages) {
      return Status::Unavailable("listing " + path + ": more than " +
                                 std::to_string(kMaxListPages) + " pages");
    }
    Result<ArmResponse> r = arm.Call("GET", next, api);
    if (calls) ++*calls;
    if (!r.ok()) return r.status();
    if (page == 0 && r->status != 200) {
      *http_status = r->status;
      if (r->status == 404) return out;
    }
    if (r->status != 200 || !r->body.is_object() || !r->body.contains("value") ||
        !r->body["value"].is_array()) {
      return Status::Unavailable("listing " + path + ": " + Describe(*r));
    }
    for (nlohmann::json& v : r->body["value"]) {
      if (v.is_object()) out.push_back(std::move(v));
    }
    auto link = r->body.find("nextLink");
    previous = next;
    next = link != r->body.end() && link->is_string() ? link->get<std::string>() : "";
    if (!next.empty() && next == previous) {
      return Status::Unavailable("listing " + path + ": the nextLink repeats the page");
    }
    api.clear();  // nextLink carries its own query
  }
  return out;
}

}  // namespace easel::azure
