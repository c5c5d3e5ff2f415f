// Replays Microsoft's documented request/response pairs (the x-ms-examples of
// Azure/azure-rest-api-specs, stored under tests/conformance/examples/<type>/ with their source
// path and api-version in `_source`) against azsim and compares every property path of the
// documented response with azsim's answer.
//
// Each example file carries a `_replay` section:
//   method    PUT (the default when the example has a body parameter) or GET
//   path      the operation's path template, placeholders from the example's parameters
//   body      name of the body parameter (default "parameters")
//   setup     [{path, body, method}] PUTs (same placeholders) that create prerequisites, or the
//             resource a GET example reads; `method` DELETE removes one (a vault that becomes the
//             deleted vault an example reads)
//   rewrite   {from: to} string replacements applied to the whole example (names that are global
//             in Azure, references to other groups or subscriptions)
//   computed  extra leaf names compared by presence and JSON type only
//   omit      [{path, reason}] parts of the request (and the documented answer) left out because
//             they name features azsim does not implement
//   answer    compare the PUT's own answer instead of a GET after it (actions written as PUTs)
//   expectStatus, reason: a documented request azsim refuses on purpose
//   accepted  [{path, reason}] differences accepted on purpose; `path` is a dotted property path
//             where `*` matches one segment and a trailing `**` any rest
//   gone      a path (same placeholders) that must answer 404 after the example (an action that
//             removes something, documented without an answer body)
//   absent    dotted paths that must not be in azsim's answer (secrets the request carried, which
//             the documented answer leaves out: comparing documented paths alone would not see
//             them leak)
// The subscription of every example becomes the fixture's, and its resource group a new group
// per example (ex-<file>), so names never collide.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { admin, arm, sub, call, info, armToken } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "examples");

function walk(dir) {
  const out = [];
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (f.endsWith(".json")) out.push(p);
  }
  return out;
}

// Leaves Azure computes: compared by presence and JSON type, not value.
const COMPUTED = new Set([
  "etag", "resourceGuid", "principalId", "clientId", "tenantId", "vmId", "timeCreated",
  "creationTime", "lastModifiedTime", "ipAddress", "macAddress", "uniqueId", "createdTime",
  "changedTime", "lastModifiedTimeUtc", "diskSizeBytes", "uniqueIdentifier", "vaultUri",
  "privateIPAddress", "blob", "dfs", "file", "queue", "table", "web", "deletionDate",
  "scheduledPurgeDate", "hyperVGeneration", "isolationScope_", "time", "startTime",
]);

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function pathMatches(pattern, path) {
  const p = pattern.split(".");
  const a = path.split(".");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === "**") return true;
    if (i >= a.length) return false;
    if (p[i] !== "*" && p[i].toLowerCase() !== a[i].toLowerCase()) return false;
  }
  return true; // a difference below an accepted path is accepted with it
}

const looksLikeId = (s) => typeof s === "string" && s.startsWith("/subscriptions/");
const typeOf = (v) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

// Compares `exp` (documented) with `act` (azsim); pushes [path, message] differences.
function compare(exp, act, path, computed, diffs, counter) {
  const leaf = path.split(".").pop().replace(/\[.*\]$/, "");
  if (exp !== null && typeof exp === "object" && !Array.isArray(exp)) {
    if (typeOf(act) !== "object") return diffs.push([path, `expected an object, got ${typeOf(act)}`]);
    for (const [k, v] of Object.entries(exp)) {
      const key = Object.keys(act).find((x) => x.toLowerCase() === k.toLowerCase());
      const p = path ? `${path}.${k}` : k;
      if (key === undefined) {
        diffs.push([p, `missing (documented ${JSON.stringify(v).slice(0, 80)})`]);
        continue;
      }
      compare(v, act[key], p, computed, diffs, counter);
    }
    return;
  }
  if (Array.isArray(exp)) {
    if (!Array.isArray(act)) return diffs.push([path, `expected an array, got ${typeOf(act)}`]);
    counter.n++;
    if (exp.length !== act.length) diffs.push([path, `length ${act.length}, documented ${exp.length}`]);
    exp.forEach((e, i) => {
      let a = act[i];
      if (e && typeof e === "object" && typeof e.name === "string")
        a = act.find((x) => x && typeof x.name === "string" && x.name.toLowerCase() === e.name.toLowerCase());
      if (a === undefined) return diffs.push([`${path}.${e?.name ?? i}`, "missing element"]);
      compare(e, a, `${path}.${e?.name ?? i}`, computed, diffs, counter);
    });
    return;
  }
  counter.n++;
  if (computed.has(leaf)) {
    if (typeOf(act) !== typeOf(exp)) diffs.push([path, `type ${typeOf(act)}, documented ${typeOf(exp)}`]);
    return;
  }
  if (looksLikeId(exp) && looksLikeId(act) && exp.toLowerCase() === act.toLowerCase()) return;
  // Resource names are case-insensitive in ARM.
  if (leaf === "name" && typeof exp === "string" && typeof act === "string" &&
      exp.toLowerCase() === act.toLowerCase()) return;
  if (leaf === "location" && typeof exp === "string" && typeof act === "string" &&
      exp.replace(/ /g, "").toLowerCase() === act.toLowerCase()) return;
  if (JSON.stringify(exp) !== JSON.stringify(act))
    diffs.push([path, `${JSON.stringify(act)}, documented ${JSON.stringify(exp)}`]);
}

