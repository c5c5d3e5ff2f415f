#include "azure/arm_client.h"

#include <openssl/rand.h>

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

std::optional<std::chrono::milliseconds> RetryAfterOf(const HttpHeaders& headers) {
  for (const char* name : {"retry-after-ms", "x-ms-retry-after-ms"}) {
    auto it = headers.find(name);
    if (it != headers.end() && !it->second.empty()) {
      return std::chrono::milliseconds(std::atoll(it->second.c_str()));
    }
  }
  auto it = headers.find("Retry-After");
  if (it == headers.end() || it->second.empty()) return std::nullopt;
  const std::string& v = it->second;
  if (std::isdigit(static_cast<unsigned char>(v[0]))) {
    return std::chrono::milliseconds(std::atoll(v.c_str()) * 1000);
  }
  std::tm tm{};
  if (strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) {
    auto when = std::chrono::system_clock::from_time_t(timegm(&tm));
    auto delta = std::chrono::duration_cast<std::chrono::milliseconds>(
        when - std::chrono::system_clock::now());
    return std::max(delta, std::chrono::milliseconds(0));
  }
  return std::nullopt;
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
    req.url = UrlFor(target, api_version);
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
