#include "image/data_extents.h"

#include <errno.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace easel::image {
namespace {

std::string Prefix(const std::string& path) { return path.empty() ? "" : path + ": "; }

}  // namespace

Fd::~Fd() {
  if (fd >= 0) ::close(fd);
}

Result<std::vector<Extent>> DataExtents(int fd, uint64_t size, const std::string& path) {
  std::vector<Extent> extents;
  uint64_t pos = 0;
  while (pos < size) {
    off_t data = ::lseek(fd, static_cast<off_t>(pos), SEEK_DATA);
    if (data < 0) {
      if (errno == ENXIO) break;  // only a hole from pos on
      if (errno == EINVAL || errno == ENOTSUP) {
        // No hole reporting: every byte from pos on is data.
        extents.push_back({pos, size});
        break;
      }
      return Status::IOError(path + ": SEEK_DATA: " + std::strerror(errno));
    }
    off_t hole = ::lseek(fd, data, SEEK_HOLE);
    if (hole < 0) return Status::IOError(path + ": SEEK_HOLE: " + std::strerror(errno));
    uint64_t end = std::min<uint64_t>(static_cast<uint64_t>(hole), size);
    if (static_cast<uint64_t>(data) >= end) break;
    extents.push_back({static_cast<uint64_t>(data), end});
    pos = end;
  }
  return extents;
}

bool AllZero(const char* p, size_t n) {
  // Compare word-sized blocks first: this runs over every data byte of an image.
  size_t i = 0;
  for (; i + sizeof(uint64_t) <= n; i += sizeof(uint64_t)) {
    uint64_t w;
    std::memcpy(&w, p + i, sizeof w);
    if (w != 0) return false;
  }
  for (; i < n; ++i) {
    if (p[i] != 0) return false;
  }
  return true;
}

Status ReadFully(int fd, char* buf, size_t n, uint64_t offset, const std::string& path) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, buf + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      return Status::IOError(Prefix(path) + "cannot read at byte " + std::to_string(offset + got) +
                             ": " + std::strerror(errno));
    }
    if (r == 0) {
      return Status::IOError(Prefix(path) + "ended at byte " + std::to_string(offset + got) +
                             " while being read (was it changed meanwhile?)");
    }
    got += static_cast<size_t>(r);
  }
  return Status::Ok();
}

}  // namespace easel::image
