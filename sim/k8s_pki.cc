#include "sim/k8s_pki.h"

#include "sim/x509.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace azsim {
namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

std::string BioString(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, size_t(n)) : std::string();
}

std::optional<PemPair> ToPem(X509* cert, EVP_PKEY* key) {
  BioPtr cb(BIO_new(BIO_s_mem()), BIO_free), kb(BIO_new(BIO_s_mem()), BIO_free);
  if (!cb || !kb || PEM_write_bio_X509(cb.get(), cert) != 1 ||
      PEM_write_bio_PrivateKey(kb.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return std::nullopt;
  return PemPair{BioString(cb.get()), BioString(kb.get())};
}

constexpr long kYear = 60L * 60 * 24 * 365;

// A certificate for `key`, signed by `issuer`/`issuer_key` (self-signed when null): a CA for 30
// years, a client certificate for 2.
X509Ptr Make(EVP_PKEY* key, const std::string& cn, const std::string& org, X509* issuer,
             EVP_PKEY* issuer_key, bool ca) {
  CertificateRequest r;
  r.key = key;
  r.common_name = cn;
  r.organization = org;
  r.issuer = issuer;
  r.issuer_key = issuer_key;
  r.validity_seconds = (ca ? 30 : 2) * kYear;
  if (ca) {
    r.extensions = {{NID_basic_constraints, "critical,CA:TRUE"},
                    {NID_key_usage, "critical,digitalSignature,keyCertSign"},
                    {NID_subject_key_identifier, "hash"}};
  } else {
    r.extensions = {{NID_basic_constraints, "critical,CA:FALSE"},
                    {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
                    {NID_ext_key_usage, "clientAuth"}};
  }
  return SignCertificate(r);
}

}  // namespace

std::optional<PemPair> MakeClusterCa() {
  PKeyPtr key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!key) return std::nullopt;
  X509Ptr cert = Make(key.get(), "ca", "", nullptr, nullptr, true);
  if (!cert) return std::nullopt;
  return ToPem(cert.get(), key.get());
}

std::optional<PemPair> MakeClientCert(const PemPair& ca, const std::string& cn,
                                      const std::string& org) {
  BioPtr cb(BIO_new_mem_buf(ca.cert.data(), int(ca.cert.size())), BIO_free);
  BioPtr kb(BIO_new_mem_buf(ca.key.data(), int(ca.key.size())), BIO_free);
  if (!cb || !kb) return std::nullopt;
  X509Ptr ca_cert(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr), X509_free);
  PKeyPtr ca_key(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (!ca_cert || !ca_key) return std::nullopt;
  PKeyPtr key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!key) return std::nullopt;
  X509Ptr cert = Make(key.get(), cn, org, ca_cert.get(), ca_key.get(), false);
  if (!cert) return std::nullopt;
  return ToPem(cert.get(), key.get());
}

}  // namespace azsim
