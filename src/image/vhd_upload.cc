#include "image/vhd_upload.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "image/data_extents.h"
#include "image/page_runs.h"
#include "image/vhd_image.h"

namespace easel::image {
namespace {

constexpr std::chrono::milliseconds kMaxBackoff{8000};

const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

// Calls `f` until it succeeds, fails with other than kUnavailable (transient: 5xx, 429, a
// connection refused, reset or timed out), or has been tried `max_attempts` times, sleeping an
// exponentially growing, jittered delay between attempts. Counts the repeats in *retries.
template <typename F>
auto WithRetries(const UploadOptions& o, std::atomic<uint64_t>* retries, F f) -> decltype(f()) {
  thread_local std::mt19937 rng{std::random_device{}()};
  std::chrono::milliseconds backoff = o.first_backoff;
  for (int attempt = 1;; ++attempt) {
    auto r = f();
    const Status& s = StatusOf(r);
    if (s.ok() || s.code() != StatusCode::kUnavailable) return r;
    if (attempt >= o.max_attempts) {
      return Status::Unavailable(s.message() + " (gave up after " + std::to_string(attempt) +
                                 " attempts)");
    }
    ++*retries;
    std::uniform_int_distribution<int64_t> jitter(0, backoff.count() / 2);
    std::this_thread::sleep_for(backoff + std::chrono::milliseconds(jitter(rng)));
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

// The marker of an upload of this file: size, modification time (ns) and VHD unique id. A file
// edited in place gets a new modification time, so its marker no longer matches.
std::string Marker(const struct stat& st, const azure::VhdFooterInfo& footer) {
  return "v1;" + std::to_string(st.st_size) + ";" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec) + ";" + azure::VhdUuidString(footer.unique_id);
}

std::string Bytes(uint64_t from, uint64_t to) {
  return "bytes " + std::to_string(from) + "-" + std::to_string(to - 1);
}

struct Upload {
  Upload(const UploadOptions& o, const std::string& p, const std::string& u)
      : options(o), path(p), url(u) {}
  const UploadOptions& options;
  const std::string& path;
  const std::string& url;
  int fd = -1;
  std::vector<Extent> windows;
  std::vector<Extent> present;  // sorted, disjoint

  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> retries{0};
  std::mutex mu;  // guards the members below
  Status error;
  UploadProgress progress;
  uint64_t data_bytes = 0;
  uint64_t puts = 0;

  void Fail(Status s) {
    std::lock_guard<std::mutex> lock(mu);
    if (error.ok()) error = std::move(s);
    stop = true;
  }

  // Sends the pages of `run`, held in `buf` at `at`; false when the upload is to stop.
  bool Send(azure::BlobClient& blob, const std::string& buf, uint64_t at, const Extent& run) {
    std::string data = buf.substr(run.begin - at, run.size());
    Status s = WithRetries(options, &retries, [&] { return blob.PutPages(url, run.begin, data); });
    if (!s.ok()) {
      Fail(Status(s.code(), Bytes(run.begin, run.end) + ": " + s.message()));
      return false;
    }
    std::lock_guard<std::mutex> lock(mu);
    progress.sent_bytes += run.size();
    ++puts;
    if (options.stop_after_puts != 0 && puts >= options.stop_after_puts && error.ok()) {
      error = Status::Unavailable("stopped after " + std::to_string(puts) +
                                  " Put Page requests (the stop-after test hook)");
      stop = true;
    }
    return !stop;
  }

  void Work() {
    BlobConnection conn = options.connect();
    std::string buf(kMaxPutPage, '\0');
    while (!stop) {
      size_t i = next++;
      if (i >= windows.size()) return;
      const Extent& w = windows[i];
      if (Status s = ReadFully(fd, buf.data(), w.size(), w.begin, path); !s.ok()) {
        Fail(s);
        return;
      }
      uint64_t data = 0, already = 0;
      std::vector<Extent> runs =
          PagesToSend(buf.data(), w.begin, w.size(), present, &data, &already);
      for (const Extent& run : runs) {
        if (!Send(*conn.blob, buf, w.begin, run)) return;
      }
      std::lock_guard<std::mutex> lock(mu);
      data_bytes += data;
      progress.present_bytes += already;
      progress.read_bytes += w.size();
      if (options.progress) options.progress(progress);
    }
  }
};

}  // namespace

Result<UploadResult> UploadVhd(const std::string& path, const std::string& url,
                               const UploadOptions& options) {
  Result<VhdInspection> inspected = InspectVhd(path);
  if (!inspected.ok()) return inspected.status();
  Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));  // a FIFO must not block
  if (file.fd < 0) return Status::IOError(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) return Status::IOError(path + ": stat: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(path + ": not a regular file");
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size != inspected->file_size) return Status::IOError(path + ": changed while being read");
  const std::string marker = Marker(st, inspected->footer);

