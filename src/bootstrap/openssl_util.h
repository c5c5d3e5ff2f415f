// Internal to src/bootstrap: owning pointers for OpenSSL objects and PEM parsing that never
// prompts for a passphrase and never crashes on malformed input.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "common/status.h"

namespace easel::bootstrap::internal {

struct BioDeleter {
  void operator()(BIO* p) const { BIO_free_all(p); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Deleter {
  void operator()(X509* p) const { X509_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

// kInternal "<what>: <OpenSSL's first error>"; clears OpenSSL's error queue.
Status OpenSslError(const std::string& what);

// Everything written to a memory BIO.
std::string BioText(BIO* bio);

// The first PEM certificate / private key / public key ("PUBLIC KEY") of `pem`. kInvalidArgument
// naming `label` when there is none or it cannot be parsed; an encrypted key is refused, never
// prompted for. Clears OpenSSL's error queue on failure.
Result<X509Ptr> ParseCertificate(const std::string& pem, const std::string& label);
Result<PkeyPtr> ParsePrivateKey(const std::string& pem, const std::string& label);
Result<PkeyPtr> ParsePublicKey(const std::string& pem, const std::string& label);

}  // namespace easel::bootstrap::internal
