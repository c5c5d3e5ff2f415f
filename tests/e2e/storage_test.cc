// The cluster's storage account end to end, through the real easel binary on azsim: hardened by
// default, a name taken elsewhere in Azure moved to the next candidate (and kept), a custom
// account checked before any write, and `access: private` reached through its private endpoint.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <thread>

#include "azure/blob_client.h"
#include "azure/lro.h"
#include "common/strings.h"
#include "e2e/harness.h"
#include "spec/catalog.h"
#include "spec/load.h"
#include "spec/naming.h"

namespace easel::e2e {
namespace {

using nlohmann::json;
constexpr const char* kStorageApi = "2025-06-01";
constexpr const char* kGroupApi = "2024-11-01";

class Storage : public SharedLocalAzureTest {
 protected:
  std::string Group(const std::string& name) const {
    return "/subscriptions/" + azure_->subscription() + "/resourceGroups/" + name;
  }
  std::string Account(const std::string& group, const std::string& name) const {
    return Group(group) + "/providers/Microsoft.Storage/storageAccounts/" + name;
  }
  spec::ClusterSpec Load(const std::string& path) {
    spec::Diagnostics d;
    spec::ClusterSpec s = spec::LoadClusterSpec(path, spec::EmbeddedCatalog(), &d);
    EXPECT_TRUE(d.empty()) << Join(d.Lines(), "\n");
    return s;
  }
  std::string Example(const std::string& name) const {
    return std::string(EASEL_SOURCE_DIR) + "/examples/" + name;
  }
  void Put(const std::string& id, const std::string& api, const json& body) {
    Status s = azure::PutAndWait(azure_->arm(), id, api, body);
    ASSERT_TRUE(s.ok()) << id << ": " << s.message();
  }
  void Delete(const std::string& id, const std::string& api) {
    Result<azure::ArmResponse> r = azure_->arm().Call("DELETE", id, api);
    ASSERT_TRUE(r.ok() && r->status < 300) << id;
  }
  std::vector<std::string> WritesSince(int64_t since) { return e2e::WritesSince(*azure_, since); }
  int64_t LastSeq() { return e2e::LastSeq(*azure_); }
};

TEST_F(Storage, TheAutoAccountIsHardenedAndRefusesSharedKey) {
  spec::ClusterSpec s = Load(Example("quickstart.yaml"));
  azure_->CreatePrerequisites("quickstart.yaml");
  CommandResult apply = azure_->Easel("apply -f examples/quickstart.yaml");
  ASSERT_EQ(apply.exit_code, 0) << apply.output;

  const std::string name = spec::StorageAccountName(s);
  json account = azure_->Get(Account(s.resource_group, name), kStorageApi);
  ASSERT_TRUE(account.is_object()) << name;
  const json& p = account["properties"];
  EXPECT_EQ(p.value("allowSharedKeyAccess", true), false) << p.dump();
  EXPECT_EQ(p.value("allowBlobPublicAccess", true), false);
  EXPECT_EQ(p.value("allowCrossTenantReplication", true), false);
  EXPECT_EQ(p.value("minimumTlsVersion", ""), "TLS1_2");
  EXPECT_EQ(p.value("supportsHttpsTrafficOnly", false), true);
  EXPECT_EQ(p.value("publicNetworkAccess", ""), "Enabled");
  EXPECT_EQ(p["encryption"].value("requireInfrastructureEncryption", false), true) << p.dump();

  // The key still exists (listKeys answers it), but storage refuses requests signed with it.
  Result<std::string> key = azure::ListFirstKey(azure_->arm(), account["id"], kStorageApi);
  ASSERT_TRUE(key.ok()) << key.status().message();
  azure::BlobClient keyed(&azure_->http(), name, *key);
  const std::string blob =
      p["primaryEndpoints"].value("blob", "") + spec::ContainerName(s) + "/" + spec::VhdBlobName(s);
  Result<azure::BlobCopyState> state = keyed.CopyState(blob);
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(state.status().message().find("KeyBasedAuthenticationNotPermitted"), std::string::npos)
      << state.status().message();

  // The create-only encryption setting is neither drift nor rewritten.
  int64_t since = LastSeq();
  CommandResult again = azure_->Easel("apply -f examples/quickstart.yaml");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(WritesSince(since), std::vector<std::string>{});
  EXPECT_EQ(azure_->Easel("delete cluster demo").exit_code, 0);
}

TEST_F(Storage, ANameTakenElsewhereMovesToTheNextCandidateAndStays) {
  spec::ClusterSpec s = Load(Example("quickstart.yaml"));
  azure_->CreatePrerequisites("quickstart.yaml");
  const std::string first = spec::StorageAccountCandidate(s, 0);
  const std::string second = spec::StorageAccountCandidate(s, 1);
  ASSERT_NE(first, second);
  // Someone else's account, in another group, holds the first candidate (names are global).
  Put(Group("elsewhere-rg"), kGroupApi, {{"location", "westus"}});
  const std::string planted = Account("elsewhere-rg", first);
  Put(planted, kStorageApi,
      {{"location", "westus"}, {"sku", {{"name", "Standard_LRS"}}}, {"kind", "StorageV2"}});
  json before = azure_->Get(planted, kStorageApi);

  CommandResult apply = azure_->Easel("apply -f examples/quickstart.yaml");
  ASSERT_EQ(apply.exit_code, 0) << apply.output;
  EXPECT_TRUE(azure_->Get(Account(s.resource_group, second), kStorageApi).is_object()) << second;
  EXPECT_TRUE(azure_->Get(Account(s.resource_group, first), kStorageApi).is_null());
  // The copy and the image use the chosen account.
  CommandResult plan = azure_->Easel("plan -f examples/quickstart.yaml -o json");
  EXPECT_EQ(plan.exit_code, 0) << plan.output;
  EXPECT_NE(plan.output.find(second), std::string::npos);
  EXPECT_EQ(plan.output.find(first), std::string::npos);

  // Later runs keep the stored name without asking again, even once the first name is free.
  Delete(planted, kStorageApi);
  int64_t since = LastSeq();
  CommandResult again = azure_->Easel("apply -f examples/quickstart.yaml");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(WritesSince(since), std::vector<std::string>{});
  EXPECT_EQ(azure_->Easel("delete cluster demo").exit_code, 0);
  EXPECT_TRUE(azure_->Get(Account(s.resource_group, second), kStorageApi).is_null());
  EXPECT_TRUE(before.is_object());
  Delete(Group("elsewhere-rg"), kGroupApi);
}

// A copy of custom-storage.yaml with `from` replaced by `to`.
std::string CustomVariant(LocalAzure& azure, const std::string& from, const std::string& to,
                          const std::string& file) {
  std::ifstream in(std::string(EASEL_SOURCE_DIR) + "/examples/custom-storage.yaml");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find(from), std::string::npos) << from;
  std::string path = azure.home() + "/" + file;
  std::ofstream(path) << ReplaceAll(text.str(), from, to);
  return path;
}

TEST_F(Storage, ACustomAccountIsCheckedBeforeAnyWrite) {
  azure_->CreatePrerequisites("custom-storage.yaml");
  const json v2 = {
      {"location", "eastus"}, {"sku", {{"name", "Standard_LRS"}}}, {"kind", "StorageV2"}};
  json west = v2;
  west["location"] = "westus";
  Put(Account("storage-rg", "westimages"), kStorageApi, west);
  Put(Account("storage-rg", "westimages") + "/blobServices/default/containers/k8s-vhds",
      kStorageApi, json::object());
  Put(Account("storage-rg", "blockimages"), kStorageApi,
      {{"location", "eastus"}, {"sku", {{"name", "Premium_LRS"}}}, {"kind", "BlockBlobStorage"}});
  Put(Account("storage-rg", "lakeimages"), kStorageApi,
      {{"location", "eastus"},
       {"sku", {{"name", "Standard_LRS"}}},
       {"kind", "StorageV2"},
       {"properties", {{"isHnsEnabled", true}}}});
  Put(Account("storage-rg", "emptyimages"), kStorageApi, v2);

  struct Case {
    std::string account, field, message;
  };
  const std::vector<Case> cases = {
      {"nosuchimages", "spec.storage.account.name",
       "storage account nosuchimages does not exist in resource group storage-rg"},
      {"westimages", "spec.storage.account.name",
       "storage account westimages is in westus, the cluster in eastus"},
      {"blockimages", "spec.storage.account.name",
       "is of kind \"BlockBlobStorage\", which cannot hold page blobs"},
      {"lakeimages", "spec.storage.account.name", "has a hierarchical namespace"},
      {"emptyimages", "spec.storage.container",
       "container k8s-vhds does not exist in storage account emptyimages"},
  };
  for (const Case& c : cases) {
    std::string spec =
        CustomVariant(*azure_, "name: corpimages", "name: " + c.account, c.account + ".yaml");
    for (const char* verb : {"plan", "apply"}) {
      int64_t since = LastSeq();
      CommandResult r = azure_->Easel(std::string(verb) + " -f '" + spec + "'");
      EXPECT_EQ(r.exit_code, 2) << verb << " " << c.account << "\n" << r.output;
      EXPECT_NE(r.output.find(c.field + ": "), std::string::npos) << r.output;
      EXPECT_NE(r.output.find(c.message), std::string::npos) << r.output;
      EXPECT_EQ(WritesSince(since), std::vector<std::string>{}) << verb << " " << c.account;
    }
  }
}

TEST_F(Storage, ACustomAccountEaselCannotWriteToIsRefused) {
  azure_->CreatePrerequisites("custom-storage.yaml");
  Put(Account("storage-rg", "lockedimages"), kStorageApi,
      {{"location", "eastus"},
       {"sku", {{"name", "Standard_LRS"}}},
       {"kind", "StorageV2"},
       {"properties", {{"allowSharedKeyAccess", false}}}});
  Put(Account("storage-rg", "lockedimages") + "/blobServices/default/containers/k8s-vhds",
      kStorageApi, json::object());
  // azsim's default principal holds Storage Blob Data Contributor on the subscription: take it.
  json role = azure_->RemoveDataRole();
  ASSERT_TRUE(role.is_object());

  std::string spec =
      CustomVariant(*azure_, "name: corpimages", "name: lockedimages", "locked.yaml");
  int64_t since = LastSeq();
  CommandResult r = azure_->Easel("apply -f '" + spec + "'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("spec.storage.account.name: easel's principal cannot write to storage "
                          "account lockedimages: it has no blob data role there and the account "
                          "refuses Shared Key"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(WritesSince(since), std::vector<std::string>{});

  // With keys allowed, the right to list them is enough (azsim grants every ARM action).
  Put(Account("storage-rg", "lockedimages"), kStorageApi,
      {{"location", "eastus"},
       {"sku", {{"name", "Standard_LRS"}}},
       {"kind", "StorageV2"},
       {"properties", {{"allowSharedKeyAccess", true}}}});
  CommandResult plan = azure_->Easel("plan -f '" + spec + "'");
  EXPECT_EQ(plan.exit_code, 0) << plan.output;

  EXPECT_TRUE(azure_->RestoreDataRole(role));
}

TEST_F(Storage, StorageListShowsWhatASpecMayName) {
  Put(Group("listing-rg"), kGroupApi, {{"location", "eastus"}});
  const json v2 = {
      {"location", "eastus"}, {"sku", {{"name", "Standard_LRS"}}}, {"kind", "StorageV2"}};
  Put(Account("listing-rg", "listopen"), kStorageApi, v2);
  Put(Account("listing-rg", "listopen") + "/blobServices/default/containers/vhds", kStorageApi,
      json::object());
  json locked = v2;
  locked["properties"] = {{"allowSharedKeyAccess", false}, {"publicNetworkAccess", "Disabled"}};
  Put(Account("listing-rg", "listlocked"), kStorageApi, locked);
  Put(Account("listing-rg", "listblock"), kStorageApi,
      {{"location", "eastus"}, {"sku", {{"name", "Premium_LRS"}}}, {"kind", "BlockBlobStorage"}});

  auto list = [&]() {
    int64_t since = LastSeq();
    CommandResult r = azure_->Easel("storage list --resource-group listing-rg -o json");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(WritesSince(since), std::vector<std::string>{});  // reads only
    json out = json::parse(r.output, nullptr, false);
    std::map<std::string, json> by_name;
    if (out.is_array())
      for (const json& a : out) by_name[a.value("name", "")] = a;
    return by_name;
  };
  std::map<std::string, json> accounts = list();
  ASSERT_EQ(accounts.size(), 3u);
  const json& open = accounts["listopen"];
  EXPECT_EQ(open.value("location", ""), "eastus");
  EXPECT_EQ(open.value("kind", ""), "StorageV2");
  EXPECT_EQ(open.value("sku", ""), "Standard_LRS");
  EXPECT_EQ(open.value("publicNetworkAccess", ""), "Enabled");
  EXPECT_EQ(open.value("holdsPageBlobs", false), true);
  EXPECT_EQ(open["easelWritesWith"], "token");  // azsim's default principal has a data role
  EXPECT_EQ(open["containers"], json::parse(R"([{"name":"vhds","publicAccess":"None"}])"));
  EXPECT_EQ(accounts["listlocked"].value("publicNetworkAccess", ""), "Disabled");
  EXPECT_EQ(accounts["listblock"].value("holdsPageBlobs", true), false);

  // Without the data role: the open account is written with its key, the locked one not at all.
  json role = azure_->RemoveDataRole();
  ASSERT_TRUE(role.is_object());
  accounts = list();
  EXPECT_EQ(accounts["listopen"]["easelWritesWith"], "key");
  EXPECT_TRUE(accounts["listlocked"]["easelWritesWith"].is_null());
  EXPECT_TRUE(azure_->RestoreDataRole(role));

  CommandResult table = azure_->Easel("storage list -g listing-rg");
  EXPECT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find("listopen"), std::string::npos) << table.output;
  CommandResult missing = azure_->Easel("storage list -g no-such-rg");
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("--resource-group: resource group no-such-rg does not exist"),
            std::string::npos)
      << missing.output;
}