  Upload up(options, path, url);
  up.fd = file.fd;
  UploadResult result;
  result.file_size = size;

  BlobConnection setup = options.connect();
  azure::BlobClient& blob = *setup.blob;
  Result<azure::BlobProperties> props =
      WithRetries(options, &up.retries, [&] { return blob.GetProperties(url); });
  if (!props.ok()) return props.status();
  bool create = !props->exists;
  if (props->exists) {
    std::string why;
    auto found = props->metadata.find(kUploadMarkerName);
    if (props->type != "PageBlob") {
      why = "exists as a " + (props->type.empty() ? std::string("blob") : props->type) +
            ", not a page blob";
    } else if (props->size != size) {
      why = "exists as a page blob of " + std::to_string(props->size) + " bytes, not the " +
            std::to_string(size) + " of " + path;
    } else if (found == props->metadata.end() || found->second != marker) {
      why = found == props->metadata.end()
                ? "exists and was not written by `easel image upload`"
                : "exists and was written by an upload of another file (or of this file before "
                  "it last changed)";
    }
    if (!why.empty() && !options.overwrite) {
      return Status::AlreadyExists(url + ": " + why + "; --overwrite replaces it");
    }
    create = !why.empty();
  }
  if (create) {
    Status s = WithRetries(options, &up.retries, [&] {
      return blob.CreatePageBlob(url, size, {{kUploadMarkerName, marker}});
    });
    if (!s.ok()) return s;
  } else {
    result.resumed = true;
    Result<std::vector<azure::PageRange>> ranges =
        WithRetries(options, &up.retries, [&] { return blob.GetPageRanges(url); });
    if (!ranges.ok()) return ranges.status();
    for (const azure::PageRange& r : *ranges) {
      if (!up.present.empty() && r.begin <= up.present.back().end) {
        up.present.back().end = std::max(up.present.back().end, r.end);
      } else {
        up.present.push_back({r.begin, r.end});
      }
    }
  }

  Result<std::vector<Extent>> extents = DataExtents(file.fd, size, path);
  if (!extents.ok()) return extents.status();
  up.windows = PageWindows(*extents, size);
  for (const Extent& w : up.windows) up.progress.extent_bytes += w.size();

  size_t workers =
      std::min<size_t>(static_cast<size_t>(std::max(options.connections, 1)), up.windows.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < workers; ++i) threads.emplace_back([&up] { up.Work(); });
  for (std::thread& t : threads) t.join();

  result.data_bytes = up.data_bytes;
  result.sent_bytes = up.progress.sent_bytes;
  result.present_bytes = up.progress.present_bytes;
  result.puts = up.puts;
  result.retries = up.retries;
  if (!up.error.ok()) return up.error;

  struct stat after {};
  if (::fstat(file.fd, &after) != 0 || after.st_size != st.st_size ||
      after.st_mtim.tv_sec != st.st_mtim.tv_sec || after.st_mtim.tv_nsec != st.st_mtim.tv_nsec) {
    return Status::IOError(path +
                           ": changed while being uploaded; upload it again with "
                           "--overwrite");
  }
  return result;
}

}  // namespace easel::image
