// Unit tests of azsim's pure parts and of the ARM engine in process (no sockets). The SDK-level
// behaviour is tested by tests/conformance against a real azsim process.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "sim/arm.h"
#include "sim/blob.h"
#include "sim/entra.h"
#include "sim/faults.h"
#include "sim/guest_model.h"
#include "sim/keyvault.h"
#include "sim/store.h"
#include "sim/throttle.h"
#include "sim/tls.h"
#include "sim/util.h"
#include "sim/vhd.h"

namespace azsim {
namespace {

using nlohmann::json;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/azsim-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Util, Base64RoundTripAndErrors) {
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    std::string out;
    ASSERT_TRUE(Base64Decode(Base64Encode(s), &out));
    EXPECT_EQ(out, s);
    ASSERT_TRUE(Base64UrlDecode(Base64UrlEncode(s), &out));
    EXPECT_EQ(out, s);
  }
  std::string out;
  EXPECT_FALSE(Base64Decode("ab$c", &out));
  EXPECT_FALSE(Base64Decode("ab=c", &out));
}

TEST(Util, QueryAndPathDecoding) {
  auto q = ParseQuery("API-Version=2024-01-01&$filter=tagName%20eq%20%27a%27&flag", false);
  EXPECT_EQ(q["api-version"], "2024-01-01");
  EXPECT_EQ(q["$filter"], "tagName eq 'a'");
  EXPECT_EQ(q.count("flag"), 1u);
  EXPECT_EQ(ParseQuery("a=b+c", true)["a"], "b c");
  auto seg = SplitPath("/subscriptions//x/a%2Fb/%");
  ASSERT_EQ(seg.size(), 4u);
  EXPECT_EQ(seg[2], "a/b");
  EXPECT_EQ(seg[3], "%");
}

