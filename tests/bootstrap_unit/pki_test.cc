// src/bootstrap/pki.h, checked against the real openssl binary where it has an opinion.
#include "bootstrap/pki.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <map>
#include <memory>

#include "common/base64.h"
#include "tests/bootstrap_unit/test_util.h"

namespace easel::bootstrap {
namespace {

using easel::testing::RunShell;
using easel::testing::ShellQuote;
using easel::testing::TempDir;
using easel::testing::Trim;
using easel::testing::WriteFile;
using std::chrono::system_clock;

// A fixed instant: tests never depend on the wall clock.
const system_clock::time_point kNow = system_clock::from_time_t(1'796'000'000);  // 2026-11

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
std::unique_ptr<X509, X509Free> Parse(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  return std::unique_ptr<X509, X509Free>(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

std::string NameEntry(X509_NAME* name, int nid, int index = 0) {
  int at = -1;
  for (int i = 0; i <= index; ++i) {
    at = X509_NAME_get_index_by_NID(name, nid, at);
    if (at < 0) return "";
  }
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                     static_cast<size_t>(ASN1_STRING_length(data)));
}

// One PKI per algorithm for the whole suite: RSA key generation is slow.
const ClusterPki& PkiOf(KeyAlgorithm algorithm) {
  static std::map<KeyAlgorithm, ClusterPki> cache;
  auto it = cache.find(algorithm);
  if (it == cache.end()) {
    Result<ClusterPki> pki = GenerateClusterPki(algorithm, kNow);
    EXPECT_TRUE(pki.ok()) << pki.status().ToString();
    it = cache.emplace(algorithm, pki.ok() ? *pki : ClusterPki{}).first;
  }
  return it->second;
}

TEST(KeyAlgorithm, ParsesKubeadmNamesAndNamesTheAllowedOnes) {
  EXPECT_EQ(*ParseKeyAlgorithm("RSA-2048"), KeyAlgorithm::kRsa2048);
  EXPECT_EQ(*ParseKeyAlgorithm("ECDSA-P256"), KeyAlgorithm::kEcdsaP256);
  EXPECT_STREQ(ToString(KeyAlgorithm::kRsa2048), "RSA-2048");
  EXPECT_STREQ(ToString(KeyAlgorithm::kEcdsaP256), "ECDSA-P256");
  Result<KeyAlgorithm> bad = ParseKeyAlgorithm("RSA-4096");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("RSA-2048, ECDSA-P256"), std::string::npos)
      << bad.status().message();
}

class PkiTest : public ::testing::TestWithParam<KeyAlgorithm> {
 protected:
  const ClusterPki& pki() { return PkiOf(GetParam()); }
};

TEST_P(PkiTest, CertificateAuthoritiesAreWhatKubeadmMakes) {
  const ClusterPki& p = pki();
  EXPECT_EQ(p.algorithm, GetParam());
  struct Expect {
    const CertificateAuthority* ca;
    const char* cn;
  };
  for (const Expect& e : {Expect{&p.ca, "kubernetes"}, Expect{&p.etcd_ca, "etcd-ca"},
                          Expect{&p.front_proxy_ca, "front-proxy-ca"}}) {
    SCOPED_TRACE(e.cn);
    auto cert = Parse(e.ca->cert_pem);
    ASSERT_TRUE(cert);
    EXPECT_EQ(NameEntry(X509_get_subject_name(cert.get()), NID_commonName), e.cn);
    EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())),
              0);
    EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
    EXPECT_EQ(X509_check_ca(cert.get()), 1);
    // Critical basicConstraints CA:TRUE and keyUsage.
    int crit = 0;
    auto* bc = static_cast<BASIC_CONSTRAINTS*>(
        X509_get_ext_d2i(cert.get(), NID_basic_constraints, &crit, nullptr));
    ASSERT_NE(bc, nullptr);
    EXPECT_TRUE(bc->ca);
    EXPECT_EQ(crit, 1);
    BASIC_CONSTRAINTS_free(bc);
    auto* ku =
        static_cast<ASN1_BIT_STRING*>(X509_get_ext_d2i(cert.get(), NID_key_usage, &crit, nullptr));
    ASSERT_NE(ku, nullptr);
    EXPECT_EQ(crit, 1);
    ASN1_BIT_STRING_free(ku);
    EXPECT_EQ(X509_get_key_usage(cert.get()),
              static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT | KU_KEY_CERT_SIGN));
    EXPECT_NE(X509_get0_subject_key_id(cert.get()), nullptr);
    // A serial of at least 128 bits.
    const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get());
    EXPECT_GE(ASN1_STRING_length(serial), 16);
    // Ten years from a few minutes before now.
    std::time_t now = system_clock::to_time_t(kNow);
    int days = 0, seconds = 0;
    std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> at_now(ASN1_TIME_set(nullptr, now),
                                                                 ASN1_TIME_free);
    ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, at_now.get(), X509_get0_notBefore(cert.get())), 1);
    EXPECT_EQ(days, 0);
    EXPECT_LT(seconds, 0);
    EXPECT_GE(seconds, -15 * 60);
    ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, at_now.get(), X509_get0_notAfter(cert.get())), 1);
    EXPECT_EQ(days, 3650);
    EXPECT_NE(e.ca->key_pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  }
  // Distinct serials and keys.
  EXPECT_NE(p.ca.key_pem, p.etcd_ca.key_pem);
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(Parse(p.ca.cert_pem).get()),
                             X509_get0_serialNumber(Parse(p.etcd_ca.cert_pem).get())),
            0);
  EXPECT_NE(p.sa_public_pem.find("-----BEGIN PUBLIC KEY-----"), std::string::npos);
  EXPECT_NE(p.sa_private_pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
}

