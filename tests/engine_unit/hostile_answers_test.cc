// ARM, token and VHD input that once crashed, hung or misled easel (found by review and by the
// tests/fuzz harnesses): each answer is served by a fake HTTP client, no server.
#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <string>
#include <vector>

#include "azure/arm_client.h"
#include "azure/blob_client.h"
#include "azure/credentials.h"
#include "azure/lro.h"
#include "azure/vhd.h"

namespace easel::azure {
namespace {

using std::chrono::milliseconds;

constexpr const char* kArm = "https://management.azure.com";
constexpr const char* kId =
    "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";

class FakeHttp : public HttpClient {
 public:
  std::deque<HttpResponse> answers;
  std::vector<HttpRequest> sent;
  Result<HttpResponse> Send(const HttpRequest& request) override {
    sent.push_back(request);
    if (answers.empty()) return Status::Unavailable("no answer");
    HttpResponse r = answers.front();
    answers.pop_front();
    return r;
  }
  void Answer(int status, const std::string& body, HttpHeaders headers = {}) {
    answers.push_back(HttpResponse{status, std::move(headers), body});
  }
};

class FixedCredential : public TokenCredential {
 public:
  Result<AccessToken> GetToken(const std::string&) override {
    return AccessToken{"t0k3n", std::chrono::system_clock::now() + std::chrono::hours(1)};
  }
};

struct Fixture {
  FakeHttp http;
  FixedCredential credential;
  std::vector<milliseconds> waits;
  ArmClient arm;
  Fixture()
      : arm(MakeCloud(), &credential, &http, nullptr,
            RetryPolicy{3, milliseconds(1), milliseconds(2)}) {
    arm.set_sleeper([this](milliseconds d) { waits.push_back(d); });
  }
  static Cloud MakeCloud() {
    Cloud c;
    c.name = "AzurePublicCloud";
    c.arm_endpoint = kArm;
    c.arm_scope = std::string(kArm) + "/.default";
    return c;
  }
};

TEST(HostileRetryAfter, HugeSecondsAreClampedNotOverflowed) {
  for (const char* v : {"99999999999999999999", "9223372036854775807", "9223372036854776"}) {
    auto ra = RetryAfterOf({{"Retry-After", v}});
    ASSERT_TRUE(ra.has_value()) << v;
    EXPECT_EQ(*ra, kMaxRetryAfter) << v;
  }
  EXPECT_EQ(*RetryAfterOf({{"retry-after-ms", "99999999999999999999"}}), kMaxRetryAfter);
  EXPECT_EQ(*RetryAfterOf({{"x-ms-retry-after-ms", "9223372036854775807"}}), kMaxRetryAfter);
}

TEST(HostileRetryAfter, AFarFutureDateIsClamped) {
  EXPECT_EQ(*RetryAfterOf({{"Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT"}}), kMaxRetryAfter);
  EXPECT_EQ(*RetryAfterOf({{"Retry-After", "Mon, 01 Jan 1900 00:00:00 GMT"}}), milliseconds(0));
}

TEST(HostileRetryAfter, NegativeOrMalformedValuesAreIgnored) {
  for (const char* v : {"-5", "5s", "1.5", "+3", "Fri, 31 Dec 9999 23:59:59 GMT trailing"}) {
    EXPECT_FALSE(RetryAfterOf({{"Retry-After", v}}).has_value()) << v;
  }
  EXPECT_FALSE(RetryAfterOf({{"retry-after-ms", "-1"}}).has_value());
  EXPECT_EQ(*RetryAfterOf({{"Retry-After", " 4 "}}), milliseconds(4000));
}

TEST(HostileRetryAfter, ThrottlingWaitsAtMostTheMaximum) {
  Fixture f;
  f.http.Answer(429, "{}", {{"Retry-After", "99999999999999999999"}});
  f.http.Answer(200, "{}");
  ASSERT_TRUE(f.arm.Call("GET", kId, "2024-05-01").ok());
  ASSERT_EQ(f.waits.size(), 1u);
  EXPECT_EQ(f.waits[0], kMaxRetryAfter);
}

TEST(ArmUrl, OnlyTheArmEndpointGetsTheToken) {
  EXPECT_TRUE(CheckArmUrl("https://management.azure.com/subscriptions/x", kArm).ok());
  EXPECT_TRUE(CheckArmUrl("https://MANAGEMENT.azure.com:443/op?x=1", kArm).ok());
  for (const char* url :
       {"https://evil.example.com/op", "http://management.azure.com/op",
        "https://management.azure.com:8443/op", "https://management.azure.com.evil.com/op",
        "https://management.azure.com@evil.com/op", "https://evil.com\\@management.azure.com/",
        "https://management.azure.com%2f@evil.com/", "//evil.com/op", "ftp://management.azure.com/",
        "https://:443/", "https://management.azure.com:99999/"}) {
    Status s = CheckArmUrl(url, kArm);
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << url;
  }
  EXPECT_EQ(CheckArmUrl("https://evil.example.com:8443/op", kArm).message(),
            "refusing to send the ARM token to \"evil.example.com:8443\": the URL is not on the "
            "ARM endpoint https://management.azure.com");
}

TEST(ArmUrl, CallSendsNothingToAnotherHost) {
  Fixture f;
  Result<ArmResponse> r = f.arm.Call("GET", "https://evil.example.com/op", "");
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(f.http.sent.empty());
  // A relative target cannot smuggle a host in either.
  EXPECT_FALSE(f.arm.Call("GET", "@evil.example.com/x", "").ok());
  EXPECT_TRUE(f.http.sent.empty());
}

TEST(ArmUrl, AnAsyncOperationOnAnotherHostFailsTheOperationWithoutPolling) {
  Fixture f;
  ArmResponse accepted{201, {{"Azure-AsyncOperation", "https://evil.example.com/op"}}, nullptr};
  PendingOperation op = StartedOperation("PUT", kId, "2024-05-01", accepted);
  Result<OperationOutcome> out = PollOnce(f.arm, op);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->state, OperationState::kFailed);
  EXPECT_EQ(out->error_code, "UntrustedOperationUrl");
  EXPECT_EQ(
      out->error_message,
      "the Azure-AsyncOperation header: refusing to send the ARM token to "
      "\"evil.example.com\": the URL is not on the ARM endpoint https://management.azure.com");
  EXPECT_TRUE(f.http.sent.empty());
  ArmResponse moved{202, {{"Location", "http://management.azure.com/op"}}, nullptr};
  out = PollOnce(f.arm, StartedOperation("DELETE", kId, "2024-05-01", moved));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->state, OperationState::kFailed);
  EXPECT_TRUE(f.http.sent.empty());
}

