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

// Creates directory `dir` and every missing parent with mode 0700; directories that exist are left
// as they are. kIOError naming the directory that could not be created.
Status CreatePrivateDirectories(const std::string& dir);

// CreatePrivateDirectories, then takes group and other access away from `dir` itself when it has
// any (easel's own directory, ~/.easel, which holds the state and the secret key).
Status EnsurePrivateDirectory(const std::string& dir);

// Replaces `path` with `data` atomically: a new temporary file in the same directory, created with
// `mode` from the start (O_CREAT | O_EXCL, so never readable by others if mode forbids it),
// written, synced and renamed over `path`. kIOError naming the file on failure (the temporary
// file is removed).
Status ReplaceFileAtomically(const std::string& path, const std::string& data, unsigned mode);

}  // namespace easel
