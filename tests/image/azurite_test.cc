// easel's blob client and upload against a real Azurite (npm `azurite`, installed in
// tests/azurite by scripts/install-deps), Microsoft's own Azure Storage emulator, started on a
// free loopback port: Shared Key signing, the page blob calls, a resumable upload of a qemu-img
// VHD, and a service SAS, judged by another implementation than azsim.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "azure/blob_client.h"
#include "image/vhd_upload.h"
#include "tests/image/disk_util.h"

namespace easel {
namespace {

using easel::image_test::kMiB;
using easel::image_test::NonZeroPageBytes;
using easel::image_test::ScatteredDisk;
using easel::testing::TempDir;

// Azurite's well-known development account and key (published in its documentation).
constexpr char kAccount[] = "devstoreaccount1";
constexpr char kKey[] =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

// A loopback port that was free a moment ago (bound to port 0, then released).
int FreePort() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(s);
    return -1;
  }
  ::close(s);
  return ntohs(a.sin_port);
}

bool Listening(int port) {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(s);
  return ok;
}

// azurite-blob on a free loopback port, its data in a temporary directory, stopped (SIGTERM) when
// destroyed.
class Azurite {
 public:
  Azurite() {
    for (int attempt = 0; attempt < 5 && port_ < 0; ++attempt) {
      int port = FreePort();
      pid_t pid = ::fork();
      if (pid == 0) {
        std::string p = std::to_string(port);
        const char* bin = EASEL_SOURCE_DIR "/tests/azurite/node_modules/.bin/azurite-blob";
        ::execl(bin, bin, "--blobHost", "127.0.0.1", "--blobPort", p.c_str(), "--silent",
                "--disableTelemetry", "--location", dir_.path().c_str(),
                static_cast<char*>(nullptr));
        std::_Exit(127);
      }
      // Up within 60 s, or it exited (the port was taken meanwhile: try another).
      for (int i = 0; i < 600; ++i) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) break;
        if (Listening(port)) {
          pid_ = pid;
          port_ = port;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (port_ < 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
      }
    }
  }
  ~Azurite() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool ok() const { return port_ > 0; }
  std::string Base() const { return "http://127.0.0.1:" + std::to_string(port_) + "/" + kAccount; }

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = -1;
};

class AzuriteTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { azurite_ = new Azurite(); }
  static void TearDownTestSuite() {
    delete azurite_;
    azurite_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(azurite_->ok()) << "azurite-blob did not start"; }

  image::UploadOptions Options(const std::string& sas = "") {
    image::UploadOptions o;
    o.connect = [sas] {
      image::BlobConnection c;
      c.http = std::make_unique<HttpClient>(HttpClientOptions{});
      if (sas.empty()) {
        c.blob = std::make_unique<azure::BlobClient>(c.http.get(), kAccount, kKey);
      } else {
        c.blob = std::make_unique<azure::BlobClient>(c.http.get(), kAccount, azure::SasToken{sas});
      }
      return c;
    };
    return o;
  }

  std::string Download(azure::BlobClient& blob, const std::string& url, uint64_t size) {
    std::string data;
    for (uint64_t at = 0; at < size; at += 4 * kMiB) {
      Result<std::string> part = blob.ReadRange(url, at, std::min(4 * kMiB, size - at));
      EXPECT_TRUE(part.ok()) << part.status().ToString();
      if (!part.ok()) return "";
      data += *part;
    }
    return data;
  }

  static Azurite* azurite_;
};

Azurite* AzuriteTest::azurite_ = nullptr;

