// The fields of a planned body that easel does not keep in line after creation
// (plan::ResourceNode::create_only and live_owned): left out of comparisons, and out of (or taken
// from the live resource into) the body of an update.
#pragma once

#include <nlohmann/json.hpp>

#include "plan/graph.h"

namespace easel::engine {

// `desired` without the node's create-only and live-owned fields: what the diff, the drift check
// and the preview compare with the live resource.
nlohmann::json ComparableBody(const plan::ResourceNode& node, nlohmann::json desired);

// The body of an update of a live resource: without create-only fields, with the live value of
// each live-owned field (left out when the live resource has none).
nlohmann::json UpdateBody(const plan::ResourceNode& node, nlohmann::json body,
                          const nlohmann::json& live);

}  // namespace easel::engine
