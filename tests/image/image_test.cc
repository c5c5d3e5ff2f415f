// `easel image inspect` and `easel image convert`, the real binary, judged by the real qemu-img
// (Debian's qemu-utils, installed by scripts/install-deps): what easel writes qemu reads as the
// same disk, and what qemu writes easel accepts or rejects with a precise message.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "azure/vhd.h"
#include "tests/bootstrap_unit/test_util.h"
#include "tests/image/disk_util.h"

namespace easel {
namespace {

using easel::testing::CommandResult;
using easel::testing::ReadFile;
using easel::testing::RunShell;
using easel::testing::ShellQuote;
using easel::testing::TempDir;

using easel::image_test::kMiB;
using easel::image_test::MakeScatteredRaw;
using easel::image_test::Noise;
using easel::image_test::SetSize;
using easel::image_test::WriteAt;

CommandResult Easel(const std::string& args) { return RunShell(EASEL_BINARY " " + args + " 2>&1"); }

// Runs a shell command that must succeed; returns its output (stderr merged).
std::string MustRun(const std::string& command) {
  CommandResult r = RunShell(command + " 2>&1");
  EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.output;
  return r.output;
}

struct Sizes {
  uint64_t apparent = 0, allocated = 0;
};
Sizes SizesOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return {static_cast<uint64_t>(st.st_size), static_cast<uint64_t>(st.st_blocks) * 512};
}

std::string Q(const std::string& s) { return ShellQuote(s); }

TEST(ImageConvert, QemuReadsTheSameDiskAndTheOutputStaysSparse) {
  TempDir dir;
  const std::string raw = dir.File("in.raw"), vhd = dir.File("out.vhd");
  const uint64_t size = 64 * kMiB + 12345;  // not a multiple of 1 MiB
  const uint64_t rounded = 65 * kMiB;
  MakeScatteredRaw(raw, size);

  CommandResult c = Easel("image convert " + Q(raw) + " " + Q(vhd));
  ASSERT_EQ(c.exit_code, 0) << c.output;
  EXPECT_NE(c.output.find("virtual size 68157440 bytes"), std::string::npos) << c.output;
  EXPECT_EQ(SizesOf(vhd).apparent, rounded + 512);

  // qemu's compare checks the common part and that the longer image's rest is all zeros (here
  // the VHD's padding); its strict mode (-s) would also fail on allocation differences, which
  // are not content. So the raw disk is also compared extended to the VHD's size, where the two
  // must agree on every byte.
  MustRun("qemu-img compare -f raw -F vpc " + Q(raw) + " " + Q(vhd));
  const std::string padded = dir.File("padded.raw");
  MustRun("cp --sparse=always " + Q(raw) + " " + Q(padded));
  SetSize(padded, rounded);
  MustRun("qemu-img compare -f raw -F vpc " + Q(padded) + " " + Q(vhd));
  // Back to raw through qemu: byte for byte the padded input.
  const std::string back = dir.File("back.raw");
  MustRun("qemu-img convert -f vpc -O raw " + Q(vhd) + " " + Q(back));
  MustRun("cmp " + Q(padded) + " " + Q(back));

  nlohmann::json info = nlohmann::json::parse(
      MustRun("qemu-img info --output=json -f vpc " + Q(vhd)), nullptr, false);
  ASSERT_TRUE(info.is_object());
  EXPECT_EQ(info["virtual-size"], rounded);
  EXPECT_EQ(info["format"], "vpc");

  // About 4.5 MiB of data in a 65 MiB disk: holes and the zero run are not written.
  Sizes out = SizesOf(vhd);
  EXPECT_LT(out.allocated, 8 * kMiB) << out.allocated;
  EXPECT_LT(out.allocated * 4, out.apparent);

  CommandResult i = Easel("image inspect -o json " + Q(vhd));
  ASSERT_EQ(i.exit_code, 0) << i.output;
  nlohmann::json j = nlohmann::json::parse(i.output, nullptr, false);
  ASSERT_TRUE(j.is_object()) << i.output;
  EXPECT_EQ(j["virtualSize"], rounded);
  EXPECT_EQ(j["diskType"], "fixed");
  EXPECT_EQ(j["creatorApplication"], "win ");
  EXPECT_EQ(j["sparse"], true);
  azure::VhdGeometry g = azure::VhdGeometryFor(rounded);
  EXPECT_EQ(j["geometry"]["cylinders"], g.cylinders);
  EXPECT_EQ(j["geometry"]["heads"], g.heads);
  EXPECT_EQ(j["geometry"]["sectors"], g.sectors);
  std::string id = j["uniqueId"];
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4') << id;  // a version-4 UUID

  // A second conversion gets a fresh unique id.
  const std::string vhd2 = dir.File("out2.vhd");
  ASSERT_EQ(Easel("image convert " + Q(raw) + " " + Q(vhd2)).exit_code, 0);
  nlohmann::json j2 =
      nlohmann::json::parse(Easel("image inspect -o json " + Q(vhd2)).output, nullptr, false);
  EXPECT_NE(j2["uniqueId"], j["uniqueId"]);
}

TEST(ImageConvert, AnAlignedInputKeepsItsSize) {
  TempDir dir;
  const std::string raw = dir.File("in.raw"), vhd = dir.File("out.vhd");
  WriteAt(raw, 3 * kMiB, Noise(4096, 9));
  SetSize(raw, 8 * kMiB);
  CommandResult c = Easel("image convert " + Q(raw) + " " + Q(vhd));
  ASSERT_EQ(c.exit_code, 0) << c.output;
  EXPECT_EQ(SizesOf(vhd).apparent, 8 * kMiB + 512);
  MustRun("qemu-img compare -f raw -F vpc " + Q(raw) + " " + Q(vhd));
  nlohmann::json info = nlohmann::json::parse(
      MustRun("qemu-img info --output=json -f vpc " + Q(vhd)), nullptr, false);
  EXPECT_EQ(info["virtual-size"], 8 * kMiB);
}

TEST(ImageConvert, ErrorsAreNamed) {
  TempDir dir;
  const std::string raw = dir.File("in.raw"), vhd = dir.File("out.vhd");
  CommandResult missing = Easel("image convert " + Q(raw) + " " + Q(vhd));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.output, "easel: image convert: " + raw + ": no such file\n");
  EXPECT_FALSE(std::filesystem::exists(vhd));

