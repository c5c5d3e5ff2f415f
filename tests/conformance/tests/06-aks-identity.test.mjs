// Microsoft.ContainerService, Microsoft.ManagedIdentity and Microsoft.Authorization.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { ResourceManagementClient } from "@azure/arm-resources";
import { NetworkManagementClient } from "@azure/arm-network";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { randomUUID } from "node:crypto";
import { credential, clientOptions, poll, sub, unique, rejects, rgId } from "./lib.mjs";

const resources = new ResourceManagementClient(credential, sub, clientOptions);
const net = new NetworkManagementClient(credential, sub, clientOptions);
const aks = new ContainerServiceClient(credential, sub, clientOptions);
const msi = new ManagedServiceIdentityClient(credential, sub, clientOptions);
const auth = new AuthorizationManagementClient(credential, sub, clientOptions);
const rg = unique("aks-rg");
const loc = "eastus";
const contributor = `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c`;
let subnetId;

before(async () => {
  await resources.resourceGroups.createOrUpdate(rg, { location: loc });
  const v = await net.virtualNetworks.beginCreateOrUpdateAndWait(rg, "aks-vnet", { location: loc, addressSpace: { addressPrefixes: ["10.10.0.0/16"] }, subnets: [{ name: "nodes", addressPrefix: "10.10.0.0/20" }] }, poll);
  subnetId = v.subnets[0].id;
});

test("user-assigned identity: create, get, list, delete", async () => {
  const id = await msi.userAssignedIdentities.createOrUpdate(rg, "cp-identity", { location: loc });
  assert.match(id.principalId, /^[0-9a-f-]{36}$/);
  assert.match(id.clientId, /^[0-9a-f-]{36}$/);
  const again = await msi.userAssignedIdentities.createOrUpdate(rg, "cp-identity", { location: loc, tags: { a: "b" } });
  assert.equal(again.principalId, id.principalId);
  const got = await msi.userAssignedIdentities.get(rg, "cp-identity");
  assert.equal(got.clientId, id.clientId);
  const names = [];
  for await (const x of msi.userAssignedIdentities.listByResourceGroup(rg)) names.push(x.name);
  assert.deepEqual(names, ["cp-identity"]);
  await rejects(msi.userAssignedIdentities.createOrUpdate(rg, "x", { location: loc }), 400, "InvalidResourceName");
});

test("role assignment at group scope: create, get, duplicate 409, bad ids 400, delete", async () => {
  const id = await msi.userAssignedIdentities.createOrUpdate(rg, "ra-identity", { location: loc });
  const name = randomUUID();
  const ra = await auth.roleAssignments.create(rgId(rg), name, { roleDefinitionId: contributor, principalId: id.principalId, principalType: "ServicePrincipal" });
  assert.equal(ra.name, name);
  assert.equal(ra.scope, rgId(rg));
  const got = await auth.roleAssignments.get(rgId(rg), name);
  assert.equal(got.principalId, id.principalId);
  await rejects(auth.roleAssignments.create(rgId(rg), randomUUID(), { roleDefinitionId: contributor, principalId: id.principalId }), 409, "RoleAssignmentExists");
  await rejects(auth.roleAssignments.create(rgId(rg), "not-a-guid", { roleDefinitionId: contributor, principalId: id.principalId }), 400, "InvalidRoleAssignmentId");
  await rejects(auth.roleAssignments.create(rgId(rg), randomUUID(), { roleDefinitionId: "contributor", principalId: id.principalId }), 400, "InvalidRoleDefinitionId");
  await auth.roleAssignments.delete(rgId(rg), name);
  await rejects(auth.roleAssignments.get(rgId(rg), name), 404);
});

test("role assignment on a resource scope requires the resource", async () => {
  const id = await msi.userAssignedIdentities.get(rg, "ra-identity");
  const scope = `${rgId(rg)}/providers/Microsoft.Network/virtualNetworks/aks-vnet`;
  const ra = await auth.roleAssignments.create(scope, randomUUID(), { roleDefinitionId: contributor, principalId: id.principalId });
  assert.equal(ra.scope, scope);
  await rejects(auth.roleAssignments.create(`${rgId(rg)}/providers/Microsoft.Network/virtualNetworks/none`, randomUUID(), { roleDefinitionId: contributor, principalId: id.principalId }), 404);
});

const cluster = {
  location: loc,
  identity: { type: "SystemAssigned" },
  dnsPrefix: "demo",
  kubernetesVersion: "1.35.5",
  agentPoolProfiles: [
    { name: "system", mode: "System", count: 3, vmSize: "Standard_D4s_v5", vnetSubnetID: "", osType: "Linux", type: "VirtualMachineScaleSets" },
  ],
  aadProfile: { managed: true, enableAzureRBAC: true },
  addonProfiles: { azurepolicy: { enabled: false } },
  apiServerAccessProfile: { enablePrivateCluster: false },
  networkProfile: { networkPlugin: "azure", serviceCidr: "10.0.0.0/16", dnsServiceIP: "10.0.0.10" },
};

