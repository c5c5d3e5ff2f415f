// Which poll an accepted PUT or DELETE starts, and provisioning states (src/azure/lro.h).
#include "azure/lro.h"

#include <gtest/gtest.h>

namespace easel::azure {
namespace {

using std::chrono::milliseconds;

constexpr const char* kId =
    "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";
constexpr const char* kAsyncUrl =
    "https://management.azure.com/subscriptions/s1/providers/Microsoft.Network/locations/"
    "westeurope/"
    "operations/op1?api-version=2023-09-01";
constexpr const char* kLocationUrl =
    "https://management.azure.com/subscriptions/s1/providers/Microsoft.Network/locations/"
    "westeurope/"
    "operationResults/op1?api-version=2023-09-01";

ArmResponse Answer(int status, const std::string& provisioning_state = "") {
  ArmResponse r;
  r.status = status;
  if (!provisioning_state.empty()) {
    r.body = {{"id", kId}, {"properties", {{"provisioningState", provisioning_state}}}};
  }
  return r;
}

TEST(LroPollKind, RoundTripsThroughItsString) {
  for (PollKind k : {PollKind::kNone, PollKind::kAsyncOperation, PollKind::kLocation,
                     PollKind::kProvisioningState}) {
    EXPECT_EQ(PollKindFromString(ToString(k)), k) << ToString(k);
  }
}

TEST(LroTerminalState, AbsentStateIsTerminal) {
  EXPECT_TRUE(IsTerminalProvisioningState(nlohmann::json::object()));
  EXPECT_TRUE(IsTerminalProvisioningState({{"properties", nlohmann::json::object()}}));
}

TEST(LroTerminalState, SucceededFailedCanceledAreTerminalInAnyCase) {
  for (const char* s : {"Succeeded", "Failed", "Canceled", "succeeded", "FAILED"}) {
    EXPECT_TRUE(IsTerminalProvisioningState(Answer(200, s).body)) << s;
  }
}

TEST(LroTerminalState, InProgressStatesAreNotTerminal) {
  for (const char* s : {"Creating", "Updating", "Deleting", "Accepted", "Provisioning"}) {
    EXPECT_FALSE(IsTerminalProvisioningState(Answer(200, s).body)) << s;
  }
}

TEST(LroStartedOperation, Put201WithAsyncOperationPollsTheOperation) {
  ArmResponse r = Answer(201, "Creating");
  r.headers["Azure-AsyncOperation"] = kAsyncUrl;
  r.headers["Retry-After"] = "5";
  PendingOperation op = StartedOperation("PUT", kId, "2023-09-01", r);
  EXPECT_EQ(op.kind, PollKind::kAsyncOperation);
  EXPECT_EQ(op.poll_url, kAsyncUrl);
  EXPECT_EQ(op.retry_after, milliseconds(5000));
  EXPECT_EQ(op.method, "PUT");
  EXPECT_EQ(op.resource_id, kId);
  EXPECT_EQ(op.api_version, "2023-09-01");
}

TEST(LroStartedOperation, AsyncOperationIsPreferredToLocation) {
  ArmResponse r = Answer(201, "Creating");
  r.headers["Azure-AsyncOperation"] = kAsyncUrl;
  r.headers["Location"] = kLocationUrl;
  PendingOperation op = StartedOperation("PUT", kId, "2023-09-01", r);
  EXPECT_EQ(op.kind, PollKind::kAsyncOperation);
  EXPECT_EQ(op.poll_url, kAsyncUrl);
}

TEST(LroStartedOperation, Delete202WithLocationPollsTheLocation) {
  ArmResponse r = Answer(202);
  r.headers["Location"] = kLocationUrl;
  PendingOperation op = StartedOperation("DELETE", kId, "2023-09-01", r);
  EXPECT_EQ(op.kind, PollKind::kLocation);
  EXPECT_EQ(op.poll_url, kLocationUrl);
  EXPECT_EQ(op.retry_after, kDefaultPollInterval);
}

TEST(LroStartedOperation, Put201InProgressWithoutHeadersPollsTheProvisioningState) {
  PendingOperation op = StartedOperation("PUT", kId, "2023-09-01", Answer(201, "Creating"));
  EXPECT_EQ(op.kind, PollKind::kProvisioningState);
  EXPECT_EQ(op.poll_url, "");
  EXPECT_EQ(op.retry_after, kDefaultPollInterval);
}

TEST(LroStartedOperation, Put200SucceededIsAlreadyFinished) {
  EXPECT_EQ(StartedOperation("PUT", kId, "2023-09-01", Answer(200, "Succeeded")).kind,
            PollKind::kNone);
  EXPECT_EQ(StartedOperation("PUT", kId, "2023-09-01", Answer(200)).kind, PollKind::kNone);
}

TEST(LroStartedOperation, Delete202WithoutLocationWaitsForTheResourceToGo) {
  EXPECT_EQ(StartedOperation("DELETE", kId, "2023-09-01", Answer(202)).kind,
            PollKind::kProvisioningState);
}

TEST(LroStartedOperation, Delete200Or204IsAlreadyFinished) {
  EXPECT_EQ(StartedOperation("DELETE", kId, "2023-09-01", Answer(200)).kind, PollKind::kNone);
  EXPECT_EQ(StartedOperation("DELETE", kId, "2023-09-01", Answer(204)).kind, PollKind::kNone);
}

}  // namespace
}  // namespace easel::azure
