// Drift: has anything easel created been changed or removed since easel last made it so?
//
// The check costs one resources-list call per resource group when nothing changed: the list
// (filtered by the ownership tag, with $expand=changedTime) is compared with the changedTime
// recorded after the last apply, and only resources whose changedTime moved, or that are gone
// from the list, are read one by one. Child resources that ARM does not list (subnets,
// containers, DNS records) are covered through their parent's changedTime where ARM updates it,
// and are otherwise only checked by `easel apply`.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/reconciler.h"
#include "plan/graph.h"

namespace easel::engine {

struct DriftItem {
  std::string id;
  std::string type;
  std::string name;
  // "missing"; "changed"; "overridden": Azure keeps values other than those easel wrote (a
  // policy's), which apply does not repair (it does not write the same body again for them).
  std::string kind;
  std::string detail;  // the first difference, for "changed"; what Azure keeps, for "overridden"
};

struct CheckResult {
  std::vector<DriftItem> drift;
  int list_calls = 0;
  int resource_reads = 0;
};

// Records the changedTime of every owned, listed resource as the baseline (after an apply).
Status RecordBaseline(const Environment& env, const std::string& cluster, const plan::Plan& plan);

// Compares the cloud with the plan as described above.
Result<CheckResult> CheckDrift(const Environment& env, const std::string& cluster,
                               const plan::Plan& plan);

}  // namespace easel::engine
