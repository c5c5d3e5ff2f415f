#include "store/secret_box.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

#include "common/base64.h"
#include "common/files.h"

namespace easel::store {
namespace {

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

// Wipes a string holding key material or plaintext before it is released.
void Wipe(std::string* s) {
  if (!s->empty()) OPENSSL_cleanse(s->data(), s->size());
  s->clear();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// 64 hex digits -> 32 bytes; nullopt otherwise.
std::optional<std::string> DecodeHexKey(const std::string& text) {
  if (text.size() != 2 * SecretBox::kKeyBytes) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = HexValue(text[i]), lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) {
      Wipe(&out);
      return std::nullopt;
    }
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

std::string EncodeHex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::string Trimmed(const std::string& s) {
  size_t begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  size_t end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

std::string OctalMode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// The key in the file at `path`. kNotFound when there is no such file.
Result<std::string> ReadKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(path + " does not exist");
    return Status::IOError("cannot read the secret key " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::FailedPrecondition("the secret key " + path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return Status::FailedPrecondition("the secret key " + path +
                                      " is accessible by group or others (mode " +
                                      OctalMode(st.st_mode) + "); run chmod 600 " + path);
  }
  std::string text(256, '\0');
  ssize_t n = ::read(fd, text.data(), text.size());
  ::close(fd);
  if (n < 0) {
    Wipe(&text);
    return Status::IOError("cannot read the secret key " + path + ": " + std::strerror(errno));
  }
  text.resize(static_cast<size_t>(n));
  std::string trimmed = Trimmed(text);
  Wipe(&text);
  std::optional<std::string> key = DecodeHexKey(trimmed);
  Wipe(&trimmed);
  if (!key) {
    return Status::InvalidArgument("the secret key " + path +
                                   " is not a key (expected 64 hex characters)");
  }
  return std::move(*key);
}

Status WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  return ::fsync(fd) == 0 ? Status::Ok() : Status::IOError(std::strerror(errno));
}

// Creates the key file at `path` with a new key, or, when another process created it first, reads
// that one. The key is written to a private temporary file first and then linked into place, so
// that no reader ever sees a partial key file.
Result<std::string> CreateKeyFile(const std::string& path) {
  std::string key(SecretBox::kKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1)
    return Status::Internal("cannot draw a secret key: the random generator failed");
  std::string text = EncodeHex(key) + "\n";
  std::array<unsigned char, 8> suffix{};
  (void)RAND_bytes(suffix.data(), static_cast<int>(suffix.size()));
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." +
                    EncodeHex(std::string(reinterpret_cast<const char*>(suffix.data()), 8));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    Wipe(&key);
    Wipe(&text);
    return Status::IOError("cannot create the secret key " + path + ": " + std::strerror(errno));
  }
  Status written = WriteAll(fd, text);
  ::close(fd);
  Wipe(&text);
  if (!written.ok()) {
    ::unlink(tmp.c_str());
    Wipe(&key);
    return Status::IOError("cannot write the secret key " + path + ": " + written.message());
  }
  int linked = ::link(tmp.c_str(), path.c_str());
  int link_errno = errno;
  ::unlink(tmp.c_str());
  if (linked != 0) {
    Wipe(&key);
    if (link_errno == EEXIST) return ReadKeyFile(path);  // another process was first: use its key
    return Status::IOError("cannot create the secret key " + path + ": " +
                           std::strerror(link_errno));
  }
  // Make the new name durable: losing the key loses every secret sealed with it.
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    (void)::fsync(dir_fd);
    ::close(dir_fd);
  }
  return key;
}

}  // namespace

std::string SecretAssociatedData(const std::string& cluster, const std::string& name) {
  return "easel-secret:" + std::to_string(cluster.size()) + ":" + cluster + ":" +
         std::to_string(name.size()) + ":" + name;
}

Result<SecretBox> SecretBox::FromKey(std::string key32) {
  if (key32.size() != kKeyBytes) {
    size_t size = key32.size();
    Wipe(&key32);
    return Status::InvalidArgument("a secret key must have " + std::to_string(kKeyBytes) +
                                   " bytes (has " + std::to_string(size) + ")");
  }
  return SecretBox(std::move(key32), "a given key");
}

