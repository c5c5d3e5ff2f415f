// easel's handling of ARM answers: a PUT's first answer, its long-running operation
// (Azure-AsyncOperation, Location, provisioningState; Retry-After in every form), error bodies,
// a paged list (nextLink), a storage listKeys answer and storage's Get Page Ranges, all served by a fake HTTP client from
// the input: answers separated by "\n--next--\n", each "STATUS\nName: value\n...\n\nBODY".
// Properties checked on every request and wait:
//  - the bearer token goes to the cloud's ARM endpoint only (scheme, host and port);
//  - no wait is longer than kMaxRetryAfter (or the retry policy's own maximum).
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <string>
#include <string_view>

#include "azure/arm_client.h"
#include "azure/blob_client.h"
#include "azure/lro.h"

namespace {

using easel::HttpRequest;
using easel::HttpResponse;
using easel::Result;
using easel::Status;

constexpr const char* kArm = "https://management.azure.com";

class FakeHttp : public easel::HttpClient {
 public:
  explicit FakeHttp(std::string_view input) {
    const std::string_view sep = "\n--next--\n";
    while (true) {
      size_t at = input.find(sep);
      answers_.push_back(Parse(input.substr(0, at)));
      if (at == std::string_view::npos) break;
      input.remove_prefix(at + sep.size());
    }
  }

  Result<HttpResponse> Send(const HttpRequest& request) override {
    auto auth = request.headers.find("Authorization");
    if (auth != request.headers.end() && auth->second.rfind("Bearer ", 0) == 0 &&
        easel::azure::OriginOf(request.url) != kArm) {
      std::abort();  // the ARM token left the ARM endpoint (storage calls sign with Shared Key)
    }
    if (answers_.empty()) return Status::Unavailable("no more answers");
    HttpResponse r = std::move(answers_.front());
    answers_.pop_front();
    if (r.status == 0) return Status::Unavailable("connection reset");
    return r;
  }

 private:
  static HttpResponse Parse(std::string_view in) {
    HttpResponse r;
    size_t nl = in.find('\n');
    std::string_view status = in.substr(0, nl);
    int code = 0;
    for (char c : status.substr(0, 3)) {
      if (c < '0' || c > '9') break;
      code = code * 10 + (c - '0');
    }
    r.status = code;
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    while (!in.empty() && in[0] != '\n') {
      size_t end = in.find('\n');
      std::string_view h = in.substr(0, end);
      size_t colon = h.find(':');
      if (colon != std::string_view::npos) {
        std::string_view v = h.substr(colon + 1);
        while (!v.empty() && v[0] == ' ') v.remove_prefix(1);
        r.headers[std::string(h.substr(0, colon))] = std::string(v);
      }
      in = end == std::string_view::npos ? std::string_view() : in.substr(end + 1);
    }
    if (!in.empty()) in.remove_prefix(1);
    r.body = std::string(in);
    return r;
  }

  std::deque<HttpResponse> answers_;
};

class FakeCredential : public easel::azure::TokenCredential {
 public:
  Result<easel::azure::AccessToken> GetToken(const std::string&) override {
    return easel::azure::AccessToken{"fuzz-token",
                                     std::chrono::system_clock::now() + std::chrono::hours(1)};
  }
};

void CheckWait(std::chrono::milliseconds d, const easel::azure::RetryPolicy& policy) {
  if (d.count() < 0 || d > std::max(easel::azure::kMaxRetryAfter, policy.max_delay)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace easel::azure;
  FakeHttp http(std::string_view(reinterpret_cast<const char*>(data), size));
  FakeCredential credential;
  Cloud cloud;
  cloud.name = "AzurePublicCloud";
  cloud.arm_endpoint = kArm;
  cloud.arm_scope = std::string(kArm) + "/.default";
  RetryPolicy policy;
  policy.max_attempts = 3;
  ArmClient arm(cloud, &credential, &http, nullptr, policy);
  arm.set_sleeper([&](std::chrono::milliseconds d) { CheckWait(d, policy); });

  const std::string id =
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/g/providers/"
      "Microsoft.Network/virtualNetworks/v";
  const std::string method = size % 2 ? "DELETE" : "PUT";
  Result<ArmResponse> first = arm.Call(method, id, "2024-05-01", nlohmann::json::object());
  if (first.ok()) {
    (void)Describe(*first);
    Classification c = Classify(*first);
    if (c.retry_after) CheckWait(*c.retry_after, policy);
    PendingOperation op = StartedOperation(method, id, "2024-05-01", *first);
    CheckWait(op.retry_after, policy);
    for (int polls = 0; polls < 4; ++polls) {
      Result<OperationOutcome> outcome = PollOnce(arm, op);
      if (!outcome.ok() || outcome->state != OperationState::kInProgress) break;
      CheckWait(outcome->retry_after, policy);
    }
  }
  int status = 0;
  (void)ListAll(arm,
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/g/resources",
                "2024-11-01", &status);
  (void)ListFirstKey(arm, id, "2023-05-01");
  // The answers left, as storage's Get Page Ranges (XML with NextMarker paging): what comes back
  // is sorted, each range non-empty.
  BlobClient blob(&http, "acct", "a2V5");
  Result<std::vector<PageRange>> ranges =
      blob.GetPageRanges("https://acct.blob.core.windows.net/c/disk.vhd");
  if (ranges.ok()) {
    for (size_t i = 0; i < ranges->size(); ++i) {
      if ((*ranges)[i].begin >= (*ranges)[i].end) std::abort();
      if (i > 0 && (*ranges)[i - 1].begin > (*ranges)[i].begin) std::abort();
    }
  }
  return 0;
}
