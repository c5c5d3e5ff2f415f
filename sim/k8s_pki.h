// Certificates of a simulated Kubernetes API server: a CA per cluster and client certificates it
// signs (PEM, in memory), for the kubeconfigs AKS credentials return.
#pragma once

#include <optional>
#include <string>

namespace azsim {

struct PemPair {
  std::string cert, key;
};

// A self-signed CA ("CN=ca", as AKS names it); nullopt when OpenSSL fails.
std::optional<PemPair> MakeClusterCa();
// A client certificate for `cn` in organization `org`, signed by the CA.
std::optional<PemPair> MakeClientCert(const PemPair& ca, const std::string& cn,
                                      const std::string& org);

}  // namespace azsim