TEST(Util, JsonQuoteAndRequestIds) {
  EXPECT_EQ(JsonQuote("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
  json parsed = json::parse(JsonQuote(std::string("x\x01\"y")));
  EXPECT_EQ(parsed.get<std::string>(), std::string("x\x01\"y"));
  std::string a = RequestId(), b = RequestId();
  EXPECT_EQ(a.size(), 36u);
  EXPECT_NE(a, b);
}

// Raw bytes as a client sends them (tests/fuzz/http_request): a cut-short body used to spin
// forever in ParseRequests' first version; pipelined requests all come out.
TEST(Http, ParseRequestsOnPipelinedAndCutShortBytes) {
  std::string error;
  auto reqs = ParseRequests(
      "GET /a?X=1 HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2\r\n\r\n"
      "PUT /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
      &error);
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(error, "");
  EXPECT_EQ(reqs[0].path, "/a");
  EXPECT_EQ(reqs[0].Query("x"), "1");
  EXPECT_EQ(reqs[0].Header("x-a"), "1,2");
  EXPECT_EQ(reqs[1].body, "abc");
  reqs = ParseRequests("PUT /x HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc", &error);
  EXPECT_TRUE(reqs.empty());
  EXPECT_EQ(error, "");  // the rest has not arrived
  reqs = ParseRequests("PUT /x HTTP/1.1\r\nContent-Length: x\r\n\r\n", &error);
  EXPECT_TRUE(reqs.empty());
  EXPECT_FALSE(error.empty());
}

TEST(Entra, IssuedTokensVerifyAndForgeriesDoNot) {
  TempDir dir;
  auto files = EnsureTlsFiles(dir.path());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  Fixture f = DefaultFixture();
  auto entra = Entra::Create(files->jwt_key_file, f, "https://127.0.0.1:1");
  ASSERT_TRUE(entra.ok());
  std::string token = (*entra)->Issue(f.principals[0], "https://management.azure.com/", 3600);
  auto claims = (*entra)->Verify("Bearer " + token, "https://management.");
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->object_id, f.principals[0].object_id);
  EXPECT_FALSE((*entra)->Verify("Bearer " + token, "https://storage.azure.com").ok());
  std::string forged = token;
  forged[forged.size() - 3] = forged[forged.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE((*entra)->Verify("Bearer " + forged, "https://management.").ok());
  EXPECT_FALSE((*entra)->Verify("Bearer not.a.jwt", "https://management.").ok());
  EXPECT_FALSE((*entra)->Verify("Basic abc", "https://management.").ok());
  std::string expired = (*entra)->Issue(f.principals[0], "https://management.azure.com/", -10);
  EXPECT_FALSE((*entra)->Verify("Bearer " + expired, "https://management.").ok());
  // Certificates are reused on the next start.
  auto again = EnsureTlsFiles(dir.path());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ca_file, files->ca_file);
}

TEST(Vhd, FooterFieldsAndChecksum) {
  std::string f = VhdFooter(1ull << 30, 12345, std::string(16, 'u'));
  ASSERT_EQ(f.size(), 512u);
  EXPECT_EQ(f.substr(0, 8), "conectix");
  auto be32 = [&](size_t off) {
    return uint32_t(uint8_t(f[off])) << 24 | uint32_t(uint8_t(f[off + 1])) << 16 |
           uint32_t(uint8_t(f[off + 2])) << 8 | uint32_t(uint8_t(f[off + 3]));
  };
  EXPECT_EQ(be32(60), 2u);  // fixed disk
  uint32_t sum = 0;
  for (size_t i = 0; i < 512; ++i)
    if (i < 64 || i >= 68) sum += uint8_t(f[i]);
  EXPECT_EQ(be32(64), ~sum);
  // 1 GiB: 2,097,152 sectors -> 63 sectors/track, 16 heads, 2080 cylinders.
  EXPECT_EQ(be32(56), (2080u << 16) | (16u << 8) | 63u);
}

TEST(Store, WritesSurviveReopen) {
  TempDir dir;
  {
    auto s = Store::Open(dir.path() + "/db");
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->Apply({{"a", "k1", std::string("v1")},
                             {"a", "k2", std::string("v2")},
                             {"b", "k1", std::string("x")}})
                    .ok());
    ASSERT_TRUE((*s)->Delete("a", "k2").ok());
  }
  auto s = Store::Open(dir.path() + "/db");
  ASSERT_TRUE(s.ok());
  std::vector<std::string> seen;
  ASSERT_TRUE((*s)->Scan("a", [&](const std::string& k,
                                  const std::string& v) { seen.push_back(k + "=" + v); })
                  .ok());
  EXPECT_EQ(seen, std::vector<std::string>{"k1=v1"});
}

TEST(Faults, DeterministicCountedAndValidated) {
  Faults f(42);
  json rules = {{"rules", {{{"kind", "read"}, {"fault", "500"}, {"rate", 0.5}}}}};
  ASSERT_TRUE(f.Load(rules).ok());
  std::string a, b;
  for (int i = 0; i < 64; ++i) a += f.Decide("arm", "read", "X").fault.empty() ? '.' : 'F';
  ASSERT_TRUE(f.Load(rules).ok());
  for (int i = 0; i < 64; ++i) b += f.Decide("arm", "read", "X").fault.empty() ? '.' : 'F';
  EXPECT_EQ(a, b);
  EXPECT_NE(a.find('F'), std::string::npos);
  EXPECT_NE(a.find('.'), std::string::npos);
  EXPECT_TRUE(f.Decide("arm", "write", "X").fault.empty());
  ASSERT_TRUE(f.Load({{"rules", {{{"fault", "503"}, {"count", 2}, {"type", "T/x"}}}}}).ok());
  EXPECT_TRUE(f.Decide("arm", "read", "T/y").fault.empty());
  EXPECT_EQ(f.Decide("arm", "read", "t/X").fault, "503");
  EXPECT_EQ(f.Decide("arm", "delete", "T/x").fault, "503");
  EXPECT_TRUE(f.Decide("arm", "read", "T/x").fault.empty());
  EXPECT_FALSE(f.Load({{"rules", {{{"fault", "418"}}}}}).ok());
  EXPECT_FALSE(f.Load({{"rules", {{{"fault", "500"}, {"rate", 2}}}}}).ok());
  EXPECT_FALSE(f.Load(json::array()).ok());
}

