// easel's PEM and key-material parsers on hostile bytes: the sealed cluster secrets as the store
// gives them back (ParseSecrets: JSON holding PEM blocks, checked with CheckPki), the CA hash
// kubeadm pins (CaCertHash), the private-key detector that guards user data and output
// (ContainsPrivateKey, which decodes base64 two levels deep), and the small parsers of
// `easel kubeconfig` (ParseDuration, AdminGroupFor, ParseKeyAlgorithm). Any crash, sanitizer
// report, hang or leak is a bug; so is an error message that repeats key material.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "bootstrap/cluster_secrets.h"
#include "bootstrap/kubeconfig.h"
#include "bootstrap/pki.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  namespace b = easel::bootstrap;
  easel::Result<b::ClusterSecrets> secrets = b::ParseSecrets(text);
  if (secrets.ok()) {
    // What parses must serialize back to something that parses to the same PKI.
    easel::Result<b::ClusterSecrets> again = b::ParseSecrets(b::SerializeSecrets(*secrets));
    if (!again.ok() || again->pki.ca.cert_pem != secrets->pki.ca.cert_pem ||
        again->join_token_seed_hex != secrets->join_token_seed_hex)
      std::abort();
  } else if (b::ContainsPrivateKey(secrets.status().message())) {
    std::abort();  // an error message quoting a private key
  }
  easel::Result<std::string> hash = b::CaCertHash(text);
  if (hash.ok() && (hash->size() != 7 + 64 || hash->rfind("sha256:", 0) != 0)) std::abort();
  (void)b::ContainsPrivateKey(text);
  easel::Result<std::chrono::seconds> duration = b::ParseDuration(text);
  if (duration.ok() && duration->count() <= 0) std::abort();
  (void)b::AdminGroupFor(text);
  (void)b::ParseKeyAlgorithm(text);
  return 0;
}
