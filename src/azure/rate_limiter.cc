#include "azure/rate_limiter.h"

#include <algorithm>
#include <thread>

namespace easel::azure {

using SteadyClock = std::chrono::steady_clock;

RequestKind KindOfMethod(const std::string& method) {
  if (method == "GET" || method == "HEAD") return RequestKind::kRead;
  if (method == "DELETE") return RequestKind::kDelete;
  return RequestKind::kWrite;
}

RateLimiter::RateLimiter(RateLimits limits) : limits_(limits) {}

const BucketLimits& RateLimiter::LimitsOf(RequestKind kind) const {
  switch (kind) {
    case RequestKind::kRead:
      return limits_.reads;
    case RequestKind::kWrite:
      return limits_.writes;
    case RequestKind::kDelete:
      return limits_.deletes;
  }
  return limits_.reads;
}

RateLimiter::Bucket& RateLimiter::Find(const std::string& subscription, RequestKind kind) {
  auto key = std::make_pair(subscription, static_cast<int>(kind));
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    it = buckets_.emplace(key, Bucket{LimitsOf(kind).capacity, SteadyClock::now()}).first;
  }
  return it->second;
}

void RateLimiter::Refill(Bucket& b, const BucketLimits& l, SteadyClock::time_point now) const {
  double seconds = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min(l.capacity, b.tokens + seconds * l.refill_per_second);
  b.updated = now;
}

std::chrono::milliseconds RateLimiter::Acquire(const std::string& subscription, RequestKind kind) {
  auto start = SteadyClock::now();
  while (true) {
    std::chrono::duration<double> wait{0};
    {
      std::lock_guard<std::mutex> lock(mutex_);
      Bucket& b = Find(subscription, kind);
      const BucketLimits& l = LimitsOf(kind);
      auto now = SteadyClock::now();
      if (now < b.blocked_until) {
        wait = b.blocked_until - now;
        b.updated = b.blocked_until;  // no refill is earned while blocked
      } else if (Refill(b, l, now), b.tokens >= 1) {
        b.tokens -= 1;
        return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
      } else {
        wait = std::chrono::duration<double>((1 - b.tokens) / l.refill_per_second);
      }
    }
    std::this_thread::sleep_for(wait);
  }
}

bool RateLimiter::TryAcquire(const std::string& subscription, RequestKind kind) {
  std::lock_guard<std::mutex> lock(mutex_);
  Bucket& b = Find(subscription, kind);
  auto now = SteadyClock::now();
  if (now < b.blocked_until) return false;
  Refill(b, LimitsOf(kind), now);
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

void RateLimiter::Block(const std::string& subscription, RequestKind kind,
                        std::chrono::milliseconds wait) {
  std::lock_guard<std::mutex> lock(mutex_);
  Bucket& b = Find(subscription, kind);
  b.tokens = 0;
  b.blocked_until = std::max(b.blocked_until, SteadyClock::now() + wait);
  b.updated = b.blocked_until;
}

void RateLimiter::Observe(const std::string& subscription, RequestKind kind,
                          double server_remaining) {
  std::lock_guard<std::mutex> lock(mutex_);
  Bucket& b = Find(subscription, kind);
  Refill(b, LimitsOf(kind), SteadyClock::now());
  b.tokens = std::min(b.tokens, std::max(0.0, server_remaining));
}

}  // namespace easel::azure
