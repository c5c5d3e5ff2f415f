// The fields of a planned body that easel does not keep in line after creation: those the plan
// marks (plan::ResourceNode::create_only and live_owned), left out of comparisons and out of (or
// taken from the live resource into) the body of an update; and those Azure kept at its own value
// after easel wrote them (a policy's), read back from the store (KeptByAzure).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/graph.h"
#include "store/store.h"

namespace easel::engine {

// `desired` without the node's create-only and live-owned fields: what the diff, the drift check
// and the preview compare with the live resource.
nlohmann::json ComparableBody(const plan::ResourceNode& node, nlohmann::json desired);

// The body of an update of a live resource: without create-only fields, with the live value of
// each live-owned field (left out when the live resource has none).
nlohmann::json UpdateBody(const plan::ResourceNode& node, nlohmann::json body,
                          const nlohmann::json& live);

// A third kind, known only after a write: lowercased id -> the differences Azure kept after easel
// last wrote the resource's body (store::ResourceRecord::overridden), for the resources of `plan`
// whose body is still that one.
std::map<std::string, std::vector<std::string>> KeptByAzure(
    const std::vector<store::ResourceRecord>& records, const plan::Plan& plan);

}  // namespace easel::engine
