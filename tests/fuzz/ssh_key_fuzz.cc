// The OpenSSH public key parser (spec.sshPublicKey and sshPublicKeyFile contents).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "spec/ssh_key.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  easel::Result<easel::spec::SshPublicKey> key = easel::spec::ParseSshPublicKey(text);
  if (key.ok()) {
    // An accepted key is one Azure accepts.
    if (key->type == "ssh-rsa" && key->bits < 2048) std::abort();
    if (key->type == "ssh-ed25519" && key->bits != 256) std::abort();
    if (key->type != "ssh-rsa" && key->type != "ssh-ed25519") std::abort();
  } else if (key.status().message().empty()) {
    std::abort();  // every refusal says why
  }
  return 0;
}