TEST_P(PkiTest, OpensslAgreesOnKeysAndCertificates) {
  const ClusterPki& p = pki();
  TempDir dir;
  WriteFile(dir.File("ca.crt"), p.ca.cert_pem);
  WriteFile(dir.File("ca.key"), p.ca.key_pem);
  WriteFile(dir.File("sa.key"), p.sa_private_pem);
  WriteFile(dir.File("sa.pub"), p.sa_public_pem);
  // The CA verifies itself as a trust anchor.
  auto verify = RunShell("openssl verify -CAfile " + dir.File("ca.crt") + " " + dir.File("ca.crt"));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  // The key's public half is the certificate's.
  auto from_cert = RunShell("openssl x509 -in " + dir.File("ca.crt") + " -pubkey -noout");
  auto from_key = RunShell("openssl pkey -in " + dir.File("ca.key") + " -pubout");
  EXPECT_EQ(from_cert.output, from_key.output);
  auto sa_pub = RunShell("openssl pkey -in " + dir.File("sa.key") + " -pubout");
  EXPECT_EQ(sa_pub.output, p.sa_public_pem);
  auto type = RunShell("openssl pkey -in " + dir.File("sa.key") + " -noout -text | head -1");
  EXPECT_NE(type.output.find(GetParam() == KeyAlgorithm::kRsa2048 ? "2048 bit" : "256 bit"),
            std::string::npos)
      << type.output;
}

TEST_P(PkiTest, CheckPkiAcceptsGeneratedAndNamesWhatIsWrong) {
  ClusterPki p = pki();
  EXPECT_TRUE(CheckPki(p).ok()) << CheckPki(p).ToString();

  ClusterPki swapped = p;
  swapped.etcd_ca.key_pem = p.ca.key_pem;
  Status s = CheckPki(swapped);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "etcd/ca.key does not match etcd/ca.crt");

  ClusterPki sa = p;
  sa.sa_private_pem = p.front_proxy_ca.key_pem;
  EXPECT_EQ(CheckPki(sa).message(), "sa.key does not match sa.pub");

  ClusterPki garbage = p;
  garbage.front_proxy_ca.cert_pem =
      "-----BEGIN CERTIFICATE-----\nnot base64 !!\n-----END CERTIFICATE-----\n";
  EXPECT_EQ(CheckPki(garbage).message(), "front-proxy-ca.crt is not a PEM certificate");

  ClusterPki empty = p;
  empty.ca.key_pem.clear();
  EXPECT_EQ(CheckPki(empty).message(), "ca.key is empty");

  ClusterPki truncated = p;
  truncated.ca.key_pem = p.ca.key_pem.substr(0, p.ca.key_pem.size() / 2);
  EXPECT_NE(CheckPki(truncated).message().find("ca.key is not a PEM private key"),
            std::string::npos);

  ClusterPki other = p;
  other.algorithm =
      GetParam() == KeyAlgorithm::kRsa2048 ? KeyAlgorithm::kEcdsaP256 : KeyAlgorithm::kRsa2048;
  EXPECT_NE(CheckPki(other).message().find("ca.key is"), std::string::npos)
      << CheckPki(other).message();

  // A certificate that is not a CA in the CA's place.
  Result<ClientCertificate> leaf =
      SignClientCertificate(p.ca, {"someone", {}, std::chrono::hours(1), kNow});
  ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
  ClusterPki not_ca = p;
  not_ca.ca = {leaf->cert_pem, leaf->key_pem};
  EXPECT_EQ(CheckPki(not_ca).message(), "ca.crt is not a certificate authority");
}

