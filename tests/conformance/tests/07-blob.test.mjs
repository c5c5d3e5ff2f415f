// Blob storage through @azure/storage-blob: shared key, SAS, bearer tokens, block and page blobs,
// sparse storage, asynchronous copies across accounts, storage error codes.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { createHash, randomUUID } from "node:crypto";
import { ResourceManagementClient } from "@azure/arm-resources";
import { StorageManagementClient } from "@azure/arm-storage";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import {
  BlobServiceClient, BlobClient, StorageSharedKeyCredential, BlobSASPermissions, generateBlobSASQueryParameters,
} from "@azure/storage-blob";
import { credential, clientOptions, poll, sub, unique, rejects, info, admin, rgId } from "./lib.mjs";

const resources = new ResourceManagementClient(credential, sub, clientOptions);
const storage = new StorageManagementClient(credential, sub, clientOptions);
const auth = new AuthorizationManagementClient(credential, sub, clientOptions);
const rg = unique("blob-rg");
const src = unique("srcacct");
const dst = unique("dstacct");
let srcCred, dstCred, srcSvc, dstSvc;
const MiB = 1024 * 1024;

before(async () => {
  await resources.resourceGroups.createOrUpdate(rg, { location: "eastus" });
  for (const name of [src, dst]) {
    await storage.storageAccounts.beginCreateAndWait(rg, name, { location: "eastus", sku: { name: "Standard_LRS" }, kind: "StorageV2" }, poll);
  }
  srcCred = new StorageSharedKeyCredential(src, (await storage.storageAccounts.listKeys(rg, src)).keys[0].value);
  dstCred = new StorageSharedKeyCredential(dst, (await storage.storageAccounts.listKeys(rg, dst)).keys[0].value);
  srcSvc = new BlobServiceClient(`${info.blob}/${src}`, srcCred, { retryOptions: { retryDelayInMs: 10, maxTries: 3 } });
  dstSvc = new BlobServiceClient(`${info.blob}/${dst}`, dstCred, { retryOptions: { retryDelayInMs: 10, maxTries: 3 } });
  await srcSvc.getContainerClient("images").create();
  await dstSvc.getContainerClient("vhds").create();
});

function sas(cred, container, blob, permissions, expiresOn = new Date(Date.now() + 3600e3)) {
  return generateBlobSASQueryParameters(
    { containerName: container, blobName: blob, permissions: BlobSASPermissions.parse(permissions), expiresOn },
    cred,
  ).toString();
}

test("containers: create, duplicate, list, properties, delete", async () => {
  const c = srcSvc.getContainerClient("scratch");
  await c.create({ metadata: { purpose: "test" } });
  await rejects(c.create(), 409, "ContainerAlreadyExists");
  const names = [];
  for await (const x of srcSvc.listContainers()) names.push(x.name);
  assert.ok(names.includes("scratch") && names.includes("images"));
  const props = await c.getProperties();
  assert.equal(props.metadata.purpose, "test");
  await c.delete();
  await rejects(c.getProperties(), 404, "ContainerNotFound");
});

test("block blob: upload, download, ranged download, properties, list, delete", async () => {
  const c = srcSvc.getContainerClient("images");
  const b = c.getBlockBlobClient("hello.txt");
  await b.upload("hello, azure", 12, { blobHTTPHeaders: { blobContentType: "text/plain" }, metadata: { k: "v" } });
  assert.equal((await b.downloadToBuffer()).toString(), "hello, azure");
  assert.equal((await b.downloadToBuffer(7, 5)).toString(), "azure");
  const p = await b.getProperties();
  assert.equal(p.contentLength, 12);
  assert.equal(p.contentType, "text/plain");
  assert.equal(p.blobType, "BlockBlob");
  assert.equal(p.metadata.k, "v");
  assert.equal(Buffer.from(p.contentMD5).toString("base64"), createHash("md5").update("hello, azure").digest("base64"));
  const names = [];
  for await (const x of c.listBlobsFlat()) names.push(x.name);
  assert.ok(names.includes("hello.txt"));
  await b.delete();
  await rejects(b.getProperties(), 404);
  await rejects(b.download(), 404, "BlobNotFound");
});

