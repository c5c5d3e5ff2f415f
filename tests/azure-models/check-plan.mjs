// check-plan.mjs: checks the ARM request bodies in easel plan files against the
// official Azure REST models.
//
// What is checked: every plan node with action "create" must have a known
// resource type, the exact api-version the SDK package uses for that type's PUT,
// and a body that fits the request-body model of that PUT. The body is walked
// recursively against the model (flattened "properties.x" names, className
// references, Sequence/Dictionary elements, polymorphic discriminators): unknown
// properties (with a did-you-mean hint), missing required properties, wrong JSON
// types, read-only properties that are set, values outside a strict Enum's
// allowed values, wrong constants, and violated constraints (MaxLength, Pattern,
// InclusiveMinimum, ...) are all reported with their JSON path. Nodes with
// action "read" (existing resources) are skipped. Only a node's action, type,
// apiVersion and body are read: other node fields (id, dependsOn, ownership,
// the engine's "createOnly"/"liveOwned" JSON pointer lists) and the plan's
// top-level fields ("kind", "steps", ...) are not part of any request body and
// are ignored. "required" is only what the
// Mappers mark: arm-network's flattened "properties.*" members carry no required
// flags (e.g. a security rule's protocol/access/direction), so those are not
// enforced here. Enum values are compared exactly (the SDK and ARM are more
// lenient about case; a plan should not rely on that). Only strict Enums carry
// their values in the Mappers: an "extensible" enum (most of AKS's:
// networkPlugin, outboundType, osSKU, mode, upgradeChannel, ...; a policy
// assignment's enforcementMode, a role assignment's principalType) is a plain
// String there, so its value is not checked by this tool.
//
// Where the models come from: the `Mappers` (serialization models) of the
// autorest-generated @azure/arm-* packages. Nothing is copied: for each type the
// checker calls the SDK's own PUT operation (createOrUpdate / create) with a
// stubbed transport and takes the request-body mapper and the api-version
// straight from the operation spec the SDK would have sent. The packages are
// pinned to versions that still ship Mappers (newer ones are
// TypeSpec-generated without them) and whose api-version is the one easel
// targets: arm-network 36.0.0 (2025-05-01), arm-privatedns 3.2.0 (2020-06-01),
// arm-storage 19.1.0 (2025-06-01), arm-compute 23.3.0 (2025-04-01 for
// virtualMachines, virtualMachines/extensions and images), arm-keyvault 3.2.0
// (2024-11-01), arm-msi 2.2.0 (2024-11-30), arm-containerservice 24.1.0
// (2025-10-01 for managedClusters and managedClusters/agentPools; 25.x is
// TypeSpec-generated, without Mappers), arm-kubernetesconfiguration 6.1.0
// (2023-05-01 for extensions and fluxConfigurations), arm-policy 6.0.0
// (2024-05-01 for policyAssignments; 7.x has no Mappers) and arm-authorization
// 9.0.0 (2022-04-01 for roleAssignments; other operation groups of that package
// use other api-versions). The KubernetesConfiguration types are extension
// resources of a managed cluster (<clusterId>/providers/Microsoft.
// KubernetesConfiguration/...) and the Authorization ones are PUT at any scope
// (<scope>/providers/Microsoft.Authorization/...): their operations are called
// with a managed cluster's path parameters or a resource group scope; the
// request-body model and api-version do not depend on which.
//
// Late-bound placeholders: a plan cannot know some values offline (the
// deployer's tenant and object id, a field of a resource created earlier in the
// same apply, a VM's user data), so it writes whole-string placeholders that
// the engine resolves just before it sends the body (src/plan/late_bound.h):
// "{{deployer:tenantId}}", "{{deployer:objectId}}", "{{ref:<ARM id>#<JSON
// pointer>}}" and "{{userData:init|control-plane|worker}}". Such a string is
// accepted wherever the model wants a value whose JSON form is a string
// (String, Uuid, ByteArray, Date, ...; not Number, Boolean, Enum or objects),
// without checking that string's format or its constraints (Pattern,
// MaxLength, ...): the value that is sent is not the placeholder. Every
// accepted placeholder is listed in the result (`placeholders`), with the
// format or constraints the placeholder itself would fail (`waived`), so a
// test can pin exactly what is waived. A "{{...}}" string that is not one of
// these forms is a problem.
//
// Usage: node check-plan.mjs FILE...   (exit 1 if any problem, 2 on usage error)

import { readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { NetworkManagementClient } from "@azure/arm-network";
import { PrivateDnsManagementClient } from "@azure/arm-privatedns";
import { StorageManagementClient } from "@azure/arm-storage";
import { ComputeManagementClient } from "@azure/arm-compute";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { SourceControlConfigurationClient } from "@azure/arm-kubernetesconfiguration";
import { PolicyClient } from "@azure/arm-policy";
import { AuthorizationManagementClient } from "@azure/arm-authorization";

const require = createRequire(import.meta.url);

const PACKAGES = {
  network: { name: "@azure/arm-network", Client: NetworkManagementClient },
  privatedns: { name: "@azure/arm-privatedns", Client: PrivateDnsManagementClient },
  storage: { name: "@azure/arm-storage", Client: StorageManagementClient },
  compute: { name: "@azure/arm-compute", Client: ComputeManagementClient },
  keyvault: { name: "@azure/arm-keyvault", Client: KeyVaultManagementClient },
  msi: { name: "@azure/arm-msi", Client: ManagedServiceIdentityClient },
  containerservice: { name: "@azure/arm-containerservice", Client: ContainerServiceClient },
  kubernetesconfiguration: { name: "@azure/arm-kubernetesconfiguration", Client: SourceControlConfigurationClient },
  policy: { name: "@azure/arm-policy", Client: PolicyClient },
  authorization: { name: "@azure/arm-authorization", Client: AuthorizationManagementClient },
};

// Resource type -> the SDK PUT operation whose request body the plan's body is,
// and the model name that operation is expected to use (verified at load time).
export const RESOURCE_TYPES = {
  "Microsoft.Network/virtualNetworks": {
    pkg: "network", mapper: "VirtualNetwork",
    put: (c) => c.virtualNetworks.beginCreateOrUpdate("rg", "n", {}),
  },
  "Microsoft.Network/virtualNetworks/subnets": {
    pkg: "network", mapper: "Subnet",
    put: (c) => c.subnets.beginCreateOrUpdate("rg", "n", "s", {}),
  },
  "Microsoft.Network/networkSecurityGroups": {
    pkg: "network", mapper: "NetworkSecurityGroup",
    put: (c) => c.networkSecurityGroups.beginCreateOrUpdate("rg", "n", {}),
  },
  "Microsoft.Network/publicIPAddresses": {
    pkg: "network", mapper: "PublicIPAddress",
    put: (c) => c.publicIPAddresses.beginCreateOrUpdate("rg", "n", {}),
  },
  "Microsoft.Network/natGateways": {
    pkg: "network", mapper: "NatGateway",
    put: (c) => c.natGateways.beginCreateOrUpdate("rg", "n", {}),
  },
  "Microsoft.Network/loadBalancers": {
    pkg: "network", mapper: "LoadBalancer",
    put: (c) => c.loadBalancers.beginCreateOrUpdate("rg", "n", {}),
  },
  "Microsoft.Network/networkInterfaces": {
    pkg: "network", mapper: "NetworkInterface",
    put: (c) => c.networkInterfaces.beginCreateOrUpdate("rg", "n", {}),
  },
  "Microsoft.Network/privateEndpoints": {
    pkg: "network", mapper: "PrivateEndpoint",
    put: (c) => c.privateEndpoints.beginCreateOrUpdate("rg", "n", {}),
  },
  "Microsoft.Network/privateDnsZones": {
    pkg: "privatedns", mapper: "PrivateZone",
    put: (c) => c.privateZones.beginCreateOrUpdate("rg", "z", {}),
  },
  "Microsoft.Network/privateDnsZones/A": {
    pkg: "privatedns", mapper: "RecordSet",
    put: (c) => c.recordSets.createOrUpdate("rg", "z", "A", "r", {}),
  },
  "Microsoft.Network/privateDnsZones/virtualNetworkLinks": {
    pkg: "privatedns", mapper: "VirtualNetworkLink",
    put: (c) => c.virtualNetworkLinks.beginCreateOrUpdate("rg", "z", "l", {}),
  },
  "Microsoft.Storage/storageAccounts": {
    pkg: "storage", mapper: "StorageAccountCreateParameters",
    put: (c) => c.storageAccounts.beginCreate("rg", "n", {}),
  },
  "Microsoft.Storage/storageAccounts/blobServices/containers": {
    pkg: "storage", mapper: "BlobContainer",
    put: (c) => c.blobContainers.create("rg", "n", "c", {}),
  },
  "Microsoft.Compute/images": {
    pkg: "compute", mapper: "Image",
    put: (c) => c.images.beginCreateOrUpdate("rg", "n", {}),
  },
  "Microsoft.Compute/virtualMachines": {
    pkg: "compute", mapper: "VirtualMachine",
    put: (c) => c.virtualMachines.beginCreateOrUpdate("rg", "n", {}),
  },
  "Microsoft.Compute/virtualMachines/extensions": {
    pkg: "compute", mapper: "VirtualMachineExtension",
    put: (c) => c.virtualMachineExtensions.beginCreateOrUpdate("rg", "vm", "e", {}),
  },
  "Microsoft.KeyVault/vaults": {
    pkg: "keyvault", mapper: "VaultCreateOrUpdateParameters",
    put: (c) => c.vaults.beginCreateOrUpdate("rg", "n", {}),
  },
  "Microsoft.ManagedIdentity/userAssignedIdentities": {
    pkg: "msi", mapper: "Identity",
    put: (c) => c.userAssignedIdentities.createOrUpdate("rg", "n", {}),
  },
  "Microsoft.ContainerService/managedClusters": {
    pkg: "containerservice", mapper: "ManagedCluster",
    put: (c) => c.managedClusters.beginCreateOrUpdate("rg", "c", {}),
  },
  "Microsoft.ContainerService/managedClusters/agentPools": {
    pkg: "containerservice", mapper: "AgentPool",
    put: (c) => c.agentPools.beginCreateOrUpdate("rg", "c", "p", {}),
  },
  // Extension resources of a managed cluster: <clusterId>/providers/Microsoft.KubernetesConfiguration/...
  "Microsoft.KubernetesConfiguration/extensions": {
    pkg: "kubernetesconfiguration", mapper: "Extension",
    put: (c) => c.extensions.beginCreate("rg", "Microsoft.ContainerService", "managedClusters", "c", "e", {}),
  },
  "Microsoft.KubernetesConfiguration/fluxConfigurations": {
    pkg: "kubernetesconfiguration", mapper: "FluxConfiguration",
    put: (c) => c.fluxConfigurations.beginCreateOrUpdate("rg", "Microsoft.ContainerService", "managedClusters", "c", "f", {}),
  },
  // Scoped at a resource group or a managed cluster: <scope>/providers/Microsoft.Authorization/...
  "Microsoft.Authorization/policyAssignments": {
    pkg: "policy", mapper: "PolicyAssignment",
    put: (c) => c.policyAssignments.create("/subscriptions/s/resourceGroups/rg", "a", {}),
  },
  "Microsoft.Authorization/roleAssignments": {
    pkg: "authorization", mapper: "RoleAssignmentCreateParameters",
    put: (c) => c.roleAssignments.create("/subscriptions/s/resourceGroups/rg", "00000000-0000-0000-0000-000000000001", {}),
  },
};

// ---------------------------------------------------------------------------
// Loading the models from the SDK operation specs

const CREDENTIAL = {
  getToken: async () => ({ token: "unused", expiresOnTimestamp: Date.now() + 3600e3 }),
};
const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";

async function captureOperationSpec(client, put) {
  let spec;
  const sentinel = new Error("operation spec captured");
  // The operation groups call this.client.sendOperationRequest(args, spec);
  // replacing it on the instance means nothing is ever sent anywhere.
  client.sendOperationRequest = async (_args, s) => {
    spec = s;
    throw sentinel;
  };
  try {
    await put(client);
  } catch (e) {
    if (e !== sentinel) throw e;
  }
  if (!spec) throw new Error("SDK operation did not reach sendOperationRequest");
  return spec;
}

let modelsPromise;

/** Returns Map<resourceType, {type, packageName, packageVersion, apiVersion,
 *  httpMethod, path, mapper, modelMappers}> built from the SDK operation specs. */
export function loadModels() {
  modelsPromise ??= (async () => {
    const clients = {};
    const models = new Map();
    for (const [type, def] of Object.entries(RESOURCE_TYPES)) {
      const pkg = PACKAGES[def.pkg];
      clients[def.pkg] ??= new pkg.Client(CREDENTIAL, SUBSCRIPTION);
      const spec = await captureOperationSpec(clients[def.pkg], def.put);
      const apiParam = (spec.queryParameters ?? []).find(
        (q) => q.mapper?.serializedName === "api-version",
      );
      const mapper = spec.requestBody?.mapper;
      const className = mapper?.type?.className;
      if (spec.httpMethod !== "PUT" || !apiParam?.mapper?.defaultValue || className !== def.mapper) {
        throw new Error(
          `${pkg.name}: operation for ${type} is ${spec.httpMethod} with request body ` +
            `${className} and api-version ${apiParam?.mapper?.defaultValue}; expected PUT with ${def.mapper}`,
        );
      }
      models.set(type, {
        type,
        packageName: pkg.name,
        packageVersion: require(`${pkg.name}/package.json`).version,
        apiVersion: apiParam.mapper.defaultValue,
        httpMethod: spec.httpMethod,
        path: spec.path,
        mapper,
        modelMappers: spec.serializer.modelMappers,
      });
    }
    return models;
  })();
  return modelsPromise;
}

// ---------------------------------------------------------------------------
// Walking a value against a mapper

function jsType(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

function isPlainObject(v) {
  return jsType(v) === "object";
}

function appendPath(path, key) {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

// "properties.addressSpace" -> ["properties", "addressSpace"]; "a\\.b" stays one part.
function splitSerializedName(name) {
  return name.split(/(?<!\\)\./).map((p) => p.replace(/\\\./g, "."));
}

function levenshtein(a, b) {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

function closest(key, candidates) {
  let best;
  let bestDist = Infinity;
  const lower = key.toLowerCase();
  for (const c of candidates) {
    const d = c.toLowerCase() === lower ? 0 : levenshtein(lower, c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return bestDist <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const DURATION_RE = /^-?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL_RE = /^[A-Za-z0-9_-]*$/;

// Late-bound placeholders (src/plan/late_bound.h): any whole "{{...}}" string is
// taken for one; only these forms are ones the engine resolves.
const PLACEHOLDER_RE = /^\{\{[\s\S]*\}\}$/;
const PLACEHOLDER_FORMS = [
  /^\{\{deployer:(tenantId|objectId)\}\}$/,
  /^\{\{ref:\/subscriptions\/[^#{}\s]+#(\/[^/{}\s]+)+\}\}$/,
  /^\{\{userData:(init|control-plane|worker)\}\}$/,
];
// Model types whose JSON form is a string: a placeholder may stand for their value.
const STRING_TYPES = new Set([
  "String", "Uuid", "ByteArray", "Base64Url", "Date", "DateTime", "DateTimeRfc1123", "TimeSpan",
]);

export function isPlaceholder(value) {
  return typeof value === "string" && PLACEHOLDER_RE.test(value);
}

export function isKnownPlaceholder(value) {
  return isPlaceholder(value) && PLACEHOLDER_FORMS.some((re) => re.test(value));
}

class Walker {
  constructor(modelMappers, report, placeholder = () => {}) {
    this.modelMappers = modelMappers;
    this.report = report; // (path, message) => void
    this.placeholder = placeholder; // ({path, value, expected, waived}) => void
  }

  // A late-bound placeholder where the model wants `mapper`: accepted when the
  // JSON form of the model's value is a string (recording what the placeholder
  // itself would fail: the type's format, constraints), else reported. Returns
  // false when `value` is not a placeholder (the caller checks it as usual).
  latePlaceholder(value, mapper, path) {
    if (!isPlaceholder(value)) return false;
    const type = mapper.type ?? {};
    if (!isKnownPlaceholder(value)) {
      this.report(path, `unknown late-bound placeholder ${truncate(JSON.stringify(value))} (see src/plan/late_bound.h)`);
      return true;
    }
    if (!STRING_TYPES.has(type.name) && type.name !== "Object" && type.name !== "any") {
      this.report(path, `a late-bound placeholder cannot stand for ${this.typeLabel(mapper)}: ${truncate(JSON.stringify(value))}`);
      return true;
    }
    const waived = [];
    if (type.name !== "String" && STRING_TYPES.has(type.name)) {
      const probe = new Walker(this.modelMappers, () => waived.push(`format ${type.name}`));
      probe.typeCheck(value, type, path, mapper);
    }
    for (const what of constraintViolations(value, mapper.constraints)) {
      waived.push(`constraint ${what.replace(/ \(value .*\)$/, "")}`);
    }
    this.placeholder({ path, value, expected: this.typeLabel(mapper), waived });
    return true;
  }

  // Checks `value` (known to be present, i.e. !== undefined) against a property mapper.
  value(value, mapper, path) {
    if (mapper.readOnly) {
      this.report(path, "read-only property must not be set");
      return;
    }
    if (value === null) {
      if ((mapper.required && !mapper.nullable) || mapper.nullable === false) {
        this.report(path, `must not be null (expected ${this.typeLabel(mapper)})`);
      }
      return;
    }
    if (mapper.isConstant && mapper.defaultValue !== undefined) {
      if (value !== mapper.defaultValue) {
        this.report(path, `must be the constant ${JSON.stringify(mapper.defaultValue)}, got ${JSON.stringify(value)}`);
      }
      return;
    }
    if (this.latePlaceholder(value, mapper, path)) return;
    const type = mapper.type ?? {};
    if (!this.typeCheck(value, type, path, mapper)) return;
    this.constraints(value, mapper.constraints, path);
  }

  typeLabel(mapper) {
    const t = mapper.type ?? {};
    if (t.name === "Composite") return `object (${t.className})`;
    if (t.name === "Sequence") return "array";
    if (t.name === "Dictionary") return "object (map)";
    return t.name;
  }

  wrongType(path, expected, value) {
    this.report(path, `expected ${expected}, got ${jsType(value)} ${truncate(JSON.stringify(value))}`);
  }

  // Returns true when the JSON type fits (so constraints can be checked).
  typeCheck(value, type, path, mapper) {
    switch (type.name) {
      case "String":
        if (typeof value !== "string") return this.wrongType(path, "String", value), false;
        return true;
      case "Number":
        if (typeof value !== "number" || !Number.isFinite(value)) return this.wrongType(path, "Number", value), false;
        return true;
      case "Boolean":
        if (typeof value !== "boolean") return this.wrongType(path, "Boolean", value), false;
        return true;
      case "Enum": {
        const allowed = type.allowedValues ?? [];
        if (!allowed.includes(value)) {
          const hint = typeof value === "string" ? closest(value, allowed.map(String)) : undefined;
          this.report(
            path,
            `value ${JSON.stringify(value)} is not one of the allowed values ${allowed.map((v) => JSON.stringify(v)).join(", ")}` +
              (hint !== undefined ? ` (did you mean ${JSON.stringify(hint)}?)` : ""),
          );
          return false;
        }
        return true;
      }
      case "Date":
        if (typeof value !== "string" || !DATE_RE.test(value) || Number.isNaN(Date.parse(value)))
          return this.wrongType(path, "Date (YYYY-MM-DD)", value), false;
        return true;
      case "DateTime":
        if (typeof value !== "string" || !DATETIME_RE.test(value) || Number.isNaN(Date.parse(value)))
          return this.wrongType(path, "DateTime (ISO 8601)", value), false;
        return true;
      case "DateTimeRfc1123":
        if (typeof value !== "string" || Number.isNaN(Date.parse(value)))
          return this.wrongType(path, "DateTimeRfc1123", value), false;
        return true;
      case "UnixTime":
        if (!Number.isInteger(value)) return this.wrongType(path, "UnixTime (integer)", value), false;
        return true;
      case "TimeSpan":
        if (typeof value !== "string" || !DURATION_RE.test(value))
          return this.wrongType(path, "TimeSpan (ISO 8601 duration)", value), false;
        return true;
      case "Uuid":
        if (typeof value !== "string" || !UUID_RE.test(value)) return this.wrongType(path, "Uuid", value), false;
        return true;
      case "ByteArray":
        if (typeof value !== "string" || !BASE64_RE.test(value)) return this.wrongType(path, "ByteArray (base64)", value), false;
        return true;
      case "Base64Url":
        if (typeof value !== "string" || !BASE64URL_RE.test(value)) return this.wrongType(path, "Base64Url", value), false;
        return true;
      case "Object":
      case "any":
        return true;
      case "Sequence":
        if (!Array.isArray(value)) return this.wrongType(path, "array", value), false;
        value.forEach((el, i) => {
          const elPath = `${path}[${i}]`;
          if (el === undefined) return;
          this.value(el, type.element ?? { type: { name: "Object" } }, elPath);
        });
        return true;
      case "Dictionary":
        if (!isPlainObject(value)) return this.wrongType(path, "object (map)", value), false;
        for (const [k, v] of Object.entries(value)) {
          this.value(v, type.value ?? { type: { name: "Object" } }, appendPath(path, k));
        }
        return true;
      case "Composite":
        if (!isPlainObject(value)) return this.wrongType(path, `object (${type.className})`, value), false;
        this.composite(value, mapper, path);
        return true;
      default:
        this.report(path, `model type ${JSON.stringify(type.name)} is not supported by this checker`);
        return false;
    }
  }

  constraints(value, c, path) {
    for (const what of constraintViolations(value, c)) this.report(path, `violates constraint ${what}`);
  }

  // The composite's own type with modelProperties, following className
  // references and polymorphic discriminators.
  resolveComposite(value, mapper, path) {
    let type = mapper.type;
    if (!type.modelProperties && type.className) {
      const target = this.modelMappers[type.className];
      if (!target) {
        this.report(path, `model ${type.className} not found in the package's Mappers`);
        return undefined;
      }
      type = target.type;
    }
    const uberParent = type.uberParent ?? type.className;
    const discriminator = type.polymorphicDiscriminator ?? this.modelMappers[uberParent]?.type?.polymorphicDiscriminator;
    if (discriminator) {
      const discValue = getBySerializedPath(value, discriminator.serializedName);
      if (discValue !== undefined && discValue !== null) {
        const sub = this.modelMappers.discriminators?.[`${uberParent}.${discValue}`];
        if (sub) {
          type = sub.type;
          if (!type.modelProperties && type.className) type = this.modelMappers[type.className]?.type ?? type;
        } else if (discValue !== (mapper.serializedName ?? type.className)) {
          const known = Object.keys(this.modelMappers.discriminators ?? {})
            .filter((k) => k.startsWith(`${uberParent}.`))
            .map((k) => k.slice(uberParent.length + 1));
          this.report(
            appendPath(path, discriminator.serializedName),
            `unknown ${uberParent} kind ${JSON.stringify(discValue)} (known: ${known.join(", ")})`,
          );
        }
      }
    }
    return type;
  }

  composite(value, mapper, path) {
    const type = this.resolveComposite(value, mapper, path);
    if (!type) return;
    const tree = buildTree(type.modelProperties ?? {});
    this.walkTree(value, tree, path, type.additionalProperties, tree);
    this.checkRequired(value, tree, path);
  }

  walkTree(obj, node, path, additionalProperties, root) {
    for (const [key, v] of Object.entries(obj)) {
      if (v === undefined) continue;
      const keyPath = appendPath(path, key);
      const child = node.children.get(key);
      if (!child) {
        if (additionalProperties && node === root) {
          this.value(v, additionalProperties, keyPath);
          continue;
        }
        this.report(keyPath, `unknown property${this.suggest(key, node, root)}`);
        continue;
      }
      if (child.leaf) {
        this.value(v, child.leaf, keyPath);
      } else if (!isPlainObject(v)) {
        this.wrongType(keyPath, "object", v);
      } else {
        this.walkTree(v, child, keyPath, additionalProperties, root);
      }
    }
  }

  suggest(key, node, root) {
    const near = closest(key, [...node.children.keys()]);
    if (near !== undefined) return ` (did you mean ${near}?)`;
    // A property that belongs one level down, e.g. "addressSpace" instead of
    // "properties.addressSpace".
    const hits = [];
    const search = (n, prefix) => {
      for (const [k, c] of n.children) {
        const p = prefix ? `${prefix}.${k}` : k;
        if (k.toLowerCase() === key.toLowerCase() && n !== node) hits.push(p);
        if (!c.leaf) search(c, p);
      }
    };
    search(root, "");
    return hits.length ? ` (did you mean ${hits[0]}?)` : "";
  }

  checkRequired(obj, node, path) {
    for (const [key, child] of node.children) {
      const keyPath = appendPath(path, key);
      const v = obj?.[key];
      if (child.leaf) {
        const m = child.leaf;
        if (m.required && !m.readOnly && v === undefined && !(m.isConstant && m.defaultValue !== undefined)) {
          this.report(keyPath, `missing required property (${this.typeLabel(m)})`);
        }
      } else if (v === undefined || isPlainObject(v)) {
        this.checkRequired(v, child, keyPath);
      }
    }
  }
}

// The constraints `value` violates, e.g. ["MaxLength 24 (length 30)"].
function constraintViolations(value, c) {
  const out = [];
  if (!c) return out;
  const fail = (what) => out.push(what);
  const num = typeof value === "number";
  const str = typeof value === "string";
  const arr = Array.isArray(value);
  if (num && c.ExclusiveMaximum !== undefined && value >= c.ExclusiveMaximum) fail(`ExclusiveMaximum ${c.ExclusiveMaximum} (value ${value})`);
  if (num && c.ExclusiveMinimum !== undefined && value <= c.ExclusiveMinimum) fail(`ExclusiveMinimum ${c.ExclusiveMinimum} (value ${value})`);
  if (num && c.InclusiveMaximum !== undefined && value > c.InclusiveMaximum) fail(`InclusiveMaximum ${c.InclusiveMaximum} (value ${value})`);
  if (num && c.InclusiveMinimum !== undefined && value < c.InclusiveMinimum) fail(`InclusiveMinimum ${c.InclusiveMinimum} (value ${value})`);
  if (num && c.MultipleOf !== undefined && value % c.MultipleOf !== 0) fail(`MultipleOf ${c.MultipleOf} (value ${value})`);
  if (str && c.MaxLength !== undefined && value.length > c.MaxLength) fail(`MaxLength ${c.MaxLength} (length ${value.length})`);
  if (str && c.MinLength !== undefined && value.length < c.MinLength) fail(`MinLength ${c.MinLength} (length ${value.length})`);
  if (str && c.Pattern !== undefined) {
    const re = typeof c.Pattern === "string" ? new RegExp(c.Pattern) : c.Pattern;
    if (!re.test(value)) fail(`Pattern ${re} (value ${truncate(JSON.stringify(value))})`);
  }
  if (arr && c.MaxItems !== undefined && value.length > c.MaxItems) fail(`MaxItems ${c.MaxItems} (${value.length} items)`);
  if (arr && c.MinItems !== undefined && value.length < c.MinItems) fail(`MinItems ${c.MinItems} (${value.length} items)`);
  if (arr && c.UniqueItems) {
    const seen = new Set(value.map((v) => JSON.stringify(v)));
    if (seen.size !== value.length) fail("UniqueItems");
  }
  return out;
}

function buildTree(modelProperties) {
  const root = { children: new Map() };
  for (const prop of Object.values(modelProperties)) {
    const parts = splitSerializedName(prop.serializedName);
    let node = root;
    for (const part of parts) {
      if (!node.children.has(part)) node.children.set(part, { children: new Map() });
      node = node.children.get(part);
    }
    node.leaf = prop;
  }
  return root;
}

function getBySerializedPath(obj, serializedName) {
  let v = obj;
  for (const part of splitSerializedName(serializedName)) {
    if (!isPlainObject(v)) return undefined;
    v = v[part];
  }
  return v;
}

function truncate(s, n = 60) {
  if (s === undefined) return "undefined";
  return s.length > n ? `${s.slice(0, n - 3)}...` : s;
}

/** Checks one body against a model; returns [{path, message}]. The late-bound
 *  placeholders it accepted are appended to `placeholders` as
 *  {path, value, expected, waived}. */
export function checkBody(body, model, rootPath = "body", placeholders = []) {
  const problems = [];
  const walker = new Walker(
    model.modelMappers,
    (path, message) => problems.push({ path, message }),
    (p) => placeholders.push(p),
  );
  if (body === undefined || body === null) {
    problems.push({ path: rootPath, message: "missing request body" });
  } else {
    walker.value(body, { ...model.mapper, required: true }, rootPath);
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Plans

function nodeLabel(node, index) {
  if (isPlainObject(node) && typeof node.name === "string" && node.name) return node.name;
  if (isPlainObject(node) && typeof node.id === "string" && node.id) return node.id;
  return `resources[${index}]`;
}

/** Checks a parsed plan. Returns {bodies, problems: [{node, path, message}],
 *  placeholders: [{node, path, value, expected, waived}]}. */
export async function checkPlan(plan) {
  const models = await loadModels();
  const problems = [];
  const placeholders = [];
  let bodies = 0;
  if (!isPlainObject(plan) || !Array.isArray(plan.resources)) {
    problems.push({ node: "plan", path: "resources", message: "plan has no resources array" });
    return { bodies, problems, placeholders };
  }
  plan.resources.forEach((node, i) => {
    const label = nodeLabel(node, i);
    const add = (path, message) => problems.push({ node: label, path, message });
    if (!isPlainObject(node)) return add(`resources[${i}]`, "resource node is not an object");
    if (node.action === "read") return; // existing resource: nothing is PUT
    if (node.action !== "create") {
      return add("action", `unknown action ${JSON.stringify(node.action)} (expected "create" or "read")`);
    }
    const model = models.get(node.type);
    if (!model) {
      const near = typeof node.type === "string" ? closest(node.type, [...models.keys()]) : undefined;
      return add(
        "type",
        `unknown resource type ${JSON.stringify(node.type)}: no Azure model is mapped for it` +
          (near ? ` (did you mean ${near}?)` : ""),
      );
    }
    if (node.apiVersion !== model.apiVersion) {
      add(
        "apiVersion",
        `${node.apiVersion === undefined ? "missing api-version" : `api-version ${JSON.stringify(node.apiVersion)}`} does not match ${model.apiVersion} ` +
          `used by ${model.packageName}@${model.packageVersion} for ${node.type}`,
      );
    }
    bodies++;
    const accepted = [];
    for (const p of checkBody(node.body, model, "body", accepted)) add(p.path, p.message);
    for (const p of accepted) placeholders.push({ node: label, ...p });
  });
  return { bodies, problems, placeholders };
}

export function formatProblem(p) {
  return `${p.node}: ${p.path}: ${p.message}`;
}

/** Reads and checks plan files; returns {plans, bodies, problems: [{file, node, path, message}]}. */
export async function checkPlanFiles(files) {
  const problems = [];
  let bodies = 0;
  for (const file of files) {
    let plan;
    try {
      plan = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      problems.push({ file, node: "plan", path: file, message: `cannot read plan: ${e.message}` });
      continue;
    }
    const r = await checkPlan(plan);
    bodies += r.bodies;
    for (const p of r.problems) problems.push({ file, ...p });
  }
  return { plans: files.length, bodies, problems };
}

function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

export function summary({ plans, bodies, problems }) {
  return `checked ${plural(bodies, "body", "bodies")} in ${plural(plans, "plan")}: ${plural(problems.length, "problem")}`;
}

async function main(argv) {
  if (argv.length === 0 || argv.includes("-h") || argv.includes("--help")) {
    console.error("usage: node check-plan.mjs PLAN.json...");
    return 2;
  }
  const result = await checkPlanFiles(argv);
  for (const p of result.problems) {
    console.log(argv.length > 1 ? `${p.file}: ${formatProblem(p)}` : formatProblem(p));
  }
  console.log(summary(result));
  return result.problems.length ? 1 : 0;
}

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return pathToFileURL(realpathSync(process.argv[1])).href === pathToFileURL(realpathSync(new URL(import.meta.url))).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  process.exitCode = await main(process.argv.slice(2));
}
