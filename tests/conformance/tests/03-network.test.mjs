// Microsoft.Network through @azure/arm-network pollers: references, address rules, in-use checks,
// conflicts, naming, readonly fields, ETags.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { ResourceManagementClient } from "@azure/arm-resources";
import { NetworkManagementClient } from "@azure/arm-network";
import { credential, clientOptions, poll, sub, unique, rejects, arm, rgId, withPaused, waitTerminal } from "./lib.mjs";

const resources = new ResourceManagementClient(credential, sub, clientOptions);
const net = new NetworkManagementClient(credential, sub, clientOptions);
const rg = unique("net-rg");
const loc = "eastus";
const id = (type, name) => `${rgId(rg)}/providers/Microsoft.Network/${type}/${name}`;

async function vnet(name, prefix = "10.0.0.0/16", subnets = []) {
  return net.virtualNetworks.beginCreateOrUpdateAndWait(
    rg,
    name,
    { location: loc, addressSpace: { addressPrefixes: [prefix] }, subnets },
    poll,
  );
}

before(async () => {
  await resources.resourceGroups.createOrUpdate(rg, { location: loc });
});

test("virtual network with inline subnets: create, get, list, update, delete", async () => {
  const v = await vnet("vnet-a", "10.1.0.0/16", [
    { name: "s1", addressPrefix: "10.1.1.0/24" },
    { name: "s2", addressPrefix: "10.1.2.0/24" },
  ]);
  assert.equal(v.provisioningState, "Succeeded");
  assert.equal(v.subnets.length, 2);
  assert.equal(v.subnets[0].id, `${id("virtualNetworks", "vnet-a")}/subnets/s1`);
  const got = await net.virtualNetworks.get(rg, "vnet-a");
  assert.deepEqual(got.addressSpace.addressPrefixes, ["10.1.0.0/16"]);
  const list = [];
  for await (const x of net.virtualNetworks.list(rg)) list.push(x.name);
  assert.ok(list.includes("vnet-a"));
  const subnets = [];
  for await (const s of net.subnets.list(rg, "vnet-a")) subnets.push(s.name);
  assert.deepEqual(subnets.sort(), ["s1", "s2"]);
  const updated = await net.virtualNetworks.beginCreateOrUpdateAndWait(
    rg, "vnet-a", { location: loc, addressSpace: { addressPrefixes: ["10.1.0.0/16"] }, subnets: [{ name: "s1", addressPrefix: "10.1.1.0/24" }], tags: { x: "y" } }, poll);
  assert.equal(updated.subnets.length, 1);
  assert.deepEqual(updated.tags, { x: "y" });
  await net.virtualNetworks.beginDeleteAndWait(rg, "vnet-a", poll);
  await rejects(net.virtualNetworks.get(rg, "vnet-a"), 404, "ResourceNotFound");
});

