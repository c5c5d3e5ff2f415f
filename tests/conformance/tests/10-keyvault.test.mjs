// Microsoft.KeyVault through @azure/arm-keyvault (vaults, global names, soft delete, purge,
// recover, checkNameAvailability) and the secrets data plane through @azure/keyvault-secrets
// (challenge authentication, set/get/list/delete/recover/purge, access policies, RBAC).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { ClientSecretCredential } from "@azure/identity";
import { ResourceManagementClient } from "@azure/arm-resources";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { SecretClient } from "@azure/keyvault-secrets";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { credential, clientOptions, poll, sub, sub2, unique, rejects, rgId, info, call, admin, arm } from "./lib.mjs";

const resources = new ResourceManagementClient(credential, sub, clientOptions);
const kv = new KeyVaultManagementClient(credential, sub, clientOptions);
const kv2 = new KeyVaultManagementClient(credential, sub2, clientOptions);
const authz = new AuthorizationManagementClient(credential, sub, clientOptions);
const rg = unique("kv-rg");
const loc = "eastus";
// The second service principal of the conformance fixture (run.mjs): it has no access policy.
const other = new ClientSecretCredential(info.tenantId, "55555555-5555-4555-8555-555555555555", "second-secret", {
  authorityHost: info.authority,
  disableInstanceDiscovery: true,
});
const otherOid = "66666666-6666-4666-8666-666666666666";
// azsim's vaults live at https://127.0.0.1:PORT/, which is not a subdomain of vault.azure.net,
// so the SDK's check of the challenge's resource against the vault host is turned off.
const secretOptions = { disableChallengeResourceVerification: true, retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 100 } };
let oid;

function oidOf(token) {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).oid;
}

function vaultBody(extra = {}) {
  return {
    location: loc,
    properties: {
      tenantId: info.tenantId,
      sku: { family: "A", name: "standard" },
      accessPolicies: [{ tenantId: info.tenantId, objectId: oid, permissions: { secrets: ["get", "list", "set", "delete", "recover", "purge"] } }],
      ...extra,
    },
  };
}

before(async () => {
  oid = oidOf((await credential.getToken("https://vault.azure.net/.default")).token);
  await resources.resourceGroups.createOrUpdate(rg, { location: loc });
});

test("vault: create (long-running), vaultUri, defaults, get, list", async () => {
  const name = unique("kva");
  const v = await kv.vaults.beginCreateOrUpdateAndWait(rg, name, vaultBody(), poll);
  assert.equal(v.properties.provisioningState, "Succeeded");
  assert.match(v.properties.vaultUri, /^https:\/\/127\.0\.0\.1:\d+\/$/);
  assert.equal(v.properties.enableSoftDelete, true);
  assert.equal(v.properties.softDeleteRetentionInDays, 90);
  assert.equal(v.properties.enableRbacAuthorization, false);
  assert.equal(v.properties.sku.name, "standard");
  const got = await kv.vaults.get(rg, name);
  assert.equal(got.properties.vaultUri, v.properties.vaultUri);
  const names = [];
  for await (const x of kv.vaults.listByResourceGroup(rg)) names.push(x.name);
  assert.ok(names.includes(name));
});

