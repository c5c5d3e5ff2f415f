#include "bootstrap/cluster_secrets.h"

#include <nlohmann/json.hpp>

#include "bootstrap/hex.h"
#include "bootstrap/join_token.h"

namespace easel::bootstrap {
namespace {

using Json = nlohmann::json;

constexpr int kFormatVersion = 1;

// The string at `key` of object `j`, or an error naming `path`.
Result<std::string> StringField(const Json& j, const char* key, const std::string& path) {
  auto it = j.find(key);
  if (it == j.end()) return Status::InvalidArgument("cluster secrets: " + path + " is missing");
  if (!it->is_string()) {
    return Status::InvalidArgument("cluster secrets: " + path + " is not a string");
  }
  return it->get<std::string>();
}

Result<CertificateAuthority> CaField(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) {
    return Status::InvalidArgument(std::string("cluster secrets: ") + key + " is missing");
  }
  if (!it->is_object()) {
    return Status::InvalidArgument(std::string("cluster secrets: ") + key + " is not an object");
  }
  Result<std::string> cert = StringField(*it, "cert", std::string(key) + ".cert");
  if (!cert.ok()) return cert.status();
  Result<std::string> private_key = StringField(*it, "key", std::string(key) + ".key");
  if (!private_key.ok()) return private_key.status();
  return CertificateAuthority{std::move(cert).value(), std::move(private_key).value()};
}

}  // namespace

Result<ClusterSecrets> NewClusterSecrets(KeyAlgorithm algorithm,
                                         std::chrono::system_clock::time_point now) {
  Result<ClusterPki> pki = GenerateClusterPki(algorithm, now);
  if (!pki.ok()) return pki.status();
  return ClusterSecrets{std::move(pki).value(), NewTokenSeedHex()};
}

std::string SerializeSecrets(const ClusterSecrets& s) {
  auto ca = [](const CertificateAuthority& c) {
    return Json{{"cert", c.cert_pem}, {"key", c.key_pem}};
  };
  Json j = {
      {"version", kFormatVersion},
      {"keyAlgorithm", ToString(s.pki.algorithm)},
      {"ca", ca(s.pki.ca)},
      {"etcdCa", ca(s.pki.etcd_ca)},
      {"frontProxyCa", ca(s.pki.front_proxy_ca)},
      {"serviceAccount", {{"public", s.pki.sa_public_pem}, {"private", s.pki.sa_private_pem}}},
      {"joinTokenSeed", s.join_token_seed_hex}};
  return j.dump();
}

Result<ClusterSecrets> ParseSecrets(const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("cluster secrets: not valid JSON");
  if (!j.is_object()) return Status::InvalidArgument("cluster secrets: not a JSON object");
  auto version = j.find("version");
  if (version == j.end() || !version->is_number_integer()) {
    return Status::InvalidArgument("cluster secrets: version is missing or not an integer");
  }
  if (version->get<int64_t>() != kFormatVersion) {
    return Status::InvalidArgument(
        "cluster secrets: format version " + std::to_string(version->get<int64_t>()) +
        " is not supported by this easel (supported: " + std::to_string(kFormatVersion) + ")");
  }
  ClusterSecrets s;
  Result<std::string> algorithm = StringField(j, "keyAlgorithm", "keyAlgorithm");
  if (!algorithm.ok()) return algorithm.status();
  Result<KeyAlgorithm> parsed = ParseKeyAlgorithm(*algorithm);
  if (!parsed.ok()) {
    return Status::InvalidArgument("cluster secrets: keyAlgorithm: " + parsed.status().message());
  }
  s.pki.algorithm = *parsed;
  struct Entry {
    const char* key;
    CertificateAuthority* ca;
  };
  for (const Entry& e : {Entry{"ca", &s.pki.ca}, Entry{"etcdCa", &s.pki.etcd_ca},
                         Entry{"frontProxyCa", &s.pki.front_proxy_ca}}) {
    Result<CertificateAuthority> ca = CaField(j, e.key);
    if (!ca.ok()) return ca.status();
    *e.ca = std::move(ca).value();
  }
  auto sa = j.find("serviceAccount");
  if (sa == j.end() || !sa->is_object()) {
    return Status::InvalidArgument("cluster secrets: serviceAccount is missing or not an object");
  }
  Result<std::string> sa_public = StringField(*sa, "public", "serviceAccount.public");
  if (!sa_public.ok()) return sa_public.status();
  Result<std::string> sa_private = StringField(*sa, "private", "serviceAccount.private");
  if (!sa_private.ok()) return sa_private.status();
  s.pki.sa_public_pem = std::move(sa_public).value();
  s.pki.sa_private_pem = std::move(sa_private).value();
  Result<std::string> seed = StringField(j, "joinTokenSeed", "joinTokenSeed");
  if (!seed.ok()) return seed.status();
  std::optional<std::string> seed_bytes = internal::HexDecode(*seed);
  if (!seed_bytes || seed_bytes->empty()) {
    return Status::InvalidArgument("cluster secrets: joinTokenSeed is not a hex string");
  }
  s.join_token_seed_hex = std::move(seed).value();
  if (Status check = CheckPki(s.pki); !check.ok()) {
    return Status::InvalidArgument("cluster secrets: " + check.message());
  }
  return s;
}

}  // namespace easel::bootstrap