TEST(Throttle, BucketEmptiesAndIsPerPrincipal) {
  Throttle t(true);
  int denied = 0;
  for (int i = 0; i < 400; ++i) denied += t.Take("s", "p1", "write").allowed ? 0 : 1;
  EXPECT_GT(denied, 0);
  Throttle::Decision d = t.Take("s", "p1", "write");
  EXPECT_FALSE(d.allowed);
  EXPECT_GT(d.retry_after, 0);
  EXPECT_EQ(d.header, "x-ms-ratelimit-remaining-subscription-writes");
  EXPECT_TRUE(t.Take("s", "p2", "write").allowed);
  EXPECT_TRUE(t.Take("s", "p1", "read").allowed);
  Throttle off(false);
  for (int i = 0; i < 400; ++i) ASSERT_TRUE(off.Take("s", "p", "delete").allowed);
}

Arm::Settings TestSettings() {
  Arm::Settings s;
  s.time_scale = 0;
  s.arm_base = "https://127.0.0.1:1";
  s.blob_base = "https://127.0.0.1:2";
  return s;
}

// The ARM engine driven in process.
class ArmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto files = EnsureTlsFiles(dir_.path());
    ASSERT_TRUE(files.ok());
    fixture_ = DefaultFixture();
    store_ = std::move(Store::Open(dir_.path() + "/state.db").value());
    entra_ = std::move(Entra::Create(files->jwt_key_file, fixture_, "https://127.0.0.1:1").value());
    blob_ = std::make_unique<BlobService>(
        *store_, *entra_,
        BlobService::Settings{dir_.path() + "/blob", "https://127.0.0.1:2", 200, 0});
    ASSERT_TRUE(blob_->Start().ok());
    arm_ = std::make_unique<Arm>(*store_, *blob_, fixture_, TestSettings());
    ASSERT_TRUE(arm_->Start().ok());
  }

  HttpResponse Call(const std::string& method, const std::string& path,
                    const json& body = nullptr) {
    HttpRequest req;
    req.method = method;
    req.path =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo-rg/providers/" +
        path;
    req.query["api-version"] = "2024-05-01";
    if (!body.is_null()) req.body = body.dump();
    return arm_->Handle(req, LroFault{});
  }

  static std::string Code(const HttpResponse& r) {
    json j = json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
  }

  TempDir dir_;
  Fixture fixture_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Entra> entra_;
  std::unique_ptr<BlobService> blob_;
  std::unique_ptr<Arm> arm_;
};

TEST_F(ArmTest, LongRunningPutThenConflictWhilePausedThenCompletion) {
  arm_->Pause();
  json nsg = {{"location", "eastus"}};
  HttpResponse first = Call("PUT", "Microsoft.Network/networkSecurityGroups/n1", nsg);
  EXPECT_EQ(first.status, 201);
  EXPECT_FALSE(first.Get("Azure-AsyncOperation").empty());
  HttpResponse second = Call("PUT", "Microsoft.Network/networkSecurityGroups/N1", nsg);
  EXPECT_EQ(second.status, 429);
  EXPECT_EQ(Code(second), "RetryableErrorDueToAnotherOperation");
  json state = json::parse(Call("GET", "Microsoft.Network/networkSecurityGroups/n1").body);
  EXPECT_EQ(state["properties"]["provisioningState"], "Creating");
  arm_->Resume();
}

