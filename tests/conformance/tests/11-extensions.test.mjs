// VM extensions through @azure/arm-compute with azsim's guest model (what cloud-init and kubeadm
// would do with the VM's user data): an init node, worker joins with the right and a wrong CA
// pin, token and Key Vault checks, instance views, failure messages, faults, the admin user-data
// call, and IMDS tokens of user-assigned identities used against Key Vault.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac, X509Certificate } from "node:crypto";
import { ResourceManagementClient } from "@azure/arm-resources";
import { NetworkManagementClient } from "@azure/arm-network";
import { ComputeManagementClient } from "@azure/arm-compute";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { SecretClient } from "@azure/keyvault-secrets";
import { credential, clientOptions, poll, sub, unique, rejects, rgId, info, call, admin, arm } from "./lib.mjs";

const resources = new ResourceManagementClient(credential, sub, clientOptions);
const net = new NetworkManagementClient(credential, sub, clientOptions);
const compute = new ComputeManagementClient(credential, sub, clientOptions);
const msi = new ManagedServiceIdentityClient(credential, sub, clientOptions);
const kv = new KeyVaultManagementClient(credential, sub, clientOptions);
const rg = unique("ext-rg");
const loc = "eastus";
const secretOptions = { disableChallengeResourceVerification: true };

const caPem = `-----BEGIN CERTIFICATE-----
MIIBfzCCASWgAwIBAgIUPKrUZgiubV/MNVNYdizvXRNMS/IwCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKa3ViZXJuZXRlczAeFw0yNjEyMDExMTI1NTNaFw0zNjExMjgx
MTI1NTNaMBUxEzARBgNVBAMMCmt1YmVybmV0ZXMwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATueKetmqKzsqoFrClLFtjyNFEs102tf0aXeV2UbZ1MUcHp7K2WiycD
eD45E9emMPgPhogGJAJmOIJmxp6HJ9x5o1MwUTAdBgNVHQ4EFgQUq0mEzU6p8/Lc
lFwJe566qzTt0F8wHwYDVR0jBBgwFoAUq0mEzU6p8/LclFwJe566qzTt0F8wDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEA+YPtLk8aEVZFHtCN7mCl
BDyo9EOmjNCn6lUk8xWHXpgCIE2oXPF3TCQrDGWbjEd5F4F7LGSRSrnDZTBKM4yC
j8Au
-----END CERTIFICATE-----
`;
// kubeadm's pin: SHA-256 over the DER SubjectPublicKeyInfo, computed here independently.
const caHash = "sha256:" + createHash("sha256").update(new X509Certificate(caPem).publicKey.export({ type: "spki", format: "der" })).digest("hex");
const seed = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const listedToken = "abcdef.0123456789abcdef";

let subnetId, imageId, identity, vault, vaultUri;
const nicId = (n) => `${rgId(rg)}/providers/Microsoft.Network/networkInterfaces/${n}`;

function indent(text, n) {
  return text.split("\n").map((l) => " ".repeat(n) + l).join("\n");
}

function cloudConfig({ kubeadm, env, ca }) {
  const files = [];
  if (kubeadm) files.push({ path: "/run/kubeadm/kubeadm.yaml", content: kubeadm });
  if (env) files.push({ path: "/etc/easel/bootstrap.env", content: env });
  if (ca) files.push({ path: "/etc/kubernetes/pki/ca.crt", content: ca });
  let out = "#cloud-config\nwrite_files:\n";
  for (const f of files) out += `  - path: ${f.path}\n    permissions: "0600"\n    content: |\n${indent(f.content.trimEnd(), 6)}\n`;
  return out + "runcmd:\n  - [sh, -c, 'kubeadm init --config /run/kubeadm/kubeadm.yaml']\n";
}

