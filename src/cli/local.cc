#include "cli/local.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "azure/blob_client.h"
#include "azure/lro.h"
#include "azure/vhd.h"
#include "cli/config.h"
#include "cli/session.h"
#include "common/files.h"

namespace easel::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string LocalDir() { return EaselHome() + "/local"; }
std::string PidFile() { return LocalDir() + "/azsim.pid"; }
std::string ReadyFile() { return LocalDir() + "/azsim.ready.json"; }
// The ports of the last start: reused so that the local cloud's endpoints (and the blob URLs
// recorded in resources such as images) stay the same across restarts.
std::string PortsFile() { return LocalDir() + "/ports"; }

// The VHDs the examples reference, served by the local image catalog.
const char* const kCatalogAccount = "easelimages";
const char* const kCatalogImages[] = {"ubuntu-2404-kube-1.36.2.vhd", "ubuntu-2404-kube-1.37.1.vhd"};
constexpr uint64_t kCatalogImageSize = 64ull << 20;  // virtual size; sparse, so it costs little

std::string FindAzsim() {
  if (const char* env = std::getenv("EASEL_AZSIM"); env && *env) return env;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const fs::path& candidate :
         {self.parent_path() / "azsim", self.parent_path() / "../../sim/azsim"}) {
      if (fs::exists(candidate)) return fs::weakly_canonical(candidate).string();
    }
  }
  return "azsim";  // from PATH
}

int RunningPid() {
  std::ifstream in(PidFile());
  int pid = 0;
  if (!(in >> pid) || pid <= 0) return 0;
  return ::kill(pid, 0) == 0 ? pid : 0;
}

Result<Json> ReadyLine() {
  Result<std::string> text = ReadFileBounded(ReadyFile(), 64 << 10);
  if (!text.ok()) return text.status();
  Json j = Json::parse(*text, nullptr, false);
  if (!j.is_object()) return Status::Unavailable("azsim has not printed its ready line");
  return j;
}

