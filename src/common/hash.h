// Cryptographic digests (OpenSSL).
#pragma once

#include <string>
#include <string_view>

namespace easel {

// Lowercase hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

}  // namespace easel
