// Azure Policy's `modify` effect (issue #11): an enterprise policy that adds a tag on every write
// (azsim's `policies`) does not make easel fight it: the tag easel did not set is not drift,
// `easel check` stays clean and a re-apply sends no write.
#include <gtest/gtest.h>

#include "e2e/harness.h"

namespace easel::e2e {
namespace {

using nlohmann::json;

TEST(PolicyTags, TagsAPolicyAddsAreNotDrift) {
  LocalAzure azure(0);
  ASSERT_TRUE(azure.ok()) << azure.error();
  azure.CreatePrerequisites("quickstart.yaml");
  json policies = {
      {"policies",
       {{{"name", "cost-center"},
         {"effect", "modify"},
         {"resourceType", "Microsoft.*"},
         {"operations",
          {{{"operation", "addOrReplace"}, {"field", "tags['costCenter']"}, {"value", "cc-4711"}},
           {{"operation", "add"}, {"field", "tags['owner']"}, {"value", "platform-team"}}}}}}}};
  json set = azure.Admin("PUT", "policies", policies.dump());
  ASSERT_TRUE(set.is_object() && set.contains("policies")) << set.dump();

  CommandResult apply = azure.Easel("apply -f examples/quickstart.yaml");
  ASSERT_EQ(apply.exit_code, 0) << apply.output;
  std::string rg = "/subscriptions/" + azure.subscription() + "/resourceGroups/demo-rg/providers/";
  json vnet = azure.Get(rg + "Microsoft.Network/virtualNetworks/demo-vnet", "2025-05-01");
  ASSERT_TRUE(vnet.is_object());
  EXPECT_EQ(vnet["tags"].value("costCenter", ""), "cc-4711") << vnet["tags"].dump();
  EXPECT_EQ(vnet["tags"].value("owner", ""), "platform-team") << vnet["tags"].dump();
  EXPECT_EQ(vnet["tags"].value("team", ""), "platform") << "easel's own tag is kept";

  CommandResult check = azure.Easel("check demo");
  EXPECT_EQ(check.exit_code, 0) << check.output;

  std::vector<json> log = azure.Requests();
  int64_t since = log.empty() ? 0 : log.back().value("seq", int64_t{0});
  CommandResult again = azure.Easel("apply -f examples/quickstart.yaml");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  std::vector<std::string> writes;
  for (const json& line : azure.Requests(since)) {
    std::string m = line.value("method", "");
    if (line.value("service", "") == "arm" && m != "GET" && m != "HEAD")
      writes.push_back(m + " " + line.value("path", ""));
  }
  EXPECT_TRUE(writes.empty()) << "re-apply wrote: " << ::testing::PrintToString(writes) << "\n"
                              << again.output;
  EXPECT_EQ(azure.Easel("delete cluster demo").exit_code, 0);
}

}  // namespace
}  // namespace easel::e2e
