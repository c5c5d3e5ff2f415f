// Tests for check-plan.mjs. Run with: node --test   (from this folder)
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { checkBody, checkPlan, formatProblem, isKnownPlaceholder, loadModels, RESOURCE_TYPES } from "./check-plan.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const SAMPLE = here("./fixtures/sample-plan.json");
// A hand-written AKS plan (kind AKSCluster): network with a delegated subnet, identity and role
// assignments, managed cluster, agent pools, policy assignments, Flux extension and configuration.
const AKS_SAMPLE = here("./fixtures/aks-plan.json");
const GOLDEN_DIR = here("../golden");
const sample = () => JSON.parse(readFileSync(SAMPLE, "utf8"));
const aksSample = () => JSON.parse(readFileSync(AKS_SAMPLE, "utf8"));

// Clones the sample plan (or `fixture`), lets `mutate(byName, plan)` break it, and returns the
// formatted problems.
async function problemsAfter(mutate, fixture = sample) {
  const plan = fixture();
  const byName = (name) => {
    const node = plan.resources.find((r) => r.name === name);
    assert.ok(node, `fixture has no node named ${name}`);
    return node;
  };
  mutate(byName, plan);
  const { problems } = await checkPlan(plan);
  return problems.map(formatProblem);
}

describe("models taken from the pinned @azure/arm-* packages", () => {
  // These are the api-versions easel's planner must emit; a package bump that
  // changes them must be a deliberate change here too.
  const expected = {
    "Microsoft.Network/virtualNetworks": ["@azure/arm-network", "36.0.0", "2025-05-01", "VirtualNetwork"],
    "Microsoft.Network/virtualNetworks/subnets": ["@azure/arm-network", "36.0.0", "2025-05-01", "Subnet"],
    "Microsoft.Network/networkSecurityGroups": ["@azure/arm-network", "36.0.0", "2025-05-01", "NetworkSecurityGroup"],
    "Microsoft.Network/publicIPAddresses": ["@azure/arm-network", "36.0.0", "2025-05-01", "PublicIPAddress"],
    "Microsoft.Network/natGateways": ["@azure/arm-network", "36.0.0", "2025-05-01", "NatGateway"],
    "Microsoft.Network/loadBalancers": ["@azure/arm-network", "36.0.0", "2025-05-01", "LoadBalancer"],
    "Microsoft.Network/networkInterfaces": ["@azure/arm-network", "36.0.0", "2025-05-01", "NetworkInterface"],
    "Microsoft.Network/privateEndpoints": ["@azure/arm-network", "36.0.0", "2025-05-01", "PrivateEndpoint"],
    "Microsoft.Network/privateDnsZones": ["@azure/arm-privatedns", "3.2.0", "2020-06-01", "PrivateZone"],
    "Microsoft.Network/privateDnsZones/A": ["@azure/arm-privatedns", "3.2.0", "2020-06-01", "RecordSet"],
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks": ["@azure/arm-privatedns", "3.2.0", "2020-06-01", "VirtualNetworkLink"],
    "Microsoft.Storage/storageAccounts": ["@azure/arm-storage", "19.1.0", "2025-06-01", "StorageAccountCreateParameters"],
    "Microsoft.Storage/storageAccounts/blobServices/containers": ["@azure/arm-storage", "19.1.0", "2025-06-01", "BlobContainer"],
    "Microsoft.Compute/images": ["@azure/arm-compute", "23.3.0", "2025-04-01", "Image"],
    "Microsoft.Compute/virtualMachines": ["@azure/arm-compute", "23.3.0", "2025-04-01", "VirtualMachine"],
    // The same api-version as virtualMachines: arm-compute's operation specs for both use
    // Parameters.apiVersion, so one constant (api::kCompute) fits both.
    "Microsoft.Compute/virtualMachines/extensions": ["@azure/arm-compute", "23.3.0", "2025-04-01", "VirtualMachineExtension"],
    "Microsoft.KeyVault/vaults": ["@azure/arm-keyvault", "3.2.0", "2024-11-01", "VaultCreateOrUpdateParameters"],
    "Microsoft.ManagedIdentity/userAssignedIdentities": ["@azure/arm-msi", "2.2.0", "2024-11-30", "Identity"],
    // 24.1.0 is the newest arm-containerservice with Mappers (25.x is TypeSpec-generated).
    "Microsoft.ContainerService/managedClusters": ["@azure/arm-containerservice", "24.1.0", "2025-10-01", "ManagedCluster"],
    "Microsoft.ContainerService/managedClusters/agentPools": ["@azure/arm-containerservice", "24.1.0", "2025-10-01", "AgentPool"],
    "Microsoft.KubernetesConfiguration/extensions": ["@azure/arm-kubernetesconfiguration", "6.1.0", "2023-05-01", "Extension"],
    "Microsoft.KubernetesConfiguration/fluxConfigurations": ["@azure/arm-kubernetesconfiguration", "6.1.0", "2023-05-01", "FluxConfiguration"],
    "Microsoft.Authorization/policyAssignments": ["@azure/arm-policy", "6.0.0", "2024-05-01", "PolicyAssignment"],
    // arm-authorization 9.0.0 mixes api-versions by operation group; roleAssignments.create uses 2022-04-01.
    "Microsoft.Authorization/roleAssignments": ["@azure/arm-authorization", "9.0.0", "2022-04-01", "RoleAssignmentCreateParameters"],
  };

  // Extension and scoped resources: the operation's path puts them under their parent's id, as
  // easel's ids do (<clusterId>/providers/Microsoft.KubernetesConfiguration/..., <scope>/providers/
  // Microsoft.Authorization/...).
  test("extension and scoped resources use the operations for a managed cluster or any scope", async () => {
    const models = await loadModels();
    const cluster = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{clusterRp}/{clusterResourceName}/{clusterName}";
    assert.equal(models.get("Microsoft.KubernetesConfiguration/extensions").path,
      `${cluster}/providers/Microsoft.KubernetesConfiguration/extensions/{extensionName}`);
    assert.equal(models.get("Microsoft.KubernetesConfiguration/fluxConfigurations").path,
      `${cluster}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/{fluxConfigurationName}`);
    assert.equal(models.get("Microsoft.Authorization/policyAssignments").path,
      "/{scope}/providers/Microsoft.Authorization/policyAssignments/{policyAssignmentName}");
    assert.equal(models.get("Microsoft.Authorization/roleAssignments").path,
      "/{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}");
  });

  test("each type maps to the PUT operation's request body and api-version", async () => {
    const models = await loadModels();
    assert.deepEqual([...models.keys()].sort(), Object.keys(expected).sort());
    for (const [type, [pkg, version, apiVersion, className]] of Object.entries(expected)) {
      const m = models.get(type);
      assert.deepEqual(
        [m.packageName, m.packageVersion, m.apiVersion, m.mapper.type.className, m.httpMethod],
        [pkg, version, apiVersion, className, "PUT"],
        type,
      );
    }
  });
});

