// AKS as Azure enforces it (managedClusters/agentPools), Microsoft.KubernetesConfiguration
// extensions and Flux configurations, Azure Policy built-in initiatives and assignments, and the
// subnet delegation virtual nodes need, judged by the official SDKs.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ResourceManagementClient } from "@azure/arm-resources";
import { NetworkManagementClient } from "@azure/arm-network";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { SourceControlConfigurationClient } from "@azure/arm-kubernetesconfiguration";
import { PolicyClient } from "@azure/arm-policy";
import { credential, clientOptions, poll, sub, unique, rejects, rgId, arm } from "./lib.mjs";

const resources = new ResourceManagementClient(credential, sub, clientOptions);
const net = new NetworkManagementClient(credential, sub, clientOptions);
const aks = new ContainerServiceClient(credential, sub, clientOptions);
const msi = new ManagedServiceIdentityClient(credential, sub, clientOptions);
const k8sconfig = new SourceControlConfigurationClient(credential, sub, clientOptions);
const policy = new PolicyClient(credential, sub, clientOptions);
const rg = unique("aks12-rg");
const loc = "eastus";
const baseline = "a8640138-9b0a-4a28-b8cb-1666c838647d";
const restricted = "42b8ef37-b724-4e24-bbc8-7a7708edfe00";
let vnet;

function cluster(extra = {}) {
  return {
    location: loc,
    identity: { type: "SystemAssigned" },
    dnsPrefix: "shop",
    kubernetesVersion: "1.35",
    agentPoolProfiles: [{ name: "system", mode: "System", count: 3, vmSize: "Standard_D4s_v5", osType: "Linux", type: "VirtualMachineScaleSets" }],
    ...extra,
  };
}

const kubeconfigOf = (creds) => Buffer.from(creds.kubeconfigs[0].value).toString();

before(async () => {
  await resources.resourceGroups.createOrUpdate(rg, { location: loc });
  vnet = await net.virtualNetworks.beginCreateOrUpdateAndWait(
    rg,
    "aks-vnet",
    {
      location: loc,
      addressSpace: { addressPrefixes: ["10.1.0.0/16"] },
      subnets: [
        { name: "nodes", addressPrefix: "10.1.0.0/20" },
        { name: "aci", addressPrefix: "10.1.16.0/24", delegations: [{ name: "aci", serviceName: "Microsoft.ContainerInstance/containerGroups" }] },
        { name: "plain", addressPrefix: "10.1.17.0/24" },
      ],
    },
    poll,
  );
});

test("subnet delegation: accepted and returned with Azure's computed fields", async () => {
  const aci = vnet.subnets.find((s) => s.name === "aci");
  const d = aci.delegations[0];
  assert.equal(d.serviceName, "Microsoft.ContainerInstance/containerGroups");
  assert.deepEqual(d.actions, ["Microsoft.Network/virtualNetworks/subnets/action"]);
  assert.equal(d.provisioningState, "Succeeded");
  assert.equal(d.type, "Microsoft.Network/virtualNetworks/subnets/delegations");
  assert.equal(d.id, `${aci.id}/delegations/aci`);
  const child = await net.subnets.beginCreateOrUpdateAndWait(rg, "aks-vnet", "aci2", { addressPrefix: "10.1.18.0/24", delegations: [{ name: "d", serviceName: "Microsoft.ContainerInstance/containerGroups" }] }, poll);
  assert.equal(child.delegations[0].id, `${child.id}/delegations/d`);
  await rejects(net.subnets.beginCreateOrUpdateAndWait(rg, "aks-vnet", "bad", { addressPrefix: "10.1.19.0/24", delegations: [{ name: "d", serviceName: "Contoso/widgets" }] }, poll), 400, "InvalidServiceNameOnDelegation");
});

