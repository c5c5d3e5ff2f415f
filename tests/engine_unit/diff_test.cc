// Desired-versus-live comparison (src/engine/diff.h).
#include "engine/diff.h"

#include <gtest/gtest.h>

namespace easel::engine {
namespace {

using nlohmann::json;

TEST(FirstDifference, EqualBodiesHaveNoDifference) {
  json body = {{"location", "westeurope"},
               {"properties", {{"addressSpace", {{"addressPrefixes", {"10.0.0.0/16"}}}}}}};
  EXPECT_EQ(FirstDifference(body, body), "");
}

TEST(FirstDifference, ExtraLiveFieldsAreIgnored) {
  json desired = {{"location", "westeurope"}, {"properties", {{"enableDdos", false}}}};
  json live = {{"id", "/subscriptions/s1/x"},
               {"etag", "W/\"1\""},
               {"location", "westeurope"},
               {"properties", {{"enableDdos", false}, {"provisioningState", "Succeeded"}}}};
  EXPECT_EQ(FirstDifference(desired, live), "");
}

TEST(FirstDifference, MissingFieldIsReportedWithItsPath) {
  json desired = {{"properties", {{"sku", {{"name", "Standard"}}}}}};
  json live = {{"properties", {{"sku", json::object()}}}};
  EXPECT_EQ(FirstDifference(desired, live), "properties.sku.name: want \"Standard\", have nothing");
}

TEST(FirstDifference, ChangedArrayElementIsReportedWithItsIndex) {
  json desired = {{"properties", {{"addressSpace", {{"addressPrefixes", {"10.0.0.0/16"}}}}}}};
  json live = {{"properties", {{"addressSpace", {{"addressPrefixes", {"10.1.0.0/16"}}}}}}};
  EXPECT_EQ(FirstDifference(desired, live),
            "properties.addressSpace.addressPrefixes[0]: want \"10.0.0.0/16\", have "
            "\"10.1.0.0/16\"");
}

TEST(FirstDifference, ArraysOfDifferentLengthDiffer) {
  json desired = {{"ports", {22, 6443}}};
  EXPECT_EQ(FirstDifference(desired, {{"ports", {22}}}), "ports: want [22,6443], have [22]");
  EXPECT_EQ(FirstDifference(desired, {{"ports", {22, 6443, 443}}}),
            "ports: want [22,6443], have [22,6443,443]");
}

TEST(FirstDifference, ArrayElementsAreComparedAsSubsets) {
  json desired = {{"subnets", {{{"name", "cp"}}, {{"name", "node"}}}}};
  json live = {
      {"subnets", {{{"name", "cp"}, {"id", "/x/cp"}}, {{"name", "node"}, {"id", "/x/n"}}}}};
  EXPECT_EQ(FirstDifference(desired, live), "");
  json reordered = {{"subnets", {{{"name", "node"}}, {{"name", "cp"}}}}};
  EXPECT_EQ(FirstDifference(desired, reordered), "subnets[0].name: want \"cp\", have \"node\"");
}

TEST(FirstDifference, StringsCompareCaseInsensitively) {
  json desired = {{"location", "WestEurope"}, {"sku", {{"name", "Standard_LRS"}}}};
  json live = {{"location", "westeurope"}, {"sku", {{"name", "standard_lrs"}}}};
  EXPECT_EQ(FirstDifference(desired, live), "");
  EXPECT_EQ(FirstDifference({{"location", "westeurope"}}, {{"location", "northeurope"}}),
            "location: want \"westeurope\", have \"northeurope\"");
}

TEST(FirstDifference, TagValuesCompareExactly) {
  json desired = {{"tags", {{"env", "Prod"}}}};
  json live = {{"tags", {{"env", "prod"}}}};
  EXPECT_EQ(FirstDifference(desired, live), "tags.env: want \"Prod\", have \"prod\"");
}

// Tags someone else added (an Azure Policy `modify` effect) are not drift (issue #11); every tag
// easel asks for must be there with its value.
TEST(FirstDifference, TagsEaselDidNotAskForAreNotADifference) {
  json desired = {{"tags", {{"env", "prod"}}}};
  json extra = {{"tags", {{"env", "prod"}, {"owner", "someone"}}}};
  EXPECT_EQ(FirstDifference(desired, extra), "");
  json fewer = {{"tags", {{"owner", "someone"}}}};
  EXPECT_NE(FirstDifference(desired, fewer), "");
  json missing = {{"tags", json::object()}};
  EXPECT_NE(FirstDifference(desired, missing), "");
}

TEST(FirstDifference, NumbersCompareByValue) {
  EXPECT_EQ(FirstDifference({{"count", 4}}, {{"count", 4.0}}), "");
  EXPECT_EQ(FirstDifference({{"count", 4.0}}, {{"count", 4}}), "");
  EXPECT_EQ(FirstDifference({{"count", 4}}, {{"count", 5}}), "count: want 4, have 5");
}

TEST(FirstDifference, DifferentTypesDiffer) {
  EXPECT_EQ(FirstDifference({{"count", 4}}, {{"count", "4"}}), "count: want 4, have \"4\"");
  EXPECT_EQ(FirstDifference({{"enabled", true}}, {{"enabled", false}}),
            "enabled: want true, have false");
  EXPECT_EQ(FirstDifference({{"properties", {{"a", 1}}}}, {{"properties", "x"}}),
            "properties: want {\"a\":1}, have \"x\"");
}

}  // namespace
}  // namespace easel::engine
