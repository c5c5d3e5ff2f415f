// Throttling, faults, the admin API, and durability across SIGKILL.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ClientSecretCredential } from "@azure/identity";
import { ResourceManagementClient } from "@azure/arm-resources";
import { NetworkManagementClient } from "@azure/arm-network";
import { info, credential, clientOptions, poll, sub, unique, rejects, arm, admin, rgId, call } from "./lib.mjs";

const resources = new ResourceManagementClient(credential, sub, clientOptions);
const net = new NetworkManagementClient(credential, sub, clientOptions);
const rg = unique("ops-rg");
const loc = "eastus";

before(async () => {
  await resources.resourceGroups.createOrUpdate(rg, { location: loc });
  await net.networkSecurityGroups.beginCreateOrUpdateAndWait(rg, "nsg", { location: loc }, poll);
});

test("every ARM response carries x-ms-ratelimit-remaining-subscription-* and x-ms-request-id", async () => {
  const r = await arm("GET", `${rgId(rg)}?api-version=2024-11-01`);
  assert.ok(Number(r.headers["x-ms-ratelimit-remaining-subscription-reads"]) > 0);
  assert.ok(r.headers["x-ms-request-id"]);
  const w = await arm("PUT", `${rgId(rg)}/providers/Microsoft.Network/networkSecurityGroups/hdr`, { location: loc });
  assert.ok(Number(w.headers["x-ms-ratelimit-remaining-subscription-writes"]) > 0);
  const d = await arm("DELETE", `${rgId(rg)}/providers/Microsoft.Network/networkSecurityGroups/hdr`);
  assert.ok(Number(d.headers["x-ms-ratelimit-remaining-subscription-deletes"]) > 0);
});

test("read throttling (250 tokens, 25/s per principal): 429 with Retry-After, retried by the SDK", async () => {
  // A second principal has its own bucket, so the rest of the suite is not slowed down.
  const fixture = JSON.parse(readFileSync(process.env.AZSIM_FIXTURE, "utf8"));
  const sp = fixture.servicePrincipals[1];
  const cred2 = new ClientSecretCredential(info.tenantId, sp.clientId, sp.clientSecret, { authorityHost: info.authority, disableInstanceDiscovery: true });
  const client2 = new NetworkManagementClient(cred2, sub, { ...clientOptions, retryOptions: { maxRetries: 10 } });
  const before429 = (await admin("GET", "counters")).json.byStatus["429"] ?? 0;
  const results = [];
  for (let batch = 0; batch < 9; batch++) {
    results.push(...(await Promise.all(Array.from({ length: 30 }, () => client2.networkSecurityGroups.get(rg, "nsg")))));
  }
  assert.equal(results.length, 270);
  assert.ok(results.every((r) => r.name === "nsg"));
  const after429 = (await admin("GET", "counters")).json.byStatus["429"] ?? 0;
  assert.ok(after429 - before429 >= 1, `expected throttled calls, saw ${after429 - before429}`);
  const log = (await admin("GET", "requests")).text.trim().split("\n").map((l) => JSON.parse(l));
  assert.ok(log.some((e) => e.status === 429 && e.principal === sp.objectId));
});

test("injected 503s with Retry-After are retried by the SDK", async () => {
  await admin("PUT", "faults", { rules: [{ kind: "read", type: "Microsoft.Network/networkSecurityGroups", fault: "503", count: 2, retryAfter: 0 }] });
  try {
    const before = (await admin("GET", "counters")).json.byStatus["503"] ?? 0;
    const nsg = await net.networkSecurityGroups.get(rg, "nsg");
    assert.equal(nsg.name, "nsg");
    assert.equal(((await admin("GET", "counters")).json.byStatus["503"] ?? 0) - before, 2);
  } finally {
    await admin("PUT", "faults", { rules: [] });
  }
});

test("injected 500 is retried; dropped connections are retried", async () => {
  await admin("PUT", "faults", { rules: [{ kind: "read", type: "Microsoft.Resources/resourceGroups", fault: "500", count: 1 }] });
  assert.equal((await resources.resourceGroups.get(rg)).name, rg);
  await admin("PUT", "faults", { rules: [{ kind: "read", type: "Microsoft.Resources/resourceGroups", fault: "drop", count: 1 }] });
  assert.equal((await resources.resourceGroups.get(rg)).name, rg);
  await admin("PUT", "faults", { rules: [] });
});

