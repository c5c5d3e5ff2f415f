// azsim's Blob service request handling without a server: "METHOD /account/container/blob?q\n",
// header lines, a blank line, the body. The harness signs each request with the account's Shared
// Key (easel's signer, which azsim must agree with), so the fuzzer reaches the body and header
// handling behind authorization: block lists, page ranges, copies, metadata.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "azure/blob_client.h"
#include "sim_common.h"

namespace {

constexpr const char* kAccount = "fuzzacct";

}  // namespace

// Starting azsim (TLS and token keys, the fixture) takes longer than one input may.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)fuzz::TheSim();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Sim& sim = fuzz::TheSim();
  static std::vector<std::string> keys = [&] {
    auto k = sim.blob->EnsureAccount(kAccount, {true, true});
    sim.blob->EnsureContainer(kAccount, "images", "");
    return k;
  }();
  azsim::HttpRequest req =
      fuzz::ParseFuzzRequest(std::string_view(reinterpret_cast<const char*>(data), size), true);
  if (!req.body.empty()) req.headers["content-length"] = std::to_string(req.body.size());
  if (!req.headers.count("x-ms-date"))
    req.headers["x-ms-date"] = azsim::HttpDate(azsim::NowSeconds());
  if (!req.headers.count("x-ms-version")) req.headers["x-ms-version"] = "2021-12-02";
  if (!req.headers.count("authorization")) {
    easel::HttpRequest signed_req;
    signed_req.method = req.method;
    signed_req.url = "https://127.0.0.1:2" + req.target;
    signed_req.body = req.body;
    for (const auto& [k, v] : req.headers) {
      if (k != "content-length") signed_req.headers[k] = v;
    }
    std::string raw;
    if (!azsim::Base64Decode(keys[0], &raw)) std::abort();
    std::string sts = easel::azure::SharedKeyStringToSign(signed_req, kAccount);
    req.headers["authorization"] = std::string("SharedKey ") + kAccount + ":" +
                                   azsim::Base64Encode(azsim::HmacSha256(raw, sts));
  }
  std::string principal;
  azsim::HttpResponse res = sim.blob->Handle(req, &principal);
  if (res.status < 100 || res.status > 599) std::abort();
  if (res.status == 500) std::abort();  // azsim never fails by itself
  return 0;
}