function fill(template, params) {
  return template.replace(/\{([^}]+)\}/g, (_, k) => {
    if (!(k in params)) throw new Error(`no parameter ${k}`);
    return k === "scope" ? params[k] : encodeURIComponent(params[k]);
  });
}

// Applies the subscription/group/name rewrites to the whole example.
function rewrite(example, group, suffix) {
  const params = example.parameters;
  let text = JSON.stringify(example);
  const subOf = params.subscriptionId;
  if (subOf) text = text.replace(new RegExp(`/subscriptions/${escapeRe(subOf)}(?=[/"])`, "gi"), `/subscriptions/${sub}`);
  const rgOf = params.resourceGroupName;
  if (rgOf) text = text.replace(new RegExp(`/resourceGroups/${escapeRe(rgOf)}(?=[/"])`, "gi"), `/resourceGroups/${group}`);
  for (const [from, to] of Object.entries(example._replay?.rewrite ?? {}))
    text = text.split(from).join(to.replace("{sub}", sub).replace("{group}", group).replace("{suffix}", suffix).replace("{blob}", info.blob));
  text = text.split("{sub}").join(sub).split("{group}").join(group).split("{suffix}").join(suffix)
    .split("{blob}").join(info.blob);
  const out = JSON.parse(text);
  if (subOf) out.parameters.subscriptionId = sub;
  if (rgOf) out.parameters.resourceGroupName = group;
  out.parameters.tenantId ??= info.tenantId;
  // `omit`: parts of a documented request that name features azsim does not implement are left
  // out of the request and of the expected answer (each with its reason).
  for (const o of out._replay?.omit ?? []) {
    const body = out.parameters[out._replay.body ?? "parameters"];
    for (const doc of [body, ...Object.values(out.responses).map((r) => r.body)]) {
      if (!doc) continue;
      const keys = o.path.split(".");
      let node = doc;
      for (const k of keys.slice(0, -1)) node = node?.[k];
      if (node && typeof node === "object") delete node[keys.at(-1)];
    }
  }
  return out;
}

async function send(method, path, apiVersion, body) {
  const sep = path.includes("?") ? "&" : "?";
  return arm(method, `${path}${sep}api-version=${apiVersion}`, body);
}

// PUT (or DELETE) and wait until the resource (or its operation) is terminal; returns the answer.
async function writeAndWait(path, apiVersion, body, method = "PUT") {
  const r = await send(method, path, apiVersion, body);
  const poll = r.headers["azure-asyncoperation"] ?? r.headers.location;
  if ((r.status === 201 || r.status === 202 || r.status === 200) && poll && r.status !== 200) {
    const token = await armToken();
    for (let i = 0; i < 2000; i++) {
      const s = await call("GET", poll, { headers: { authorization: `Bearer ${token}` } });
      if (s.status === 200 && (!s.json?.status || ["Succeeded", "Failed", "Canceled"].includes(s.json.status))) break;
      if (s.status === 204) break;
      await new Promise((res) => setTimeout(res, 10));
    }
  }
  return r;
}

// The replay polls and reads a lot; ARM throttling (tested elsewhere) is off meanwhile.
before(async () => assert.equal((await admin("PUT", "throttle", { enabled: false })).status, 200));
after(async () => {
  await admin("PUT", "throttle", { enabled: true });
});

