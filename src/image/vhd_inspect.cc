#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "image/data_extents.h"
#include "image/vhd_image.h"

namespace easel::image {

Result<VhdInspection> InspectVhd(const std::string& path) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // a FIFO must not block
  if (f.fd < 0) {
    int e = errno;
    if (e == ENOENT) return Status::NotFound("no such file");
    return Status::IOError(std::string("cannot open: ") + std::strerror(e));
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return Status::IOError(std::string("stat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument("not a regular file");
  VhdInspection r;
  r.file_size = static_cast<uint64_t>(st.st_size);
  r.allocated_bytes = static_cast<uint64_t>(st.st_blocks) * 512;

  char head[8] = {};
  if (r.file_size >= sizeof head) {
    if (Status s = ReadFully(f.fd, head, sizeof head, 0, ""); !s.ok()) return s;
    if (std::memcmp(head, "vhdxfile", 8) == 0) {
      return Status::InvalidArgument(
          "a VHDX file (\"vhdxfile\" at byte 0), not a VHD; Azure needs a fixed VHD: "
          "`qemu-img convert -f vhdx -O vpc -o subformat=fixed,force_size IN.vhdx OUT.vhd`");
    }
  }
  if (r.file_size < azure::kVhdFooterSize) {
    return Status::InvalidArgument("truncated: the file has " + std::to_string(r.file_size) +
                                   " bytes, fewer than the 512 of a VHD footer");
  }
  uint64_t footer_at = r.file_size - azure::kVhdFooterSize;
  std::string footer(azure::kVhdFooterSize, '\0');
  if (Status s = ReadFully(f.fd, footer.data(), footer.size(), footer_at, ""); !s.ok()) return s;
  bool head_is_vhd = std::memcmp(head, "conectix", 8) == 0;
  if (footer.compare(0, 8, "conectix") != 0 && head_is_vhd) {
    // Dynamic and differencing disks keep a copy of the footer at byte 0.
    return Status::InvalidArgument(
        "truncated or damaged: a VHD footer copy at byte 0 but no footer in the last 512 bytes "
        "(\"conectix\" missing at byte " +
        std::to_string(footer_at) + ")");
  }
  Result<azure::VhdFooterInfo> parsed = azure::ParseVhdFooter(footer, footer_at);
  if (!parsed.ok()) {
    if (parsed.status().message().starts_with("bad cookie")) {
      return Status::InvalidArgument(parsed.status().message() +
                                     " (not a VHD, or a truncated one)");
    }
    return parsed.status();
  }
  r.footer = std::move(parsed).value();
  const azure::VhdFooterInfo& v = r.footer;
  auto at = [footer_at](size_t field) { return std::to_string(footer_at + field); };
  if (v.format_version != 0x00010000) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v.format_version);
    return Status::InvalidArgument("unsupported format version " + std::string(buf) + " at byte " +
                                   at(azure::kVhdFormatVersionAt) + " (a VHD has 0x00010000)");
  }
  if (v.disk_type == 3 || v.disk_type == 4) {
    return Status::InvalidArgument(
        std::string("a ") + (v.disk_type == 3 ? "dynamic" : "differencing") + " VHD (disk type " +
        std::to_string(v.disk_type) + " at byte " + at(azure::kVhdDiskTypeAt) +
        "); Azure needs a fixed VHD: `qemu-img convert -O vpc -o subformat=fixed,force_size "
        "IN.vhd OUT.vhd`, or `qemu-img convert -O raw IN.vhd DISK.raw` then `easel image "
        "convert DISK.raw OUT.vhd`");
  }
  if (v.disk_type != 2) {
    return Status::InvalidArgument("unknown disk type " + std::to_string(v.disk_type) +
                                   " at byte " + at(azure::kVhdDiskTypeAt) +
                                   " (2 is fixed, 3 dynamic, 4 differencing)");
  }
  if (v.data_offset != ~uint64_t{0}) {
    return Status::InvalidArgument("data offset " + std::to_string(v.data_offset) + " at byte " +
                                   at(azure::kVhdDataOffsetAt) +
                                   ": a fixed VHD has 0xFFFFFFFFFFFFFFFF");
  }
  if (v.current_size == 0) {
    return Status::InvalidArgument("the virtual size at byte " + at(azure::kVhdCurrentSizeAt) +
                                   " is 0");
  }
  if (v.current_size % kMiB != 0) {
    return Status::InvalidArgument(
        "the virtual size " + std::to_string(v.current_size) + " (at byte " +
        at(azure::kVhdCurrentSizeAt) +
        ") is not a multiple of 1 MiB, which Azure requires; round it up with `qemu-img convert "
        "-O raw IN.vhd DISK.raw` then `easel image convert DISK.raw OUT.vhd`");
  }
  if (v.current_size != footer_at) {
    return Status::InvalidArgument(
        std::string(v.current_size > footer_at ? "truncated" : "size mismatch") +
        ": the footer (at byte " + std::to_string(footer_at) + ") says " +
        std::to_string(v.current_size) + " bytes of data (current size at byte " +
        at(azure::kVhdCurrentSizeAt) + ") but the file holds " + std::to_string(footer_at) +
        " before it");
  }
  return r;
}

}  // namespace easel::image