test("create: version resolved, computed fields, node resource group created then deleted with the cluster", async () => {
  const mc = await aks.managedClusters.beginCreateOrUpdateAndWait(rg, "shop", cluster({ addonProfiles: { azurepolicy: { enabled: true } } }), poll);
  assert.equal(mc.provisioningState, "Succeeded");
  assert.equal(mc.kubernetesVersion, "1.35");
  assert.equal(mc.currentKubernetesVersion, "1.35.5");
  assert.equal(mc.maxAgentPools, 100);
  const pool = mc.agentPoolProfiles[0];
  assert.equal(pool.orchestratorVersion, "1.35.5");
  assert.equal(pool.currentOrchestratorVersion, "1.35.5");
  assert.match(pool.nodeImageVersion, /^AKSUbuntu-/);
  assert.ok(pool.eTag);
  assert.equal(pool.upgradeSettings.maxSurge, "10%");
  const np = mc.networkProfile;
  assert.equal(np.networkPlugin, "azure");
  assert.equal(np.networkPluginMode, "overlay");
  assert.deepEqual(np.ipFamilies, ["IPv4"]);
  assert.deepEqual(np.serviceCidrs, [np.serviceCidr]);
  assert.deepEqual(np.podCidrs, [np.podCidr]);
  assert.equal(np.loadBalancerProfile.managedOutboundIPs.count, 1);
  const nodeRg = `MC_${rg}_shop_${loc}`;
  assert.equal(mc.nodeResourceGroup, nodeRg);
  const kubelet = mc.identityProfile.kubeletidentity;
  assert.match(kubelet.resourceId, new RegExp(`/resourcegroups/${nodeRg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/shop-agentpool$`, "i"));
  assert.match(kubelet.clientId, /^[0-9a-f-]{36}$/);
  const addon = mc.addonProfiles.azurepolicy.identity;
  assert.match(addon.resourceId, /userAssignedIdentities\/azurepolicy-shop$/);
  assert.match(addon.objectId, /^[0-9a-f-]{36}$/);
  const group = await resources.resourceGroups.get(nodeRg);
  assert.equal(group.managedBy.toLowerCase(), mc.id.toLowerCase());
  const names = [];
  for await (const g of resources.resourceGroups.list()) names.push(g.name);
  assert.ok(names.includes(nodeRg));
  const inNodeRg = [];
  for await (const r of resources.resources.listByResourceGroup(nodeRg)) inNodeRg.push(r.type);
  assert.ok(inNodeRg.includes("Microsoft.ManagedIdentity/userAssignedIdentities"));
  assert.ok(inNodeRg.includes("Microsoft.Network/publicIPAddresses"));
  // A second PUT of the same body changes nothing.
  const again = await aks.managedClusters.beginCreateOrUpdateAndWait(rg, "shop", cluster({ addonProfiles: { azurepolicy: { enabled: true } } }), poll);
  assert.equal(again.fqdn, mc.fqdn);
  assert.equal(again.identityProfile.kubeletidentity.clientId, kubelet.clientId);
  assert.equal(again.addonProfiles.azurepolicy.identity.clientId, addon.clientId);
});

