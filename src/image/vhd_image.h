// VHD tools behind `easel image inspect` and `easel image convert`: checking that a file is a VHD
// Azure imports (fixed, 1 MiB-aligned, intact footer), and turning a raw disk image into one,
// sparse. Errors are Status values; nothing here throws.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "azure/vhd.h"
#include "common/status.h"

namespace easel::image {

inline constexpr uint64_t kMiB = uint64_t{1} << 20;

// What `easel image inspect` found in a file that passed every check.
struct VhdInspection {
  uint64_t file_size = 0;        // st_size
  uint64_t allocated_bytes = 0;  // st_blocks * 512
  azure::VhdFooterInfo footer;
  bool sparse() const { return allocated_bytes < file_size; }
};

// Reads FILE's footer (its last 512 bytes) and checks it is a fixed VHD Azure imports: the
// cookie, the checksum, format version 1.0, disk type 2, data offset all ones, a current size
// that is a positive multiple of 1 MiB and equal to the file's size less the footer. The file is
// never trusted: any bytes give a Status, never a crash. kInvalidArgument (a message naming the
// cause, and the file's byte where one is at fault) when FILE is not such a VHD: a VHDX, a
// dynamic or differencing VHD, a truncated file, a bad cookie or checksum, an unaligned size;
// kNotFound when it does not exist; kIOError when it cannot be read.
Result<VhdInspection> InspectVhd(const std::string& path);

// The creator application easel writes: "win " (Hyper-V's). qemu's vpc driver sizes a disk by the
// footer's current size only for the creators it trusts to have written it ("win ", "qem2",
// "d2v ", "CTXS", "tap\0" in qemu up to 9.x; any but "vpc " and "qemu" from 10.0); for others it
// uses the CHS geometry, which cannot express most sizes exactly.
inline constexpr char kCreatorApp[] = "win ";

struct ConvertOptions {
  bool force = false;  // replace OUT when it exists
  // Called now and then with the bytes of IN gone through, and IN's size.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct ConvertResult {
  uint64_t input_size = 0;
  uint64_t virtual_size = 0;   // input_size rounded up to 1 MiB
  uint64_t bytes_written = 0;  // data bytes written (holes and zero chunks skipped), not the footer
  std::array<uint8_t, 16> unique_id{};
};

// Writes OUT: IN's bytes, zeros up to the next multiple of 1 MiB, and a fixed VHD footer (CHS
// geometry per the VHD specification, a random version-4 unique id, the current time, creator
// kCreatorApp). OUT stays sparse: IN's holes (SEEK_DATA/SEEK_HOLE) and all-zero 64 KiB chunks are
// not written. kNotFound: IN missing; kInvalidArgument: IN not a regular file, empty, or already
// a VHD/VHDX/qcow2 image, OUT the same file as IN; kAlreadyExists: OUT exists without force;
// kIOError: reading or writing failed (no space left...), OUT removed.
Result<ConvertResult> ConvertRawToVhd(const std::string& in, const std::string& out,
                                      const ConvertOptions& options);

}  // namespace easel::image