test("the raw PUT answers 201 with Creating, Azure-AsyncOperation, Location and Retry-After", async () => {
  const r = await arm("PUT", id("networkSecurityGroups", "raw-nsg"), { location: loc });
  assert.equal(r.status, 201);
  assert.equal(r.json.properties.provisioningState, "Creating");
  assert.match(r.headers["azure-asyncoperation"], /\/operations\//);
  assert.match(r.headers.location, /\/operationResults\//);
  assert.match(r.headers["retry-after"], /^\d+$/);
  await waitTerminal(id("networkSecurityGroups", "raw-nsg"));
  const op = await arm("GET", new URL(r.headers["azure-asyncoperation"]).pathname + new URL(r.headers["azure-asyncoperation"]).search);
  assert.equal(op.status, 200);
  assert.equal(op.json.status, "Succeeded");
  const again = await arm("PUT", id("networkSecurityGroups", "raw-nsg"), { location: loc });
  assert.equal(again.status, 200);
});

test("subnet: create as a child, prefix outside the VNet and overlapping prefixes are rejected", async () => {
  await vnet("vnet-b", "10.2.0.0/16");
  const s = await net.subnets.beginCreateOrUpdateAndWait(rg, "vnet-b", "a", { addressPrefix: "10.2.0.0/24" }, poll);
  assert.equal(s.addressPrefix, "10.2.0.0/24");
  await rejects(net.subnets.beginCreateOrUpdateAndWait(rg, "vnet-b", "out", { addressPrefix: "10.3.0.0/24" }, poll), 400, "NetcfgSubnetRangeOutsideVnet");
  await rejects(net.subnets.beginCreateOrUpdateAndWait(rg, "vnet-b", "overlap", { addressPrefix: "10.2.0.128/25" }, poll), 400, "NetcfgSubnetRangesOverlap");
  const v = await net.virtualNetworks.get(rg, "vnet-b");
  assert.equal(v.subnets.length, 1);
});

test("overlapping inline subnets are rejected", async () => {
  await rejects(vnet("vnet-bad", "10.9.0.0/16", [
    { name: "x", addressPrefix: "10.9.0.0/24" },
    { name: "y", addressPrefix: "10.9.0.0/23" },
  ]), 400, "NetcfgSubnetRangesOverlap");
});

test("subnet in a missing VNet: 404 ParentResourceNotFound", async () => {
  await rejects(net.subnets.beginCreateOrUpdateAndWait(rg, "no-such-vnet", "a", { addressPrefix: "10.0.0.0/24" }, poll), 404, "ParentResourceNotFound");
});

test("NSG with inline rules, rule as child, priority range and uniqueness", async () => {
  const nsg = await net.networkSecurityGroups.beginCreateOrUpdateAndWait(rg, "nsg-a", {
    location: loc,
    securityRules: [
      { name: "allow_ssh", protocol: "Tcp", access: "Allow", direction: "Inbound", priority: 2200, sourcePortRange: "*", destinationPortRange: "22", sourceAddressPrefix: "*", destinationAddressPrefix: "*" },
    ],
  }, poll);
  assert.equal(nsg.securityRules.length, 1);
  assert.ok(nsg.defaultSecurityRules.length >= 6);
  const rule = await net.securityRules.beginCreateOrUpdateAndWait(rg, "nsg-a", "allow_api", {
    protocol: "Tcp", access: "Allow", direction: "Inbound", priority: 2201, sourcePortRange: "*", destinationPortRange: "6443", sourceAddressPrefix: "*", destinationAddressPrefix: "*",
  }, poll);
  assert.equal(rule.priority, 2201);
  await rejects(net.securityRules.beginCreateOrUpdateAndWait(rg, "nsg-a", "bad", {
    protocol: "Tcp", access: "Allow", direction: "Inbound", priority: 50, sourcePortRange: "*", destinationPortRange: "1", sourceAddressPrefix: "*", destinationAddressPrefix: "*",
  }, poll), 400, "SecurityRuleInvalidPriority");
  await rejects(net.securityRules.beginCreateOrUpdateAndWait(rg, "nsg-a", "dup", {
    protocol: "Tcp", access: "Deny", direction: "Inbound", priority: 2200, sourcePortRange: "*", destinationPortRange: "1", sourceAddressPrefix: "*", destinationAddressPrefix: "*",
  }, poll), 400, "SecurityRuleConflict");
  // Same priority in the other direction is fine.
  await net.securityRules.beginCreateOrUpdateAndWait(rg, "nsg-a", "out", {
    protocol: "Tcp", access: "Deny", direction: "Outbound", priority: 2200, sourcePortRange: "*", destinationPortRange: "1", sourceAddressPrefix: "*", destinationAddressPrefix: "*",
  }, poll);
  const rules = [];
  for await (const r of net.securityRules.list(rg, "nsg-a")) rules.push(r.name);
  assert.deepEqual(rules.sort(), ["allow_api", "allow_ssh", "out"]);
  await net.securityRules.beginDeleteAndWait(rg, "nsg-a", "out", poll);
  assert.equal((await net.networkSecurityGroups.get(rg, "nsg-a")).securityRules.length, 2);
});

test("public IP: Standard is static with an address; Standard + Dynamic is rejected", async () => {
  const pip = await net.publicIPAddresses.beginCreateOrUpdateAndWait(rg, "pip-a", { location: loc, sku: { name: "Standard" }, publicIPAllocationMethod: "Static", zones: ["1", "2", "3"] }, poll);
  assert.match(pip.ipAddress, /^\d+\.\d+\.\d+\.\d+$/);
  assert.deepEqual(pip.zones, ["1", "2", "3"]);
  await rejects(net.publicIPAddresses.beginCreateOrUpdateAndWait(rg, "pip-bad", { location: loc, sku: { name: "Standard" }, publicIPAllocationMethod: "Dynamic" }, poll), 400, "StandardSkuPublicIPAddressesMustBeStatic");
});

test("NAT gateway with a public IP; the IP in use cannot be deleted", async () => {
  await net.publicIPAddresses.beginCreateOrUpdateAndWait(rg, "pip-nat", { location: loc, sku: { name: "Standard" }, publicIPAllocationMethod: "Static" }, poll);
  const nat = await net.natGateways.beginCreateOrUpdateAndWait(rg, "nat-a", { location: loc, sku: { name: "Standard" }, publicIpAddresses: [{ id: id("publicIPAddresses", "pip-nat") }] }, poll);
  assert.equal(nat.publicIpAddresses[0].id, id("publicIPAddresses", "pip-nat"));
  await rejects(net.publicIPAddresses.beginDeleteAndWait(rg, "pip-nat", poll), 400, "PublicIPAddressInUse");
  await net.natGateways.beginDeleteAndWait(rg, "nat-a", poll);
  await net.publicIPAddresses.beginDeleteAndWait(rg, "pip-nat", poll);
});

test("load balancer: frontends, pools, rules, probes and outbound rules wired by child ids", async () => {
  await net.publicIPAddresses.beginCreateOrUpdateAndWait(rg, "pip-lb", { location: loc, sku: { name: "Standard" }, publicIPAllocationMethod: "Static" }, poll);
  const lbId = id("loadBalancers", "lb-a");
  const lb = await net.loadBalancers.beginCreateOrUpdateAndWait(rg, "lb-a", {
    location: loc,
    sku: { name: "Standard" },
    frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: id("publicIPAddresses", "pip-lb") } }],
    backendAddressPools: [{ name: "pool" }],
    probes: [{ name: "readyz", protocol: "Https", port: 6443, requestPath: "/readyz", intervalInSeconds: 15 }],
    loadBalancingRules: [{
      name: "api", protocol: "Tcp", frontendPort: 6443, backendPort: 6443,
      frontendIPConfiguration: { id: `${lbId}/frontendIPConfigurations/fe` },
      backendAddressPool: { id: `${lbId}/backendAddressPools/pool` },
      probe: { id: `${lbId}/probes/readyz` },
      disableOutboundSnat: true,
    }],
    outboundRules: [{ name: "out", protocol: "All", frontendIPConfigurations: [{ id: `${lbId}/frontendIPConfigurations/fe` }], backendAddressPool: { id: `${lbId}/backendAddressPools/pool` } }],
  }, poll);
  assert.equal(lb.frontendIPConfigurations[0].id, `${lbId}/frontendIPConfigurations/fe`);
  assert.equal(lb.backendAddressPools[0].id, `${lbId}/backendAddressPools/pool`);
  assert.equal(lb.loadBalancingRules[0].probe.id, `${lbId}/probes/readyz`);
  assert.equal(lb.outboundRules.length, 1);
  await rejects(net.publicIPAddresses.beginDeleteAndWait(rg, "pip-lb", poll), 400, "PublicIPAddressInUse");
});

