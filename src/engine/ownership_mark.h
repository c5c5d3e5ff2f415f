// The marks that say whose a live resource is: a cluster's ownership tag (easel_cluster_<name> =
// owned), or for the image cache's resources the cache's tag (spec::kImageCacheTag), each as a
// tag or, for the types Azure does not tag (blob containers, DNS records), a metadata entry.
// Live bodies are untrusted: any member may be of any JSON type.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "plan/graph.h"

namespace easel::engine {

// Whether `resource` carries the mark key=value (key compared case-insensitively).
bool MarkedWith(const nlohmann::json& resource, const std::string& key, const std::string& value);

// The image cache's mark a shared node's body carries ("" when none).
std::string SharedMarkOf(const plan::ResourceNode& r);

// Whether the live resource is the one node `r` stands for: the cache's, for a shared node;
// this cluster's (`owner_key`), for an owned one.
bool MarkedFor(const plan::ResourceNode& r, const nlohmann::json& live,
               const std::string& owner_key);

}  // namespace easel::engine
