// The Kubernetes API server endpoint: a Standard load balancer in front of the control-plane
// NICs, public (a zone-redundant static public IP) or internal (a private frontend in the
// control-plane subnet, found through a private DNS zone).
#include <set>

#include "common/strings.h"
#include "plan/api_versions.h"
#include "plan/arm_ids.h"
#include "plan/builder_context.h"
#include "plan/resource_types.h"
#include "spec/naming.h"

namespace easel::plan {

Json StandardStaticIpBody(const BuilderContext& ctx, const std::vector<std::string>& zones,
                          const std::string& dns_label);

namespace {

constexpr const char* kFrontendName = "apiserver";
constexpr const char* kBackendPoolName = "controlplane";
constexpr const char* kProbeName = "apiserver-readyz";
constexpr const char* kRuleName = "apiserver";
constexpr int kApiServerPort = 6443;

// Every zone any node of the cluster uses, sorted: the frontend is redundant over them.
std::vector<std::string> ClusterZones(const spec::ClusterSpec& s) {
  std::set<std::string> zones(s.control_plane.zones.begin(), s.control_plane.zones.end());
  for (const spec::WorkerPoolSpec& p : s.worker_pools) zones.insert(p.zones.begin(), p.zones.end());
  return {zones.begin(), zones.end()};
}

void BuildPrivateDns(BuilderContext& ctx) {
  const spec::ClusterSpec& s = ctx.spec();
  WellKnownIds& ids = ctx.ids();
  const spec::PrivateDnsZoneSpec& zone = s.network.api_server.private_dns_zone;
  std::string zone_id;
  if (!zone.resource_group.empty()) {
    zone_id = ResourceId(s.subscription_id, zone.resource_group, type::kPrivateDnsZone, zone.name);
    ctx.AddExisting(zone_id, type::kPrivateDnsZone, api::kPrivateDns, zone.name, ids.resource_group,
                    "existing, in " + zone.resource_group);
  } else {
    zone_id = ctx.IdInGroup(type::kPrivateDnsZone, zone.name);
    Json body = {{"location", "global"}, {"tags", ctx.Tags()}, {"properties", Json::object()}};
    ctx.AddOwned(zone_id, type::kPrivateDnsZone, api::kPrivateDns, zone.name, std::move(body),
                 {ids.resource_group}, ids.resource_group, "private DNS for the API server");
  }
  // Record sets carry no tags; their metadata holds the ownership mark instead.
  Json record = {
      {"properties",
       {{"metadata", {{spec::OwnershipTagKey(s), spec::kOwnedTagValue}}},
        {"ttl", 300},
        {"aRecords", Json::array({{{"ipv4Address", s.network.api_server.private_ip}}})}}}};
  ctx.AddOwned(ChildId(zone_id, "A", spec::kApiServerRecordName), type::kPrivateDnsARecord,
               api::kPrivateDns, spec::kApiServerRecordName, std::move(record), {zone_id}, zone_id,
               std::string(spec::kApiServerRecordName) + "." + zone.name + " -> " +
                   s.network.api_server.private_ip);
  Json link = {
      {"location", "global"},
      {"tags", ctx.Tags()},
      {"properties", {{"virtualNetwork", {{"id", ids.vnet}}}, {"registrationEnabled", false}}}};
  ctx.AddOwned(ChildId(zone_id, "virtualNetworkLinks", spec::PrivateDnsLinkName(s)),
               type::kPrivateDnsLink, api::kPrivateDns, spec::PrivateDnsLinkName(s),
               std::move(link), {zone_id, ids.vnet}, zone_id, "resolves the zone in the VNet");
}

}  // namespace

void BuildApiServerEndpoint(BuilderContext& ctx) {
  const spec::ClusterSpec& s = ctx.spec();
  WellKnownIds& ids = ctx.ids();
  const bool is_public = s.network.api_server.type == spec::ApiServerType::kPublic;
  const std::string lb_name = spec::ApiLoadBalancerName(s);
  const std::string lb_id = ctx.IdInGroup(type::kLoadBalancer, lb_name);
  const std::vector<std::string> zones = ClusterZones(s);
  std::vector<std::string> deps = {ids.resource_group};
  std::string endpoint;

  Json frontend = {{"name", kFrontendName}};
  if (is_public) {
    std::string ip_id = ctx.IdInGroup(type::kPublicIp, spec::ApiPublicIpName(s));
    ctx.AddOwned(ip_id, type::kPublicIp, api::kNetwork, spec::ApiPublicIpName(s),
                 StandardStaticIpBody(ctx, zones, spec::ApiDnsLabel(s)), {ids.resource_group},
                 ids.resource_group,
                 "Standard, static, zones [" + Join(zones, ",") + "]: API server");
    // Zone redundancy comes from the public IP; Azure rejects zones on such a frontend.
    frontend["properties"] = {{"publicIPAddress", {{"id", ip_id}}}};
    deps.push_back(ip_id);
    endpoint = spec::ApiDnsLabel(s) + "." + s.location + ".cloudapp.azure.com:6443";
  } else {
    frontend["properties"] = {{"privateIPAddress", s.network.api_server.private_ip},
                              {"privateIPAllocationMethod", "Static"},
                              {"privateIPAddressVersion", "IPv4"},
                              {"subnet", {{"id", ids.control_plane_subnet}}}};
    if (!zones.empty()) frontend["zones"] = zones;
    deps.push_back(ids.control_plane_subnet);
    endpoint = std::string(spec::kApiServerRecordName) + "." +
               s.network.api_server.private_dns_zone.name + ":6443";
  }

  const std::string frontend_id = ChildId(lb_id, "frontendIPConfigurations", kFrontendName);
  ids.api_backend_pool = ChildId(lb_id, "backendAddressPools", kBackendPoolName);
  const std::string probe_id = ChildId(lb_id, "probes", kProbeName);
  Json lb = ctx.TrackedBody();
  lb["sku"] = {{"name", "Standard"}, {"tier", "Regional"}};
  lb["properties"] = {
      {"frontendIPConfigurations", Json::array({frontend})},
      {"backendAddressPools", Json::array({{{"name", kBackendPoolName}}})},
      {"probes", Json::array({{{"name", kProbeName},
                               {"properties",
                                {{"protocol", "Https"},
                                 {"port", kApiServerPort},
                                 {"requestPath", "/readyz"},
                                 {"intervalInSeconds", 15},
                                 {"numberOfProbes", 2},
                                 {"probeThreshold", 2}}}}})},
      {"loadBalancingRules", Json::array({{{"name", kRuleName},
                                           {"properties",
                                            {{"frontendIPConfiguration", {{"id", frontend_id}}},
                                             {"backendAddressPool", {{"id", ids.api_backend_pool}}},
                                             {"probe", {{"id", probe_id}}},
                                             {"protocol", "Tcp"},
                                             {"frontendPort", kApiServerPort},
                                             {"backendPort", kApiServerPort},
                                             {"enableFloatingIP", false},
                                             {"idleTimeoutInMinutes", 4},
                                             {"loadDistribution", "Default"},
                                             {"disableOutboundSnat", true}}}}})}};
  ids.api_load_balancer = lb_id;
  ctx.AddOwned(
      lb_id, type::kLoadBalancer, api::kNetwork, lb_name, std::move(lb), std::move(deps),
      ids.resource_group,
      std::string(is_public ? "public" : "internal") + " Standard, TCP 6443 -> " + endpoint);
  if (!is_public) BuildPrivateDns(ctx);
}

}  // namespace easel::plan
