// A client-side mirror of ARM's throttling: token buckets per subscription for reads, writes and
// deletes (ARM's current limits: 250 reads refilled 25/s, 200 writes and 200 deletes refilled
// 10/s). Waiting here, before sending, keeps a fleet of parallel applies under the limit instead
// of collecting 429s. The buckets also follow the server's x-ms-ratelimit-remaining-* headers,
// which count what other clients of the same subscription spent.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace easel::azure {

enum class RequestKind { kRead, kWrite, kDelete };
RequestKind KindOfMethod(const std::string& method);

struct BucketLimits {
  double capacity;
  double refill_per_second;
};

struct RateLimits {
  BucketLimits reads{250, 25};
  BucketLimits writes{200, 10};
  BucketLimits deletes{200, 10};
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimits limits = {});

  // Takes one token for (subscription, kind), sleeping until one is available. Returns how long
  // it waited. Thread-safe.
  std::chrono::milliseconds Acquire(const std::string& subscription, RequestKind kind);

  // Takes one token if one is available now (and the kind is not blocked); never waits.
  bool TryAcquire(const std::string& subscription, RequestKind kind);

  // Lowers the local bucket to what the server says remains (never raises it).
  void Observe(const std::string& subscription, RequestKind kind, double server_remaining);

  // After a throttling 429: nothing of this kind is sent for the subscription until `wait` has
  // passed (the server's bucket is empty for every caller, not only the one that was told).
  void Block(const std::string& subscription, RequestKind kind, std::chrono::milliseconds wait);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
    std::chrono::steady_clock::time_point blocked_until{};
  };
  Bucket& Find(const std::string& subscription, RequestKind kind);
  const BucketLimits& LimitsOf(RequestKind kind) const;
  void Refill(Bucket& b, const BucketLimits& l, std::chrono::steady_clock::time_point now) const;

  RateLimits limits_;
  std::mutex mutex_;
  std::map<std::pair<std::string, int>, Bucket> buckets_;
};

}  // namespace easel::azure
