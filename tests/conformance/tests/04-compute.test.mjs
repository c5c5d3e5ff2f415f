// Microsoft.Compute through @azure/arm-compute: disks, images from blobs, VMs with implicit OS
// disks, NIC and disk in-use rules, strict request content, conflicts, scale sets.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { ResourceManagementClient } from "@azure/arm-resources";
import { NetworkManagementClient } from "@azure/arm-network";
import { ComputeManagementClient } from "@azure/arm-compute";
import { StorageManagementClient } from "@azure/arm-storage";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { credential, clientOptions, poll, sub, unique, rejects, arm, rgId, info, withPaused, waitTerminal } from "./lib.mjs";

const resources = new ResourceManagementClient(credential, sub, clientOptions);
const net = new NetworkManagementClient(credential, sub, clientOptions);
const compute = new ComputeManagementClient(credential, sub, clientOptions);
const storage = new StorageManagementClient(credential, sub, clientOptions);
const rg = unique("vm-rg");
const loc = "eastus";
const acct = unique("imgacct");
let vhdUrl;
let subnetId;
const nicId = (n) => `${rgId(rg)}/providers/Microsoft.Network/networkInterfaces/${n}`;
const imageId = () => `${rgId(rg)}/providers/Microsoft.Compute/images/base`;

async function nic(name) {
  return net.networkInterfaces.beginCreateOrUpdateAndWait(rg, name, { location: loc, ipConfigurations: [{ name: "ip", subnet: { id: subnetId } }] }, poll);
}

function vmBody(nicName, extra = {}) {
  return {
    location: loc,
    zones: ["1"],
    hardwareProfile: { vmSize: "Standard_D2s_v3" },
    storageProfile: {
      imageReference: { id: imageId() },
      osDisk: { createOption: "FromImage", managedDisk: { storageAccountType: "Premium_LRS" }, diskSizeGB: 64, ...extra.osDisk },
    },
    osProfile: { computerName: "node", adminUsername: "azureuser", customData: Buffer.from("#cloud-config").toString("base64"),
      linuxConfiguration: { disablePasswordAuthentication: true, ssh: { publicKeys: [{ path: "/home/azureuser/.ssh/authorized_keys", keyData: "ssh-ed25519 AAAA test" }] } } },
    networkProfile: { networkInterfaces: [{ id: nicId(nicName), primary: true }] },
  };
}

before(async () => {
  await resources.resourceGroups.createOrUpdate(rg, { location: loc });
  const v = await net.virtualNetworks.beginCreateOrUpdateAndWait(rg, "vnet", { location: loc, addressSpace: { addressPrefixes: ["10.0.0.0/16"] }, subnets: [{ name: "nodes", addressPrefix: "10.0.1.0/24" }] }, poll);
  subnetId = v.subnets[0].id;
  await storage.storageAccounts.beginCreateAndWait(rg, acct, { location: loc, sku: { name: "Standard_LRS" }, kind: "StorageV2" }, poll);
  const key = (await storage.storageAccounts.listKeys(rg, acct)).keys[0].value;
  const svc = new BlobServiceClient(`${info.blob}/${acct}`, new StorageSharedKeyCredential(acct, key));
  await svc.getContainerClient("vhds").create();
  const pb = svc.getContainerClient("vhds").getPageBlobClient("base.vhd");
  await pb.create(1024 * 1024 + 512);
  await pb.uploadPages(Buffer.alloc(512, 1), 1024 * 1024, 512);
  vhdUrl = pb.url;
});

test("image from an existing VHD blob; a missing blob is rejected", async () => {
  const img = await compute.images.beginCreateOrUpdateAndWait(rg, "base", {
    location: loc, storageProfile: { osDisk: { osType: "Linux", osState: "Generalized", blobUri: vhdUrl } }, hyperVGeneration: "V2",
  }, poll);
  assert.equal(img.provisioningState, "Succeeded");
  assert.equal(img.storageProfile.osDisk.blobUri, vhdUrl);
  await rejects(compute.images.beginCreateOrUpdateAndWait(rg, "missing", {
    location: loc, storageProfile: { osDisk: { osType: "Linux", osState: "Generalized", blobUri: `${info.blob}/${acct}/vhds/none.vhd` } },
  }, poll), 400, "InvalidParameter");
});

test("managed disk: create, get, grow, shrink rejected, list, delete", async () => {
  const d = await compute.disks.beginCreateOrUpdateAndWait(rg, "data1", { location: loc, sku: { name: "Premium_LRS" }, creationData: { createOption: "Empty" }, diskSizeGB: 32 }, poll);
  assert.equal(d.diskSizeGB, 32);
  assert.equal(d.diskState, "Unattached");
  const grown = await compute.disks.beginCreateOrUpdateAndWait(rg, "data1", { location: loc, sku: { name: "Premium_LRS" }, creationData: { createOption: "Empty" }, diskSizeGB: 64 }, poll);
  assert.equal(grown.diskSizeGB, 64);
  await rejects(compute.disks.beginCreateOrUpdateAndWait(rg, "data1", { location: loc, creationData: { createOption: "Empty" }, diskSizeGB: 16 }, poll), 400);
  const names = [];
  for await (const x of compute.disks.listByResourceGroup(rg)) names.push(x.name);
  assert.ok(names.includes("data1"));
  await compute.disks.beginDeleteAndWait(rg, "data1", poll);
  await rejects(compute.disks.get(rg, "data1"), 404, "ResourceNotFound");
});

