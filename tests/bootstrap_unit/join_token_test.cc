// src/bootstrap/join_token.h, checked against the openssl command a node runs.
#include "bootstrap/join_token.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>

#include "tests/bootstrap_unit/test_util.h"

namespace easel::bootstrap {
namespace {

using easel::testing::RunShell;
using easel::testing::Trim;

// What a node computes: printf '%s' "$window" | openssl dgst -sha256 -mac HMAC -macopt hexkey:...
std::string OpensslHmac(const std::string& seed_hex, int64_t window) {
  auto r = RunShell("printf '%s' '" + std::to_string(window) +
                    "' | openssl dgst -sha256 -mac HMAC -macopt hexkey:" + seed_hex);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::string out = Trim(r.output);
  return out.substr(out.rfind(' ') + 1);  // "HMAC-SHA256(stdin)= <hex>"
}

TEST(JoinToken, MatchesTheOpensslCommandANodeRuns) {
  for (int i = 0; i < 3; ++i) {
    std::string seed = NewTokenSeedHex();
    for (int64_t window : {int64_t{0}, int64_t{7}, int64_t{498'888}, int64_t{1'234'567'890'123}}) {
      Result<BootstrapToken> token = WindowToken(seed, window);
      ASSERT_TRUE(token.ok()) << token.status().ToString();
      std::string hex = OpensslHmac(seed, window);
      ASSERT_EQ(hex.size(), 64u);
      EXPECT_EQ(token->id, hex.substr(0, 6));
      EXPECT_EQ(token->secret, hex.substr(6, 16));
      EXPECT_EQ(token->ToString(), hex.substr(0, 6) + "." + hex.substr(6, 16));
      EXPECT_TRUE(IsBootstrapToken(token->ToString())) << token->ToString();
    }
  }
}

TEST(JoinToken, KnownValue) {
  // Key "Jefe" (RFC 4231 test case 2), message "498888"; the digest is Python's
  // hmac.new(b"Jefe", b"498888", sha256), so that a change of the derivation is noticed even where
  // the openssl command would change with it.
  Result<BootstrapToken> token = WindowToken("4a656665", 498888);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->ToString(), "4fdbdc.e297c26775f3cba2");
}

TEST(JoinToken, DiffersPerWindowAndSeedAndIsStable) {
  std::string seed = NewTokenSeedHex();
  EXPECT_EQ(WindowToken(seed, 10)->ToString(), WindowToken(seed, 10)->ToString());
  EXPECT_NE(WindowToken(seed, 10)->ToString(), WindowToken(seed, 11)->ToString());
  EXPECT_NE(WindowToken(seed, 10)->ToString(), WindowToken(NewTokenSeedHex(), 10)->ToString());
  // Upper-case hex seeds are the same key.
  std::string upper = seed;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(WindowToken(upper, 10)->ToString(), WindowToken(seed, 10)->ToString());
}

TEST(JoinToken, BadSeedsAndWindowsAreErrors) {
  for (const char* bad : {"", "abc", "zz", "00 11", "0x00"}) {
    Result<BootstrapToken> t = WindowToken(bad, 1);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(t.status().message().find("seed"), std::string::npos);
  }
  EXPECT_FALSE(WindowToken(NewTokenSeedHex(), -1).ok());
}

TEST(JoinToken, WindowOfIsTheFlooredHour) {
  using std::chrono::system_clock;
  EXPECT_EQ(WindowOf(system_clock::from_time_t(0)), 0);
  EXPECT_EQ(WindowOf(system_clock::from_time_t(3599)), 0);
  EXPECT_EQ(WindowOf(system_clock::from_time_t(3600)), 1);
  EXPECT_EQ(WindowOf(system_clock::from_time_t(1'796'000'000)), 1'796'000'000 / 3600);
  EXPECT_EQ(WindowOf(system_clock::from_time_t(-1)), -1);
  EXPECT_EQ(WindowOf(system_clock::from_time_t(-3600)), -1);
  EXPECT_EQ(WindowOf(system_clock::from_time_t(-3601)), -2);
  EXPECT_EQ(kJoinTokenWindowSeconds, 3600);
}

TEST(JoinToken, IsBootstrapTokenIsTheKubeadmFormat) {
  EXPECT_TRUE(IsBootstrapToken("abcdef.0123456789abcdef"));
  EXPECT_TRUE(IsBootstrapToken("000000.zzzzzzzzzzzzzzzz"));
  for (const char* bad :
       {"", "abcdef0123456789abcdef", "abcde.0123456789abcdef", "abcdef.0123456789abcde",
        "abcdef.0123456789abcdef0", "ABCDEF.0123456789abcdef", "abcdef:0123456789abcdef",
        "abc-ef.0123456789abcdef", "abcdef.0123456789abcde.", " abcdef.0123456789abcdef"}) {
    EXPECT_FALSE(IsBootstrapToken(bad)) << bad;
  }
}

TEST(JoinToken, NewSeedsAre32RandomBytes) {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    std::string seed = NewTokenSeedHex();
    EXPECT_EQ(seed.size(), 64u);
    EXPECT_EQ(seed.find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(seed);
  }
  EXPECT_EQ(seen.size(), 20u);
}

}  // namespace
}  // namespace easel::bootstrap
