// Kubernetes syntax rules for labels, taints and versions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "spec/types.h"

namespace easel::spec {

// Empty when valid; otherwise what is wrong.
std::string LabelKeyProblem(std::string_view key);
std::string LabelValueProblem(std::string_view value);

// "key[=value]:Effect" with Effect NoSchedule, PreferNoSchedule or NoExecute.
Result<Taint> ParseTaint(std::string_view text);

// "MAJOR.MINOR.PATCH" with MAJOR 1 ("1.30.4").
bool IsKubernetesVersion(std::string_view text);

}  // namespace easel::spec
