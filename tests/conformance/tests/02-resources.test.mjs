// Microsoft.Resources: groups, group deletion as a long-running operation, lists, filters, tags.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ResourceManagementClient } from "@azure/arm-resources";
import { NetworkManagementClient } from "@azure/arm-network";
import { credential, clientOptions, poll, sub, unique, rejects, arm, rgId } from "./lib.mjs";

const client = new ResourceManagementClient(credential, sub, clientOptions);
const network = new NetworkManagementClient(credential, sub, clientOptions);

test("resource group create, get, checkExistence, list", async () => {
  const name = unique("rg-a");
  const created = await client.resourceGroups.createOrUpdate(name, { location: "West US 2", tags: { team: "a" } });
  assert.equal(created.name, name);
  assert.equal(created.location, "westus2");
  assert.equal(created.properties.provisioningState, "Succeeded");
  const got = await client.resourceGroups.get(name.toUpperCase());
  assert.equal(got.id, rgId(name));
  assert.equal((await client.resourceGroups.checkExistence(name)).body, true);
  assert.equal((await client.resourceGroups.checkExistence(unique("nope"))).body, false);
  const names = [];
  for await (const g of client.resourceGroups.list()) names.push(g.name);
  assert.ok(names.includes(name));
});

test("resource group PATCH of tags", async () => {
  const name = unique("rg-b");
  await client.resourceGroups.createOrUpdate(name, { location: "eastus", tags: { a: "1" } });
  const updated = await client.resourceGroups.update(name, { tags: { b: "2" } });
  assert.deepEqual(updated.tags, { b: "2" });
  assert.equal(updated.location, "eastus");
});

test("missing resource group: 404 ResourceGroupNotFound", async () => {
  await rejects(client.resourceGroups.get(unique("missing")), 404, "ResourceGroupNotFound");
  await rejects(
    network.virtualNetworks.get(unique("missing"), "v"),
    404,
    "ResourceGroupNotFound",
  );
});

test("invalid resource group name: 400 InvalidResourceGroupName", async () => {
  await rejects(client.resourceGroups.createOrUpdate("bad/name.", { location: "eastus" }), 400);
  await rejects(client.resourceGroups.createOrUpdate("ends-with-dot.", { location: "eastus" }), 400, "InvalidResourceGroupName");
});

test("location is required: 400 LocationRequired", async () => {
  const r = await arm("PUT", `${rgId(unique("rg-noloc"))}`, {});
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, "LocationRequired");
});

test("delete of a group with resources inside is a long-running operation that removes them", async () => {
  const name = unique("rg-del");
  await client.resourceGroups.createOrUpdate(name, { location: "eastus" });
  await network.networkSecurityGroups.createOrUpdate(name, "nsg1", { location: "eastus" }, poll);
  await network.publicIPAddresses.createOrUpdate(name, "pip1", { location: "eastus", sku: { name: "Standard" } }, poll);
  await client.resourceGroups.beginDeleteAndWait(name, poll);
  // The raw protocol: 202 with Location.
  const other = unique("rg-del-raw");
  await client.resourceGroups.createOrUpdate(other, { location: "eastus" });
  const raw = await arm("DELETE", `${rgId(other)}?api-version=2024-11-01`);
  assert.equal(raw.status, 202);
  assert.ok(raw.headers.location);
  assert.ok(raw.headers["retry-after"] !== undefined);
  await rejects(client.resourceGroups.get(name), 404, "ResourceGroupNotFound");
  const nsg = await arm("GET", `${rgId(name)}/providers/Microsoft.Network/networkSecurityGroups/nsg1`);
  assert.equal(nsg.status, 404);
});

test("list resources in a group with $expand and $filter by tag", async () => {
  const name = unique("rg-list");
  await client.resourceGroups.createOrUpdate(name, { location: "eastus" });
  await network.networkSecurityGroups.createOrUpdate(name, "tagged", { location: "eastus", tags: { owner: "easel" } }, poll);
  await network.networkSecurityGroups.createOrUpdate(name, "other", { location: "eastus", tags: { owner: "else" } }, poll);
  const all = [];
  for await (const r of client.resources.listByResourceGroup(name, { expand: "createdTime,changedTime,provisioningState" })) all.push(r);
  assert.equal(all.length, 2);
  for (const r of all) {
    assert.ok(r.createdTime instanceof Date);
    assert.ok(r.changedTime instanceof Date);
    assert.equal(r.provisioningState, "Succeeded");
  }
  const tagged = [];
  for await (const r of client.resources.listByResourceGroup(name, { filter: "tagName eq 'owner' and tagValue eq 'easel'" })) tagged.push(r.name);
  assert.deepEqual(tagged, ["tagged"]);
  const sublist = [];
  for await (const r of client.resources.list({ filter: "tagName eq 'owner' and tagValue eq 'else'" })) sublist.push(r.name);
  assert.ok(sublist.includes("other"));
});

test("paths and names are case-insensitive; any api-version is accepted", async () => {
  const name = unique("rg-case");
  await client.resourceGroups.createOrUpdate(name, { location: "eastus" });
  await network.networkSecurityGroups.createOrUpdate(name, "MixedCase", { location: "eastus" }, poll);
  const r = await arm("GET", `/SUBSCRIPTIONS/${sub}/RESOURCEGROUPS/${name.toUpperCase()}/PROVIDERS/microsoft.network/NETWORKSECURITYGROUPS/mixedcase?api-version=1999-01-01-preview`);
  assert.equal(r.status, 200);
  assert.equal(r.json.name, "MixedCase");
});

test("generic resources client reads by id", async () => {
  const name = unique("rg-gen");
  await client.resourceGroups.createOrUpdate(name, { location: "eastus" });
  await network.networkSecurityGroups.createOrUpdate(name, "g1", { location: "eastus" }, poll);
  const got = await client.resources.getById(`${rgId(name)}/providers/Microsoft.Network/networkSecurityGroups/g1`, "2024-05-01");
  assert.equal(got.name, "g1");
  assert.equal((await client.resources.checkExistenceById(`${rgId(name)}/providers/Microsoft.Network/networkSecurityGroups/g2`, "2024-05-01")).body, false);
});

test("subscription and its locations", async () => {
  const s = await arm("GET", `/subscriptions/${sub}?api-version=2022-12-01`);
  assert.equal(s.json.subscriptionId, sub);
  assert.equal(s.json.state, "Enabled");
  const l = await arm("GET", `/subscriptions/${sub}/locations?api-version=2022-12-01`);
  const eastus = l.json.value.find((x) => x.name === "eastus");
  assert.equal(eastus.availabilityZoneMappings.length, 3);
  const missing = await arm("GET", `/subscriptions/99999999-0000-0000-0000-000000000000/resourcegroups?api-version=2024-11-01`);
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error.code, "SubscriptionNotFound");
});
