#include "sim/k8s_pki.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace azsim {
namespace {

using PKeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

bool AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

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

// A certificate for `key`, signed by `issuer`/`issuer_key` (self-signed when null).
X509Ptr Make(EVP_PKEY* key, const std::string& cn, const std::string& org, X509* issuer,
             EVP_PKEY* issuer_key, bool ca) {
  X509Ptr cert(X509_new(), X509_free);
  if (!cert) return cert;
  X509_set_version(cert.get(), 2);
  unsigned char serial[8];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  if (bn) {
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
  }
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 365 * (ca ? 30 : 2));
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (!org.empty())
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(org.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* iss = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(iss));
  bool ok = true;
  if (ca) {
    ok &= AddExt(cert.get(), iss, NID_basic_constraints, "critical,CA:TRUE");
    ok &= AddExt(cert.get(), iss, NID_key_usage, "critical,digitalSignature,keyCertSign");
    ok &= AddExt(cert.get(), iss, NID_subject_key_identifier, "hash");
  } else {
    ok &= AddExt(cert.get(), iss, NID_basic_constraints, "critical,CA:FALSE");
    ok &= AddExt(cert.get(), iss, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    ok &= AddExt(cert.get(), iss, NID_ext_key_usage, "clientAuth");
  }
  if (!ok || X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) == 0)
    return X509Ptr(nullptr, X509_free);
  return cert;
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