describe("correct hand-written plans", () => {
  test("cover every supported resource type", () => {
    const types = new Set([...sample().resources, ...aksSample().resources]
      .filter((r) => r.action === "create").map((r) => r.type));
    assert.deepEqual([...types].sort(), Object.keys(RESOURCE_TYPES).sort());
  });

  for (const [name, fixture] of [["sample-plan.json", sample], ["aks-plan.json", aksSample]]) {
    test(`${name} has no problems`, async () => {
      const { bodies, problems } = await checkPlan(fixture());
      assert.deepEqual(problems.map(formatProblem), []);
      assert.equal(bodies, fixture().resources.filter((r) => r.action === "create").length);
    });
  }

  test("the AKS fixture has a delegated subnet and the node fields that are not body", () => {
    const plan = aksSample();
    assert.equal(plan.kind, "AKSCluster");
    const byName = (n) => plan.resources.find((r) => r.name === n);
    assert.ok(byName("demo-aci").body.properties.delegations.length > 0);
    assert.deepEqual(byName("demo").createOnly, ["/properties/agentPoolProfiles"]);
    assert.deepEqual(byName("system").liveOwned, ["/properties/count"]);
  });
});

describe("broken bodies are caught", () => {
  const cases = [
    ["unknown top-level property", (n) => { n("demo-nat-pip").body.color = "blue"; },
      ["demo-nat-pip: body.color: unknown property"]],
    ["misspelled nested property", (n) => {
      const p = n("demo-vnet").body.properties;
      p.adressSpace = p.addressSpace;
      delete p.addressSpace;
    }, ["demo-vnet: body.properties.adressSpace: unknown property (did you mean addressSpace?)"]],
    ["misspelled property deep inside an array element", (n) => {
      n("demo-nsg").body.properties.securityRules[1].properties.destinatonPortRanges = ["443"];
    }, ["demo-nsg: body.properties.securityRules[1].properties.destinatonPortRanges: unknown property (did you mean destinationPortRanges?)"]],
    ["flattened property put at the wrong level", (n) => {
      const b = n("demo-cp-0").body;
      b.hardwareProfile = b.properties.hardwareProfile;
      delete b.properties.hardwareProfile;
    }, ["demo-cp-0: body.hardwareProfile: unknown property (did you mean properties.hardwareProfile?)"]],
    ["missing required top-level property", (n) => { delete n("demo-cp-0").body.location; },
      ["demo-cp-0: body.location: missing required property (String)"]],
    ["missing required nested property", (n) => { delete n("demo-node-image").body.properties.storageProfile.osDisk.osState; },
      ["demo-node-image: body.properties.storageProfile.osDisk.osState: missing required property (Enum)"]],
    ["missing required property of a storage account", (n) => { delete n("demoeaselimages").body.kind; },
      ["demoeaselimages: body.kind: missing required property (String)"]],
    ["wrong type: string for Number", (n) => { n("demo.easel.internal/api").body.properties.ttl = "300"; },
      ['demo.easel.internal/api: body.properties.ttl: expected Number, got string "300"']],
    ["wrong type: string for Boolean", (n) => { n("demoeaselimages").body.properties.supportsHttpsTrafficOnly = "true"; },
      ['demoeaselimages: body.properties.supportsHttpsTrafficOnly: expected Boolean, got string "true"']],
    ["wrong type: object for Sequence", (n) => { n("demo-vnet").body.properties.addressSpace.addressPrefixes = "10.0.0.0/16"; },
      ['demo-vnet: body.properties.addressSpace.addressPrefixes: expected array, got string "10.0.0.0/16"']],
    ["wrong type: Dictionary value", (n) => { n("demo-vnet").body.tags.replicas = 3; },
      ["demo-vnet: body.tags.replicas: expected String, got number 3"]],
    ["wrong type: flattened properties bag not an object", (n) => { n("demo-nat").body.properties = []; },
      ["demo-nat: body.properties: expected object, got array []"]],
    ["read-only property set at top level", (n) => { n("demo-vnet").body.name = "demo-vnet"; },
      ["demo-vnet: body.name: read-only property must not be set"]],
    ["read-only property set inside properties", (n) => { n("demo-nsg").body.properties.provisioningState = "Succeeded"; },
      ["demo-nsg: body.properties.provisioningState: read-only property must not be set"]],
    ["read-only sku tier of a storage account", (n) => { n("demoeaselimages").body.sku.tier = "Standard"; },
      ["demoeaselimages: body.sku.tier: read-only property must not be set"]],
    ["wrong enum value", (n) => { n("demo-node-image").body.properties.storageProfile.osDisk.osType = "linux"; },
      ['demo-node-image: body.properties.storageProfile.osDisk.osType: value "linux" is not one of the allowed values "Windows", "Linux" (did you mean "Linux"?)']],
    ["wrong enum value in a blob container", (n) => { n("demoeaselimages/default/images").body.properties.publicAccess = "Private"; },
      ['demoeaselimages/default/images: body.properties.publicAccess: value "Private" is not one of the allowed values "Container", "Blob", "None"']],
    ["constraint violated", (n) => {
      n("demoeaselimages").body.properties.immutableStorageWithVersioning = {
        immutabilityPolicy: { immutabilityPeriodSinceCreationInDays: 0 },
      };
    }, ["demoeaselimages: body.properties.immutableStorageWithVersioning.immutabilityPolicy.immutabilityPeriodSinceCreationInDays: violates constraint InclusiveMinimum 1 (value 0)"]],
    ["constant with another value", (n) => {
      n("demoeaselimages").body.properties.networkAcls = { defaultAction: "Deny", ipRules: [{ value: "203.0.113.7", action: "Deny" }] };
    }, ['demoeaselimages: body.properties.networkAcls.ipRules[0].action: must be the constant "Allow", got "Deny"']],
    ["wrong api-version", (n) => { n("demo-lb").apiVersion = "2024-05-01"; },
      ['demo-lb: apiVersion: api-version "2024-05-01" does not match 2025-05-01 used by @azure/arm-network@36.0.0 for Microsoft.Network/loadBalancers']],
    ["missing api-version", (n) => { delete n("demo.easel.internal").apiVersion; },
      ["demo.easel.internal: apiVersion: missing api-version does not match 2020-06-01 used by @azure/arm-privatedns@3.2.0 for Microsoft.Network/privateDnsZones"]],
    ["unknown resource type", (n) => { n("demo-nat").type = "Microsoft.Network/natGateway"; },
      ['demo-nat: type: unknown resource type "Microsoft.Network/natGateway": no Azure model is mapped for it (did you mean Microsoft.Network/natGateways?)']],
    ["unmapped resource type", (n) => {
      const rg = n("demo-rg");
      rg.action = "create";
      rg.body = { location: "westeurope" };
    }, ['demo-rg: type: unknown resource type "Microsoft.Resources/resourceGroups": no Azure model is mapped for it']],
    ["create node without a body", (n) => { n("demo-nsg").body = null; },
      ["demo-nsg: body: missing request body"]],
    ["unknown action", (n) => { n("demo-nsg").action = "update"; },
      ['demo-nsg: action: unknown action "update" (expected "create" or "read")']],
    ["wrong enum casing in a key vault sku", (n) => { n("easelkvdemo").body.properties.sku.name = "Standard"; },
      ['easelkvdemo: body.properties.sku.name: value "Standard" is not one of the allowed values "standard", "premium" (did you mean "standard"?)']],
    ["key vault without its tenant", (n) => { delete n("easelkvdemo").body.properties.tenantId; },
      ["easelkvdemo: body.properties.tenantId: missing required property (Uuid)"]],
    ["access policy without its object id", (n) => { delete n("easelkvdemo").body.properties.accessPolicies[0].objectId; },
      ["easelkvdemo: body.properties.accessPolicies[0].objectId: missing required property (String)"]],
    ["read-only property of a key vault", (n) => { n("easelkvdemo").body.properties.hsmPoolResourceId = "pool"; },
      ["easelkvdemo: body.properties.hsmPoolResourceId: read-only property must not be set"]],
    ["read-only principal id of an identity", (n) => {
      n("demo-control-plane").body.properties = { principalId: "00000000-0000-0000-0000-000000000001" };
    }, ["demo-control-plane: body.properties.principalId: read-only property must not be set"]],
    ["misspelled extension property", (n) => {
      const p = n("demo-cp-0/bootstrap").body.properties;
      p.typeHandlerVerison = p.typeHandlerVersion;
      delete p.typeHandlerVersion;
    }, ["demo-cp-0/bootstrap: body.properties.typeHandlerVerison: unknown property (did you mean typeHandlerVersion?)"]],
    ["extension type at the top level (read-only there)", (n) => { n("demo-cp-0/bootstrap").body.type = "CustomScript"; },
      ["demo-cp-0/bootstrap: body.type: read-only property must not be set"]],
    ["wrong enum casing of a VM identity", (n) => { n("demo-cp-0").body.identity.type = "userAssigned"; },
      ['demo-cp-0: body.identity.type: value "userAssigned" is not one of the allowed values "SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned", "None" (did you mean "UserAssigned"?)']],
    ["a GUID that is not one", (n) => { n("easelkvdemo").body.properties.tenantId = "my-tenant"; },
      ['easelkvdemo: body.properties.tenantId: expected Uuid, got string "my-tenant"']],
  ];

  for (const [name, mutate, expected] of cases) {
    test(name, async () => {
      assert.deepEqual(await problemsAfter(mutate), expected);
    });
  }

  test("several problems in one plan are all reported", async () => {
    const problems = await problemsAfter((n) => {
      n("demo-vnet").body.name = "demo-vnet";
      n("demo-cp-0").body.properties.storageProfile.osDisk.caching = "Readwrite";
      delete n("demo-cp-0").body.properties.storageProfile.osDisk.createOption;
    });
    assert.deepEqual(problems, [
      "demo-vnet: body.name: read-only property must not be set",
      'demo-cp-0: body.properties.storageProfile.osDisk.caching: value "Readwrite" is not one of the allowed values "None", "ReadOnly", "ReadWrite" (did you mean "ReadWrite"?)',
      "demo-cp-0: body.properties.storageProfile.osDisk.createOption: missing required property (String)",
    ]);
  });

  test("read nodes are skipped whatever their body", async () => {
    const problems = await problemsAfter((n) => {
      n("demo-rg").body = { anything: true };
      n("demo-rg").apiVersion = "1999-01-01";
    });
    assert.deepEqual(problems, []);
  });

  test("a plan without resources is a problem", async () => {
    const { problems } = await checkPlan({ cluster: "demo" });
    assert.deepEqual(problems.map(formatProblem), ["plan: resources: plan has no resources array"]);
  });

  test("polymorphic models are resolved through their discriminator", async () => {
    const network = (await loadModels()).get("Microsoft.Network/virtualNetworks");
    const model = { ...network, mapper: network.modelMappers.FirewallPolicyRuleCollectionGroup };
    const group = (collection) => ({ properties: { priority: 200, ruleCollections: [collection] } });
    const filter = {
      ruleCollectionType: "FirewallPolicyFilterRuleCollection",
      name: "allow-dns",
      priority: 100,
      action: { type: "Allow" },
      rules: [{ ruleType: "NetworkRule", name: "dns", ipProtocols: ["UDP"], destinationPorts: ["53"] }],
    };
    assert.deepEqual(checkBody(group(filter), model), []);
    // `action` exists only on the filter collection, `translatedPort` only on NAT rules.
    const wrong = structuredClone(filter);
    wrong.rules[0].translatedPort = "53";
    assert.deepEqual(checkBody(group(wrong), model), [
      { path: "body.properties.ruleCollections[0].rules[0].translatedPort", message: "unknown property" },
    ]);
    const unknownKind = { ...filter, ruleCollectionType: "FirewallPolicyBogusRuleCollection" };
    const problems = checkBody(group(unknownKind), model);
    assert.equal(problems[0].path, "body.properties.ruleCollections[0].ruleCollectionType");
    assert.match(problems[0].message, /^unknown FirewallPolicyRuleCollection kind "FirewallPolicyBogusRuleCollection" \(known: .*FirewallPolicyFilterRuleCollection/);
  });
});

describe("broken AKS bodies are caught", () => {
  const ROLE = "0b6c3a52-5d0e-5a8e-9f52-3c1d2e4f6a70";
  const profile = (n, i = 0) => n("demo").body.properties.agentPoolProfiles[i];
  const cases = [
    // managedClusters
    ["managed cluster: unknown property", (n) => { n("demo").body.properties.nodeSelector = { pool: "system" }; },
      ["demo: body.properties.nodeSelector: unknown property"]],
    ["managed cluster: misspelled property (case)", (n) => {
      const p = n("demo").body.properties;
      p.enableRbac = p.enableRBAC;
      delete p.enableRBAC;
    }, ["demo: body.properties.enableRbac: unknown property (did you mean enableRBAC?)"]],
    ["managed cluster: flattened property put at the top", (n) => {
      const b = n("demo").body;
      b.kubernetesVersion = b.properties.kubernetesVersion;
      delete b.properties.kubernetesVersion;
    }, ["demo: body.kubernetesVersion: unknown property (did you mean properties.kubernetesVersion?)"]],
    ["managed cluster: misspelled property inside a pool profile", (n) => { profile(n, 1).nodeTaint = ["a=b:NoSchedule"]; },
      ["demo: body.properties.agentPoolProfiles[1].nodeTaint: unknown property (did you mean nodeTaints?)"]],
    ["managed cluster: wrong enum value of the identity", (n) => { n("demo").body.identity.type = "userAssigned"; },
      ['demo: body.identity.type: value "userAssigned" is not one of the allowed values "SystemAssigned", "UserAssigned", "None" (did you mean "UserAssigned"?)']],
    ["managed cluster: missing location", (n) => { delete n("demo").body.location; },
      ["demo: body.location: missing required property (String)"]],
    ["managed cluster: pool profile without its name", (n) => { delete profile(n).name; },
      ["demo: body.properties.agentPoolProfiles[0].name: missing required property (String)"]],
    ["managed cluster: pool name against the model's pattern", (n) => { profile(n).name = "System-Pool"; },
      ['demo: body.properties.agentPoolProfiles[0].name: violates constraint Pattern /^[a-z][a-z0-9]{0,11}$/ (value "System-Pool")']],
    ["managed cluster: add-on without enabled", (n) => { delete n("demo").body.properties.addonProfiles.azurepolicy.enabled; },
      ["demo: body.properties.addonProfiles.azurepolicy.enabled: missing required property (Boolean)"]],
    ["managed cluster: add-on config value not a string", (n) => { n("demo").body.properties.addonProfiles.aciConnectorLinux.config.SubnetName = ["demo-aci"]; },
      ['demo: body.properties.addonProfiles.aciConnectorLinux.config.SubnetName: expected String, got array ["demo-aci"]']],
    ["managed cluster: KEDA without enabled", (n) => { n("demo").body.properties.workloadAutoScalerProfile.keda = {}; },
      ["demo: body.properties.workloadAutoScalerProfile.keda.enabled: missing required property (Boolean)"]],
    ["managed cluster: read-only fqdn set", (n) => { n("demo").body.properties.fqdn = "demo.hcp.westeurope.azmk8s.io"; },
      ["demo: body.properties.fqdn: read-only property must not be set"]],
    ["managed cluster: read-only provisioningState set", (n) => { n("demo").body.properties.provisioningState = "Succeeded"; },
      ["demo: body.properties.provisioningState: read-only property must not be set"]],
    ["managed cluster: wrong api-version", (n) => { n("demo").apiVersion = "2025-08-01"; },
      ['demo: apiVersion: api-version "2025-08-01" does not match 2025-10-01 used by @azure/arm-containerservice@24.1.0 for Microsoft.ContainerService/managedClusters']],
    ["managed cluster: osDiskSizeGB over the model's maximum", (n) => { profile(n).osDiskSizeGB = 4096; },
      ["demo: body.properties.agentPoolProfiles[0].osDiskSizeGB: violates constraint InclusiveMaximum 2048 (value 4096)"]],
    // agentPools
    ["agent pool: maxPods as a string", (n) => { n("system").body.properties.maxPods = "110"; },
      ['system: body.properties.maxPods: expected Number, got string "110"']],
    ["agent pool: count as a string", (n) => { n("batch").body.properties.count = "1"; },
      ['batch: body.properties.count: expected Number, got string "1"']],
    ["agent pool: name in the body (read-only there)", (n) => { n("batch").body.name = "batch"; },
      ["batch: body.name: read-only property must not be set"]],
    ["agent pool: read-only node image version", (n) => { n("batch").body.properties.nodeImageVersion = "AKSUbuntu-2204gen2containerd-202501.01.0"; },
      ["batch: body.properties.nodeImageVersion: read-only property must not be set"]],
    ["agent pool: profile property outside properties", (n) => {
      const b = n("batch").body;
      b.vmSize = b.properties.vmSize;
      delete b.properties.vmSize;
    }, ["batch: body.vmSize: unknown property (did you mean properties.vmSize?)"]],
    ["agent pool: labels not a map of strings", (n) => { n("batch").body.properties.nodeLabels = { workload: true }; },
      ["batch: body.properties.nodeLabels.workload: expected String, got boolean true"]],
    // KubernetesConfiguration
    ["extension: misspelled property", (n) => {
      const p = n("flux").body.properties;
      p.autoUpgradeMinorVerison = p.autoUpgradeMinorVersion;
      delete p.autoUpgradeMinorVersion;
    }, ["flux: body.properties.autoUpgradeMinorVerison: unknown property (did you mean autoUpgradeMinorVersion?)"]],
    ["extension: identity type other than the model's constant", (n) => { n("flux").body.identity = { type: "UserAssigned" }; },
      ['flux: body.identity.type: must be the constant "SystemAssigned", got "UserAssigned"']],
    ["extension: read-only provisioningState", (n) => { n("flux").body.properties.provisioningState = "Succeeded"; },
      ["flux: body.properties.provisioningState: read-only property must not be set"]],
    ["flux configuration: interval as a string", (n) => { n("demo-apps").body.properties.gitRepository.syncIntervalInSeconds = "5m"; },
      ['demo-apps: body.properties.gitRepository.syncIntervalInSeconds: expected Number, got string "5m"']],
    ["flux configuration: misspelled branch", (n) => { n("demo-apps").body.properties.gitRepository.repositoryRef = { brnach: "main" }; },
      ["demo-apps: body.properties.gitRepository.repositoryRef.brnach: unknown property (did you mean branch?)"]],
    ["flux configuration: kustomization with an unknown property", (n) => { n("demo-apps").body.properties.kustomizations.apps.interval = 300; },
      ["demo-apps: body.properties.kustomizations.apps.interval: unknown property"]],
    ["flux configuration: wrong api-version", (n) => { n("demo-apps").apiVersion = "2024-11-01"; },
      ['demo-apps: apiVersion: api-version "2024-11-01" does not match 2023-05-01 used by @azure/arm-kubernetesconfiguration@6.1.0 for Microsoft.KubernetesConfiguration/fluxConfigurations']],
    // Authorization
    ["policy assignment: misspelled definition id", (n) => {
      const p = n("pod-security-baseline").body.properties;
      p.policyDefinitionID = p.policyDefinitionId;
      delete p.policyDefinitionId;
    }, ["pod-security-baseline: body.properties.policyDefinitionID: unknown property (did you mean policyDefinitionId?)"]],
    ["policy assignment: read-only scope set", (n) => { n("pod-security-restricted").body.properties.scope = "/subscriptions/x"; },
      ["pod-security-restricted: body.properties.scope: read-only property must not be set"]],
    ["policy assignment: wrong enum casing of its identity", (n) => { n("pod-security-baseline").body.identity = { type: "systemAssigned" }; },
      ['pod-security-baseline: body.identity.type: value "systemAssigned" is not one of the allowed values "SystemAssigned", "UserAssigned", "None" (did you mean "SystemAssigned"?)']],
    ["role assignment: principal id missing", (n) => { delete n(ROLE).body.properties.principalId; },
      [`${ROLE}: body.properties.principalId: missing required property (String)`]],
    ["role assignment: role definition missing", (n) => { delete n(ROLE).body.properties.roleDefinitionId; },
      [`${ROLE}: body.properties.roleDefinitionId: missing required property (String)`]],
    ["role assignment: read-only scope set", (n) => { n(ROLE).body.properties.scope = "/subscriptions/x"; },
      [`${ROLE}: body.properties.scope: read-only property must not be set`]],
    ["role assignment: wrong api-version", (n) => { n(ROLE).apiVersion = "2015-07-01"; },
      [`${ROLE}: apiVersion: api-version "2015-07-01" does not match 2022-04-01 used by @azure/arm-authorization@9.0.0 for Microsoft.Authorization/roleAssignments`]],
    // Network: subnet delegations
    ["subnet delegation: misspelled service name", (n) => { n("demo-aci").body.properties.delegations[0].properties = { serviceNmae: "Microsoft.ContainerInstance/containerGroups" }; },
      ["demo-aci: body.properties.delegations[0].properties.serviceNmae: unknown property (did you mean serviceName?)"]],
    ["subnet delegation: read-only actions set", (n) => { n("demo-aci").body.properties.delegations[0].properties.actions = ["Microsoft.Network/virtualNetworks/subnets/action"]; },
      ["demo-aci: body.properties.delegations[0].properties.actions: read-only property must not be set"]],
  ];
  for (const [name, mutate, expected] of cases) {
    test(name, async () => {
      assert.deepEqual(await problemsAfter(mutate, aksSample), expected);
    });
  }

  test("createOnly, liveOwned and the plan's kind are not part of the body", async () => {
    // Whatever they hold, the checker does not look at them...
    assert.deepEqual(await problemsAfter((n, plan) => {
      plan.kind = "SomethingElse";
      n("demo").createOnly = ["/properties/whatever", 42];
      n("system").liveOwned = { not: "an array" };
    }, aksSample), []);
    // ...and in a body the same names are unknown properties.
    assert.deepEqual(await problemsAfter((n) => {
      n("system").body.liveOwned = ["/properties/count"];
      n("demo").body.createOnly = ["/properties/agentPoolProfiles"];
    }, aksSample), [
      "demo: body.createOnly: unknown property",
      "system: body.liveOwned: unknown property",
    ]);
  });
});

describe("late-bound placeholders", () => {
  const IDENTITY = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/demo-control-plane";

  test("are accepted where the model wants a string, and listed with what they waive", async () => {
    const { problems, placeholders } = await checkPlan(sample());
    assert.deepEqual(problems, []);
    assert.deepEqual(placeholders.map((p) => [p.node, p.path, p.value, p.expected, p.waived]), [
      ["easelkvdemo", "body.properties.tenantId", "{{deployer:tenantId}}", "Uuid", ["format Uuid"]],
      ["easelkvdemo", "body.properties.accessPolicies[0].tenantId", "{{deployer:tenantId}}", "Uuid", ["format Uuid"]],
      ["easelkvdemo", "body.properties.accessPolicies[0].objectId", `{{ref:${IDENTITY}#/properties/principalId}}`, "String", []],
      ["easelkvdemo", "body.properties.accessPolicies[1].tenantId", "{{deployer:tenantId}}", "Uuid", ["format Uuid"]],
      ["easelkvdemo", "body.properties.accessPolicies[1].objectId", "{{deployer:objectId}}", "String", []],
      ["demo-cp-0", "body.properties.osProfile.customData", "{{userData:init}}", "String", []],
    ]);
  });

  const cases = [
    ["not for a Number", (n) => { n("easelkvdemo").body.properties.softDeleteRetentionInDays = "{{deployer:tenantId}}"; },
      ['easelkvdemo: body.properties.softDeleteRetentionInDays: a late-bound placeholder cannot stand for Number: "{{deployer:tenantId}}"']],
    ["not for a Boolean", (n) => { n("easelkvdemo").body.properties.enableRbacAuthorization = "{{deployer:objectId}}"; },
      ['easelkvdemo: body.properties.enableRbacAuthorization: a late-bound placeholder cannot stand for Boolean: "{{deployer:objectId}}"']],
    ["not for an Enum (its values are known offline)", (n) => { n("easelkvdemo").body.properties.sku.name = "{{deployer:tenantId}}"; },
      ['easelkvdemo: body.properties.sku.name: a late-bound placeholder cannot stand for Enum: "{{deployer:tenantId}}"']],
    ["not for an object", (n) => { n("demo-cp-0").body.properties.osProfile = "{{userData:init}}"; },
      ['demo-cp-0: body.properties.osProfile: a late-bound placeholder cannot stand for object (OSProfile): "{{userData:init}}"']],
    ["an unknown deployer field", (n) => { n("easelkvdemo").body.properties.tenantId = "{{deployer:secret}}"; },
      ['easelkvdemo: body.properties.tenantId: unknown late-bound placeholder "{{deployer:secret}}" (see src/plan/late_bound.h)']],
    ["an unknown user data role", (n) => { n("demo-cp-0").body.properties.osProfile.customData = "{{userData:master}}"; },
      ['demo-cp-0: body.properties.osProfile.customData: unknown late-bound placeholder "{{userData:master}}" (see src/plan/late_bound.h)']],
    ["a reference without an ARM id and pointer", (n) => {
      n("easelkvdemo").body.properties.accessPolicies[0].objectId = "{{ref:demo-control-plane.principalId}}";
    }, ['easelkvdemo: body.properties.accessPolicies[0].objectId: unknown late-bound placeholder "{{ref:demo-control-plane.principalId}}" (see src/plan/late_bound.h)']],
  ];
  for (const [name, mutate, expected] of cases) {
    test(name, async () => {
      assert.deepEqual(await problemsAfter(mutate), expected);
    });
  }

  test("in the AKS plan: the deployer's tenant for Entra and an identity's principal for role assignments", async () => {
    const AKS_IDENTITY = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/demo-aks";
    const { problems, placeholders } = await checkPlan(aksSample());
    assert.deepEqual(problems, []);
    assert.deepEqual(placeholders.map((p) => [p.node, p.path, p.value, p.expected, p.waived]), [
      ["0b6c3a52-5d0e-5a8e-9f52-3c1d2e4f6a70", "body.properties.principalId", `{{ref:${AKS_IDENTITY}#/properties/principalId}}`, "String", []],
      ["7e2f4c81-1a3b-5c6d-8e9f-0a1b2c3d4e5f", "body.properties.principalId", `{{ref:${AKS_IDENTITY}#/properties/principalId}}`, "String", []],
      ["demo", "body.properties.aadProfile.tenantID", "{{deployer:tenantId}}", "String", []],
    ]);
  });

  const aksCases = [
    ["not for an agent pool's count", (n) => { n("system").body.properties.count = "{{ref:/subscriptions/x/y#/properties/count}}"; },
      ['system: body.properties.count: a late-bound placeholder cannot stand for Number: "{{ref:/subscriptions/x/y#/properties/count}}"']],
    ["not for the cluster identity's Enum type", (n) => { n("demo").body.identity.type = "{{deployer:tenantId}}"; },
      ['demo: body.identity.type: a late-bound placeholder cannot stand for Enum: "{{deployer:tenantId}}"']],
    ["a principal reference without a pointer", (n) => {
      n("0b6c3a52-5d0e-5a8e-9f52-3c1d2e4f6a70").body.properties.principalId = "{{ref:demo-aks}}";
    }, ['0b6c3a52-5d0e-5a8e-9f52-3c1d2e4f6a70: body.properties.principalId: unknown late-bound placeholder "{{ref:demo-aks}}" (see src/plan/late_bound.h)']],
    ["an unknown deployer field for the Entra tenant", (n) => { n("demo").body.properties.aadProfile.tenantID = "{{deployer:tenant}}"; },
      ['demo: body.properties.aadProfile.tenantID: unknown late-bound placeholder "{{deployer:tenant}}" (see src/plan/late_bound.h)']],
  ];
  for (const [name, mutate, expected] of aksCases) {
    test(name, async () => {
      assert.deepEqual(await problemsAfter(mutate, aksSample), expected);
    });
  }

  test("the forms of src/plan/late_bound.h", () => {
    for (const v of ["{{deployer:tenantId}}", "{{deployer:objectId}}", "{{userData:init}}",
      "{{userData:control-plane}}", "{{userData:worker}}", `{{ref:${IDENTITY}#/properties/clientId}}`]) {
      assert.ok(isKnownPlaceholder(v), v);
    }
    for (const v of ["{{deployer:tenantid}}", "{{userData:}}", `{{ref:${IDENTITY}}}`, `{{ref:${IDENTITY}#}}`,
      "x{{deployer:tenantId}}", "{{deployer:tenantId}} ", "{deployer:tenantId}"]) {
      assert.ok(!isKnownPlaceholder(v), v);
    }
  });

  test("constraints a placeholder would fail are waived and listed, not reported", () => {
    const model = {
      modelMappers: {},
      mapper: { type: { name: "Composite", className: "T", modelProperties: {
        name: { serializedName: "name", constraints: { Pattern: /^[a-z0-9]{3,24}$/, MaxLength: 24 }, type: { name: "String" } },
      } } },
    };
    const placeholders = [];
    assert.deepEqual(checkBody({ name: "{{deployer:objectId}}" }, model, "body", placeholders), []);
    assert.deepEqual(placeholders, [{
      path: "body.name", value: "{{deployer:objectId}}", expected: "String", waived: ["constraint Pattern /^[a-z0-9]{3,24}$/"],
    }]);
    // A literal value is still held to them.
    assert.deepEqual(checkBody({ name: "Not-Valid" }, model), [
      { path: "body.name", message: 'violates constraint Pattern /^[a-z0-9]{3,24}$/ (value "Not-Valid")' },
    ]);
  });
});

describe("golden plans from ../golden", () => {
  const files = existsSync(GOLDEN_DIR)
    ? readdirSync(GOLDEN_DIR).filter((f) => f.endsWith(".plan.json")).sort()
    : [];

  // The placeholders each golden plan may hold ("path expected-type"), and what they are excused
  // from. VM cluster plans (no "kind") all have the same: only the GUID format of the key vault's
  // tenant ids (the deployer's tenant, known when the token is) is waived. AKS plans are listed by
  // file: their tenant and principal ids are Strings in the models, so nothing is waived. No
  // Pattern or length constraint is waived anywhere; a new waiver, or a new AKS golden plan, must
  // be a deliberate change here.
  const VM_CLUSTER = {
    placeholders: [
      "body.properties.accessPolicies[0].objectId String",
      "body.properties.accessPolicies[0].tenantId Uuid",
      "body.properties.accessPolicies[1].objectId String",
      "body.properties.accessPolicies[1].tenantId Uuid",
      "body.properties.osProfile.customData String",
      "body.properties.tenantId Uuid",
    ],
    waived: [
      "body.properties.accessPolicies[0].tenantId: format Uuid",
      "body.properties.accessPolicies[1].tenantId: format Uuid",
      "body.properties.tenantId: format Uuid",
    ],
  };
  // VM cluster plans with `storage.access: private` also read the private endpoint's address
  // into the storage account's A record.
  const PRIVATE_STORAGE = new Set(["private-api.plan.json"]);
  const PRIVATE_ENDPOINT_ADDRESS = "body.properties.aRecords[0].ipv4Address String";
  const AKS = {
    "aks-quickstart.plan.json": { placeholders: [], waived: [] },
    "aks-enterprise.plan.json": {
      placeholders: [
        "65c272a5-e48f-5e31-9e5a-437d0c916f2f body.properties.principalId String",
        "58d47591-5aed-577e-830b-24e5daf6b8ef body.properties.principalId String",
        "shop body.properties.aadProfile.tenantID String",
      ],
      waived: [],
    },
  };

  if (files.length === 0) {
    test("golden plan files exist", () => {
      assert.fail(`no *.plan.json files in ${GOLDEN_DIR}: the golden plans must be checked against the Azure models`);
    });
  }
  for (const file of files) {
    test(`${file} has no problems`, async () => {
      const plan = JSON.parse(readFileSync(`${GOLDEN_DIR}/${file}`, "utf8"));
      const { bodies, problems, placeholders } = await checkPlan(plan);
      assert.deepEqual(problems.map(formatProblem), []);
      assert.equal(bodies, plan.resources.filter((r) => r.action === "create").length);
      assert.ok(bodies > 0, `${file} has no create bodies to check`);
      const waived = [...new Set(placeholders.filter((p) => p.waived.length).map((p) => `${p.path}: ${p.waived.join(", ")}`))].sort();
      if (plan.kind === undefined) {
        assert.deepEqual(waived, VM_CLUSTER.waived);
        const expected = PRIVATE_STORAGE.has(file)
          ? [PRIVATE_ENDPOINT_ADDRESS, ...VM_CLUSTER.placeholders].sort()
          : VM_CLUSTER.placeholders;
        assert.deepEqual([...new Set(placeholders.map((p) => `${p.path} ${p.expected}`))].sort(), expected);
      } else {
        assert.equal(plan.kind, "AKSCluster", `${file}: a plan of kind ${plan.kind} needs its expectations here`);
        const expected = AKS[file];
        assert.ok(expected, `${file}: an AKS golden plan needs its placeholders listed here`);
        assert.deepEqual(waived, expected.waived);
        assert.deepEqual(placeholders.map((p) => `${p.node} ${p.path} ${p.expected}`), expected.placeholders);
      }
    });
  }

  test("the AKS golden plans cover every AKS-only type", async () => {
    const types = new Set(Object.keys(AKS).flatMap((f) =>
      JSON.parse(readFileSync(`${GOLDEN_DIR}/${f}`, "utf8")).resources.filter((r) => r.action === "create").map((r) => r.type)));
    for (const t of Object.keys(RESOURCE_TYPES).filter((t) => /^Microsoft\.(ContainerService|KubernetesConfiguration|Authorization)\//.test(t))) {
      assert.ok(types.has(t), t);
    }
  });
});

describe("CLI", () => {
  const run = async (...args) => {
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [here("./check-plan.mjs"), ...args]);
      return { code: 0, stdout };
    } catch (e) {
      return { code: e.code, stdout: e.stdout };
    }
  };

  test("exits 0 with a summary on a correct plan", async () => {
    const n = sample().resources.filter((r) => r.action === "create").length;
    assert.deepEqual(await run(SAMPLE), { code: 0, stdout: `checked ${n} bodies in 1 plan: 0 problems\n` });
  });

  test("exits 1 and prints one problem a line", async () => {
    const r = await run(SAMPLE, here("./fixtures/does-not-exist.json"));
    assert.equal(r.code, 1);
    const lines = r.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 2);
    assert.match(lines[0], /does-not-exist\.json: plan: .*does-not-exist\.json: cannot read plan: ENOENT/);
    assert.match(lines[1], /^checked \d+ bodies in 2 plans: 1 problem$/);
  });

  test("exits 2 without arguments", async () => {
    assert.equal((await run()).code, 2);
  });
});