test("load balancer rule pointing at a frontend that does not exist: InvalidResourceReference", async () => {
  const lbId = id("loadBalancers", "lb-bad");
  await rejects(net.loadBalancers.beginCreateOrUpdateAndWait(rg, "lb-bad", {
    location: loc,
    sku: { name: "Standard" },
    frontendIPConfigurations: [{ name: "fe", subnet: { id: `${id("virtualNetworks", "vnet-b")}/subnets/a` } }],
    backendAddressPools: [{ name: "pool" }],
    loadBalancingRules: [{ name: "r", protocol: "Tcp", frontendPort: 1, backendPort: 1, frontendIPConfiguration: { id: `${lbId}/frontendIPConfigurations/nope` } }],
  }, poll), 400, "InvalidResourceReference");
});

test("LB frontend with zones and a public IP is rejected", async () => {
  await net.publicIPAddresses.beginCreateOrUpdateAndWait(rg, "pip-z", { location: loc, sku: { name: "Standard" }, publicIPAllocationMethod: "Static" }, poll);
  await rejects(net.loadBalancers.beginCreateOrUpdateAndWait(rg, "lb-z", {
    location: loc, sku: { name: "Standard" },
    frontendIPConfigurations: [{ name: "fe", zones: ["1"], publicIPAddress: { id: id("publicIPAddresses", "pip-z") } }],
  }, poll), 400);
});

