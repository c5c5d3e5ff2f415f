// azsim's HTTP request parsing: raw bytes as they arrive on a connection (pipelined requests, a
// cut-short last one), through the server's parser, limits and conversion to HttpRequest.
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/arm.h"
#include "sim/http.h"
#include "sim/util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string error;
  std::vector<azsim::HttpRequest> requests = azsim::ParseRequests(bytes, &error);
  for (const azsim::HttpRequest& r : requests) {
    // What the server does with every request before it reaches a handler.
    (void)azsim::Arm::OperationKind(r);
    (void)azsim::Arm::RequestType(r.path);
    (void)azsim::SplitPath(r.path);
  }
  return 0;
}