test("disk import from a blob requires the blob", async () => {
  const d = await compute.disks.beginCreateOrUpdateAndWait(rg, "imported", { location: loc, creationData: { createOption: "Import", sourceUri: vhdUrl, storageAccountId: `${rgId(rg)}/providers/Microsoft.Storage/storageAccounts/${acct}` } }, poll);
  assert.equal(d.provisioningState, "Succeeded");
  await rejects(compute.disks.beginCreateOrUpdateAndWait(rg, "imported2", { location: loc, creationData: { createOption: "Import", sourceUri: `${vhdUrl}.missing`, storageAccountId: `${rgId(rg)}/providers/Microsoft.Storage/storageAccounts/${acct}` } }, poll), 400);
});

test("VM with an image and a NIC creates an implicit OS disk; secrets are not returned", async () => {
  await nic("nic-vm1");
  const vm = await compute.virtualMachines.beginCreateOrUpdateAndWait(rg, "vm1", vmBody("nic-vm1", { osDisk: { name: "vm1_OSDisk" } }), poll);
  assert.equal(vm.provisioningState, "Succeeded");
  assert.equal(vm.storageProfile.osDisk.name, "vm1_OSDisk");
  assert.ok(vm.vmId);
  assert.equal(vm.osProfile.customData, undefined);
  const disk = await compute.disks.get(rg, "vm1_OSDisk");
  assert.equal(disk.diskState, "Attached");
  assert.match(disk.managedBy, /virtualMachines\/vm1$/);
  assert.equal(disk.diskSizeGB, 64);
});

test("a NIC used by a VM cannot be deleted, nor used by a second VM", async () => {
  await rejects(net.networkInterfaces.beginDeleteAndWait(rg, "nic-vm1", poll), 400, "NicInUse");
  await rejects(compute.virtualMachines.beginCreateOrUpdateAndWait(rg, "vm2", vmBody("nic-vm1"), poll), 400, "NicInUse");
});

test("an attached OS disk cannot be deleted: 409 OperationNotAllowed", async () => {
  await rejects(compute.disks.beginDeleteAndWait(rg, "vm1_OSDisk", poll), 409, "OperationNotAllowed");
});

test("VM referencing a missing NIC or image is rejected", async () => {
  await rejects(compute.virtualMachines.beginCreateOrUpdateAndWait(rg, "vm3", vmBody("nic-missing"), poll), 400, "InvalidResourceReference");
  await nic("nic-vm4");
  const body = vmBody("nic-vm4");
  body.storageProfile.imageReference = { id: `${rgId(rg)}/providers/Microsoft.Compute/images/none` };
  await rejects(compute.virtualMachines.beginCreateOrUpdateAndWait(rg, "vm4", body, poll), 400, "InvalidResourceReference");
});

test("Compute rejects unknown top-level properties: 400 InvalidRequestContent", async () => {
  const r = await arm("PUT", `${rgId(rg)}/providers/Microsoft.Compute/disks/strict?api-version=2025-01-02`, { location: loc, bogus: 1, properties: { creationData: { createOption: "Empty" }, diskSizeGB: 4 } });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, "InvalidRequestContent");
  // Network ignores them.
  const n = await arm("PUT", `${rgId(rg)}/providers/Microsoft.Network/networkSecurityGroups/lenient?api-version=2024-05-01`, { location: loc, bogus: 1 });
  assert.equal(n.status, 201);
});

test("invalid VM name is rejected", async () => {
  await rejects(compute.virtualMachines.beginCreateOrUpdateAndWait(rg, "bad_name-", vmBody("nic-vm4"), poll), 400, "InvalidResourceName");
});

test("a write while a VM operation is in flight: 409 AnotherOperationInProgress", async () => {
  await nic("nic-vm5");
  await withPaused(async () => {
    const first = await arm("PUT", `${rgId(rg)}/providers/Microsoft.Compute/virtualMachines/vm5?api-version=2025-04-01`, { location: loc, zones: ["1"], properties: vmBody("nic-vm5") });
    assert.equal(first.status, 201, first.text);
    await rejects(compute.virtualMachines.beginCreateOrUpdateAndWait(rg, "vm5", vmBody("nic-vm5"), poll), 409, "AnotherOperationInProgress");
  });
  await waitTerminal(`${rgId(rg)}/providers/Microsoft.Compute/virtualMachines/vm5?api-version=2025-04-01`);
  const vm = await compute.virtualMachines.get(rg, "vm5");
  assert.equal(vm.provisioningState, "Succeeded");
});

