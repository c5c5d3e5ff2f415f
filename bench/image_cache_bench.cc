// Image cache benchmark: the makespan of a second cluster's `easel apply` with spec.image.cache
// (it reuses the shared image: no storage account, no copy, no image to make) against the same
// cluster without it (its own account, a copy of the base VHD, its own image), on azsim's latency
// model, through the real easel binary (planning's look-ups included), in the same run.
//
// The base VHD is a 30 GiB fixed VHD holding 2 GiB of data in 512 scattered 4 MiB extents (a node
// image's disk is mostly empty), in a public container of the local Azure; azsim copies a page
// blob's written pages at its modelled 200 MB/s, times the time scale (docs/azsim.md).
// A first cluster with the cache fills it (cold); then the second cluster is applied with the
// cache and, as a third cluster in its own group, without it. Each apply's wall time, ARM writes
// and blob copies are printed, and the ratio of the two second-cluster makespans.
//
//   build/bench/image_cache_bench [time-scale]      (default 0.2; about 6 minutes)
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>

#include "azure/blob_client.h"
#include "azure/lro.h"
#include "azure/vhd.h"
#include "cli/local.h"
#include "cli/session.h"
#include "common/strings.h"
#include "plan/api_versions.h"

using namespace easel;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kVhdSize = 30ull << 30;
constexpr uint64_t kExtent = 4ull << 20;
constexpr int kExtents = 512;                                                  // 2 GiB of data
constexpr const char* kSubscription = "00000000-0000-0000-0000-000000000000";  // the quickstart's
constexpr const char* kSourceAccount = "benchvhds";
constexpr const char* kSourceUrl = "https://benchvhds.blob.core.windows.net/base/node-30g.vhd";

struct Run {
  double seconds = 0;
  int exit_code = -1;
  std::string summary;  // "N ARM writes, M blob copies"
};

// `easel <args>` with the benchmark's HOME; its wall time and its summary line.
Run Easel(const std::string& args) {
  std::string command = std::string(EASEL_BINARY) + " " + args + " 2>&1";
  auto start = std::chrono::steady_clock::now();
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string out;
  char buf[4096];
  while (pipe && std::fgets(buf, sizeof buf, pipe)) out += buf;
  int status = pipe ? ::pclose(pipe) : -1;
  Run r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::smatch m;
  if (std::regex_search(out, m, std::regex(R"(\((\d+ ARM writes, \d+ blob cop(y|ies)))"))) {
    r.summary = m[1];
  } else {
    r.summary = "failed: " + out.substr(out.size() > 400 ? out.size() - 400 : 0);
  }
  return r;
}

// A public container holding the base VHD: its data extents and its footer.
Status SeedSource(cli::Session& ss) {
  const std::string sub = std::string(kSubscription);
  const std::string rg = "/subscriptions/" + sub + "/resourceGroups/bench-images";
  if (Status s = azure::PutAndWait(*ss.arm, rg, "2024-11-01", {{"location", "eastus"}}); !s.ok())
    return s;
  const std::string account = rg + "/providers/Microsoft.Storage/storageAccounts/" + kSourceAccount;
  if (Status s = azure::PutAndWait(*ss.arm, account, plan::api::kStorage,
                                   {{"location", "eastus"},
                                    {"sku", {{"name", "Standard_LRS"}}},
                                    {"kind", "StorageV2"},
                                    {"properties", {{"allowBlobPublicAccess", true}}}});
      !s.ok())
    return s;
  if (Status s =
          azure::PutAndWait(*ss.arm, account + "/blobServices/default/containers/base",
                            plan::api::kStorage, {{"properties", {{"publicAccess", "Blob"}}}});
      !s.ok())
    return s;
  Result<std::string> key = azure::ListFirstKey(*ss.arm, account, plan::api::kStorage);
  if (!key.ok()) return key.status();
  azure::BlobClient blob(ss.http.get(), kSourceAccount, *key);
  const std::string url = azure::ResolveBlobUrl(ss.context.cloud, kSourceUrl);
  if (Status s = blob.CreatePageBlob(url, kVhdSize + 512); !s.ok()) return s;
  const std::string data(kExtent, '\x5a');
  for (int i = 0; i < kExtents; ++i) {
    if (Status s = blob.PutPages(url, uint64_t(i) * (kVhdSize / kExtents), data); !s.ok()) return s;
  }
  return blob.PutPages(url, kVhdSize, azure::FixedVhdFooter(kVhdSize));
}