test("NIC: dynamic private IP inside the subnet, unique; static outside the subnet or taken is rejected", async () => {
  await vnet("vnet-nic", "10.4.0.0/16", [{ name: "nodes", addressPrefix: "10.4.1.0/24" }]);
  const subnetId = `${id("virtualNetworks", "vnet-nic")}/subnets/nodes`;
  const a = await net.networkInterfaces.beginCreateOrUpdateAndWait(rg, "nic-a", { location: loc, ipConfigurations: [{ name: "ip", subnet: { id: subnetId } }] }, poll);
  const b = await net.networkInterfaces.beginCreateOrUpdateAndWait(rg, "nic-b", { location: loc, ipConfigurations: [{ name: "ip", subnet: { id: subnetId } }] }, poll);
  assert.equal(a.ipConfigurations[0].privateIPAddress, "10.4.1.4");
  assert.equal(b.ipConfigurations[0].privateIPAddress, "10.4.1.5");
  assert.equal(a.ipConfigurations[0].primary, true);
  await rejects(net.networkInterfaces.beginCreateOrUpdateAndWait(rg, "nic-c", { location: loc, ipConfigurations: [{ name: "ip", subnet: { id: subnetId }, privateIPAllocationMethod: "Static", privateIPAddress: "10.5.0.10" }] }, poll), 400, "PrivateIPAddressNotInSubnet");
  await rejects(net.networkInterfaces.beginCreateOrUpdateAndWait(rg, "nic-d", { location: loc, ipConfigurations: [{ name: "ip", subnet: { id: subnetId }, privateIPAllocationMethod: "Static", privateIPAddress: "10.4.1.5" }] }, poll), 400, "PrivateIPAddressInUse");
  const s = await net.networkInterfaces.beginCreateOrUpdateAndWait(rg, "nic-e", { location: loc, ipConfigurations: [{ name: "ip", subnet: { id: subnetId }, privateIPAllocationMethod: "Static", privateIPAddress: "10.4.1.100" }] }, poll);
  assert.equal(s.ipConfigurations[0].privateIPAddress, "10.4.1.100");
  // Re-PUT keeps the dynamic address.
  const again = await net.networkInterfaces.beginCreateOrUpdateAndWait(rg, "nic-a", { location: loc, ipConfigurations: [{ name: "ip", subnet: { id: subnetId } }] }, poll);
  assert.equal(again.ipConfigurations[0].privateIPAddress, "10.4.1.4");
});

test("a subnet used by a NIC cannot be deleted: InUseSubnetCannotBeDeleted", async () => {
  await rejects(net.subnets.beginDeleteAndWait(rg, "vnet-nic", "nodes", poll), 400, "InUseSubnetCannotBeDeleted");
  // Nor dropped by a VNet PUT without it.
  await rejects(vnet("vnet-nic", "10.4.0.0/16", []), 400, "InUseSubnetCannotBeDeleted");
});

test("NIC referencing a missing subnet or backend pool: InvalidResourceReference", async () => {
  await rejects(net.networkInterfaces.beginCreateOrUpdateAndWait(rg, "nic-x", { location: loc, ipConfigurations: [{ name: "ip", subnet: { id: `${id("virtualNetworks", "vnet-nic")}/subnets/missing` } }] }, poll), 400, "InvalidResourceReference");
  await rejects(net.networkInterfaces.beginCreateOrUpdateAndWait(rg, "nic-y", { location: loc, ipConfigurations: [{ name: "ip", subnet: { id: `${id("virtualNetworks", "vnet-nic")}/subnets/nodes` }, loadBalancerBackendAddressPools: [{ id: `${id("loadBalancers", "lb-a")}/backendAddressPools/missing` }] }] }, poll), 400, "InvalidResourceReference");
  const ok = await net.networkInterfaces.beginCreateOrUpdateAndWait(rg, "nic-z", { location: loc, ipConfigurations: [{ name: "ip", subnet: { id: `${id("virtualNetworks", "vnet-nic")}/subnets/nodes` }, loadBalancerBackendAddressPools: [{ id: `${id("loadBalancers", "lb-a")}/backendAddressPools/pool` }] }] }, poll);
  assert.equal(ok.ipConfigurations[0].loadBalancerBackendAddressPools.length, 1);
});

