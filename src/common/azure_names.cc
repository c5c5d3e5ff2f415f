#include "common/azure_names.h"

#include <cctype>
#include <vector>

namespace easel {
namespace {

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool IsLowerOrDigit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

std::string LengthProblem(std::string_view name, size_t min, size_t max) {
  if (name.size() < min || name.size() > max) {
    return "is " + std::to_string(name.size()) + " characters (" + std::to_string(min) + "-" +
           std::to_string(max) + " allowed)";
  }
  return "";
}

// The rule shared by most Network and Compute names: letters, digits, '_', '.', '-'; starts with
// a letter or digit; ends with a letter, digit or '_'.
std::string AlnumDotDashProblem(std::string_view name, size_t min, size_t max) {
  if (auto p = LengthProblem(name, min, max); !p.empty()) return p;
  for (char c : name) {
    if (!IsAlnum(c) && c != '_' && c != '.' && c != '-') {
      return "contains '" + std::string(1, c) + "' (letters, digits, '_', '.', '-' allowed)";
    }
  }
  if (!IsAlnum(name.front())) return "must start with a letter or digit";
  if (!IsAlnum(name.back()) && name.back() != '_') {
    return "must end with a letter, digit or '_'";
  }
  return "";
}

std::string DnsLabelProblem(std::string_view label) {
  if (label.empty() || label.size() > 63)
    return "has a label of " + std::to_string(label.size()) + " characters (1-63 allowed)";
  for (char c : label) {
    if (!IsAlnum(c) && c != '-') return "contains '" + std::string(1, c) + "'";
  }
  if (label.front() == '-' || label.back() == '-') return "has a label starting or ending with '-'";
  return "";
}

}  // namespace

const char* AzureNameKindLabel(AzureNameKind kind) {
  switch (kind) {
    case AzureNameKind::kResourceGroup:
      return "resource group";
    case AzureNameKind::kVirtualNetwork:
      return "virtual network";
    case AzureNameKind::kNetworkChild:
      return "network resource";
    case AzureNameKind::kVirtualMachine:
      return "virtual machine";
    case AzureNameKind::kLinuxComputerName:
      return "Linux computer name";
    case AzureNameKind::kDisk:
      return "disk";
    case AzureNameKind::kImage:
      return "image";
    case AzureNameKind::kStorageAccount:
      return "storage account";
    case AzureNameKind::kBlobContainer:
      return "blob container";
    case AzureNameKind::kPrivateDnsZone:
      return "private DNS zone";
    case AzureNameKind::kDnsLabel:
      return "DNS label";
  }
  return "resource";
}

std::string AzureNameProblem(AzureNameKind kind, std::string_view name) {
  switch (kind) {
    case AzureNameKind::kResourceGroup: {
      if (auto p = LengthProblem(name, 1, 90); !p.empty()) return p;
      for (char c : name) {
        if (!IsAlnum(c) && std::string_view("_()-.").find(c) == std::string_view::npos) {
          return "contains '" + std::string(1, c) + "' (letters, digits, '_()-.' allowed)";
        }
      }
      if (name.back() == '.') return "must not end with '.'";
      return "";
    }
    case AzureNameKind::kVirtualNetwork:
      return AlnumDotDashProblem(name, 2, 64);
    case AzureNameKind::kNetworkChild:
    case AzureNameKind::kDisk:
    case AzureNameKind::kImage:
      return AlnumDotDashProblem(name, 1, 80);
    case AzureNameKind::kVirtualMachine: {
      if (auto p = LengthProblem(name, 1, 64); !p.empty()) return p;
      for (char c : name) {
        if (std::string_view("\\/\"[]:|<>+=;,?*@& \t").find(c) != std::string_view::npos) {
          return "contains '" + std::string(1, c) + "'";
        }
      }
      if (name.front() == '_') return "must not start with '_'";
      if (name.back() == '.' || name.back() == '-') return "must not end with '.' or '-'";
      return "";
    }
    case AzureNameKind::kLinuxComputerName: {
      if (auto p = LengthProblem(name, 1, 64); !p.empty()) return p;
      for (char c : name) {
        if (!IsLowerOrDigit(c) && c != '-') {
          return "contains '" + std::string(1, c) + "' (lowercase letters, digits, '-' allowed)";
        }
      }
      if (name.front() == '-' || name.back() == '-') return "must not start or end with '-'";
      return "";
    }
    case AzureNameKind::kStorageAccount: {
      if (auto p = LengthProblem(name, 3, 24); !p.empty()) return p;
      for (char c : name) {
        if (!IsLowerOrDigit(c)) {
          return "contains '" + std::string(1, c) + "' (lowercase letters and digits only)";
        }
      }
      return "";
    }
    case AzureNameKind::kBlobContainer: {
      if (auto p = LengthProblem(name, 3, 63); !p.empty()) return p;
      for (char c : name) {
        if (!IsLowerOrDigit(c) && c != '-') {
          return "contains '" + std::string(1, c) + "' (lowercase letters, digits, '-' allowed)";
        }
      }
      if (name.front() == '-') return "must start with a letter or digit";
      if (name.back() == '-') return "must not end with '-'";
      if (name.find("--") != std::string_view::npos) return "must not contain \"--\"";
      return "";
    }
    case AzureNameKind::kPrivateDnsZone: {
      if (auto p = LengthProblem(name, 1, 253); !p.empty()) return p;
      std::vector<std::string_view> labels;
      size_t start = 0;
      while (true) {
        size_t dot = name.find('.', start);
        labels.push_back(name.substr(start, dot == std::string_view::npos ? dot : dot - start));
        if (dot == std::string_view::npos) break;
        start = dot + 1;
      }
      if (labels.size() < 2) return "must have at least two labels (\"example.internal\")";
      if (labels.size() > 34) return "has more than 34 labels";
      for (std::string_view label : labels) {
        if (auto p = DnsLabelProblem(label); !p.empty()) return p;
      }
      return "";
    }
    case AzureNameKind::kDnsLabel: {
      if (auto p = LengthProblem(name, 3, 63); !p.empty()) return p;
      if (!(name.front() >= 'a' && name.front() <= 'z'))
        return "must start with a lowercase letter";
      for (char c : name) {
        if (!IsLowerOrDigit(c) && c != '-') {
          return "contains '" + std::string(1, c) + "' (lowercase letters, digits, '-' allowed)";
        }
      }
      if (name.back() == '-') return "must not end with '-'";
      return "";
    }
  }
  return "";
}

}  // namespace easel
