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
    arm_ = std::make_unique<Arm>(*store_, *blob_, fixture_,
                                 Arm::Settings{0.0, "https://127.0.0.1:1", "https://127.0.0.1:2"});
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
    return arm_->Handle(req, "");
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
  json first = json::parse(arm_->Handle(req, "").body);
  ASSERT_EQ(first["value"].size(), 1000u);
  std::string next = first["nextLink"];
  req.query = ParseQuery(next.substr(next.find('?') + 1));
  json second = json::parse(arm_->Handle(req, "").body);
  EXPECT_EQ(second["value"].size(), 205u);
  EXPECT_FALSE(second.contains("nextLink"));
  req.query = {{"api-version", "2024-11-01"}, {"$filter", "tagName eq 'n' and tagValue eq '1'"}};
  json odd = json::parse(arm_->Handle(req, "").body);
  EXPECT_EQ(odd["value"].size(), 602u);
}

TEST_F(ArmTest, StateSurvivesANewEngineOnTheSameStore) {
  EXPECT_EQ(
      Call("PUT", "Microsoft.ManagedIdentity/userAssignedIdentities/idA", {{"location", "eastus"}})
          .status,
      201);
  Arm again(*store_, *blob_, fixture_,
            Arm::Settings{0.0, "https://127.0.0.1:1", "https://127.0.0.1:2"});
  ASSERT_TRUE(again.Start().ok());
  HttpRequest req;
  req.method = "GET";
  req.path =
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/DEMO-RG/providers/"
      "microsoft.managedidentity/userassignedidentities/IDA";
  HttpResponse r = again.Handle(req, "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["name"], "idA");
}

}  // namespace
}  // namespace azsim