TEST_F(ArmTest, SubnetRulesAndReferences) {
  json vnet = {{"location", "eastus"},
               {"properties", {{"addressSpace", {{"addressPrefixes", {"10.0.0.0/16"}}}}}}};
  EXPECT_EQ(Call("PUT", "Microsoft.Network/virtualNetworks/vn", vnet).status, 201);
  EXPECT_EQ(Code(Call("PUT", "Microsoft.Network/virtualNetworks/vn/subnets/a",
                      {{"properties", {{"addressPrefix", "10.1.0.0/24"}}}})),
            "NetcfgSubnetRangeOutsideVnet");
  EXPECT_EQ(Code(Call("PUT", "Microsoft.Network/virtualNetworks/vn/subnets/a",
                      {{"properties", {{"addressPrefix", "10.0.0.1/24"}}}})),
            "InvalidAddressPrefixFormat");
  EXPECT_EQ(Code(Call("PUT", "Microsoft.Network/virtualNetworks/missing/subnets/a",
                      {{"properties", {{"addressPrefix", "10.0.0.0/24"}}}})),
            "ParentResourceNotFound");
  EXPECT_EQ(
      Code(Call(
          "PUT", "Microsoft.Network/networkInterfaces/nic",
          {{"location", "eastus"},
           {"properties",
            {{"ipConfigurations",
              {{{"name", "ip"},
                {"properties",
                 {{"subnet",
                   {{"id",
                     "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo-rg/"
                     "providers/Microsoft.Network/virtualNetworks/vn/subnets/none"}}}}}}}}}}})),
      "InvalidResourceReference");
  EXPECT_EQ(Code(Call("PUT", "Microsoft.Network/virtualNetworks/v2", {{"location", 5}})),
            "LocationRequired");
  EXPECT_EQ(Code(Call("PUT", "Microsoft.Network/publicIPAddresses/p",
                      {{"location", "eastus"}, {"sku", "Standard"}})),
            "InvalidRequestContent");
}

TEST_F(ArmTest, GroupListsPageWithNextLink) {
  for (int i = 0; i < 1205; ++i)
    ASSERT_EQ(Call("PUT", "Microsoft.ManagedIdentity/userAssignedIdentities/id" + std::to_string(i),
                   {{"location", "eastus"}, {"tags", {{"n", std::to_string(i % 2)}}}})
                  .status,
              201);
  HttpRequest req;
  req.method = "GET";
  req.path = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo-rg/resources";
  req.query["api-version"] = "2024-11-01";
  json first = json::parse(arm_->Handle(req, LroFault{}).body);
  ASSERT_EQ(first["value"].size(), 1000u);
  std::string next = first["nextLink"];
  req.query = ParseQuery(next.substr(next.find('?') + 1));
  json second = json::parse(arm_->Handle(req, LroFault{}).body);
  EXPECT_EQ(second["value"].size(), 205u);
  EXPECT_FALSE(second.contains("nextLink"));
  req.query = {{"api-version", "2024-11-01"}, {"$filter", "tagName eq 'n' and tagValue eq '1'"}};
  json odd = json::parse(arm_->Handle(req, LroFault{}).body);
  EXPECT_EQ(odd["value"].size(), 602u);
}

TEST_F(ArmTest, StateSurvivesANewEngineOnTheSameStore) {
  EXPECT_EQ(
      Call("PUT", "Microsoft.ManagedIdentity/userAssignedIdentities/idA", {{"location", "eastus"}})
          .status,
      201);
  Arm again(*store_, *blob_, fixture_, TestSettings());
  ASSERT_TRUE(again.Start().ok());
  HttpRequest req;
  req.method = "GET";
  req.path =
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/DEMO-RG/providers/"
      "microsoft.managedidentity/userassignedidentities/IDA";
  HttpResponse r = again.Handle(req, LroFault{});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["name"], "idA");
}

