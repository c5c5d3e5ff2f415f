#include "spec/kubernetes_syntax.h"

#include <regex>

#include "common/strings.h"

namespace easel::spec {
namespace {

// A label name segment: 1-63 characters, alphanumeric at both ends, [-_.] inside.
bool IsQualifiedNameSegment(std::string_view s) {
  static const std::regex kName("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$");
  return !s.empty() && s.size() <= 63 && std::regex_match(std::string(s), kName);
}

bool IsDnsSubdomain(std::string_view s) {
  static const std::regex kSubdomain(
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  return !s.empty() && s.size() <= 253 && std::regex_match(std::string(s), kSubdomain);
}

}  // namespace

std::string LabelKeyProblem(std::string_view key) {
  if (key.empty()) return "label key must not be empty";
  std::string_view name = key;
  size_t slash = key.find('/');
  if (slash != std::string_view::npos) {
    std::string_view prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (!IsDnsSubdomain(prefix)) {
      return "label key prefix " + Quote(prefix) +
             " must be a DNS subdomain (lowercase letters, "
             "digits, '-', '.')";
    }
    if (prefix == "kubernetes.io" || prefix == "k8s.io" || EndsWith(prefix, ".kubernetes.io") ||
        EndsWith(prefix, ".k8s.io")) {
      return "label key prefix " + Quote(prefix) + " is reserved for Kubernetes";
    }
  }
  if (!IsQualifiedNameSegment(name)) {
    return "label key name " + Quote(name) +
           " must be 1-63 characters, letters, digits, "
           "'-', '_', '.', starting and ending with a letter or digit";
  }
  return "";
}

std::string LabelValueProblem(std::string_view value) {
  if (value.empty()) return "";
  if (!IsQualifiedNameSegment(value)) {
    return "label value " + Quote(value) +
           " must be at most 63 characters, letters, digits, "
           "'-', '_', '.', starting and ending with a letter or digit";
  }
  return "";
}

Result<Taint> ParseTaint(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("taint " + Quote(text) + " " + why);
  };
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return bad("must be key[=value]:Effect, e.g. \"dedicated=web:NoSchedule\"");
  }
  Taint taint;
  taint.effect = std::string(text.substr(colon + 1));
  std::string_view kv = text.substr(0, colon);
  size_t eq = kv.find('=');
  taint.key = std::string(kv.substr(0, eq));
  if (eq != std::string_view::npos) taint.value = std::string(kv.substr(eq + 1));
  if (taint.effect != "NoSchedule" && taint.effect != "PreferNoSchedule" &&
      taint.effect != "NoExecute") {
    return bad("has effect " + Quote(taint.effect) +
               "; must be NoSchedule, PreferNoSchedule or NoExecute");
  }
  if (std::string p = LabelKeyProblem(taint.key); !p.empty()) {
    return bad("has an invalid key: " + p);
  }
  if (std::string p = LabelValueProblem(taint.value); !p.empty()) {
    return bad("has an invalid value: " + p);
  }
  return taint;
}

bool IsKubernetesVersion(std::string_view text) {
  static const std::regex kVersion("^1\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,3})$");
  return std::regex_match(std::string(text), kVersion);
}

}  // namespace easel::spec
