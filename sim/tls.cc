#include "sim/tls.h"

#include "sim/x509.h"

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

PKeyPtr MakeKey(bool rsa) {
  EVP_PKEY* key = rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
  return PKeyPtr(key, EVP_PKEY_free);
}

// azsim's CA (825 days, as browsers and TLS libraries accept) or its server certificate for the
// loopback addresses.
X509Ptr MakeCert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, bool ca) {
  CertificateRequest r;
  r.key = key;
  r.common_name = cn;
  r.organization = "azsim";
  r.issuer = issuer;
  r.issuer_key = issuer_key;
  r.validity_seconds = 60L * 60 * 24 * 825;
  if (ca) {
    r.extensions = {{NID_basic_constraints, "critical,CA:TRUE"},
                    {NID_key_usage, "critical,keyCertSign,cRLSign"},
                    {NID_subject_key_identifier, "hash"}};
  } else {
    r.extensions = {{NID_basic_constraints, "critical,CA:FALSE"},
                    {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
                    {NID_ext_key_usage, "serverAuth"},
                    {NID_subject_alt_name, "IP:127.0.0.1,IP:::1,DNS:localhost"},
                    {NID_authority_key_identifier, "keyid:always"}};
  }
  return SignCertificate(r);
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
  X509Ptr ca = MakeCert(ca_key.get(), "azsim local CA", nullptr, nullptr, true);
  if (!ca) return easel::Status::Internal("CA certificate generation failed");
  X509Ptr server = MakeCert(server_key.get(), "localhost", ca.get(), ca_key.get(), false);
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
