#include "bootstrap/openssl_util.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <climits>

namespace easel::bootstrap::internal {
namespace {

// The largest PEM text parsed; a CA certificate or key is a few kilobytes.
constexpr size_t kMaxPemBytes = 64 << 10;

// A passphrase callback that has none: an encrypted key fails instead of prompting on a terminal.
int NoPassphrase(char*, int, int, void*) { return -1; }

Result<BioPtr> ReadOnlyBio(const std::string& pem, const std::string& label) {
  if (pem.empty()) return Status::InvalidArgument(label + " is empty");
  if (pem.size() > kMaxPemBytes) {
    return Status::InvalidArgument(label + " is larger than " + std::to_string(kMaxPemBytes) +
                                   " bytes");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslError("reading " + label);
  return bio;
}

}  // namespace

Status OpenSslError(const std::string& what) {
  unsigned long code = ERR_get_error();
  const char* reason = code ? ERR_reason_error_string(code) : nullptr;
  std::string why = reason ? reason : (code ? "unknown OpenSSL error" : "OpenSSL failed");
  ERR_clear_error();
  return Status::Internal(what + ": " + why);
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  return length > 0 && data ? std::string(data, static_cast<size_t>(length)) : std::string();
}

Result<X509Ptr> ParseCertificate(const std::string& pem, const std::string& label) {
  Result<BioPtr> bio = ReadOnlyBio(pem, label);
  if (!bio.ok()) return bio.status();
  X509Ptr cert(PEM_read_bio_X509(bio->get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  if (!cert) return Status::InvalidArgument(label + " is not a PEM certificate");
  return cert;
}

Result<PkeyPtr> ParsePrivateKey(const std::string& pem, const std::string& label) {
  Result<BioPtr> bio = ReadOnlyBio(pem, label);
  if (!bio.ok()) return bio.status();
  PkeyPtr key(PEM_read_bio_PrivateKey(bio->get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  if (!key) {
    return Status::InvalidArgument(label +
                                   " is not a PEM private key (or it is encrypted, which easel "
                                   "does not accept)");
  }
  return key;
}

Result<PkeyPtr> ParsePublicKey(const std::string& pem, const std::string& label) {
  Result<BioPtr> bio = ReadOnlyBio(pem, label);
  if (!bio.ok()) return bio.status();
  PkeyPtr key(PEM_read_bio_PUBKEY(bio->get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  if (!key) return Status::InvalidArgument(label + " is not a PEM public key");
  return key;
}

}  // namespace easel::bootstrap::internal
