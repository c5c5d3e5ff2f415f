// The image cache end to end, through the real easel binary on azsim (docs/storage.md, "The image
// cache"): clusters with image.cache share one copied VHD and one managed image per subscription,
// region and source content; each holds a reference in the cached VHD's metadata, written by
// compare-and-swap; the last cluster's delete removes the image and the VHD, and deletes running
// at once lose no reference.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include "azure/blob_client.h"
#include "azure/lro.h"
#include "common/strings.h"
#include "e2e/harness.h"
#include "spec/naming.h"

namespace easel::e2e {
namespace {

using nlohmann::json;
constexpr const char* kComputeApi = "2025-04-01";
constexpr const char* kStorageApi = "2025-06-01";
constexpr const char* kGroupApi = "2024-11-01";

class ImageCache : public SharedLocalAzureTest {
 public:
  // On azsim's latency model (at 1/50 of Azure's times: VMs 1.8 s, accounts and images 0.4 s):
  // clusters running at once interleave as they would on Azure.
  static void SetUpTestSuite() { azure_ = new LocalAzure(0.02); }

 protected:
  std::string Group(const std::string& name) const {
    return "/subscriptions/" + azure_->subscription() + "/resourceGroups/" + name;
  }

  // The quickstart as cluster `name` in `group`, with image.cache set.
  std::string CachedCluster(const std::string& name, const std::string& group) {
    std::ifstream in(std::string(EASEL_SOURCE_DIR) + "/examples/quickstart.yaml");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string url_line =
        "vhdUrl: https://easelimages.blob.core.windows.net/images/ubuntu-2404-kube-1.36.2.vhd";
    EXPECT_NE(text.find(url_line), std::string::npos);
    text = ReplaceAll(text, url_line, url_line + "\n    cache: true");
    text = ReplaceAll(text, "name: demo\n", "name: " + name + "\n");
    text = ReplaceAll(text, "resourceGroup: demo-rg", "resourceGroup: " + group);
    EXPECT_EQ(
        azure::PutAndWait(azure_->arm(), Group(group), kGroupApi, {{"location", "eastus"}}).ok(),
        true);
    std::string path = azure_->home() + "/" + name + ".yaml";
    std::ofstream(path) << text;
    return path;
  }

  // The shared images of the subscription (those with the cache's tag).
  std::vector<json> SharedImages() {
    int status = 0;
    Result<std::vector<json>> images = azure::ListAll(
        azure_->arm(),
        "/subscriptions/" + azure_->subscription() + "/providers/Microsoft.Compute/images",
        kComputeApi, &status);
    EXPECT_TRUE(images.ok());
    std::vector<json> out;
    for (const json& i : images.ok() ? *images : std::vector<json>{}) {
      if (i.contains("tags") && i["tags"].contains(spec::kImageCacheTag)) out.push_back(i);
    }
    return out;
  }

  // The cached VHD of `image` (its blobUri), and its metadata: the ledger.
  azure::BlobProperties CachedVhd(const json& image) {
    std::string url = image["properties"]["storageProfile"]["osDisk"].value("blobUri", "");
    std::string account = url.substr(0, url.find("/" + std::string(spec::kImageCacheContainer)));
    account = account.substr(account.rfind('/') + 1);
    azure::BlobClient blob(&azure_->http(), account, &azure_->credential(),
                           "https://storage.azure.com/.default");
    Result<azure::BlobProperties> p = blob.GetProperties(url);
    EXPECT_TRUE(p.ok()) << p.status().message();
    return p.ok() ? *p : azure::BlobProperties{};
  }

  static std::vector<std::string> References(const azure::BlobProperties& vhd) {
    std::vector<std::string> clusters;
    for (const auto& [name, value] : vhd.metadata) {
      if (StartsWith(name, spec::kImageReferencePrefix)) clusters.push_back(value);
    }
    std::sort(clusters.begin(), clusters.end());
    return clusters;
  }

