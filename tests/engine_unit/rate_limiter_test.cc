// The client-side token buckets (src/azure/rate_limiter.h). Waits are kept to tens of
// milliseconds, and only lower bounds of waits are asserted, except where a bucket must be shown
// NOT to wait: there the bucket it might wrongly share would take 10 s to refill, and the bound is
// a generous 2 s.
#include "azure/rate_limiter.h"

#include <gtest/gtest.h>

#include <chrono>

namespace easel::azure {
namespace {

using std::chrono::milliseconds;

// Reads: 2 tokens refilled 20/s (a token every 50 ms). Writes and deletes: 1 token refilled
// 0.1/s, so that taking a second one would wait 10 s.
RateLimits SmallLimits() {
  RateLimits l;
  l.reads = {2, 20};
  l.writes = {1, 0.1};
  l.deletes = {1, 0.1};
  return l;
}

TEST(RateLimiterKind, MapsMethodsToKinds) {
  EXPECT_EQ(KindOfMethod("GET"), RequestKind::kRead);
  EXPECT_EQ(KindOfMethod("HEAD"), RequestKind::kRead);
  EXPECT_EQ(KindOfMethod("PUT"), RequestKind::kWrite);
  EXPECT_EQ(KindOfMethod("PATCH"), RequestKind::kWrite);
  EXPECT_EQ(KindOfMethod("POST"), RequestKind::kWrite);
  EXPECT_EQ(KindOfMethod("DELETE"), RequestKind::kDelete);
}

TEST(RateLimiter, LetsCapacityThroughThenWaitsForARefill) {
  RateLimiter limiter(SmallLimits());
  limiter.Acquire("s1", RequestKind::kRead);
  limiter.Acquire("s1", RequestKind::kRead);
  milliseconds waited = limiter.Acquire("s1", RequestKind::kRead);
  EXPECT_GT(waited, milliseconds(0));
  EXPECT_GE(waited, milliseconds(40));  // one token takes 50 ms at 20/s
}

TEST(RateLimiter, BlockHoldsTheKindBack) {
  RateLimiter limiter(SmallLimits());
  limiter.Block("s1", RequestKind::kRead, milliseconds(60));
  milliseconds waited = limiter.Acquire("s1", RequestKind::kRead);
  EXPECT_GE(waited, milliseconds(50));
}

TEST(RateLimiter, BlockDoesNotHoldBackOtherKindsOrSubscriptions) {
  RateLimits limits = SmallLimits();
  limits.reads = {1, 0.1};
  RateLimiter limiter(limits);
  limiter.Block("s1", RequestKind::kWrite, std::chrono::hours(1));
  EXPECT_FALSE(limiter.TryAcquire("s1", RequestKind::kWrite));
  EXPECT_TRUE(limiter.TryAcquire("s1", RequestKind::kRead));
  EXPECT_TRUE(limiter.TryAcquire("s1", RequestKind::kDelete));
  EXPECT_TRUE(limiter.TryAcquire("s2", RequestKind::kWrite));
}

TEST(RateLimiter, ObserveLowersTheTokens) {
  RateLimiter limiter(SmallLimits());
  limiter.Observe("s1", RequestKind::kRead, 0);  // the server says the bucket is empty
  milliseconds waited = limiter.Acquire("s1", RequestKind::kRead);
  EXPECT_GE(waited, milliseconds(40));
}

TEST(RateLimiter, ObserveNeverRaisesTheTokens) {
  RateLimiter limiter(SmallLimits());
  limiter.Acquire("s1", RequestKind::kRead);
  limiter.Acquire("s1", RequestKind::kRead);
  limiter.Observe("s1", RequestKind::kRead, 200);  // more than local: ignored
  milliseconds waited = limiter.Acquire("s1", RequestKind::kRead);
  EXPECT_GE(waited, milliseconds(40));
}

TEST(RateLimiter, SubscriptionsHaveTheirOwnBuckets) {
  RateLimiter limiter(SmallLimits());
  EXPECT_TRUE(limiter.TryAcquire("s1", RequestKind::kWrite));
  EXPECT_FALSE(limiter.TryAcquire("s1", RequestKind::kWrite));  // empty for 10 s
  EXPECT_TRUE(limiter.TryAcquire("s2", RequestKind::kWrite));
}

TEST(RateLimiter, KindsHaveTheirOwnBuckets) {
  RateLimiter limiter(SmallLimits());
  EXPECT_TRUE(limiter.TryAcquire("s1", RequestKind::kWrite));
  EXPECT_FALSE(limiter.TryAcquire("s1", RequestKind::kWrite));  // empty for 10 s
  EXPECT_TRUE(limiter.TryAcquire("s1", RequestKind::kDelete));
}

TEST(RateLimiter, ObserveTouchesOnlyItsOwnBucket) {
  RateLimiter limiter(SmallLimits());
  limiter.Observe("s1", RequestKind::kWrite, 0);  // would take 10 s to refill
  EXPECT_FALSE(limiter.TryAcquire("s1", RequestKind::kWrite));
  EXPECT_TRUE(limiter.TryAcquire("s1", RequestKind::kDelete));
  EXPECT_TRUE(limiter.TryAcquire("s2", RequestKind::kWrite));
}

}  // namespace
}  // namespace easel::azure
