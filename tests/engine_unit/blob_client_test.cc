// Shared Key's string to sign and blob URL resolution (src/azure/blob_client.h), per
// ../shared/azure-reference.md §5.
#include "azure/blob_client.h"

#include <gtest/gtest.h>

#include <string>

namespace easel::azure {
namespace {

// The 11 standard headers after the verb, each followed by '\n', all empty but those given.
struct Standard {
  std::string content_encoding, content_language, content_length, content_md5, content_type, date,
      if_modified_since, if_match, if_none_match, if_unmodified_since, range;
  std::string Lines() const {
    std::string s;
    for (const std::string* v :
         {&content_encoding, &content_language, &content_length, &content_md5, &content_type, &date,
          &if_modified_since, &if_match, &if_none_match, &if_unmodified_since, &range}) {
      s += *v + "\n";
    }
    return s;
  }
};

Cloud PublicCloud() {
  Cloud c;
  c.name = "AzurePublicCloud";
  c.blob_endpoint = "https://{account}.blob.core.windows.net/";
  return c;
}

Cloud LocalCloud() {
  Cloud c;
  c.name = "custom";
  c.blob_endpoint = "https://127.0.0.1:9/{account}/";
  return c;
}

TEST(SharedKey, PutPageSignsLengthTypeSortedMsHeadersAndSortedQuery) {
  HttpRequest req;
  req.method = "PUT";
  req.url = "https://acct.blob.core.windows.net/c/b.vhd?comp=page&Timeout=30";
  req.headers["Content-Type"] = "application/octet-stream";
  req.headers["x-ms-version"] = "2021-12-02";
  req.headers["x-ms-date"] = "Mon, 01 Jan 2024 00:00:00 GMT";
  req.headers["X-MS-Page-Write"] = "update";
  req.headers["x-ms-range"] = "bytes=0-511";
  req.body = std::string(512, 'x');
  Standard std_headers;
  std_headers.content_length = "512";
  std_headers.content_type = "application/octet-stream";
  EXPECT_EQ(SharedKeyStringToSign(req, "acct"), "PUT\n" + std_headers.Lines() +
                                                    "x-ms-date:Mon, 01 Jan 2024 00:00:00 GMT\n"
                                                    "x-ms-page-write:update\n"
                                                    "x-ms-range:bytes=0-511\n"
                                                    "x-ms-version:2021-12-02\n"
                                                    "/acct/c/b.vhd\ncomp:page\ntimeout:30");
}

TEST(SharedKey, StandardHeadersComeInTheirFixedOrder) {
  HttpRequest req;
  req.method = "GET";
  req.url = "https://acct.blob.core.windows.net/c/b";
  req.headers["Range"] = "bytes=0-1";
  req.headers["If-Unmodified-Since"] = "ius";
  req.headers["If-None-Match"] = "inm";
  req.headers["If-Match"] = "im";
  req.headers["If-Modified-Since"] = "ims";
  req.headers["Date"] = "d";
  req.headers["Content-Type"] = "t";
  req.headers["Content-MD5"] = "md5";
  req.headers["Content-Language"] = "en";
  req.headers["Content-Encoding"] = "gzip";
  Standard s{"gzip", "en", "", "md5", "t", "d", "ims", "im", "inm", "ius", "bytes=0-1"};
  EXPECT_EQ(SharedKeyStringToSign(req, "acct"), "GET\n" + s.Lines() + "/acct/c/b");
}

TEST(SharedKey, ContentLengthIsEmptyWhenZero) {
  HttpRequest req;
  req.method = "PUT";
  req.url = "https://acct.blob.core.windows.net/c/b";
  req.headers["Content-Length"] = "0";
  req.headers["x-ms-blob-type"] = "PageBlob";
  EXPECT_EQ(SharedKeyStringToSign(req, "acct"),
            "PUT\n" + Standard{}.Lines() + "x-ms-blob-type:PageBlob\n/acct/c/b");
}

TEST(SharedKey, PathStyleUrlRepeatsTheAccount) {
  HttpRequest req;
  req.method = "PUT";
  req.url = "https://127.0.0.1:1234/acct/c/b?comp=page";
  EXPECT_EQ(SharedKeyStringToSign(req, "acct"),
            "PUT\n" + Standard{}.Lines() + "/acct/acct/c/b\ncomp:page");
}

TEST(SharedKey, QueryParametersAreSortedByName) {
  HttpRequest req;
  req.method = "GET";
  req.url = "https://acct.blob.core.windows.net/c?restype=container&comp=list";
  std::string s = SharedKeyStringToSign(req, "acct");
  EXPECT_EQ(s, "GET\n" + Standard{}.Lines() + "/acct/c\ncomp:list\nrestype:container");
}

TEST(SharedKey, PutPageWithContentMd5SignsIt) {
  HttpRequest req;
  req.method = "PUT";
  req.url = "https://acct.blob.core.windows.net/c/b.vhd?comp=page";
  req.headers["Content-MD5"] = "1B2M2Y8AsgTpgAmY7PhCfg==";
  req.headers["x-ms-range"] = "bytes=512-1023";
  req.body = std::string(512, 'x');
  Standard s;
  s.content_length = "512";
  s.content_md5 = "1B2M2Y8AsgTpgAmY7PhCfg==";
  EXPECT_EQ(SharedKeyStringToSign(req, "acct"),
            "PUT\n" + s.Lines() + "x-ms-range:bytes=512-1023\n/acct/c/b.vhd\ncomp:page");
}

// The service SAS fields of version 2020-12-06 and later, per Microsoft's "Create a service SAS":
// sp, st, se, canonicalized resource, si, sip, spr, sv, sr, snapshot time, ses, rscc, rscd, rsce,
// rscl, rsct.
TEST(ServiceSas, BlobStringToSignHasEveryFieldInOrder) {
  ServiceSasOptions o;
  o.account = "acct";
  o.container = "vhds";
  o.blob = "disk.vhd";
  o.permissions = "rcw";
  o.expiry = "2030-01-01T00:00:00Z";
  EXPECT_EQ(
      ServiceSasStringToSign(o),
      "rcw\n\n2030-01-01T00:00:00Z\n/blob/acct/vhds/disk.vhd\n\n\n\n2021-12-02\nb\n\n\n\n\n\n\n");
}

TEST(ServiceSas, ContainerSasSignsTheContainerAndIsUrlEncoded) {
  ServiceSasOptions o;
  o.account = "acct";
  o.container = "vhds";
  o.permissions = "rcw";
  o.expiry = "2030-01-01T00:00:00Z";
  EXPECT_EQ(ServiceSasStringToSign(o),
            "rcw\n\n2030-01-01T00:00:00Z\n/blob/acct/vhds\n\n\n\n2021-12-02\nc\n\n\n\n\n\n\n");
  // HMAC-SHA256 with the key "key" (base64 a2V5), base64, URL-encoded.
  Result<std::string> sas = MakeServiceSas(o, "a2V5");
  ASSERT_TRUE(sas.ok());
  EXPECT_EQ(sas->substr(0, sas->find("&sig=")),
            "sv=2021-12-02&sr=c&sp=rcw&se=2030-01-01T00%3A00%3A00Z");
  // Computed independently (Python's hmac, base64 and urllib.parse.quote).
  EXPECT_EQ(sas->substr(sas->find("&sig=") + 5),
            "YSl%2FQZ5rLgqMPDjZiTju%2Fj10ie%2F%2FLiBUxKrCWdxJTS8%3D");
  EXPECT_FALSE(MakeServiceSas(o, "not base64!").ok());
}

TEST(ResolveBlobUrl, PublicCloudKeepsThePublicUrl) {
  const std::string url = "https://acct.blob.core.windows.net/images/base.vhd";
  EXPECT_EQ(ResolveBlobUrl(PublicCloud(), url), url);
}

TEST(ResolveBlobUrl, OtherCloudRewritesOntoItsBlobEndpoint) {
  EXPECT_EQ(ResolveBlobUrl(LocalCloud(), "https://acct.blob.core.windows.net/images/base.vhd"),
            "https://127.0.0.1:9/acct/images/base.vhd");
  EXPECT_EQ(ResolveBlobUrl(LocalCloud(), "https://acct.blob.core.windows.net/c/b?comp=page"),
            "https://127.0.0.1:9/acct/c/b?comp=page");
}

TEST(ResolveBlobUrl, NonBlobUrlsAreUnchanged) {
  for (const char* url :
       {"https://example.com/images/base.vhd", "https://management.azure.com/subscriptions/s1",
        "https://example.com/x.blob.core.windows.net/c/b"}) {
    EXPECT_EQ(ResolveBlobUrl(LocalCloud(), url), url);
  }
}

}  // namespace
}  // namespace easel::azure
