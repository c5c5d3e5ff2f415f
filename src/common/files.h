// Reading whole files with a size bound, so hostile input cannot exhaust memory.
#pragma once

#include <cstddef>
#include <string>

#include "common/status.h"

namespace easel {

// Reads `path` into memory. Fails with kIOError if it cannot be read, or kInvalidArgument if it
// is larger than max_bytes (the file is not read past that bound). Messages do not repeat the
// path ("cannot read: No such file or directory"); callers say which file.
Result<std::string> ReadFileBounded(const std::string& path, size_t max_bytes);

}  // namespace easel
