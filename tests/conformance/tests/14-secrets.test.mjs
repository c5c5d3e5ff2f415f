// No secret azsim holds appears in any ARM response, in its request log or on its stdout/stderr:
// VM adminPassword and customData, extension protectedSettings, storage keys (outside listKeys),
// Key Vault secret values (outside the data plane's GET) and the fixture's client secret (outside
// the ready line, which carries it by design). The test starts an azsim of its own (same CA and
// signing key as the suite's, copied into a new state dir) so that it sees every byte it logs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ClientSecretCredential } from "@azure/identity";
import { call, info as mainInfo } from "./lib.mjs";

const SECRETS = {
  adminPassword: "AzsimPw-Secret-7f3a91e2!",
  customData: "#cloud-config\n# AZSIM-SECRET-CUSTOMDATA-5b2e44\n",
  protected: "AZSIM-SECRET-PROTECTED-c81d09",
  vaultValue: "AZSIM-SECRET-VAULTVALUE-3e77aa",
};
const customDataB64 = Buffer.from(SECRETS.customData).toString("base64");

test("no secret appears in ARM answers, the request log or azsim's output", async () => {
  const dir = join(process.env.AZSIM_TMP, "secrets");
  mkdirSync(dir, { recursive: true });
  for (const f of ["ca.pem", "ca-key.pem", "server.pem", "server-key.pem", "jwt-key.pem"])
    copyFileSync(join(mainInfo.stateDir, f), join(dir, f));
  const sim = spawn(process.env.AZSIM_BIN, ["--state-dir", dir, "--fixtures", process.env.AZSIM_FIXTURE, "--time-scale", "0", "--no-throttle"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  sim.stderr.on("data", (c) => (stderr += c));
  const readyLine = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: sim.stdout });
    rl.once("line", resolve);
    sim.once("exit", (code) => reject(new Error(`azsim exited ${code}: ${stderr}`)));
  });
  sim.stdout.on("data", (c) => (stdout += c));
  const info = JSON.parse(readyLine);
  try {
    const cred = new ClientSecretCredential(info.tenantId, info.clientId, info.clientSecret, {
      authorityHost: info.authority,
      disableInstanceDiscovery: true,
    });
    const token = (await cred.getToken("https://management.azure.com/.default")).token;
    const captured = []; // every ARM answer that must be free of secrets
    const armCall = async (method, path, body, apiVersion) => {
      const sep = path.includes("?") ? "&" : "?";
      const r = await call(method, `${info.arm}${path}${sep}api-version=${apiVersion}`, {
        body,
        headers: { authorization: `Bearer ${token}` },
      });
      captured.push({ what: `${method} ${path}`, text: r.text, headers: JSON.stringify(r.headers) });
      for (const h of ["azure-asyncoperation", "location"]) {
        if (!r.headers[h]) continue;
        const p = await call("GET", r.headers[h], { headers: { authorization: `Bearer ${token}` } });
        captured.push({ what: `poll ${r.headers[h]}`, text: p.text, headers: JSON.stringify(p.headers) });
      }
      return r;
    };
    const g = `/subscriptions/${info.subscriptionId}/resourceGroups/secrets-rg`;
    const net = `${g}/providers/Microsoft.Network`;
    assert.ok((await armCall("PUT", g, { location: "eastus" }, "2024-11-01")).status < 300);
    await armCall("PUT", `${net}/virtualNetworks/vnet`, {
      location: "eastus",
      properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] }, subnets: [{ name: "s", properties: { addressPrefix: "10.0.0.0/24" } }] },
    }, "2025-05-01");
    await armCall("PUT", `${net}/networkInterfaces/nic`, {
      location: "eastus",
      properties: { ipConfigurations: [{ name: "ip", properties: { subnet: { id: `${net}/virtualNetworks/vnet/subnets/s` } } }] },
    }, "2025-05-01");
    const image = `${g}/providers/Microsoft.Compute/images/img`;
    await armCall("PUT", image, {
      location: "eastus",
      properties: { storageProfile: { osDisk: { osType: "Linux", osState: "Generalized", blobUri: `${info.blob}/imagecatalog/vhds/base.vhd` } } },
    }, "2025-04-01");
    const vm = `${g}/providers/Microsoft.Compute/virtualMachines/vm`;
    const vmBody = {
      location: "eastus",
      properties: {
        hardwareProfile: { vmSize: "Standard_D2s_v5" },
        storageProfile: { imageReference: { id: image }, osDisk: { createOption: "FromImage" } },
        osProfile: { computerName: "vm", adminUsername: "azureuser", adminPassword: SECRETS.adminPassword, customData: customDataB64 },
        networkProfile: { networkInterfaces: [{ id: `${net}/networkInterfaces/nic` }] },
      },
    };
    const put = await armCall("PUT", vm, vmBody, "2025-04-01");
    assert.ok(put.status < 300, put.text);
    await armCall("PUT", vm, vmBody, "2025-04-01"); // an update answers the document again
    await armCall("PUT", `${vm}/extensions/run`, {
      location: "eastus",
      properties: { publisher: "Microsoft.Azure.Extensions", type: "CustomScript", typeHandlerVersion: "2.1", protectedSettings: { commandToExecute: SECRETS.protected } },
    }, "2025-04-01");
    // A storage account; its keys may appear in listKeys only.
    const sa = `${g}/providers/Microsoft.Storage/storageAccounts/secretsacct${process.pid % 10000}`;
    await armCall("PUT", sa, { location: "eastus", sku: { name: "Standard_LRS" }, kind: "StorageV2" }, "2025-06-01");
    const keysAnswer = await call("POST", `${info.arm}${sa}/listKeys?api-version=2025-06-01`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(keysAnswer.status, 200, keysAnswer.text);
    const keys = keysAnswer.json.keys.map((k) => k.value);
    // A vault holding a secret set through the data plane.
    const vault = `${g}/providers/Microsoft.KeyVault/vaults/secrets-kv${process.pid % 10000}`;
    await armCall("PUT", vault, {
      location: "eastus",
      properties: {
        tenantId: info.tenantId,
        sku: { family: "A", name: "standard" },
        accessPolicies: [{ tenantId: info.tenantId, objectId: "22222222-2222-4222-8222-222222222222", permissions: { secrets: ["all"] } }],
      },
    }, "2024-11-01");
    const vaultDoc = (await armCall("GET", vault, undefined, "2024-11-01")).json;
    const vaultToken = (await cred.getToken("https://vault.azure.net/.default")).token;
    const setSecret = await call("PUT", `${vaultDoc.properties.vaultUri}secrets/s1?api-version=7.4`, {
      body: { value: SECRETS.vaultValue },
      headers: { authorization: `Bearer ${vaultToken}` },
    });
    assert.equal(setSecret.status, 200, setSecret.text);
    const listed = await call("GET", `${vaultDoc.properties.vaultUri}secrets?api-version=7.4`, { headers: { authorization: `Bearer ${vaultToken}` } });
    captured.push({ what: "GET secrets (list)", text: listed.text, headers: "" });
    // Reads: every document, lists, expansions.
    for (const [path, v] of [
      [vm, "2025-04-01"], [`${vm}?$expand=instanceView`, "2025-04-01"], [`${vm}/extensions/run`, "2025-04-01"],
      [`${vm}/extensions/run?$expand=instanceView`, "2025-04-01"], [`${g}/providers/Microsoft.Compute/virtualMachines`, "2025-04-01"],
      [`/subscriptions/${info.subscriptionId}/providers/Microsoft.Compute/virtualMachines`, "2025-04-01"],
      [`${g}/resources?$expand=createdTime,changedTime,provisioningState`, "2024-11-01"],
      [`/subscriptions/${info.subscriptionId}/resources`, "2024-11-01"], [sa, "2025-06-01"],
      [`${g}/providers/Microsoft.Storage/storageAccounts`, "2025-06-01"], [vault, "2024-11-01"],
      [`${g}/providers/Microsoft.KeyVault/vaults`, "2024-11-01"], [`${g}/providers/Microsoft.Compute/disks`, "2025-04-01"],
    ]) {
      const r = await armCall("GET", path, undefined, v);
      assert.equal(r.status, 200, `${path}: ${r.text}`);
    }
    await armCall("PATCH", vm, { tags: { a: "b" } }, "2025-04-01");
    const log = await call("GET", `${info.arm}/_azsim/requests`);
    assert.equal(log.status, 200);
    const needles = {
      adminPassword: SECRETS.adminPassword,
      customData: customDataB64,
      "customData (decoded)": "AZSIM-SECRET-CUSTOMDATA-5b2e44",
      protectedSettings: SECRETS.protected,
      "storage key1": keys[0],
      "storage key2": keys[1],
      "Key Vault secret value": SECRETS.vaultValue,
      "client secret": info.clientSecret,
    };
    const haystacks = [
      ...captured.map((c) => [`answer to ${c.what}`, c.text + c.headers]),
      ["request log (/_azsim/requests)", log.text],
      ["azsim stderr", stderr],
      ["azsim stdout after the ready line", stdout],
    ];
    const found = [];
    for (const [where, text] of haystacks)
      for (const [what, needle] of Object.entries(needles))
        if (needle && text.includes(needle)) found.push(`${what} in ${where}`);
    assert.deepEqual(found, []);
    assert.ok(captured.length > 20, `only ${captured.length} answers captured`);
  } finally {
    sim.kill("SIGTERM");
    await new Promise((resolve) => sim.once("exit", resolve));
  }
});
