// The 512-byte footer of a fixed-size VHD, the only format Azure accepts for images
// (../shared/azure-reference.md §6).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace easel::azure {

// Byte offsets of the footer's fields (VHD specification, "Hard Disk Footer Format").
inline constexpr size_t kVhdFooterSize = 512;
inline constexpr size_t kVhdCookieAt = 0, kVhdFeaturesAt = 8, kVhdFormatVersionAt = 12,
                        kVhdDataOffsetAt = 16, kVhdTimestampAt = 24, kVhdCreatorAppAt = 28,
                        kVhdCreatorVersionAt = 32, kVhdCreatorHostOsAt = 36,
                        kVhdOriginalSizeAt = 40, kVhdCurrentSizeAt = 48, kVhdGeometryAt = 56,
                        kVhdDiskTypeAt = 60, kVhdChecksumAt = 64, kVhdUniqueIdAt = 68,
                        kVhdSavedStateAt = 84;

// CHS geometry, as the VHD specification's algorithm computes it for `size` bytes.
struct VhdGeometry {
  uint16_t cylinders = 0;
  uint8_t heads = 0, sectors = 0;
};
VhdGeometry VhdGeometryFor(uint64_t size);

// What a fixed footer's writer may choose.
struct VhdFooterOptions {
  uint32_t timestamp = 0;            // seconds since 2000-01-01 UTC
  std::string creator_app = "esel";  // 4 bytes (padded with NULs, cut beyond 4)
  uint32_t creator_version = 0x00010000;
  std::string creator_host_os = "Wi2k";
  std::array<uint8_t, 16> unique_id = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                                       0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x10};
};

// The footer of a fixed VHD whose data is `virtual_size` bytes (a multiple of 1 MiB). The file
// is the data followed by this footer.
std::string FixedVhdFooter(uint64_t virtual_size, uint32_t timestamp = 0);
std::string FixedVhdFooter(uint64_t virtual_size, const VhdFooterOptions& options);

// What a VHD footer says.
struct VhdFooterInfo {
  uint64_t original_size = 0, current_size = 0;
  uint32_t disk_type = 0;  // 2: fixed, 3: dynamic, 4: differencing
  uint32_t timestamp = 0;  // seconds since 2000-01-01 UTC
  uint16_t cylinders = 0;
  uint8_t heads = 0, sectors = 0;
  uint32_t features = 0, format_version = 0;
  uint64_t data_offset = 0;      // 0xFFFFFFFFFFFFFFFF for a fixed disk
  std::string creator_app;       // 4 bytes as found (may hold NULs)
  uint32_t creator_version = 0;  // major << 16 | minor
  std::string creator_host_os;   // 4 bytes as found ("Wi2k", "Mac ")
  std::array<uint8_t, 16> unique_id{};
  uint32_t checksum = 0;
  uint8_t saved_state = 0;
};

// The unique id as a UUID string, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (bytes in file order).
std::string VhdUuidString(const std::array<uint8_t, 16>& id);

// Parses exactly 512 bytes as a VHD footer of any disk type and checks only what makes it a
// footer at all: the "conectix" cookie and the checksum. Every field is returned, unjudged.
// Messages name the file byte of the field at fault: `footer_at` is where the footer starts in
// its file. kInvalidArgument for anything that is not a footer. Safe on any bytes.
Result<VhdFooterInfo> ParseVhdFooter(std::string_view footer, uint64_t footer_at = 0);

// Reads the last 512 bytes of `file_tail` as a VHD footer and checks it is one Azure imports: the
// "conectix" cookie, format version 1.0, a fixed disk, a matching checksum, a current size that
// is a positive multiple of 1 MiB. kInvalidArgument names the field at fault.
Result<VhdFooterInfo> ReadFixedVhdFooter(std::string_view file_tail);

}  // namespace easel::azure
