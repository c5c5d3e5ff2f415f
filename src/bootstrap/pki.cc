#include "bootstrap/pki.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <cstring>
#include <ctime>
#include <memory>
#include <string_view>

#include "bootstrap/openssl_util.h"

namespace easel::bootstrap {
namespace {

using internal::BioPtr;
using internal::OpenSslError;
using internal::PkeyPtr;
using internal::X509Ptr;

struct Asn1IntegerDeleter {
  void operator()(ASN1_INTEGER* p) const { ASN1_INTEGER_free(p); }
};
struct BignumDeleter {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct ExtensionDeleter {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
struct NameDeleter {
  void operator()(X509_NAME* p) const { X509_NAME_free(p); }
};
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, ExtensionDeleter>;
using NamePtr = std::unique_ptr<X509_NAME, NameDeleter>;

constexpr size_t kMaxNameLength = 64;  // X.509's ub-common-name and ub-organization-name

Result<PkeyPtr> GenerateKey(KeyAlgorithm algorithm) {
  EVP_PKEY* key = algorithm == KeyAlgorithm::kRsa2048
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048))
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (!key) return OpenSslError("generating a " + std::string(ToString(algorithm)) + " key");
  return PkeyPtr(key);
}

// The algorithm of `key`, or an error when it is neither RSA-2048 nor ECDSA P-256.
Result<KeyAlgorithm> AlgorithmOf(const EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA")) {
    if (EVP_PKEY_get_bits(key) == 2048) return KeyAlgorithm::kRsa2048;
    return Status::InvalidArgument("an RSA key of " + std::to_string(EVP_PKEY_get_bits(key)) +
                                   " bits (easel uses RSA-2048)");
  }
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {0};
    size_t length = 0;
    if (EVP_PKEY_get_group_name(key, group, sizeof group, &length) == 1 &&
        (std::string_view(group) == "prime256v1" || std::string_view(group) == "P-256")) {
      return KeyAlgorithm::kEcdsaP256;
    }
    return Status::InvalidArgument("an EC key on curve " + std::string(group) +
                                   " (easel uses ECDSA P-256)");
  }
  return Status::InvalidArgument("a key that is neither RSA nor EC");
}

Result<std::string> PrivateKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio) bio.reset(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return OpenSslError("encoding a private key");
  return internal::BioText(bio.get());
}

Result<std::string> PublicKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1)
    return OpenSslError("encoding a public key");
  return internal::BioText(bio.get());
}

Result<std::string> CertificatePem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
    return OpenSslError("encoding a certificate");
  return internal::BioText(bio.get());
}

// A random positive serial of 159 bits (RFC 5280 allows up to 20 octets).
Status SetRandomSerial(X509* cert) {
  std::array<unsigned char, 20> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    return OpenSslError("drawing a serial number");
  bytes[0] &= 0x7f;
  bytes[0] |= 0x40;  // never a short serial
  std::unique_ptr<BIGNUM, BignumDeleter> bn(
      BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)))
    return OpenSslError("setting a serial number");
  return Status::Ok();
}

Status SetValidity(X509* cert, std::chrono::system_clock::time_point not_before,
                   std::chrono::system_clock::time_point not_after) {
  std::time_t from = std::chrono::system_clock::to_time_t(not_before);
  std::time_t to = std::chrono::system_clock::to_time_t(not_after);
  if (!ASN1_TIME_set(X509_getm_notBefore(cert), from) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert), to)) {
    return OpenSslError("setting the validity");
  }
  return Status::Ok();
}

Result<NamePtr> MakeName(const std::string& common_name,
                         const std::vector<std::string>& organizations) {
  NamePtr name(X509_NAME_new());
  if (!name) return OpenSslError("building a name");
  for (const std::string& o : organizations) {
    if (!X509_NAME_add_entry_by_txt(name.get(), "O", MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(o.data()),
                                    static_cast<int>(o.size()), -1, 0)) {
      return OpenSslError("setting organization " + o);
    }
  }
  if (!X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(common_name.data()),
                                  static_cast<int>(common_name.size()), -1, 0)) {
    return OpenSslError("setting common name " + common_name);
  }
  return name;
}

// Adds one extension written in OpenSSL's configuration syntax ("critical,CA:TRUE").
Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtensionPtr ext(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value));
  if (!ext || !X509_add_ext(cert, ext.get(), -1))
    return OpenSslError(std::string("adding extension ") + OBJ_nid2sn(nid));
  return Status::Ok();
}

struct CertificateTemplate {
  const X509_NAME* subject;
  const X509_NAME* issuer_name;
  EVP_PKEY* subject_key;
  X509* issuer;  // nullptr: self-signed
  EVP_PKEY* signing_key;
  std::chrono::system_clock::time_point not_before, not_after;
  std::vector<std::pair<int, const char*>> extensions;
};