test("vault names: rules, global uniqueness across subscriptions, checkNameAvailability", async () => {
  for (const bad of ["ab", "1abc", "abc-", "a--b", "a".repeat(25), "ab_c"])
    await rejects(kv.vaults.beginCreateOrUpdateAndWait(rg, bad, vaultBody(), poll), 400, "VaultNameNotValid");
  const name = unique("kvb");
  await kv.vaults.beginCreateOrUpdateAndWait(rg, name, vaultBody(), poll);
  await rejects(kv2.vaults.beginCreateOrUpdateAndWait("other-rg", name, { ...vaultBody(), location: "westus" }, poll), 409, "VaultAlreadyExists");
  const taken = await kv.vaults.checkNameAvailability({ name, type: "Microsoft.KeyVault/vaults" });
  assert.equal(taken.nameAvailable, false);
  assert.equal(taken.reason, "AlreadyExists");
  const invalid = await kv.vaults.checkNameAvailability({ name: "a--b", type: "Microsoft.KeyVault/vaults" });
  assert.equal(invalid.nameAvailable, false);
  assert.equal(invalid.reason, "AccountNameInvalid");
  const free = await kv.vaults.checkNameAvailability({ name: unique("kvfree"), type: "Microsoft.KeyVault/vaults" });
  assert.equal(free.nameAvailable, true);
  // tenantId is required (the SDK checks it too, so the raw protocol is used).
  const noTenant = await arm("PUT", `${rgId(rg)}/providers/Microsoft.KeyVault/vaults/${unique("kvc")}?api-version=2023-07-01`, { location: loc, properties: { sku: { family: "A", name: "standard" } } });
  assert.equal(noTenant.status, 400);
});

test("secrets: challenge, set (new version each time), get, versions, list, delete, recover, purge", async () => {
  const name = unique("kvs");
  const v = await kv.vaults.beginCreateOrUpdateAndWait(rg, name, vaultBody(), poll);
  const uri = v.properties.vaultUri;
  // Without a token: 401 with the challenge the SDK follows.
  const raw = await call("GET", `${uri}secrets/x?api-version=7.4`);
  assert.equal(raw.status, 401);
  assert.match(raw.headers["www-authenticate"], new RegExp(`^Bearer authorization="${info.authority}/${info.tenantId}", resource="https://vault.azure.net"$`));
  const client = new SecretClient(uri, credential, secretOptions);
  const first = await client.setSecret("ca-key", "value-1", { contentType: "application/x-pem-file", tags: { role: "ca" } });
  assert.equal(first.value, "value-1");
  assert.equal(first.name, "ca-key");
  assert.equal(first.properties.vaultUrl, uri.replace(/\/$/, ""));
  assert.equal(first.properties.enabled, true);
  assert.equal(first.properties.recoveryLevel, "Recoverable+Purgeable");
  assert.match(first.properties.version, /^[0-9a-f]{32}$/);
  const second = await client.setSecret("ca-key", "value-2");
  assert.notEqual(second.properties.version, first.properties.version);
  assert.equal((await client.getSecret("ca-key")).value, "value-2");
  assert.equal((await client.getSecret("ca-key", { version: first.properties.version })).value, "value-1");
  const versions = [];
  for await (const p of client.listPropertiesOfSecretVersions("ca-key")) versions.push(p.version);
  assert.deepEqual(versions.sort(), [first.properties.version, second.properties.version].sort());
  for (let i = 0; i < 30; i++) await client.setSecret(`s${i}`, `v${i}`);
  const listed = [];
  for await (const p of client.listPropertiesOfSecrets()) listed.push(p.name);
  assert.equal(listed.length, 31, "list pages through nextLink (25 per page)");
  assert.ok(listed.includes("ca-key"));
  await rejects(client.getSecret("missing"), 404, "SecretNotFound");
  await rejects(client.setSecret("bad_name", "x"), 400);
  const vaultToken = (await credential.getToken("https://vault.azure.net/.default")).token;
  const typed = await call("PUT", `${uri}secrets/typed?api-version=7.4`, { body: { value: "x", attributes: { enabled: "yes" } }, headers: { authorization: `Bearer ${vaultToken}` } });
  assert.equal(typed.status, 400);
  assert.equal(typed.json.error.code, "BadParameter");
  // Soft delete: gone from get, listed as deleted, the name cannot be reused, recover restores it.
  const poller = await client.beginDeleteSecret("ca-key", { intervalInMs: 5 });
  const deleted = await poller.pollUntilDone();
  assert.equal(deleted.name, "ca-key");
  assert.ok(deleted.recoveryId.endsWith("/deletedsecrets/ca-key"));
  assert.ok(deleted.scheduledPurgeDate > deleted.deletedOn);
  await rejects(client.getSecret("ca-key"), 404, "SecretNotFound");
  const deletedNames = [];
  for await (const d of client.listDeletedSecrets()) deletedNames.push(d.name);
  assert.deepEqual(deletedNames, ["ca-key"]);
  await rejects(client.setSecret("ca-key", "again"), 409, "Conflict");
  const rec = await client.beginRecoverDeletedSecret("ca-key", { intervalInMs: 5 });
  await rec.pollUntilDone();
  assert.equal((await client.getSecret("ca-key")).value, "value-2");
  // Purge: delete, then purge; the name is free again.
  await (await client.beginDeleteSecret("s0", { intervalInMs: 5 })).pollUntilDone();
  await client.purgeDeletedSecret("s0");
  await rejects(client.getDeletedSecret("s0"), 404);
  assert.equal((await client.setSecret("s0", "fresh")).value, "fresh");
});

