#!/usr/bin/env bash
# `easel image upload` against the official SDK's page upload loop (bench/upload_sdk.mjs), both
# to the same azsim (started by `easel local up` in a temporary HOME), Shared Key for both: a
# sparse fixed VHD of SIZE_GIB GiB holding DATA_MIB MiB of random data in 1 MiB extents at
# scattered offsets. Prints the bytes each sent (azsim's requestBytes) and the time ratio.
# Usage: bench/upload_bench.sh [SIZE_GIB=16] [DATA_MIB=1024]     (after scripts/build)
set -euo pipefail
SIZE_GIB=${1:-16}
DATA_MIB=${2:-1024}
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$repo/build}
easel=$build/src/cli/easel
work=$(mktemp -d /tmp/easel-upload-bench-XXXXXX)
export HOME=$work/home EASEL_AZSIM=$build/sim/azsim
mkdir -p "$HOME"
cleanup() { "$easel" local down >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

python3 - "$work/disk.raw" "$SIZE_GIB" "$DATA_MIB" <<'PY'
import os, random, sys
path, size_gib, data_mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
mib = 1 << 20
slots = random.Random(42).sample(range(size_gib * 1024), data_mib)
with open(path, "wb") as f:
    for s in sorted(slots):
        f.seek(s * mib)
        f.write(os.urandom(mib))
    f.truncate(size_gib * 1024 * mib)
PY
"$easel" image convert -q "$work/disk.raw" "$work/disk.vhd" >/dev/null
rm "$work/disk.raw"
vhd_size=$(stat -c %s "$work/disk.vhd")

"$easel" local up --time-scale 0 >/dev/null
ready=$HOME/.easel/local/azsim.ready.json
field() { python3 -c "import json,sys; print(json.load(open('$ready'))['$1'])"; }
arm=$(field arm); blob=$(field blob); ca=$(field caFile); sub=$(field subscriptionId)
token=$(curl -s --cacert "$ca" "$(field authority)/$(field tenantId)/oauth2/v2.0/token" \
  -d grant_type=client_credentials -d "client_id=$(field clientId)" \
  --data-urlencode "client_secret=$(field clientSecret)" \
  --data-urlencode "scope=$arm/.default" | python3 -c "import json,sys; print(json.load(sys.stdin)['access_token'])")
account=easelimages container=images
key=$(curl -s --cacert "$ca" -X POST -H "Authorization: Bearer $token" -H "Content-Length: 0" \
  "$arm/subscriptions/$sub/resourceGroups/easel-images/providers/Microsoft.Storage/storageAccounts/$account/listKeys?api-version=2025-06-01" |
  python3 -c "import json,sys; print(json.load(sys.stdin)['keys'][0]['value'])")

# Sum of requestBytes of the Put Page requests (201) to one blob, from azsim's request log.
sent() {
  curl -s --cacert "$ca" "$arm/_azsim/requests" | python3 -c "
import json, sys
n = 0
for line in sys.stdin:
    r = json.loads(line)
    if r['service'] == 'blob' and r['method'] == 'PUT' and r['status'] == 201 and r['path'] == '/$account/$container/$1':
        n += r.get('requestBytes', 0)
print(n)"
}

start=$(date +%s.%N)
AZURE_STORAGE_KEY=$key "$easel" image upload -q "$work/disk.vhd" --account $account \
  --container $container --name easel.vhd --shared-key
easel_s=$(echo "$(date +%s.%N) - $start" | bc)
easel_bytes=$(sent easel.vhd)

sdk=$(NODE_EXTRA_CA_CERTS=$ca node "$repo/bench/upload_sdk.mjs" "$work/disk.vhd" \
  "${blob%/}/$account" $account "$key" $container sdk.vhd)
sdk_s=$(echo "$sdk" | python3 -c "import json,sys; print(json.load(sys.stdin)['seconds'])")
sdk_bytes=$(sent sdk.vhd)

data_bytes=$((DATA_MIB * 1024 * 1024 + 512))  # the random extents and the footer
python3 - <<PY
e, s = $easel_s, $sdk_s
print(f"image: {$vhd_size} bytes ({$SIZE_GIB} GiB + footer), data {$data_bytes} bytes")
print(f"easel image upload: {e:.2f} s, sent {$easel_bytes} bytes = {$easel_bytes / $data_bytes:.4f} x data")
print(f"SDK uploadPages loop: {s:.2f} s, sent {$sdk_bytes} bytes = {$sdk_bytes / $data_bytes:.2f} x data")
print(f"time ratio SDK / easel: {s / e:.2f}")
PY