TEST_P(PkiTest, CaCertHashIsWhatOpensslComputes) {
  const ClusterPki& p = pki();
  TempDir dir;
  for (const CertificateAuthority* ca : {&p.ca, &p.etcd_ca}) {
    WriteFile(dir.File("ca.crt"), ca->cert_pem);
    auto expected = RunShell("openssl x509 -in " + dir.File("ca.crt") +
                             " -pubkey -noout | openssl pkey -pubin -outform der | sha256sum");
    ASSERT_EQ(expected.exit_code, 0);
    std::string hex = expected.output.substr(0, expected.output.find(' '));
    ASSERT_EQ(hex.size(), 64u) << expected.output;
    Result<std::string> hash = CaCertHash(ca->cert_pem);
    ASSERT_TRUE(hash.ok()) << hash.status().ToString();
    EXPECT_EQ(*hash, "sha256:" + hex);
  }
  EXPECT_NE(*CaCertHash(p.ca.cert_pem), *CaCertHash(p.etcd_ca.cert_pem));
  EXPECT_EQ(CaCertHash("nonsense").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CaCertHash(p.ca.key_pem).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(PkiTest, ClientCertificateVerifiesAndCarriesTheIdentity) {
  const ClusterPki& p = pki();
  ClientCertificateRequest request{
      "kubernetes-admin", {"kubeadm:cluster-admins"}, std::chrono::hours(24), kNow};
  Result<ClientCertificate> cert = SignClientCertificate(p.ca, request);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  TempDir dir;
  WriteFile(dir.File("ca.crt"), p.ca.cert_pem);
  WriteFile(dir.File("client.crt"), cert->cert_pem);
  WriteFile(dir.File("client.key"), cert->key_pem);
  // -attime: the fixed "now" of the test, so that the result does not depend on the clock.
  std::string at = " -attime " + std::to_string(system_clock::to_time_t(kNow) + 60);
  auto verify = RunShell("openssl verify" + at + " -CAfile " + dir.File("ca.crt") + " " +
                         dir.File("client.crt") + " 2>&1");
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find(": OK"), std::string::npos) << verify.output;
  auto purpose = RunShell("openssl verify" + at + " -purpose sslclient -CAfile " +
                          dir.File("ca.crt") + " " + dir.File("client.crt") + " 2>&1");
  EXPECT_EQ(purpose.exit_code, 0) << purpose.output;
  // Not a server certificate, and not valid against another CA.
  auto server = RunShell("openssl verify" + at + " -purpose sslserver -CAfile " +
                         dir.File("ca.crt") + " " + dir.File("client.crt") + " 2>&1");
  EXPECT_NE(server.exit_code, 0) << server.output;
  WriteFile(dir.File("etcd.crt"), p.etcd_ca.cert_pem);
  auto other = RunShell("openssl verify" + at + " -CAfile " + dir.File("etcd.crt") + " " +
                        dir.File("client.crt") + " 2>&1");
  EXPECT_NE(other.exit_code, 0) << other.output;
  // The key is the certificate's.
  EXPECT_EQ(RunShell("openssl x509 -in " + dir.File("client.crt") + " -pubkey -noout").output,
            RunShell("openssl pkey -in " + dir.File("client.key") + " -pubout").output);
  auto subject =
      RunShell("openssl x509 -in " + dir.File("client.crt") + " -noout -subject -nameopt RFC2253");
  EXPECT_EQ(Trim(subject.output), "subject=CN=kubernetes-admin,O=kubeadm:cluster-admins");

  auto x = Parse(cert->cert_pem);
  ASSERT_TRUE(x);
  EXPECT_EQ(X509_check_ca(x.get()), 0);
  EXPECT_TRUE(X509_get_extended_key_usage(x.get()) & XKU_SSL_CLIENT);
  EXPECT_FALSE(X509_get_extended_key_usage(x.get()) & XKU_SSL_SERVER);
  uint32_t expected_ku = GetParam() == KeyAlgorithm::kRsa2048
                             ? (KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT)
                             : KU_DIGITAL_SIGNATURE;
  EXPECT_EQ(X509_get_key_usage(x.get()), expected_ku);
  int days = 0, seconds = 0;
  ASSERT_EQ(
      ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(x.get()), X509_get0_notAfter(x.get())),
      1);
  EXPECT_EQ(days * 86400 + seconds, 24 * 3600 + 5 * 60);
  auto type = RunShell("openssl pkey -in " + dir.File("client.key") + " -noout -text | head -1");
  EXPECT_NE(type.output.find(GetParam() == KeyAlgorithm::kRsa2048 ? "2048 bit" : "256 bit"),
            std::string::npos)
      << type.output;
}