TEST_F(AzuriteTest, SharedKeyPageBlobCallsAndAResumedUpload) {
  HttpClient http{HttpClientOptions{}};
  azure::BlobClient blob(&http, kAccount, kKey);
  const std::string container = azurite_->Base() + "/vhds";
  ASSERT_TRUE(blob.CreateContainer(container).ok());
  ASSERT_TRUE(blob.CreateContainer(container).ok()) << "an existing container is fine";

  // The page calls one by one.
  const std::string small = container + "/small.vhd";
  ASSERT_TRUE(blob.CreatePageBlob(small, 8 * kMiB, {{"easelupload", "marker"}}).ok());
  ASSERT_TRUE(blob.PutPages(small, 4096, std::string(1024, 'a')).ok());
  ASSERT_TRUE(blob.PutPages(small, 1 * kMiB, std::string(512, 'b')).ok());
  Result<std::vector<azure::PageRange>> ranges = blob.GetPageRanges(small);
  ASSERT_TRUE(ranges.ok()) << ranges.status().ToString();
  ASSERT_EQ(ranges->size(), 2u);
  EXPECT_EQ((*ranges)[0].begin, 4096u);
  EXPECT_EQ((*ranges)[0].end, 5120u);
  EXPECT_EQ((*ranges)[1].begin, kMiB);
  EXPECT_EQ((*ranges)[1].end, kMiB + 512);
  Result<azure::BlobProperties> props = blob.GetProperties(small);
  ASSERT_TRUE(props.ok()) << props.status().ToString();
  EXPECT_TRUE(props->exists);
  EXPECT_EQ(props->type, "PageBlob");
  EXPECT_EQ(props->size, 8 * kMiB);
  EXPECT_EQ(props->metadata["easelupload"], "marker");
  Result<std::string> read = blob.ReadRange(small, 4096 - 512, 2048);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, std::string(512, '\0') + std::string(1024, 'a') + std::string(512, '\0'));
  Result<azure::BlobProperties> none = blob.GetProperties(container + "/none.vhd");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->exists);
  Status missing = blob.CreatePageBlob(azurite_->Base() + "/nocontainer/x.vhd", 512);
  EXPECT_EQ(missing.code(), StatusCode::kNotFound) << missing.ToString();
  EXPECT_NE(missing.message().find("ContainerNotFound"), std::string::npos) << missing.ToString();
  azure::BlobClient wrong_key(&http, kAccount, std::string("AAAA") + (kKey + 4));
  // Refused (Azurite says 403 AuthorizationFailure where Azure says AuthenticationFailed).
  Result<std::vector<azure::PageRange>> refused = wrong_key.GetPageRanges(small);
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("HTTP 403"), std::string::npos)
      << refused.status().ToString();

  // The upload of a qemu-img VHD, stopped after two Put Pages, then resumed.
  ScatteredDisk disk;
  const std::string &vhd = disk.vhd, &file = disk.file;
  const std::string url = container + "/disk.vhd";
  image::UploadOptions stop = Options();
  stop.connections = 1;
  stop.stop_after_puts = 2;
  Result<image::UploadResult> first = image::UploadVhd(vhd, url, stop);
  ASSERT_FALSE(first.ok());
  EXPECT_NE(first.status().message().find("stopped after 2"), std::string::npos);
  Result<image::UploadResult> second = image::UploadVhd(vhd, url, Options());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->resumed);
  EXPECT_EQ(second->data_bytes, NonZeroPageBytes(file));
  EXPECT_GT(second->present_bytes, 0u);
  EXPECT_EQ(second->present_bytes + second->sent_bytes, second->data_bytes);
  EXPECT_TRUE(Download(blob, url, file.size()) == file) << "Azurite's blob differs from the file";
  Result<std::vector<azure::PageRange>> written = blob.GetPageRanges(url);
  ASSERT_TRUE(written.ok());
  uint64_t written_bytes = 0;
  for (const azure::PageRange& r : *written) written_bytes += r.end - r.begin;
  EXPECT_EQ(written_bytes, second->data_bytes) << "only data pages were written";
}

// The engine's VHD copy calls: Copy Blob within the account, followed through its copy state.
TEST_F(AzuriteTest, CopyBlobAndItsState) {
  HttpClient http{HttpClientOptions{}};
  azure::BlobClient blob(&http, kAccount, kKey);
  const std::string container = azurite_->Base() + "/copies";
  ASSERT_TRUE(blob.CreateContainer(container).ok());
  const std::string source = container + "/base.vhd", copy = container + "/copy.vhd";
  ASSERT_TRUE(blob.CreatePageBlob(source, kMiB).ok());
  ASSERT_TRUE(blob.PutPages(source, 0, std::string(4096, 'v')).ok());

  Result<azure::BlobCopyState> before = blob.CopyState(copy);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_FALSE(before->exists);
  Result<std::string> id = blob.StartCopy(source, copy);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_FALSE(id->empty());
  // Azurite copies within an account at once; Azure may report "pending" first.
  azure::BlobCopyState state;
  for (int i = 0; i < 50; ++i) {
    Result<azure::BlobCopyState> s = blob.CopyState(copy);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    state = *s;
    if (state.status != "pending") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(state.exists);
  EXPECT_EQ(state.status, "success");
  EXPECT_NE(state.source.find("/copies/base.vhd"), std::string::npos) << state.source;
  EXPECT_EQ(state.progress, std::to_string(kMiB) + "/" + std::to_string(kMiB));
  Result<std::string> read = blob.ReadRange(copy, 0, 4096);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, std::string(4096, 'v'));
}