  CommandResult directory = Easel("image convert " + Q(dir.path()) + " " + Q(vhd));
  EXPECT_EQ(directory.exit_code, 2);
  EXPECT_EQ(directory.output, "easel: image convert: " + dir.path() +
                                  ": not a regular file (convert takes a raw disk image file)\n");

  WriteAt(raw, 0, Noise(1000, 7));
  easel::testing::WriteFile(vhd, "keep me");
  CommandResult exists = Easel("image convert " + Q(raw) + " " + Q(vhd));
  EXPECT_EQ(exists.exit_code, 2);
  EXPECT_EQ(exists.output, "easel: image convert: " + vhd + ": exists (--force replaces it)\n");
  EXPECT_EQ(ReadFile(vhd), "keep me");
  CommandResult forced = Easel("image convert --force " + Q(raw) + " " + Q(vhd));
  EXPECT_EQ(forced.exit_code, 0) << forced.output;
  EXPECT_EQ(SizesOf(vhd).apparent, kMiB + 512);

  CommandResult again = Easel("image convert " + Q(vhd) + " " + Q(dir.File("again.vhd")));
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_EQ(again.output, "easel: image convert: " + vhd +
                              ": already a VHD, not a raw disk image; make a raw one first with "
                              "`qemu-img convert -O raw " +
                              vhd + " DISK.raw`\n");
}

TEST(ImageInspect, AcceptsWhatQemuMakesWithForceSize) {
  TempDir dir;
  const std::string raw = dir.File("in.raw"), vhd = dir.File("q.vhd");
  MakeScatteredRaw(raw, 64 * kMiB);
  MustRun("qemu-img convert -f raw -O vpc -o subformat=fixed,force_size " + Q(raw) + " " + Q(vhd));
  CommandResult i = Easel("image inspect -o json " + Q(vhd));
  ASSERT_EQ(i.exit_code, 0) << i.output;
  nlohmann::json j = nlohmann::json::parse(i.output, nullptr, false);
  ASSERT_TRUE(j.is_object()) << i.output;
  EXPECT_EQ(j["virtualSize"], 64 * kMiB);
  EXPECT_EQ(j["creatorApplication"], "qem2");
  CommandResult table = Easel("image inspect " + Q(vhd));
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find("format:        VHD, fixed (Azure-ready)\n"), std::string::npos)
      << table.output;
  EXPECT_NE(table.output.find("virtual size:  67108864 bytes (64.0 MiB)\n"), std::string::npos)
      << table.output;
}