Result<X509Ptr> BuildCertificate(const CertificateTemplate& t) {
  X509Ptr cert(X509_new());
  if (!cert || !X509_set_version(cert.get(), X509_VERSION_3)) return OpenSslError("a certificate");
  if (Status s = SetRandomSerial(cert.get()); !s.ok()) return s;
  if (Status s = SetValidity(cert.get(), t.not_before, t.not_after); !s.ok()) return s;
  if (!X509_set_subject_name(cert.get(), t.subject) ||
      !X509_set_issuer_name(cert.get(), t.issuer_name) ||
      !X509_set_pubkey(cert.get(), t.subject_key)) {
    return OpenSslError("setting names and key");
  }
  X509* issuer = t.issuer ? t.issuer : cert.get();
  for (const auto& [nid, value] : t.extensions) {
    if (Status s = AddExtension(cert.get(), issuer, nid, value); !s.ok()) return s;
  }
  if (X509_sign(cert.get(), t.signing_key, EVP_sha256()) <= 0)
    return OpenSslError("signing a certificate");
  return cert;
}

Result<CertificateAuthority> GenerateCa(KeyAlgorithm algorithm, const std::string& common_name,
                                        std::chrono::system_clock::time_point now) {
  Result<PkeyPtr> key = GenerateKey(algorithm);
  if (!key.ok()) return key.status();
  Result<NamePtr> name = MakeName(common_name, {});
  if (!name.ok()) return name.status();
  CertificateTemplate t{name->get(),
                        name->get(),
                        key->get(),
                        nullptr,
                        key->get(),
                        now - kNotBeforeSkew,
                        now + kCaValidity,
                        {{NID_basic_constraints, "critical,CA:TRUE"},
                         {NID_key_usage, "critical,digitalSignature,keyEncipherment,keyCertSign"},
                         {NID_subject_key_identifier, "hash"}}};
  Result<X509Ptr> cert = BuildCertificate(t);
  if (!cert.ok()) return cert.status();
  Result<std::string> cert_pem = CertificatePem(cert->get());
  if (!cert_pem.ok()) return cert_pem.status();
  Result<std::string> key_pem = PrivateKeyPem(key->get());
  if (!key_pem.ok()) return key_pem.status();
  return CertificateAuthority{std::move(cert_pem).value(), std::move(key_pem).value()};
}

// A parsed CA: its certificate and key, checked to match each other and to be a CA.
struct LoadedCa {
  X509Ptr cert;
  PkeyPtr key;
};