  // The image every VM of `group` boots from.
  std::set<std::string> ImagesOfVms(const std::string& group) {
    std::set<std::string> ids;
    for (const std::string& id : azure_->ResourcesIn(group)) {
      if (id.find("/microsoft.compute/virtualmachines/") == std::string::npos ||
          id.find("/extensions/") != std::string::npos) {
        continue;
      }
      json vm = azure_->Get(id, kComputeApi);
      ids.insert(ToLower(vm["properties"]["storageProfile"]["imageReference"].value("id", "")));
    }
    return ids;
  }

  // Runs `easel delete cluster` for each name at once; their exit codes.
  std::vector<int> DeleteAtOnce(const std::vector<std::string>& names) {
    std::vector<int> pids, codes;
    for (const std::string& n : names) pids.push_back(azure_->SpawnEasel({"delete", "cluster", n}));
    for (int pid : pids) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      codes.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    return codes;
  }
};

TEST_F(ImageCache, ASecondClusterReusesTheImageAndTheLastDeleteRemovesIt) {
  std::string a = CachedCluster("cache-a", "cache-a-rg");
  std::string b = CachedCluster("cache-b", "cache-b-rg");

  CommandResult first = azure_->Easel("apply -f '" + a + "'");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("1 blob copy"), std::string::npos) << first.output;
  std::vector<json> images = SharedImages();
  ASSERT_EQ(images.size(), 1u);
  const std::string image_id = ToLower(images[0].value("id", ""));
  EXPECT_EQ(References(CachedVhd(images[0])), std::vector<std::string>{"cache-a"});

  // The second cluster, in another group: no copy, no image made, no account of its own.
  int64_t since = LastSeq(*azure_);
  CommandResult second = azure_->Easel("apply -f '" + b + "'");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("0 blob copies"), std::string::npos) << second.output;
  for (const std::string& w : WritesSince(*azure_, since)) {
    EXPECT_EQ(ToLower(w).find("/microsoft.compute/images/"), std::string::npos) << w;
    EXPECT_EQ(ToLower(w).find("/microsoft.storage/storageaccounts/"), std::string::npos) << w;
  }
  EXPECT_EQ(SharedImages().size(), 1u);
  EXPECT_EQ(ImagesOfVms("cache-a-rg"), std::set<std::string>{image_id});
  EXPECT_EQ(ImagesOfVms("cache-b-rg"), std::set<std::string>{image_id});
  EXPECT_EQ(References(CachedVhd(images[0])), (std::vector<std::string>{"cache-a", "cache-b"}));

  // Neither the drift check nor a live plan sees anything to do about the shared resources.
  CommandResult check = azure_->Easel("check cache-b");
  EXPECT_EQ(check.exit_code, 0) << check.output;
  CommandResult live = azure_->Easel("plan -f '" + b + "'");
  EXPECT_EQ(live.exit_code, 0) << live.output;
  EXPECT_EQ(live.output.find("conflict"), std::string::npos) << live.output;
  EXPECT_NE(live.output.find("0 to create, 0 to change, 0 to delete"), std::string::npos)
      << live.output;

  // Applying again changes nothing: the reference is held already.
  since = LastSeq(*azure_);
  CommandResult again = azure_->Easel("apply -f '" + b + "'");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(WritesSince(*azure_, since), std::vector<std::string>{});

  // The first delete keeps the image (the second cluster uses it) ...
  CommandResult del_a = azure_->Easel("delete cluster cache-a");
  ASSERT_EQ(del_a.exit_code, 0) << del_a.output;
  ASSERT_EQ(SharedImages().size(), 1u);
  EXPECT_EQ(References(CachedVhd(images[0])), std::vector<std::string>{"cache-b"});
  // ... and a new cluster still finds it.
  std::string c = CachedCluster("cache-c", "cache-a-rg");
  CommandResult third = azure_->Easel("apply -f '" + c + "'");
  ASSERT_EQ(third.exit_code, 0) << third.output;
  EXPECT_NE(third.output.find("0 blob copies"), std::string::npos) << third.output;