TEST_F(ArmTest, ExtensionOutcomeFromUserDataSurvivesRestart) {
  json vnet = {
      {"location", "eastus"},
      {"properties",
       {{"addressSpace", {{"addressPrefixes", {"10.0.0.0/16"}}}},
        {"subnets", {{{"name", "s"}, {"properties", {{"addressPrefix", "10.0.1.0/24"}}}}}}}}};
  ASSERT_EQ(Call("PUT", "Microsoft.Network/virtualNetworks/vn", vnet).status, 201);
  const std::string rg =
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo-rg";
  auto make_vm = [&](const std::string& name, const std::string& user_data) {
    json nic = {
        {"location", "eastus"},
        {"properties",
         {{"ipConfigurations",
           {{{"name", "ip"},
             {"properties",
              {{"subnet",
                {{"id", rg + "/providers/Microsoft.Network/virtualNetworks/vn/subnets/s"}}}}}}}}}}};
    ASSERT_EQ(Call("PUT", "Microsoft.Network/networkInterfaces/" + name + "-nic", nic).status, 201);
    json os = {{"adminUsername", "u"}};
    if (!user_data.empty()) os["customData"] = Base64Encode(user_data);
    json vm = {
        {"location", "eastus"},
        {"properties",
         {{"hardwareProfile", {{"vmSize", "Standard_D2s_v3"}}},
          {"storageProfile",
           {{"imageReference",
             {{"publisher", "Canonical"}, {"offer", "o"}, {"sku", "s"}, {"version", "latest"}}}}},
          {"osProfile", os},
          {"networkProfile",
           {{"networkInterfaces",
             {{{"id",
                rg + "/providers/Microsoft.Network/networkInterfaces/" + name + "-nic"}}}}}}}}};
    ASSERT_EQ(Call("PUT", "Microsoft.Compute/virtualMachines/" + name, vm).status, 201);
  };
  json ext = {{"properties",
               {{"publisher", "Microsoft.Azure.Extensions"},
                {"type", "CustomScript"},
                {"typeHandlerVersion", "2.1"},
                {"protectedSettings", {{"commandToExecute", "secret"}}}}}};
  make_vm("empty", "");
  std::string init =
      "#cloud-config\nwrite_files:\n  - path: /run/kubeadm/kubeadm.yaml\n    content: |\n"
      "      kind: InitConfiguration\n      ---\n      kind: ClusterConfiguration\n"
      "      controlPlaneEndpoint: cp:6443\n";
  make_vm("init", init);
  EXPECT_EQ(arm_->VmUserData(rg + "/providers/Microsoft.Compute/virtualMachines/init"), init);
  EXPECT_FALSE(arm_->VmUserData(rg + "/providers/Microsoft.Compute/virtualMachines/empty"));
  json vm_doc = json::parse(Call("GET", "Microsoft.Compute/virtualMachines/init").body);
  EXPECT_FALSE(vm_doc.contains("_azsim"));
  EXPECT_FALSE(vm_doc["properties"]["osProfile"].contains("customData"));
  HttpResponse put = Call("PUT", "Microsoft.Compute/virtualMachines/empty/extensions/boot", ext);
  ASSERT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(put.body.find("secret"), std::string::npos);
  ASSERT_EQ(Call("PUT", "Microsoft.Compute/virtualMachines/init/extensions/boot", ext).status, 201);
  // Time scale 0: decided on the next request.
  json e1 =
      json::parse(Call("GET", "Microsoft.Compute/virtualMachines/empty/extensions/boot").body);
  EXPECT_EQ(e1["properties"]["provisioningState"], "Failed");
  EXPECT_FALSE(e1["properties"].contains("instanceView"));
  EXPECT_FALSE(e1.contains("_azsim"));
  Arm again(*store_, *blob_, fixture_, TestSettings());
  ASSERT_TRUE(again.Start().ok());
  HttpRequest req;
  req.method = "GET";
  req.path = rg + "/providers/Microsoft.Compute/virtualMachines/init/extensions/boot";
  req.query = {{"api-version", "2024-07-01"}, {"$expand", "instanceView"}};
  json e2 = json::parse(again.Handle(req, LroFault{}).body);
  EXPECT_EQ(e2["properties"]["provisioningState"], "Failed");
  const json& iv = e2["properties"]["instanceView"];
  EXPECT_EQ(iv["type"], "Microsoft.Azure.Extensions.CustomScript");
  EXPECT_EQ(iv["statuses"][0]["code"], "ProvisioningState/failed/1");
  EXPECT_EQ(iv["substatuses"][1]["code"], "ComponentStatus/StdErr/succeeded");
  // An init node reads its CA keys from Key Vault: without VAULT_URI it cannot.
  EXPECT_NE(iv["substatuses"][1]["message"].get<std::string>().find("VAULT_URI is not set"),
            std::string::npos);
  req.path = rg + "/providers/Microsoft.Compute/virtualMachines/empty";
  json vm_iv = json::parse(again.Handle(req, LroFault{}).body)["properties"]["instanceView"];
  ASSERT_EQ(vm_iv["extensions"].size(), 1u);
  EXPECT_NE(vm_iv["extensions"][0]["substatuses"][1]["message"].get<std::string>().find(
                "no bootstrap marker after 600 s"),
            std::string::npos);
}

