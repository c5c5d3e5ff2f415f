#include "spec/ssh_key.h"

#include <cstdint>
#include <optional>

#include "common/base64.h"
#include "common/strings.h"

namespace easel::spec {
namespace {

// Reads the SSH wire format's length-prefixed strings.
class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}
  std::optional<std::string_view> Next() {
    if (data_.size() < 4) return std::nullopt;
    uint32_t n = (uint32_t(uint8_t(data_[0])) << 24) | (uint32_t(uint8_t(data_[1])) << 16) |
                 (uint32_t(uint8_t(data_[2])) << 8) | uint32_t(uint8_t(data_[3]));
    if (n > data_.size() - 4) return std::nullopt;
    std::string_view out = data_.substr(4, n);
    data_ = data_.substr(4 + n);
    return out;
  }
  bool AtEnd() const { return data_.empty(); }

 private:
  std::string_view data_;
};

int MpintBits(std::string_view mpint) {
  size_t i = 0;
  while (i < mpint.size() && mpint[i] == 0) ++i;
  if (i == mpint.size()) return 0;
  int bits = static_cast<int>((mpint.size() - i - 1) * 8);
  for (uint8_t top = static_cast<uint8_t>(mpint[i]); top; top >>= 1) ++bits;
  return bits;
}

}  // namespace

Result<SshPublicKey> ParseSshPublicKey(std::string_view text) {
  auto bad = [](const std::string& why) { return Status::InvalidArgument(why); };
  if (text.find("PRIVATE KEY") != std::string_view::npos) {
    return bad(
        "is a private key; give the public key (the .pub file), and keep the private key "
        "secret");
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  if (text.find('\n') != std::string_view::npos) {
    return bad("must be a single OpenSSH public key line");
  }
  size_t space = text.find(' ');
  if (space == std::string_view::npos) {
    return bad(
        "must be an OpenSSH public key: \"ssh-ed25519 AAAA... comment\" or \"ssh-rsa AAAA...\"");
  }
  std::string type(text.substr(0, space));
  std::string_view rest = text.substr(space + 1);
  std::string_view b64 = rest.substr(0, rest.find(' '));
  if (type != "ssh-rsa" && type != "ssh-ed25519") {
    return bad("key type " + Quote(type) + " is not accepted by Azure; use ssh-ed25519 or ssh-rsa");
  }
  std::optional<std::string> blob = Base64Decode(b64);
  if (!blob) return bad("the key data is not valid base64");
  WireReader wire(*blob);
  std::optional<std::string_view> inner_type = wire.Next();
  if (!inner_type || *inner_type != type) {
    return bad("the key data does not hold a " + type + " key");
  }
  SshPublicKey key{type, 0};
  if (type == "ssh-ed25519") {
    std::optional<std::string_view> point = wire.Next();
    if (!point || point->size() != 32 || !wire.AtEnd()) {
      return bad("the ssh-ed25519 key data is malformed (expected a 32-byte key)");
    }
    key.bits = 256;
    return key;
  }
  std::optional<std::string_view> exponent = wire.Next();
  std::optional<std::string_view> modulus = wire.Next();
  if (!exponent || !modulus || !wire.AtEnd() || MpintBits(*exponent) == 0) {
    return bad("the ssh-rsa key data is malformed");
  }
  key.bits = MpintBits(*modulus);
  if (key.bits < 2048) {
    return bad("the RSA key has " + std::to_string(key.bits) +
               " bits; Azure requires at least 2048");
  }
  return key;
}

}  // namespace easel::spec
