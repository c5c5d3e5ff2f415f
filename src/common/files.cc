#include "common/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
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

Status CreatePrivateDirectories(const std::string& dir) {
  std::filesystem::path prefix;
  for (const std::filesystem::path& part : std::filesystem::path(dir)) {
    prefix /= part;
    if (part.empty() || part == "/" || part == "." || part == "..") continue;
    if (::mkdir(prefix.c_str(), 0700) == 0 || errno == EEXIST) continue;
    return Status::IOError("cannot create directory " + prefix.string() + ": " +
                           std::strerror(errno));
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::IOError("cannot create directory " + dir + ": it is not a directory");
  }
  return Status::Ok();
}

Status EnsurePrivateDirectory(const std::string& dir) {
  if (Status s = CreatePrivateDirectories(dir); !s.ok()) return s;
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    return Status::IOError("cannot read directory " + dir + ": " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), st.st_mode & 0700) != 0) {
    return Status::IOError("cannot make directory " + dir +
                           " private (chmod 700): " + std::strerror(errno));
  }
  return Status::Ok();
}

Status ReplaceFileAtomically(const std::string& path, const std::string& data, unsigned mode) {
  static std::atomic<unsigned> counter{0};
  std::string tmp =
      path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) return Status::IOError("cannot write " + path + ": " + std::strerror(errno));
  auto fail = [&](int error) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return Status::IOError("cannot write " + path + ": " + std::strerror(error));
  };
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(errno);
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return fail(errno);
  if (::close(fd) != 0) {
    int error = errno;
    ::unlink(tmp.c_str());
    return Status::IOError("cannot write " + path + ": " + std::strerror(error));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int error = errno;
    ::unlink(tmp.c_str());
    return Status::IOError("cannot write " + path + ": " + std::strerror(error));
  }
  return Status::Ok();
}

}  // namespace easel
