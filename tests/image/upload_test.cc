// `easel image upload`, the real binary, against a real azsim started by `easel local up` on free
// loopback ports: a fixed VHD made by the real qemu-img round-trips byte for byte, only its data
// pages are sent (azsim's request log counts the bytes), an interrupted upload resumes sending
// only what is missing, every auth mode works, and errors name their cause without a secret.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "azure/blob_client.h"
#include "e2e/harness.h"
#include "tests/image/disk_util.h"

namespace easel {
namespace {

using easel::image_test::kMiB;
using easel::image_test::ScatteredDisk;
using easel::testing::ShellQuote;
using nlohmann::json;

constexpr char kStorageApi[] = "2025-06-01";
constexpr char kAccount[] = "uploadtests";
constexpr char kContainer[] = "vhds";

class Upload : public e2e::SharedLocalAzureTest {
 protected:
  static void SetUpTestSuite() {
    e2e::SharedLocalAzureTest::SetUpTestSuite();
    if (!azure_->ok()) return;
    std::string sub = "/subscriptions/" + azure_->subscription() + "/resourceGroups/";
    account_id_ = sub + "upload-rg/providers/Microsoft.Storage/storageAccounts/" + kAccount;
    (void)azure_->arm().Call("PUT", sub + "upload-rg", "2024-11-01", json{{"location", "eastus"}});
    (void)azure_->arm().Call(
        "PUT", account_id_, kStorageApi,
        json{{"location", "eastus"}, {"sku", {{"name", "Standard_LRS"}}}, {"kind", "StorageV2"}});
    (void)azure_->arm().Call("PUT", account_id_ + "/blobServices/default/containers/" + kContainer,
                             kStorageApi, json::object());
    std::ifstream in(azure_->home() + "/.easel/local/azsim.ready.json");
    std::stringstream ss;
    ss << in.rdbuf();
    blob_base_ = json::parse(ss.str(), nullptr, false).value("blob", "");
  }

  // The blob's URL (azsim serves path-style URLs: {blob base}/{account}/{container}/{name}).
  static std::string Url(const std::string& name, const std::string& container = kContainer) {
    std::string base = blob_base_;
    if (!base.empty() && base.back() != '/') base += '/';
    return base + kAccount + "/" + container + "/" + name;
  }

  // A blob client signing with the test principal's token (it has a data role in azsim).
  azure::BlobClient Client() {
    return azure::BlobClient(&azure_->http(), kAccount, &azure_->credential(),
                             "https://storage.azure.com/.default");
  }

  // The whole blob, read in 4 MiB ranges.
  std::string Download(const std::string& name) {
    azure::BlobClient blob = Client();
    Result<azure::BlobProperties> p = blob.GetProperties(Url(name));
    EXPECT_TRUE(p.ok() && p->exists) << name;
    if (!p.ok() || !p->exists) return "";
    std::string data;
    for (uint64_t at = 0; at < p->size; at += 4 * kMiB) {
      Result<std::string> part = blob.ReadRange(Url(name), at, std::min(4 * kMiB, p->size - at));
      EXPECT_TRUE(part.ok()) << part.status().ToString();
      if (!part.ok()) return "";
      data += *part;
    }
    return data;
  }

  // The request body bytes of the Put Page calls azsim logged for `name` after `since`, and how
  // many there were: PUTs of the blob's path with a body (Create has none).
  std::pair<uint64_t, int> PutPageBytes(const std::string& name, int64_t since) {
    uint64_t bytes = 0;
    int puts = 0;
    std::string path = "/" + std::string(kAccount) + "/" + kContainer + "/" + name;
    for (const json& line : azure_->Requests(since)) {
      if (line.value("service", "") != "blob" || line.value("method", "") != "PUT" ||
          line.value("path", "") != path || line.value("status", 0) != 201) {
        continue;
      }
      uint64_t n = line.value("requestBytes", uint64_t{0});
      if (n == 0) continue;
      bytes += n;
      ++puts;
    }
    return {bytes, puts};
  }