// A public "image catalog" in the local Azure holding the base VHDs the examples use: a storage
// account, a container readable by anyone (as a marketplace-like source), and sparse page blobs
// that are valid fixed VHDs (zeros and a footer).
Status SeedImageCatalog(const std::string& subscription) {
  Result<std::unique_ptr<Session>> session = OpenSession(kLocalContext, "");
  if (!session.ok()) return session.status();
  azure::ArmClient& arm = *(*session)->arm;
  std::string rg = "/subscriptions/" + subscription + "/resourceGroups/easel-images";
  if (Status s = azure::PutAndWait(arm, rg, "2024-11-01", {{"location", "eastus"}}); !s.ok())
    return s;
  std::string account_id = rg + "/providers/Microsoft.Storage/storageAccounts/" + kCatalogAccount;
  Result<azure::ArmResponse> existing = arm.Call("GET", account_id, "2025-06-01");
  if (!existing.ok()) return existing.status();
  if (existing->status == 404) {
    Json body = {{"location", "eastus"},
                 {"sku", {{"name", "Standard_LRS"}}},
                 {"kind", "StorageV2"},
                 {"properties", {{"allowBlobPublicAccess", true}}}};
    if (Status s = azure::PutAndWait(arm, account_id, "2025-06-01", body); !s.ok()) return s;
  }
  std::string container_id = account_id + "/blobServices/default/containers/images";
  if (Status s = azure::PutAndWait(arm, container_id, "2025-06-01",
                                   {{"properties", {{"publicAccess", "Blob"}}}});
      !s.ok()) {
    return s;
  }
  Result<std::string> key = azure::ListFirstKey(arm, account_id, "2025-06-01");
  if (!key.ok()) return key.status();
  azure::BlobClient blob((*session)->http.get(), kCatalogAccount, *key);
  for (const char* image : kCatalogImages) {
    std::string url =
        azure::BlobEndpoint((*session)->context.cloud, kCatalogAccount) + "images/" + image;
    Result<azure::BlobCopyState> state = blob.CopyState(url);
    if (!state.ok()) return state.status();
    if (state->exists) continue;
    if (Status s = blob.CreatePageBlob(url, kCatalogImageSize + 512); !s.ok()) return s;
    if (Status s = blob.PutPages(url, kCatalogImageSize, azure::FixedVhdFooter(kCatalogImageSize));
        !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

Status WriteLocalContext(const Json& ready) {
  Result<Config> config = LoadConfig();
  if (!config.ok()) return config.status();
  Context ctx;
  ctx.name = kLocalContext;
  Result<azure::Cloud> cloud =
      azure::CustomCloud({kLocalCloudName, ready.value("authority", ""), ready.value("arm", ""),
                          ready.value("blob", "") + "/{account}/", ready.value("caFile", "")});
  if (!cloud.ok()) return Status(cloud.status().code(), "azsim: " + cloud.status().message());
  ctx.cloud = *cloud;
  ctx.cloud.imds_endpoint = ctx.cloud.arm_endpoint + "/metadata/identity/oauth2/token";
  ctx.credentials_file = LocalDir() + "/credentials.json";
  if (Status s = SaveCredentialsFile(ctx.credentials_file,
                                     {ready.value("tenantId", ""), ready.value("clientId", ""),
                                      ready.value("clientSecret", "")});
      !s.ok()) {
    return s;
  }
  config->contexts[kLocalContext] = ctx;
  config->current = kLocalContext;
  return SaveConfig(*config);
}

}  // namespace

Status LocalUp(const LocalOptions& options) {
  if (Status s = EnsurePrivateDirectory(EaselHome()); !s.ok()) return s;
  if (Status s = CreatePrivateDirectories(LocalDir() + "/state"); !s.ok()) return s;
  if (int pid = RunningPid()) {
    std::cout << "azsim is already running (pid " << pid << "); context local selected\n";
    Result<Json> ready = ReadyLine();
    if (!ready.ok()) return ready.status();
    return WriteLocalContext(*ready);
  }
  std::string azsim = FindAzsim();
  std::string arm_port = "0", blob_port = "0";
  {
    std::ifstream ports(PortsFile());
    ports >> arm_port >> blob_port;
  }
  Result<Json> ready = Status::Unavailable("azsim did not start");
  pid_t pid = 0;
  // The remembered ports first; if they are taken now, any free ones.
  for (int attempt = 0; attempt < 2 && !ready.ok(); ++attempt) {
    if (attempt == 1) arm_port = blob_port = "0";
    fs::remove(ReadyFile());
    pid = ::fork();
    if (pid < 0) return Status::IOError("fork failed");
    if (pid == 0) {
      ::setsid();
      // The ready line holds the local client secret: readable by this user only.
      int out = ::open(ReadyFile().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int err = ::open((LocalDir() + "/azsim.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      int in = ::open("/dev/null", O_RDONLY);
      ::dup2(in, 0);
      ::dup2(out, 1);
      ::dup2(err, 2);
      std::string scale = std::to_string(options.time_scale);
      std::string state = LocalDir() + "/state";
      std::string listen = "127.0.0.1:" + arm_port, blob_listen = "127.0.0.1:" + blob_port;
      execlp(azsim.c_str(), azsim.c_str(), "--listen", listen.c_str(), "--blob-listen",
             blob_listen.c_str(), "--state-dir", state.c_str(), "--time-scale", scale.c_str(),
             static_cast<char*>(nullptr));
      std::_Exit(127);
    }
    bool exited = false;
    for (int i = 0; i < 300 && !ready.ok() && !exited; ++i) {
      int status = 0;
      exited = ::waitpid(pid, &status, WNOHANG) == pid;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      ready = ReadyLine();
    }
    if (!ready.ok() && !exited) {
      ::kill(pid, SIGTERM);
      return Status::Unavailable("azsim did not report ready within 30 s; see " + LocalDir() +
                                 "/azsim.log");
    }
  }
  if (!ready.ok()) {
    return Status::Unavailable("azsim (" + azsim + ") exited at start; see " + LocalDir() +
                               "/azsim.log");
  }
  auto port_of = [](const std::string& url) { return url.substr(url.rfind(':') + 1); };
  std::ofstream(PortsFile()) << port_of(ready->value("arm", "")) << " "
                             << port_of(ready->value("blob", "")) << "\n";
  std::ofstream(PidFile()) << pid << "\n";
  if (Status s = WriteLocalContext(*ready); !s.ok()) return s;
  if (Status s = SeedImageCatalog(ready->value("subscriptionId", "")); !s.ok()) {
    return Status(s.code(), "seeding the local image catalog: " + s.message());
  }
  std::cout << "azsim is running (pid " << pid << ") at " << ready->value("arm", "")
            << "; context local selected\n";
  return Status::Ok();
}

Status LocalDown() {
  int pid = RunningPid();
  if (!pid) {
    std::cout << "azsim is not running\n";
    return Status::Ok();
  }
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (::kill(pid, 0) == 0) ::kill(pid, SIGKILL);
  fs::remove(PidFile());
  std::cout << "azsim stopped (its state stays in " << LocalDir() << "/state)\n";
  return Status::Ok();
}

bool LocalAzureRunning() { return RunningPid() != 0; }

Status LocalStatus() {
  int pid = RunningPid();
  if (!pid) {
    std::cout << "azsim is not running\n";
    return Status::Ok();
  }
  Result<Json> ready = ReadyLine();
  std::cout << "azsim is running (pid " << pid << ")";
  if (ready.ok())
    std::cout << ": ARM " << ready->value("arm", "") << ", blob " << ready->value("blob", "");
  std::cout << "\n";
  return Status::Ok();
}

}  // namespace easel::cli
