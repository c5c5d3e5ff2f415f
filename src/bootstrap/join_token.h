// kubeadm bootstrap tokens derived from a per-cluster seed and the hour, so that easel and a node
// holding the seed compute the same token without talking to each other. A token's id and secret
// are the first 22 characters of HMAC-SHA256(seed, window) in lowercase hex; a node computes it
// with
//   printf '%s' "$window" | openssl dgst -sha256 -mac HMAC -macopt hexkey:"$seed"
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/status.h"

namespace easel::bootstrap {

// A token belongs to a window of this many seconds and is valid for its window and the next
// (a TTL of two windows, 2 h).
constexpr int64_t kJoinTokenWindowSeconds = 3600;

struct BootstrapToken {
  std::string id;                // [a-z0-9]{6}
  std::string secret;            // [a-z0-9]{16}
  std::string ToString() const;  // id + "." + secret
};

// The token of `window`: HMAC-SHA256 with key = the bytes `seed_hex` encodes and message = the
// decimal ASCII of `window`; id = hex digest [0, 6), secret = [6, 22). kInvalidArgument when
// `seed_hex` is not a non-empty even-length hex string or `window` is negative.
Result<BootstrapToken> WindowToken(const std::string& seed_hex, int64_t window);

// floor(unix seconds of t / kJoinTokenWindowSeconds).
int64_t WindowOf(std::chrono::system_clock::time_point t);

// Whether `s` has the bootstrap token format [a-z0-9]{6}.[a-z0-9]{16}.
bool IsBootstrapToken(const std::string& s);

// A new seed: 32 random bytes (RAND_bytes) as 64 lowercase hex characters. Aborts the process if
// the random generator fails, as there is no safe fallback.
std::string NewTokenSeedHex();

}  // namespace easel::bootstrap
