// Starts azsim on free loopback ports, then runs the conformance tests (node --test) against it
// with NODE_EXTRA_CA_CERTS pointing at azsim's CA. Usage: node run.mjs /path/to/azsim
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const bin = process.argv[2];
if (!bin || !existsSync(bin)) {
  console.error(`usage: node run.mjs /path/to/azsim (got ${bin})`);
  process.exit(2);
}
if (!existsSync(join(here, "node_modules", "@azure", "arm-resources"))) {
  console.error(
    `FAIL: ${join(here, "node_modules")} is missing: run 'npm ci' in ${here} (scripts/install-deps does).`,
  );
  process.exit(1);
}

const stateDir = mkdtempSync(join(tmpdir(), "azsim-conformance-"));
// Fixture: the default tenant/subscription plus a second principal (for throttling tests) and a
// second subscription (for global storage names).
const fixture = {
  tenants: ["72f988bf-0000-4000-8000-00000000a2e1"],
  subscriptions: [
    { id: "00000000-0000-0000-0000-000000000000", displayName: "conformance" },
    { id: "11111111-0000-0000-0000-000000000000", displayName: "second" },
  ],
  servicePrincipals: [
    { clientId: "11111111-1111-4111-8111-111111111111", clientSecret: "azsim-client-secret", objectId: "22222222-2222-4222-8222-222222222222" },
    { clientId: "55555555-5555-4555-8555-555555555555", clientSecret: "second-secret", objectId: "66666666-6666-4666-8666-666666666666" },
    { clientId: "33333333-3333-4333-8333-333333333333", objectId: "44444444-4444-4444-8444-444444444444", managedIdentity: true },
  ],
  resources: [
    { id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo-rg", body: { location: "eastus" } },
    { id: "/subscriptions/11111111-0000-0000-0000-000000000000/resourceGroups/other-rg", body: { location: "westus" } },
    {
      id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo-rg/providers/Microsoft.Storage/storageAccounts/imagecatalog",
      body: { location: "eastus", sku: { name: "Standard_LRS" }, kind: "StorageV2" },
    },
  ],
  // An image catalog holding a fixed VHD of 64 MiB.
  blobs: [{ account: "imagecatalog", container: "vhds", name: "base.vhd", sizeBytes: 64 * 1024 * 1024, vhd: true }],
};
const fixtureFile = join(stateDir, "fixture.json");
writeFileSync(fixtureFile, JSON.stringify(fixture));

const sim = spawn(bin, ["--state-dir", join(stateDir, "main"), "--fixtures", fixtureFile, "--time-scale", process.env.AZSIM_TIME_SCALE ?? "0", "--seed", "7"], {
  stdio: ["ignore", "pipe", "inherit"],
});
let exiting = false;
sim.on("exit", (code, signal) => {
  if (!exiting) {
    console.error(`FAIL: azsim exited early (code ${code}, signal ${signal})`);
    process.exit(1);
  }
});
const ready = await new Promise((resolve, reject) => {
  const rl = createInterface({ input: sim.stdout });
  const timer = setTimeout(() => reject(new Error("azsim did not print its ready line within 60 s")), 60000);
  rl.once("line", (line) => {
    clearTimeout(timer);
    resolve(line);
  });
});
const info = JSON.parse(ready);

const files = readdirSync(join(here, "tests"))
  .filter((f) => f.endsWith(".test.mjs"))
  // AZSIM_TESTS (a regular expression over file names) runs a subset, e.g. AZSIM_TESTS='^1[01]-'.
  .filter((f) => !process.env.AZSIM_TESTS || new RegExp(process.env.AZSIM_TESTS).test(f))
  .sort()
  .map((f) => join(here, "tests", f));
// Node 18 (Debian 12's nodejs) has no global `crypto` unless asked; the Azure SDKs need it.
const webcrypto = globalThis.crypto ? [] : ["--experimental-global-webcrypto"];
const child = spawn(process.execPath, [...webcrypto, "--test", "--test-concurrency=1", "--test-reporter=tap", ...files], {
  stdio: "inherit",
  cwd: here,
  env: {
    ...process.env,
    NODE_EXTRA_CA_CERTS: info.caFile,
    AZSIM_READY: ready,
    AZSIM_BIN: bin,
    AZSIM_FIXTURE: fixtureFile,
    AZSIM_TMP: stateDir,
  },
});
const code = await new Promise((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
exiting = true;
sim.kill("SIGTERM");
await new Promise((resolve) => sim.once("exit", resolve));
rmSync(stateDir, { recursive: true, force: true });
process.exit(code);
