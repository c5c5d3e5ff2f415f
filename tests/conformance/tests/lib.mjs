// Shared setup for the conformance tests: azsim's ready line, SDK clients, admin API helpers.
import { ClientSecretCredential } from "@azure/identity";
import { request } from "node:https";
import assert from "node:assert/strict";

export const info = JSON.parse(process.env.AZSIM_READY);
export const sub = info.subscriptionId;
export const sub2 = "11111111-0000-0000-0000-000000000000";
export const rg = "demo-rg";

export const credential = new ClientSecretCredential(info.tenantId, info.clientId, info.clientSecret, {
  authorityHost: info.authority,
  disableInstanceDiscovery: true,
});

// Options every ARM client gets: azsim's endpoint, quick retries.
export const clientOptions = {
  endpoint: info.arm,
  $host: info.arm,
  credentialScopes: ["https://management.azure.com/.default"],
  retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 200 },
};
// Pollers: azsim sends Retry-After: 0 at --time-scale 0, so the SDK uses this interval.
export const poll = { updateIntervalInMs: 5 };

let counter = 0;
export function unique(prefix) {
  counter += 1;
  return `${prefix}${process.pid % 1000}${counter}`;
}

export function rgId(group = rg, subscription = sub) {
  return `/subscriptions/${subscription}/resourceGroups/${group}`;
}

// Raw HTTPS call to azsim (admin API, or ARM with a token).
export function call(method, url, { body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const req = request(url, { method, headers: { ...(data ? { "content-type": "application/json" } : {}), ...headers } }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        let json;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on("error", reject);
    if (data) req.write(data);
    req.end();
  });
}

export const admin = (method, path, body) => call(method, `${info.arm}/_azsim/${path}`, { body });

export async function armToken() {
  return (await credential.getToken("https://management.azure.com/.default")).token;
}

export async function arm(method, path, body, headers = {}) {
  const token = await armToken();
  const sep = path.includes("?") ? "&" : "?";
  const url = path.includes("api-version") ? `${info.arm}${path}` : `${info.arm}${path}${sep}api-version=2024-05-01`;
  return call(method, url, { body, headers: { authorization: `Bearer ${token}`, ...headers } });
}

// Asserts that a promise rejects with a RestError of this status and code.
export async function rejects(promise, status, code) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.statusCode, status, `status of ${e.code}: ${e.message}`);
    if (code) assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${status} ${code ?? ""}, but the call succeeded`);
}

export async function withPaused(fn) {
  await admin("POST", "pause");
  try {
    return await fn();
  } finally {
    await admin("POST", "resume");
  }
}

// Polls a resource (raw protocol) until its provisioningState is terminal; returns the document.
export async function waitTerminal(path) {
  for (;;) {
    const r = await arm("GET", path);
    const state = r.json?.properties?.provisioningState;
    if (r.status !== 200 || !state || ["Succeeded", "Failed", "Canceled"].includes(state)) return r.json;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
