// Authenticated encryption of the secrets easel keeps in its state database (a cluster's CA keys,
// its join token seed). The store holds only what Seal returns.
//
// Sealed format, version 1 (binary):
//   byte 0        0x01, the format version
//   bytes 1..12   a random 96-bit nonce, new for every Seal
//   bytes 13..n-17  the AES-256-GCM ciphertext of the plaintext (same length)
//   last 16 bytes the GCM tag
// The GCM associated data is the version byte followed by the caller's `associated` string, so a
// sealed value only opens for the (cluster, name) it was sealed for (SecretAssociatedData), and
// a changed version byte is detected like any other tampering.
//
// The key (32 bytes) comes from $EASEL_SECRET_KEY (64 hex characters, or the base64 of 32 bytes)
// or else from the file secret.key next to the state database: 64 hex characters, created with
// mode 0600 on first use; a key file that group or others may read is refused.
#pragma once

#include <string>

#include "common/status.h"

namespace easel::store {

// The associated data that binds a sealed value to its cluster and name (length-prefixed, so that
// ("ab", "c") and ("a", "bc") differ).
std::string SecretAssociatedData(const std::string& cluster, const std::string& name);

class SecretBox {
 public:
  static constexpr size_t kKeyBytes = 32;
  static constexpr size_t kNonceBytes = 12;
  static constexpr size_t kTagBytes = 16;
  static constexpr unsigned char kFormatVersion = 1;
  // The name of the environment variable that holds the key, and of the key file.
  static constexpr const char* kKeyVariable = "EASEL_SECRET_KEY";
  static constexpr const char* kKeyFileName = "secret.key";

  // A box with `key32` (exactly kKeyBytes raw bytes); kInvalidArgument otherwise.
  static Result<SecretBox> FromKey(std::string key32);

  // The box of the state database at `state_path`: the key from $EASEL_SECRET_KEY when it is set
  // and not empty (kInvalidArgument naming the variable when it is neither 64 hex characters nor
  // the base64 of 32 bytes), else from secret.key in the database's directory, which is created
  // (mode 0600, race-safe: concurrent first uses agree on one key) when absent. A key file that
  // group or others can access, or that is not a key, is a kFailedPrecondition / kInvalidArgument
  // error naming the file. The directory is created (0700) when missing.
  static Result<SecretBox> Open(const std::string& state_path);

  SecretBox(const SecretBox&) = default;
  SecretBox& operator=(const SecretBox&) = default;
  SecretBox(SecretBox&&) = default;
  SecretBox& operator=(SecretBox&&) = default;
  ~SecretBox();  // wipes the key

  // Encrypts and authenticates `plaintext`, bound to `associated`. Fails only when OpenSSL does.
  Result<std::string> Seal(const std::string& plaintext, const std::string& associated) const;
  // The plaintext of a value Seal returned for the same `associated` with the same key. A value
  // that is truncated, of an unknown version, tampered with, sealed for other associated data or
  // with another key is a kFailedPrecondition error saying so; never garbage.
  Result<std::string> Unseal(const std::string& sealed, const std::string& associated) const;

  // Where the key came from, for messages: "EASEL_SECRET_KEY", a key file path, or "a given key".
  const std::string& key_source() const { return source_; }

 private:
  SecretBox(std::string key, std::string source)
      : key_(std::move(key)), source_(std::move(source)) {}
  std::string key_;
  std::string source_;
};

}  // namespace easel::store