test("block blob from staged blocks: stageBlock, commitBlockList, getBlockList", async () => {
  const b = srcSvc.getContainerClient("images").getBlockBlobClient("blocks.bin");
  const ids = ["YmxvY2stMDAx", "YmxvY2stMDAy"];
  await b.stageBlock(ids[0], Buffer.from("first-"), 6);
  await b.stageBlock(ids[1], Buffer.from("second"), 6);
  const pending = await b.getBlockList("uncommitted");
  assert.equal(pending.uncommittedBlocks.length, 2);
  await b.commitBlockList(ids);
  assert.equal((await b.downloadToBuffer()).toString(), "first-second");
  const list = await b.getBlockList("committed");
  assert.deepEqual(list.committedBlocks.map((x) => x.size), [6, 6]);
  await rejects(b.commitBlockList(["bm9wZQ=="]), 400, "InvalidBlockList");
});

test("large upload through uploadData (parallel blocks)", async () => {
  const data = Buffer.alloc(9 * MiB, 7);
  data[5 * MiB] = 1;
  const b = srcSvc.getContainerClient("images").getBlockBlobClient("big.bin");
  await b.uploadData(data, { blockSize: 4 * MiB, concurrency: 2 });
  const back = await b.downloadToBuffer();
  assert.equal(back.length, data.length);
  assert.ok(back.equals(data));
});

test("page blob: 30 GiB, uploadPages, getPageRanges, sparse on disk, reads of unwritten pages are zeros", async () => {
  const size = 30 * 1024 * MiB;
  const pb = srcSvc.getContainerClient("images").getPageBlobClient("disk.vhd");
  await pb.create(size);
  const page = Buffer.alloc(MiB, 0xab);
  await pb.uploadPages(page, 1024 * MiB, MiB);
  await pb.uploadPages(Buffer.alloc(512, 1), size - 512, 512);
  const ranges = await pb.getPageRanges(0, size);
  assert.deepEqual(ranges.pageRange.map((r) => [r.offset, r.offset + r.count]), [[1024 * MiB, 1025 * MiB - 1], [size - 512, size - 1]]);
  const around = await pb.downloadToBuffer(1024 * MiB - 512, 1024);
  assert.ok(around.subarray(0, 512).equals(Buffer.alloc(512, 0)));
  assert.ok(around.subarray(512).equals(Buffer.alloc(512, 0xab)));
  assert.equal((await pb.getProperties()).contentLength, size);
  // Sparse: the blob data files of the whole state hold far less than the 30 GiB announced.
  const dir = join(process.env.AZSIM_TMP, "main", "blobdata", "blobs");
  let allocated = 0;
  for (const f of readdirSync(dir)) allocated += statSync(join(dir, f)).blocks * 512;
  assert.ok(allocated < 64 * MiB, `allocated ${allocated} bytes`);
});

test("page blob: clearPages removes a range", async () => {
  const pb = srcSvc.getContainerClient("images").getPageBlobClient("clear.vhd");
  await pb.create(4 * MiB);
  await pb.uploadPages(Buffer.alloc(2 * MiB, 3), 0, 2 * MiB);
  await pb.clearPages(MiB, MiB);
  const ranges = await pb.getPageRanges(0, 4 * MiB);
  assert.deepEqual(ranges.pageRange.map((r) => [r.offset, r.offset + r.count]), [[0, MiB - 1]]);
  const cleared = await pb.downloadToBuffer(MiB, 512);
  assert.ok(cleared.equals(Buffer.alloc(512, 0)));
});

test("page blob errors: misaligned range 416 InvalidPageRange; more than 4 MiB 413", async () => {
  const pb = srcSvc.getContainerClient("images").getPageBlobClient("rules.vhd");
  await pb.create(16 * MiB);
  await rejects(pb.uploadPages(Buffer.alloc(1000, 1), 0, 1000), 416, "InvalidPageRange");
  await rejects(pb.uploadPages(Buffer.alloc(8 * MiB, 1), 0, 8 * MiB), 413, "RequestBodyTooLarge");
  await rejects(pb.uploadPages(Buffer.alloc(512, 1), 16 * MiB, 512), 416, "InvalidPageRange");
});