  e2e::CommandResult Run(const std::string& file, const std::string& args) {
    return azure_->Easel("image upload " + ShellQuote(file) + " --account " + kAccount +
                         " --container " + kContainer + " " + args);
  }

  static std::string account_id_, blob_base_;
};

std::string Upload::account_id_, Upload::blob_base_;

TEST_F(Upload, QemuVhdRoundTripsAndOnlyItsDataPagesAreSent) {
  ScatteredDisk disk;
  const std::string &vhd = disk.vhd, &file = disk.file;
  const uint64_t data = disk.data;
  ASSERT_EQ(file.size(), 64 * kMiB + 512);
  ASSERT_LT(data, 5 * kMiB);  // about 4.5 MiB of data and the footer

  int64_t since = e2e::LastSeq(*azure_);
  e2e::CommandResult up = Run(vhd, "--name roundtrip.vhd");
  ASSERT_EQ(up.exit_code, 0) << up.output;
  EXPECT_NE(up.output.find(std::to_string(data) + " bytes of data sent"), std::string::npos)
      << up.output;
  EXPECT_TRUE(Download("roundtrip.vhd") == file) << "the blob differs from the file";
  auto [sent, puts] = PutPageBytes("roundtrip.vhd", since);
  // Exactly the non-zero pages: not the holes, not the allocated zeros at 30 MiB, not the
  // virtual size.
  EXPECT_EQ(sent, data);
  EXPECT_GT(puts, 1);
  EXPECT_LT(sent * 10, file.size());

  // Again: the blob is complete, nothing is sent.
  since = e2e::LastSeq(*azure_);
  e2e::CommandResult again = Run(vhd, "--name roundtrip.vhd");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("resumed: " + std::to_string(data)), std::string::npos)
      << again.output;
  EXPECT_EQ(PutPageBytes("roundtrip.vhd", since).first, 0u);
}

TEST_F(Upload, AnInterruptedUploadResumesSendingOnlyWhatIsMissing) {
  ScatteredDisk disk;
  const std::string &vhd = disk.vhd, &file = disk.file;
  const uint64_t data = disk.data;

  int64_t since = e2e::LastSeq(*azure_);
  e2e::CommandResult first = Run(vhd, "--name resume.vhd --connections 1 --stop-after-puts 2");
  ASSERT_NE(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("stopped after 2 Put Page requests"), std::string::npos)
      << first.output;
  auto [first_sent, first_puts] = PutPageBytes("resume.vhd", since);
  EXPECT_EQ(first_puts, 2);
  ASSERT_GT(first_sent, 0u);
  ASSERT_LT(first_sent, data);

  since = e2e::LastSeq(*azure_);
  e2e::CommandResult second = Run(vhd, "--name resume.vhd");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("resumed: " + std::to_string(first_sent) + " bytes"),
            std::string::npos)
      << second.output;
  EXPECT_EQ(PutPageBytes("resume.vhd", since).first, data - first_sent);
  EXPECT_TRUE(Download("resume.vhd") == file) << "the resumed blob differs from the file";
}

TEST_F(Upload, AKilledUploadResumesAndEveryPageIsSentOnce) {
  ScatteredDisk disk;
  const std::string &vhd = disk.vhd, &file = disk.file;
  const uint64_t data = disk.data;

  int64_t since = e2e::LastSeq(*azure_);
  int pid = azure_->SpawnEasel({"image", "upload", vhd, "--account", kAccount, "--container",
                                kContainer, "--name", "killed.vhd", "--connections", "2"});
  // SIGKILL once azsim has written a page of it (or once it has ended by itself).
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (PutPageBytes("killed.vhd", since).second >= 1) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  e2e::CommandResult second = Run(vhd, "--name killed.vhd");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  // What azsim wrote before the kill is not sent again: the two runs together wrote every data
  // page once (counted once both have ended: azsim logs a request after handling it).
  EXPECT_EQ(PutPageBytes("killed.vhd", since).first, data);
  EXPECT_TRUE(Download("killed.vhd") == file) << "the resumed blob differs from the file";
}

