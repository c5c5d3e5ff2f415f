// Parsing of OpenSSH public keys (the authorized_keys line format).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace easel::spec {

struct SshPublicKey {
  std::string type;  // "ssh-rsa" or "ssh-ed25519"
  int bits = 0;      // RSA modulus size; 256 for ed25519
};

// Parses "TYPE BASE64 [comment]" and checks the key blob itself: Azure accepts RSA keys of at
// least 2048 bits and ed25519 keys. Errors say what is wrong ("is a private key", ...).
Result<SshPublicKey> ParseSshPublicKey(std::string_view text);

}  // namespace easel::spec