test("versions: unknown refused; a minor skip, a downgrade and pools out of skew refused", async () => {
  await rejects(aks.managedClusters.beginCreateOrUpdateAndWait(rg, "v1", cluster({ kubernetesVersion: "1.31.2" }), poll), 400, "AgentPoolK8sVersionNotSupported");
  await rejects(aks.managedClusters.beginCreateOrUpdateAndWait(rg, "v1", cluster({ kubernetesVersion: "1.29" }), poll), 400, "UnsupportedAliasMinorVersion");
  const mc = await aks.managedClusters.beginCreateOrUpdateAndWait(rg, "up", cluster({ kubernetesVersion: "1.34.6" }), poll);
  assert.equal(mc.currentKubernetesVersion, "1.34.6");
  const skip = await rejects(aks.managedClusters.beginCreateOrUpdateAndWait(rg, "up", cluster({ kubernetesVersion: "1.36.2" }), poll), 400, "OperationNotAllowed");
  assert.match(skip.message, /Upgrading Kubernetes version 1\.34\.6 to 1\.36\.2 is not allowed/);
  // A pool newer than the control plane.
  await rejects(aks.agentPools.beginCreateOrUpdateAndWait(rg, "up", "newer", { count: 1, vmSize: "Standard_D4s_v5", mode: "User", orchestratorVersion: "1.35.5" }, poll), 400, "NodePoolMcVersionIncompatible");
  // The control plane alone: pools keep their version.
  const cp = await aks.managedClusters.beginCreateOrUpdateAndWait(rg, "up", cluster({ kubernetesVersion: "1.35.5" }), poll);
  assert.equal(cp.currentKubernetesVersion, "1.35.5");
  assert.equal(cp.agentPoolProfiles[0].currentOrchestratorVersion, "1.34.6");
  await rejects(aks.managedClusters.beginCreateOrUpdateAndWait(rg, "up", cluster({ kubernetesVersion: "1.34.8" }), poll), 400, "OperationNotAllowed");
  // Then the pool through its own PUT.
  const p = await aks.agentPools.beginCreateOrUpdateAndWait(rg, "up", "system", { count: 3, vmSize: "Standard_D4s_v5", mode: "System", orchestratorVersion: "1.35.5" }, poll);
  assert.equal(p.currentOrchestratorVersion, "1.35.5");
  await rejects(aks.agentPools.beginCreateOrUpdateAndWait(rg, "up", "system", { count: 3, vmSize: "Standard_D4s_v5", mode: "System", orchestratorVersion: "1.34.8" }, poll), 400, "OperationNotAllowed");
});

test("cluster PUT with orchestratorVersion for some pools while changing them: NotAllAgentPoolOrchestratorVersionSpecifiedAndUnchanged", async () => {
  const two = [
    { name: "system", mode: "System", count: 1, vmSize: "Standard_D4s_v5", orchestratorVersion: "1.34.6" },
    { name: "web", mode: "User", count: 1, vmSize: "Standard_D4s_v5", orchestratorVersion: "1.34.6" },
  ];
  await aks.managedClusters.beginCreateOrUpdateAndWait(rg, "mixed", cluster({ kubernetesVersion: "1.34.6", agentPoolProfiles: two }), poll);
  await aks.managedClusters.beginCreateOrUpdateAndWait(rg, "mixed", cluster({ kubernetesVersion: "1.35.5", agentPoolProfiles: two.map(({ orchestratorVersion, ...p }) => p) }), poll);
  const some = [{ ...two[0], orchestratorVersion: "1.35.5" }, { ...two[1], orchestratorVersion: undefined }];
  await rejects(aks.managedClusters.beginCreateOrUpdateAndWait(rg, "mixed", cluster({ kubernetesVersion: "1.35.5", agentPoolProfiles: some }), poll), 400, "NotAllAgentPoolOrchestratorVersionSpecifiedAndUnchanged");
  // All given and the control plane's: every pool upgrades with it.
  const all = await aks.managedClusters.beginCreateOrUpdateAndWait(rg, "mixed", cluster({ kubernetesVersion: "1.35.5", agentPoolProfiles: two.map((p) => ({ ...p, orchestratorVersion: "1.35.5" })) }), poll);
  assert.deepEqual(all.agentPoolProfiles.map((p) => p.currentOrchestratorVersion), ["1.35.5", "1.35.5"]);
});

