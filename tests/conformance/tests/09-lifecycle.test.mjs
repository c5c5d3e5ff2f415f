// Get/list/update/delete round trips for types whose other tests focus on rules.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { ResourceManagementClient } from "@azure/arm-resources";
import { NetworkManagementClient } from "@azure/arm-network";
import { StorageManagementClient } from "@azure/arm-storage";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { credential, clientOptions, poll, sub, unique, rejects, rgId } from "./lib.mjs";

const resources = new ResourceManagementClient(credential, sub, clientOptions);
const net = new NetworkManagementClient(credential, sub, clientOptions);
const storage = new StorageManagementClient(credential, sub, clientOptions);
const msi = new ManagedServiceIdentityClient(credential, sub, clientOptions);
const rg = unique("life-rg");
const loc = "eastus";

before(async () => {
  await resources.resourceGroups.createOrUpdate(rg, { location: loc });
});

async function names(iter) {
  const out = [];
  for await (const x of iter) out.push(x.name);
  return out.sort();
}

test("subnet, NIC and NSG: list, update, delete in dependency order", async () => {
  await net.networkSecurityGroups.beginCreateOrUpdateAndWait(rg, "nsg", { location: loc }, poll);
  await net.virtualNetworks.beginCreateOrUpdateAndWait(rg, "vnet", { location: loc, addressSpace: { addressPrefixes: ["10.20.0.0/16"] } }, poll);
  const subnet = await net.subnets.beginCreateOrUpdateAndWait(rg, "vnet", "s", { addressPrefix: "10.20.1.0/24", networkSecurityGroup: { id: `${rgId(rg)}/providers/Microsoft.Network/networkSecurityGroups/nsg` } }, poll);
  assert.ok(subnet.networkSecurityGroup.id.endsWith("/nsg"));
  await rejects(net.networkSecurityGroups.beginDeleteAndWait(rg, "nsg", poll), 400, "InUseNetworkSecurityGroupCannotBeDeleted");
  await net.networkInterfaces.beginCreateOrUpdateAndWait(rg, "nic", { location: loc, ipConfigurations: [{ name: "ip", subnet: { id: subnet.id } }] }, poll);
  assert.deepEqual(await names(net.networkInterfaces.list(rg)), ["nic"]);
  const tagged = await net.networkInterfaces.updateTags(rg, "nic", { tags: { role: "worker" } });
  assert.deepEqual(tagged.tags, { role: "worker" });
  await net.networkInterfaces.beginDeleteAndWait(rg, "nic", poll);
  await net.subnets.beginDeleteAndWait(rg, "vnet", "s", poll);
  assert.deepEqual(await names(net.subnets.list(rg, "vnet")), []);
  await net.networkSecurityGroups.beginDeleteAndWait(rg, "nsg", poll);
  assert.deepEqual(await names(net.networkSecurityGroups.list(rg)), []);
});

test("load balancer: get, list, delete", async () => {
  await net.virtualNetworks.beginCreateOrUpdateAndWait(rg, "lbnet", { location: loc, addressSpace: { addressPrefixes: ["10.30.0.0/16"] }, subnets: [{ name: "fe", addressPrefix: "10.30.0.0/24" }] }, poll);
  const lb = await net.loadBalancers.beginCreateOrUpdateAndWait(rg, "ilb", {
    location: loc, sku: { name: "Standard" },
    frontendIPConfigurations: [{ name: "fe", subnet: { id: `${rgId(rg)}/providers/Microsoft.Network/virtualNetworks/lbnet/subnets/fe` }, privateIPAddress: "10.30.0.10", privateIPAllocationMethod: "Static" }],
    backendAddressPools: [{ name: "pool" }],
  }, poll);
  assert.equal(lb.frontendIPConfigurations[0].privateIPAddress, "10.30.0.10");
  assert.equal((await net.loadBalancers.get(rg, "ilb")).name, "ilb");
  assert.deepEqual(await names(net.loadBalancers.list(rg)), ["ilb"]);
  await net.loadBalancers.beginDeleteAndWait(rg, "ilb", poll);
  await rejects(net.loadBalancers.get(rg, "ilb"), 404, "ResourceNotFound");
});

test("identity and container delete; storage account update of tags", async () => {
  await msi.userAssignedIdentities.createOrUpdate(rg, "gone", { location: loc });
  await msi.userAssignedIdentities.delete(rg, "gone");
  await rejects(msi.userAssignedIdentities.get(rg, "gone"), 404);
  const acct = unique("lifeacct");
  await storage.storageAccounts.beginCreateAndWait(rg, acct, { location: loc, sku: { name: "Standard_LRS" }, kind: "StorageV2" }, poll);
  const updated = await storage.storageAccounts.update(rg, acct, { tags: { tier: "images" } });
  assert.deepEqual(updated.tags, { tier: "images" });
  assert.equal(updated.primaryEndpoints.blob.endsWith(`/${acct}/`), true);
  await storage.blobContainers.create(rg, acct, "temp", {});
  assert.deepEqual(await names(storage.blobContainers.list(rg, acct)), ["temp"]);
  await storage.blobContainers.delete(rg, acct, "temp");
  await rejects(storage.blobContainers.get(rg, acct, "temp"), 404);
});