TEST_P(PkiTest, ClientCertificateWithoutOrganizationAndSeveralOrganizations) {
  const ClusterPki& p = pki();
  Result<ClientCertificate> plain =
      SignClientCertificate(p.ca, {"easel:alice", {}, std::chrono::minutes(30), kNow});
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  auto x = Parse(plain->cert_pem);
  EXPECT_EQ(NameEntry(X509_get_subject_name(x.get()), NID_commonName), "easel:alice");
  EXPECT_EQ(X509_NAME_get_index_by_NID(X509_get_subject_name(x.get()), NID_organizationName, -1),
            -1);
  Result<ClientCertificate> two =
      SignClientCertificate(p.ca, {"bob", {"dev", "ops"}, std::chrono::minutes(30), kNow});
  ASSERT_TRUE(two.ok());
  auto y = Parse(two->cert_pem);
  EXPECT_EQ(NameEntry(X509_get_subject_name(y.get()), NID_organizationName, 0), "dev");
  EXPECT_EQ(NameEntry(X509_get_subject_name(y.get()), NID_organizationName, 1), "ops");
}

TEST_P(PkiTest, BadClientRequestsAndBadCasAreClearErrors) {
  const ClusterPki& p = pki();
  auto sign = [&](const CertificateAuthority& ca, ClientCertificateRequest r) {
    return SignClientCertificate(ca, r).status();
  };
  EXPECT_NE(sign(p.ca, {"", {}, std::chrono::hours(1), kNow}).message().find("common name"),
            std::string::npos);
  EXPECT_NE(
      sign(p.ca, {std::string(65, 'a'), {}, std::chrono::hours(1), kNow}).message().find("1 to 64"),
      std::string::npos);
  EXPECT_NE(sign(p.ca, {"a", {""}, std::chrono::hours(1), kNow}).message().find("organization"),
            std::string::npos);
  EXPECT_NE(sign(p.ca, {"a", {}, std::chrono::seconds(0), kNow}).message().find("lifetime"),
            std::string::npos);
  EXPECT_NE(sign(p.ca, {"a", {}, std::chrono::hours(24 * 3651), kNow}).message().find("outlive"),
            std::string::npos);
  EXPECT_NE(
      sign(p.ca, {"a", {}, std::chrono::seconds(INT64_MAX / 2), kNow}).message().find("outlive"),
      std::string::npos);
  // Within the CA's life but past its end because the CA is older.
  EXPECT_NE(sign(p.ca, {"a", {}, std::chrono::hours(24 * 10), kNow + std::chrono::hours(24 * 3645)})
                .message()
                .find("outlive"),
            std::string::npos);
  EXPECT_EQ(
      sign({p.ca.cert_pem, p.etcd_ca.key_pem}, {"a", {}, std::chrono::hours(1), kNow}).message(),
      "ca.key does not match ca.crt");
  EXPECT_EQ(sign({"", ""}, {"a", {}, std::chrono::hours(1), kNow}).message(), "ca.crt is empty");
  EXPECT_EQ(sign({"\x01\x02garbage", "x"}, {"a", {}, std::chrono::hours(1), kNow}).message(),
            "ca.crt is not a PEM certificate");
}

INSTANTIATE_TEST_SUITE_P(Algorithms, PkiTest,
                         ::testing::Values(KeyAlgorithm::kRsa2048, KeyAlgorithm::kEcdsaP256),
                         [](const ::testing::TestParamInfo<KeyAlgorithm>& info) {
                           return info.param == KeyAlgorithm::kRsa2048 ? "Rsa2048" : "EcdsaP256";
                         });

TEST(ParsePem, MalformedInputNeverCrashes) {
  const ClusterPki& p = PkiOf(KeyAlgorithm::kEcdsaP256);
  std::string cert = p.ca.cert_pem;
  // Every prefix, and single-byte corruptions through the body.
  for (size_t n = 0; n < cert.size(); n += 7) {
    (void)CaCertHash(cert.substr(0, n));
    (void)CheckPki({p.algorithm,
                    {cert.substr(0, n), p.ca.key_pem},
                    p.etcd_ca,
                    p.front_proxy_ca,
                    p.sa_public_pem,
                    p.sa_private_pem});
  }
  for (size_t i = 28; i < cert.size(); i += 5) {
    std::string corrupt = cert;
    corrupt[i] = corrupt[i] == 'A' ? 'B' : 'A';
    (void)CaCertHash(corrupt);
  }
  EXPECT_FALSE(CaCertHash(std::string(100000, 'A')).ok());
  EXPECT_FALSE(CaCertHash(std::string("\0\0\0", 3)).ok());
  std::string encrypted =
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n"
      "-----END ENCRYPTED PRIVATE KEY-----\n";
  ClusterPki enc = p;
  enc.ca.key_pem = encrypted;
  EXPECT_NE(CheckPki(enc).message().find("encrypted"), std::string::npos);
}

