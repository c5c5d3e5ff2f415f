// Certificates for azsim: a CA and a server certificate (SAN 127.0.0.1, ::1, localhost) made with
// OpenSSL on first start and kept in the state directory, plus the RSA key that signs tokens.
#pragma once

#include <string>

#include "common/status.h"

namespace azsim {

struct TlsFiles {
  std::string ca_file;       // ca.pem: what clients trust
  std::string cert_file;     // server.pem: server certificate followed by the CA
  std::string key_file;      // server-key.pem
  std::string jwt_key_file;  // jwt-key.pem: RSA key that signs access tokens
};

// Creates the files in `dir` when missing; reuses them otherwise.
easel::Result<TlsFiles> EnsureTlsFiles(const std::string& dir);

}  // namespace azsim
