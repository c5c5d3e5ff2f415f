// What `easel apply` would do, without doing it: each planned resource read once and compared.
#pragma once

#include <string>
#include <vector>

#include "engine/reconciler.h"
#include "plan/graph.h"

namespace easel::engine {

struct PreviewItem {
  std::string id, type, name;
  std::string action;  // create | update | unchanged | read | missing (an existing one is absent)
                       // | conflict (exists, not owned) | delete (in the stored plan, not the new)
  std::string detail;  // the field difference for update
};

// Reads every resource of `plan` (no writes) and, when `previous` is given, lists what the
// previous plan had and this one has not.
Result<std::vector<PreviewItem>> Preview(const Environment& env, const std::string& cluster,
                                         const plan::Plan& plan, const plan::Plan* previous);

}  // namespace easel::engine
