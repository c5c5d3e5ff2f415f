#include "sim/vhd.h"

#include <algorithm>

namespace azsim {
namespace {

void PutBe(std::string& s, size_t off, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) s[off + size_t(i)] = char((v >> (8 * (bytes - 1 - i))) & 0xff);
}

// CHS geometry from the VHD specification (appendix "CHS calculation").
uint32_t Geometry(uint64_t size) {
  uint64_t total = std::min<uint64_t>(size / 512, 65535ull * 16 * 255);
  uint64_t spt, heads, cyl_times_heads;
  if (total >= 65535ull * 16 * 63) {
    spt = 255;
    heads = 16;
    cyl_times_heads = total / spt;
  } else {
    spt = 17;
    cyl_times_heads = total / spt;
    heads = std::max<uint64_t>((cyl_times_heads + 1023) / 1024, 4);
    if (cyl_times_heads >= heads * 1024 || heads > 16) {
      spt = 31;
      heads = 16;
      cyl_times_heads = total / spt;
    }
    if (cyl_times_heads >= heads * 1024) {
      spt = 63;
      heads = 16;
      cyl_times_heads = total / spt;
    }
  }
  uint64_t cylinders = cyl_times_heads / heads;
  return uint32_t((cylinders << 16) | (heads << 8) | spt);
}

}  // namespace

std::string VhdFooter(uint64_t virtual_size, uint32_t timestamp, const std::string& uuid16) {
  std::string f(512, '\0');
  f.replace(0, 8, "conectix");
  PutBe(f, 8, 2, 4);
  PutBe(f, 12, 0x00010000, 4);
  PutBe(f, 16, 0xFFFFFFFFFFFFFFFFull, 8);
  PutBe(f, 24, timestamp, 4);
  f.replace(28, 4, "azsm");
  PutBe(f, 32, 0x00010000, 4);
  f.replace(36, 4, "Wi2k");
  PutBe(f, 40, virtual_size, 8);
  PutBe(f, 48, virtual_size, 8);
  PutBe(f, 56, Geometry(virtual_size), 4);
  PutBe(f, 60, 2, 4);  // fixed
  f.replace(68, 16,
            uuid16.substr(0, 16) + std::string(16 - std::min<size_t>(16, uuid16.size()), '\0'));
  uint32_t sum = 0;
  for (unsigned char c : f) sum += c;
  PutBe(f, 64, ~sum, 4);
  return f;
}

}  // namespace azsim