test("private DNS zone with an A record and a virtual network link", async () => {
  // Private DNS zones live in @azure/arm-privatedns; the raw protocol is exercised here.
  const zone = `${rgId(rg)}/providers/Microsoft.Network/privateDnsZones/cluster.internal`;
  const z = await arm("PUT", `${zone}?api-version=2024-06-01`, { location: "global" });
  assert.equal(z.status, 201);
  await waitTerminal(`${zone}?api-version=2024-06-01`);
  const rec = await arm("PUT", `${zone}/A/apiserver?api-version=2024-06-01`, { properties: { ttl: 300, aRecords: [{ ipv4Address: "10.4.1.200" }] } });
  assert.equal(rec.status, 201);
  assert.equal(rec.json.properties.fqdn, "apiserver.cluster.internal.");
  const link = await arm("PUT", `${zone}/virtualNetworkLinks/link1?api-version=2024-06-01`, { location: "global", properties: { virtualNetwork: { id: id("virtualNetworks", "vnet-nic") }, registrationEnabled: false } });
  assert.equal(link.status, 201);
  await waitTerminal(`${zone}/virtualNetworkLinks/link1?api-version=2024-06-01`);
  const bad = await arm("PUT", `${zone}/virtualNetworkLinks/link2?api-version=2024-06-01`, { location: "global", properties: { virtualNetwork: { id: id("virtualNetworks", "nope") } } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.code, "InvalidResourceReference");
  const got = await arm("GET", `${zone}?api-version=2024-06-01`);
  assert.equal(got.json.properties.numberOfVirtualNetworkLinks, 1);
});

test("private endpoint to a storage account in a subnet", async () => {
  await net.subnets.beginCreateOrUpdateAndWait(rg, "vnet-nic", "pe", { addressPrefix: "10.4.2.0/24" }, poll);
  const acct = unique("pesa");
  const sa = await arm("PUT", `${rgId(rg)}/providers/Microsoft.Storage/storageAccounts/${acct}?api-version=2025-06-01`, { location: loc, sku: { name: "Standard_LRS" }, kind: "StorageV2" });
  assert.equal(sa.status, 202);
  const pe = await net.privateEndpoints.beginCreateOrUpdateAndWait(rg, "pe-a", {
    location: loc,
    subnet: { id: `${id("virtualNetworks", "vnet-nic")}/subnets/pe` },
    privateLinkServiceConnections: [{ name: "blob", privateLinkServiceId: `${rgId(rg)}/providers/Microsoft.Storage/storageAccounts/${acct}`, groupIds: ["blob"] }],
  }, poll);
  assert.equal(pe.privateLinkServiceConnections[0].privateLinkServiceConnectionState.status, "Approved");
  // The NIC Azure makes for the endpoint: <name>.nic.<guid>, an address of the subnet, removed with it.
  assert.equal(pe.networkInterfaces.length, 1);
  const nicName = pe.networkInterfaces[0].id.split("/").pop();
  assert.match(nicName, /^pe-a\.nic\.[0-9a-f-]{36}$/);
  const nic = await net.networkInterfaces.get(rg, nicName);
  assert.equal(nic.privateEndpoint.id.toLowerCase(), pe.id.toLowerCase());
  const address = nic.ipConfigurations[0].privateIPAddress;
  assert.match(address, /^10\.4\.2\.\d+$/);
  assert.deepEqual(pe.customDnsConfigs, [{ fqdn: `${acct}.blob.core.windows.net`, ipAddresses: [address] }]);
  assert.deepEqual([pe.manualPrivateLinkServiceConnections, pe.applicationSecurityGroups, pe.ipConfigurations], [[], [], []]);
  const again = await net.privateEndpoints.beginCreateOrUpdateAndWait(rg, "pe-a", pe, poll);
  assert.equal(again.networkInterfaces[0].id, pe.networkInterfaces[0].id);
  assert.deepEqual(again.customDnsConfigs, pe.customDnsConfigs);
  // Only storage accounts are targets (azsim has no private link services), with a storage group.
  const subnet = { id: `${id("virtualNetworks", "vnet-nic")}/subnets/pe` };
  await rejects(net.privateEndpoints.beginCreateOrUpdateAndWait(rg, "pe-b", { location: loc, subnet, privateLinkServiceConnections: [{ name: "c", privateLinkServiceId: id("virtualNetworks", "vnet-nic"), groupIds: ["blob"] }] }, poll), 400, "InvalidParameter");
  await rejects(net.privateEndpoints.beginCreateOrUpdateAndWait(rg, "pe-b", { location: loc, subnet, privateLinkServiceConnections: [{ name: "c", privateLinkServiceId: `${rgId(rg)}/providers/Microsoft.Storage/storageAccounts/${acct}`, groupIds: ["vault"] }] }, poll), 400, "InvalidParameter");
  await rejects(net.privateEndpoints.beginCreateOrUpdateAndWait(rg, "pe-b", { location: loc, subnet, privateLinkServiceConnections: [{ name: "c", privateLinkServiceId: `${rgId(rg)}/providers/Microsoft.Storage/storageAccounts/${acct}`, groupIds: ["blob"] }], ipConfigurations: [{ name: "ip", groupId: "blob", memberName: "blob" }] }, poll), 400, "InvalidRequestFormat");
  await net.privateEndpoints.beginDeleteAndWait(rg, "pe-a", poll);
  await rejects(net.networkInterfaces.get(rg, nicName), 404);
});

test("invalid names are rejected per type", async () => {
  await rejects(net.networkSecurityGroups.beginCreateOrUpdateAndWait(rg, "-bad", { location: loc }, poll), 400, "InvalidResourceName");
  await rejects(vnet("v"), 400, "InvalidResourceName");
});

test("location is required for a VNet", async () => {
  const r = await arm("PUT", id("virtualNetworks", "noloc"), { properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } } });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, "LocationRequired");
});

