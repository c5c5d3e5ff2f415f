// src/store/secret_box.h: sealing, keys from the environment and from the key file.
#include "store/secret_box.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <set>
#include <thread>
#include <vector>

#include "common/base64.h"
#include "tests/bootstrap_unit/test_util.h"

namespace easel::store {
namespace {

using easel::testing::ModeOf;
using easel::testing::ReadFile;
using easel::testing::TempDir;
using easel::testing::WriteFile;

const std::string kKeyA(32, 'a');
const std::string kKeyB(32, 'b');

class SecretBoxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* v = std::getenv(SecretBox::kKeyVariable)) saved_ = v;
    ::unsetenv(SecretBox::kKeyVariable);
  }
  void TearDown() override {
    if (saved_) {
      ::setenv(SecretBox::kKeyVariable, saved_->c_str(), 1);
    } else {
      ::unsetenv(SecretBox::kKeyVariable);
    }
  }
  static SecretBox Box(const std::string& key) {
    return std::move(SecretBox::FromKey(key)).value();
  }

  std::optional<std::string> saved_;
  TempDir dir_;
};

TEST_F(SecretBoxTest, RoundTripsAndUsesAFreshNonceEachTime) {
  SecretBox box = Box(kKeyA);
  std::string ad = SecretAssociatedData("dev-1", "bootstrap");
  for (const std::string& plain :
       {std::string(), std::string("x"), std::string("secret \0 with nul", 17),
        std::string(100000, 'z')}) {
    Result<std::string> sealed = box.Seal(plain, ad);
    ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
    EXPECT_EQ(sealed->size(), 1 + 12 + plain.size() + 16);
    EXPECT_EQ(static_cast<unsigned char>((*sealed)[0]), 1);
    Result<std::string> opened = box.Unseal(*sealed, ad);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(*opened, plain);
  }
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) seen.insert(*box.Seal("same", ad));
  EXPECT_EQ(seen.size(), 50u);
  EXPECT_EQ(box.Seal("plaintext here", ad)->find("plaintext"), std::string::npos);
}

TEST_F(SecretBoxTest, TamperingIsDetectedAtEveryByte) {
  SecretBox box = Box(kKeyA);
  std::string ad = SecretAssociatedData("c", "n");
  std::string sealed = *box.Seal("the CA key", ad);
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    Result<std::string> r = box.Unseal(bad, ad);
    ASSERT_FALSE(r.ok()) << "byte " << i;
    EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  }
  EXPECT_NE(box.Unseal(sealed.substr(0, 20), ad).status().message().find("truncated"),
            std::string::npos);
  EXPECT_FALSE(box.Unseal(sealed + "x", ad).ok());
  std::string v2 = sealed;
  v2[0] = 2;
  EXPECT_NE(box.Unseal(v2, ad).status().message().find("format version 2"), std::string::npos);
}

TEST_F(SecretBoxTest, WrongKeyAndWrongAssociatedDataFailClearly) {
  std::string sealed = *Box(kKeyA).Seal("x", SecretAssociatedData("c", "n"));
  Result<std::string> wrong_key = Box(kKeyB).Unseal(sealed, SecretAssociatedData("c", "n"));
  ASSERT_FALSE(wrong_key.ok());
  EXPECT_NE(wrong_key.status().message().find("key"), std::string::npos);
  EXPECT_FALSE(Box(kKeyA).Unseal(sealed, SecretAssociatedData("other", "n")).ok());
  EXPECT_FALSE(Box(kKeyA).Unseal(sealed, SecretAssociatedData("c", "other")).ok());
  // Length-prefixed: the boundary between cluster and name matters.
  EXPECT_NE(SecretAssociatedData("ab", "c"), SecretAssociatedData("a", "bc"));
}

