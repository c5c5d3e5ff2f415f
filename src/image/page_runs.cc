#include "image/page_runs.h"

#include <algorithm>

namespace easel::image {
namespace {

// Whether the page at `offset` lies inside one of `present`.
bool Present(const std::vector<Extent>& present, uint64_t offset) {
  auto it = std::upper_bound(present.begin(), present.end(), offset,
                             [](uint64_t off, const Extent& e) { return off < e.end; });
  return it != present.end() && it->begin <= offset;
}

}  // namespace

std::vector<Extent> PageWindows(const std::vector<Extent>& extents, uint64_t size,
                                uint64_t window) {
  std::vector<Extent> pages;
  for (const Extent& e : extents) {
    uint64_t begin = e.begin / kPageSize * kPageSize;
    uint64_t end = std::min(size, (e.end + kPageSize - 1) / kPageSize * kPageSize);
    if (begin >= end) continue;
    if (!pages.empty() && begin <= pages.back().end) {
      pages.back().end = std::max(pages.back().end, end);
    } else {
      pages.push_back({begin, end});
    }
  }
  std::vector<Extent> windows;
  for (const Extent& e : pages) {
    for (uint64_t at = e.begin; at < e.end;) {
      uint64_t next = std::min(e.end, (at / window + 1) * window);
      windows.push_back({at, next});
      at = next;
    }
  }
  return windows;
}

std::vector<Extent> PagesToSend(const char* buf, uint64_t offset, size_t n,
                                const std::vector<Extent>& present, uint64_t* data_bytes,
                                uint64_t* present_bytes) {
  std::vector<Extent> runs;
  for (size_t i = 0; i < n; i += kPageSize) {
    size_t len = std::min<size_t>(kPageSize, n - i);
    if (AllZero(buf + i, len)) continue;
    *data_bytes += len;
    uint64_t at = offset + i;
    if (Present(present, at)) {
      *present_bytes += len;
      continue;
    }
    if (!runs.empty() && runs.back().end == at) {
      runs.back().end += len;
    } else {
      runs.push_back({at, at + len});
    }
  }
  return runs;
}

}  // namespace easel::image
