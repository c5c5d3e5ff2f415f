// Which 512-byte pages of a fixed VHD a page blob upload sends: the file's data extents cut into
// windows of at most 4 MiB (a Put Page's limit), and within a window the runs of pages that are
// not all zeros and that the blob does not hold already.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "image/data_extents.h"

namespace easel::image {

inline constexpr uint64_t kPageSize = 512;
inline constexpr uint64_t kMaxPutPage = uint64_t{4} << 20;

// `extents` widened to whole pages (begin rounded down, end up, to at most `size`), merged where
// they then touch, and cut at every multiple of `window` (a multiple of kPageSize).
std::vector<Extent> PageWindows(const std::vector<Extent>& extents, uint64_t size,
                                uint64_t window = kMaxPutPage);

// The runs of pages of `buf` (the `n` bytes of the file at `offset`, both multiples of
// kPageSize) that hold a non-zero byte and are not inside one of `present` (sorted, disjoint
// ranges the blob holds already). Adds the bytes of non-zero pages to *data_bytes and of those
// among them that are present to *present_bytes.
std::vector<Extent> PagesToSend(const char* buf, uint64_t offset, size_t n,
                                const std::vector<Extent>& present, uint64_t* data_bytes,
                                uint64_t* present_bytes);

}  // namespace easel::image
