#!/usr/bin/env python3
"""Writes the initial seed corpora of tests/fuzz/corpus/<target>/ from the examples, tests/invalid,
the golden plans and hand-written ARM/HTTP/token answers. Run from the repository root; files that
exist are overwritten, others (minimized finds) are kept."""
import glob
import hashlib
import json
import os
import struct

ROOT = os.path.join("tests", "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


# spec_load: the examples (YAML and as JSON), the invalid cases, and the hostile shapes.
for p in sorted(glob.glob("examples/*.yaml")):
    put("spec_load", "example-" + os.path.basename(p), read(p))
# The 40 smallest invalid cases (the corpus stays small; the fuzzer finds the rest).
invalid = sorted(glob.glob("tests/invalid/*.yaml") + glob.glob("tests/invalid/*.json"),
                 key=lambda p: (os.path.getsize(p), p))
for p in invalid[:40]:
    put("spec_load", "invalid-" + os.path.basename(p), read(p))
# The AKS invalid cases (each a whole AKSCluster document), a dozen of the smallest.
aks_invalid = sorted(glob.glob("tests/invalid/aks-*.yaml"), key=lambda p: (os.path.getsize(p), p))
for p in aks_invalid[:12]:
    put("spec_load", "invalid-" + os.path.basename(p), read(p))
quick = {
    "apiVersion": "easel/v1", "kind": "AzureCluster", "metadata": {"name": "demo"},
    "spec": {"subscriptionId": "00000000-0000-0000-0000-000000000000", "location": "eastus",
             "resourceGroup": "demo-rg", "kubernetesVersion": "1.30.4",
             "sshPublicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGDZ3lKDFaX4DnNokA9HEo5JAsnawOmvnlrTwSfvlIMU x",
             "image": {"vhdUrl": "https://acct.blob.core.windows.net/images/base.vhd"},
             "workerPools": [{"name": "pool1", "count": 2, "labels": {"a": "b"},
                              "taints": ["k=v:NoSchedule"]}]}}
put("spec_load", "quickstart.json", json.dumps(quick, indent=1))
put("spec_load", "one-char", "a")
put("spec_load", "alias", "a: &x {b: 1}\nc: *x\n")
put("spec_load", "two-docs", "a: 1\n---\nb: 2\n")

# ssh_key
for p in sorted(glob.glob("tests/data/*.pub")):
    put("ssh_key", os.path.basename(p), read(p))
put("ssh_key", "private", "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n")
put("ssh_key", "dsa", "ssh-dss AAAAB3NzaC1kc3MAAACBAP== c")

# net
for i, s in enumerate(["10.0.0.0/16", "10.0.16.0/20", "192.168.1.4", "0.0.0.0/0",
                       "255.255.255.255/32", "10.0.1.0/16 10.0.0.0/8", "1.2.3.04", "1.2.3.4/033"]):
    put("net", "seed%d" % i, s)

# http_request: raw requests as a client sends them.
arm_put = ("PUT /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo-rg/"
           "providers/Microsoft.Network/virtualNetworks/vn?api-version=2024-05-01 HTTP/1.1\r\n"
           "Host: 127.0.0.1\r\nAuthorization: Bearer x\r\nContent-Type: application/json\r\n"
           "Content-Length: 22\r\n\r\n{\"location\":\"eastus\"}\n")
put("http_request", "arm-put", arm_put)
put("http_request", "pipelined", "GET /a HTTP/1.1\r\nHost: h\r\n\r\n" + arm_put)
put("http_request", "chunked", "PUT /acct/c/b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5\r\nhello\r\n0\r\n\r\n")
put("http_request", "cut-short", "PUT /x HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc")
put("http_request", "dup-headers", "GET /?a=1&a=2 HTTP/1.0\r\nX-A: 1\r\nx-a: 2\r\n\r\n")

# sim_arm: "METHOD TARGET\n" + body, from the golden plans' resources.
n = 0
for p in sorted(glob.glob("tests/golden/*.plan.json")):
    plan = json.load(open(p))
    for r in plan["resources"]:
        if r.get("body") is None or n >= 30:
            continue
        put("sim_arm", "%02d-%s" % (n, r["type"].split("/")[-1]),
            "PUT %s?api-version=%s\n%s" % (r["id"], r["apiVersion"], json.dumps(r["body"])))
        n += 1
put("sim_arm", "list", "GET /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
    "demo-rg/resources?api-version=2024-11-01&$top=1\n")
put("sim_arm", "delete", "DELETE /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
    "demo-rg/providers/Microsoft.Network/virtualNetworks/vn?api-version=2024-05-01\n")

# sim_blob: "METHOD TARGET\nheaders\n\nbody"; the harness signs it.
put("sim_blob", "put-block", "PUT /fuzzacct/images/b?comp=block&blockid=YWFh\n\nhello")
put("sim_blob", "block-list", "PUT /fuzzacct/images/b?comp=blocklist\n\n"
    "<?xml version=\"1.0\"?><BlockList><Latest>YWFh</Latest><Uncommitted>YmJi</Uncommitted></BlockList>")
put("sim_blob", "page-blob", "PUT /fuzzacct/images/disk.vhd\nx-ms-blob-type: PageBlob\n"
    "x-ms-blob-content-length: 1048576\n\n")
put("sim_blob", "put-page", "PUT /fuzzacct/images/disk.vhd?comp=page\nx-ms-page-write: update\n"
    "x-ms-range: bytes=0-511\n\n" + "x" * 512)
put("sim_blob", "copy", "PUT /fuzzacct/images/copy.vhd\nx-ms-copy-source: "
    "https://127.0.0.1:2/fuzzacct/images/disk.vhd\n\n")
put("sim_blob", "list", "GET /fuzzacct/images?restype=container&comp=list&include=metadata\n\n")
put("sim_blob", "metadata", "PUT /fuzzacct/images/b?comp=metadata\nx-ms-meta-a: b\n\n")
put("sim_blob", "ranges", "GET /fuzzacct/images/disk.vhd?comp=pagelist\nx-ms-range: bytes=0-1048575\n\n")

# arm_response: answers separated by "\n--next--\n".
N = "\n--next--\n"
ok_vnet = '{"id":"/x","properties":{"provisioningState":"Succeeded"}}'
put("arm_response", "async", "201\nAzure-AsyncOperation: https://management.azure.com/op?api-version=1\n"
    "Retry-After: 1\n\n{}" + N + '200\n\n{"status":"InProgress"}' + N +
    '200\n\n{"status":"Succeeded"}' + N + "200\n\n" + ok_vnet)
put("arm_response", "location", "202\nLocation: https://management.azure.com/loc\n"
    "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\n\n" + N + "202\nretry-after-ms: 100\n\n" + N + "200\n\n{}")
put("arm_response", "failed", "201\nAzure-AsyncOperation: https://management.azure.com/op\n\n" + N +
    '200\n\n{"status":"Failed","error":{"code":"Conflict","message":"no"}}')
put("arm_response", "foreign-host", "201\nAzure-AsyncOperation: https://evil.example.com/op\n\n{}")
put("arm_response", "throttled", '429\nRetry-After: 99999999999999999999\n\n{"error":{"code":"TooManyRequests"}}'
    + N + "200\n\n" + ok_vnet)
put("arm_response", "provisioning", '201\n\n{"properties":{"provisioningState":"Creating"}}' + N +
    '200\n\n{"properties":{"provisioningState":"Succeeded"}}')
put("arm_response", "paged", '200\n\n{}' + N + '200\n\n{"value":[{"id":"/a","changedTime":"t"}],'
    '"nextLink":"https://management.azure.com/next?p=2"}' + N + '200\n\n{"value":[]}' + N +
    '200\n\n{"keys":[{"keyName":"key1","value":"abc"}]}')
put("arm_response", "keys-wrong-type", '200\n\n{}' + N + '404\n\n{}' + N + '200\n\n{"keys":[{"value":1}]}')
put("arm_response", "error-body", '400\n\n{"error":{"code":"InvalidRequestContent","message":"bad",'
    '"details":[{"code":"x"}]}}')

# token_response: "STATUS\n" + body.
put("token_response", "entra", '200\n{"token_type":"Bearer","expires_in":3599,"access_token":"eyJ0"}')
put("token_response", "imds", '200\n{"access_token":"eyJ0","expires_on":"1700000000","expires_in":"3599"}')
put("token_response", "huge", '200\n{"access_token":"a","expires_in":1e300,"expires_on":-9223372036854775808}')
put("token_response", "error", '400\n{"error":"invalid_client","error_description":"AADSTS7000215"}')
put("token_response", "busy", "503\n")

# vhd_footer: 8-byte size in MiB, 4-byte timestamp, a 16-byte uuid; and a real footer.
put("vhd_footer", "one-gib", struct.pack("<QI", 1023, 12345) + b"u" * 16)
put("vhd_footer", "huge", struct.pack("<QI", 2**44 - 1, 2**32 - 1) + b"")

# vhd_footer: a valid fixed-VHD footer (1 GiB), for the reader.
f = bytearray(512)
f[0:8] = b"conectix"
f[8:12] = struct.pack(">I", 2)
f[12:16] = struct.pack(">I", 0x00010000)
f[16:24] = b"\xff" * 8
f[28:32] = b"esel"
f[32:36] = struct.pack(">I", 0x00010000)
f[36:40] = b"Wi2k"
f[40:48] = struct.pack(">Q", 1 << 30)
f[48:56] = struct.pack(">Q", 1 << 30)
f[56:60] = struct.pack(">HBB", 2080, 16, 63)
f[60:64] = struct.pack(">I", 2)
f[64:68] = struct.pack(">I", (~sum(f)) & 0xFFFFFFFF)
put("vhd_footer", "footer-1gib", bytes(f))

# pki_parse: serialized cluster secrets made with the openssl CLI (RSA and ECDSA), the PEM pieces
# alone, and the small parsers' inputs.
import subprocess
import tempfile


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def secrets(algorithm):
    with tempfile.TemporaryDirectory() as d:
        key = ["-newkey", "rsa:2048"] if algorithm == "RSA-2048" else [
            "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        out = {"version": 1, "keyAlgorithm": algorithm}
        for field, cn in (("ca", "kubernetes"), ("etcdCa", "etcd-ca"),
                          ("frontProxyCa", "front-proxy-ca")):
            openssl("req", "-x509", *key, "-nodes", "-keyout", "k.pem", "-out", "c.pem",
                    "-subj", "/CN=" + cn, "-days", "3650",
                    "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign",
                    cwd=d)
            out[field] = {"cert": open(os.path.join(d, "c.pem")).read(),
                          "key": open(os.path.join(d, "k.pem")).read()}
        if algorithm == "RSA-2048":
            openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                    "-out", "sa.key", cwd=d)
        else:
            openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-out", "sa.key", cwd=d)
        openssl("pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub", cwd=d)
        out["serviceAccount"] = {"public": open(os.path.join(d, "sa.pub")).read(),
                                 "private": open(os.path.join(d, "sa.key")).read()}
        out["joinTokenSeed"] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
        return out


for alg in ("RSA-2048", "ECDSA-P256"):
    s = secrets(alg)
    put("pki_parse", "secrets-" + alg, json.dumps(s))
    put("pki_parse", "ca-cert-" + alg, s["ca"]["cert"])
    put("pki_parse", "ca-key-" + alg, s["ca"]["key"])
put("pki_parse", "ca-public", read("tests/data/pki/ca.crt"))
put("pki_parse", "sa-public", read("tests/data/pki/sa.pub"))
put("pki_parse", "wrong-version", '{"version": 2}')
put("pki_parse", "b64-key", "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCg==")
for i, s in enumerate(["90s", "30m", "12h", "7d", "0s", "99999999999999999999d", "1.31.2",
                       "v1.29.0-rc.1", "RSA-2048", "ECDSA-P256"]):
    put("pki_parse", "small%d" % i, s)

# user_data: the examples, and a spec whose labels, taints and mirror carry quoting characters.
for p in sorted(glob.glob("examples/*.yaml")):
    put("user_data", "example-" + os.path.basename(p), read(p))
hostile = json.loads(json.dumps(quick))
hostile["spec"]["kubernetesVersion"] = "1.36.2"
hostile["spec"]["image"] = {"vhdUrl": "https://acct.blob.core.windows.net/images/ubuntu-2404-kube-1.36.2.vhd"}
hostile["spec"]["workerPools"][0]["labels"] = {"example.com/quote": "a'b", "x": "y: z"}
hostile["spec"]["workerPools"][0]["taints"] = ["k=v'\"$(id):NoSchedule"]
hostile["spec"]["addons"] = {"mirror": "https://mirror.example.com/'$(id)"}
put("user_data", "hostile.json", json.dumps(hostile, indent=1))