TEST_F(Upload, SharedKeyAndSasWorkAndNoSecretIsPrinted) {
  ScatteredDisk disk;
  const std::string &vhd = disk.vhd, &file = disk.file;
  Result<std::string> key = azure::ListFirstKey(azure_->arm(), account_id_, kStorageApi);
  ASSERT_TRUE(key.ok()) << key.status().ToString();

  ::unsetenv("AZURE_STORAGE_KEY");
  e2e::CommandResult missing = Run(vhd, "--name key.vhd --shared-key");
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("AZURE_STORAGE_KEY"), std::string::npos) << missing.output;

  ::setenv("AZURE_STORAGE_KEY", key->c_str(), 1);  // the easel processes inherit it
  e2e::CommandResult keyed = Run(vhd, "--name key.vhd --shared-key");
  ::unsetenv("AZURE_STORAGE_KEY");
  ASSERT_EQ(keyed.exit_code, 0) << keyed.output;
  EXPECT_EQ(keyed.output.find(*key), std::string::npos);
  EXPECT_TRUE(Download("key.vhd") == file);

  azure::ServiceSasOptions sas;
  sas.account = kAccount;
  sas.container = kContainer;
  sas.permissions = "rcw";
  sas.expiry = "2099-01-01T00:00:00Z";
  Result<std::string> token = azure::MakeServiceSas(sas, *key);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  e2e::CommandResult signed_up = Run(vhd, "--name sas.vhd --sas " + ShellQuote(*token));
  ASSERT_EQ(signed_up.exit_code, 0) << signed_up.output;
  EXPECT_TRUE(Download("sas.vhd") == file);
  std::string sig = token->substr(token->find("sig=") + 4);
  EXPECT_EQ(signed_up.output.find(sig), std::string::npos) << signed_up.output;

  // A read-only SAS: 403, named, the SAS not printed.
  sas.permissions = "r";
  Result<std::string> read_only = azure::MakeServiceSas(sas, *key);
  ASSERT_TRUE(read_only.ok());
  e2e::CommandResult refused = Run(vhd, "--name sas2.vhd --sas " + ShellQuote(*read_only));
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("403 AuthorizationPermissionMismatch"), std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("sp=rcw"), std::string::npos) << refused.output;
  std::string read_only_sig = read_only->substr(read_only->find("sig=") + 4);
  EXPECT_EQ(refused.output.find(read_only_sig), std::string::npos) << refused.output;
}