TEST(ArmList, FollowsNextLinkOnTheArmEndpointOnly) {
  Fixture f;
  f.http.Answer(200, R"({"value":[{"id":"a"}],"nextLink":"https://management.azure.com/p2"})");
  f.http.Answer(200, R"({"value":[{"id":"b"}, 7, "x"]})");
  int status = 0, calls = 0;
  auto all = ListAll(f.arm, "/subscriptions/s1/resources", "2024-11-01", &status, &calls);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);  // elements that are not objects are skipped
  EXPECT_EQ(calls, 2);
  f.http.Answer(200, R"({"value":[],"nextLink":"https://evil.example.com/p2"})");
  all = ListAll(f.arm, "/subscriptions/s1/resources", "2024-11-01", &status);
  EXPECT_EQ(all.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(f.http.sent.size(), 3u);
}

TEST(ArmList, ARepeatingNextLinkOrWrongTypesEndTheList) {
  Fixture f;
  f.http.Answer(200, R"({"value":[],"nextLink":"https://management.azure.com/p"})");
  f.http.Answer(200, R"({"value":[],"nextLink":"https://management.azure.com/p"})");
  int status = 0;
  auto all = ListAll(f.arm, "/subscriptions/s1/resources", "", &status);
  EXPECT_EQ(all.status().message(),
            "listing /subscriptions/s1/resources: the nextLink repeats the page");
  f.http.Answer(200, R"({"value":{"id":"a"},"nextLink":7})");
  EXPECT_EQ(ListAll(f.arm, "/x", "", &status).status().code(), StatusCode::kUnavailable);
  f.http.Answer(200, R"({"value":[],"nextLink":7})");
  EXPECT_TRUE(ListAll(f.arm, "/x", "", &status).ok());
}

TEST(StorageKeys, AKeyOfTheWrongTypeIsAnErrorNotAnException) {
  for (const char* body : {R"({"keys":[{"value":1}]})", R"({"keys":[7]})", R"({"keys":{}})",
                           R"({"keys":[{"value":null}]})", "[1]"}) {
    Fixture f;
    f.http.Answer(200, body);
    Result<std::string> key = ListFirstKey(f.arm, "/subscriptions/s1/x", "2023-05-01");
    EXPECT_EQ(key.status().code(), StatusCode::kFailedPrecondition) << body;
  }
}

TEST(TokenResponse, OutOfRangeExpiriesAreClamped) {
  auto now = std::chrono::system_clock::now();
  for (const char* body : {R"({"access_token":"a","expires_in":9223372036854775807})",
                           R"({"access_token":"a","expires_in":"99999999999999999999999"})",
                           R"({"access_token":"a","expires_on":18446744073709551615})",
                           R"({"access_token":"a","expires_on":"9223372036854775807"})"}) {
    Result<AccessToken> t = ParseTokenResponse(HttpResponse{200, {}, body}, "test");
    ASSERT_TRUE(t.ok()) << body;
    EXPECT_LE(t->expires_on, now + kMaxTokenLifetime + std::chrono::seconds(2)) << body;
    EXPECT_GE(t->expires_on, now + kMaxTokenLifetime - std::chrono::seconds(2)) << body;
  }
  for (const char* body : {R"({"access_token":"a","expires_in":-9223372036854775808})",
                           R"({"access_token":"a","expires_in":1e300})",
                           R"({"access_token":"a","expires_in":"12abc"})"}) {
    Result<AccessToken> t = ParseTokenResponse(HttpResponse{200, {}, body}, "test");
    ASSERT_TRUE(t.ok()) << body;
    EXPECT_LE(t->expires_on, now + std::chrono::minutes(6)) << body;  // the 5-minute default
  }
  Result<AccessToken> past =
      ParseTokenResponse(HttpResponse{200, {}, R"({"access_token":"a","expires_on":"1"})"}, "test");
  ASSERT_TRUE(past.ok());
  EXPECT_LE(past->expires_on, std::chrono::system_clock::now());
}

TEST(VhdReader, ReadsWhatTheWriterWrote) {
  std::string footer = FixedVhdFooter(uint64_t{30} << 30, 42);
  Result<VhdFooterInfo> info = ReadFixedVhdFooter("data" + footer);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->current_size, uint64_t{30} << 30);
  EXPECT_EQ(info->timestamp, 42u);
  EXPECT_EQ(info->disk_type, 2u);
  std::string broken = footer;
  broken[100] ^= 1;
  EXPECT_EQ(ReadFixedVhdFooter(broken).status().message(),
            "not a fixed VHD: the footer checksum is wrong");
  EXPECT_EQ(ReadFixedVhdFooter("short").status().message(),
            "not a fixed VHD: the footer needs 512 bytes, got 5");
  EXPECT_EQ(ReadFixedVhdFooter(std::string(512, 'x')).status().message(),
            "not a fixed VHD: the footer's cookie is not \"conectix\"");
}

}  // namespace
}  // namespace easel::azure