function initConfig(endpoint, { withCa = true, vaultUri: uri = vaultUri } = {}) {
  return cloudConfig({
    kubeadm: `apiVersion: kubeadm.k8s.io/v1beta3
kind: InitConfiguration
bootstrapTokens:
  - token: "${listedToken}"
    ttl: 15m0s
nodeRegistration:
  name: cp-0
---
apiVersion: kubeadm.k8s.io/v1beta3
kind: ClusterConfiguration
controlPlaneEndpoint: "${endpoint}"
kubernetesVersion: v1.30.0`,
    env: `VAULT_URI=${uri}\nIDENTITY_CLIENT_ID=${identity.clientId}\n`,
    ca: withCa ? caPem : undefined,
  });
}

function joinConfig(endpoint, { token, hash = caHash, controlPlane = false } = {}) {
  return cloudConfig({
    kubeadm: `apiVersion: kubeadm.k8s.io/v1beta3
kind: JoinConfiguration
discovery:
  bootstrapToken:
    apiServerEndpoint: "${endpoint}"
    token: "${token}"
    caCertHashes:
      - "${hash}"
nodeRegistration:
  name: node
${controlPlane ? "controlPlane:\n  localAPIEndpoint:\n    bindPort: 6443\n" : ""}`,
    env: `VAULT_URI=${vaultUri}\nIDENTITY_CLIENT_ID=${identity.clientId}\n`,
    ca: controlPlane ? caPem : undefined,
  });
}

function windowToken(key, window) {
  const hex = createHmac("sha256", key).update(String(window)).digest("hex");
  return `${hex.slice(0, 6)}.${hex.slice(6, 22)}`;
}

async function vm(name, userData, { withIdentity = true, rawCustomData } = {}) {
  await net.networkInterfaces.beginCreateOrUpdateAndWait(rg, `${name}-nic`, { location: loc, ipConfigurations: [{ name: "ip", subnet: { id: subnetId } }] }, poll);
  const osProfile = { computerName: name, adminUsername: "azureuser", linuxConfiguration: { disablePasswordAuthentication: true, ssh: { publicKeys: [{ path: "/home/azureuser/.ssh/authorized_keys", keyData: "ssh-ed25519 AAAA test" }] } } };
  if (userData !== undefined) osProfile.customData = Buffer.from(userData).toString("base64");
  if (rawCustomData !== undefined) osProfile.customData = rawCustomData;
  return compute.virtualMachines.beginCreateOrUpdateAndWait(rg, name, {
    location: loc,
    ...(withIdentity ? { identity: { type: "UserAssigned", userAssignedIdentities: { [identity.id]: {} } } } : {}),
    hardwareProfile: { vmSize: "Standard_D2s_v3" },
    storageProfile: { imageReference: { id: imageId }, osDisk: { createOption: "FromImage", managedDisk: { storageAccountType: "Premium_LRS" } } },
    osProfile,
    networkProfile: { networkInterfaces: [{ id: nicId(`${name}-nic`), primary: true }] },
  }, poll);
}

// A long-running operation that ends Failed: the SDK rejects with the operation's error.
async function lroFails(promise, code) {
  try {
    await promise;
  } catch (e) {
    // core-lro reports the operation's error as "... has failed. {code}. {message}".
    assert.ok((e.code ?? "") === code || e.message.includes(`. ${code}. `), e.message);
    return e;
  }
  assert.fail(`expected the operation to fail with ${code}`);
}

const extension = {
  location: loc,
  publisher: "Microsoft.Azure.Extensions",
  typePropertiesType: "CustomScript",
  typeHandlerVersion: "2.1",
  autoUpgradeMinorVersion: true,
  settings: {},
  protectedSettings: { commandToExecute: "/usr/local/bin/easel-bootstrap" },
};

const bootstrap = (vmName) => compute.virtualMachineExtensions.beginCreateOrUpdateAndWait(rg, vmName, "bootstrap", extension, poll);
const view = async (vmName) => (await compute.virtualMachineExtensions.get(rg, vmName, "bootstrap", { expand: "instanceView" })).instanceView;
const stdout = (iv) => iv.substatuses.find((s) => s.code.includes("/StdOut/")).message;
const stderr = (iv) => iv.substatuses.find((s) => s.code.includes("/StdErr/")).message;