Result<LoadedCa> LoadCa(const CertificateAuthority& ca, const std::string& label) {
  Result<X509Ptr> cert = internal::ParseCertificate(ca.cert_pem, label + ".crt");
  if (!cert.ok()) return cert.status();
  Result<PkeyPtr> key = internal::ParsePrivateKey(ca.key_pem, label + ".key");
  if (!key.ok()) return key.status();
  if (X509_check_ca(cert->get()) < 1) {
    return Status::InvalidArgument(label + ".crt is not a certificate authority");
  }
  EVP_PKEY* cert_key = X509_get0_pubkey(cert->get());
  if (!cert_key || EVP_PKEY_eq(cert_key, key->get()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument(label + ".key does not match " + label + ".crt");
  }
  return LoadedCa{std::move(cert).value(), std::move(key).value()};
}

Status CheckCa(const CertificateAuthority& ca, const std::string& label, KeyAlgorithm algorithm) {
  Result<LoadedCa> loaded = LoadCa(ca, label);
  if (!loaded.ok()) return loaded.status();
  if (X509_verify(loaded->cert.get(), loaded->key.get()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument(label + ".crt is not self-signed");
  }
  Result<KeyAlgorithm> actual = AlgorithmOf(loaded->key.get());
  if (!actual.ok()) {
    return Status::InvalidArgument(label + ".key is " + actual.status().message());
  }
  if (*actual != algorithm) {
    return Status::InvalidArgument(label + ".key is " + ToString(*actual) + ", the PKI is " +
                                   ToString(algorithm));
  }
  return Status::Ok();
}

bool IsBase64Char(char c, bool url_safe) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return url_safe ? (c == '-' || c == '_') : (c == '+' || c == '/');
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  return 63;  // '/' or '_'
}

// Decodes `chars` (alphabet characters only, no padding) from offset `skip`, ignoring a trailing
// partial group.
std::string DecodeLenient(std::string_view chars, size_t skip) {
  std::string out;
  out.reserve(chars.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = skip; i < chars.size(); ++i) {
    acc = (acc << 6) | static_cast<uint32_t>(Base64Value(chars[i]));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

bool HasPemPrivateKeyMarker(std::string_view text) {
  static constexpr std::string_view kBegin = "-----BEGIN ";
  static constexpr std::string_view kLabelEnd = "PRIVATE KEY";
  for (size_t b = text.find(kBegin); b != std::string_view::npos; b = text.find(kBegin, b + 1)) {
    // The label: "PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY".
    size_t from = b + kBegin.size(), to = from;
    while (to < text.size() && to - from <= 40 &&
           ((text[to] >= 'A' && text[to] <= 'Z') || (text[to] >= '0' && text[to] <= '9') ||
            text[to] == ' ')) {
      ++to;
    }
    std::string_view label = text.substr(from, to - from);
    if (label.size() >= kLabelEnd.size() &&
        label.substr(label.size() - kLabelEnd.size()) == kLabelEnd &&
        text.substr(to, 5) == "-----") {
      return true;
    }
  }
  return false;
}

bool MostlyText(std::string_view bytes) {
  if (bytes.empty()) return false;
  size_t printable = 0;
  for (unsigned char c : bytes) {
    if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' || c == '\t') ++printable;
  }
  return printable * 10 >= bytes.size() * 9;
}

// The smallest run of base64 worth decoding: "-----BEGIN" takes 14 characters.
constexpr size_t kMinBase64Run = 16;

bool ContainsPrivateKeyAt(std::string_view text, int depth) {
  if (HasPemPrivateKeyMarker(text)) return true;
  if (depth == 0) return false;
  for (bool url_safe : {false, true}) {
    // Runs of alphabet characters, where line breaks and indentation (wrapped base64) do not end
    // a run, and padding or any other character does.
    size_t i = 0;
    while (i < text.size()) {
      std::string run;
      while (i < text.size()) {
        char c = text[i];
        if (IsBase64Char(c, url_safe)) {
          run.push_back(c);
        } else if (c != '\n' && c != '\r' && c != ' ' && c != '\t') {
          break;
        }
        ++i;
      }
      ++i;  // the character that ended the run
      if (run.size() < kMinBase64Run) continue;
      // The encoded block may start anywhere in the run (after a word such as "data"): one of the
      // four alignments decodes it.
      for (size_t skip = 0; skip < 4; ++skip) {
        std::string decoded = DecodeLenient(run, skip);
        if (HasPemPrivateKeyMarker(decoded)) return true;
        if (depth > 1 && MostlyText(decoded) && ContainsPrivateKeyAt(decoded, depth - 1)) {
          return true;
        }
      }
    }
  }
  return false;
}

}  // namespace

Result<KeyAlgorithm> ParseKeyAlgorithm(const std::string& text) {
  if (text == "RSA-2048") return KeyAlgorithm::kRsa2048;
  if (text == "ECDSA-P256") return KeyAlgorithm::kEcdsaP256;
  return Status::InvalidArgument("key algorithm \"" + text +
                                 "\" is not supported (allowed: RSA-2048, ECDSA-P256)");
}

const char* ToString(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::kRsa2048:
      return "RSA-2048";
    case KeyAlgorithm::kEcdsaP256:
      return "ECDSA-P256";
  }
  return "RSA-2048";
}

Result<ClusterPki> GenerateClusterPki(KeyAlgorithm algorithm,
                                      std::chrono::system_clock::time_point now) {
  ClusterPki pki;
  pki.algorithm = algorithm;
  struct Entry {
    CertificateAuthority* ca;
    const char* common_name;
  };
  for (const Entry& e : {Entry{&pki.ca, "kubernetes"}, Entry{&pki.etcd_ca, "etcd-ca"},
                         Entry{&pki.front_proxy_ca, "front-proxy-ca"}}) {
    Result<CertificateAuthority> ca = GenerateCa(algorithm, e.common_name, now);
    if (!ca.ok()) return ca.status();
    *e.ca = std::move(ca).value();
  }
  Result<PkeyPtr> sa = GenerateKey(algorithm);
  if (!sa.ok()) return sa.status();
  Result<std::string> sa_public = PublicKeyPem(sa->get());
  if (!sa_public.ok()) return sa_public.status();
  Result<std::string> sa_private = PrivateKeyPem(sa->get());
  if (!sa_private.ok()) return sa_private.status();
  pki.sa_public_pem = std::move(sa_public).value();
  pki.sa_private_pem = std::move(sa_private).value();
  return pki;
}

Result<std::string> CaCertHash(const std::string& cert_pem) {
  Result<X509Ptr> cert = internal::ParseCertificate(cert_pem, "CA certificate");
  if (!cert.ok()) return cert.status();
  unsigned char* der = nullptr;
  int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert->get()), &der);
  if (length <= 0) return OpenSslError("encoding the SubjectPublicKeyInfo");
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_length = 0;
  int ok = EVP_Digest(der, static_cast<size_t>(length), digest.data(), &digest_length, EVP_sha256(),
                      nullptr);
  OPENSSL_free(der);
  if (ok != 1) return OpenSslError("hashing the SubjectPublicKeyInfo");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < digest_length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