test("beginCopyFromURL across accounts with a SAS source, pollUntilDone, data and page ranges preserved", async () => {
  const source = srcSvc.getContainerClient("images").getPageBlobClient("disk.vhd");
  const url = `${source.url}?${sas(srcCred, "images", "disk.vhd", "r")}`;
  const target = dstSvc.getContainerClient("vhds").getPageBlobClient("copy.vhd");
  const poller = await target.beginCopyFromURL(url, { intervalInMs: 10 });
  const result = await poller.pollUntilDone();
  assert.equal(result.copyStatus, "success");
  const props = await target.getProperties();
  assert.equal(props.copyStatus, "success");
  assert.equal(props.copyProgress, `${30 * 1024 * MiB}/${30 * 1024 * MiB}`);
  assert.equal(props.blobType, "PageBlob");
  const ranges = await target.getPageRanges(0, 30 * 1024 * MiB);
  assert.equal(ranges.pageRange.length, 2);
  const data = await target.downloadToBuffer(1024 * MiB, 512);
  assert.ok(data.equals(Buffer.alloc(512, 0xab)));
});

test("copy across accounts without authorization on the source: 403 CannotVerifyCopySource", async () => {
  const source = srcSvc.getContainerClient("images").getPageBlobClient("disk.vhd");
  const target = dstSvc.getContainerClient("vhds").getPageBlobClient("noauth.vhd");
  await rejects(target.beginCopyFromURL(source.url, { intervalInMs: 10 }), 403, "CannotVerifyCopySource");
});

test("a slow copy is pending with x-ms-copy-progress, then can be aborted", async () => {
  await admin("POST", "settings", { blobCopyMBps: 0.001 });
  try {
    const source = srcSvc.getContainerClient("images").getPageBlobClient("disk.vhd");
    const url = `${source.url}?${sas(srcCred, "images", "disk.vhd", "r")}`;
    const target = dstSvc.getContainerClient("vhds").getPageBlobClient("slow.vhd");
    const poller = await target.beginCopyFromURL(url, { intervalInMs: 10 });
    const state = poller.getOperationState();
    assert.ok(!state.isCompleted);
    assert.ok(state.copyId);
    const props = await target.getProperties();
    assert.equal(props.copyStatus, "pending");
    assert.match(props.copyProgress, /^\d+\/32212254720$/);
    await target.abortCopyFromURL(props.copyId);
    const after = await target.getProperties();
    assert.equal(after.copyStatus, "aborted");
  } finally {
    await admin("POST", "settings", { blobCopyMBps: 0 });
  }
});

test("service SAS: read allowed, write with a read-only SAS 403, expired 403, tampered 403", async () => {
  const name = "sas.txt";
  await srcSvc.getContainerClient("images").getBlockBlobClient(name).upload("sas-data", 8);
  const base = `${info.blob}/${src}/images/${name}`;
  const reader = new BlobClient(`${base}?${sas(srcCred, "images", name, "r")}`);
  assert.equal((await reader.downloadToBuffer()).toString(), "sas-data");
  const writer = new BlobClient(`${base}?${sas(srcCred, "images", name, "r")}`).getBlockBlobClient();
  await rejects(writer.upload("x", 1), 403, "AuthorizationPermissionMismatch");
  const rw = new BlobClient(`${base}?${sas(srcCred, "images", name, "rw")}`).getBlockBlobClient();
  await rw.upload("rewritten", 9);
  const expired = new BlobClient(`${base}?${sas(srcCred, "images", name, "r", new Date(Date.now() - 60e3))}`);
  await rejects(expired.download(), 403, "AuthenticationFailed");
  const good = sas(srcCred, "images", name, "r");
  const tampered = new BlobClient(`${base}?${good.replace(/sig=[^&]+/, "sig=AAAA")}`);
  await rejects(tampered.download(), 403, "AuthenticationFailed");
});