test("access: a principal without an access policy gets 403 Forbidden; RBAC vaults use role assignments", async () => {
  const name = unique("kvp");
  const v = await kv.vaults.beginCreateOrUpdateAndWait(rg, name, vaultBody(), poll);
  const mine = new SecretClient(v.properties.vaultUri, credential, secretOptions);
  await mine.setSecret("etcd-ca-key", "pem");
  const theirs = new SecretClient(v.properties.vaultUri, other, secretOptions);
  const e = await rejects(theirs.getSecret("etcd-ca-key"), 403, "Forbidden");
  assert.match(e.message, new RegExp(`oid=${otherOid}.*does not have secrets get permission on key vault '${name};location=${loc}'`));
  const raw = await call("GET", `${v.properties.vaultUri}secrets/etcd-ca-key?api-version=7.4`, {
    headers: { authorization: `Bearer ${(await other.getToken("https://vault.azure.net/.default")).token}` },
  });
  assert.equal(raw.status, 403);
  assert.equal(raw.json.error.code, "Forbidden");
  assert.equal(raw.json.error.innererror.code, "AccessDenied");
  // A read-only policy: get works, set does not.
  const p = vaultBody();
  p.properties.accessPolicies.push({ tenantId: info.tenantId, objectId: otherOid, permissions: { secrets: ["get"] } });
  await kv.vaults.beginCreateOrUpdateAndWait(rg, name, p, poll);
  assert.equal((await theirs.getSecret("etcd-ca-key")).value, "pem");
  await rejects(theirs.setSecret("etcd-ca-key", "x"), 403, "Forbidden");
  // accessPolicies/add merges permissions; accessPolicies/remove takes them away.
  const added = await kv.vaults.updateAccessPolicy(rg, name, "add", { properties: { accessPolicies: [{ tenantId: info.tenantId, objectId: otherOid, permissions: { secrets: ["set"] } }] } });
  assert.equal(added.name, "add");
  let policy = (await kv.vaults.get(rg, name)).properties.accessPolicies.find((x) => x.objectId === otherOid);
  assert.deepEqual(policy.permissions.secrets, ["get", "set"]);
  await theirs.setSecret("etcd-ca-key", "pem2");
  await kv.vaults.updateAccessPolicy(rg, name, "remove", { properties: { accessPolicies: [{ tenantId: info.tenantId, objectId: otherOid, permissions: { secrets: ["set"] } }] } });
  policy = (await kv.vaults.get(rg, name)).properties.accessPolicies.find((x) => x.objectId === otherOid);
  assert.deepEqual(policy.permissions.secrets, ["get"]);
  await rejects(theirs.setSecret("etcd-ca-key", "x"), 403, "Forbidden");
  await kv.vaults.updateAccessPolicy(rg, name, "remove", { properties: { accessPolicies: [{ tenantId: info.tenantId, objectId: otherOid, permissions: { secrets: ["get"] } }] } });
  assert.equal((await kv.vaults.get(rg, name)).properties.accessPolicies.find((x) => x.objectId === otherOid), undefined);
  await rejects(theirs.getSecret("etcd-ca-key"), 403, "Forbidden");
  // RBAC: policies no longer count; Key Vault Secrets User at the vault grants reads only.
  const rbac = unique("kvr");
  const rv = await kv.vaults.beginCreateOrUpdateAndWait(rg, rbac, vaultBody({ enableRbacAuthorization: true }), poll);
  const rbacMine = new SecretClient(rv.properties.vaultUri, credential, secretOptions);
  await rejects(rbacMine.setSecret("a", "b"), 403, "Forbidden");
  const scope = `${rgId(rg)}/providers/Microsoft.KeyVault/vaults/${rbac}`;
  await authz.roleAssignments.create(scope, "0a1b2c3d-0000-4000-8000-000000000001", {
    roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/b86a8fe4-44ce-4948-aee5-eccb2c155cd7`,
    principalId: oid,
  });
  await rbacMine.setSecret("a", "b");
  await authz.roleAssignments.create(scope, "0a1b2c3d-0000-4000-8000-000000000002", {
    roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6`,
    principalId: otherOid,
  });
  const rbacTheirs = new SecretClient(rv.properties.vaultUri, other, secretOptions);
  assert.equal((await rbacTheirs.getSecret("a")).value, "b");
  await rejects(rbacTheirs.setSecret("a", "c"), 403, "Forbidden");
});

