#include "sim/x509.h"

#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

namespace azsim {
namespace {

bool AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

bool SetRandomSerial(X509* cert) {
  unsigned char serial[8];
  if (RAND_bytes(serial, sizeof serial) != 1) return false;
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  if (!bn) return false;
  bool ok = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nullptr;
  BN_free(bn);
  return ok;
}

bool AddName(X509_NAME* name, const char* field, const std::string& value) {
  return X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                                    reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                    0) == 1;
}

}  // namespace

X509Ptr SignCertificate(const CertificateRequest& r) {
  X509Ptr cert(X509_new(), X509_free);
  if (!cert || !r.key) return X509Ptr(nullptr, X509_free);
  bool ok = X509_set_version(cert.get(), 2) == 1 && SetRandomSerial(cert.get()) &&
            X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(cert.get()), r.validity_seconds) != nullptr &&
            X509_set_pubkey(cert.get(), r.key) == 1;
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (!r.organization.empty()) ok = ok && AddName(name, "O", r.organization);
  ok = ok && AddName(name, "CN", r.common_name);
  X509* issuer = r.issuer ? r.issuer : cert.get();
  ok = ok && X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer)) == 1;
  for (const auto& [nid, value] : r.extensions) {
    ok = ok && AddExtension(cert.get(), issuer, nid, value);
  }
  EVP_PKEY* signer = r.issuer_key ? r.issuer_key : r.key;
  if (!ok || X509_sign(cert.get(), signer, EVP_sha256()) == 0) return X509Ptr(nullptr, X509_free);
  return cert;
}

}  // namespace azsim
