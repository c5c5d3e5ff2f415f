// Azure Resource Manager over HTTPS: tokens, correlation ids, the client-side rate limiter,
// Retry-After on every 429/503, and bounded, jittered retries of 5xx answers and dropped
// connections. Errors are classified once, here: transient (retried, then kUnavailable) or
// terminal (returned as the response, with ARM's code and message, for the caller to judge).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "azure/cloud.h"
#include "azure/credentials.h"
#include "azure/rate_limiter.h"
#include "common/http_client.h"

namespace easel::azure {

struct ArmResponse {
  int status = 0;
  HttpHeaders headers;
  nlohmann::json body;  // null when empty or not JSON
  std::string Header(const std::string& name) const;
};

// ARM's error: {"error": {"code", "message"}}; empty code when the body has none.
struct ArmError {
  std::string code;
  std::string message;
};
ArmError ErrorOf(const ArmResponse& response);
// "404 ResourceNotFound: The Resource ... was not found."
std::string Describe(const ArmResponse& response);

// Whether an answer is worth retrying, and after how long the server asked us to wait.
struct Classification {
  bool transient = false;
  std::optional<std::chrono::milliseconds> retry_after;
};
Classification Classify(const ArmResponse& response);
// The longest wait a server may ask for; a longer (or far-future) Retry-After is cut to this.
inline constexpr std::chrono::milliseconds kMaxRetryAfter{10 * 60 * 1000};
// Retry-After in seconds or as an HTTP date, or retry-after-ms / x-ms-retry-after-ms, clamped to
// [0, kMaxRetryAfter]. nullopt when absent or malformed (not a plain decimal or an IMF-fixdate).
std::optional<std::chrono::milliseconds> RetryAfterOf(const HttpHeaders& headers);

// scheme://host[:port] of an absolute http(s) URL, lowercased with the default port dropped
// ("https://management.azure.com"); "" when `url` is not one (no scheme, userinfo, bad port).
std::string OriginOf(const std::string& url);
// Ok when `url` is on the ARM endpoint `arm_endpoint` (same scheme, host and port): the only
// place the ARM bearer token may go. Otherwise kPermissionDenied naming the URL's host.
Status CheckArmUrl(const std::string& url, const std::string& arm_endpoint);

struct RetryPolicy {
  int max_attempts = 8;
  std::chrono::milliseconds base_delay{500};
  std::chrono::milliseconds max_delay{30'000};
};

struct ArmCounters {
  std::atomic<int64_t> reads{0}, writes{0}, deletes{0};
  std::atomic<int64_t> throttled{0};  // 429s received
  std::atomic<int64_t> retries{0};
};

class ArmClient {
 public:
  ArmClient(Cloud cloud, TokenCredential* credential, HttpClient* http, RateLimiter* limiter,
            RetryPolicy policy = {});

  // `target` is an ARM path ("/subscriptions/...") or an absolute URL on the ARM endpoint (as in
  // Azure-AsyncOperation and Location headers). api_version is added unless the URL has one.
  // Transient answers are retried per the policy; what is returned is the final answer, whatever
  // its status, or kUnavailable when retries ran out, kInvalidArgument when no token could be had,
  // kPermissionDenied (nothing sent) when the URL is not on the cloud's ARM endpoint.
  Result<ArmResponse> Call(const std::string& method, const std::string& target,
                           const std::string& api_version,
                           const std::optional<nlohmann::json>& body = std::nullopt);

  const ArmCounters& counters() const { return counters_; }
  const Cloud& cloud() const { return cloud_; }
  // The principal's credential (also what the blob data plane authenticates with).
  TokenCredential* credential() const { return credential_; }
  // Replaces sleeping (tests and simulated time).
  void set_sleeper(std::function<void(std::chrono::milliseconds)> sleeper) {
    sleep_ = std::move(sleeper);
  }

 private:
  std::string UrlFor(const std::string& target, const std::string& api_version) const;
  std::chrono::milliseconds Backoff(int attempt);

  Cloud cloud_;
  TokenCredential* credential_;
  HttpClient* http_;
  RateLimiter* limiter_;
  RetryPolicy policy_;
  std::string correlation_id_;
  ArmCounters counters_;
  std::function<void(std::chrono::milliseconds)> sleep_;
};

// The longest list ListAll follows (pages of nextLink).
inline constexpr int kMaxListPages = 1000;

// GETs `path` and every page its nextLink names (each on the ARM endpoint, or the call fails with
// kPermissionDenied), returning the "value" elements that are objects, in order. *status is the
// first answer's HTTP status when it was not 200 (404: the collection's parent is gone; the result
// is then empty); kUnavailable for a malformed page, a nextLink that repeats or more than
// kMaxListPages pages. `calls` (optional) counts the GETs sent.
Result<std::vector<nlohmann::json>> ListAll(ArmClient& arm, const std::string& path,
                                            const std::string& api_version, int* http_status,
                                            int* calls = nullptr);

// A random (version 4) UUID.
std::string NewUuid();

}  // namespace easel::azure
