// The fixed VHD footer (src/azure/vhd.h), per ../shared/azure-reference.md §6.
#include "azure/vhd.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace easel::azure {
namespace {

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kGiB = 1ull << 30;

uint64_t ReadBe(const std::string& b, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

struct Chs {
  uint64_t cylinders, heads, sectors;
};
Chs GeometryOf(const std::string& footer) {
  return {ReadBe(footer, 56, 2), ReadBe(footer, 58, 1), ReadBe(footer, 59, 1)};
}

TEST(VhdFooter, HasTheFixedDiskLayout) {
  std::string f = FixedVhdFooter(64 * kMiB, 0x12345678);
  ASSERT_EQ(f.size(), 512u);
  EXPECT_EQ(f.substr(0, 8), "conectix");
  EXPECT_EQ(ReadBe(f, 8, 4), 2u);             // features
  EXPECT_EQ(ReadBe(f, 12, 4), 0x00010000u);   // format version
  EXPECT_EQ(ReadBe(f, 16, 8), ~uint64_t{0});  // data offset: all 0xFF
  EXPECT_EQ(ReadBe(f, 24, 4), 0x12345678u);   // timestamp
  EXPECT_EQ(f.substr(36, 4), "Wi2k");
  EXPECT_EQ(ReadBe(f, 60, 4), 2u);  // disk type: fixed
  for (size_t i = 85; i < 512; ++i) EXPECT_EQ(f[i], '\0') << "byte " << i;
}

TEST(VhdFooter, SizesAreBigEndianAtOffsets40And48) {
  std::string f = FixedVhdFooter(30 * kGiB);
  EXPECT_EQ(ReadBe(f, 40, 8), 30 * kGiB);
  EXPECT_EQ(ReadBe(f, 48, 8), 30 * kGiB);
  EXPECT_EQ(static_cast<unsigned char>(f[40 + 3]), 0x07u);  // 0x0000000780000000
  EXPECT_EQ(static_cast<unsigned char>(f[40 + 4]), 0x80u);
}

TEST(VhdFooter, ChecksumIsOnesComplementOfTheByteSum) {
  for (uint64_t size : {1 * kMiB, 64 * kMiB, 30 * kGiB}) {
    std::string f = FixedVhdFooter(size, 777);
    std::string zeroed = f;
    for (size_t i = 64; i < 68; ++i) zeroed[i] = '\0';
    uint32_t sum = 0;
    for (unsigned char c : zeroed) sum += c;
    EXPECT_EQ(ReadBe(f, 64, 4), static_cast<uint32_t>(~sum)) << size;
  }
}

// Expected geometries worked by hand with the VHD specification's algorithm:
// 64 MiB = 131072 sectors < 65535*16*63: spt 17, cth 131072/17 = 7710, heads max(
// (7710+1023)/1024, 4) = 8; 7710 < 8*1024 so it stays; cylinders 7710/8 = 963.
TEST(VhdFooter, GeometryOf64MiB) {
  Chs g = GeometryOf(FixedVhdFooter(64 * kMiB));
  EXPECT_EQ(g.cylinders, 963u);
  EXPECT_EQ(g.heads, 8u);
  EXPECT_EQ(g.sectors, 17u);
}

// 30 GiB = 62914560 sectors < 65535*16*63 = 66059280: spt 17 gives cth 3700856 and 3615 heads
// (> 16), so spt 31, heads 16, cth 2029501 >= 16*1024, so spt 63, heads 16,
// cth 62914560/63 = 998643; cylinders 998643/16 = 62415.
TEST(VhdFooter, GeometryOf30GiB) {
  Chs g = GeometryOf(FixedVhdFooter(30 * kGiB));
  EXPECT_EQ(g.cylinders, 62415u);
  EXPECT_EQ(g.heads, 16u);
  EXPECT_EQ(g.sectors, 63u);
}

// 40 GiB = 83886080 sectors >= 65535*16*63: spt 255, heads 16, cth 83886080/255 = 328964;
// cylinders 328964/16 = 20560.
TEST(VhdFooter, GeometryOf40GiBUses255Sectors) {
  Chs g = GeometryOf(FixedVhdFooter(40 * kGiB));
  EXPECT_EQ(g.cylinders, 20560u);
  EXPECT_EQ(g.heads, 16u);
  EXPECT_EQ(g.sectors, 255u);
}

// 200 GiB is beyond the cap of 65535*16*255 sectors: the largest geometry.
TEST(VhdFooter, GeometryIsCappedFor200GiB) {
  Chs g = GeometryOf(FixedVhdFooter(200 * kGiB));
  EXPECT_EQ(g.cylinders, 65535u);
  EXPECT_EQ(g.heads, 16u);
  EXPECT_EQ(g.sectors, 255u);
}

}  // namespace
}  // namespace easel::azure
