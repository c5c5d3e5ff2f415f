// The baseline of bench/upload_bench.sh: a page blob upload as a typical user script writes it
// with the official SDK (@azure/storage-blob, from tests/conformance/node_modules): create the
// page blob, then uploadPages of every 4 MiB of the file in turn, zeros included.
// Usage: node bench/upload_sdk.mjs FILE BLOB_BASE_URL ACCOUNT KEY CONTAINER BLOB
import { createRequire } from "node:module";
import { openSync, readSync, fstatSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../tests/conformance/package.json"));
const { BlobServiceClient, StorageSharedKeyCredential } = require("@azure/storage-blob");

const [file, base, account, key, container, blob] = process.argv.slice(2);
const service = new BlobServiceClient(base, new StorageSharedKeyCredential(account, key));
const pages = service.getContainerClient(container).getPageBlobClient(blob);
const fd = openSync(file, "r");
const size = fstatSync(fd).size;
const chunk = 4 * 1024 * 1024;
const buf = Buffer.alloc(chunk);
const start = process.hrtime.bigint();
await pages.create(size);
for (let at = 0; at < size; at += chunk) {
  const n = Math.min(chunk, size - at);
  readSync(fd, buf, 0, n, at);
  await pages.uploadPages(buf.subarray(0, n), at, n);
}
const secs = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({ seconds: secs, bytes: size }));
