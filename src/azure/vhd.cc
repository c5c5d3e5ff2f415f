#include "azure/vhd.h"

#include <algorithm>

namespace easel::azure {
namespace {

void PutBe(std::string& b, size_t at, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    b[at + static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}

// CHS geometry, as the VHD specification computes it.
void Geometry(uint64_t size, uint16_t* cylinders, uint8_t* heads, uint8_t* sectors) {
  uint64_t total = std::min<uint64_t>(size / 512, 65535ull * 16 * 255);
  uint64_t spt, h, cth;
  if (total >= 65535ull * 16 * 63) {
    spt = 255;
    h = 16;
    cth = total / spt;
  } else {
    spt = 17;
    cth = total / spt;
    h = std::max<uint64_t>((cth + 1023) / 1024, 4);
    if (cth >= h * 1024 || h > 16) {
      spt = 31;
      h = 16;
      cth = total / spt;
    }
    if (cth >= h * 1024) {
      spt = 63;
      h = 16;
      cth = total / spt;
    }
  }
  *cylinders = static_cast<uint16_t>(cth / h);
  *heads = static_cast<uint8_t>(h);
  *sectors = static_cast<uint8_t>(spt);
}

}  // namespace

std::string FixedVhdFooter(uint64_t virtual_size, uint32_t timestamp) {
  std::string f(512, '\0');
  f.replace(0, 8, "conectix");
  PutBe(f, 8, 2, 4);                       // features
  PutBe(f, 12, 0x00010000, 4);             // format version
  PutBe(f, 16, 0xFFFFFFFFFFFFFFFFull, 8);  // data offset: none for a fixed disk
  PutBe(f, 24, timestamp, 4);
  f.replace(28, 4, "esel");     // creator application
  PutBe(f, 32, 0x00010000, 4);  // creator version
  f.replace(36, 4, "Wi2k");     // creator host OS
  PutBe(f, 40, virtual_size, 8);
  PutBe(f, 48, virtual_size, 8);
  uint16_t c;
  uint8_t h, s;
  Geometry(virtual_size, &c, &h, &s);
  PutBe(f, 56, c, 2);
  PutBe(f, 58, h, 1);
  PutBe(f, 59, s, 1);
  PutBe(f, 60, 2, 4);                                                          // disk type: fixed
  for (int i = 0; i < 16; ++i) f[68 + i] = static_cast<char>(0x11 * (i + 1));  // UUID
  uint32_t sum = 0;
  for (unsigned char byte : f) sum += byte;
  PutBe(f, 64, ~sum, 4);
  return f;
}

namespace {

uint64_t GetBe(std::string_view b, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + size_t(i)]);
  return v;
}

}  // namespace

Result<VhdFooterInfo> ReadFixedVhdFooter(std::string_view tail) {
  auto bad = [](const std::string& why) {
    return Status::InvalidArgument("not a fixed VHD: " + why);
  };
  if (tail.size() < 512) {
    return bad("the footer needs 512 bytes, got " + std::to_string(tail.size()));
  }
  std::string_view f = tail.substr(tail.size() - 512);
  if (f.substr(0, 8) != "conectix") return bad("the footer's cookie is not \"conectix\"");
  if (GetBe(f, 12, 4) != 0x00010000) return bad("the format version is not 1.0");
  uint32_t sum = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    if (i < 64 || i >= 68) sum += static_cast<unsigned char>(f[i]);
  }
  if (static_cast<uint32_t>(~sum) != GetBe(f, 64, 4)) return bad("the footer checksum is wrong");
  VhdFooterInfo info;
  info.timestamp = static_cast<uint32_t>(GetBe(f, 24, 4));
  info.original_size = GetBe(f, 40, 8);
  info.current_size = GetBe(f, 48, 8);
  info.cylinders = static_cast<uint16_t>(GetBe(f, 56, 2));
  info.heads = static_cast<uint8_t>(GetBe(f, 58, 1));
  info.sectors = static_cast<uint8_t>(GetBe(f, 59, 1));
  info.disk_type = static_cast<uint32_t>(GetBe(f, 60, 4));
  if (info.disk_type != 2) {
    return bad("the disk type is " + std::to_string(info.disk_type) + ", not 2 (fixed)");
  }
  if (info.current_size == 0 || info.current_size % (1u << 20) != 0) {
    return bad("the size " + std::to_string(info.current_size) +
               " is not a positive multiple of 1 MiB");
  }
  return info;
}

}  // namespace easel::azure
