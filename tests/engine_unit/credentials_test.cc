// Token caching (src/azure/credentials.h) with a fake inner credential.
#include "azure/credentials.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace easel::azure {
namespace {

using Clock = std::chrono::system_clock;

// Answers with tokens that expire `lifetime` from now ("tok-<scope>-<n>"), or with the queued
// errors first; records every scope it is asked for.
class FakeCredential : public TokenCredential {
 public:
  struct Log {
    std::vector<std::string> scopes;
  };
  FakeCredential(std::shared_ptr<Log> log, Clock::duration lifetime)
      : log_(std::move(log)), lifetime_(lifetime) {}
  void FailNext(Status s) { errors_.push_back(std::move(s)); }
  Result<AccessToken> GetToken(const std::string& scope) override {
    log_->scopes.push_back(scope);
    if (!errors_.empty()) {
      Status s = errors_.front();
      errors_.pop_front();
      return s;
    }
    return AccessToken{"tok-" + scope + "-" + std::to_string(log_->scopes.size()),
                       Clock::now() + lifetime_};
  }

 private:
  std::shared_ptr<Log> log_;
  Clock::duration lifetime_;
  std::deque<Status> errors_;
};

constexpr const char* kArm = "https://management.azure.com/.default";
constexpr const char* kStorage = "https://storage.azure.com/.default";

TEST(CachingCredential, ReusesATokenFarFromExpiry) {
  auto log = std::make_shared<FakeCredential::Log>();
  CachingCredential cache(std::make_unique<FakeCredential>(log, std::chrono::hours(1)));
  Result<AccessToken> first = cache.GetToken(kArm);
  Result<AccessToken> second = cache.GetToken(kArm);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(log->scopes.size(), 1u);
  EXPECT_EQ(second->token, first->token);
}

TEST(CachingCredential, RefreshesATokenExpiringWithinFiveMinutes) {
  auto log = std::make_shared<FakeCredential::Log>();
  CachingCredential cache(std::make_unique<FakeCredential>(log, std::chrono::minutes(4)));
  Result<AccessToken> first = cache.GetToken(kArm);
  Result<AccessToken> second = cache.GetToken(kArm);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(log->scopes.size(), 2u);
  EXPECT_NE(second->token, first->token);
}

TEST(CachingCredential, KeepsATokenWithMoreThanFiveMinutesLeft) {
  auto log = std::make_shared<FakeCredential::Log>();
  CachingCredential cache(std::make_unique<FakeCredential>(log, std::chrono::minutes(6)));
  ASSERT_TRUE(cache.GetToken(kArm).ok());
  ASSERT_TRUE(cache.GetToken(kArm).ok());
  EXPECT_EQ(log->scopes.size(), 1u);
}

TEST(CachingCredential, CachesScopesSeparately) {
  auto log = std::make_shared<FakeCredential::Log>();
  CachingCredential cache(std::make_unique<FakeCredential>(log, std::chrono::hours(1)));
  Result<AccessToken> arm = cache.GetToken(kArm);
  Result<AccessToken> storage = cache.GetToken(kStorage);
  ASSERT_TRUE(arm.ok());
  ASSERT_TRUE(storage.ok());
  EXPECT_NE(arm->token, storage->token);
  ASSERT_TRUE(cache.GetToken(kArm).ok());
  ASSERT_TRUE(cache.GetToken(kStorage).ok());
  EXPECT_EQ(log->scopes, (std::vector<std::string>{kArm, kStorage}));
}

TEST(CachingCredential, ReturnsAnInnerErrorWithoutCachingIt) {
  auto log = std::make_shared<FakeCredential::Log>();
  auto inner = std::make_unique<FakeCredential>(log, std::chrono::hours(1));
  inner->FailNext(Status::Unavailable("token endpoint unreachable"));
  CachingCredential cache(std::move(inner));
  Result<AccessToken> failed = cache.GetToken(kArm);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(failed.status().message(), "token endpoint unreachable");
  Result<AccessToken> retried = cache.GetToken(kArm);
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_EQ(log->scopes.size(), 2u);  // the error was not remembered
}

}  // namespace
}  // namespace easel::azure
