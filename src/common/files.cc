#include "common/files.h"

#include <sys/stat.h>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace easel {

Result<std::string> ReadFileBounded(const std::string& path, size_t max_bytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Status::IOError(std::string("cannot read: ") + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return Status::IOError("cannot read: it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(std::string("cannot read: ") + std::strerror(errno));
  std::string data;
  char buf[65536];
  while (in) {
    in.read(buf, sizeof buf);
    data.append(buf, static_cast<size_t>(in.gcount()));
    if (data.size() > max_bytes) {
      return Status::InvalidArgument("is larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  if (in.bad()) return Status::IOError("cannot read: I/O error");
  return data;
}

}  // namespace easel