test("immutable and irreversible fields; the last System pool", async () => {
  const base = cluster({ networkProfile: { networkPlugin: "kubenet" }, oidcIssuerProfile: { enabled: true }, aadProfile: { managed: true } });
  const mc = await aks.managedClusters.beginCreateOrUpdateAndWait(rg, "fixed", base, poll);
  assert.match(mc.oidcIssuerProfile.issuerURL, /^https:\/\/eastus\.oic\.prod-aks\.azure\.com\//);
  for (const change of [
    { dnsPrefix: "other" },
    { networkProfile: { networkPlugin: "azure" } },
    { networkProfile: { networkPlugin: "kubenet", outboundType: "userDefinedRouting" } },
    { networkProfile: { networkPlugin: "kubenet", serviceCidr: "10.2.0.0/16", dnsServiceIP: "10.2.0.10" } },
    { agentPoolProfiles: [{ ...base.agentPoolProfiles[0], vmSize: "Standard_D8s_v5" }] },
    { agentPoolProfiles: [{ ...base.agentPoolProfiles[0], maxPods: 50 }] },
    { agentPoolProfiles: [{ ...base.agentPoolProfiles[0], availabilityZones: ["1"] }] },
  ])
    await rejects(aks.managedClusters.beginCreateOrUpdateAndWait(rg, "fixed", { ...base, ...change }, poll), 400, "PropertyChangeNotAllowed").catch((e) => {
      throw new Error(`${JSON.stringify(change)}: ${e.message}`);
    });
  await rejects(aks.agentPools.beginCreateOrUpdateAndWait(rg, "fixed", "system", { vmSize: "Standard_D8s_v5", mode: "System" }, poll), 400, "PropertyChangeNotAllowed");
  await rejects(aks.managedClusters.beginCreateOrUpdateAndWait(rg, "fixed", { ...base, oidcIssuerProfile: { enabled: false } }, poll), 400, "BadRequest");
  await rejects(aks.managedClusters.beginCreateOrUpdateAndWait(rg, "fixed", { ...base, aadProfile: { managed: false } }, poll), 400, "BadRequest");
  await rejects(aks.managedClusters.beginCreateOrUpdateAndWait(rg, "nolocal", cluster({ disableLocalAccounts: true }), poll), 400, "BadRequest");
  await rejects(aks.agentPools.beginCreateOrUpdateAndWait(rg, "fixed", "system", { mode: "User" }, poll), 400, "OperationNotAllowed");
  await rejects(aks.agentPools.beginDeleteAndWait(rg, "fixed", "system", poll), 400, "OperationNotAllowed");
});

test("secrets are stored, never returned", async () => {
  const body = cluster({ servicePrincipalProfile: { clientId: "11111111-1111-4111-8111-111111111111", secret: "s3cr3t" }, windowsProfile: { adminUsername: "azureuser", adminPassword: "P@ssw0rd-1234567" } });
  const mc = await aks.managedClusters.beginCreateOrUpdateAndWait(rg, "secret", body, poll);
  assert.equal(mc.servicePrincipalProfile.clientId, "11111111-1111-4111-8111-111111111111");
  assert.equal(mc.servicePrincipalProfile.secret, undefined);
  assert.equal(mc.windowsProfile.adminPassword, undefined);
  const raw = await arm("GET", `${rgId(rg)}/providers/Microsoft.ContainerService/managedClusters/secret?api-version=2025-10-01`);
  assert.doesNotMatch(raw.text, /s3cr3t|P@ssw0rd/);
  const list = await arm("GET", `${rgId(rg)}/providers/Microsoft.ContainerService/managedClusters?api-version=2025-10-01`);
  assert.doesNotMatch(list.text, /s3cr3t|P@ssw0rd/);
});

test("credentials: a valid kubeconfig with the cluster's CA; kubelogin exec with Entra ID; admin refused without local accounts", async () => {
  const mc = await aks.managedClusters.get(rg, "shop");
  const user = kubeconfigOf(await aks.managedClusters.listClusterUserCredentials(rg, "shop"));
  assert.match(user, new RegExp(`server: https://${mc.fqdn}:443`));
  const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(user)[1], "base64").toString();
  const cert = new X509Certificate(ca);
  assert.equal(cert.ca, true);
  const admin = kubeconfigOf(await aks.managedClusters.listClusterAdminCredentials(rg, "shop"));
  assert.match(admin, /client-certificate-data: /);
  assert.equal(/certificate-authority-data: (\S+)/.exec(admin)[1], /certificate-authority-data: (\S+)/.exec(user)[1]);
  const file = join(process.env.AZSIM_TMP, "shop-admin.kubeconfig");
  writeFileSync(file, admin);
  const view = spawnSync("kubectl", ["config", "view", "--kubeconfig", file, "--raw", "-o", "json"], { encoding: "utf8" });
  if (!view.error) {
    assert.equal(view.status, 0, view.stderr);
    const parsed = JSON.parse(view.stdout);
    assert.equal(parsed.clusters[0].cluster.server, `https://${mc.fqdn}:443`);
    const client = new X509Certificate(Buffer.from(parsed.users[0].user["client-certificate-data"], "base64"));
    assert.ok(client.checkIssued(cert));
  }
  const entra = await aks.managedClusters.beginCreateOrUpdateAndWait(rg, "entra", cluster({ aadProfile: { managed: true, enableAzureRBAC: true }, disableLocalAccounts: true }), poll);
  assert.equal(entra.disableLocalAccounts, true);
  const exec = kubeconfigOf(await aks.managedClusters.listClusterUserCredentials(rg, "entra", { format: "exec" }));
  assert.match(exec, /command: kubelogin/);
  assert.match(exec, /- get-token/);
  assert.match(exec, /6dae42f8-4368-4678-94ff-3960e28e3630/);
  const e = await rejects(aks.managedClusters.listClusterAdminCredentials(rg, "entra"), 400, "BadRequest");
  assert.match(e.message, /disable local accounts/);
});