TEST(ContainsPrivateKey, FindsClearPemBlocksOfEveryType) {
  const ClusterPki& p = PkiOf(KeyAlgorithm::kEcdsaP256);
  EXPECT_TRUE(ContainsPrivateKey(p.ca.key_pem));
  EXPECT_TRUE(ContainsPrivateKey("write_files:\n- content: |\n    " + p.sa_private_pem));
  for (const char* label : {"PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY",
                            "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY"}) {
    EXPECT_TRUE(ContainsPrivateKey(std::string("x -----BEGIN ") + label + "-----\nAAAA")) << label;
  }
  // JSON-escaped, as in a request body.
  std::string escaped = p.ca.key_pem;
  for (size_t at = escaped.find('\n'); at != std::string::npos; at = escaped.find('\n', at + 2)) {
    escaped.replace(at, 1, "\\n");
  }
  EXPECT_TRUE(ContainsPrivateKey("{\"data\":\"" + escaped + "\"}"));
}

TEST(ContainsPrivateKey, FindsBase64WrappedPems) {
  const ClusterPki& p = PkiOf(KeyAlgorithm::kRsa2048);
  std::string b64 = Base64Encode(p.ca.key_pem);
  EXPECT_TRUE(ContainsPrivateKey(b64));
  // Inside YAML, after a key, at every alignment relative to a preceding word.
  EXPECT_TRUE(ContainsPrivateKey("encoding: b64\ncontent: " + b64 + "\n"));
  for (const char* prefix : {"data", "datax", "dataxy", "dataxyz"}) {
    EXPECT_TRUE(ContainsPrivateKey(std::string("the ") + prefix + b64)) << prefix;
  }
  // Wrapped at 76 columns and indented, as `base64` and YAML block scalars do.
  std::string wrapped;
  for (size_t i = 0; i < b64.size(); i += 76) wrapped += "      " + b64.substr(i, 76) + "\n";
  EXPECT_TRUE(ContainsPrivateKey("content: |\n" + wrapped));
  // URL-safe alphabet.
  std::string url = b64;
  for (char& c : url) c = c == '+' ? '-' : c == '/' ? '_' : c;
  EXPECT_TRUE(ContainsPrivateKey(url));
  // Twice encoded (a base64 customData holding a b64 write_files entry).
  EXPECT_TRUE(ContainsPrivateKey(Base64Encode("#cloud-config\ncontent: " + b64 + "\n")));
  // Without padding, and cut from a longer run (only the start matters).
  std::string unpadded = b64.substr(0, b64.find('='));
  EXPECT_TRUE(ContainsPrivateKey(unpadded));
  EXPECT_TRUE(ContainsPrivateKey(b64.substr(0, 60)));
}

TEST(ContainsPrivateKey, CertificatesPublicKeysAndTextAreNot) {
  const ClusterPki& p = PkiOf(KeyAlgorithm::kRsa2048);
  for (const std::string& text :
       {p.ca.cert_pem, p.sa_public_pem, Base64Encode(p.ca.cert_pem), Base64Encode(p.sa_public_pem),
        Base64Encode(Base64Encode(p.etcd_ca.cert_pem)),
        std::string("no keys here, just PRIVATE KEY words"),
        std::string("-----BEGIN PRIVATE KEYS are mentioned"),
        std::string("-----BEGIN CERTIFICATE-----"), std::string()}) {
    EXPECT_FALSE(ContainsPrivateKey(text)) << text.substr(0, 80);
  }
  std::string cloud_init =
      "#cloud-config\nwrite_files:\n- path: /etc/kubernetes/pki/ca.crt\n"
      "  encoding: b64\n  content: " +
      Base64Encode(p.ca.cert_pem) + "\n";
  EXPECT_FALSE(ContainsPrivateKey(cloud_init));
  EXPECT_FALSE(ContainsPrivateKey(Base64Encode(cloud_init)));
  EXPECT_TRUE(ContainsPrivateKey(cloud_init + "- content: " + Base64Encode(p.ca.key_pem)));
}

}  // namespace
}  // namespace easel::bootstrap
