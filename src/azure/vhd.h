// The 512-byte footer of a fixed-size VHD, the only format Azure accepts for images
// (../shared/azure-reference.md §6).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace easel::azure {

// The footer of a fixed VHD whose data is `virtual_size` bytes (a multiple of 1 MiB). The file
// is the data followed by this footer.
std::string FixedVhdFooter(uint64_t virtual_size, uint32_t timestamp = 0);

// What a VHD footer says.
struct VhdFooterInfo {
  uint64_t original_size = 0, current_size = 0;
  uint32_t disk_type = 0;  // 2: fixed, 3: dynamic, 4: differencing
  uint32_t timestamp = 0;  // seconds since 2000-01-01 UTC
  uint16_t cylinders = 0;
  uint8_t heads = 0, sectors = 0;
};

// Reads the last 512 bytes of `file_tail` as a VHD footer and checks it is one Azure imports: the
// "conectix" cookie, format version 1.0, a fixed disk, a matching checksum, a current size that
// is a positive multiple of 1 MiB. kInvalidArgument names the field at fault.
Result<VhdFooterInfo> ReadFixedVhdFooter(std::string_view file_tail);

}  // namespace easel::azure