test("virtual nodes need a delegated subnet of the cluster's VNet and Azure CNI", async () => {
  const nodes = vnet.subnets.find((s) => s.name === "nodes").id;
  const pools = [{ name: "system", mode: "System", count: 1, vmSize: "Standard_D4s_v5", vnetSubnetID: nodes }];
  const vn = (subnet, plugin = "azure") => cluster({ agentPoolProfiles: pools, networkProfile: { networkPlugin: plugin }, addonProfiles: { aciConnectorLinux: { enabled: true, config: { SubnetName: subnet } } } });
  await rejects(aks.managedClusters.beginCreateOrUpdateAndWait(rg, "vn", vn("missing"), poll), 400, "InvalidParameter");
  await rejects(aks.managedClusters.beginCreateOrUpdateAndWait(rg, "vn", vn("plain"), poll), 400, "InvalidParameter");
  await rejects(aks.managedClusters.beginCreateOrUpdateAndWait(rg, "vn", vn("aci", "kubenet"), poll), 400, "InvalidParameter");
  const mc = await aks.managedClusters.beginCreateOrUpdateAndWait(rg, "vn", vn("aci"), poll);
  assert.match(mc.addonProfiles.aciConnectorLinux.identity.resourceId, /aciconnectorlinux-vn$/);
});

test("Flux GitOps: the extension first, then a configuration; both go with the cluster", async () => {
  const flux = { url: "https://github.com/org/repo", repositoryRef: { branch: "main" } };
  const cfg = { scope: "cluster", namespace: "flux-system", sourceKind: "GitRepository", gitRepository: flux, kustomizations: { apps: { path: "./clusters/shop", prune: true } } };
  const e1 = await rejects(k8sconfig.fluxConfigurations.beginCreateOrUpdateAndWait(rg, "Microsoft.ContainerService", "managedClusters", "shop", "gitops", cfg, poll), 400, "BadRequest");
  assert.match(e1.message, /microsoft\.flux extension is not installed/);
  const ext = await k8sconfig.extensions.beginCreateAndWait(rg, "Microsoft.ContainerService", "managedClusters", "shop", "flux", { extensionType: "microsoft.flux", configurationProtectedSettings: { token: "hidden" } }, poll);
  assert.equal(ext.provisioningState, "Succeeded");
  assert.ok(ext.version);
  assert.equal(ext.currentVersion, ext.version);
  assert.match(ext.aksAssignedIdentity.principalId, /^[0-9a-f-]{36}$/);
  assert.equal(ext.configurationProtectedSettings, undefined);
  const fc = await k8sconfig.fluxConfigurations.beginCreateOrUpdateAndWait(rg, "Microsoft.ContainerService", "managedClusters", "shop", "gitops", cfg, poll);
  assert.equal(fc.provisioningState, "Succeeded");
  assert.equal(fc.complianceState, "Compliant");
  assert.match(fc.sourceSyncedCommitId, /^main\/[0-9a-f]{40}$/);
  assert.equal(fc.kustomizations.apps.name, "apps");
  assert.deepEqual(fc.statuses.map((s) => s.kind), ["GitRepository", "Kustomization"]);
  const got = await k8sconfig.extensions.get(rg, "Microsoft.ContainerService", "managedClusters", "shop", "flux");
  assert.equal(got.extensionType, "microsoft.flux");
  await rejects(k8sconfig.extensions.beginCreateAndWait(rg, "Microsoft.ContainerService", "managedClusters", "nosuch", "flux", { extensionType: "microsoft.flux" }, poll), 404);
});