TEST_F(Upload, ErrorsNameTheirCause) {
  ScatteredDisk disk;
  const std::string& vhd = disk.vhd;

  // Not an Azure-ready VHD: the inspect message, nothing sent.
  const std::string raw = disk.dir.File("plain.raw");
  easel::image_test::WriteAt(raw, 0, easel::image_test::Noise(4096, 7));
  e2e::CommandResult not_vhd = Run(raw, "");
  EXPECT_EQ(not_vhd.exit_code, 2) << not_vhd.output;
  EXPECT_NE(not_vhd.output.find("plain.raw: bad cookie"), std::string::npos) << not_vhd.output;

  e2e::CommandResult no_container = azure_->Easel(
      "image upload " + ShellQuote(vhd) + " --account " + kAccount + " --container missing");
  EXPECT_EQ(no_container.exit_code, 2) << no_container.output;
  EXPECT_NE(no_container.output.find("container missing does not exist in account " +
                                     std::string(kAccount)),
            std::string::npos)
      << no_container.output;

  // A page blob of another size, and a block blob, are not replaced without --overwrite.
  azure::BlobClient blob = Client();
  ASSERT_TRUE(blob.CreatePageBlob(Url("other-size.vhd"), 8 * kMiB).ok());
  e2e::CommandResult size = Run(vhd, "--name other-size.vhd");
  EXPECT_EQ(size.exit_code, 2) << size.output;
  EXPECT_NE(size.output.find("exists as a page blob of 8388608 bytes, not the 67109376"),
            std::string::npos)
      << size.output;
  EXPECT_NE(size.output.find("--overwrite replaces it"), std::string::npos) << size.output;
  e2e::CommandResult replaced = Run(vhd, "--name other-size.vhd --overwrite");
  EXPECT_EQ(replaced.exit_code, 0) << replaced.output;

  HttpRequest put;
  put.method = "PUT";
  put.url = Url("block.vhd");
  put.headers["x-ms-blob-type"] = "BlockBlob";
  put.headers["x-ms-version"] = "2021-12-02";
  Result<azure::AccessToken> token =
      azure_->credential().GetToken("https://storage.azure.com/.default");
  ASSERT_TRUE(token.ok());
  put.headers["Authorization"] = "Bearer " + token->token;
  put.body = "not a disk";
  Result<HttpResponse> made = azure_->http().Send(put);
  ASSERT_TRUE(made.ok() && made->status == 201) << (made.ok() ? made->body : "");
  e2e::CommandResult block = Run(vhd, "--name block.vhd");
  EXPECT_EQ(block.exit_code, 2) << block.output;
  EXPECT_NE(block.output.find("exists as a BlockBlob, not a page blob"), std::string::npos)
      << block.output;

  // A page blob of the right size that no upload of this file made.
  ASSERT_TRUE(blob.CreatePageBlob(Url("foreign.vhd"), 64 * kMiB + 512).ok());
  e2e::CommandResult foreign = Run(vhd, "--name foreign.vhd");
  EXPECT_EQ(foreign.exit_code, 2) << foreign.output;
  EXPECT_NE(foreign.output.find("was not written by `easel image upload`"), std::string::npos)
      << foreign.output;
}

// The context's principal without a data role: 403 AuthorizationPermissionMismatch, and what to
// grant (the role is given back at the end).
TEST_F(Upload, WithoutADataRoleTheErrorNamesTheRoleNeeded) {
  ScatteredDisk disk;
  json role = azure_->RemoveDataRole();
  ASSERT_FALSE(role.is_null()) << "azsim's default principal has no data role to take away";
  e2e::CommandResult up = Run(disk.vhd, "--name norole.vhd");
  EXPECT_TRUE(azure_->RestoreDataRole(role));
  EXPECT_EQ(up.exit_code, 1) << up.output;
  EXPECT_NE(up.output.find("HTTP 403 AuthorizationPermissionMismatch"), std::string::npos)
      << up.output;
  EXPECT_NE(up.output.find("Storage Blob Data Contributor"), std::string::npos) << up.output;
  EXPECT_EQ(up.output.find("Bearer"), std::string::npos) << up.output;
}

TEST_F(Upload, TransientFailuresAreRetried) {
  ScatteredDisk disk;
  const std::string& vhd = disk.vhd;
  azure_->Admin("PUT", "faults",
                R"({"rules":[{"service":"blob","kind":"write","fault":"503","count":3,)"
                R"("retryAfter":0},{"service":"blob","kind":"write","fault":"500","count":1}]})");
  e2e::CommandResult up = Run(vhd, "--name retried.vhd");
  azure_->Admin("PUT", "faults", R"({"rules":[]})");
  ASSERT_EQ(up.exit_code, 0) << up.output;
  EXPECT_NE(up.output.find("4 requests retried"), std::string::npos) << up.output;
  EXPECT_TRUE(Download("retried.vhd") == disk.file);

  // Storage that stays busy: a bounded number of attempts, then the error names the cause.
  azure_->Admin("PUT", "faults",
                R"({"rules":[{"service":"blob","kind":"write","fault":"503","retryAfter":0}]})");
  e2e::CommandResult busy = Run(vhd, "--name busy.vhd");
  azure_->Admin("PUT", "faults", R"({"rules":[]})");
  EXPECT_EQ(busy.exit_code, 1) << busy.output;
  EXPECT_NE(busy.output.find("HTTP 503 ServerBusy (gave up after 6 attempts)"), std::string::npos)
      << busy.output;
}

}  // namespace
}  // namespace easel
