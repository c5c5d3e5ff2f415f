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
const GOLDEN_DIR = here("../golden");
const sample = () => JSON.parse(readFileSync(SAMPLE, "utf8"));

// Clones the sample plan, lets `mutate(byName, plan)` break it, and returns the
// formatted problems.
async function problemsAfter(mutate) {
  const plan = sample();
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
  };

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

describe("correct hand-written plan", () => {
  test("covers every supported resource type", () => {
    const types = new Set(sample().resources.filter((r) => r.action === "create").map((r) => r.type));
    assert.deepEqual([...types].sort(), Object.keys(RESOURCE_TYPES).sort());
  });

  test("has no problems", async () => {
    const { bodies, problems } = await checkPlan(sample());
    assert.deepEqual(problems.map(formatProblem), []);
    assert.equal(bodies, sample().resources.filter((r) => r.action === "create").length);
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
      assert.ok(bodies > 0, `${file} has no create bodies to check`);
      // What the golden plans' placeholders are excused from: only the GUID format of the tenant
      // ids (the deployer's tenant, known when the token is). No Pattern or length constraint is
      // waived; a new waiver must be a deliberate change here.
      const waived = placeholders.filter((p) => p.waived.length).map((p) => `${p.path}: ${p.waived.join(", ")}`);
      assert.deepEqual(
        [...new Set(waived)].sort(),
        [
          "body.properties.accessPolicies[0].tenantId: format Uuid",
          "body.properties.accessPolicies[1].tenantId: format Uuid",
          "body.properties.tenantId: format Uuid",
        ],
      );
      const byPath = [...new Set(placeholders.map((p) => `${p.path} ${p.expected}`))].sort();
      assert.deepEqual(byPath, [
        "body.properties.accessPolicies[0].objectId String",
        "body.properties.accessPolicies[0].tenantId Uuid",
        "body.properties.accessPolicies[1].objectId String",
        "body.properties.accessPolicies[1].tenantId Uuid",
        "body.properties.osProfile.customData String",
        "body.properties.tenantId Uuid",
      ]);
    });
  }
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