test("VM delete detaches the OS disk (deleteOption Detach) or deletes it (Delete)", async () => {
  await compute.virtualMachines.beginDeleteAndWait(rg, "vm1", poll);
  await rejects(compute.virtualMachines.get(rg, "vm1"), 404, "ResourceNotFound");
  const disk = await compute.disks.get(rg, "vm1_OSDisk");
  assert.equal(disk.diskState, "Unattached");
  await compute.disks.beginDeleteAndWait(rg, "vm1_OSDisk", poll);
  await net.networkInterfaces.beginDeleteAndWait(rg, "nic-vm1", poll);
  await nic("nic-vm6");
  const vm = await compute.virtualMachines.beginCreateOrUpdateAndWait(rg, "vm6", vmBody("nic-vm6", { osDisk: { name: "vm6-os", deleteOption: "Delete" } }), poll);
  assert.equal(vm.storageProfile.osDisk.deleteOption, "Delete");
  await compute.virtualMachines.beginDeleteAndWait(rg, "vm6", poll);
  await rejects(compute.disks.get(rg, "vm6-os"), 404);
});

test("virtual machine scale set: create, get, list, delete", async () => {
  const vmss = await compute.virtualMachineScaleSets.beginCreateOrUpdateAndWait(rg, "pool1", {
    location: loc,
    sku: { name: "Standard_D2s_v3", capacity: 2 },
    upgradePolicy: { mode: "Manual" },
    virtualMachineProfile: {
      storageProfile: { imageReference: { id: imageId() }, osDisk: { createOption: "FromImage", managedDisk: { storageAccountType: "Premium_LRS" } } },
      osProfile: { computerNamePrefix: "pool1", adminUsername: "azureuser", adminPassword: "secret-P4ss!" },
      networkProfile: { networkInterfaceConfigurations: [{ name: "nic", primary: true, ipConfigurations: [{ name: "ip", subnet: { id: subnetId } }] }] },
    },
  }, poll);
  assert.equal(vmss.sku.capacity, 2);
  assert.ok(vmss.uniqueId);
  assert.equal(vmss.virtualMachineProfile.osProfile.adminPassword, undefined);
  // Defaults Azure answers: as for VMs on the OS profile, and on NIC configurations.
  assert.equal(vmss.singlePlacementGroup, true);
  assert.deepEqual(vmss.virtualMachineProfile.osProfile.secrets, []);
  assert.equal(vmss.virtualMachineProfile.osProfile.linuxConfiguration.disablePasswordAuthentication, false);
  const nicConfig = vmss.virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0];
  assert.deepEqual(nicConfig.dnsSettings, { dnsServers: [] });
  assert.equal(nicConfig.enableAcceleratedNetworking, false);
  assert.equal(nicConfig.ipConfigurations[0].privateIPAddressVersion, "IPv4");
  const missing = `${imageId()}-none`;
  await rejects(compute.virtualMachineScaleSets.beginCreateOrUpdateAndWait(rg, "pool2", {
    location: loc, sku: { name: "Standard_D2s_v3", capacity: 1 },
    virtualMachineProfile: { storageProfile: { imageReference: { id: missing } } },
  }, poll), 400, "InvalidResourceReference");
  const names = [];
  for await (const x of compute.virtualMachineScaleSets.list(rg)) names.push(x.name);
  assert.deepEqual(names, ["pool1"]);
  await compute.virtualMachineScaleSets.beginDeleteAndWait(rg, "pool1", poll);
  await rejects(compute.virtualMachineScaleSets.get(rg, "pool1"), 404);
});

test("the fixture's image catalog holds a fixed VHD that an image can be made from", async () => {
  const key = (await storage.storageAccounts.listKeys("demo-rg", "imagecatalog")).keys[0].value;
  const blob = new BlobServiceClient(`${info.blob}/imagecatalog`, new StorageSharedKeyCredential("imagecatalog", key))
    .getContainerClient("vhds").getPageBlobClient("base.vhd");
  const props = await blob.getProperties();
  assert.equal(props.contentLength, 64 * 1024 * 1024 + 512);
  const footer = await blob.downloadToBuffer(64 * 1024 * 1024, 512);
  assert.equal(footer.subarray(0, 8).toString(), "conectix");
  assert.equal(footer.readUInt32BE(60), 2);
  assert.equal(Number(footer.readBigUInt64BE(48)), 64 * 1024 * 1024);
  let sum = 0;
  for (let i = 0; i < 512; i++) if (i < 64 || i >= 68) sum += footer[i];
  assert.equal(footer.readUInt32BE(64), (~sum) >>> 0);
  const img = await compute.images.beginCreateOrUpdateAndWait(rg, "from-catalog", {
    location: loc, storageProfile: { osDisk: { osType: "Linux", osState: "Generalized", blobUri: blob.url } },
  }, poll);
  assert.equal(img.provisioningState, "Succeeded");
});