test("soft-deleted vaults: listed, name taken, recover restores secrets, purge frees the name", async () => {
  const name = unique("kvd");
  const v = await kv.vaults.beginCreateOrUpdateAndWait(rg, name, vaultBody(), poll);
  await new SecretClient(v.properties.vaultUri, credential, secretOptions).setSecret("sa-key", "k1");
  await kv.vaults.delete(rg, name);
  await rejects(kv.vaults.get(rg, name), 404);
  const listed = [];
  for await (const d of kv.vaults.listDeleted()) listed.push(d);
  const d = listed.find((x) => x.name === name);
  assert.ok(d, "deleted vault listed");
  assert.equal(d.type, "Microsoft.KeyVault/deletedVaults");
  assert.equal(d.properties.vaultId, `${rgId(rg)}/providers/Microsoft.KeyVault/vaults/${name}`);
  assert.equal(d.properties.location, loc);
  assert.ok(d.properties.scheduledPurgeDate > d.properties.deletionDate);
  const got = await kv.vaults.getDeleted(name, loc);
  assert.equal(got.name, name);
  const taken = await kv.vaults.checkNameAvailability({ name, type: "Microsoft.KeyVault/vaults" });
  assert.equal(taken.nameAvailable, false);
  await rejects(kv.vaults.beginCreateOrUpdateAndWait(rg, name, vaultBody(), poll), 409, "ConflictError");
  // Recover: the vault and its secrets come back.
  const back = await kv.vaults.beginCreateOrUpdateAndWait(rg, name, vaultBody({ createMode: "recover" }), poll);
  assert.equal(back.properties.provisioningState, "Succeeded");
  const client = new SecretClient(back.properties.vaultUri, credential, secretOptions);
  assert.equal((await client.getSecret("sa-key")).value, "k1");
  // Delete again and purge: the name is free and the secrets are gone.
  await kv.vaults.delete(rg, name);
  await kv.vaults.beginPurgeDeletedAndWait(name, loc, poll);
  await rejects(kv.vaults.getDeleted(name, loc), 404);
  assert.equal((await kv.vaults.checkNameAvailability({ name, type: "Microsoft.KeyVault/vaults" })).nameAvailable, true);
  const fresh = await kv.vaults.beginCreateOrUpdateAndWait(rg, name, vaultBody(), poll);
  await rejects(new SecretClient(fresh.properties.vaultUri, credential, secretOptions).getSecret("sa-key"), 404, "SecretNotFound");
  // Deleting the resource group soft-deletes its vaults.
  const grp = unique("kv-rg2");
  await resources.resourceGroups.createOrUpdate(grp, { location: loc });
  const inGroup = unique("kvg");
  await kv.vaults.beginCreateOrUpdateAndWait(grp, inGroup, vaultBody(), poll);
  await resources.resourceGroups.beginDeleteAndWait(grp, poll);
  assert.equal((await kv.vaults.getDeleted(inGroup, loc)).properties.vaultId, `${rgId(grp)}/providers/Microsoft.KeyVault/vaults/${inGroup}`);
  // Without soft delete, a deleted vault is gone at once.
  const hard = unique("kvh");
  await kv.vaults.beginCreateOrUpdateAndWait(rg, hard, vaultBody({ enableSoftDelete: false }), poll);
  await kv.vaults.delete(rg, hard);
  await rejects(kv.vaults.getDeleted(hard, loc), 404);
});