TEST(ImageInspect, SaysWhenQemusSizeIsNotAligned) {
  TempDir dir;
  const std::string raw = dir.File("in.raw"), vhd = dir.File("q.vhd");
  const uint64_t size = 32 * kMiB + 4096;
  WriteAt(raw, 0, Noise(8192, 11));
  SetSize(raw, size);
  MustRun("qemu-img convert -f raw -O vpc -o subformat=fixed,force_size " + Q(raw) + " " + Q(vhd));
  ASSERT_EQ(SizesOf(vhd).apparent, size + 512) << "qemu-img no longer keeps the size as is";
  CommandResult i = Easel("image inspect " + Q(vhd));
  EXPECT_EQ(i.exit_code, 2);
  EXPECT_EQ(i.output, "easel: image inspect: " + vhd + ": the virtual size " +
                          std::to_string(size) + " (at byte " + std::to_string(size + 48) +
                          ") is not a multiple of 1 MiB, which Azure requires; round it up with "
                          "`qemu-img convert -O raw IN.vhd DISK.raw` then `easel image convert "
                          "DISK.raw OUT.vhd`\n");
}

TEST(ImageInspect, RejectsADynamicVhd) {
  TempDir dir;
  const std::string vhd = dir.File("d.vhd");
  MustRun("qemu-img create -f vpc -o subformat=dynamic " + Q(vhd) + " 64M");
  uint64_t footer_at = SizesOf(vhd).apparent - 512;
  CommandResult i = Easel("image inspect " + Q(vhd));
  EXPECT_EQ(i.exit_code, 2);
  EXPECT_EQ(i.output, "easel: image inspect: " + vhd + ": a dynamic VHD (disk type 3 at byte " +
                          std::to_string(footer_at + 60) +
                          "); Azure needs a fixed VHD: `qemu-img convert -O vpc -o "
                          "subformat=fixed,force_size IN.vhd OUT.vhd`, or `qemu-img convert -O "
                          "raw IN.vhd DISK.raw` then `easel image convert DISK.raw OUT.vhd`\n");
}

TEST(ImageInspect, RejectsAVhdx) {
  TempDir dir;
  const std::string vhdx = dir.File("x.vhdx");
  MustRun("qemu-img create -f vhdx " + Q(vhdx) + " 64M");
  CommandResult i = Easel("image inspect " + Q(vhdx));
  EXPECT_EQ(i.exit_code, 2);
  EXPECT_EQ(i.output, "easel: image inspect: " + vhdx +
                          ": a VHDX file (\"vhdxfile\" at byte 0), not a VHD; Azure needs a fixed "
                          "VHD: `qemu-img convert -f vhdx -O vpc -o subformat=fixed,force_size "
                          "IN.vhdx OUT.vhd`\n");
}

// A 1 MiB VHD made by easel (under `name` in `dir`), as bytes.
std::string SmallVhd(const TempDir& dir, const std::string& name = "small") {
  const std::string raw = dir.File(name + ".raw"), vhd = dir.File(name + ".vhd");
  WriteAt(raw, 0, Noise(kMiB, 13));
  EXPECT_EQ(Easel("image convert " + Q(raw) + " " + Q(vhd)).exit_code, 0);
  std::string bytes = ReadFile(vhd);
  EXPECT_EQ(bytes.size(), kMiB + 512);
  return bytes;
}

