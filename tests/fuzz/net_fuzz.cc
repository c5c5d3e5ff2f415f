// IPv4 and CIDR parsing (spec CIDRs, private IPs), with the properties the validator relies on:
// what parses prints back as written, prefixes are 0..32, Contains/Overlaps are consistent.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/net.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  easel::Result<easel::Ipv4> ip = easel::ParseIpv4(text);
  if (ip.ok() && ip->ToString() != text) std::abort();
  easel::Result<easel::Cidr> cidr = easel::ParseCidr(text);
  if (cidr.ok()) {
    if (cidr->prefix < 0 || cidr->prefix > 32) std::abort();
    if (cidr->ToString() != text) std::abort();
    easel::Cidr c = cidr->Canonical();
    if (!c.IsCanonical() || !c.Contains(*cidr) || !cidr->Overlaps(c)) std::abort();
    if (c.Size() != uint64_t{c.Last()} - c.First() + 1) std::abort();
  }
  // Two prefixes from one input, split at the first space.
  size_t space = text.find(' ');
  if (space != std::string_view::npos) {
    auto a = easel::ParseCidr(text.substr(0, space));
    auto b = easel::ParseCidr(text.substr(space + 1));
    if (a.ok() && b.ok() && a->Overlaps(*b) != b->Overlaps(*a)) std::abort();
  }
  return 0;
}
