// azsim's Resource Manager request handling without a server: "METHOD /subscriptions/...?query\n"
// then the JSON body, handed to Arm::Handle as the server would after authentication. The
// engine's state persists across inputs (one azsim per process), so sequences of writes are
// explored too. A handler exception (a 500 from the server) aborts: bodies are untrusted.
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "sim_common.h"

// Starting azsim (TLS and token keys, the fixture) takes longer than one input may.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)fuzz::TheSim();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Sim& sim = fuzz::TheSim();
  azsim::HttpRequest req =
      fuzz::ParseFuzzRequest(std::string_view(reinterpret_cast<const char*>(data), size), false);
  req.headers["content-type"] = "application/json";
  if (!req.query.count("api-version")) req.query["api-version"] = "2024-05-01";
  azsim::HttpResponse res = sim.arm->Handle(req, azsim::LroFault{});
  if (res.status < 100 || res.status > 599) std::abort();
  if (res.status >= 500 && res.status != 503) std::abort();  // azsim never fails by itself
  return 0;
}