test("Azure Policy: built-in initiatives; assignments at a cluster and a group, validated and removed with their scope", async () => {
  const set = await policy.policySetDefinitions.getBuiltIn(baseline);
  assert.equal(set.policyType, "BuiltIn");
  assert.match(set.displayName, /pod security baseline standards for Linux-based workloads/);
  assert.ok(set.policyDefinitions.length > 0);
  const strict = await policy.policySetDefinitions.getBuiltIn(restricted);
  assert.match(strict.displayName, /restricted/);
  await rejects(policy.policySetDefinitions.getBuiltIn("00000000-0000-0000-0000-000000000000"), 404, "PolicySetDefinitionNotFound");
  const mc = await aks.managedClusters.get(rg, "shop");
  const a = await policy.policyAssignments.create(mc.id, "pod-baseline", { policyDefinitionId: set.id, parameters: { effect: { value: "deny" } } });
  assert.equal(a.scope.toLowerCase(), mc.id.toLowerCase());
  assert.equal(a.enforcementMode, "Default");
  assert.equal(a.type, "Microsoft.Authorization/policyAssignments");
  assert.equal(a.name, "pod-baseline");
  // definitionVersion: the initiative's major version (Azure answers it from 2023-04-01 on).
  assert.equal(a.definitionVersion, `${set.version.split(".")[0]}.*.*`);
  const got = await policy.policyAssignments.get(mc.id, "pod-baseline");
  assert.equal(got.policyDefinitionId, set.id);
  assert.equal(got.definitionVersion, a.definitionVersion);
  const pinned = await policy.policyAssignments.create(mc.id, "pod-pinned", { policyDefinitionId: set.id, definitionVersion: set.version });
  assert.equal(pinned.definitionVersion, set.version);
  await policy.policyAssignments.delete(mc.id, "pod-pinned");
  // A parameter the initiative does not define: 400 UndefinedPolicyParameter, naming each one.
  const undefinedParams = await rejects(policy.policyAssignments.create(mc.id, "bad-params", { policyDefinitionId: set.id, parameters: { effect: { value: "audit" }, prefix: { value: "DeptA" }, suffix: { value: "-LC" } } }), 400, "UndefinedPolicyParameter");
  assert.match(undefinedParams.message, /'prefix,suffix' which are not defined in the policy definition 'a8640138-9b0a-4a28-b8cb-1666c838647d'/);
  await rejects(policy.policyAssignments.get(mc.id, "bad-params"), 404);
  await rejects(policy.policyAssignments.create(mc.id, "bad", { policyDefinitionId: "/providers/Microsoft.Authorization/policySetDefinitions/nope" }), 404, "PolicySetDefinitionNotFound");
  const g = await policy.policyAssignments.create(rgId(rg), "rg-restricted", { policyDefinitionId: strict.id, location: loc, identity: { type: "SystemAssigned" } });
  assert.match(g.identity.principalId, /^[0-9a-f-]{36}$/);
  await rejects(policy.policyAssignments.create(rgId(rg), "noloc", { policyDefinitionId: strict.id, identity: { type: "SystemAssigned" } }), 400, "LocationRequired");
  await policy.policyAssignments.delete(rgId(rg), "rg-restricted");
  await rejects(policy.policyAssignments.get(rgId(rg), "rg-restricted"), 404);
});