Result<SecretBox> SecretBox::Open(const std::string& state_path) {
  if (const char* env = std::getenv(kKeyVariable); env && *env) {
    std::string value = Trimmed(env);
    std::optional<std::string> key = DecodeHexKey(value);
    if (!key) {
      std::optional<std::string> decoded = Base64Decode(value);
      if (decoded && decoded->size() == kKeyBytes) {
        key = std::move(decoded);
      } else if (decoded) {
        Wipe(&*decoded);
      }
    }
    size_t length = value.size();
    Wipe(&value);
    if (!key) {
      return Status::InvalidArgument(std::string(kKeyVariable) +
                                     " must be 64 hex characters or the base64 of 32 bytes (it "
                                     "has " +
                                     std::to_string(length) + " characters that are neither)");
    }
    return SecretBox(std::move(*key), kKeyVariable);
  }
  std::filesystem::path dir = std::filesystem::path(state_path).parent_path();
  if (dir.empty()) dir = ".";
  if (Status s = CreatePrivateDirectories(dir.string()); !s.ok()) return s;
  std::string path = (dir / kKeyFileName).string();
  Result<std::string> key = ReadKeyFile(path);
  if (!key.ok() && key.status().code() == StatusCode::kNotFound) key = CreateKeyFile(path);
  if (!key.ok()) return key.status();
  return SecretBox(std::move(key).value(), path);
}

SecretBox::~SecretBox() { Wipe(&key_); }

Result<std::string> SecretBox::Seal(const std::string& plaintext,
                                    const std::string& associated) const {
  if (plaintext.size() > INT_MAX / 2 || associated.size() > INT_MAX / 2) {
    return Status::InvalidArgument("a secret to seal must be smaller than 1 GiB");
  }
  std::string out(1 + kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  bytes[0] = kFormatVersion;
  if (RAND_bytes(bytes + 1, static_cast<int>(kNonceBytes)) != 1) {
    return Status::Internal("sealing a secret: the random generator failed");
  }
  std::string aad = std::string(1, static_cast<char>(kFormatVersion)) + associated;
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  bool ok = ctx &&
            EVP_EncryptInit_ex2(ctx.get(), EVP_aes_256_gcm(),
                                reinterpret_cast<const unsigned char*>(key_.data()), bytes + 1,
                                nullptr) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &length,
                              reinterpret_cast<const unsigned char*>(aad.data()),
                              static_cast<int>(aad.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), bytes + 1 + kNonceBytes, &length,
                              reinterpret_cast<const unsigned char*>(plaintext.data()),
                              static_cast<int>(plaintext.size())) == 1 &&
            static_cast<size_t>(length) == plaintext.size() &&
            EVP_EncryptFinal_ex(ctx.get(), bytes + 1 + kNonceBytes + length, &length) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                                bytes + 1 + kNonceBytes + plaintext.size()) == 1;
  if (!ok) return Status::Internal("sealing a secret: AES-256-GCM failed");
  return out;
}

Result<std::string> SecretBox::Unseal(const std::string& sealed,
                                      const std::string& associated) const {
  if (sealed.size() < 1 + kNonceBytes + kTagBytes) {
    return Status::FailedPrecondition("a sealed secret is truncated (" +
                                      std::to_string(sealed.size()) + " bytes)");
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(sealed.data());
  if (bytes[0] != kFormatVersion) {
    return Status::FailedPrecondition("a sealed secret has format version " +
                                      std::to_string(bytes[0]) +
                                      ", unknown to this easel (known: 1)");
  }
  if (sealed.size() > INT_MAX / 2 || associated.size() > INT_MAX / 2) {
    return Status::FailedPrecondition("a sealed secret is too large");
  }
  size_t cipher_size = sealed.size() - 1 - kNonceBytes - kTagBytes;
  std::string aad = std::string(1, static_cast<char>(kFormatVersion)) + associated;
  std::string plain(cipher_size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  std::array<unsigned char, kTagBytes> tag{};
  std::memcpy(tag.data(), bytes + 1 + kNonceBytes + cipher_size, kTagBytes);
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  bool ok = ctx &&
            EVP_DecryptInit_ex2(ctx.get(), EVP_aes_256_gcm(),
                                reinterpret_cast<const unsigned char*>(key_.data()), bytes + 1,
                                nullptr) == 1 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &length,
                              reinterpret_cast<const unsigned char*>(aad.data()),
                              static_cast<int>(aad.size())) == 1 &&
            EVP_DecryptUpdate(ctx.get(), out, &length, bytes + 1 + kNonceBytes,
                              static_cast<int>(cipher_size)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes),
                                tag.data()) == 1 &&
            EVP_DecryptFinal_ex(ctx.get(), out + length, &length) == 1;
  if (!ok) {
    Wipe(&plain);
    return Status::FailedPrecondition(
        "cannot open a sealed secret: the key (from " + source_ +
        ") is not the one it was sealed with, or the value was altered or belongs elsewhere");
  }
  return plain;
}

}  // namespace easel::store
