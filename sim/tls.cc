#include "sim/tls.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace azsim {
namespace {

using PKeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

PKeyPtr MakeKey(bool rsa) {
  EVP_PKEY* key = rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
  return PKeyPtr(key, EVP_PKEY_free);
}

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

X509Ptr MakeCert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, bool ca,
                 long serial) {
  X509Ptr cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 825);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("azsim"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509* iss = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(iss));
  bool ok = true;
  if (ca) {
    ok &= AddExt(cert.get(), iss, NID_basic_constraints, "critical,CA:TRUE");
    ok &= AddExt(cert.get(), iss, NID_key_usage, "critical,keyCertSign,cRLSign");
    ok &= AddExt(cert.get(), iss, NID_subject_key_identifier, "hash");
  } else {
    ok &= AddExt(cert.get(), iss, NID_basic_constraints, "critical,CA:FALSE");
    ok &= AddExt(cert.get(), iss, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    ok &= AddExt(cert.get(), iss, NID_ext_key_usage, "serverAuth");
    ok &= AddExt(cert.get(), iss, NID_subject_alt_name, "IP:127.0.0.1,IP:::1,DNS:localhost");
    ok &= AddExt(cert.get(), iss, NID_authority_key_identifier, "keyid:always");
  }
  if (!ok || X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) == 0)
    return X509Ptr(nullptr, X509_free);
  return cert;
}

bool WriteKey(const std::string& path, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return false;
  chmod(path.c_str(), 0600);
  bool ok = PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  return std::fclose(f) == 0 && ok;
}

bool WriteCerts(const std::string& path, std::initializer_list<X509*> certs) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return false;
  bool ok = true;
  for (X509* c : certs) ok &= PEM_write_X509(f, c) == 1;
  return std::fclose(f) == 0 && ok;
}

}  // namespace

easel::Result<TlsFiles> EnsureTlsFiles(const std::string& dir) {
  namespace fs = std::filesystem;
  TlsFiles files{dir + "/ca.pem", dir + "/server.pem", dir + "/server-key.pem",
                 dir + "/jwt-key.pem"};
  if (fs::exists(files.ca_file) && fs::exists(files.cert_file) && fs::exists(files.key_file) &&
      fs::exists(files.jwt_key_file)) {
    return files;
  }
  PKeyPtr ca_key = MakeKey(false);
  PKeyPtr server_key = MakeKey(false);
  PKeyPtr jwt_key = MakeKey(true);
  if (!ca_key || !server_key || !jwt_key) return easel::Status::Internal("key generation failed");
  long serial = long(std::time(nullptr));
  X509Ptr ca = MakeCert(ca_key.get(), "azsim local CA", nullptr, nullptr, true, serial);
  if (!ca) return easel::Status::Internal("CA certificate generation failed");
  X509Ptr server =
      MakeCert(server_key.get(), "localhost", ca.get(), ca_key.get(), false, serial + 1);
  if (!server) return easel::Status::Internal("server certificate generation failed");
  // Write the CA last: its presence marks a complete set.
  if (!WriteKey(files.key_file, server_key.get()) || !WriteKey(files.jwt_key_file, jwt_key.get()) ||
      !WriteKey(dir + "/ca-key.pem", ca_key.get()) ||
      !WriteCerts(files.cert_file, {server.get(), ca.get()}) ||
      !WriteCerts(files.ca_file, {ca.get()})) {
    return easel::Status::IOError("cannot write certificates in " + dir);
  }
  return files;
}

}  // namespace azsim
