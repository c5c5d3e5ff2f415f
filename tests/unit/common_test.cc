#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/azure_names.h"
#include "common/base64.h"
#include "common/files.h"
#include "common/hash.h"
#include "common/net.h"
#include "common/strings.h"

namespace easel {
namespace {

TEST(Ipv4, ParsesDottedQuads) {
  auto ip = ParseIpv4("10.0.0.4");
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(ip->value, (10u << 24) | 4u);
  EXPECT_EQ(ip->ToString(), "10.0.0.4");
}

TEST(Ipv4, RejectsMalformed) {
  for (const char* bad : {"", "10.0.0", "10.0.0.0.1", "256.0.0.1", "01.0.0.1", "a.b.c.d", "1..2.3",
                          "1.2.3.4 ", "-1.2.3.4", "1.2.3.4/8"}) {
    EXPECT_FALSE(ParseIpv4(bad).ok()) << bad;
  }
}

TEST(Cidr, ParsesAndClassifies) {
  auto c = ParseCidr("10.0.16.0/20");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->IsCanonical());
  EXPECT_EQ(c->Size(), 4096u);
  EXPECT_EQ(Ipv4{c->Last()}.ToString(), "10.0.31.255");
  auto host_bits = ParseCidr("10.0.1.0/16");
  ASSERT_TRUE(host_bits.ok());
  EXPECT_FALSE(host_bits->IsCanonical());
  EXPECT_EQ(host_bits->Canonical().ToString(), "10.0.0.0/16");
  EXPECT_TRUE(ParseCidr("0.0.0.0/0").ok());
  for (const char* bad :
       {"10.0.0.0", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/08", "10.0.0/8", "x/8"}) {
    EXPECT_FALSE(ParseCidr(bad).ok()) << bad;
  }
}

TEST(Cidr, ContainmentAndOverlap) {
  Cidr vnet = *ParseCidr("10.0.0.0/16");
  Cidr a = *ParseCidr("10.0.0.0/24");
  Cidr b = *ParseCidr("10.0.0.128/25");
  Cidr outside = *ParseCidr("10.1.0.0/24");
  EXPECT_TRUE(vnet.Contains(a));
  EXPECT_FALSE(a.Contains(vnet));
  EXPECT_TRUE(a.Overlaps(b));
  EXPECT_TRUE(b.Overlaps(a));
  EXPECT_FALSE(vnet.Contains(outside));
  EXPECT_FALSE(a.Overlaps(outside));
}

TEST(Strings, ClosestMatchFindsTypos) {
  std::vector<std::string> keys = {"controlPlane", "workerPools", "network", "storage"};
  EXPECT_EQ(ClosestMatch("workerPool", keys), "workerPools");
  EXPECT_EQ(ClosestMatch("netwrok", keys), "network");
  EXPECT_EQ(ClosestMatch("zzzzzzzz", keys), "");
}

TEST(Strings, QuoteEscapesControlBytes) { EXPECT_EQ(Quote("a\"b\x01"), "\"a\\\"b\\x01\""); }

TEST(Base64, RoundTrips) {
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    auto decoded = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, s);
  }
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
  EXPECT_FALSE(Base64Decode("abc").has_value());
  EXPECT_FALSE(Base64Decode("ab!d").has_value());
  EXPECT_FALSE(Base64Decode("a=bc").has_value());
}

TEST(Hash, Sha256) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(AzureNames, Rules) {
  EXPECT_EQ(AzureNameProblem(AzureNameKind::kStorageAccount, "easelabc"), "");
  EXPECT_NE(AzureNameProblem(AzureNameKind::kStorageAccount, "Easel"), "");
  EXPECT_NE(AzureNameProblem(AzureNameKind::kStorageAccount, "ab"), "");
  EXPECT_EQ(AzureNameProblem(AzureNameKind::kBlobContainer, "demo-vhds"), "");
  EXPECT_EQ(AzureNameProblem(AzureNameKind::kBlobContainer, "demo--vhds"),
            "must not contain \"--\"");
  EXPECT_EQ(AzureNameProblem(AzureNameKind::kVirtualNetwork, "a"),
            "is 1 characters (2-64 allowed)");
  EXPECT_EQ(AzureNameProblem(AzureNameKind::kNetworkChild, "nic-"),
            "must end with a letter, digit or '_'");
  EXPECT_EQ(AzureNameProblem(AzureNameKind::kNetworkChild, std::string(81, 'a')),
            "is 81 characters (1-80 allowed)");
  EXPECT_EQ(AzureNameProblem(AzureNameKind::kResourceGroup, "rg."), "must not end with '.'");
  EXPECT_EQ(AzureNameProblem(AzureNameKind::kPrivateDnsZone, "cluster.internal"), "");
  EXPECT_NE(AzureNameProblem(AzureNameKind::kPrivateDnsZone, "internal"), "");
  EXPECT_NE(AzureNameProblem(AzureNameKind::kVirtualMachine, "vm-"), "");
  EXPECT_NE(AzureNameProblem(AzureNameKind::kDnsLabel, "1abc"), "");
}

// Files easel reads (specs, SSH keys): a FIFO nobody writes to reads as empty at once, a device
// is refused, and the bound holds; nothing blocks.
TEST(ReadFileBounded, NeverWaitsOnAFifoAndRefusesDevices) {
  const std::string dir = ::testing::TempDir() + "/read-file-bounded-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  const std::string fifo = dir + "/pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Result<std::string> empty = ReadFileBounded(fifo, 1024);
  ASSERT_TRUE(empty.ok()) << empty.status().message();
  EXPECT_EQ(*empty, "");
  Result<std::string> device = ReadFileBounded("/dev/zero", 1024);
  ASSERT_FALSE(device.ok());
  EXPECT_EQ(device.status().message(), "cannot read: not a regular file");
  const std::string big = dir + "/big";
  std::ofstream(big) << std::string(2048, 'x');
  Result<std::string> bounded = ReadFileBounded(big, 1024);
  ASSERT_FALSE(bounded.ok());
  EXPECT_EQ(bounded.status().code(), StatusCode::kInvalidArgument);
  Result<std::string> fits = ReadFileBounded(big, 4096);
  ASSERT_TRUE(fits.ok());
  EXPECT_EQ(fits->size(), 2048u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace easel
