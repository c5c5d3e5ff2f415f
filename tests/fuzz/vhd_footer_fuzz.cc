// VHD footers: easel's (src/azure/vhd.cc) and azsim's (sim/vhd.cc) writers for any size and
// timestamp must produce footers the reader accepts with those values; the reader itself takes
// any bytes.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "azure/vhd.h"
#include "sim/vhd.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)easel::azure::ReadFixedVhdFooter(bytes);
  if (size >= 12) {
    uint64_t mib = 0;
    uint32_t timestamp = 0;
    std::memcpy(&mib, data, 8);
    std::memcpy(&timestamp, data + 8, 4);
    // 1 MiB up to just under 16 EiB, in whole MiB.
    uint64_t virtual_size = (mib % ((uint64_t{1} << 44) - 1) + 1) << 20;
    std::string uuid(bytes.substr(12, 20));
    for (const std::string& footer : {easel::azure::FixedVhdFooter(virtual_size, timestamp),
                                      azsim::VhdFooter(virtual_size, timestamp, uuid)}) {
      if (footer.size() != 512) std::abort();
      auto info = easel::azure::ReadFixedVhdFooter(footer);
      if (!info.ok()) std::abort();
      if (info->current_size != virtual_size || info->timestamp != timestamp) std::abort();
      if (info->heads == 0 || info->sectors == 0 || info->heads > 16) std::abort();
    }
  }
  return 0;
}
