#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "image/data_extents.h"
#include "image/vhd_image.h"

namespace easel::image {
namespace {

constexpr size_t kChunk = 64 * 1024;       // zero detection granularity
constexpr size_t kBuffer = 1024 * 1024;    // read size (a multiple of kChunk)
constexpr uint64_t kVhdEpoch = 946684800;  // 2000-01-01T00:00:00Z in Unix time

std::string Errno(const std::string& what, int e) { return what + ": " + std::strerror(e); }

Status WriteAll(int fd, const char* p, size_t n, uint64_t offset, const std::string& out) {
  size_t done = 0;
  while (done < n) {
    ssize_t w = ::pwrite(fd, p + done, n - done, static_cast<off_t>(offset + done));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      return Status::IOError(
          Errno(out + ": cannot write at byte " + std::to_string(offset + done), errno));
    }
    done += static_cast<size_t>(w);
  }
  return Status::Ok();
}

// Copies IN's bytes [from, to) into OUT at the same offsets, skipping all-zero chunks.
Status CopyRange(int in, int out, uint64_t from, uint64_t to, std::vector<char>& buf,
                 const std::string& in_path, const std::string& out_path, ConvertResult* r,
                 const ConvertOptions& options) {
  uint64_t pos = from;
  while (pos < to) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), to - pos));
    if (Status s = ReadFully(in, buf.data(), n, pos, in_path); !s.ok()) return s;
    for (size_t c = 0; c < n; c += kChunk) {
      size_t len = std::min(kChunk, n - c);
      if (AllZero(buf.data() + c, len)) continue;
      if (Status s = WriteAll(out, buf.data() + c, len, pos + c, out_path); !s.ok()) return s;
      r->bytes_written += len;
    }
    pos += n;
    if (options.progress) options.progress(pos, r->input_size);
  }
  return Status::Ok();
}

Status CopyData(int in, int out, const std::string& in_path, const std::string& out_path,
                ConvertResult* r, const ConvertOptions& options) {
  std::vector<char> buf(kBuffer);
  Result<std::vector<Extent>> extents = DataExtents(in, r->input_size, in_path);
  if (!extents.ok()) return extents.status();
  for (const Extent& e : *extents) {
    if (Status s = CopyRange(in, out, e.begin, e.end, buf, in_path, out_path, r, options);
        !s.ok()) {
      return s;
    }
  }
  if (options.progress) options.progress(r->input_size, r->input_size);
  return Status::Ok();
}

// A random (version 4, RFC 4122 variant) UUID.
Result<std::array<uint8_t, 16>> RandomUuid() {
  std::array<uint8_t, 16> id{};
  if (RAND_bytes(id.data(), static_cast<int>(id.size())) != 1) {
    return Status::Internal("no random bytes for the unique id");
  }
  id[6] = static_cast<uint8_t>((id[6] & 0x0f) | 0x40);
  id[8] = static_cast<uint8_t>((id[8] & 0x3f) | 0x80);
  return id;
}

// What IN looks like when it is an image format rather than a raw disk ("" when raw).
std::string ImageFormatOf(int fd, uint64_t size) {
  char head[8] = {};
  if (size >= 8 && ::pread(fd, head, 8, 0) == 8) {
    if (std::memcmp(head, "vhdxfile", 8) == 0) return "a VHDX";
    if (std::memcmp(head, "QFI\xfb", 4) == 0) return "a qcow2 image";
  }
  if (size >= azure::kVhdFooterSize) {
    std::string footer(azure::kVhdFooterSize, '\0');
    if (::pread(fd, footer.data(), footer.size(),
                static_cast<off_t>(size - azure::kVhdFooterSize)) ==
            static_cast<ssize_t>(footer.size()) &&
        azure::ParseVhdFooter(footer).ok()) {
      return "already a VHD";
    }
  }
  return "";
}

}  // namespace

