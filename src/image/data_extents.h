// The parts of a file that hold data, as the file system reports them (SEEK_DATA/SEEK_HOLE), and
// the small file helpers the VHD tools share. Holes read as zeros and are never read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace easel::image {

// Closes a file descriptor when it goes out of scope.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();
};

// A byte range [begin, end) of a file.
struct Extent {
  uint64_t begin = 0;
  uint64_t end = 0;
  uint64_t size() const { return end - begin; }
};

// The data extents of the first `size` bytes of `fd`, in order, clipped to `size`. A file system
// without hole reporting (EINVAL/ENOTSUP) gives one extent, the whole file. `path` is for
// messages; kIOError when seeking fails.
Result<std::vector<Extent>> DataExtents(int fd, uint64_t size, const std::string& path);

// Whether the `n` bytes at `p` are all zeros.
bool AllZero(const char* p, size_t n);

// Reads exactly `n` bytes at `offset`. kIOError (naming `path`, when not empty, and the byte) on a
// read error or when the file ends first ("was it changed meanwhile?").
Status ReadFully(int fd, char* buf, size_t n, uint64_t offset, const std::string& path);

}  // namespace easel::image
