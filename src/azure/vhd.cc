#include "azure/vhd.h"

#include <algorithm>
#include <cstdio>

namespace easel::azure {
namespace {

void PutBe(std::string& b, size_t at, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    b[at + static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}

uint64_t GetBe(std::string_view b, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + size_t(i)]);
  return v;
}

// The 4-byte field `s`, padded with NULs or cut.
std::string Field4(const std::string& s) {
  std::string f = s.substr(0, 4);
  f.resize(4, '\0');
  return f;
}

// The one's complement of the byte sum of `f`, its checksum field counted as zeros.
uint32_t FooterChecksum(std::string_view f) {
  uint32_t sum = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    if (i < kVhdChecksumAt || i >= kVhdChecksumAt + 4) sum += static_cast<unsigned char>(f[i]);
  }
  return ~sum;
}

std::string Hex32(uint64_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08llx", static_cast<unsigned long long>(v & 0xffffffffu));
  return buf;
}

}  // namespace

VhdGeometry VhdGeometryFor(uint64_t size) {
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
  return {static_cast<uint16_t>(cth / h), static_cast<uint8_t>(h), static_cast<uint8_t>(spt)};
}

std::string FixedVhdFooter(uint64_t virtual_size, uint32_t timestamp) {
  VhdFooterOptions options;
  options.timestamp = timestamp;
  return FixedVhdFooter(virtual_size, options);
}

std::string FixedVhdFooter(uint64_t virtual_size, const VhdFooterOptions& options) {
  std::string f(kVhdFooterSize, '\0');
  f.replace(kVhdCookieAt, 8, "conectix");
  PutBe(f, kVhdFeaturesAt, 2, 4);                        // features: reserved bit set
  PutBe(f, kVhdFormatVersionAt, 0x00010000, 4);          // format version 1.0
  PutBe(f, kVhdDataOffsetAt, 0xFFFFFFFFFFFFFFFFull, 8);  // data offset: none for a fixed disk
  PutBe(f, kVhdTimestampAt, options.timestamp, 4);
  f.replace(kVhdCreatorAppAt, 4, Field4(options.creator_app));
  PutBe(f, kVhdCreatorVersionAt, options.creator_version, 4);
  f.replace(kVhdCreatorHostOsAt, 4, Field4(options.creator_host_os));
  PutBe(f, kVhdOriginalSizeAt, virtual_size, 8);
  PutBe(f, kVhdCurrentSizeAt, virtual_size, 8);
  VhdGeometry g = VhdGeometryFor(virtual_size);
  PutBe(f, kVhdGeometryAt, g.cylinders, 2);
  PutBe(f, kVhdGeometryAt + 2, g.heads, 1);
  PutBe(f, kVhdGeometryAt + 3, g.sectors, 1);
  PutBe(f, kVhdDiskTypeAt, 2, 4);  // disk type: fixed
  for (size_t i = 0; i < 16; ++i) f[kVhdUniqueIdAt + i] = static_cast<char>(options.unique_id[i]);
  PutBe(f, kVhdChecksumAt, FooterChecksum(f), 4);
  return f;
}

std::string VhdUuidString(const std::array<uint8_t, 16>& id) {
  std::string s;
  static const char* kHex = "0123456789abcdef";
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += kHex[id[i] >> 4];
    s += kHex[id[i] & 0xf];
  }
  return s;
}

Result<VhdFooterInfo> ParseVhdFooter(std::string_view f, uint64_t footer_at) {
  auto at = [footer_at](size_t field) { return std::to_string(footer_at + field); };
  if (f.size() != kVhdFooterSize) {
    return Status::InvalidArgument("a VHD footer is 512 bytes, got " + std::to_string(f.size()));
  }
  if (f.substr(kVhdCookieAt, 8) != "conectix") {
    return Status::InvalidArgument("bad cookie at byte " + at(kVhdCookieAt) +
                                   ": the footer does not start with \"conectix\"");
  }
  VhdFooterInfo info;
  info.checksum = static_cast<uint32_t>(GetBe(f, kVhdChecksumAt, 4));
  uint32_t expected = FooterChecksum(f);
  if (expected != info.checksum) {
    return Status::InvalidArgument("bad footer checksum at byte " + at(kVhdChecksumAt) +
                                   ": expected " + Hex32(expected) + ", found " +
                                   Hex32(info.checksum));
  }
  info.features = static_cast<uint32_t>(GetBe(f, kVhdFeaturesAt, 4));
  info.format_version = static_cast<uint32_t>(GetBe(f, kVhdFormatVersionAt, 4));
  info.data_offset = GetBe(f, kVhdDataOffsetAt, 8);
  info.timestamp = static_cast<uint32_t>(GetBe(f, kVhdTimestampAt, 4));
  info.creator_app = std::string(f.substr(kVhdCreatorAppAt, 4));
  info.creator_version = static_cast<uint32_t>(GetBe(f, kVhdCreatorVersionAt, 4));
  info.creator_host_os = std::string(f.substr(kVhdCreatorHostOsAt, 4));
  info.original_size = GetBe(f, kVhdOriginalSizeAt, 8);
  info.current_size = GetBe(f, kVhdCurrentSizeAt, 8);
  info.cylinders = static_cast<uint16_t>(GetBe(f, kVhdGeometryAt, 2));
  info.heads = static_cast<uint8_t>(GetBe(f, kVhdGeometryAt + 2, 1));
  info.sectors = static_cast<uint8_t>(GetBe(f, kVhdGeometryAt + 3, 1));
  info.disk_type = static_cast<uint32_t>(GetBe(f, kVhdDiskTypeAt, 4));
  for (size_t i = 0; i < 16; ++i) {
    info.unique_id[i] = static_cast<uint8_t>(f[kVhdUniqueIdAt + i]);
  }
  info.saved_state = static_cast<uint8_t>(f[kVhdSavedStateAt]);
  return info;
}

Result<VhdFooterInfo> ReadFixedVhdFooter(std::string_view tail) {
  auto bad = [](const std::string& why) {
    return Status::InvalidArgument("not a fixed VHD: " + why);
  };
  if (tail.size() < kVhdFooterSize) {
    return bad("the footer needs 512 bytes, got " + std::to_string(tail.size()));
  }
  std::string_view f = tail.substr(tail.size() - kVhdFooterSize);
  if (f.substr(0, 8) != "conectix") return bad("the footer's cookie is not \"conectix\"");
  if (GetBe(f, kVhdFormatVersionAt, 4) != 0x00010000) return bad("the format version is not 1.0");
  Result<VhdFooterInfo> parsed = ParseVhdFooter(f);
  if (!parsed.ok()) return bad("the footer checksum is wrong");
  VhdFooterInfo& info = *parsed;
  if (info.disk_type != 2) {
    return bad("the disk type is " + std::to_string(info.disk_type) + ", not 2 (fixed)");
  }
  if (info.current_size == 0 || info.current_size % (1u << 20) != 0) {
    return bad("the size " + std::to_string(info.current_size) +
               " is not a positive multiple of 1 MiB");
  }
  return parsed;
}

}  // namespace easel::azure
