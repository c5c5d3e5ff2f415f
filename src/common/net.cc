#include "common/net.h"

#include <charconv>

namespace easel {
namespace {

// Parses a decimal number in [0, max] with no sign, no leading zero and nothing after it.
bool ParseDecimal(std::string_view s, uint32_t max, uint32_t* out) {
  if (s.empty() || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return false;
  uint32_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v > max) return false;
  *out = v;
  return true;
}

}  // namespace

std::string Ipv4::ToString() const {
  return std::to_string(value >> 24) + "." + std::to_string((value >> 16) & 255) + "." +
         std::to_string((value >> 8) & 255) + "." + std::to_string(value & 255);
}

Result<Ipv4> ParseIpv4(std::string_view text) {
  uint32_t value = 0;
  std::string_view rest = text;
  for (int i = 0; i < 4; ++i) {
    size_t dot = rest.find('.');
    std::string_view part = i < 3 ? rest.substr(0, dot) : rest;
    if (i < 3 && dot == std::string_view::npos) {
      return Status::InvalidArgument("\"" + std::string(text) + "\" is not an IPv4 address");
    }
    uint32_t octet = 0;
    if (!ParseDecimal(part, 255, &octet)) {
      return Status::InvalidArgument("\"" + std::string(text) + "\" is not an IPv4 address");
    }
    value = (value << 8) | octet;
    if (i < 3) rest = rest.substr(dot + 1);
  }
  return Ipv4{value};
}

std::string Cidr::ToString() const {
  return Ipv4{address}.ToString() + "/" + std::to_string(prefix);
}

Result<Cidr> ParseCidr(std::string_view text) {
  size_t slash = text.find('/');
  auto bad = [&] {
    return Status::InvalidArgument("\"" + std::string(text) +
                                   "\" is not a CIDR prefix (expected a.b.c.d/n)");
  };
  if (slash == std::string_view::npos) return bad();
  Result<Ipv4> ip = ParseIpv4(text.substr(0, slash));
  uint32_t prefix = 0;
  if (!ip.ok()) return bad();
  std::string_view p = text.substr(slash + 1);
  if (p.empty() || p.size() > 2 || (p.size() > 1 && p[0] == '0')) return bad();
  if (!ParseDecimal(p, 32, &prefix)) return bad();
  return Cidr{ip->value, static_cast<int>(prefix)};
}

}  // namespace easel