test("a long-running operation that ends Failed surfaces its error code through the poller", async () => {
  await admin("PUT", "faults", { rules: [{ kind: "write", type: "Microsoft.Network/publicIPAddresses", fault: "lroFailed", errorCode: "InternalOperationError", count: 1 }] });
  try {
    await assert.rejects(
      net.publicIPAddresses.beginCreateOrUpdateAndWait(rg, "failing", { location: loc, sku: { name: "Standard" }, publicIPAllocationMethod: "Static" }, poll),
      (e) => {
        assert.match(`${e.code} ${e.message}`, /InternalOperationError/);
        return true;
      },
    );
    const pip = await net.publicIPAddresses.get(rg, "failing");
    assert.equal(pip.provisioningState, "Failed");
    // A retry of the PUT succeeds.
    const ok = await net.publicIPAddresses.beginCreateOrUpdateAndWait(rg, "failing", { location: loc, sku: { name: "Standard" }, publicIPAllocationMethod: "Static" }, poll);
    assert.equal(ok.provisioningState, "Succeeded");
  } finally {
    await admin("PUT", "faults", { rules: [] });
  }
});

test("faults are deterministic: the same rules give the same pattern", async () => {
  const rules = { rules: [{ kind: "read", type: "Microsoft.Network/networkSecurityGroups", fault: "500", rate: 0.5 }] };
  const pattern = async () => {
    await admin("PUT", "faults", rules);
    const out = [];
    for (let i = 0; i < 24; i++) out.push((await arm("GET", `${rgId(rg)}/providers/Microsoft.Network/networkSecurityGroups/nsg`)).status);
    return out;
  };
  try {
    const a = await pattern();
    const b = await pattern();
    assert.deepEqual(a, b);
    assert.ok(a.includes(500) && a.includes(200));
  } finally {
    await admin("PUT", "faults", { rules: [] });
  }
  const bad = await admin("PUT", "faults", { rules: [{ fault: "teapot" }] });
  assert.equal(bad.status, 400);
});

test("admin API: request log lines, counters, reset", async () => {
  await arm("GET", `${rgId(rg)}?api-version=2019-10-01`);
  const lines = (await admin("GET", "requests")).text.trim().split("\n").map((l) => JSON.parse(l));
  const mine = lines.filter((l) => l.apiVersion === "2019-10-01");
  assert.ok(mine.length >= 1);
  for (const k of ["time", "principal", "method", "path", "apiVersion", "status", "durationMs"]) assert.ok(k in mine[0], k);
  assert.equal(mine[0].principal, "22222222-2222-4222-8222-222222222222");
  const counters = (await admin("GET", "counters")).json;
  assert.ok(counters.byMethod.GET > 0);
  assert.ok(counters.byType["Microsoft.Network/networkSecurityGroups"] > 0);
  await admin("POST", "reset");
  assert.equal((await admin("GET", "counters")).json.total, 0);
});

test("SIGKILL and restart on the same state dir loses no answered PUT", async () => {
  const dir = join(process.env.AZSIM_TMP, "restart");
  mkdirSync(dir, { recursive: true });
  // Reuse the suite's certificates so this process (whose CA list is fixed at start) trusts it.
  for (const f of ["ca.pem", "ca-key.pem", "server.pem", "server-key.pem", "jwt-key.pem"]) copyFileSync(join(info.stateDir, f), join(dir, f));
  const start = async () => {
    const p = spawn(process.env.AZSIM_BIN, ["--state-dir", dir, "--time-scale", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    const line = await new Promise((resolve) => createInterface({ input: p.stdout }).once("line", resolve));
    return { p, ready: JSON.parse(line) };
  };
  const stop = (p, signal) => new Promise((resolve) => { p.once("exit", resolve); p.kill(signal); });
  const first = await start();
  const cred = new ClientSecretCredential(first.ready.tenantId, first.ready.clientId, first.ready.clientSecret, { authorityHost: first.ready.authority, disableInstanceDiscovery: true });
  const token = (await cred.getToken("https://management.azure.com/.default")).token;
  const headers = { authorization: `Bearer ${token}` };
  const base = `${first.ready.arm}/subscriptions/${first.ready.subscriptionId}/resourceGroups/demo-rg/providers/Microsoft.Network/networkSecurityGroups`;
  const names = Array.from({ length: 20 }, (_, i) => `durable-${i}`);
  for (const n of names) {
    const r = await call("PUT", `${base}/${n}?api-version=2024-05-01`, { body: { location: "eastus" }, headers });
    assert.equal(r.status, 201);
  }
  await stop(first.p, "SIGKILL");
  const second = await start();
  try {
    const base2 = base.replace(first.ready.arm, second.ready.arm);
    for (const n of names) {
      const r = await call("GET", `${base2}/${n}?api-version=2024-05-01`, { headers });
      assert.equal(r.status, 200, `${n} lost after SIGKILL`);
    }
  } finally {
    await stop(second.p, "SIGTERM");
  }
});
