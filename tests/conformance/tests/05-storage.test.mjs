// Microsoft.Storage through @azure/arm-storage: global names, the 202 create LRO, keys, containers.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { ResourceManagementClient } from "@azure/arm-resources";
import { StorageManagementClient } from "@azure/arm-storage";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { credential, clientOptions, poll, sub, sub2, unique, rejects, arm, rgId, info } from "./lib.mjs";

const resources = new ResourceManagementClient(credential, sub, clientOptions);
const storage = new StorageManagementClient(credential, sub, clientOptions);
const storage2 = new StorageManagementClient(credential, sub2, clientOptions);
const rg = unique("st-rg");
const loc = "eastus";
const account = unique("acct");
const params = { location: loc, sku: { name: "Standard_LRS" }, kind: "StorageV2", minimumTlsVersion: "TLS1_2", allowBlobPublicAccess: false };

before(async () => {
  await resources.resourceGroups.createOrUpdate(rg, { location: loc });
});

test("checkNameAvailability: available, invalid", async () => {
  const ok = await storage.storageAccounts.checkNameAvailability({ name: account, type: "Microsoft.Storage/storageAccounts" });
  assert.equal(ok.nameAvailable, true);
  const bad = await storage.storageAccounts.checkNameAvailability({ name: "Bad_Name", type: "Microsoft.Storage/storageAccounts" });
  assert.equal(bad.nameAvailable, false);
  assert.equal(bad.reason, "AccountNameInvalid");
});

test("storage account create via the 202 Location LRO; primaryEndpoints.blob is azsim's blob listener", async () => {
  const raw = await arm("PUT", `${rgId(rg)}/providers/Microsoft.Storage/storageAccounts/${unique("rawacct")}?api-version=2025-06-01`, params);
  assert.equal(raw.status, 202);
  assert.match(raw.headers.location, /operationResults/);
  const sa = await storage.storageAccounts.beginCreateAndWait(rg, account, params, poll);
  assert.equal(sa.provisioningState, "Succeeded");
  assert.equal(sa.primaryEndpoints.blob, `${info.blob}/${account}/`);
  assert.equal(sa.minimumTlsVersion, "TLS1_2");
  const got = await storage.storageAccounts.getProperties(rg, account);
  assert.equal(got.kind, "StorageV2");
  const list = [];
  for await (const a of storage.storageAccounts.listByResourceGroup(rg)) list.push(a.name);
  assert.ok(list.includes(account));
});

test("names are global: taken in another subscription (checkNameAvailability and 409 StorageAccountAlreadyTaken)", async () => {
  const taken = await storage2.storageAccounts.checkNameAvailability({ name: account, type: "Microsoft.Storage/storageAccounts" });
  assert.equal(taken.nameAvailable, false);
  assert.equal(taken.reason, "AlreadyExists");
  await rejects(storage2.storageAccounts.beginCreateAndWait("other-rg", account, params, poll), 409, "StorageAccountAlreadyTaken");
});

test("invalid account name: 400 AccountNameInvalid", async () => {
  await rejects(storage.storageAccounts.beginCreateAndWait(rg, "UPPER", params, poll), 400, "AccountNameInvalid");
});

test("listKeys returns two keys that sign data-plane requests; regenerateKey replaces one", async () => {
  const keys = await storage.storageAccounts.listKeys(rg, account);
  assert.equal(keys.keys.length, 2);
  assert.equal(keys.keys[0].keyName, "key1");
  const svc = new BlobServiceClient(`${info.blob}/${account}`, new StorageSharedKeyCredential(account, keys.keys[0].value));
  await svc.getContainerClient("keys").create();
  const regenerated = await storage.storageAccounts.regenerateKey(rg, account, { keyName: "key1" });
  assert.notEqual(regenerated.keys[0].value, keys.keys[0].value);
  assert.equal(regenerated.keys[1].value, keys.keys[1].value);
  await rejects(svc.getContainerClient("keys").getProperties(), 403, "AuthenticationFailed");
});

test("blob container via ARM appears on the data plane", async () => {
  const c = await storage.blobContainers.create(rg, account, "armcontainer", { publicAccess: "None" });
  assert.equal(c.name, "armcontainer");
  const keys = await storage.storageAccounts.listKeys(rg, account);
  const svc = new BlobServiceClient(`${info.blob}/${account}`, new StorageSharedKeyCredential(account, keys.keys[1].value));
  const props = await svc.getContainerClient("armcontainer").getProperties();
  assert.ok(props.etag);
  const got = await storage.blobContainers.get(rg, account, "armcontainer");
  assert.equal(got.publicAccess, "None");
  await rejects(storage.blobContainers.create(rg, account, "Bad--Name", {}), 400);
});

test("storage account delete is synchronous and removes its data", async () => {
  const name = unique("delacct");
  await storage.storageAccounts.beginCreateAndWait(rg, name, params, poll);
  await storage.storageAccounts.delete(rg, name);
  await rejects(storage.storageAccounts.getProperties(rg, name), 404, "ResourceNotFound");
  const avail = await storage.storageAccounts.checkNameAvailability({ name, type: "Microsoft.Storage/storageAccounts" });
  assert.equal(avail.nameAvailable, true);
});