async function secrets(uri, names) {
  const c = new SecretClient(uri, credential, secretOptions);
  for (const n of names) await c.setSecret(n, n === "join-token-seed" ? seed : `-----BEGIN PRIVATE KEY----- ${n}`);
}

before(async () => {
  await resources.resourceGroups.createOrUpdate(rg, { location: loc });
  const v = await net.virtualNetworks.beginCreateOrUpdateAndWait(rg, "vnet", { location: loc, addressSpace: { addressPrefixes: ["10.0.0.0/16"] }, subnets: [{ name: "nodes", addressPrefix: "10.0.1.0/24" }] }, poll);
  subnetId = v.subnets[0].id;
  const img = await compute.images.beginCreateOrUpdateAndWait(rg, "base", {
    location: loc, storageProfile: { osDisk: { osType: "Linux", osState: "Generalized", blobUri: `${info.blob}/imagecatalog/vhds/base.vhd` } },
  }, poll);
  imageId = img.id;
  identity = await msi.userAssignedIdentities.createOrUpdate(rg, "nodes", { location: loc });
  const me = JSON.parse(Buffer.from((await credential.getToken("https://vault.azure.net/.default")).token.split(".")[1], "base64url").toString()).oid;
  vault = unique("extkv");
  const created = await kv.vaults.beginCreateOrUpdateAndWait(rg, vault, {
    location: loc,
    properties: {
      tenantId: info.tenantId,
      sku: { family: "A", name: "standard" },
      accessPolicies: [
        { tenantId: info.tenantId, objectId: me, permissions: { secrets: ["all"] } },
        { tenantId: info.tenantId, objectId: identity.principalId, permissions: { secrets: ["get"] } },
      ],
    },
  }, poll);
  vaultUri = created.properties.vaultUri;
  await secrets(vaultUri, ["ca-key", "etcd-ca-key", "front-proxy-ca-key", "sa-key", "join-token-seed"]);
});

after(async () => {
  await admin("PUT", "faults", { rules: [] });
});

test("init node: CustomScript succeeds with kubeadm's stdout; protectedSettings never returned", async () => {
  const ep = "cp-a.example:6443";
  await vm("cpa0", initConfig(ep));
  const ext = await bootstrap("cpa0");
  assert.equal(ext.provisioningState, "Succeeded");
  assert.equal(ext.publisher, "Microsoft.Azure.Extensions");
  assert.equal(ext.typePropertiesType, "CustomScript");
  assert.equal(ext.protectedSettings, undefined);
  const plain = await compute.virtualMachineExtensions.get(rg, "cpa0", "bootstrap");
  assert.equal(plain.instanceView, undefined, "instanceView only with $expand");
  assert.equal(plain.protectedSettings, undefined);
  const iv = await view("cpa0");
  assert.equal(iv.name, "bootstrap");
  assert.equal(iv.type, "Microsoft.Azure.Extensions.CustomScript");
  assert.equal(iv.typeHandlerVersion, "2.1");
  assert.equal(iv.statuses[0].code, "ProvisioningState/succeeded");
  assert.equal(iv.statuses[0].level, "Info");
  assert.equal(iv.statuses[0].displayStatus, "Provisioning succeeded");
  assert.deepEqual(iv.substatuses.map((s) => s.code), ["ComponentStatus/StdOut/succeeded", "ComponentStatus/StdErr/succeeded"]);
  assert.match(stdout(iv), /Your Kubernetes control-plane has initialized successfully!/);
  assert.equal(stderr(iv), "");
  // The VM's instance view lists its extensions.
  const full = await compute.virtualMachines.get(rg, "cpa0", { expand: "instanceView" });
  assert.equal(full.instanceView.extensions.length, 1);
  assert.equal(full.instanceView.extensions[0].name, "bootstrap");
  assert.equal(full.instanceView.extensions[0].statuses[0].code, "ProvisioningState/succeeded");
  assert.ok(full.instanceView.statuses.some((s) => s.code === "PowerState/running"));
  // The decoded user data through the admin API; customData itself is never returned by ARM.
  assert.equal(full.osProfile.customData, undefined);
  const ud = await admin("GET", `vm-user-data?id=${encodeURIComponent(full.id)}`);
  assert.equal(ud.status, 200);
  assert.match(ud.headers["content-type"], /^text\/plain/);
  assert.equal(ud.text, initConfig(ep));
  assert.equal((await admin("GET", `vm-user-data?id=${encodeURIComponent(full.id + "x")}`)).status, 404);
});