// The image cache's ledger (engine/image_ledger.h) rests on two conditional calls: Set Blob
// Metadata and Delete Blob with If-Match. Of two writers that read the same ETag, exactly one
// wins; the other is told (kAborted) and must read again.
TEST_F(AzuriteTest, ConditionalMetadataAndDeleteAreACompareAndSwap) {
  HttpClient http{HttpClientOptions{}};
  azure::BlobClient blob(&http, kAccount, kKey);
  const std::string container = azurite_->Base() + "/ledger";
  ASSERT_TRUE(blob.CreateContainer(container).ok());
  const std::string url = container + "/cached.vhd";
  ASSERT_TRUE(blob.CreatePageBlob(url, kMiB, {{"easelupload", "done"}}).ok());
  Result<azure::BlobProperties> read = blob.GetProperties(url);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_FALSE(read->etag.empty());
  const std::string seen = read->etag;

  // Two clusters read the same ledger; the first write wins, the second is refused.
  Status first = blob.SetMetadata(url, {{"easelupload", "done"}, {"easelref_aaaa", "a"}}, seen);
  ASSERT_TRUE(first.ok()) << first.ToString();
  Status second = blob.SetMetadata(url, {{"easelupload", "done"}, {"easelref_bbbb", "b"}}, seen);
  EXPECT_EQ(second.code(), StatusCode::kAborted) << second.ToString();
  // The loser reads again and writes on top of the winner's entry.
  Result<azure::BlobProperties> again = blob.GetProperties(url);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->etag, seen);
  EXPECT_EQ(again->metadata.at("easelref_aaaa"), "a");
  ASSERT_TRUE(
      blob.SetMetadata(url,
                       {{"easelupload", "done"}, {"easelref_aaaa", "a"}, {"easelref_bbbb", "b"}},
                       again->etag)
          .ok());
  Result<azure::BlobProperties> both = blob.GetProperties(url);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->metadata.size(), 3u);

  // A delete with a stale ETag is refused; with the current one it goes.
  EXPECT_EQ(blob.DeleteBlob(url, again->etag).code(), StatusCode::kAborted);
  Status gone = blob.DeleteBlob(url, both->etag);
  EXPECT_TRUE(gone.ok()) << gone.ToString();
  Result<azure::BlobProperties> after = blob.GetProperties(url);
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->exists);
}

TEST_F(AzuriteTest, ServiceSasUpload) {
  HttpClient http{HttpClientOptions{}};
  azure::BlobClient blob(&http, kAccount, kKey);
  const std::string container = azurite_->Base() + "/sas";
  ASSERT_TRUE(blob.CreateContainer(container).ok());
  azure::ServiceSasOptions o;
  o.account = kAccount;
  o.container = "sas";
  o.permissions = "rcw";
  o.expiry = "2099-01-01T00:00:00Z";
  Result<std::string> sas = azure::MakeServiceSas(o, kKey);
  ASSERT_TRUE(sas.ok());

  ScatteredDisk disk;
  const std::string &vhd = disk.vhd, &file = disk.file;
  Result<image::UploadResult> up = image::UploadVhd(vhd, container + "/disk.vhd", Options(*sas));
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->sent_bytes, NonZeroPageBytes(file));
  EXPECT_TRUE(Download(blob, container + "/disk.vhd", file.size()) == file);

  // A read-only SAS is refused for writing: kPermissionDenied, the signature not in the message.
  o.permissions = "r";
  Result<std::string> read_only = azure::MakeServiceSas(o, kKey);
  ASSERT_TRUE(read_only.ok());
  Result<image::UploadResult> refused =
      image::UploadVhd(vhd, container + "/refused.vhd", Options(*read_only));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied) << refused.status().ToString();
  EXPECT_EQ(refused.status().message().find(read_only->substr(read_only->find("sig=") + 4)),
            std::string::npos);
}

}  // namespace
}  // namespace easel
