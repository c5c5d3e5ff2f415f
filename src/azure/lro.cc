#include "azure/lro.h"

#include <thread>

#include "common/strings.h"

namespace easel::azure {
namespace {

std::string ProvisioningState(const nlohmann::json& resource) {
  if (!resource.is_object()) return "";
  auto props = resource.find("properties");
  if (props == resource.end() || !props->is_object()) return "";
  auto state = props->find("provisioningState");
  return state != props->end() && state->is_string() ? state->get<std::string>() : "";
}

std::chrono::milliseconds RetryAfterOr(const ArmResponse& r) {
  auto ra = RetryAfterOf(r.headers);
  return ra ? *ra : kDefaultPollInterval;
}

// A finished PUT (or wait) re-reads the resource (as the SDKs do); a finished DELETE is done.
Result<OperationOutcome> Finish(ArmClient& arm, const PendingOperation& op) {
  OperationOutcome out;
  out.state = OperationState::kSucceeded;
  if (op.method != "PUT" && op.method != kWaitMethod) return out;
  Result<ArmResponse> r = arm.Call("GET", op.resource_id, op.api_version);
  if (!r.ok()) return r.status();
  if (r->status != 200) {
    out.state = OperationState::kFailed;
    out.error_code = ErrorOf(*r).code;
    out.error_message = "reading the resource after its operation: " + Describe(*r);
    return out;
  }
  std::string state = ToLower(ProvisioningState(r->body));
  if (state == "failed" || state == "canceled") {
    out.state = OperationState::kFailed;
    out.error_code = "Provisioning" + ProvisioningState(r->body);
    out.error_message = "the resource's provisioningState is " + ProvisioningState(r->body);
  }
  out.resource = r->body;
  return out;
}

}  // namespace

const char* ToString(PollKind kind) {
  switch (kind) {
    case PollKind::kNone:
      return "none";
    case PollKind::kAsyncOperation:
      return "async";
    case PollKind::kLocation:
      return "location";
    case PollKind::kProvisioningState:
      return "state";
  }
  return "none";
}

PollKind PollKindFromString(const std::string& s) {
  if (s == "async") return PollKind::kAsyncOperation;
  if (s == "location") return PollKind::kLocation;
  if (s == "state") return PollKind::kProvisioningState;
  return PollKind::kNone;
}

bool IsTerminalProvisioningState(const nlohmann::json& resource) {
  std::string s = ToLower(ProvisioningState(resource));
  return s.empty() || s == "succeeded" || s == "failed" || s == "canceled";
}

PendingOperation StartedOperation(const std::string& method, const std::string& resource_id,
                                  const std::string& api_version, const ArmResponse& r) {
  PendingOperation op;
  op.method = method;
  op.resource_id = resource_id;
  op.api_version = api_version;
  op.retry_after = RetryAfterOr(r);
  std::string async = r.Header("Azure-AsyncOperation");
  std::string location = r.Header("Location");
  if (!async.empty()) {
    op.kind = PollKind::kAsyncOperation;
    op.poll_url = async;
  } else if (!location.empty() && r.status == 202) {
    op.kind = PollKind::kLocation;
    op.poll_url = location;
  } else if (method == "PUT" && !IsTerminalProvisioningState(r.body)) {
    op.kind = PollKind::kProvisioningState;
  } else if (method == "PUT" && r.status == 202) {
    op.kind = PollKind::kProvisioningState;  // legacy 202 without headers: the resource appears
  } else if (method == "DELETE" && r.status == 202) {
    op.kind = PollKind::kProvisioningState;  // until the resource 404s
  } else {
    op.kind = PollKind::kNone;
  }
  return op;
}

Result<OperationOutcome> PollOnce(ArmClient& arm, const PendingOperation& op) {
  OperationOutcome out;
  if (op.kind == PollKind::kAsyncOperation || op.kind == PollKind::kLocation) {
    // An operation URL off the ARM endpoint is never polled (the token would go with it): the
    // operation fails, which the engine reports, instead of a transport error it retries forever.
    if (Status s = CheckArmUrl(op.poll_url, arm.cloud().arm_endpoint); !s.ok()) {
      out.state = OperationState::kFailed;
      out.error_code = "UntrustedOperationUrl";
      out.error_message =
          std::string(op.kind == PollKind::kAsyncOperation ? "the Azure-AsyncOperation header: "
                                                           : "the Location header: ") +
          s.message();
      return out;
    }
  }
  switch (op.kind) {
    case PollKind::kNone:
      return Finish(arm, op);
    case PollKind::kAsyncOperation: {
      Result<ArmResponse> r = arm.Call("GET", op.poll_url, "");
      if (!r.ok()) return r.status();
      if (r->status != 200 || !r->body.is_object() || !r->body.contains("status")) {
        // The status resource itself failed to answer; that says nothing of the operation.
        out.retry_after = RetryAfterOr(*r);
        return out;
      }
      std::string status =
          ToLower(r->body["status"].is_string() ? r->body["status"].get<std::string>() : "");
      if (status == "succeeded") return Finish(arm, op);
      if (status == "failed" || status == "canceled") {
        out.state = OperationState::kFailed;
        ArmResponse as_error{200, {}, r->body};
        ArmError e = ErrorOf(as_error);
        out.error_code =
            e.code.empty() ? "Operation" + r->body["status"].get<std::string>() : e.code;
        out.error_message = e.message;
        return out;
      }
      out.retry_after = RetryAfterOr(*r);
      return out;
    }
    case PollKind::kLocation: {
      Result<ArmResponse> r = arm.Call("GET", op.poll_url, "");
      if (!r.ok()) return r.status();
      if (r->status == 202) {
        out.retry_after = RetryAfterOr(*r);
        return out;
      }
      if (r->status >= 200 && r->status < 300) return Finish(arm, op);
      out.state = OperationState::kFailed;
      out.error_code = ErrorOf(*r).code;
      out.error_message = Describe(*r);
      return out;
    }
    case PollKind::kProvisioningState: {
      Result<ArmResponse> r = arm.Call("GET", op.resource_id, op.api_version);
      if (!r.ok()) return r.status();
      if (op.method == "DELETE") {
        if (r->status == 404) {
          out.state = OperationState::kSucceeded;
          return out;
        }
        out.retry_after = RetryAfterOr(*r);
        return out;
      }
      if (op.method == kWaitMethod && r->status == 404) {  // someone else's operation removed it
        out.state = OperationState::kSucceeded;
        return out;
      }
      if (r->status == 404) {  // legacy 202: not there yet
        out.retry_after = RetryAfterOr(*r);
        return out;
      }
      if (r->status != 200) {
        out.state = OperationState::kFailed;
        out.error_code = ErrorOf(*r).code;
        out.error_message = Describe(*r);
        return out;
      }
      if (!IsTerminalProvisioningState(r->body)) {
        out.retry_after = RetryAfterOr(*r);
        return out;
      }
      return Finish(arm, op);
    }
  }
  return out;
}

Status PutAndWait(ArmClient& arm, const std::string& resource_id, const std::string& api_version,
                  const nlohmann::json& body) {
  Result<ArmResponse> r = arm.Call("PUT", resource_id, api_version, body);
  if (!r.ok()) return r.status();
  if (r->status >= 300)
    return Status::FailedPrecondition("PUT " + resource_id + ": " + Describe(*r));
  PendingOperation op = StartedOperation("PUT", resource_id, api_version, *r);
  for (int polls = 0; polls < 10'000; ++polls) {
    Result<OperationOutcome> outcome = PollOnce(arm, op);
    if (!outcome.ok()) return outcome.status();
    if (outcome->state == OperationState::kSucceeded) return Status::Ok();
    if (outcome->state == OperationState::kFailed) {
      return Status::FailedPrecondition("PUT " + resource_id + ": " + outcome->error_code + " " +
                                        outcome->error_message);
    }
    std::this_thread::sleep_for(outcome->retry_after);
  }
  return Status::Unavailable("PUT " + resource_id + ": the operation did not end");
}

}  // namespace easel::azure
