// The 512-byte footer of a fixed-format VHD (what Azure imports), for fixture images.
#pragma once

#include <cstdint>
#include <string>

namespace azsim {

// Footer for a fixed VHD of `virtual_size` bytes (a multiple of 1 MiB); `timestamp` is seconds
// since 2000-01-01 UTC. Geometry follows the VHD specification's CHS algorithm.
std::string VhdFooter(uint64_t virtual_size, uint32_t timestamp, const std::string& uuid16);

}  // namespace azsim
