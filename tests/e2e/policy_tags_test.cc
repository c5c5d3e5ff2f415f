// Azure Policy's `modify` effect (issue #11): an enterprise policy that adds a tag on every write
// (azsim's `policies`) does not make easel fight it: the tag easel did not set is not drift,
// `easel check` stays clean and a re-apply sends no write. A policy overwriting a tag easel does
// set is reported once (the apply that wrote it, then `easel check` as "overridden") and not
// rewritten by every later apply.
#include <gtest/gtest.h>

#include <sstream>

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

// The lines of `text` that start with `prefix`.
std::vector<std::string> LinesStartingWith(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
  }
  return out;
}

TEST(PolicyTags, ATagEaselSetsThatAPolicyOverwritesIsReportedOnceNotRewritten) {
  LocalAzure azure(0);
  ASSERT_TRUE(azure.ok()) << azure.error();
  azure.CreatePrerequisites("quickstart.yaml");
  // The spec's metadata.tags says team: platform; the enterprise says finance, on VNets.
  json policies = {
      {"policies",
       {{{"name", "team-is-finance"},
         {"effect", "modify"},
         {"resourceType", "Microsoft.Network/virtualNetworks"},
         {"operations",
          {{{"operation", "addOrReplace"}, {"field", "tags['team']"}, {"value", "finance"}}}}}}}};
  json set = azure.Admin("PUT", "policies", policies.dump());
  ASSERT_TRUE(set.is_object() && set.contains("policies")) << set.dump();

  CommandResult apply = azure.Easel("apply -f examples/quickstart.yaml");
  ASSERT_EQ(apply.exit_code, 0) << apply.output;
  EXPECT_NE(apply.output.find("Azure keeps tags.team at \"finance\" (a policy?): easel does not "
                              "rewrite it"),
            std::string::npos)
      << apply.output;
  std::string rg = "/subscriptions/" + azure.subscription() + "/resourceGroups/demo-rg/providers/";
  json vnet = azure.Get(rg + "Microsoft.Network/virtualNetworks/demo-vnet", "2025-05-01");
  ASSERT_TRUE(vnet.is_object());
  EXPECT_EQ(vnet["tags"].value("team", ""), "finance") << vnet["tags"].dump();
  CommandResult events = azure.Easel("events demo");
  size_t warnings = 0;
  for (size_t at = 0; (at = events.output.find("Azure keeps tags.team", at)) != std::string::npos;
       ++at)
    ++warnings;
  EXPECT_EQ(warnings, 1u) << events.output;

  // A second apply sends nothing: the same body would be overwritten the same way.
  int64_t since = LastSeq(azure);
  CommandResult again = azure.Easel("apply -f examples/quickstart.yaml");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  std::vector<std::string> writes = WritesSince(azure, since);
  EXPECT_TRUE(writes.empty()) << "re-apply wrote: " << ::testing::PrintToString(writes) << "\n"
                              << again.output;
  events = azure.Easel("events demo");
  warnings = 0;
  for (size_t at = 0; (at = events.output.find("Azure keeps tags.team", at)) != std::string::npos;
       ++at)
    ++warnings;
  EXPECT_EQ(warnings, 1u) << "reported once, not per apply\n" << events.output;

  // `easel check` reports it as drift apply cannot repair, and nothing else.
  CommandResult check = azure.Easel("check demo");
  EXPECT_EQ(check.exit_code, 1) << check.output;
  std::vector<std::string> overridden = LinesStartingWith(check.output, "overridden  ");
  ASSERT_EQ(overridden.size(), 1u) << check.output;
  EXPECT_NE(overridden[0].find("demo-vnet"), std::string::npos) << check.output;
  EXPECT_NE(overridden[0].find("tags.team at \"finance\""), std::string::npos) << check.output;
  EXPECT_TRUE(LinesStartingWith(check.output, "changed  ").empty()) << check.output;
  EXPECT_TRUE(LinesStartingWith(check.output, "missing  ").empty()) << check.output;
  EXPECT_NE(check.output.find(": 1 resources drifted"), std::string::npos) << check.output;

  // A real change elsewhere on the same resource is still drift that apply repairs.
  json live = azure.Get(rg + "Microsoft.Network/virtualNetworks/demo-vnet", "2025-05-01");
  ASSERT_TRUE(live.is_object());
  live["properties"]["addressSpace"]["addressPrefixes"].push_back("10.99.0.0/16");
  Result<azure::ArmResponse> put = azure.arm().Call(
      "PUT", rg + "Microsoft.Network/virtualNetworks/demo-vnet", "2025-05-01", live);
  ASSERT_TRUE(put.ok()) << put.status().message();
  ASSERT_LT(put->status, 300) << put->body.dump();
  check = azure.Easel("check demo");
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_EQ(LinesStartingWith(check.output, "changed  ").size(), 1u) << check.output;

  EXPECT_EQ(azure.Easel("delete cluster demo").exit_code, 0);
}

}  // namespace
}  // namespace easel::e2e
