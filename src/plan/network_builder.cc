// The VNet, its two subnets, their security groups and the NAT gateway for egress; or, with
// static placement, the existing VNet, subnets and groups, read only.
#include "plan/api_versions.h"
#include "plan/arm_ids.h"
#include "plan/builder_context.h"
#include "plan/resource_types.h"
#include "spec/naming.h"

namespace easel::plan {
namespace {

// The API server port, opened on the control-plane group: from the Internet behind a public load
// balancer, from the VNet behind an internal one.
Json ApiServerRule(const spec::ClusterSpec& s) {
  bool is_public = s.network.api_server.type == spec::ApiServerType::kPublic;
  return Json{{"name", "allow-apiserver"},
              {"properties",
               {{"description", "Kubernetes API server"},
                {"protocol", "Tcp"},
                {"sourcePortRange", "*"},
                {"destinationPortRange", "6443"},
                {"sourceAddressPrefix", is_public ? "Internet" : "VirtualNetwork"},
                {"destinationAddressPrefix", s.network.control_plane_subnet.cidr},
                {"access", "Allow"},
                {"priority", 100},
                {"direction", "Inbound"}}}};
}

Json StandardStaticIp(const BuilderContext& ctx, const std::vector<std::string>& zones,
                      const std::string& dns_label) {
  Json body = ctx.TrackedBody();
  body["sku"] = {{"name", "Standard"}, {"tier", "Regional"}};
  if (!zones.empty()) body["zones"] = zones;
  body["properties"] = {{"publicIPAllocationMethod", "Static"},
                        {"publicIPAddressVersion", "IPv4"},
                        {"idleTimeoutInMinutes", 4}};
  if (!dns_label.empty()) body["properties"]["dnsSettings"] = {{"domainNameLabel", dns_label}};
  return body;
}

void BuildStatic(BuilderContext& ctx) {
  const spec::ClusterSpec& s = ctx.spec();
  WellKnownIds& ids = ctx.ids();
  const spec::VnetSpec& vnet = s.network.vnet;
  ids.vnet = ResourceId(s.subscription_id, vnet.resource_group, type::kVirtualNetwork, vnet.name);
  ctx.AddExisting(ids.vnet, type::kVirtualNetwork, api::kNetwork, vnet.name, ids.resource_group,
                  "existing, in " + vnet.resource_group);
  auto nsg_id = [&](const std::string& name) {
    return ResourceId(s.subscription_id, vnet.resource_group, type::kNetworkSecurityGroup, name);
  };
  ids.control_plane_nsg = nsg_id(spec::ControlPlaneNsgName(s));
  ids.worker_nsg = nsg_id(spec::WorkerNsgName(s));
  ctx.AddExisting(ids.control_plane_nsg, type::kNetworkSecurityGroup, api::kNetwork,
                  spec::ControlPlaneNsgName(s), ids.resource_group, "control plane, existing");
  if (ids.worker_nsg != ids.control_plane_nsg) {
    ctx.AddExisting(ids.worker_nsg, type::kNetworkSecurityGroup, api::kNetwork,
                    spec::WorkerNsgName(s), ids.resource_group, "workers, existing");
  }
  ids.control_plane_subnet = ChildId(ids.vnet, "subnets", spec::ControlPlaneSubnetName(s));
  ids.worker_subnet = ChildId(ids.vnet, "subnets", spec::WorkerSubnetName(s));
  ctx.AddExisting(ids.control_plane_subnet, type::kSubnet, api::kNetwork,
                  spec::ControlPlaneSubnetName(s), ids.vnet, "control plane, existing");
  ctx.AddExisting(ids.worker_subnet, type::kSubnet, api::kNetwork, spec::WorkerSubnetName(s),
                  ids.vnet, "workers, existing");
}

}  // namespace

// Also used for the API server's public IP (plan/apiserver_builder.cc).
Json StandardStaticIpBody(const BuilderContext& ctx, const std::vector<std::string>& zones,
                          const std::string& dns_label) {
  return StandardStaticIp(ctx, zones, dns_label);
}

void BuildNetwork(BuilderContext& ctx) {
  const spec::ClusterSpec& s = ctx.spec();
  WellKnownIds& ids = ctx.ids();
  if (s.network.vnet.placement == spec::Placement::kStatic) {
    BuildStatic(ctx);
    return;
  }
  const std::string& rg = ids.resource_group;

  ids.control_plane_nsg = ctx.IdInGroup(type::kNetworkSecurityGroup, spec::ControlPlaneNsgName(s));
  Json cp_nsg = ctx.TrackedBody();
  cp_nsg["properties"] = {{"securityRules", Json::array({ApiServerRule(s)})}};
  ctx.AddOwned(ids.control_plane_nsg, type::kNetworkSecurityGroup, api::kNetwork,
               spec::ControlPlaneNsgName(s), std::move(cp_nsg), {rg}, rg,
               "control plane: allow TCP 6443 from " +
                   std::string(s.network.api_server.type == spec::ApiServerType::kPublic
                                   ? "Internet"
                                   : "VirtualNetwork"));

  ids.worker_nsg = ctx.IdInGroup(type::kNetworkSecurityGroup, spec::WorkerNsgName(s));
  Json worker_nsg = ctx.TrackedBody();
  worker_nsg["properties"] = {{"securityRules", Json::array()}};
  ctx.AddOwned(ids.worker_nsg, type::kNetworkSecurityGroup, api::kNetwork, spec::WorkerNsgName(s),
               std::move(worker_nsg), {rg}, rg, "workers");

  if (s.network.outbound == spec::Outbound::kNatGateway) {
    std::string ip_id = ctx.IdInGroup(type::kPublicIp, spec::NatGatewayIpName(s));
    ctx.AddOwned(ip_id, type::kPublicIp, api::kNetwork, spec::NatGatewayIpName(s),
                 StandardStaticIp(ctx, {}, ""), {rg}, rg, "Standard, static: NAT gateway egress");
    ids.nat_gateway = ctx.IdInGroup(type::kNatGateway, spec::NatGatewayName(s));
    Json nat = ctx.TrackedBody();
    nat["sku"] = {{"name", "Standard"}};
    nat["properties"] = {{"idleTimeoutInMinutes", 4},
                         {"publicIpAddresses", Json::array({{{"id", ip_id}}})}};
    ctx.AddOwned(ids.nat_gateway, type::kNatGateway, api::kNetwork, spec::NatGatewayName(s),
                 std::move(nat), {rg, ip_id}, rg, "egress for both subnets");
  }

  ids.vnet = ctx.IdInGroup(type::kVirtualNetwork, spec::VnetName(s));
  Json vnet = ctx.TrackedBody();
  vnet["properties"] = {
      {"addressSpace", {{"addressPrefixes", Json::array({s.network.vnet.cidr})}}}};
  ctx.AddOwned(ids.vnet, type::kVirtualNetwork, api::kNetwork, spec::VnetName(s), std::move(vnet),
               {rg}, rg, s.network.vnet.cidr);

  auto subnet = [&](const std::string& name, const std::string& cidr, const std::string& nsg,
                    const char* role) {
    std::string id = ChildId(ids.vnet, "subnets", name);
    Json body = {
        {"properties", {{"addressPrefix", cidr}, {"networkSecurityGroup", {{"id", nsg}}}}}};
    std::vector<std::string> deps = {ids.vnet, nsg};
    if (!ids.nat_gateway.empty()) {
      body["properties"]["natGateway"] = {{"id", ids.nat_gateway}};
      deps.push_back(ids.nat_gateway);
    }
    ctx.AddOwned(id, type::kSubnet, api::kNetwork, name, std::move(body), std::move(deps), ids.vnet,
                 std::string(role) + " " + cidr);
    return id;
  };
  ids.control_plane_subnet =
      subnet(spec::ControlPlaneSubnetName(s), s.network.control_plane_subnet.cidr,
             ids.control_plane_nsg, "control plane");
  ids.worker_subnet =
      subnet(spec::WorkerSubnetName(s), s.network.worker_subnet.cidr, ids.worker_nsg, "workers");
}

}  // namespace easel::plan
