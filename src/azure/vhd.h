// The 512-byte footer of a fixed-size VHD, the only format Azure accepts for images
// (../shared/azure-reference.md §6).
#pragma once

#include <cstdint>
#include <string>

namespace easel::azure {

// The footer of a fixed VHD whose data is `virtual_size` bytes (a multiple of 1 MiB). The file
// is the data followed by this footer.
std::string FixedVhdFooter(uint64_t virtual_size, uint32_t timestamp = 0);

}  // namespace easel::azure
