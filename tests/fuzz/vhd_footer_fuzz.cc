// VHD footers: easel's (src/azure/vhd.cc) and azsim's (sim/vhd.cc) writers for any size and
// timestamp must produce footers the readers (ReadFixedVhdFooter, and ParseVhdFooter that
// `easel image inspect` uses) accept with those values; the readers themselves take any bytes.
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
  if (size >= 512) {
    auto parsed = easel::azure::ParseVhdFooter(bytes.substr(size - 512), size - 512);
    if (parsed.ok()) (void)easel::azure::VhdUuidString(parsed->unique_id);
  }
  (void)easel::azure::ParseVhdFooter(bytes, size);  // any length
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
    // The writer's options (creator, id) come back from ParseVhdFooter as written.
    easel::azure::VhdFooterOptions options;
    options.timestamp = timestamp;
    options.creator_app = std::string(bytes.substr(12, 4));
    options.creator_version = timestamp ^ 0x5a5a5a5a;
    for (size_t i = 0; i < 16 && 16 + i < size; ++i) options.unique_id[i] = data[16 + i];
    std::string footer = easel::azure::FixedVhdFooter(virtual_size, options);
    auto parsed = easel::azure::ParseVhdFooter(footer);
    if (!parsed.ok() || parsed->current_size != virtual_size || parsed->disk_type != 2 ||
        parsed->data_offset != ~uint64_t{0} || parsed->unique_id != options.unique_id ||
        parsed->creator_version != options.creator_version || parsed->creator_app.size() != 4 ||
        !easel::azure::ReadFixedVhdFooter(footer).ok()) {
      std::abort();
    }
    easel::azure::VhdGeometry g = easel::azure::VhdGeometryFor(virtual_size);
    if (parsed->cylinders != g.cylinders || parsed->heads != g.heads) std::abort();
  }
  return 0;
}
