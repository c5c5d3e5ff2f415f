#include "common/files.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace easel {
namespace {

constexpr int kPipeWaitMs = 10'000;

}  // namespace

Result<std::string> ReadFileBounded(const std::string& path, size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO nobody writes to must not wait (it then reads as empty).
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Status::IOError(std::string("cannot read: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return Status::IOError(std::string("cannot read: ") + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return Status::IOError("cannot read: it is a directory");
  if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
    return Status::IOError("cannot read: not a regular file");
  }
  std::string data;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // A pipe whose writer has not written yet (`-f <(...)`): wait for it, boundedly.
      struct pollfd p {
        fd, POLLIN, 0
      };
      int ready = ::poll(&p, 1, kPipeWaitMs);
      if (ready == 0) return Status::IOError("cannot read: the pipe gave no data for 10 s");
      continue;
    }
    if (n < 0) return Status::IOError(std::string("cannot read: ") + std::strerror(errno));
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > max_bytes) {
      return Status::InvalidArgument("is larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
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