// The quickstart as cluster `name` in group `group`, from the base VHD, with or without the cache.
std::string WriteSpec(cli::Session& ss, const std::string& home, const std::string& name,
                      const std::string& group, bool cache) {
  (void)azure::PutAndWait(
      *ss.arm, "/subscriptions/" + std::string(kSubscription) + "/resourceGroups/" + group,
      "2024-11-01", {{"location", "eastus"}});
  std::ifstream in(std::string(EASEL_SOURCE_DIR) + "/examples/quickstart.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text = ReplaceAll(text,
                    "https://easelimages.blob.core.windows.net/images/ubuntu-2404-kube-1.36.2.vhd",
                    std::string(kSourceUrl) + (cache ? "\n    cache: true" : ""));
  text = ReplaceAll(text, "name: demo\n", "name: " + name + "\n");
  text = ReplaceAll(text, "resourceGroup: demo-rg", "resourceGroup: " + group);
  std::string path = home + "/" + name + ".yaml";
  std::ofstream(path) << text;
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  double scale = argc > 1 ? std::atof(argv[1]) : 0.2;
  char tmpl[] = "/tmp/easel-cachebench-XXXXXX";
  std::string home = ::mkdtemp(tmpl);
  ::setenv("HOME", home.c_str(), 1);
  ::setenv("EASEL_AZSIM", AZSIM_BINARY, 1);
  cli::LocalOptions local;
  local.time_scale = scale;
  if (Status s = cli::LocalUp(local); !s.ok()) {
    std::fprintf(stderr, "local up: %s\n", s.message().c_str());
    return 1;
  }
  int status = 0;
  {
    auto session = cli::OpenSession("local", "");
    if (!session.ok()) {
      std::fprintf(stderr, "%s\n", session.status().message().c_str());
      return 1;
    }
    cli::Session& ss = **session;
    if (Status s = SeedSource(ss); !s.ok()) {
      std::fprintf(stderr, "seeding the base VHD: %s\n", s.message().c_str());
      return 1;
    }
    std::string first = WriteSpec(ss, home, "first", "first-rg", true);
    std::string cached = WriteSpec(ss, home, "second", "second-rg", true);
    std::string own = WriteSpec(ss, home, "third", "third-rg", false);
    std::printf("azsim time scale %.2f, base VHD %llu GiB with %llu GiB of data\n\n", scale,
                static_cast<unsigned long long>(kVhdSize >> 30),
                static_cast<unsigned long long>((kExtent * kExtents) >> 30));
    std::printf("| apply | makespan s | ARM writes, copies |\n|---|---|---|\n");
    Run cold = Easel("apply -f " + first);
    std::printf("| first cluster, cache on (fills it) | %.1f | %s |\n", cold.seconds,
                cold.summary.c_str());
    Run with = Easel("apply -f " + cached);
    std::printf("| second cluster, cache on | %.1f | %s |\n", with.seconds, with.summary.c_str());
    Run without = Easel("apply -f " + own);
    std::printf("| second cluster, cache off | %.1f | %s |\n", without.seconds,
                without.summary.c_str());
    std::printf("\nsecond cluster's makespan, cache on / cache off: %.3f\n",
                with.seconds / without.seconds);
    std::fflush(stdout);
    for (const char* name : {"first", "second", "third"}) {
      Run gone = Easel(std::string("delete cluster ") + name);
      if (gone.exit_code != 0) status = 1;
    }
    if (cold.exit_code != 0 || with.exit_code != 0 || without.exit_code != 0) status = 1;
  }
  (void)cli::LocalDown();
  fs::remove_all(home);
  return status;
}