TEST_F(SecretBoxTest, FromKeyNeeds32Bytes) {
  EXPECT_FALSE(SecretBox::FromKey("short").ok());
  EXPECT_FALSE(SecretBox::FromKey(std::string(33, 'x')).ok());
  EXPECT_EQ(SecretBox::FromKey("").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SecretBoxTest, KeyFromTheEnvironmentInHexOrBase64) {
  std::string state = dir_.File("state.db");
  std::string hex;
  for (unsigned char c : kKeyA) {
    char b[3];
    std::snprintf(b, sizeof b, "%02x", c);
    hex += b;
  }
  std::string sealed = *Box(kKeyA).Seal("hello", "ad");
  for (const std::string& value : {hex, Base64Encode(kKeyA), hex + "\n"}) {
    ::setenv(SecretBox::kKeyVariable, value.c_str(), 1);
    Result<SecretBox> box = SecretBox::Open(state);
    ASSERT_TRUE(box.ok()) << box.status().ToString();
    EXPECT_EQ(box->key_source(), "EASEL_SECRET_KEY");
    EXPECT_EQ(*box->Unseal(sealed, "ad"), "hello");
  }
  // Upper-case hex is the same key.
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ::setenv(SecretBox::kKeyVariable, upper.c_str(), 1);
  EXPECT_EQ(*SecretBox::Open(state)->Unseal(sealed, "ad"), "hello");
  // No key file is made when the variable is used.
  EXPECT_EQ(ModeOf(dir_.File("secret.key")), -1);
}

TEST_F(SecretBoxTest, BadEnvironmentKeysNameTheVariableNotTheValue) {
  std::string state = dir_.File("state.db");
  for (const std::string& value :
       {std::string("not-a-key-value"), std::string(63, 'a'), std::string(64, 'g'),
        Base64Encode(std::string(31, 'k')), Base64Encode(std::string(33, 'k'))}) {
    ::setenv(SecretBox::kKeyVariable, value.c_str(), 1);
    Result<SecretBox> box = SecretBox::Open(state);
    ASSERT_FALSE(box.ok()) << value;
    EXPECT_EQ(box.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(box.status().message().find("EASEL_SECRET_KEY"), std::string::npos);
    EXPECT_NE(box.status().message().find("64 hex characters or the base64 of 32 bytes"),
              std::string::npos);
    EXPECT_EQ(box.status().message().find(value), std::string::npos) << "the value was echoed";
  }
  // Empty is unset: the key file is used.
  ::setenv(SecretBox::kKeyVariable, "", 1);
  Result<SecretBox> box = SecretBox::Open(state);
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  EXPECT_EQ(box->key_source(), dir_.File("secret.key"));
}

TEST_F(SecretBoxTest, KeyFileIsCreated0600OnceAndReused) {
  std::string state = dir_.File("sub/dir/state.db");
  Result<SecretBox> first = SecretBox::Open(state);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  std::string key_path = dir_.File("sub/dir/secret.key");
  EXPECT_EQ(first->key_source(), key_path);
  EXPECT_EQ(ModeOf(key_path), 0600);
  EXPECT_EQ(ModeOf(dir_.File("sub")), 0700);
  EXPECT_EQ(ModeOf(dir_.File("sub/dir")), 0700);
  std::string text = ReadFile(key_path);
  EXPECT_EQ(text.size(), 65u);
  EXPECT_EQ(text.back(), '\n');
  std::string sealed = *first->Seal("v", "ad");
  Result<SecretBox> again = SecretBox::Open(state);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again->Unseal(sealed, "ad"), "v");
  EXPECT_EQ(ReadFile(key_path), text);
  // The hex in the key file works as EASEL_SECRET_KEY too.
  ::setenv(SecretBox::kKeyVariable, text.substr(0, 64).c_str(), 1);
  EXPECT_EQ(*SecretBox::Open(dir_.File("elsewhere/state.db"))->Unseal(sealed, "ad"), "v");
}

TEST_F(SecretBoxTest, ConcurrentFirstUsesAgreeOnOneKey) {
  std::string state = dir_.File("state.db");
  std::vector<std::string> sealed(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < sealed.size(); ++i) {
    threads.emplace_back([&, i] {
      Result<SecretBox> box = SecretBox::Open(state);
      if (box.ok()) sealed[i] = *box->Seal("same key?", "ad");
    });
  }
  for (auto& t : threads) t.join();
  Result<SecretBox> box = SecretBox::Open(state);
  ASSERT_TRUE(box.ok());
  for (const std::string& s : sealed) {
    ASSERT_FALSE(s.empty());
    EXPECT_EQ(*box->Unseal(s, "ad"), "same key?");
  }
  // No temporary files are left behind.
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1u);
}

TEST_F(SecretBoxTest, LooseOrBrokenKeyFilesAreRefused) {
  std::string state = dir_.File("state.db");
  ASSERT_TRUE(SecretBox::Open(state).ok());
  std::string key_path = dir_.File("secret.key");
  for (mode_t mode : {0644, 0640, 0604, 0660}) {
    ASSERT_EQ(::chmod(key_path.c_str(), mode), 0);
    Result<SecretBox> box = SecretBox::Open(state);
    ASSERT_FALSE(box.ok()) << std::oct << mode;
    EXPECT_EQ(box.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(box.status().message().find(key_path), std::string::npos);
    EXPECT_NE(box.status().message().find("chmod 600"), std::string::npos);
  }
  ASSERT_EQ(::chmod(key_path.c_str(), 0600), 0);
  EXPECT_TRUE(SecretBox::Open(state).ok());
  // Not a key.
  WriteFile(key_path, "hello\n");
  Result<SecretBox> broken = SecretBox::Open(state);
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("64 hex characters"), std::string::npos);
  // A directory in its place.
  ASSERT_EQ(::unlink(key_path.c_str()), 0);
  ASSERT_EQ(::mkdir(key_path.c_str(), 0700), 0);
  EXPECT_FALSE(SecretBox::Open(state).ok());
}

}  // namespace
}  // namespace easel::store
