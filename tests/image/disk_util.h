// Disks for the image tests: sparse raw disks with data at scattered offsets, fixed VHDs made of
// them by the real qemu-img, and the count of their non-zero pages.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "tests/bootstrap_unit/test_util.h"

namespace easel::image_test {

inline constexpr uint64_t kMiB = uint64_t{1} << 20;

// Writes `bytes` at `offset` of `path`, creating it.
inline void WriteAt(const std::string& path, uint64_t offset, const std::string& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset)),
            static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

// `n` pseudo-random bytes, none of them zero.
inline std::string Noise(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s[i] = static_cast<char>(x | 1);
  }
  return s;
}

inline void SetSize(const std::string& path, uint64_t size) {
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(size)), 0) << path;
}

// A sparse raw disk of `size` bytes with data at a few scattered offsets (about 4.5 MiB), and an
// explicitly written 1 MiB run of zeros (allocated, but not data worth writing).
inline void MakeScatteredRaw(const std::string& path, uint64_t size) {
  WriteAt(path, 0, Noise(kMiB, 1));
  WriteAt(path, 10 * kMiB + 512, Noise(2 * kMiB, 2));
  WriteAt(path, 20 * kMiB, std::string(kMiB, '\0'));
  WriteAt(path, 40 * kMiB + 4096, Noise(512 * 1024 + 3, 3));
  WriteAt(path, 63 * kMiB, Noise(64 * 1024 - 1, 4));
  WriteAt(path, size - 700, Noise(700, 5));
  SetSize(path, size);
}

// The whole file (small test files only).
inline std::string Contents(const std::string& path) {
  std::string s;
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return s;
  char buf[1 << 16];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return s;
}

// The bytes of the 512-byte pages of `data` that hold a non-zero byte.
inline uint64_t NonZeroPageBytes(const std::string& data) {
  uint64_t n = 0;
  for (size_t i = 0; i < data.size(); i += 512) {
    size_t len = std::min<size_t>(512, data.size() - i);
    if (std::string_view(data).substr(i, len).find_first_not_of('\0') != std::string_view::npos) {
      n += 512;
    }
  }
  return n;
}

// `vhd`: a 64 MiB fixed VHD made by `qemu-img convert -f raw -O vpc -o subformat=fixed,force_size`
// of a scattered sparse raw disk, then with 1 MiB of zeros written (allocated) at 30 MiB, so that
// the file system reports a data extent there that holds only zero pages.
inline void MakeScatteredVhd(const easel::testing::TempDir& dir, const std::string& vhd) {
  const std::string raw = dir.File("scattered.raw");
  MakeScatteredRaw(raw, 64 * kMiB);
  easel::testing::CommandResult r = easel::testing::RunShell(
      "qemu-img convert -f raw -O vpc -o subformat=fixed,force_size " +
      easel::testing::ShellQuote(raw) + " " + easel::testing::ShellQuote(vhd) + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  WriteAt(vhd, 30 * kMiB, std::string(kMiB, '\0'));
}

// A scattered fixed VHD (MakeScatteredVhd) in a temporary directory, its bytes and the bytes of
// its non-zero pages.
struct ScatteredDisk {
  ScatteredDisk() {
    MakeScatteredVhd(dir, vhd);
    file = Contents(vhd);
    data = NonZeroPageBytes(file);
  }
  easel::testing::TempDir dir;
  std::string vhd = dir.File("disk.vhd");
  std::string file;
  uint64_t data = 0;
};

}  // namespace easel::image_test
