// IPv4 addresses and CIDR prefixes, parsed strictly (the forms Azure accepts).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace easel {

struct Ipv4 {
  uint32_t value = 0;  // host byte order
  std::string ToString() const;
  friend bool operator==(Ipv4, Ipv4) = default;
};

// Dotted quad, four decimal octets 0-255 without leading zeros ("10.0.0.4").
Result<Ipv4> ParseIpv4(std::string_view text);

struct Cidr {
  uint32_t address = 0;  // as written; host bits may be set (see IsCanonical)
  int prefix = 0;        // 0..32

  uint32_t Mask() const { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }
  uint32_t First() const { return address & Mask(); }
  uint32_t Last() const { return First() | ~Mask(); }
  uint64_t Size() const { return uint64_t{1} << (32 - prefix); }
  // True when no host bits are set: "10.0.0.0/16", not "10.0.1.0/16".
  bool IsCanonical() const { return address == First(); }
  // The same prefix with host bits cleared.
  Cidr Canonical() const { return Cidr{First(), prefix}; }
  bool Contains(Ipv4 ip) const { return (ip.value & Mask()) == First(); }
  bool Contains(const Cidr& other) const {
    return other.prefix >= prefix && Contains(Ipv4{other.First()});
  }
  bool Overlaps(const Cidr& other) const { return Contains(other) || other.Contains(*this); }
  std::string ToString() const;  // as written
};

// "a.b.c.d/n". Host bits are allowed here; check IsCanonical() where they are not.
Result<Cidr> ParseCidr(std::string_view text);

}  // namespace easel
