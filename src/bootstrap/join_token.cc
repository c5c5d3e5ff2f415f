#include "bootstrap/join_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdlib>

#include "bootstrap/hex.h"

namespace easel::bootstrap {

std::string BootstrapToken::ToString() const { return id + "." + secret; }

Result<BootstrapToken> WindowToken(const std::string& seed_hex, int64_t window) {
  if (window < 0) {
    return Status::InvalidArgument("join token window " + std::to_string(window) + " is negative");
  }
  std::optional<std::string> key = internal::HexDecode(seed_hex);
  if (!key || key->empty()) {
    return Status::InvalidArgument(
        "join token seed: expected a non-empty even-length hex string (" +
        std::to_string(seed_hex.size()) + " characters given)");
  }
  std::string message = std::to_string(window);
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  size_t mac_length = 0;
  unsigned char* out =
      EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key->data(), key->size(),
                reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(),
                mac.size(), &mac_length);
  OPENSSL_cleanse(key->data(), key->size());
  if (!out || mac_length != 32) return Status::Internal("join token: HMAC-SHA256 failed");
  std::string hex = internal::HexEncode(std::string(reinterpret_cast<const char*>(mac.data()), 32));
  OPENSSL_cleanse(mac.data(), mac.size());
  return BootstrapToken{hex.substr(0, 6), hex.substr(6, 16)};
}

int64_t WindowOf(std::chrono::system_clock::time_point t) {
  int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  int64_t window = seconds / kJoinTokenWindowSeconds;
  if (seconds % kJoinTokenWindowSeconds < 0) --window;  // floor, also before 1970
  return window;
}

bool IsBootstrapToken(const std::string& s) {
  if (s.size() != 23 || s[6] != '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 6) continue;
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

std::string NewTokenSeedHex() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) std::abort();
  std::string hex =
      internal::HexEncode(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return hex;
}

}  // namespace easel::bootstrap