Status CheckPki(const ClusterPki& pki) {
  struct Entry {
    const CertificateAuthority* ca;
    const char* label;
  };
  for (const Entry& e : {Entry{&pki.ca, "ca"}, Entry{&pki.etcd_ca, "etcd/ca"},
                         Entry{&pki.front_proxy_ca, "front-proxy-ca"}}) {
    if (Status s = CheckCa(*e.ca, e.label, pki.algorithm); !s.ok()) return s;
  }
  Result<PkeyPtr> sa_public = internal::ParsePublicKey(pki.sa_public_pem, "sa.pub");
  if (!sa_public.ok()) return sa_public.status();
  Result<PkeyPtr> sa_private = internal::ParsePrivateKey(pki.sa_private_pem, "sa.key");
  if (!sa_private.ok()) return sa_private.status();
  if (EVP_PKEY_eq(sa_public->get(), sa_private->get()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("sa.key does not match sa.pub");
  }
  Result<KeyAlgorithm> sa_algorithm = AlgorithmOf(sa_private->get());
  if (!sa_algorithm.ok()) {
    return Status::InvalidArgument("sa.key is " + sa_algorithm.status().message());
  }
  return Status::Ok();
}

Result<ClientCertificate> SignClientCertificate(const CertificateAuthority& ca,
                                                const ClientCertificateRequest& request) {
  if (request.common_name.empty() || request.common_name.size() > kMaxNameLength) {
    return Status::InvalidArgument(
        "client certificate: the common name must have 1 to 64 "
        "characters (has " +
        std::to_string(request.common_name.size()) + ")");
  }
  for (const std::string& o : request.organizations) {
    if (o.empty() || o.size() > kMaxNameLength) {
      return Status::InvalidArgument(
          "client certificate: an organization must have 1 to 64 characters (has " +
          std::to_string(o.size()) + ")");
    }
  }
  if (request.lifetime.count() <= 0) {
    return Status::InvalidArgument("client certificate: the lifetime must be positive");
  }
  Result<LoadedCa> loaded = LoadCa(ca, "ca");
  if (!loaded.ok()) return loaded.status();
  Result<KeyAlgorithm> algorithm = AlgorithmOf(loaded->key.get());
  if (!algorithm.ok()) return Status::InvalidArgument("ca.key is " + algorithm.status().message());

  // (The first test also keeps now + lifetime from overflowing.)
  std::time_t not_after_t = 0;
  if (request.lifetime <= kCaValidity) {
    not_after_t = std::chrono::system_clock::to_time_t(request.now + request.lifetime);
  }
  if (request.lifetime > kCaValidity ||
      X509_cmp_time(X509_get0_notAfter(loaded->cert.get()), &not_after_t) < 0) {
    return Status::InvalidArgument(
        "client certificate: it would outlive the certificate authority; ask for a shorter "
        "lifetime");
  }
  Result<PkeyPtr> key = GenerateKey(*algorithm);
  if (!key.ok()) return key.status();
  Result<NamePtr> subject = MakeName(request.common_name, request.organizations);
  if (!subject.ok()) return subject.status();
  const char* key_usage = *algorithm == KeyAlgorithm::kRsa2048
                              ? "critical,digitalSignature,keyEncipherment"
                              : "critical,digitalSignature";
  CertificateTemplate t{subject->get(),
                        X509_get_subject_name(loaded->cert.get()),
                        key->get(),
                        loaded->cert.get(),
                        loaded->key.get(),
                        request.now - kNotBeforeSkew,
                        request.now + request.lifetime,
                        {{NID_basic_constraints, "critical,CA:FALSE"},
                         {NID_key_usage, key_usage},
                         {NID_ext_key_usage, "clientAuth"},
                         {NID_subject_key_identifier, "hash"},
                         {NID_authority_key_identifier, "keyid:always"}}};
  Result<X509Ptr> cert = BuildCertificate(t);
  if (!cert.ok()) return cert.status();
  Result<std::string> cert_pem = CertificatePem(cert->get());
  if (!cert_pem.ok()) return cert_pem.status();
  Result<std::string> key_pem = PrivateKeyPem(key->get());
  if (!key_pem.ok()) return key_pem.status();
  return ClientCertificate{std::move(cert_pem).value(), std::move(key_pem).value()};
}

bool ContainsPrivateKey(const std::string& text) { return ContainsPrivateKeyAt(text, 2); }

}  // namespace easel::bootstrap
