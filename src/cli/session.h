// What a command needs to talk to a cloud and remember what it did, built from a context.
#pragma once

#include <memory>
#include <string>

#include "azure/arm_client.h"
#include "azure/credentials.h"
#include "azure/rate_limiter.h"
#include "cli/config.h"
#include "common/http_client.h"
#include "store/store.h"

namespace easel::cli {

struct Session {
  Context context;
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<azure::TokenCredential> credential;
  std::unique_ptr<azure::RateLimiter> limiter;
  std::unique_ptr<azure::ArmClient> arm;
  std::unique_ptr<store::Store> store;
};

// Opens the named context (the current one when empty) and the state database at `state_path`
// (store::DefaultStatePath() when empty).
Result<std::unique_ptr<Session>> OpenSession(const std::string& context_name,
                                             const std::string& state_path);

}  // namespace easel::cli