test("managed cluster with inline agent pools: create, get, pools as children, credentials", async () => {
  const body = structuredClone(cluster);
  body.agentPoolProfiles[0].vnetSubnetID = subnetId;
  body.agentPoolProfiles.push({ name: "user1", mode: "User", count: 2, vmSize: "Standard_D4s_v5", vnetSubnetID: subnetId, enableAutoScaling: true, minCount: 1, maxCount: 5 });
  const mc = await aks.managedClusters.beginCreateOrUpdateAndWait(rg, "demo-aks", body, poll);
  assert.equal(mc.provisioningState, "Succeeded");
  assert.match(mc.fqdn, /azmk8s\.io$/);
  assert.ok(mc.identity.principalId);
  assert.equal(mc.agentPoolProfiles.length, 2);
  assert.equal(mc.aadProfile.managed, true);
  const pools = [];
  for await (const p of aks.agentPools.list(rg, "demo-aks")) pools.push(p.name);
  assert.deepEqual(pools.sort(), ["system", "user1"]);
  const creds = await aks.managedClusters.listClusterUserCredentials(rg, "demo-aks");
  const kubeconfig = Buffer.from(creds.kubeconfigs[0].value).toString();
  assert.match(kubeconfig, /apiVersion: v1/);
  assert.match(kubeconfig, new RegExp(mc.fqdn));
  const admin = await aks.managedClusters.listClusterAdminCredentials(rg, "demo-aks");
  assert.equal(admin.kubeconfigs.length, 1);
});

test("agent pool as a child: add, invalid name, autoscaler bounds, delete", async () => {
  const p = await aks.agentPools.beginCreateOrUpdateAndWait(rg, "demo-aks", "gpu", { count: 1, vmSize: "Standard_NC6s_v3", mode: "User" }, poll);
  assert.equal(p.count, 1);
  const mc = await aks.managedClusters.get(rg, "demo-aks");
  assert.equal(mc.agentPoolProfiles.length, 3);
  await rejects(aks.agentPools.beginCreateOrUpdateAndWait(rg, "demo-aks", "Bad-Name", { count: 1, vmSize: "Standard_D2s_v3" }, poll), 400, "InvalidParameter");
  await rejects(aks.agentPools.beginCreateOrUpdateAndWait(rg, "demo-aks", "auto", { count: 1, vmSize: "Standard_D2s_v3", enableAutoScaling: true, minCount: 5, maxCount: 2 }, poll), 400, "InvalidParameter");
  await aks.agentPools.beginDeleteAndWait(rg, "demo-aks", "gpu", poll);
  await rejects(aks.agentPools.beginDeleteAndWait(rg, "demo-aks", "system", poll), 400, "OperationNotAllowed");
});

test("cluster validation: no pools, no System pool, bad name, missing subnet, unknown top-level property", async () => {
  const none = structuredClone(cluster);
  none.agentPoolProfiles = [];
  await rejects(aks.managedClusters.beginCreateOrUpdateAndWait(rg, "c1", none, poll), 400, "InvalidParameter");
  const user = structuredClone(cluster);
  user.agentPoolProfiles[0].mode = "User";
  delete user.agentPoolProfiles[0].vnetSubnetID;
  await rejects(aks.managedClusters.beginCreateOrUpdateAndWait(rg, "c2", user, poll), 400, "InvalidParameter");
  const ok = structuredClone(cluster);
  delete ok.agentPoolProfiles[0].vnetSubnetID;
  await rejects(aks.managedClusters.beginCreateOrUpdateAndWait(rg, "-bad-", ok, poll), 400, "InvalidResourceName");
  const missing = structuredClone(cluster);
  missing.agentPoolProfiles[0].vnetSubnetID = `${subnetId}-none`;
  await rejects(aks.managedClusters.beginCreateOrUpdateAndWait(rg, "c3", missing, poll), 400, "InvalidParameter");
});

test("private cluster gets a private FQDN; delete removes pools", async () => {
  const body = structuredClone(cluster);
  delete body.agentPoolProfiles[0].vnetSubnetID;
  body.apiServerAccessProfile = { enablePrivateCluster: true };
  const mc = await aks.managedClusters.beginCreateOrUpdateAndWait(rg, "private-aks", body, poll);
  assert.ok(mc.privateFqdn);
  assert.equal(mc.fqdn, undefined);
  await aks.managedClusters.beginDeleteAndWait(rg, "private-aks", poll);
  await rejects(aks.managedClusters.get(rg, "private-aks"), 404);
  await rejects(aks.agentPools.get(rg, "private-aks", "system"), 404);
});

test("permissions: the caller's actions and its blob data actions at a group, 404 for a missing group", async () => {
  const principalId = "22222222-2222-4222-8222-222222222222"; // the suite's client
  const reader = `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1`;
  const name = randomUUID();
  await auth.roleAssignments.create(rgId(rg), name, { roleDefinitionId: reader, principalId });
  const entries = [];
  for await (const p of auth.permissions.listForResourceGroup(rg)) entries.push(p);
  assert.deepEqual(entries[0].actions, ["*"]); // azsim does not model ARM RBAC
  const data = entries.flatMap((p) => p.dataActions ?? []);
  assert.ok(data.includes("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"), JSON.stringify(entries));
  assert.ok(!data.includes("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write"), JSON.stringify(entries));
  await auth.roleAssignments.delete(rgId(rg), name);
  await rejects((async () => { for await (const p of auth.permissions.listForResourceGroup(unique("nosuch-rg"))) void p; })(), 404, "ResourceGroupNotFound");
});
