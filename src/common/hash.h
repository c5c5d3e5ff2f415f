// Cryptographic digests (OpenSSL).
#pragma once

#include <string>
#include <string_view>

namespace easel {

// Lowercase hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

// The raw 16-byte MD5 digest of `data` (for protocols that ask for it, such as Content-MD5; not
// for security).
std::string Md5(std::string_view data);

}  // namespace easel