// The blob copy of a killed apply is journalled: the next apply follows the same copy (one Copy
// Blob request in all) and shows its progress.
TEST_F(Storage, AKilledApplyFollowsTheSameCopy) {
  spec::ClusterSpec s = Load(Example("quickstart.yaml"));
  azure_->CreatePrerequisites("quickstart.yaml");
  // azsim's catalog VHD is 64 MiB: about four seconds at 16 MB/s.
  azure_->Admin("POST", "settings", R"({"blobCopyMBps": 16})");
  const std::string blob_path =
      "/" + spec::StorageAccountName(s) + "/" + spec::ContainerName(s) + "/" + spec::VhdBlobName(s);
  auto copies = [&](int64_t since) {
    int n = 0;
    for (const json& r : azure_->Requests(since)) {
      n += r.value("service", "") == "blob" && r.value("method", "") == "PUT" &&
           r.value("path", "") == blob_path;
    }
    return n;
  };
  int64_t since = LastSeq();
  int pid = azure_->SpawnEasel({"apply", "-f", "examples/quickstart.yaml"});
  bool started = false;
  for (int i = 0; i < 600 && !started; ++i) {
    started = copies(since) > 0;
    if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(started) << "the copy never started";

  CommandResult again = azure_->Easel("apply -f examples/quickstart.yaml");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(copies(since), 1) << "the copy was started again";
  EXPECT_NE(again.output.find("Copying"), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("/" + std::to_string((64ull << 20) + 512)), std::string::npos)
      << "the live view shows the copy's progress\n"
      << again.output;
  azure_->Admin("POST", "settings", R"({"blobCopyMBps": 0})");
  EXPECT_EQ(azure_->Easel("delete cluster demo").exit_code, 0);
}

// spec.image.vhdFile: a local VHD (made here by `easel image convert`) is uploaded into the
// cluster's container, only its data pages, and the image is made from it.
TEST_F(Storage, ALocalVhdFileIsUploadedAndBecomesTheImage) {
  const std::string raw = azure_->home() + "/node.raw", vhd = azure_->home() + "/node.vhd";
  {
    std::ofstream out(raw, std::ios::binary);
    for (uint64_t at : {uint64_t{0}, uint64_t{3} << 20, uint64_t{7} << 20}) {
      out.seekp(static_cast<std::streamoff>(at));
      out << std::string(4096, static_cast<char>('a' + at % 7)) << "easel";
    }
    out.seekp((8 << 20) - 1);
    out.put('\0');
  }
  CommandResult convert = azure_->Easel("image convert '" + raw + "' '" + vhd + "' -q");
  ASSERT_EQ(convert.exit_code, 0) << convert.output;
  std::ifstream in(std::string(EASEL_SOURCE_DIR) + "/examples/quickstart.yaml");
  std::stringstream text;
  text << in.rdbuf();
  const std::string url_line =
      "vhdUrl: https://easelimages.blob.core.windows.net/images/ubuntu-2404-kube-1.36.2.vhd";
  ASSERT_NE(text.str().find(url_line), std::string::npos);
  const std::string spec_path = azure_->home() + "/local-image.yaml";
  std::ofstream(spec_path) << ReplaceAll(text.str(), url_line, "vhdFile: node.vhd");
  spec::ClusterSpec s = Load(spec_path);
  ASSERT_EQ(s.image.vhd_file, vhd);
  azure_->CreatePrerequisites("quickstart.yaml");

  int64_t since = LastSeq();
  CommandResult apply = azure_->Easel("apply -f '" + spec_path + "'");
  ASSERT_EQ(apply.exit_code, 0) << apply.output;
  EXPECT_NE(apply.output.find("1 VHD upload"), std::string::npos) << apply.output;
  uint64_t put_page_bytes = 0;
  for (const json& r : azure_->Requests(since)) {
    if (r.value("service", "") == "blob" && r.value("method", "") == "PUT")
      put_page_bytes += r.value("requestBytes", uint64_t{0});
  }
  // Three 4 KiB extents and the footer, page-rounded: far less than the 8 MiB disk.
  EXPECT_GT(put_page_bytes, 0u);
  EXPECT_LE(put_page_bytes, uint64_t{4 * 8192});

  // The blob holds the file, byte for byte, and the image is made from it.
  std::ifstream file(vhd, std::ios::binary);
  std::string expected((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const std::string name = spec::StorageAccountName(s);
  json account = azure_->Get(Account(s.resource_group, name), kStorageApi);
  ASSERT_TRUE(account.is_object());
  const std::string blob = account["properties"]["primaryEndpoints"].value("blob", "") +
                           spec::ContainerName(s) + "/node.vhd";
  azure::BlobClient reader(&azure_->http(), name, &azure_->credential(),
                           "https://storage.azure.com/.default");
  Result<std::string> got = reader.ReadRange(blob, 0, expected.size());
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_TRUE(*got == expected) << "the uploaded blob differs from the file";
  json image = azure_->Get(
      Group(s.resource_group) + "/providers/Microsoft.Compute/images/" + spec::ImageName(s),
      "2025-04-01");
  ASSERT_TRUE(image.is_object());
  EXPECT_EQ(ToLower(image["properties"]["storageProfile"]["osDisk"].value("blobUri", "")),
            ToLower(blob));

  since = LastSeq();
  CommandResult again = azure_->Easel("apply -f '" + spec_path + "'");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(WritesSince(since), std::vector<std::string>{});
  EXPECT_EQ(azure_->Easel("delete cluster demo").exit_code, 0);

  // A file that is not a fixed VHD is refused before any write.
  std::ofstream(azure_->home() + "/node.vhd", std::ios::binary | std::ios::trunc) << "not a disk";
  since = LastSeq();
  CommandResult bad = azure_->Easel("apply -f '" + spec_path + "'");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("spec.image.vhdFile: "), std::string::npos) << bad.output;
  EXPECT_EQ(WritesSince(since), std::vector<std::string>{});
}

TEST_F(Storage, PrivateAccessResolvesTheAccountToItsEndpointInTheVnet) {
  spec::ClusterSpec s = Load(Example("private-api.yaml"));
  ASSERT_EQ(s.storage.access, spec::StorageAccess::kPrivate);
  azure_->CreatePrerequisites("private-api.yaml");
  int64_t since = LastSeq();
  CommandResult apply = azure_->Easel("apply -f examples/private-api.yaml");
  ASSERT_EQ(apply.exit_code, 0) << apply.output;

  const std::string name = spec::StorageAccountName(s);
  const std::string group = Group(s.resource_group);
  json account = azure_->Get(Account(s.resource_group, name), kStorageApi);
  ASSERT_TRUE(account.is_object());
  EXPECT_EQ(account["properties"].value("publicNetworkAccess", ""), "Disabled");
  EXPECT_EQ(account["properties"]["networkAcls"].value("defaultAction", ""), "Deny");

  json pe = azure_->Get(
      group + "/providers/Microsoft.Network/privateEndpoints/" + s.name + "-blob-pe", "2025-05-01");
  ASSERT_TRUE(pe.is_object());
  const json& conn = pe["properties"]["privateLinkServiceConnections"][0]["properties"];
  EXPECT_EQ(ToLower(conn.value("privateLinkServiceId", "")), ToLower(account.value("id", "")));
  EXPECT_EQ(conn["privateLinkServiceConnectionState"].value("status", ""), "Approved");
  const std::string subnet = pe["properties"]["subnet"].value("id", "");
  EXPECT_TRUE(EndsWith(ToLower(subnet), "/subnets/" + s.name + "-cp-subnet")) << subnet;
  json nic = azure_->Get(pe["properties"]["networkInterfaces"][0].value("id", ""), "2025-05-01");
  ASSERT_TRUE(nic.is_object());
  const std::string address =
      nic["properties"]["ipConfigurations"][0]["properties"].value("privateIPAddress", "");
  EXPECT_TRUE(StartsWith(address, "10.20.0.")) << address;  // the control-plane subnet

  const std::string zone =
      group + "/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net";
  json record = azure_->Get(zone + "/A/" + name, "2020-06-01");
  ASSERT_TRUE(record.is_object());
  EXPECT_EQ(record["properties"]["aRecords"][0].value("ipv4Address", ""), address);
  json link = azure_->Get(zone + "/virtualNetworkLinks/" + s.name + "-blob", "2020-06-01");
  ASSERT_TRUE(link.is_object());
  EXPECT_TRUE(EndsWith(ToLower(link["properties"]["virtualNetwork"].value("id", "")),
                       "/virtualnetworks/" + s.name + "-vnet"));

  // The copy starts only once the account resolves privately: after the record and the link.
  int64_t record_seq = 0, link_seq = 0, copy_seq = 0;
  for (const json& r : azure_->Requests(since)) {
    const std::string path = ToLower(r.value("path", ""));
    const int64_t seq = r.value("seq", int64_t{0});
    if (r.value("method", "") == "PUT" && EndsWith(path, "/a/" + name)) record_seq = seq;
    if (r.value("method", "") == "PUT" &&
        EndsWith(path, "/virtualnetworklinks/" + s.name + "-blob"))
      link_seq = seq;
    if (r.value("method", "") == "PUT" && r.value("service", "") == "blob" && !copy_seq)
      copy_seq = seq;
  }
  EXPECT_GT(record_seq, 0);
  EXPECT_GT(link_seq, 0);
  EXPECT_GT(copy_seq, std::max(record_seq, link_seq));
  EXPECT_EQ(azure_->Easel("delete cluster " + s.name).exit_code, 0);
  EXPECT_TRUE(azure_->Get(zone, "2020-06-01").is_null());
}

}  // namespace
}  // namespace easel::e2e
