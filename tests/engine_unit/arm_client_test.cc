// ErrorOf, Describe, Classify, RetryAfterOf and NewUuid (src/azure/arm_client.h).
#include "azure/arm_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <regex>
#include <set>
#include <string>

namespace easel::azure {
namespace {

using std::chrono::milliseconds;

ArmResponse ErrorResponse(int status, const std::string& code, const std::string& message) {
  ArmResponse r;
  r.status = status;
  r.body = {{"error", {{"code", code}, {"message", message}}}};
  return r;
}

// An HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT") `offset` from now.
std::string HttpDateFromNow(std::chrono::seconds offset) {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + offset);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

TEST(ArmErrorOf, ReadsCodeAndMessageOfTheErrorObject) {
  ArmError e = ErrorOf(ErrorResponse(404, "ResourceNotFound", "The Resource 'x' was not found."));
  EXPECT_EQ(e.code, "ResourceNotFound");
  EXPECT_EQ(e.message, "The Resource 'x' was not found.");
}

TEST(ArmErrorOf, ReadsAFlatCodeAndMessage) {
  ArmResponse r;
  r.status = 200;
  r.body = {{"code", "Conflict"}, {"message", "busy"}};
  ArmError e = ErrorOf(r);
  EXPECT_EQ(e.code, "Conflict");
  EXPECT_EQ(e.message, "busy");
}

TEST(ArmErrorOf, IsEmptyForANullOrErrorlessBody) {
  ArmResponse empty;
  empty.status = 500;
  EXPECT_EQ(ErrorOf(empty).code, "");
  EXPECT_EQ(ErrorOf(empty).message, "");
  ArmResponse resource;
  resource.status = 200;
  resource.body = {{"name", "vnet"}, {"properties", nlohmann::json::object()}};
  EXPECT_EQ(ErrorOf(resource).code, "");
}

TEST(ArmDescribe, GivesStatusCodeAndMessage) {
  EXPECT_EQ(Describe(ErrorResponse(404, "ResourceNotFound", "The Resource 'x' was not found.")),
            "404 ResourceNotFound: The Resource 'x' was not found.");
}

TEST(ArmDescribe, GivesOnlyTheStatusWithoutAnErrorBody) {
  ArmResponse r;
  r.status = 502;
  EXPECT_EQ(Describe(r), "502");
}

TEST(ArmClassify, ThrottlingIsTransientWithItsRetryAfter) {
  ArmResponse r = ErrorResponse(429, "TooManyRequests", "slow down");
  r.headers["Retry-After"] = "7";
  Classification c = Classify(r);
  EXPECT_TRUE(c.transient);
  ASSERT_TRUE(c.retry_after.has_value());
  EXPECT_EQ(*c.retry_after, milliseconds(7000));
}

TEST(ArmClassify, ServerErrorsAreTransient) {
  for (int status : {500, 502, 503, 504}) {
    ArmResponse r;
    r.status = status;
    EXPECT_TRUE(Classify(r).transient) << status;
  }
}

TEST(ArmClassify, AnotherOperationInProgressIsTransient) {
  EXPECT_TRUE(Classify(ErrorResponse(409, "AnotherOperationInProgress", "wait")).transient);
  EXPECT_TRUE(
      Classify(ErrorResponse(429, "RetryableErrorDueToAnotherOperation", "wait")).transient);
}

TEST(ArmClassify, ClientErrorsAreTerminal) {
  Classification bad = Classify(ErrorResponse(400, "InvalidParameter", "no"));
  EXPECT_FALSE(bad.transient);
  EXPECT_FALSE(bad.retry_after.has_value());
  EXPECT_FALSE(Classify(ErrorResponse(404, "ResourceNotFound", "gone")).transient);
  EXPECT_FALSE(Classify(ErrorResponse(409, "Conflict", "no")).transient);
}

TEST(ArmRetryAfter, AbsentWithoutAHeader) { EXPECT_FALSE(RetryAfterOf({}).has_value()); }

TEST(ArmRetryAfter, ReadsSeconds) {
  auto ra = RetryAfterOf({{"Retry-After", "7"}});
  ASSERT_TRUE(ra.has_value());
  EXPECT_EQ(*ra, milliseconds(7000));
}

TEST(ArmRetryAfter, HeaderNamesAreCaseInsensitive) {
  auto ra = RetryAfterOf({{"retry-after", "3"}});
  ASSERT_TRUE(ra.has_value());
  EXPECT_EQ(*ra, milliseconds(3000));
}

TEST(ArmRetryAfter, ReadsRetryAfterMs) {
  auto ra = RetryAfterOf({{"retry-after-ms", "250"}});
  ASSERT_TRUE(ra.has_value());
  EXPECT_EQ(*ra, milliseconds(250));
}

TEST(ArmRetryAfter, ReadsXMsRetryAfterMs) {
  auto ra = RetryAfterOf({{"x-ms-retry-after-ms", "1500"}});
  ASSERT_TRUE(ra.has_value());
  EXPECT_EQ(*ra, milliseconds(1500));
}

TEST(ArmRetryAfter, MillisecondHeadersArePreferredToSeconds) {
  auto ra = RetryAfterOf({{"Retry-After", "9"}, {"retry-after-ms", "120"}});
  ASSERT_TRUE(ra.has_value());
  EXPECT_EQ(*ra, milliseconds(120));
}

TEST(ArmRetryAfter, ReadsAFutureHttpDate) {
  auto ra = RetryAfterOf({{"Retry-After", HttpDateFromNow(std::chrono::seconds(120))}});
  ASSERT_TRUE(ra.has_value());
  // The date has whole seconds and a little time passes: 119-120 s, with slack.
  EXPECT_GE(*ra, milliseconds(110'000));
  EXPECT_LE(*ra, milliseconds(120'000));
}

TEST(ArmRetryAfter, APastHttpDateMeansNow) {
  auto ra = RetryAfterOf({{"Retry-After", HttpDateFromNow(std::chrono::seconds(-3600))}});
  ASSERT_TRUE(ra.has_value());
  EXPECT_EQ(*ra, milliseconds(0));
}

TEST(ArmRetryAfter, IgnoresGarbage) {
  EXPECT_FALSE(RetryAfterOf({{"Retry-After", "soon"}}).has_value());
}

TEST(ArmNewUuid, IsARandomVersion4Uuid) {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    std::string id = NewUuid();
    EXPECT_TRUE(std::regex_match(
        id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
        << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 20u);
}

}  // namespace
}  // namespace easel::azure
