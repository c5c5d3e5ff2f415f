// A cluster's public key infrastructure, as kubeadm expects it pre-provided: three certificate
// authorities (ca, etcd/ca, front-proxy-ca) and the service-account signing key pair (sa.key,
// sa.pub). Pure: OpenSSL 3 (EVP) only, no files, no network. Everything is PEM text; private keys
// are PKCS#8 ("-----BEGIN PRIVATE KEY-----"). Nothing here logs, and no error message repeats
// key material.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace easel::bootstrap {

// The key algorithm of a cluster's PKI, named as kubeadm's v1beta4 `encryptionAlgorithm` names it.
enum class KeyAlgorithm { kRsa2048, kEcdsaP256 };

// "RSA-2048" or "ECDSA-P256" (exactly, as kubeadm spells them); any other text is an
// invalid-argument error that names the allowed values.
Result<KeyAlgorithm> ParseKeyAlgorithm(const std::string& text);
// "RSA-2048" or "ECDSA-P256".
const char* ToString(KeyAlgorithm algorithm);

struct CertificateAuthority {
  std::string cert_pem, key_pem;
};

struct ClusterPki {
  KeyAlgorithm algorithm = KeyAlgorithm::kRsa2048;
  CertificateAuthority ca, etcd_ca, front_proxy_ca;  // kubeadm's ca, etcd/ca, front-proxy-ca
  std::string sa_public_pem, sa_private_pem;         // sa.pub (PKIX "PUBLIC KEY"), sa.key
};

// The validity of the certificate authorities, and how far notBefore lies before `now` (clock skew
// between the machine that signs and the machines that verify).
inline constexpr std::chrono::hours kCaValidity{24 * 3650};
inline constexpr std::chrono::minutes kNotBeforeSkew{5};

// Three self-signed CAs with kubeadm's common names ("kubernetes", "etcd-ca", "front-proxy-ca"):
// basicConstraints CA:TRUE (critical), keyUsage digitalSignature, keyEncipherment, keyCertSign
// (critical), a subjectKeyIdentifier, a random 159-bit serial, valid from `now` minus
// kNotBeforeSkew for kCaValidity. Keys of `algorithm`; the service-account key pair is RSA-2048 for
// kRsa2048 and ECDSA P-256 otherwise (the API server and kubeadm accept both). Fails only when
// OpenSSL does (kInternal).
Result<ClusterPki> GenerateClusterPki(KeyAlgorithm algorithm,
                                      std::chrono::system_clock::time_point now);

// kubeadm's caCertHashes entry for a CA certificate: "sha256:" + lowercase hex of SHA-256 over the
// DER SubjectPublicKeyInfo of the certificate. kInvalidArgument when `cert_pem` is not a PEM
// certificate.
Result<std::string> CaCertHash(const std::string& cert_pem);

// Parses every PEM of `pki` and checks that each CA is a CA, is self-signed, has a key of
// pki.algorithm and that its key matches its certificate, and that sa.key matches sa.pub. The
// error (kInvalidArgument) names the one that is wrong ("etcd/ca.key does not match
// etcd/ca.crt").
Status CheckPki(const ClusterPki& pki);

struct ClientCertificateRequest {
  std::string common_name;                 // the user, 1 to 64 characters
  std::vector<std::string> organizations;  // the groups, each 1 to 64 characters
  std::chrono::seconds lifetime{0};        // > 0
  std::chrono::system_clock::time_point now;
};

struct ClientCertificate {
  std::string cert_pem, key_pem;
};

// A client certificate signed by `ca`: extKeyUsage clientAuth, keyUsage digitalSignature (and
// keyEncipherment for RSA), basicConstraints CA:FALSE, authority and subject key identifiers,
// valid from now - kNotBeforeSkew to now + lifetime. The new key has the CA's algorithm (RSA-2048
// or ECDSA P-256). kInvalidArgument for a bad request, for a CA that cannot be parsed or whose key
// does not match, or when the certificate would outlive the CA.
Result<ClientCertificate> SignClientCertificate(const CertificateAuthority& ca,
                                                const ClientCertificateRequest& request);

// True when `text` holds a PEM private key block ("-----BEGIN ... PRIVATE KEY-----", any type:
// PKCS#8, RSA, EC, ENCRYPTED, OPENSSH), also when it is base64-encoded (standard or URL-safe
// alphabet, wrapped or not, up to two levels deep) anywhere in `text`. Certificates and public
// keys are not private keys. Does not look inside compressed data (gzip+base64).
bool ContainsPrivateKey(const std::string& text);

}  // namespace easel::bootstrap
