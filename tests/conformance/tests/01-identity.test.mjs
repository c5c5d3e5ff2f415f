// Entra ID: client credentials through @azure/identity, errors, discovery, IMDS, ARM 401s.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ClientSecretCredential } from "@azure/identity";
import { ResourceManagementClient } from "@azure/arm-resources";
import { info, credential, clientOptions, call, sub } from "./lib.mjs";

test("ClientSecretCredential gets an ARM token (JWT with expiry)", async () => {
  const token = await credential.getToken("https://management.azure.com/.default");
  assert.equal(token.token.split(".").length, 3);
  assert.ok(token.expiresOnTimestamp > Date.now() + 30 * 60 * 1000);
  const payload = JSON.parse(Buffer.from(token.token.split(".")[1], "base64url").toString());
  assert.equal(payload.tid, info.tenantId);
  assert.equal(payload.appid, info.clientId);
});

test("wrong client secret is rejected with invalid_client (AADSTS7000215)", async () => {
  const bad = new ClientSecretCredential(info.tenantId, info.clientId, "wrong", {
    authorityHost: info.authority,
    disableInstanceDiscovery: true,
  });
  await assert.rejects(bad.getToken("https://management.azure.com/.default"), (e) => {
    assert.match(e.message, /invalid_client|AADSTS7000215/);
    return true;
  });
  const raw = await call("POST", `${info.authority}/${info.tenantId}/oauth2/v2.0/token`, {
    body: `grant_type=client_credentials&client_id=${info.clientId}&client_secret=wrong&scope=https%3A%2F%2Fmanagement.azure.com%2F.default`,
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  assert.equal(raw.status, 401);
  assert.equal(raw.json.error, "invalid_client");
  assert.deepEqual(raw.json.error_codes, [7000215]);
});

test("unknown client id is rejected (AADSTS700016)", async () => {
  const raw = await call("POST", `${info.authority}/${info.tenantId}/oauth2/v2.0/token`, {
    body: "grant_type=client_credentials&client_id=00000000-1111-2222-3333-444444444444&client_secret=x&scope=https%3A%2F%2Fmanagement.azure.com%2F.default",
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  assert.equal(raw.status, 400);
  assert.equal(raw.json.error, "unauthorized_client");
  assert.match(raw.json.error_description, /^AADSTS700016/);
});

test("OpenID discovery document points back at azsim", async () => {
  const r = await call("GET", `${info.authority}/${info.tenantId}/v2.0/.well-known/openid-configuration`);
  assert.equal(r.status, 200);
  assert.equal(r.json.token_endpoint, `${info.authority}/${info.tenantId}/oauth2/v2.0/token`);
  const keys = await call("GET", r.json.jwks_uri);
  assert.equal(keys.json.keys[0].kty, "RSA");
});

test("IMDS-shaped managed identity endpoint requires Metadata: true", async () => {
  const url = `${info.arm}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/`;
  const denied = await call("GET", url);
  assert.equal(denied.status, 400);
  const ok = await call("GET", url, { headers: { Metadata: "true" } });
  assert.equal(ok.status, 200);
  assert.equal(typeof ok.json.expires_in, "string");
  assert.equal(ok.json.token_type, "Bearer");
  // The managed identity's token works on ARM.
  const rg = await call("GET", `${info.arm}/subscriptions/${sub}/resourcegroups/demo-rg?api-version=2024-11-01`, {
    headers: { authorization: `Bearer ${ok.json.access_token}` },
  });
  assert.equal(rg.status, 200);
});

test("ARM without a token answers 401; with a forged token 401 InvalidAuthenticationToken", async () => {
  const none = await call("GET", `${info.arm}/subscriptions/${sub}/resourcegroups?api-version=2024-11-01`);
  assert.equal(none.status, 401);
  const token = (await credential.getToken("https://management.azure.com/.default")).token;
  const forged = token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
  const bad = await call("GET", `${info.arm}/subscriptions/${sub}/resourcegroups?api-version=2024-11-01`, {
    headers: { authorization: `Bearer ${forged}` },
  });
  assert.equal(bad.status, 401);
  assert.equal(bad.json.error.code, "InvalidAuthenticationToken");
});

test("a storage-audience token is not accepted by ARM", async () => {
  const token = (await credential.getToken("https://storage.azure.com/.default")).token;
  const r = await call("GET", `${info.arm}/subscriptions/${sub}/resourcegroups?api-version=2024-11-01`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(r.status, 401);
  assert.equal(r.json.error.code, "InvalidAuthenticationToken");
});

test("the SDK client authenticates end to end", async () => {
  const client = new ResourceManagementClient(credential, sub, clientOptions);
  const rg = await client.resourceGroups.get("demo-rg");
  assert.equal(rg.location, "eastus");
});