const files = walk(root);
// Global names (storage accounts, vaults) get a suffix of the run and the example, so examples
// reusing a name and reruns against a kept state dir do not collide.
const suffix = String(process.pid % 1000);
const summary = {};
const acceptedAll = [];

for (const file of files) {
  const name = relative(root, file);
  test(`example ${name}`, async () => {
    const raw = JSON.parse(readFileSync(file, "utf8"));
    const group = `ex-${name.replace(/[^A-Za-z0-9]+/g, "-").slice(0, 80)}`;
    const ex = rewrite(raw, group, `${suffix}${files.indexOf(file)}`);
    const rp = ex._replay;
    const apiVersion = ex._source.apiVersion;
    const params = ex.parameters;
    const created = await arm("PUT", `/subscriptions/${sub}/resourcegroups/${group}?api-version=2024-11-01`, { location: "eastus" });
    assert.ok(created.status < 300, `resource group: ${created.text}`);
    for (const s of rp.setup ?? []) {
      const r = await writeAndWait(fill(s.path, params), s.apiVersion ?? apiVersion, s.body, s.method);
      assert.ok(r.status < 300, `setup ${s.path}: ${r.status} ${r.text}`);
    }
    const path = fill(rp.path, params);
    const method = rp.method ?? "PUT";
    let answer;
    const documented = Object.keys(ex.responses).map(Number);
    if (rp.expectStatus) {
      // A documented request azsim refuses on purpose: `reason` says why.
      const r = await send(method, path, apiVersion, params[rp.body ?? "parameters"]);
      assert.equal(r.status, rp.expectStatus, `${r.text} (accepted because ${rp.reason})`);
      acceptedAll.push(`${name}: answered ${r.status}: ${rp.reason}`);
      summary[name.split("/")[0]] = (summary[name.split("/")[0]] ?? 0) + 1;
      return;
    }
    if (method === "PUT") {
      const r = await writeAndWait(path, apiVersion, params[rp.body ?? "parameters"]);
      assert.ok(documented.includes(r.status) || (rp.statuses ?? []).includes(r.status),
        `PUT answered ${r.status}, documented ${documented.join("/")}: ${r.text}`);
      // `answer`: actions written as PUTs (a vault's accessPolicies/add) are compared as answered.
      answer = rp.answer ? r.json : (await send("GET", path, apiVersion)).json;
    } else if (method === "POST" || method === "PATCH") {
      const r = await send(method, path, apiVersion, params[rp.body ?? "parameters"]);
      assert.ok(documented.includes(r.status), `${method} answered ${r.status}: ${r.text}`);
      answer = r.json;
    } else {
      const r = await send("GET", path, apiVersion);
      assert.equal(r.status, 200, r.text);
      answer = r.json;
    }
    if (rp.gone) {
      const g = await send("GET", fill(rp.gone, params), apiVersion);
      assert.equal(g.status, 404, `${rp.gone} is still there after the example: ${g.text}`);
    }
    for (const p of rp.absent ?? []) {
      let node = answer;
      for (const k of p.split(".")) node = node && typeof node === "object" ? node[k] : undefined;
      assert.equal(node, undefined, `${name}: ${p} is answered (a secret must not be)`);
    }
    const expected = ["200", "201", "202"].map((s) => ex.responses[s]?.body).find((b) => b !== undefined);
    const diffs = [];
    const counter = { n: 0 };
    compare(expected, answer, "", new Set([...COMPUTED, ...(rp.computed ?? [])]), diffs, counter);
    const accepted = rp.accepted ?? [];
    const open = diffs.filter(([p]) => !accepted.some((a) => pathMatches(a.path, p)));
    for (const a of [...accepted, ...(rp.omit ?? [])]) acceptedAll.push(`${name}: ${a.path}: ${a.reason}`);
    const type = name.split("/")[0];
    summary[type] = (summary[type] ?? 0) + 1;
    assert.deepEqual(open.map(([p, m]) => `${p}: ${m}`), [],
      `${name} (${ex._source.path}, api-version ${apiVersion}): ${counter.n} paths compared\n` +
        `azsim answered ${JSON.stringify(answer)}`);
  });
}

test("examples cover every implemented type with at least two examples", () => {
  const total = Object.values(summary).reduce((a, b) => a + b, 0);
  console.log(`# examples replayed: ${total}`, JSON.stringify(summary));
  for (const a of acceptedAll) console.log(`# accepted: ${a}`);
  for (const [type, n] of Object.entries(summary)) assert.ok(n >= 2, `${type}: only ${n} example`);
});