test("delete: the cluster takes its node resource group, extensions, configurations and assignments", async () => {
  const mc = await aks.managedClusters.get(rg, "shop");
  await aks.managedClusters.beginDeleteAndWait(rg, "shop", poll);
  await rejects(aks.managedClusters.get(rg, "shop"), 404);
  await rejects(resources.resourceGroups.get(mc.nodeResourceGroup), 404, "ResourceGroupNotFound");
  await rejects(k8sconfig.extensions.get(rg, "Microsoft.ContainerService", "managedClusters", "shop", "flux"), 404);
  await rejects(k8sconfig.fluxConfigurations.get(rg, "Microsoft.ContainerService", "managedClusters", "shop", "gitops"), 404);
  await rejects(policy.policyAssignments.get(mc.id, "pod-baseline"), 404);
  const ids = await msi.userAssignedIdentities.listByResourceGroup(rg).next();
  assert.ok(ids.done || !ids.value.name.endsWith("-agentpool"));
});

test("documents of the wrong shape answer 400, never a crash", async () => {
  const mcPath = `${rgId(rg)}/providers/Microsoft.ContainerService/managedClusters/shape?api-version=2025-10-01`;
  const pools = [{ name: "system", mode: "System" }];
  for (const properties of [
    { agentPoolProfiles: "x" },
    { agentPoolProfiles: [5] },
    { agentPoolProfiles: [{ name: 5 }] },
    { agentPoolProfiles: [{ name: "system", mode: "System", orchestratorVersion: 1 }] },
    { agentPoolProfiles: pools, kubernetesVersion: 1.35 },
    { agentPoolProfiles: pools, networkProfile: 5 },
    { agentPoolProfiles: pools, networkProfile: { networkPlugin: ["azure"] } },
    { agentPoolProfiles: pools, addonProfiles: { azurepolicy: 1 } },
    { agentPoolProfiles: pools, addonProfiles: { aciConnectorLinux: { enabled: true, config: "x" } } },
    { agentPoolProfiles: pools, aadProfile: "x" },
    { agentPoolProfiles: pools, identityProfile: { kubeletidentity: 5 } },
    { agentPoolProfiles: pools, disableLocalAccounts: "yes" },
  ]) {
    const res = await arm("PUT", mcPath, { location: loc, properties });
    assert.equal(res.status, 400, `${JSON.stringify(properties)}: ${res.text}`);
  }
  const bad = await arm("PUT", mcPath, { location: loc, identity: "x", properties: { agentPoolProfiles: pools } });
  assert.equal(bad.status, 400);
  const mc = await aks.managedClusters.get(rg, "vn");
  const ext = await arm("PUT", `${mc.id}/providers/Microsoft.KubernetesConfiguration/extensions/x?api-version=2023-05-01`, { properties: { extensionType: 5 } });
  assert.equal(ext.status, 400);
  const pa = await arm("PUT", `${mc.id}/providers/Microsoft.Authorization/policyAssignments/x?api-version=2024-05-01`, { properties: { policyDefinitionId: 5 } });
  assert.equal(pa.status, 400);
  const sn = await arm("PUT", `${rgId(rg)}/providers/Microsoft.Network/virtualNetworks/aks-vnet/subnets/s9?api-version=2024-05-01`, { properties: { addressPrefix: "10.1.30.0/24", delegations: [{ name: "d", properties: 5 }] } });
  assert.equal(sn.status, 400);
  assert.equal((await arm("GET", mcPath)).status, 404);
});
