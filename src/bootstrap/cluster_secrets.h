// Everything secret a cluster's bootstrap needs, kept (sealed) in the store: its PKI and the seed
// its join tokens derive from.
#pragma once

#include <chrono>
#include <string>

#include "bootstrap/pki.h"
#include "common/status.h"

namespace easel::bootstrap {

struct ClusterSecrets {
  ClusterPki pki;
  std::string join_token_seed_hex;  // see join_token.h
};

// A new PKI of `algorithm` (GenerateClusterPki) and a new join token seed (NewTokenSeedHex).
Result<ClusterSecrets> NewClusterSecrets(KeyAlgorithm algorithm,
                                         std::chrono::system_clock::time_point now);

// JSON: {"version": 1, "keyAlgorithm": "RSA-2048", "ca": {"cert": PEM, "key": PEM}, "etcdCa": ...,
// "frontProxyCa": ..., "serviceAccount": {"public": PEM, "private": PEM}, "joinTokenSeed": hex}.
// The result holds private keys: seal it (store::SecretBox) before it goes anywhere.
std::string SerializeSecrets(const ClusterSecrets& secrets);

// The inverse of SerializeSecrets, checked with CheckPki and for a valid seed. kInvalidArgument
// naming the field that is missing or wrong; the message never quotes key material.
Result<ClusterSecrets> ParseSecrets(const std::string& text);

}  // namespace easel::bootstrap