TEST(KeyVault, NameRules) {
  for (const char* ok : {"abc", "kv-1", "A1b2", "a-b-c-d", "abcdefghijklmnopqrstuvwx"})
    EXPECT_TRUE(ValidVaultName(ok)) << ok;
  for (const char* bad :
       {"ab", "1abc", "-abc", "abc-", "a--b", "ab_c", "abcdefghijklmnopqrstuvwxy"})
    EXPECT_FALSE(ValidVaultName(bad)) << bad;
  EXPECT_TRUE(ValidSecretName("ca-key"));
  EXPECT_TRUE(ValidSecretName(std::string(127, 'a')));
  EXPECT_FALSE(ValidSecretName(std::string(128, 'a')));
  EXPECT_FALSE(ValidSecretName("ca_key"));
  EXPECT_FALSE(ValidSecretName(""));
}

namespace {

const char kCaPem[] = R"(-----BEGIN CERTIFICATE-----
MIIBfzCCASWgAwIBAgIUPKrUZgiubV/MNVNYdizvXRNMS/IwCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKa3ViZXJuZXRlczAeFw0yNjEyMDExMTI1NTNaFw0zNjExMjgx
MTI1NTNaMBUxEzARBgNVBAMMCmt1YmVybmV0ZXMwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATueKetmqKzsqoFrClLFtjyNFEs102tf0aXeV2UbZ1MUcHp7K2WiycD
eD45E9emMPgPhogGJAJmOIJmxp6HJ9x5o1MwUTAdBgNVHQ4EFgQUq0mEzU6p8/Lc
lFwJe566qzTt0F8wHwYDVR0jBBgwFoAUq0mEzU6p8/LclFwJe566qzTt0F8wDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEA+YPtLk8aEVZFHtCN7mCl
BDyo9EOmjNCn6lUk8xWHXpgCIE2oXPF3TCQrDGWbjEd5F4F7LGSRSrnDZTBKM4yC
j8Au
-----END CERTIFICATE-----
)";

std::string Indent(const std::string& text) {
  std::string out = "      ";
  for (char c : text) {
    out += c;
    if (c == '\n') out += "      ";
  }
  return out;
}

}  // namespace

TEST(GuestModel, InitAndJoinConfigs) {
  std::string init =
      std::string("#cloud-config\nwrite_files:\n") +
      "  - path: /run/kubeadm/kubeadm.yaml\n    content: |\n" +
      Indent(
          "kind: InitConfiguration\nbootstrapTokens:\n  - token: abcdef.0123456789abcdef\n"
          "---\nkind: ClusterConfiguration\ncontrolPlaneEndpoint: \"cp.example:6443\"") +
      "\n  - path: /etc/easel/bootstrap.env\n    content: |\n" +
      Indent("# comment\nVAULT_URI=https://127.0.0.1:5/\nexport IDENTITY_CLIENT_ID=\"cid\"") +
      "\n  - path: /etc/kubernetes/pki/ca.crt\n    encoding: b64\n    content: " +
      Base64Encode(kCaPem) + "\n";
  GuestConfig g = ParseGuestConfig(init);
  ASSERT_EQ(g.role, GuestConfig::Role::kInit) << g.problem;
  EXPECT_TRUE(g.control_plane);
  EXPECT_EQ(g.endpoint, "cp.example:6443");
  EXPECT_EQ(g.bootstrap_tokens, std::vector<std::string>{"abcdef.0123456789abcdef"});
  EXPECT_EQ(g.env["VAULT_URI"], "https://127.0.0.1:5/");
  EXPECT_EQ(g.env["IDENTITY_CLIENT_ID"], "cid");
  EXPECT_EQ(g.ca_pem, kCaPem);

  std::string join =
      std::string("#cloud-config\nwrite_files:\n") +
      "  - path: /run/kubeadm/kubeadm.yaml\n    content: |\n" +
      Indent(
          "kind: JoinConfiguration\ndiscovery:\n  bootstrapToken:\n"
          "    apiServerEndpoint: cp.example:6443\n    token: abcdef.0123456789abcdef\n"
          "    caCertHashes: [\"sha256:00\"]\ncontrolPlane:\n  localAPIEndpoint: {}") +
      "\n";
  g = ParseGuestConfig(join);
  ASSERT_EQ(g.role, GuestConfig::Role::kJoin) << g.problem;
  EXPECT_TRUE(g.control_plane);
  EXPECT_EQ(g.endpoint, "cp.example:6443");
  EXPECT_EQ(g.token, "abcdef.0123456789abcdef");
  EXPECT_EQ(g.ca_hashes, std::vector<std::string>{"sha256:00"});
  std::string worker = join.substr(0, join.find("\n      controlPlane:")) + "\n";
  g = ParseGuestConfig(worker);
  ASSERT_EQ(g.role, GuestConfig::Role::kJoin) << g.problem;
  EXPECT_FALSE(g.control_plane);
}