test("readonly fields (id, etag, provisioningState) are ignored on input", async () => {
  const r = await arm("PUT", id("networkSecurityGroups", "ro"), {
    id: "/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/networkSecurityGroups/other",
    etag: "W/\"forged\"", location: loc, properties: { provisioningState: "Failed" },
  });
  assert.equal(r.status, 201);
  assert.equal(r.json.id, id("networkSecurityGroups", "ro"));
  assert.notEqual(r.json.etag, "W/\"forged\"");
  await waitTerminal(id("networkSecurityGroups", "ro"));
  const got = await net.networkSecurityGroups.get(rg, "ro");
  assert.equal(got.provisioningState, "Succeeded");
});

test("If-Match with a stale ETag: 412; with the current ETag: accepted", async () => {
  const nsg = await net.networkSecurityGroups.beginCreateOrUpdateAndWait(rg, "etag", { location: loc }, poll);
  const stale = await arm("PUT", id("networkSecurityGroups", "etag"), { location: loc }, { "if-match": "W/\"00000000-0000-0000-0000-000000000000\"" });
  assert.equal(stale.status, 412);
  const fresh = await arm("PUT", id("networkSecurityGroups", "etag"), { location: loc }, { "if-match": nsg.etag });
  assert.equal(fresh.status, 200);
  assert.notEqual(fresh.json.etag, nsg.etag);
});

test("a write while an operation is in flight: 429 RetryableErrorDueToAnotherOperation", async () => {
  await withPaused(async () => {
    const first = await arm("PUT", id("networkSecurityGroups", "busy"), { location: loc });
    assert.equal(first.status, 201);
    await rejects(net.networkSecurityGroups.beginCreateOrUpdateAndWait(rg, "busy", { location: loc, tags: { a: "b" } }, poll), 429, "RetryableErrorDueToAnotherOperation");
    const got = await net.networkSecurityGroups.get(rg, "busy");
    assert.equal(got.provisioningState, "Creating");
    // Children of a busy parent are refused too.
    await rejects(net.securityRules.beginCreateOrUpdateAndWait(rg, "busy", "r1", {
      protocol: "Tcp", access: "Allow", direction: "Inbound", priority: 100, sourcePortRange: "*", destinationPortRange: "1", sourceAddressPrefix: "*", destinationAddressPrefix: "*",
    }, poll), 429, "RetryableErrorDueToAnotherOperation");
  });
  await waitTerminal(id("networkSecurityGroups", "busy"));
  const done = await net.networkSecurityGroups.get(rg, "busy");
  assert.equal(done.provisioningState, "Succeeded");
});

test("updateTags on a public IP", async () => {
  const updated = await net.publicIPAddresses.updateTags(rg, "pip-a", { tags: { env: "test" } });
  assert.deepEqual(updated.tags, { env: "test" });
  assert.equal(updated.sku.name, "Standard");
});

test("subscription-level list of a type", async () => {
  const names = [];
  for await (const p of net.publicIPAddresses.listAll()) names.push(p.name);
  assert.ok(names.includes("pip-a"));
});
