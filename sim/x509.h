// Signing X.509 certificates with OpenSSL: what azsim's TLS certificates (sim/tls.cc) and the
// simulated AKS clusters' CAs and client certificates (sim/k8s_pki.cc) share.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace azsim {

using PKeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

struct CertificateRequest {
  EVP_PKEY* key = nullptr;  // the subject's key
  std::string common_name;
  std::string organization;                             // empty: none
  X509* issuer = nullptr;                               // null: self-signed
  EVP_PKEY* issuer_key = nullptr;                       // null: self-signed
  long validity_seconds = 0;                            // from an hour ago (clock skew)
  std::vector<std::pair<int, std::string>> extensions;  // NID, OpenSSL config value
};

// A version-3 certificate with a random 63-bit serial, signed with SHA-256; null when OpenSSL
// fails (an extension it does not accept included).
X509Ptr SignCertificate(const CertificateRequest& request);

}  // namespace azsim