test("secret values never reach the request log", async () => {
  const name = unique("kvl");
  const v = await kv.vaults.beginCreateOrUpdateAndWait(rg, name, vaultBody(), poll);
  const client = new SecretClient(v.properties.vaultUri, credential, secretOptions);
  const secret = `top-secret-${Date.now()}`;
  await client.setSecret("front-proxy-ca-key", secret);
  await client.getSecret("front-proxy-ca-key");
  const log = (await admin("GET", "requests")).text;
  assert.ok(log.includes('"service":"keyvault"'));
  assert.ok(log.includes("/secrets/front-proxy-ca-key"));
  assert.ok(!log.includes(secret));
});

test("vaults, their URIs and secrets survive SIGKILL and a restart on the same state dir", async () => {
  const dir = join(process.env.AZSIM_TMP, "kv-restart");
  mkdirSync(dir, { recursive: true });
  // The suite's certificates, so that this process (whose CA list is fixed at start) trusts it.
  for (const f of ["ca.pem", "ca-key.pem", "server.pem", "server-key.pem", "jwt-key.pem"]) copyFileSync(join(info.stateDir, f), join(dir, f));
  const start = async () => {
    const p = spawn(process.env.AZSIM_BIN, ["--state-dir", dir, "--time-scale", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    const line = await new Promise((resolve) => createInterface({ input: p.stdout }).once("line", resolve));
    return { p, ready: JSON.parse(line) };
  };
  const stop = (p, signal) => new Promise((resolve) => { p.once("exit", resolve); p.kill(signal); });
  const first = await start();
  const cred = new ClientSecretCredential(first.ready.tenantId, first.ready.clientId, first.ready.clientSecret, { authorityHost: first.ready.authority, disableInstanceDiscovery: true });
  const armHeaders = { authorization: `Bearer ${(await cred.getToken("https://management.azure.com/.default")).token}` };
  const me = oidOf((await cred.getToken("https://vault.azure.net/.default")).token);
  const path = `/subscriptions/${first.ready.subscriptionId}/resourceGroups/demo-rg/providers/Microsoft.KeyVault/vaults/durable-kv?api-version=2023-07-01`;
  const body = { location: "eastus", properties: { tenantId: first.ready.tenantId, sku: { family: "A", name: "standard" }, accessPolicies: [{ tenantId: first.ready.tenantId, objectId: me, permissions: { secrets: ["all"] } }] } };
  assert.equal((await call("PUT", `${first.ready.arm}${path}`, { body, headers: armHeaders })).status, 201);
  const uri = (await call("GET", `${first.ready.arm}${path}`, { headers: armHeaders })).json.properties.vaultUri;
  const client = new SecretClient(uri, cred, secretOptions);
  await client.setSecret("ca-key", "durable");
  await stop(first.p, "SIGKILL");
  const second = await start();
  try {
    const again = await call("GET", `${second.ready.arm}${path}`, { headers: armHeaders });
    assert.equal(again.status, 200);
    assert.equal(again.json.properties.vaultUri, uri, "the vault keeps its port");
    assert.equal((await new SecretClient(uri, cred, secretOptions).getSecret("ca-key")).value, "durable");
  } finally {
    await stop(second.p, "SIGTERM");
  }
});