test("worker joins: the right pin and a window token succeed; a wrong pin and an unknown token fail as kubeadm does", async () => {
  const ep = "cp-b.example:6443";
  await vm("cpb0", initConfig(ep));
  await bootstrap("cpb0");
  const token = windowToken(seed, Math.floor(Date.now() / 1000 / 3600));
  await vm("wb1", joinConfig(ep, { token }));
  const ok = await bootstrap("wb1");
  assert.equal(ok.provisioningState, "Succeeded");
  assert.match(stdout(await view("wb1")), /This node has joined the cluster/);
  // The listed bootstrap token works too.
  await vm("wb2", joinConfig(ep, { token: listedToken }));
  assert.equal((await bootstrap("wb2")).provisioningState, "Succeeded");
  // A wrong CA hash: the LRO fails with the extension's stderr in the message.
  const wrong = "sha256:" + "0".repeat(64);
  await vm("wb3", joinConfig(ep, { token, hash: wrong }));
  const e = await lroFails(bootstrap("wb3"), "VMExtensionProvisioningError");
  assert.match(e.message, /VM has reported a failure when processing extension 'bootstrap'/);
  assert.ok(e.message.includes(`none of the public keys "${caHash}" are pinned`), e.message);
  const iv = await view("wb3");
  assert.equal(iv.statuses[0].code, "ProvisioningState/failed/1");
  assert.equal(iv.statuses[0].level, "Error");
  assert.equal(iv.statuses[0].displayStatus, "Provisioning failed");
  assert.match(stderr(iv), /cluster CA found in cluster-info ConfigMap is invalid/);
  assert.equal((await compute.virtualMachineExtensions.get(rg, "wb3", "bootstrap")).provisioningState, "Failed");
  // A well-formed token the cluster does not know, and a malformed one.
  await vm("wb4", joinConfig(ep, { token: "zzzzzz.zzzzzzzzzzzzzzzz" }));
  await lroFails(bootstrap("wb4"), "VMExtensionProvisioningError");
  assert.match(stderr(await view("wb4")), /could not find a JWS signature in the cluster-info ConfigMap for token ID "zzzzzz"/);
  await vm("wb5", joinConfig(ep, { token: "not-a-token" }));
  await lroFails(bootstrap("wb5"), "VMExtensionProvisioningError");
  assert.match(stderr(await view("wb5")), /bootstrap token is not of the form/);
  // A join to an endpoint no init node serves times out in discovery (600 s, at time scale 0 at once).
  await vm("wb6", joinConfig("nowhere.example:6443", { token }));
  await lroFails(bootstrap("wb6"), "VMExtensionProvisioningError");
  assert.match(stderr(await view("wb6")), /couldn't validate the identity of the API Server/);
  // Deleting a VM deletes its extensions.
  await compute.virtualMachines.beginDeleteAndWait(rg, "wb2", poll);
  await rejects(compute.virtualMachineExtensions.get(rg, "wb2", "bootstrap"), 404);
});

test("control-plane nodes read their CA keys from Key Vault: identity, access and secrets are checked", async () => {
  const ep = "cp-c.example:6443";
  await vm("cpc0", initConfig(ep));
  await bootstrap("cpc0");
  await vm("cpc1", joinConfig(ep, { token: listedToken, controlPlane: true }));
  const cp = await bootstrap("cpc1");
  assert.equal(cp.provisioningState, "Succeeded");
  assert.match(stdout(await view("cpc1")), /a new control plane instance was created/);
  // The VM without the identity named by IDENTITY_CLIENT_ID.
  await vm("cpc2", joinConfig(ep, { token: listedToken, controlPlane: true }), { withIdentity: false });
  await lroFails(bootstrap("cpc2"), "VMExtensionProvisioningError");
  assert.match(stderr(await view("cpc2")), /easel-bootstrap: getting a token from IMDS for client_id .*Identity not found/);
  // A vault without an access policy for the identity: 403 Forbidden.
  const closed = unique("extkc");
  const cv = await kv.vaults.beginCreateOrUpdateAndWait(rg, closed, {
    location: loc, properties: { tenantId: info.tenantId, sku: { family: "A", name: "standard" }, accessPolicies: [] },
  }, poll);
  await vm("cpd0", initConfig("cp-d.example:6443", { vaultUri: cv.properties.vaultUri }));
  await lroFails(bootstrap("cpd0"), "VMExtensionProvisioningError");
  const err = stderr(await view("cpd0"));
  assert.ok(err.startsWith(`easel-bootstrap: reading secret ca-key from ${cv.properties.vaultUri}: 403 Forbidden (`), err);
  // A vault the identity may read, missing sa-key.
  const partial = unique("extkp");
  const pv = await kv.vaults.beginCreateOrUpdateAndWait(rg, partial, {
    location: loc, properties: { tenantId: info.tenantId, sku: { family: "A", name: "standard" }, enableRbacAuthorization: false,
      accessPolicies: [
        { tenantId: info.tenantId, objectId: identity.principalId, permissions: { secrets: ["get"] } },
        { tenantId: info.tenantId, objectId: JSON.parse(Buffer.from((await credential.getToken("https://vault.azure.net/.default")).token.split(".")[1], "base64url").toString()).oid, permissions: { secrets: ["set"] } },
      ] },
  }, poll);
  await secrets(pv.properties.vaultUri, ["ca-key", "etcd-ca-key", "front-proxy-ca-key"]);
  await vm("cpe0", initConfig("cp-e.example:6443", { vaultUri: pv.properties.vaultUri }));
  await lroFails(bootstrap("cpe0"), "VMExtensionProvisioningError");
  assert.match(stderr(await view("cpe0")), /reading secret sa-key from .*404 Not Found/);
});

test("no or hostile user data: the extension fails with a clear stderr, azsim keeps running", async () => {
  await vm("nud0", undefined);
  await lroFails(bootstrap("nud0"), "VMExtensionProvisioningError");
  assert.match(stderr(await view("nud0")), /easel-bootstrap: no bootstrap marker after 600 s/);
  assert.equal((await admin("GET", `vm-user-data?id=${encodeURIComponent(`${rgId(rg)}/providers/Microsoft.Compute/virtualMachines/nud0`)}`)).status, 404);
  for (const [name, data] of [["hud0", "\u0000\u0001 not: [yaml"], ["hud1", "- a\n- list\n"], ["hud2", "#cloud-config\nwrite_files: 7\n"],
    ["hud3", cloudConfig({ kubeadm: "kind: [unclosed" })]]) {
    await vm(name, data);
    await lroFails(bootstrap(name), "VMExtensionProvisioningError");
    const err = stderr(await view(name));
    assert.match(err, /^cloud-init: /, err);
    assert.match(err, /no bootstrap marker after 600 s/);
  }
  // customData that is not base64 is refused by ARM, as Azure does.
  await rejects(vm("hud4", undefined, { rawCustomData: "not base64 !!" }), 400, "InvalidParameter");
  // Fields of the wrong JSON type are refused, as the Compute RP does.
  const extPath = `${rgId(rg)}/providers/Microsoft.Compute/virtualMachines/nud0/extensions/other?api-version=2024-07-01`;
  const typed = await arm("PUT", extPath, { location: loc, properties: { publisher: "Microsoft.Azure.Extensions", type: "CustomScriptX", typeHandlerVersion: 2 } });
  assert.equal(typed.status, 400);
  assert.equal(typed.json.error.code, "InvalidRequestContent");
  assert.equal((await admin("GET", "health")).json.status, "ok");
});

test("fault rule lroFailed on extensions: its message becomes the extension's stderr", async () => {
  await vm("flt0", initConfig("cp-f.example:6443"));
  await admin("PUT", "faults", { rules: [{ fault: "lroFailed", type: "Microsoft.Compute/virtualMachines/extensions", errorCode: "VMExtensionProvisioningError", message: "modelled disk full", count: 1 }] });
  const e = await lroFails(bootstrap("flt0"), "VMExtensionProvisioningError");
  assert.match(e.message, /modelled disk full/);
  assert.equal(stderr(await view("flt0")), "modelled disk full");
  assert.equal((await admin("GET", "faults")).json.rules[0].message, "modelled disk full");
  await admin("PUT", "faults", { rules: [] });
  // A new PUT runs the script again (the fault was spent).
  assert.equal((await bootstrap("flt0")).provisioningState, "Succeeded");
});

test("IMDS: tokens of user-assigned identities by client_id, msi_res_id and object_id, accepted by Key Vault", async () => {
  const base = `${info.arm}/metadata/identity/oauth2/token?api-version=2018-02-01`;
  const headers = { Metadata: "true" };
  const vaultRes = encodeURIComponent("https://vault.azure.net");
  for (const sel of [`client_id=${identity.clientId}`, `msi_res_id=${encodeURIComponent(identity.id)}`, `object_id=${identity.principalId}`]) {
    const r = await call("GET", `${base}&resource=${vaultRes}&${sel}`, { headers });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.client_id, identity.clientId);
    const claims = JSON.parse(Buffer.from(r.json.access_token.split(".")[1], "base64url").toString());
    assert.equal(claims.oid, identity.principalId);
    assert.equal(claims.appid, identity.clientId);
    assert.equal(claims.tid, info.tenantId);
    assert.equal(claims.aud, "https://vault.azure.net");
  }
  const tok = (await call("GET", `${base}&resource=${vaultRes}&client_id=${identity.clientId}`, { headers })).json.access_token;
  const got = await call("GET", `${vaultUri}secrets/ca-key?api-version=7.4`, { headers: { authorization: `Bearer ${tok}` } });
  assert.equal(got.status, 200);
  assert.equal(got.json.value, "-----BEGIN PRIVATE KEY----- ca-key");
  // get only: list is denied to this identity.
  const list = await call("GET", `${vaultUri}secrets?api-version=7.4`, { headers: { authorization: `Bearer ${tok}` } });
  assert.equal(list.status, 403);
  assert.equal(list.json.error.code, "Forbidden");
  // ARM and storage audiences.
  const armTok = await call("GET", `${base}&resource=${encodeURIComponent("https://management.azure.com/")}&client_id=${identity.clientId}`, { headers });
  assert.equal(armTok.status, 200);
  const me = await call("GET", `${info.arm}/subscriptions/${sub}/resourceGroups/${rg}?api-version=2024-05-01`, { headers: { authorization: `Bearer ${armTok.json.access_token}` } });
  assert.equal(me.status, 200);
  assert.equal((await call("GET", `${base}&resource=${encodeURIComponent("https://storage.azure.com/")}&client_id=${identity.clientId}`, { headers })).status, 200);
  const unknown = await call("GET", `${base}&resource=${vaultRes}&client_id=00000000-0000-4000-8000-000000000999`, { headers });
  assert.equal(unknown.status, 400);
  assert.match(unknown.json.error_description, /Identity not found/);
});