  // The last two deleted at once: no reference lost, and the image and its VHD go exactly once.
  EXPECT_EQ(DeleteAtOnce({"cache-b", "cache-c"}), (std::vector<int>{0, 0}));
  EXPECT_TRUE(SharedImages().empty());
  EXPECT_TRUE(azure_->Get(image_id, kComputeApi).is_null());
  EXPECT_FALSE(CachedVhd(images[0]).exists);
}

TEST_F(ImageCache, DeletesAtOnceLoseNoReference) {
  std::vector<std::string> names = {"many-a", "many-b", "many-c", "many-d"};
  for (const std::string& n : names) {
    CommandResult r = azure_->Easel("apply -f '" + CachedCluster(n, n + "-rg") + "'");
    ASSERT_EQ(r.exit_code, 0) << n << "\n" << r.output;
  }
  std::vector<json> images = SharedImages();
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(References(CachedVhd(images[0])), names);

  // Three deletes at once, each a compare-and-swap of the same ledger: the fourth reference
  // survives, and so does the image.
  EXPECT_EQ(DeleteAtOnce({"many-a", "many-b", "many-c"}), (std::vector<int>{0, 0, 0}));
  ASSERT_EQ(SharedImages().size(), 1u);
  EXPECT_EQ(References(CachedVhd(images[0])), std::vector<std::string>{"many-d"});

  CommandResult last = azure_->Easel("delete cluster many-d");
  EXPECT_EQ(last.exit_code, 0) << last.output;
  EXPECT_TRUE(SharedImages().empty());
  EXPECT_FALSE(CachedVhd(images[0]).exists);
}

// Two clusters applied at once while the cache is still empty: one copy, one image, two references.
TEST_F(ImageCache, TwoFirstAppliesAtOnceMakeOneImage) {
  std::vector<std::string> specs = {CachedCluster("cold-a", "cold-rg"),
                                    CachedCluster("cold-b", "cold-rg")};
  std::vector<int> pids;
  for (const std::string& s : specs) pids.push_back(azure_->SpawnEasel({"apply", "-f", s}));
  for (int pid : pids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  std::vector<json> images = SharedImages();
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(References(CachedVhd(images[0])), (std::vector<std::string>{"cold-a", "cold-b"}));
  EXPECT_EQ(DeleteAtOnce({"cold-a", "cold-b"}), (std::vector<int>{0, 0}));
  EXPECT_TRUE(SharedImages().empty());
}

// Two first applies at once in different groups: each plans before the other's cache account
// exists. Whatever the race gives (one cache, or a second account under the next name; an apply
// refused because the other took the name, then applied again), every image's ledger names
// exactly the clusters whose VMs boot from it, and deleting both leaves no shared image.
TEST_F(ImageCache, FirstAppliesAtOnceInTwoGroupsKeepEveryLedgerTrue) {
  std::vector<std::string> names = {"race-a", "race-b"};
  std::vector<std::string> specs = {CachedCluster("race-a", "race-a-rg"),
                                    CachedCluster("race-b", "race-b-rg")};
  std::vector<int> pids;
  for (const std::string& s : specs) pids.push_back(azure_->SpawnEasel({"apply", "-f", s}));
  for (int pid : pids) ::waitpid(pid, nullptr, 0);
  for (const std::string& s : specs) {  // the refused one, again (the other: no write)
    CommandResult r = azure_->Easel("apply -f '" + s + "'");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  std::vector<json> images = SharedImages();
  ASSERT_GE(images.size(), 1u);
  std::map<std::string, std::vector<std::string>> users;  // image id -> clusters on it
  for (const std::string& n : names) {
    for (const std::string& id : ImagesOfVms(n + "-rg")) users[id].push_back(n);
  }
  for (const json& image : images) {
    std::vector<std::string> on = users[ToLower(image.value("id", ""))];
    std::sort(on.begin(), on.end());
    EXPECT_EQ(References(CachedVhd(image)), on) << image.value("id", "");
  }
  EXPECT_EQ(DeleteAtOnce(names), (std::vector<int>{0, 0}));
  EXPECT_TRUE(SharedImages().empty());
}

}  // namespace
}  // namespace easel::e2e