TEST(GuestModel, HostileUserDataNeverThrows) {
  for (const std::string& data :
       {std::string(""), std::string("\x00\x01\xff", 3), std::string("- a\n- b\n"),
        std::string("key: [unclosed"), std::string("write_files: 7"),
        std::string("write_files:\n  - 7\n  - [x]\n"),
        std::string("write_files:\n  - path: /run/kubeadm/kubeadm.yaml\n    content: '{'\n"),
        std::string("write_files:\n  - path: /run/kubeadm/kubeadm.yaml\n    encoding: b64\n"
                    "    content: '!!!'\n"),
        std::string("write_files:\n  - path: /run/kubeadm/kubeadm.yaml\n    encoding: gzip\n"
                    "    content: x\n"),
        std::string(
            "write_files:\n  - path: /run/kubeadm/kubeadm.yaml\n    content: 'kind: Other'\n"),
        std::string("write_files:\n  - path: [a]\n    content: {b: c}\n")}) {
    GuestConfig g = ParseGuestConfig(data);
    EXPECT_EQ(g.role, GuestConfig::Role::kNone) << data;
    EXPECT_EQ(g.problem.rfind("cloud-init: ", 0), 0u) << g.problem;
  }
}

TEST(GuestModel, CaPinTokensAndWindows) {
  std::string err;
  EXPECT_EQ(CaPublicKeyPin(kCaPem, &err),
            "sha256:e3f46b44c16dc478607c67b09946099e6e33a47232832ccc392fb33112681d47");
  EXPECT_EQ(CaPublicKeyPin("not a pem", &err), "");
  EXPECT_FALSE(err.empty());
  EXPECT_TRUE(BootstrapTokenWellFormed("abcdef.0123456789abcdef"));
  EXPECT_FALSE(BootstrapTokenWellFormed("ABCDEF.0123456789abcdef"));
  EXPECT_FALSE(BootstrapTokenWellFormed("abcdef.0123456789abcde"));
  EXPECT_FALSE(BootstrapTokenWellFormed("abcdef0123456789abcdef"));
  const std::string seed = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  // openssl dgst -sha256 -hmac SEED <<< 490000 (no newline): 290d2386e397b2a580be...
  EXPECT_EQ(WindowToken(seed, 490000), "290d23.86e397b2a580be5a");
  double now = 490000 * 3600.0 + 10;
  EXPECT_TRUE(JoinTokenValid("290d23.86e397b2a580be5a", {}, seed, now));
  EXPECT_TRUE(JoinTokenValid("290d23.86e397b2a580be5a", {}, seed, now + 3600));  // previous window
  EXPECT_FALSE(JoinTokenValid("290d23.86e397b2a580be5a", {}, seed, now + 7200));
  EXPECT_FALSE(JoinTokenValid("290d23.86e397b2a580be5a", {}, "", now));
  EXPECT_TRUE(JoinTokenValid("abcdef.0123456789abcdef", {"abcdef.0123456789abcdef"}, "", now));
}

}  // namespace
}  // namespace azsim
