// Entra ID / IMDS token responses: "STATUS\n" then the body. The expiry must land within
// [now - 1 s, now + kMaxTokenLifetime + 1 s] whatever the numbers say.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "azure/credentials.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  easel::HttpResponse r;
  r.status = 200;
  size_t nl = input.find('\n');
  if (nl != std::string::npos && nl <= 3) {
    r.status = std::atoi(input.substr(0, nl).c_str());
    input.erase(0, nl + 1);
  }
  r.body = input;
  auto before = std::chrono::system_clock::now();
  easel::Result<easel::azure::AccessToken> t = easel::azure::ParseTokenResponse(r, "fuzz");
  auto after = std::chrono::system_clock::now();
  if (t.ok()) {
    if (t->expires_on < before - std::chrono::seconds(1)) std::abort();
    if (t->expires_on > after + easel::azure::kMaxTokenLifetime + std::chrono::seconds(1)) {
      std::abort();
    }
  }
  return 0;
}