Result<ConvertResult> ConvertRawToVhd(const std::string& in_path, const std::string& out_path,
                                      const ConvertOptions& options) {
  Fd in;
  in.fd = ::open(in_path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // a FIFO must not block
  if (in.fd < 0) {
    if (errno == ENOENT) return Status::NotFound(in_path + ": no such file");
    return Status::IOError(Errno(in_path + ": cannot open", errno));
  }
  struct stat st {};
  if (::fstat(in.fd, &st) != 0) return Status::IOError(Errno(in_path + ": stat", errno));
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(in_path +
                                   ": not a regular file (convert takes a raw disk "
                                   "image file)");
  }
  ConvertResult r;
  r.input_size = static_cast<uint64_t>(st.st_size);
  if (r.input_size == 0) return Status::InvalidArgument(in_path + ": empty (0 bytes)");
  if (r.input_size > (uint64_t{1} << 62)) {
    return Status::InvalidArgument(in_path + ": too large for a VHD");
  }
  if (std::string format = ImageFormatOf(in.fd, r.input_size); !format.empty()) {
    return Status::InvalidArgument(in_path + ": " + format +
                                   ", not a raw disk image; make a raw one first with "
                                   "`qemu-img convert -O raw " +
                                   in_path + " DISK.raw`");
  }
  r.virtual_size = (r.input_size + kMiB - 1) / kMiB * kMiB;
  Result<std::array<uint8_t, 16>> uuid = RandomUuid();
  if (!uuid.ok()) return uuid.status();
  r.unique_id = *uuid;

  struct stat out_st {};
  if (::stat(out_path.c_str(), &out_st) == 0) {
    if (out_st.st_dev == st.st_dev && out_st.st_ino == st.st_ino) {
      return Status::InvalidArgument(out_path + ": the same file as the input");
    }
    if (!options.force) {
      return Status::AlreadyExists(out_path + ": exists (--force replaces it)");
    }
    if (!S_ISREG(out_st.st_mode)) {
      return Status::InvalidArgument(out_path + ": exists and is not a regular file");
    }
  }
  Fd out;
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (options.force ? O_TRUNC : O_EXCL);
  out.fd = ::open(out_path.c_str(), flags, 0644);
  if (out.fd < 0) {
    if (errno == EEXIST) return Status::AlreadyExists(out_path + ": exists (--force replaces it)");
    return Status::IOError(Errno(out_path + ": cannot create", errno));
  }
  auto fail = [&](Status s) -> Result<ConvertResult> {
    ::close(out.fd);
    out.fd = -1;
    ::unlink(out_path.c_str());
    return s;
  };
  if (Status s = CopyData(in.fd, out.fd, in_path, out_path, &r, options); !s.ok()) return fail(s);
  uint64_t final_size = r.virtual_size + azure::kVhdFooterSize;
  if (::ftruncate(out.fd, static_cast<off_t>(final_size)) != 0) {
    return fail(Status::IOError(
        Errno(out_path + ": cannot extend to " + std::to_string(final_size) + " bytes", errno)));
  }
  azure::VhdFooterOptions footer_options;
  auto now = std::chrono::system_clock::now();
  int64_t unix_now =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  footer_options.timestamp =
      unix_now > static_cast<int64_t>(kVhdEpoch) ? static_cast<uint32_t>(unix_now - kVhdEpoch) : 0;
  footer_options.creator_app = kCreatorApp;
  footer_options.creator_version = 0x000a0000;  // 10.0, as Hyper-V writes
  footer_options.creator_host_os = "Wi2k";
  footer_options.unique_id = r.unique_id;
  std::string footer = azure::FixedVhdFooter(r.virtual_size, footer_options);
  if (Status s = WriteAll(out.fd, footer.data(), footer.size(), r.virtual_size, out_path);
      !s.ok()) {
    return fail(s);
  }
  if (::fsync(out.fd) != 0) return fail(Status::IOError(Errno(out_path + ": fsync", errno)));
  int fd = out.fd;
  out.fd = -1;
  if (::close(fd) != 0) {
    ::unlink(out_path.c_str());
    return Status::IOError(Errno(out_path + ": close", errno));
  }
  return r;
}

}  // namespace easel::image