TEST(ImageInspect, RejectsTruncatedFiles) {
  TempDir dir;
  const std::string tiny = dir.File("tiny.vhd");
  easel::testing::WriteFile(tiny, std::string(100, 'x'));
  CommandResult i = Easel("image inspect " + Q(tiny));
  EXPECT_EQ(i.exit_code, 2);
  EXPECT_EQ(i.output, "easel: image inspect: " + tiny +
                          ": truncated: the file has 100 bytes, fewer than the 512 of a VHD "
                          "footer\n");

  // Half the data gone, the footer kept.
  std::string vhd = SmallVhd(dir);
  const std::string half = dir.File("half.vhd");
  easel::testing::WriteFile(half, vhd.substr(0, kMiB / 2) + vhd.substr(kMiB));
  i = Easel("image inspect " + Q(half));
  EXPECT_EQ(i.exit_code, 2);
  EXPECT_EQ(i.output, "easel: image inspect: " + half +
                          ": truncated: the footer (at byte 524288) says 1048576 bytes of data "
                          "(current size at byte 524336) but the file holds 524288 before it\n");

  // The footer cut off: the last 512 bytes are data.
  const std::string cut = dir.File("cut.vhd");
  easel::testing::WriteFile(cut, vhd.substr(0, kMiB + 100));
  i = Easel("image inspect " + Q(cut));
  EXPECT_EQ(i.exit_code, 2);
  EXPECT_EQ(i.output, "easel: image inspect: " + cut + ": bad cookie at byte " +
                          std::to_string(kMiB + 100 - 512) +
                          ": the footer does not start with \"conectix\" (not a VHD, or a "
                          "truncated one)\n");
}

TEST(ImageInspect, RejectsAFlippedChecksumByte) {
  TempDir dir;
  std::string vhd = SmallVhd(dir);
  const uint64_t footer_at = kMiB;
  auto be32 = [&](size_t at) {
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) v = (v << 8) | static_cast<unsigned char>(vhd[at + k]);
    return v;
  };
  uint32_t good = be32(footer_at + 64);
  vhd[footer_at + 64] = static_cast<char>(vhd[footer_at + 64] ^ 0x01);
  uint32_t bad = be32(footer_at + 64);
  const std::string path = dir.File("flipped.vhd");
  easel::testing::WriteFile(path, vhd);
  char expected[64], found[64];
  std::snprintf(expected, sizeof expected, "0x%08x", good);
  std::snprintf(found, sizeof found, "0x%08x", bad);
  CommandResult i = Easel("image inspect " + Q(path));
  EXPECT_EQ(i.exit_code, 2);
  EXPECT_EQ(i.output, "easel: image inspect: " + path + ": bad footer checksum at byte " +
                          std::to_string(footer_at + 64) + ": expected " + expected + ", found " +
                          found + "\n");

  // A flipped byte elsewhere in the footer (the disk type) is caught by the checksum too.
  std::string other = SmallVhd(dir, "other");
  other[footer_at + 63] = static_cast<char>(other[footer_at + 63] ^ 0x01);
  easel::testing::WriteFile(path, other);
  i = Easel("image inspect " + Q(path));
  EXPECT_EQ(i.exit_code, 2);
  EXPECT_NE(i.output.find(": bad footer checksum at byte 1048640: expected "), std::string::npos)
      << i.output;
}

TEST(ImageInspect, RejectsABadCookie) {
  TempDir dir;
  std::string vhd = SmallVhd(dir);
  vhd[kMiB] = 'C';  // "Conectix"
  const std::string path = dir.File("cookie.vhd");
  easel::testing::WriteFile(path, vhd);
  CommandResult i = Easel("image inspect " + Q(path));
  EXPECT_EQ(i.exit_code, 2);
  EXPECT_EQ(i.output, "easel: image inspect: " + path +
                          ": bad cookie at byte 1048576: the footer does not start with "
                          "\"conectix\" (not a VHD, or a truncated one)\n");
}

TEST(ImageInspect, MissingFile) {
  TempDir dir;
  CommandResult i = Easel("image inspect " + Q(dir.File("none.vhd")));
  EXPECT_EQ(i.exit_code, 2);
  EXPECT_EQ(i.output, "easel: image inspect: " + dir.File("none.vhd") + ": no such file\n");
}

// A FIFO (or any file that is not a regular one) is refused at once: opening it never waits for
// a writer.
TEST(ImageInspect, AFifoIsRefusedWithoutBlocking) {
  TempDir dir;
  const std::string fifo = dir.File("pipe.vhd");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& command :
       {"image inspect " + Q(fifo), "image convert " + Q(fifo) + " " + Q(dir.File("out.vhd"))}) {
    CommandResult r = Easel(command);
    EXPECT_NE(r.exit_code, 0) << command;
    EXPECT_NE(r.output.find("not a regular file"), std::string::npos)
        << command << ": " << r.output;
  }
}

}  // namespace
}  // namespace easel
