// Microsoft.Network: virtual networks and subnets, NSGs and rules, public IPs, NAT gateways, load
// balancers, network interfaces, private endpoints, private DNS zones with records and links.
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "common/net.h"
#include "common/strings.h"
#include "sim/arm.h"
#include "sim/util.h"

namespace azsim {

using nlohmann::json;

namespace {

const char kNicType[] = "Microsoft.Network/networkInterfaces";

// The collection of a resource's documents that hold private addresses and subnet references:
// NIC configurations and load balancer frontends (nullptr for other types).
const char* AddressCollection(const std::string& type) {
  if (IEquals(type, kNicType)) return "ipConfigurations";
  if (IEquals(type, "Microsoft.Network/loadBalancers")) return "frontendIPConfigurations";
  return nullptr;
}

bool NetName(const std::string& n, size_t max_len) {
  return NameMatches(n, 1, max_len, "_.-", true, ".-");
}

TypeSpec NetworkSpec(const std::string& type, double put_s, double del_s) {
  TypeSpec s;
  s.type = type;
  s.network = true;
  s.put_seconds = put_s;
  s.delete_seconds = del_s;
  s.valid_name = [](const std::string& n) { return NetName(n, 80); };
  s.name_rule =
      "Names are 1-80 characters of letters, digits, '_', '.' and '-', start with a letter or "
      "digit and end with a letter, digit or '_'.";
  return s;
}

TypeSpec ChildSpec(const std::string& type, double put_s, double del_s) {
  TypeSpec s = NetworkSpec(type, put_s, del_s);
  s.location_required = false;
  s.listed_in_group = false;
  return s;
}

// Reads a CIDR list from a JSON array; error message on failure.
ArmError ParsePrefixes(const json& arr, const std::string& what, std::vector<easel::Cidr>* out) {
  if (!arr.is_array())
    return Err(400, "InvalidRequestFormat", what + " must be an array of address prefixes.");
  for (const auto& p : arr) {
    if (!p.is_string()) return Err(400, "InvalidRequestFormat", what + " must contain strings.");
    auto c = easel::ParseCidr(p.get<std::string>());
    if (!c.ok() || !c->IsCanonical())
      return Err(400, "InvalidAddressPrefixFormat",
                 "Address prefix " + p.get<std::string>() + " of " + what +
                     " is not a valid CIDR prefix.");
    out->push_back(*c);
  }
  return {};
}

ArmError SubnetPrefixes(const json& props, const std::string& name, std::vector<easel::Cidr>* out) {
  if (props.contains("addressPrefix")) {
    auto c = props["addressPrefix"].is_string()
                 ? easel::ParseCidr(props["addressPrefix"].get<std::string>())
                 : easel::Result<easel::Cidr>(easel::Status::InvalidArgument("x"));
    if (!c.ok() || !c->IsCanonical())
      return Err(400, "InvalidAddressPrefixFormat",
                 "Subnet '" + name + "' has an invalid addressPrefix.");
    out->push_back(*c);
  }
  if (props.contains("addressPrefixes")) {
    ArmError e = ParsePrefixes(props["addressPrefixes"], "subnet " + name, out);
    if (!e.ok()) return e;
  }
  if (out->empty())
    return Err(400, "InvalidRequestFormat", "Subnet '" + name + "' must have an addressPrefix.");
  return {};
}

// Checks subnets (name -> prefixes) against the VNet space and each other.
ArmError CheckSubnetLayout(
    const std::string& vnet_id, const std::vector<easel::Cidr>& space,
    const std::vector<std::pair<std::string, std::vector<easel::Cidr>>>& subnets) {
  for (size_t i = 0; i < subnets.size(); ++i) {
    for (const auto& c : subnets[i].second) {
      bool inside = false;
      for (const auto& s : space) inside |= s.Contains(c);
      if (!inside)
        return Err(400, "NetcfgSubnetRangeOutsideVnet",
                   "Subnet '" + subnets[i].first +
                       "' is not valid because its IP address range is outside the IP address "
                       "range of virtual network '" +
                       LastSegment(vnet_id) + "'.");
      for (size_t j = 0; j < i; ++j)
        for (const auto& d : subnets[j].second)
          if (c.Overlaps(d))
            return Err(400, "NetcfgSubnetRangesOverlap",
                       "Subnet '" + subnets[i].first +
                           "' is not valid because its IP address range overlaps with that of an "
                           "existing subnet '" +
                           subnets[j].first + "' in virtual network '" + LastSegment(vnet_id) +
                           "'.");
    }
  }
  return {};
}

// Service endpoints answer the regions they serve (the VNet's and its pair) and their state.
void FillServiceEndpoints(json& subnet_props, const std::string& vnet_location) {
  if (!subnet_props.contains("serviceEndpoints") || !subnet_props["serviceEndpoints"].is_array())
    return;
  for (auto& se : subnet_props["serviceEndpoints"]) {
    if (!se.is_object()) continue;
    if (!se.contains("locations")) {
      json locations = json::array({vnet_location});
      if (std::string pair = PairedRegion(vnet_location); !pair.empty()) locations.push_back(pair);
      se["locations"] = locations;
    }
    se["provisioningState"] = "Succeeded";
  }
}

// The ids of the NIC IP configurations and load balancer frontends whose properties.<field>
// references `id` ("subnet" or "publicIPAddress"): the back-references Azure answers on subnets
// (ipConfigurations) and public IPs (ipConfiguration).
std::vector<std::string> IpConfigurationsReferring(Arm& arm, const std::string& id,
                                                   const char* field) {
  std::vector<std::string> out;
  std::string needle = "\"" + easel::ToLower(id) + "\"";
  arm.ForEach([&](const Resource& r) {
    const char* coll = AddressCollection(r.type);
    if (!coll || !IContains(r.body, needle)) return;
    json doc = json::parse(r.body, nullptr, false);
    if (!doc.is_object() || !doc.contains("properties") || !doc["properties"].is_object() ||
        !doc["properties"].contains(coll) || !doc["properties"][coll].is_array())
      return;
    for (const json& ic : doc["properties"][coll]) {
      if (!ic.is_object() || !ic.contains("properties") || !ic["properties"].is_object()) continue;
      const json& ip = ic["properties"];
      if (ip.contains(field) && ip[field].is_object() && IEquals(ip[field].value("id", ""), id))
        out.push_back(ic.value("id", ""));
    }
  });
  return out;
}

// The NIC configurations and load balancer frontends in a subnet (Azure's read-only
// `ipConfigurations` of a subnet).
json SubnetIpConfigurations(Arm& arm, const std::string& subnet_id) {
  json out = json::array();
  for (const std::string& id : IpConfigurationsReferring(arm, subnet_id, "subnet"))
    out.push_back({{"id", id}});
  return out;
}

ArmError ValidateVnet(PutContext& ctx) {
  json& props = ctx.body["properties"];
  if (!props.contains("addressSpace") || !props["addressSpace"].is_object() ||
      !props["addressSpace"].contains("addressPrefixes"))
    return Err(
        400, "InvalidRequestFormat",
        "Virtual network " + ctx.name + " must have properties.addressSpace.addressPrefixes.");
  std::vector<easel::Cidr> space;
  ArmError e = ParsePrefixes(props["addressSpace"]["addressPrefixes"], "addressSpace", &space);
  if (!e.ok()) return e;
  if (space.empty())
    return Err(400, "InvalidRequestFormat",
               "The address space of virtual network " + ctx.name + " is empty.");
  std::vector<std::pair<std::string, std::vector<easel::Cidr>>> subnets;
  if (props.contains("subnets") && props["subnets"].is_array()) {
    std::set<std::string> names;
    for (auto& sn : props["subnets"]) {
      if (!sn.is_object() || !sn.contains("name") || !sn["name"].is_string())
        return Err(400, "InvalidRequestFormat", "Each subnet needs a name.");
      std::string n = sn["name"].get<std::string>();
      if (sn.contains("properties") && sn["properties"].is_object()) {
        e = FillSubnetDelegations(sn["properties"], ctx.id + "/subnets/" + n);
        if (!e.ok()) return e;
      }
      if (!NetName(n, 80))
        return Err(400, "InvalidResourceName", "Subnet name '" + n + "' is invalid.");
      if (!names.insert(easel::ToLower(n)).second)
        return Err(400, "InvalidRequestFormat",
                   "Subnet '" + n + "' appears twice in virtual network " + ctx.name + ".");
      std::vector<easel::Cidr> p;
      e = SubnetPrefixes(sn.value("properties", json::object()), n, &p);
      if (!e.ok()) return e;
      subnets.push_back({n, p});
    }
  } else if (ctx.existing) {
    for (const Resource* c :
         ctx.arm.Children(ctx.id, "Microsoft.Network/virtualNetworks/subnets")) {
      json cj = json::parse(c->body, nullptr, false);
      std::vector<easel::Cidr> p;
      if (cj.is_object() &&
          SubnetPrefixes(cj.value("properties", json::object()), LastSegment(c->id), &p).ok())
        subnets.push_back({LastSegment(c->id), p});
    }
  }
  if (!props.contains("virtualNetworkPeerings")) props["virtualNetworkPeerings"] = json::array();
  if (props.contains("subnets") && props["subnets"].is_array())
    for (auto& sn : props["subnets"])
      if (sn.is_object() && sn.contains("properties"))
        FillServiceEndpoints(sn["properties"], ctx.body.value("location", ""));
  if (!props.contains("enableDdosProtection")) props["enableDdosProtection"] = false;
  return CheckSubnetLayout(ctx.id, space, subnets);
}

ArmError ValidateSubnet(PutContext& ctx) {
  auto vnet = ctx.arm.FindJson(ctx.parent_id);
  if (!vnet) return Err(404, "ParentResourceNotFound", "Parent virtual network not found.");
  FillServiceEndpoints(ctx.body["properties"], vnet->value("location", ""));
  std::vector<easel::Cidr> space;
  ArmError e =
      ParsePrefixes((*vnet)["properties"]["addressSpace"].value("addressPrefixes", json::array()),
                    "addressSpace", &space);
  if (!e.ok()) return e;
  std::vector<std::pair<std::string, std::vector<easel::Cidr>>> subnets;
  std::vector<easel::Cidr> mine;
  e = SubnetPrefixes(ctx.body["properties"], ctx.name, &mine);
  if (!e.ok()) return e;
  e = FillSubnetDelegations(ctx.body["properties"], ctx.id);
  if (!e.ok()) return e;
  for (const auto& sn : (*vnet)["properties"].value("subnets", json::array())) {
    std::string n = sn.value("name", "");
    if (IEquals(n, ctx.name)) continue;
    std::vector<easel::Cidr> p;
    if (SubnetPrefixes(sn.value("properties", json::object()), n, &p).ok())
      subnets.push_back({n, p});
  }
  subnets.push_back({ctx.name, mine});
  return CheckSubnetLayout(ctx.parent_id, space, subnets);
}

ArmError ValidateRule(const json& props, const std::string& name) {
  for (const char* f : {"access", "direction", "protocol", "priority"})
    if (!props.contains(f))
      return Err(400, "SecurityRuleParameterMissing",
                 std::string("Security rule ") + name + " is missing '" + f + "'.");
  if (!props["priority"].is_number_integer() || props["priority"].get<int64_t>() < 100 ||
      props["priority"].get<int64_t>() > 4096)
    return Err(400, "SecurityRuleInvalidPriority",
               "Security rule " + name + " has invalid Priority. Value provided: " +
                   props["priority"].dump() + ". Allowed range 100-4096.");
  std::string access = props["access"].is_string() ? props["access"].get<std::string>() : "";
  std::string dir = props["direction"].is_string() ? props["direction"].get<std::string>() : "";
  if (!IEquals(access, "Allow") && !IEquals(access, "Deny"))
    return Err(400, "SecurityRuleInvalidAccess",
               "Security rule " + name + " has an invalid access value.");
  if (!IEquals(dir, "Inbound") && !IEquals(dir, "Outbound"))
    return Err(400, "SecurityRuleInvalidDirection",
               "Security rule " + name + " has an invalid direction value.");
  return {};
}

ArmError CheckRulePriorities(const std::vector<std::pair<std::string, json>>& rules) {
  std::map<std::string, std::string> seen;  // direction|priority -> name
  for (const auto& [name, props] : rules) {
    std::string key = easel::ToLower(props.value("direction", "")) + "|" + props["priority"].dump();
    auto [it, inserted] = seen.emplace(key, name);
    if (!inserted)
      return Err(400, "SecurityRuleConflict",
                 "Security rule " + name + " conflicts with rule " + it->second +
                     ". Rules cannot have the same Priority and Direction.");
  }
  return {};
}

ArmError ValidateNsg(PutContext& ctx) {
  json& props = ctx.body["properties"];
  std::vector<std::pair<std::string, json>> rules;
  if (props.contains("securityRules")) {
    if (!props["securityRules"].is_array())
      return Err(400, "InvalidRequestFormat", "securityRules must be an array.");
    for (const auto& r : props["securityRules"]) {
      std::string n = r.value("name", "");
      if (n.empty()) return Err(400, "InvalidRequestFormat", "Each security rule needs a name.");
      json rp = r.value("properties", json::object());
      ArmError e = ValidateRule(rp, n);
      if (!e.ok()) return e;
      rules.push_back({n, rp});
    }
  }
  json defaults = json::array();
  // Azure's six default rules, with its service-tag prefixes and descriptions.
  struct DefaultRule {
    const char *name, *dir;
    int prio;
    const char *access, *src, *dst, *description;
  };
  for (auto [name, dir, prio, access, src, dst, description] : std::vector<DefaultRule>{
           {"AllowVnetInBound", "Inbound", 65000, "Allow", "VirtualNetwork", "VirtualNetwork",
            "Allow inbound traffic from all VMs in VNET"},
           {"AllowAzureLoadBalancerInBound", "Inbound", 65001, "Allow", "AzureLoadBalancer", "*",
            "Allow inbound traffic from azure load balancer"},
           {"DenyAllInBound", "Inbound", 65500, "Deny", "*", "*", "Deny all inbound traffic"},
           {"AllowVnetOutBound", "Outbound", 65000, "Allow", "VirtualNetwork", "VirtualNetwork",
            "Allow outbound traffic from all VMs to all VMs in VNET"},
           {"AllowInternetOutBound", "Outbound", 65001, "Allow", "*", "Internet",
            "Allow outbound traffic from all VMs to Internet"},
           {"DenyAllOutBound", "Outbound", 65500, "Deny", "*", "*", "Deny all outbound traffic"}}) {
    defaults.push_back({{"name", name},
                        {"id", ctx.id + "/defaultSecurityRules/" + name},
                        {"type", "Microsoft.Network/networkSecurityGroups/defaultSecurityRules"},
                        {"properties",
                         {{"description", description},
                          {"protocol", "*"},
                          {"sourcePortRange", "*"},
                          {"destinationPortRange", "*"},
                          {"sourceAddressPrefix", src},
                          {"destinationAddressPrefix", dst},
                          {"access", access},
                          {"priority", prio},
                          {"direction", dir},
                          {"provisioningState", "Succeeded"}}}});
  }
  props["defaultSecurityRules"] = defaults;
  if (!props.contains("flushConnection")) props["flushConnection"] = false;
  if (!props.contains("resourceGuid"))
    props["resourceGuid"] =
        ctx.existing ? (*ctx.existing)["properties"].value("resourceGuid", NewGuid()) : NewGuid();
  return CheckRulePriorities(rules);
}

ArmError ValidateSecurityRule(PutContext& ctx) {
  ArmError e = ValidateRule(ctx.body["properties"], ctx.name);
  if (!e.ok()) return e;
  std::vector<std::pair<std::string, json>> rules;
  for (const Resource* c :
       ctx.arm.Children(ctx.parent_id, "Microsoft.Network/networkSecurityGroups/securityRules")) {
    if (IEquals(c->id, ctx.id)) continue;
    json cj = json::parse(c->body, nullptr, false);
    if (cj.is_object()) rules.push_back({LastSegment(c->id), cj["properties"]});
  }
  rules.push_back({ctx.name, ctx.body["properties"]});
  return CheckRulePriorities(rules);
}

// Public IPs get addresses from 20.0.0.0/8, unique across azsim.
ArmError ValidatePublicIp(PutContext& ctx) {
  json& props = ctx.body["properties"];
  std::string sku =
      ctx.body.contains("sku") ? ctx.body["sku"].value("name", "Standard") : "Standard";
  if (!ctx.body.contains("sku")) ctx.body["sku"] = {{"name", "Standard"}, {"tier", "Regional"}};
  if (!props.contains("publicIPAllocationMethod"))
    props["publicIPAllocationMethod"] = IEquals(sku, "Standard") ? "Static" : "Dynamic";
  if (IEquals(sku, "Standard") && !IEquals(props.value("publicIPAllocationMethod", ""), "Static"))
    return Err(400, "StandardSkuPublicIPAddressesMustBeStatic",
               "Standard sku publicIp /subscriptions/.../" + ctx.name +
                   " must have AllocationMethod set to Static.");
  if (!props.contains("publicIPAddressVersion")) props["publicIPAddressVersion"] = "IPv4";
  if (!props.contains("idleTimeoutInMinutes")) props["idleTimeoutInMinutes"] = 4;
  if (ctx.existing && (*ctx.existing)["properties"].contains("ipAddress")) {
    props["ipAddress"] = (*ctx.existing)["properties"]["ipAddress"];
  } else {
    std::set<std::string> used;
    ctx.arm.ForEach([&](const Resource& r) {
      if (IEquals(r.type, "Microsoft.Network/publicIPAddresses")) {
        json j = json::parse(r.body, nullptr, false);
        if (j.is_object()) used.insert(j["properties"].value("ipAddress", ""));
      }
    });
    uint32_t base = (20u << 24) + 1;
    for (uint32_t i = 0; i < (1u << 23); ++i) {
      std::string ip = easel::Ipv4{base + i}.ToString();
      if (!used.count(ip)) {
        props["ipAddress"] = ip;
        break;
      }
    }
  }
  if (!props.contains("resourceGuid")) props["resourceGuid"] = NewGuid();
  if (!props.contains("ddosSettings"))
    props["ddosSettings"] = {{"protectionMode", "VirtualNetworkInherited"}};
  if (!props.contains("ipTags")) props["ipTags"] = json::array();
  // A DNS label gets Azure's regional name.
  if (props.contains("dnsSettings") && props["dnsSettings"].is_object() &&
      props["dnsSettings"].contains("domainNameLabel") &&
      props["dnsSettings"]["domainNameLabel"].is_string())
    props["dnsSettings"]["fqdn"] = props["dnsSettings"]["domainNameLabel"].get<std::string>() +
                                   "." + ctx.body.value("location", "") + ".cloudapp.azure.com";
  return {};
}

ArmError ValidateNatGateway(PutContext& ctx) {
  if (!ctx.body.contains("sku")) ctx.body["sku"] = {{"name", "Standard"}};
  json& props = ctx.body["properties"];
  if (!props.contains("idleTimeoutInMinutes")) props["idleTimeoutInMinutes"] = 4;
  for (const auto& ref : props.value("publicIpAddresses", json::array())) {
    auto pip = ctx.arm.FindJson(ref.value("id", ""));
    if (pip && !IEquals((*pip)["sku"].value("name", "Basic"), "Standard"))
      return Err(400, "NatGatewayCannotUseBasicPublicIp",
                 "NAT gateway " + ctx.name + " cannot use a Basic SKU public IP.");
  }
  return {};
}

// Private addresses in use in a subnet (lowercased id): NIC configurations and the frontends of
// other load balancers.
std::set<uint32_t> AddressesInSubnet(Arm& arm, const std::string& subnet_id,
                                     const std::string& except_id) {
  std::set<uint32_t> used;
  arm.ForEach([&](const Resource& r) {
    if (IEquals(r.id, except_id)) return;
    const char* coll = AddressCollection(r.type);
    if (!coll || !IContains(r.body, subnet_id)) return;
    json j = json::parse(r.body, nullptr, false);
    if (!j.is_object()) return;
    for (const auto& ic : j["properties"].value(coll, json::array())) {
      const json ip = ic.value("properties", json::object());
      if (!ip.contains("subnet") || !IEquals(ip["subnet"].value("id", ""), subnet_id)) continue;
      auto a = easel::ParseIpv4(ip.value("privateIPAddress", ""));
      if (a.ok()) used.insert(a->value);
    }
  });
  return used;
}

// An internal frontend gets a private address from its subnet (Dynamic: the first free from .4,
// kept across PUTs; Static: checked as for NICs).
ArmError AllocateFrontendAddresses(PutContext& ctx) {
  json& props = ctx.body["properties"];
  if (!props.contains("frontendIPConfigurations")) return {};
  json old = ctx.existing
                 ? (*ctx.existing)["properties"].value("frontendIPConfigurations", json::array())
                 : json::array();
  for (auto& fe : props["frontendIPConfigurations"]) {
    if (!fe.contains("properties") || !fe["properties"].is_object()) continue;
    json& fp = fe["properties"];
    if (!fp.contains("subnet") || !fp["subnet"].is_object()) continue;
    std::string subnet_id = fp["subnet"].value("id", "");
    auto subnet = ctx.arm.FindJson(subnet_id);
    if (!subnet) continue;  // the reference check reports it
    std::vector<easel::Cidr> prefixes;
    if (!SubnetPrefixes((*subnet)["properties"], LastSegment(subnet_id), &prefixes).ok()) continue;
    const easel::Cidr& c = prefixes[0];
    std::set<uint32_t> used = AddressesInSubnet(ctx.arm, subnet_id, ctx.id);
    for (const auto& other : props["frontendIPConfigurations"])
      if (&other != &fe && other.contains("properties"))
        if (auto a = easel::ParseIpv4(other["properties"].value("privateIPAddress", "")); a.ok())
          used.insert(a->value);
    if (IEquals(fp.value("privateIPAllocationMethod", "Dynamic"), "Static")) {
      auto addr = easel::ParseIpv4(fp.value("privateIPAddress", ""));
      if (!addr.ok() || !c.Contains(*addr))
        return Err(400, "PrivateIPAddressNotInSubnet",
                   "IP address " + fp.value("privateIPAddress", "") +
                       " does not belong to subnet " + subnet_id + ".");
      if (used.count(addr->value))
        return Err(400, "PrivateIPAddressInUse",
                   "IP address " + addr->ToString() + " is already in use.");
    } else {
      fp["privateIPAllocationMethod"] = "Dynamic";
      std::string keep;
      for (const auto& o : old)
        if (IEquals(o.value("name", ""), fe.value("name", "")))
          keep = o.value("properties", json::object()).value("privateIPAddress", "");
      auto kept = easel::ParseIpv4(keep);
      if (kept.ok() && c.Contains(*kept) && !used.count(kept->value)) {
        fp["privateIPAddress"] = keep;
      } else {
        fp.erase("privateIPAddress");
        for (uint64_t a = uint64_t(c.First()) + 4; a < c.Last(); ++a)
          if (!used.count(uint32_t(a))) {
            fp["privateIPAddress"] = easel::Ipv4{uint32_t(a)}.ToString();
            break;
          }
        if (!fp.contains("privateIPAddress"))
          return Err(400, "SubnetIsFull", "Subnet " + subnet_id + " has no free addresses.");
      }
    }
    if (!fp.contains("privateIPAddressVersion")) fp["privateIPAddressVersion"] = "IPv4";
  }
  return {};
}

// Rule, probe and outbound-rule defaults, resourceGuid, and the back-references Azure answers
// from frontends, pools and probes to the rules that use them.
void FillLoadBalancerDefaults(PutContext& ctx) {
  json& props = ctx.body["properties"];
  props["resourceGuid"] =
      ctx.existing ? (*ctx.existing)["properties"].value("resourceGuid", NewGuid()) : NewGuid();
  auto defaults = [](json& el, const json& values) {
    if (!el.contains("properties") || !el["properties"].is_object())
      el["properties"] = json::object();
    for (const auto& [k, v] : values.items())
      if (!el["properties"].contains(k)) el["properties"][k] = v;
  };
  for (const char* coll : {"frontendIPConfigurations", "backendAddressPools", "loadBalancingRules",
                           "probes", "inboundNatRules", "outboundRules", "inboundNatPools"})
    if (!props.contains(coll)) props[coll] = json::array();
  for (auto& r : props["loadBalancingRules"])
    defaults(r, {{"enableFloatingIP", false},
                 {"idleTimeoutInMinutes", 4},
                 {"enableTcpReset", false},
                 {"loadDistribution", "Default"},
                 {"disableOutboundSnat", false},
                 {"enableConnectionTracking", false}});
  for (auto& r : props["inboundNatRules"])
    defaults(r,
             {{"enableFloatingIP", false}, {"idleTimeoutInMinutes", 4}, {"enableTcpReset", false}});
  for (auto& r : props["outboundRules"])
    defaults(
        r, {{"allocatedOutboundPorts", 0}, {"idleTimeoutInMinutes", 4}, {"enableTcpReset", false}});
  for (auto& p : props["probes"])
    defaults(p, {{"intervalInSeconds", 15}, {"numberOfProbes", 2}, {"probeThreshold", 1}});
  // Back-references: element id (lowercased) -> collection -> ids of the rules using it.
  std::map<std::string, std::map<std::string, json>> refs;
  auto add = [&](const json& target, const std::string& coll, const std::string& rule_id) {
    if (!target.is_object() || !target.contains("id") || !target["id"].is_string()) return;
    json& list = refs[easel::ToLower(target["id"].get<std::string>())][coll];
    if (!list.is_array()) list = json::array();
    list.push_back({{"id", rule_id}});
  };
  for (const char* coll : {"loadBalancingRules", "inboundNatRules", "outboundRules"}) {
    for (const auto& r : props[coll]) {
      std::string rid = ctx.id + "/" + coll + "/" + r.value("name", "");
      const json rp = r.value("properties", json::object());
      if (rp.contains("frontendIPConfiguration")) add(rp["frontendIPConfiguration"], coll, rid);
      for (const auto& fe : rp.value("frontendIPConfigurations", json::array())) add(fe, coll, rid);
      if (rp.contains("backendAddressPool")) add(rp["backendAddressPool"], coll, rid);
      if (rp.contains("probe")) add(rp["probe"], coll, rid);
    }
  }
  for (const char* coll : {"frontendIPConfigurations", "backendAddressPools", "probes"}) {
    for (auto& el : props[coll]) {
      if (!el.is_object()) continue;
      if (!el.contains("properties") || !el["properties"].is_object())
        el["properties"] = json::object();
      for (const char* back : {"loadBalancingRules", "inboundNatRules", "outboundRules"})
        el["properties"].erase(back);
      std::string id = easel::ToLower(ctx.id + "/" + coll + "/" + el.value("name", ""));
      auto it = refs.find(id);
      if (it == refs.end()) continue;
      for (const auto& [back, list] : it->second) el["properties"][back] = list;
    }
  }
}

ArmError ValidateLoadBalancer(PutContext& ctx) {
  json& props = ctx.body["properties"];
  if (!ctx.body.contains("sku")) ctx.body["sku"] = {{"name", "Standard"}, {"tier", "Regional"}};
  for (const auto& fe : props.value("frontendIPConfigurations", json::array())) {
    if (!fe.is_object() || !fe.contains("name"))
      return Err(400, "InvalidRequestFormat", "Each frontend IP configuration needs a name.");
    json fp = fe.value("properties", json::object());
    if (fp.contains("publicIPAddress") && fe.contains("zones"))
      return Err(400, "LoadBalancerFrontendIPConfigurationCannotHaveZonesWithPublicIP",
                 "Frontend IP configuration " + fe["name"].get<std::string>() +
                     " references a public IP and cannot specify zones.");
    if (!fp.contains("publicIPAddress") && !fp.contains("subnet"))
      return Err(400, "InvalidRequestFormat",
                 "Frontend IP configuration " + fe["name"].get<std::string>() +
                     " needs a publicIPAddress or a subnet.");
  }
  for (const auto& pr : props.value("probes", json::array())) {
    json pp = pr.value("properties", json::object());
    if (!pp.contains("port") || !pp.contains("protocol"))
      return Err(400, "InvalidRequestFormat",
                 "Probe " + pr.value("name", "") + " needs port and protocol.");
  }
  for (const auto& rule : props.value("loadBalancingRules", json::array())) {
    json rp = rule.value("properties", json::object());
    for (const char* f : {"frontendIPConfiguration", "protocol", "frontendPort", "backendPort"})
      if (!rp.contains(f))
        return Err(400, "InvalidRequestFormat",
                   "Load balancing rule " + rule.value("name", "") + " is missing '" + f + "'.");
  }
  ArmError e = AllocateFrontendAddresses(ctx);
  if (!e.ok()) return e;
  FillLoadBalancerDefaults(ctx);
  return {};
}

// Allocates or checks private IPs of a NIC's ip configurations.
ArmError ValidateNic(PutContext& ctx) {
  json& props = ctx.body["properties"];
  if (!props.contains("ipConfigurations") || !props["ipConfigurations"].is_array() ||
      props["ipConfigurations"].empty())
    return Err(400, "InvalidRequestFormat",
               "Network interface " + ctx.name + " must have at least one ipConfiguration.");
  // Addresses in use by other NICs, per subnet (lowercased id): an address is unique within its
  // subnet, and the same prefix in another VNet is another address space.
  std::map<std::string, std::set<uint32_t>> used_by_subnet;
  // Load balancer frontends in a subnet hold addresses too.
  ctx.arm.ForEach([&](const Resource& r) {
    if (IEquals(r.id, ctx.id)) return;
    const char* coll = AddressCollection(r.type);
    if (!coll) return;
    json j = json::parse(r.body, nullptr, false);
    if (!j.is_object()) return;
    for (const auto& ic : j["properties"].value(coll, json::array())) {
      auto ip = easel::ParseIpv4(ic["properties"].value("privateIPAddress", ""));
      std::string subnet_id =
          ic["properties"].contains("subnet") ? ic["properties"]["subnet"].value("id", "") : "";
      if (ip.ok()) used_by_subnet[easel::ToLower(subnet_id)].insert(ip->value);
    }
  });
  // A configuration that omits its subnet takes the primary configuration's (as Azure does).
  json primary_subnet;
  for (const auto& ic : props["ipConfigurations"]) {
    if (!ic.is_object() || !ic.contains("properties") || !ic["properties"].is_object()) continue;
    const json& ip = ic["properties"];
    if (ip.contains("subnet") && (primary_subnet.is_null() || ip.value("primary", false)))
      primary_subnet = ip["subnet"];
  }
  bool primary_set = false;
  for (auto& ic : props["ipConfigurations"]) {
    if (!ic.is_object() || !ic.contains("name"))
      return Err(400, "InvalidRequestFormat", "Each ipConfiguration needs a name.");
    if (!ic.contains("properties")) ic["properties"] = json::object();
    json& ip = ic["properties"];
    if (!ip.contains("subnet") && !primary_subnet.is_null()) ip["subnet"] = primary_subnet;
    if (!ip.contains("subnet") || !ip["subnet"].is_object() || !ip["subnet"].contains("id"))
      return Err(400, "InvalidRequestFormat",
                 "IP configuration " + ic["name"].get<std::string>() + " must reference a subnet.");
    auto subnet = ctx.arm.FindJson(ip["subnet"]["id"].get<std::string>());
    if (!subnet)
      return Err(400, "InvalidResourceReference",
                 "Subnet " + ip["subnet"]["id"].get<std::string>() + " was not found.");
    std::vector<easel::Cidr> prefixes;
    ArmError e = SubnetPrefixes((*subnet)["properties"],
                                LastSegment(ip["subnet"]["id"].get<std::string>()), &prefixes);
    if (!e.ok()) return e;
    const easel::Cidr& c = prefixes[0];
    std::set<uint32_t>& used =
        used_by_subnet[easel::ToLower(ip["subnet"]["id"].get<std::string>())];
    std::string method = ip.value("privateIPAllocationMethod", "Dynamic");
    if (IEquals(method, "Static")) {
      auto addr = easel::ParseIpv4(ip.value("privateIPAddress", ""));
      if (!addr.ok())
        return Err(400, "InvalidPrivateIPAddress",
                   "Static allocation needs a valid privateIPAddress.");
      if (!c.Contains(*addr))
        return Err(400, "PrivateIPAddressNotInSubnet",
                   "IP address " + addr->ToString() + " does not belong to subnet " +
                       ip["subnet"]["id"].get<std::string>() + ".");
      if (addr->value < c.First() + 4 || addr->value == c.Last())
        return Err(400, "PrivateIPAddressInReservedRange",
                   "IP address " + addr->ToString() + " is reserved.");
      if (used.count(addr->value))
        return Err(400, "PrivateIPAddressInUse",
                   "IP address " + addr->ToString() + " is already in use.");
      used.insert(addr->value);
    } else {
      ip["privateIPAllocationMethod"] = "Dynamic";
      // Keep the address a previous PUT gave this configuration.
      std::string keep;
      if (ctx.existing)
        for (const auto& old :
             (*ctx.existing)["properties"].value("ipConfigurations", json::array()))
          if (IEquals(old.value("name", ""), ic["name"].get<std::string>()))
            keep = old["properties"].value("privateIPAddress", "");
      auto kept = easel::ParseIpv4(keep);
      if (kept.ok() && c.Contains(*kept) && !used.count(kept->value)) {
        ip["privateIPAddress"] = keep;
        used.insert(kept->value);
      } else {
        bool found = false;
        for (uint64_t a = uint64_t(c.First()) + 4; a < c.Last(); ++a) {
          if (!used.count(uint32_t(a))) {
            ip["privateIPAddress"] = easel::Ipv4{uint32_t(a)}.ToString();
            used.insert(uint32_t(a));
            found = true;
            break;
          }
        }
        if (!found)
          return Err(400, "SubnetIsFull",
                     "Subnet " + ip["subnet"]["id"].get<std::string>() + " has no free addresses.");
      }
    }
    if (!ip.contains("privateIPAddressVersion")) ip["privateIPAddressVersion"] = "IPv4";
    if (ip.value("primary", false)) primary_set = true;
  }
  if (!primary_set) props["ipConfigurations"][0]["properties"]["primary"] = true;
  for (auto& ic : props["ipConfigurations"])
    if (!ic["properties"].contains("primary")) ic["properties"]["primary"] = false;
  if (!props.contains("dnsSettings")) props["dnsSettings"] = json::object();
  if (!props["dnsSettings"].contains("dnsServers"))
    props["dnsSettings"]["dnsServers"] = json::array();
  props["dnsSettings"]["appliedDnsServers"] = props["dnsSettings"]["dnsServers"];
  if (!props.contains("enableIPForwarding")) props["enableIPForwarding"] = false;
  if (!props.contains("disableTcpStateTracking")) props["disableTcpStateTracking"] = false;
  props["vnetEncryptionSupported"] = false;
  // Azure's per-VNet internal DNS suffix, fixed at creation.
  std::string suffix =
      ctx.existing && (*ctx.existing)["properties"].contains("dnsSettings")
          ? (*ctx.existing)["properties"]["dnsSettings"].value("internalDomainNameSuffix", "")
          : "";
  props["dnsSettings"]["internalDomainNameSuffix"] =
      suffix.empty() ? HexEncode(RandomBytes(14)) + ".bx.internal.cloudapp.net" : suffix;
  if (!props.contains("macAddress")) {
    std::string b = HexEncode(RandomBytes(5));
    props["macAddress"] = "00-0D-" + b.substr(0, 2) + "-" + b.substr(2, 2) + "-" + b.substr(4, 2) +
                          "-" + b.substr(6, 2);
    for (char& ch : props["macAddress"].get_ref<std::string&>())
      ch = char(std::toupper(static_cast<unsigned char>(ch)));
  }
  if (!props.contains("enableAcceleratedNetworking")) props["enableAcceleratedNetworking"] = false;
  return {};
}

const char kStorageType[] = "Microsoft.Storage/storageAccounts";

// The sub-resources (group ids) of a storage account a private endpoint can connect to.
bool StorageGroupId(const std::string& g) {
  static const std::set<std::string> kGroups = {
      "blob",  "blob_secondary",  "dfs", "dfs_secondary", "file", "queue", "queue_secondary",
      "table", "table_secondary", "web", "web_secondary"};
  return kGroups.count(easel::ToLower(g)) > 0;
}

// The public name of a storage service Azure answers in customDnsConfigs and the NIC's
// privateLinkConnectionProperties: <account>.blob.core.windows.net, <account>-secondary.blob...
std::string StorageGroupFqdn(const std::string& account, const std::string& group) {
  std::string g = easel::ToLower(group);
  size_t us = g.find("_secondary");
  if (us != std::string::npos)
    return account + "-secondary." + g.substr(0, us) + ".core.windows.net";
  return account + "." + g + ".core.windows.net";
}

// Checks a connection's target (a storage account: azsim implements no private link services)
// and group ids, and fills its state (auto-approved, or pending for manual connections).
ArmError CheckPeConnection(PutContext& ctx, json& conn, bool manual) {
  if (!conn.is_object() || !conn.contains("properties") || !conn["properties"].is_object())
    return Err(400, "InvalidRequestFormat",
               "Each private link service connection of " + ctx.name + " needs properties.");
  json& cp = conn["properties"];
  std::string target = cp.value("privateLinkServiceId", "");
  const Resource* res = ctx.arm.Find(target);
  if (!res || !IEquals(res->type, kStorageType))
    return Err(400, "InvalidParameter",
               "Private endpoint " + ctx.name + ": privateLinkServiceId " + target +
                   " is not a storage account (azsim implements private endpoints to storage "
                   "accounts only, no private link services).");
  json groups = cp.value("groupIds", json::array());
  if (!groups.is_array() || groups.size() != 1 || !groups[0].is_string() ||
      !StorageGroupId(groups[0].get<std::string>()))
    return Err(400, "InvalidParameter",
               "Private endpoint " + ctx.name +
                   " needs one groupId of the storage account (blob, dfs, file, queue, table, "
                   "web or their _secondary).");
  cp["privateLinkServiceConnectionState"] = {
      {"status", manual ? "Pending" : "Approved"},
      {"description", manual ? "Awaiting approval" : "Auto-approved"},
      {"actionsRequired", "None"}};
  return {};
}

// The connection the endpoint's address serves: (storage account name, group id).
std::pair<std::string, std::string> PeTarget(const json& props) {
  for (const char* key : {"privateLinkServiceConnections", "manualPrivateLinkServiceConnections"})
    for (const auto& c : props.value(key, json::array())) {
      const json& cp = c["properties"];
      return {LastSegment(cp.value("privateLinkServiceId", "")),
              cp["groupIds"][0].get<std::string>()};
    }
  return {};
}

// The NIC ip configurations of an endpoint: its static ipConfigurations, or one dynamic one.
json PeNicIpConfigurations(const json& props, const std::string& fqdn, const std::string& group) {
  json subnet = {{"id", props["subnet"].value("id", "")}};
  json link = {{"groupId", group}, {"requiredMemberName", group}, {"fqdns", json::array({fqdn})}};
  json out = json::array();
  for (const auto& ic : props.value("ipConfigurations", json::array())) {
    if (!ic.is_object() || !ic.contains("properties")) continue;
    json l = link;
    l["requiredMemberName"] = ic["properties"].value("memberName", group);
    out.push_back({{"name", ic.value("name", "")},
                   {"properties",
                    {{"subnet", subnet},
                     {"privateIPAllocationMethod", "Static"},
                     {"privateIPAddress", ic["properties"].value("privateIPAddress", "")},
                     {"privateLinkConnectionProperties", l}}}});
  }
  if (out.empty())
    out.push_back({{"name", "privateEndpointIpConfig." + NewGuid()},
                   {"properties",
                    {{"subnet", subnet},
                     {"privateIPAllocationMethod", "Dynamic"},
                     {"privateLinkConnectionProperties", link}}}});
  return out;
}

// Creates (or updates) the NIC Azure makes for a private endpoint: named customNetworkInterfaceName
// or <endpoint>.nic.<guid>, in the endpoint's group, addresses allocated as for any NIC.
ArmError PutPeNic(PutContext& ctx, json& props, json* nic) {
  std::string rg_id = "/subscriptions/" + ctx.sub + "/resourceGroups/" + ctx.rg;
  std::string nic_id;
  if (ctx.existing)
    for (const auto& n : (*ctx.existing)["properties"].value("networkInterfaces", json::array()))
      nic_id = n.value("id", "");
  if (nic_id.empty()) {
    std::string name = props.value("customNetworkInterfaceName", "");
    if (name.empty()) name = ctx.name + ".nic." + NewGuid();
    nic_id = rg_id + "/providers/" + kNicType + "/" + name;
  }
  auto [account, group] = PeTarget(props);
  std::string fqdn = StorageGroupFqdn(account, group);
  json body = {{"location", ctx.body.value("location", "")},
               {"properties",
                {{"ipConfigurations", PeNicIpConfigurations(props, fqdn, group)},
                 {"privateEndpoint", {{"id", ctx.id}}}}}};
  std::optional<json> old = ctx.arm.FindJson(nic_id);
  // A dynamic configuration keeps its name (and so its address) across PUTs.
  json& configs = body["properties"]["ipConfigurations"];
  if (old && props["ipConfigurations"].empty())
    for (const auto& ic : (*old)["properties"].value("ipConfigurations", json::array()))
      configs[0]["name"] = ic.value("name", configs[0]["name"].get<std::string>());
  PutContext nic_ctx{
      ctx.arm, nic_id, ctx.sub, ctx.rg, LastSegment(nic_id), rg_id, old ? &*old : nullptr,
      body,    {},     {}};
  ArmError e = ValidateNic(nic_ctx);
  if (!e.ok()) return e;
  for (auto& ic : configs) {
    ic["id"] = nic_id + "/ipConfigurations/" + ic["name"].get<std::string>();
    ic["type"] = std::string(kNicType) + "/ipConfigurations";
    ic["properties"]["provisioningState"] = "Succeeded";
  }
  Resource r = ctx.arm.MakeChild(nic_id, kNicType, body);
  r.location = body.value("location", "");
  ctx.extra_puts.push_back(r);
  props["networkInterfaces"] = json::array({{{"id", nic_id}}});
  *nic = body;
  return {};
}

// customDnsConfigs: the target's FQDN with the endpoint's addresses.
void FillPeDns(json& props, const json& nic) {
  json dns = json::array();
  for (const auto& ic : nic["properties"]["ipConfigurations"]) {
    const json& l = ic["properties"]["privateLinkConnectionProperties"];
    std::string fqdn = l["fqdns"][0].get<std::string>();
    std::string ip = ic["properties"].value("privateIPAddress", "");
    auto same = std::find_if(dns.begin(), dns.end(),
                             [&](const json& d) { return d.value("fqdn", "") == fqdn; });
    if (same == dns.end())
      dns.push_back({{"fqdn", fqdn}, {"ipAddresses", json::array({ip})}});
    else
      (*same)["ipAddresses"].push_back(ip);
  }
  props["customDnsConfigs"] = dns;
}

// The shape of a private endpoint request: a subnet, the collections as arrays (empty when not
// given), one connection, and ipConfigurations with a name and a static address each.
ArmError CheckPeRequest(const PutContext& ctx, json& props) {
  if (!props.contains("subnet") || !props["subnet"].is_object() || !props["subnet"].contains("id"))
    return Err(400, "InvalidRequestFormat",
               "Private endpoint " + ctx.name + " must reference a subnet.");
  for (const char* key : {"privateLinkServiceConnections", "manualPrivateLinkServiceConnections",
                          "applicationSecurityGroups", "ipConfigurations"}) {
    if (!props.contains(key)) props[key] = json::array();
    if (!props[key].is_array())
      return Err(400, "InvalidRequestFormat", std::string(key) + " must be an array.");
  }
  if (props["privateLinkServiceConnections"].size() +
          props["manualPrivateLinkServiceConnections"].size() !=
      1)
    return Err(400, "InvalidRequestFormat",
               "Private endpoint " + ctx.name + " needs one private link service connection.");
  for (const auto& ic : props["ipConfigurations"])
    if (!ic.is_object() || !ic.contains("name") || !ic["name"].is_string() ||
        !ic.contains("properties") || !ic["properties"].is_object() ||
        !ic["properties"].contains("privateIPAddress"))
      return Err(400, "InvalidRequestFormat",
                 "Each ipConfiguration of private endpoint " + ctx.name +
                     " needs a name and a privateIPAddress.");
  return {};
}

ArmError ValidatePrivateEndpoint(PutContext& ctx) {
  json& props = ctx.body["properties"];
  if (ArmError e = CheckPeRequest(ctx, props); !e.ok()) return e;
  for (auto& c : props["privateLinkServiceConnections"]) {
    ArmError e = CheckPeConnection(ctx, c, false);
    if (!e.ok()) return e;
  }
  for (auto& c : props["manualPrivateLinkServiceConnections"]) {
    ArmError e = CheckPeConnection(ctx, c, true);
    if (!e.ok()) return e;
  }
  json nic;
  ArmError e = PutPeNic(ctx, props, &nic);
  if (!e.ok()) return e;
  FillPeDns(props, nic);
  return {};
}

ArmError ValidateDnsZone(PutContext& ctx) {
  if (!IEquals(ctx.body.value("location", "global"), "global"))
    return Err(400, "InvalidLocation", "Private DNS zones must have location 'global'.");
  ctx.body["location"] = "global";
  json& props = ctx.body["properties"];
  props["maxNumberOfRecordSets"] = 25000;
  props["maxNumberOfVirtualNetworkLinks"] = 1000;
  props["maxNumberOfVirtualNetworkLinksWithRegistration"] = 100;
  props["numberOfVirtualNetworkLinks"] =
      ctx.existing ? (*ctx.existing)["properties"].value("numberOfVirtualNetworkLinks", 0) : 0;
  props["numberOfVirtualNetworkLinksWithRegistration"] = 0;
  props["numberOfRecordSets"] = 1;
  return {};
}

ArmError ValidateDnsLink(PutContext& ctx) {
  ctx.body["location"] = "global";
  json& props = ctx.body["properties"];
  if (!props.contains("virtualNetwork") || !props["virtualNetwork"].is_object())
    return Err(400, "InvalidRequestFormat",
               "Virtual network link " + ctx.name + " must reference a virtualNetwork.");
  if (!props.contains("registrationEnabled")) props["registrationEnabled"] = false;
  props["virtualNetworkLinkState"] = "Completed";
  // A virtual network can be linked to a zone once.
  std::string vnet = easel::ToLower(props["virtualNetwork"].value("id", ""));
  for (const Resource* l :
       ctx.arm.Children(ctx.parent_id, "Microsoft.Network/privateDnsZones/virtualNetworkLinks")) {
    if (IEquals(l->id, ctx.id)) continue;
    if (IContains(l->body, "\"" + vnet + "\""))
      return Err(409, "Conflict",
                 "A link to virtual network " + props["virtualNetwork"].value("id", "") +
                     " already exists in zone " + LastSegment(ctx.parent_id) + ".");
  }
  return {};
}

ArmError ValidateARecord(PutContext& ctx) {
  json& props = ctx.body["properties"];
  if (!props.contains("ttl")) props["ttl"] = 3600;
  for (const auto& rec : props.value("aRecords", json::array())) {
    if (!easel::ParseIpv4(rec.value("ipv4Address", "")).ok())
      return Err(400, "BadRequest", "The A record of " + ctx.name + " has an invalid ipv4Address.");
  }
  props["fqdn"] = ctx.name + "." + LastSegment(ctx.parent_id) + ".";
  props["isAutoRegistered"] = false;
  return {};
}

}  // namespace

void RegisterNetworkTypes(TypeRegistry& r) {
  TypeSpec vnet = NetworkSpec("Microsoft.Network/virtualNetworks", 3, 5);
  vnet.valid_name = [](const std::string& n) { return NameMatches(n, 2, 64, "_.-", true, ".-"); };
  vnet.name_rule =
      "Virtual network names are 2-64 characters of letters, digits, '_', '.' and '-'.";
  vnet.inline_children = {{"subnets", "Microsoft.Network/virtualNetworks/subnets"}};
  vnet.validate = ValidateVnet;
  vnet.compose = [](Arm& arm, const Resource&, json& j) {
    if (!j["properties"].contains("subnets")) return;
    for (auto& sn : j["properties"]["subnets"]) {
      json used = SubnetIpConfigurations(arm, sn.value("id", ""));
      if (!sn.contains("properties") || !sn["properties"].is_object()) continue;
      if (used.empty())
        sn["properties"].erase("ipConfigurations");
      else
        sn["properties"]["ipConfigurations"] = used;
    }
  };
  r.Add(vnet);

  TypeSpec subnet = ChildSpec("Microsoft.Network/virtualNetworks/subnets", 2, 3);
  subnet.in_use_code = "InUseSubnetCannotBeDeleted";
  subnet.validate = ValidateSubnet;
  subnet.compose = [](Arm& arm, const Resource& res, json& j) {
    json used = SubnetIpConfigurations(arm, res.id);
    if (used.empty())
      j["properties"].erase("ipConfigurations");
    else
      j["properties"]["ipConfigurations"] = used;
  };
  r.Add(subnet);

  TypeSpec nsg = NetworkSpec("Microsoft.Network/networkSecurityGroups", 2, 3);
  nsg.inline_children = {
      {"securityRules", "Microsoft.Network/networkSecurityGroups/securityRules"}};
  nsg.in_use_code = "InUseNetworkSecurityGroupCannotBeDeleted";
  nsg.validate = ValidateNsg;
  r.Add(nsg);

  TypeSpec rule = ChildSpec("Microsoft.Network/networkSecurityGroups/securityRules", 2, 2);
  rule.validate = ValidateSecurityRule;
  r.Add(rule);

  TypeSpec pip = NetworkSpec("Microsoft.Network/publicIPAddresses", 3, 3);
  pip.in_use_code = "PublicIPAddressInUse";
  pip.validate = ValidatePublicIp;
  // Azure answers the NIC configuration or LB frontend that uses the address.
  pip.compose = [](Arm& arm, const Resource& res, json& j) {
    for (const std::string& id : IpConfigurationsReferring(arm, res.id, "publicIPAddress"))
      j["properties"]["ipConfiguration"] = {{"id", id}};
  };
  r.Add(pip);

  TypeSpec nat = NetworkSpec("Microsoft.Network/natGateways", 10, 10);
  nat.validate = ValidateNatGateway;
  // Azure answers the subnets that use the gateway.
  nat.compose = [](Arm& arm, const Resource& res, json& j) {
    json subnets = json::array();
    std::string needle = "\"" + easel::ToLower(res.id) + "\"";
    arm.ForEach([&](const Resource& r) {
      if (IEquals(r.type, "Microsoft.Network/virtualNetworks/subnets") && IContains(r.body, needle))
        subnets.push_back({{"id", r.id}});
    });
    j["properties"]["subnets"] = subnets;
  };
  nat.in_use_code = "InUseNatGatewayCannotBeDeleted";
  r.Add(nat);

  TypeSpec lb = NetworkSpec("Microsoft.Network/loadBalancers", 15, 10);
  lb.validate = ValidateLoadBalancer;
  r.Add(lb);

  TypeSpec nic = NetworkSpec(kNicType, 3, 3);
  nic.validate = ValidateNic;
  nic.in_use_code = "NicInUse";
  r.Add(nic);

  TypeSpec pe = NetworkSpec("Microsoft.Network/privateEndpoints", 30, 20);
  pe.validate = ValidatePrivateEndpoint;
  // The NIC Azure made for the endpoint goes with it.
  pe.on_removed = [](Arm& arm, const Resource& res) {
    json j = json::parse(res.body, nullptr, false);
    if (!j.is_object() || !j.contains("properties") || !j["properties"].is_object()) return;
    for (const auto& n : j["properties"].value("networkInterfaces", json::array()))
      if (n.is_object()) (void)arm.RemoveNow(n.value("id", ""));
  };
  r.Add(pe);

  TypeSpec zone = NetworkSpec("Microsoft.Network/privateDnsZones", 30, 30);
  zone.valid_name = [](const std::string& n) {
    return NameMatches(n, 1, 253, ".-_", true, "-") && n.find('.') != std::string::npos;
  };
  zone.name_rule = "Private DNS zone names are DNS names with at least two labels.";
  zone.location_required = false;
  zone.validate = ValidateDnsZone;
  zone.compose = [](Arm& arm, const Resource& res, json& j) {
    j["properties"]["numberOfVirtualNetworkLinks"] =
        arm.Children(res.id, "Microsoft.Network/privateDnsZones/virtualNetworkLinks").size();
    j["properties"]["numberOfRecordSets"] =
        arm.Children(res.id, "Microsoft.Network/privateDnsZones/A").size() + 1;
    size_t registering = 0;
    for (const Resource* l :
         arm.Children(res.id, "Microsoft.Network/privateDnsZones/virtualNetworkLinks"))
      if (IContains(l->body, "\"registrationEnabled\":true")) ++registering;
    j["properties"]["numberOfVirtualNetworkLinksWithRegistration"] = registering;
  };
  r.Add(zone);

  TypeSpec a = ChildSpec("Microsoft.Network/privateDnsZones/A", 1, 1);
  a.put = TypeSpec::PutStyle::kSync;
  a.async_delete = false;
  a.valid_name = [](const std::string& n) { return NameMatches(n, 1, 253, ".-_@*", false, ""); };
  a.validate = ValidateARecord;
  r.Add(a);

  TypeSpec link = ChildSpec("Microsoft.Network/privateDnsZones/virtualNetworkLinks", 30, 30);
  link.validate = ValidateDnsLink;
  r.Add(link);
}

}  // namespace azsim