test("bearer tokens (storage audience) need a data role: none 403, Reader reads, Contributor writes", async () => {
  const svc = new BlobServiceClient(`${info.blob}/${src}`, credential, { retryOptions: { maxTries: 1 } });
  const c = svc.getContainerClient("bearer");
  // A token of a principal without a data role is authenticated but refused.
  await rejects(c.create(), 403, "AuthorizationPermissionMismatch");
  const role = (guid) => `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
  const principalId = "22222222-2222-4222-8222-222222222222";
  const accountScope = `${rgId(rg)}/providers/Microsoft.Storage/storageAccounts/${src}`;
  // Storage Blob Data Reader on the account: reading works, writing does not.
  const reader = randomUUID();
  await auth.roleAssignments.create(accountScope, reader, { roleDefinitionId: role("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"), principalId });
  await srcSvc.getContainerClient("images").getBlockBlobClient("readable.txt").upload("shared", 6);
  const readable = svc.getContainerClient("images").getBlockBlobClient("readable.txt");
  assert.equal((await readable.downloadToBuffer()).toString(), "shared");
  await rejects(readable.upload("nope", 4), 403, "AuthorizationPermissionMismatch");
  // Storage Blob Data Contributor on the resource group: the account's data is writable.
  const contributor = randomUUID();
  await auth.roleAssignments.create(rgId(rg), contributor, { roleDefinitionId: role("ba92f5b4-2d11-453d-a403-e96b0029c9fe"), principalId });
  await c.create();
  await c.getBlockBlobClient("t.txt").upload("token", 5);
  assert.equal((await c.getBlockBlobClient("t.txt").downloadToBuffer()).toString(), "token");
  const log = (await admin("GET", "requests")).text.trim().split("\n").map((l) => JSON.parse(l));
  const mine = log.filter((e) => e.service === "blob" && e.path === `/${src}/bearer/t.txt`);
  assert.ok(mine.length >= 2);
  assert.equal(mine.at(-1).principal, principalId);
  // Deleting the assignment takes the access away (the Reader role still lets it read).
  await auth.roleAssignments.delete(rgId(rg), contributor);
  await rejects(c.getBlockBlobClient("t.txt").upload("again", 5), 403, "AuthorizationPermissionMismatch");
  await auth.roleAssignments.delete(accountScope, reader);
});

test("anonymous access to a private container is refused", async () => {
  const anon = new BlobClient(`${info.blob}/${src}/images/sas.txt`);
  await assert.rejects(anon.download(), (e) => [401, 404].includes(e.statusCode));
});

test("wrong shared key: 403 AuthenticationFailed", async () => {
  const bad = new BlobServiceClient(`${info.blob}/${src}`, new StorageSharedKeyCredential(src, Buffer.alloc(64, 1).toString("base64")));
  await rejects(bad.getContainerClient("images").getProperties(), 403, "AuthenticationFailed");
});

test("conditional requests: If-Match with a stale ETag 412", async () => {
  const b = srcSvc.getContainerClient("images").getBlockBlobClient("cond.txt");
  const first = await b.upload("one", 3);
  await b.upload("two", 3, { conditions: { ifMatch: first.etag } });
  await rejects(b.upload("three", 5, { conditions: { ifMatch: first.etag } }), 412, "ConditionNotMet");
});

test("a pending copy whose source changes ends failed, and the poller reports it", async () => {
  await admin("POST", "settings", { blobCopyMBps: 0.001 });
  try {
    const source = srcSvc.getContainerClient("images").getBlockBlobClient("moving.bin");
    await source.upload(Buffer.alloc(4096, 9), 4096);
    const url = `${source.url}?${sas(srcCred, "images", "moving.bin", "r")}`;
    const target = dstSvc.getContainerClient("vhds").getBlockBlobClient("moving-copy.bin");
    const poller = await target.beginCopyFromURL(url, { intervalInMs: 10 });
    await source.upload(Buffer.alloc(10, 1), 10);
    await assert.rejects(poller.pollUntilDone(), /copy failed/i);
    assert.equal((await target.getProperties()).copyStatus, "failed");
  } finally {
    await admin("POST", "settings", { blobCopyMBps: 0 });
  }
});

test("public access: refused unless the account allows it; then anonymous reads work", async () => {
  await rejects(srcSvc.getContainerClient("public1").create({ access: "blob" }), 409, "PublicAccessNotPermitted");
  const name = unique("pubacct");
  await storage.storageAccounts.beginCreateAndWait(rg, name, { location: "eastus", sku: { name: "Standard_LRS" }, kind: "StorageV2", allowBlobPublicAccess: true }, poll);
  const cred = new StorageSharedKeyCredential(name, (await storage.storageAccounts.listKeys(rg, name)).keys[0].value);
  const svc = new BlobServiceClient(`${info.blob}/${name}`, cred);
  await svc.getContainerClient("public").create({ access: "blob" });
  await svc.getContainerClient("public").getBlockBlobClient("open.txt").upload("open", 4);
  const anon = new BlobClient(`${info.blob}/${name}/public/open.txt`);
  assert.equal((await anon.downloadToBuffer()).toString(), "open");
  await rejects(storage.blobContainers.create(rg, src, "armpublic", { publicAccess: "Container" }), 409, "PublicAccessNotPermitted");
});
