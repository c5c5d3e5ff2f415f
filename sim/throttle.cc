#include "sim/throttle.h"

#include <algorithm>

#include "sim/util.h"

namespace azsim {

Throttle::Decision Throttle::Take(const std::string& subscription, const std::string& principal,
                                  const std::string& kind) {
  double capacity = kind == "read" ? 250 : 200;
  double rate = kind == "read" ? 25 : 10;
  Decision d;
  d.header = "x-ms-ratelimit-remaining-subscription-" + std::string(kind == "read"     ? "reads"
                                                                    : kind == "delete" ? "deletes"
                                                                                       : "writes");
  std::lock_guard<std::mutex> lock(mu_);
  double now = NowSeconds();
  auto [it, inserted] =
      buckets_.try_emplace(subscription + "|" + principal + "|" + kind, Bucket{capacity, now});
  Bucket& b = it->second;
  b.tokens = std::min(capacity, b.tokens + (now - b.last) * rate);
  b.last = now;
  if (!enabled_) {
    d.remaining = long(capacity) - 1;
    return d;
  }
  if (b.tokens < 1) {
    d.allowed = false;
    d.remaining = 0;
    d.retry_after = (1 - b.tokens) / rate;
    return d;
  }
  b.tokens -= 1;
  d.remaining = long(b.tokens);
  return d;
}

void Throttle::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  buckets_.clear();
}

void Throttle::set_enabled(bool e) {
  std::lock_guard<std::mutex> lock(mu_);
  enabled_ = e;
}

}  // namespace azsim
