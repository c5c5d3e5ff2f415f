// The pieces of `easel image upload` without a server: which pages are sent (page_runs.h), what a
// Put Page that storage answers 400 Md5Mismatch becomes, and a Get Page Ranges list in two parts
// (fake HTTP clients).
#include <gtest/gtest.h>

#include <mutex>
#include <string>

#include "image/page_runs.h"
#include "image/vhd_upload.h"
#include "tests/image/disk_util.h"

namespace easel::image {
namespace {

using easel::image_test::kMiB;

TEST(PageWindows, WidenToPagesMergeAndCutAt4MiB) {
  std::vector<Extent> w =
      PageWindows({{100, 600}, {1000, 1100}, {3 * kMiB, 9 * kMiB + 7}}, 20 * kMiB);
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[0].begin, 0u);  // [100, 600) and [1000, 1100) widen to [0, 1536): merged
  EXPECT_EQ(w[0].end, 1536u);
  EXPECT_EQ(w[1].begin, 3 * kMiB);
  EXPECT_EQ(w[1].end, 4 * kMiB);  // cut at the 4 MiB boundary
  EXPECT_EQ(w[2].begin, 4 * kMiB);
  EXPECT_EQ(w[2].end, 8 * kMiB);
  EXPECT_EQ(w[3].begin, 8 * kMiB);
  EXPECT_EQ(w[3].end, 9 * kMiB + 512);  // the end rounded up to a whole page
}

TEST(PagesToSend, SkipsZeroPagesAndPagesTheBlobHolds) {
  std::string buf(8 * 512, '\0');
  buf[0] = 1;              // page 0
  buf[512 + 511] = 1;      // page 1
  buf[3 * 512 + 5] = 1;    // page 3
  buf[4 * 512] = 1;        // page 4: present
  buf[6 * 512 + 100] = 1;  // page 6
  uint64_t data = 0, present = 0;
  std::vector<Extent> runs = PagesToSend(buf.data(), 1 * kMiB, buf.size(),
                                         {{kMiB + 4 * 512, kMiB + 5 * 512}}, &data, &present);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].begin, kMiB);
  EXPECT_EQ(runs[0].end, kMiB + 1024);
  EXPECT_EQ(runs[1].begin, kMiB + 3 * 512);
  EXPECT_EQ(runs[1].end, kMiB + 4 * 512);
  EXPECT_EQ(runs[2].begin, kMiB + 6 * 512);
  EXPECT_EQ(runs[2].end, kMiB + 7 * 512);
  EXPECT_EQ(data, 5u * 512);
  EXPECT_EQ(present, 512u);
}

// Storage that has no blob, creates it, and answers every Put Page 400 Md5Mismatch.
class CorruptingStorage : public HttpClient {
 public:
  Result<HttpResponse> Send(const HttpRequest& request) override {
    HttpResponse r;
    if (request.method == "HEAD") {
      r.status = 404;
    } else if (request.url.find("comp=page") == std::string::npos) {
      r.status = 201;
    } else {
      r.status = 400;
      r.headers["x-ms-error-code"] = "Md5Mismatch";
    }
    return r;
  }
};

TEST(UploadVhd, AnMd5MismatchIsAnErrorNamingTheRange) {
  easel::testing::TempDir dir;
  const std::string vhd = dir.File("disk.vhd");
  easel::image_test::MakeScatteredVhd(dir, vhd);
  UploadOptions o;
  o.connections = 1;
  o.connect = [] {
    BlobConnection c;
    c.http = std::make_unique<CorruptingStorage>();
    c.blob = std::make_unique<azure::BlobClient>(c.http.get(), "acct", "a2V5");
    return c;
  };
  Result<UploadResult> r = UploadVhd(vhd, "https://acct.blob.core.windows.net/c/disk.vhd", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("bytes 0-"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("HTTP 400 Md5Mismatch"), std::string::npos)
      << r.status().message();
}

// Get Page Ranges cut in two by a NextMarker.
class PagedStorage : public HttpClient {
 public:
  Result<HttpResponse> Send(const HttpRequest& request) override {
    HttpResponse r;
    r.status = 200;
    bool second = request.url.find("&marker=next%2F1") != std::string::npos;
    r.body = second ? "<PageList><PageRange><Start>1024</Start><End>1535</End></PageRange>"
                      "<NextMarker /></PageList>"
                    : "<PageList><PageRange><Start>0</Start><End>511</End></PageRange>"
                      "<NextMarker>next/1</NextMarker></PageList>";
    return r;
  }
};

TEST(GetPageRanges, FollowsNextMarker) {
  PagedStorage http;
  azure::BlobClient blob(&http, "acct", "a2V5");
  Result<std::vector<azure::PageRange>> ranges =
      blob.GetPageRanges("https://acct.blob.core.windows.net/c/disk.vhd");
  ASSERT_TRUE(ranges.ok()) << ranges.status().ToString();
  ASSERT_EQ(ranges->size(), 2u);
  EXPECT_EQ((*ranges)[0].begin, 0u);
  EXPECT_EQ((*ranges)[0].end, 512u);
  EXPECT_EQ((*ranges)[1].begin, 1024u);
  EXPECT_EQ((*ranges)[1].end, 1536u);
}

}  // namespace
}  // namespace easel::image
