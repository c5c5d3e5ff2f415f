#!/bin/bash
# Keeps worker join tokens available on a control-plane node (a systemd timer runs it hourly).
# Tokens are derived from the cluster's seed, kept in Key Vault and on control-plane nodes only:
# the token of hour window W is HMAC-SHA256(seed, W), so easel can hand a new worker the token
# of the current window without reaching the API server. Each token expires at the end of the
# window after its own (at most 2 h after it was first usable).
set -euo pipefail

root="${EASEL_ROOT:-}"
seed=$(cat "$root/etc/kubernetes/easel/join-token-seed")
now=$(date +%s)
window=$((now / 3600))
for w in "$window" $((window + 1)); do
  digest=$(printf '%s' "$w" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$seed" | sed 's/^.*= //')
  token="${digest:0:6}.${digest:6:16}"
  ttl=$(((w + 2) * 3600 - now))
  if ! kubeadm token list --kubeconfig "$root/etc/kubernetes/admin.conf" 2>/dev/null |
    grep -q "^${digest:0:6} "; then
    kubeadm token create "$token" --ttl "${ttl}s" --kubeconfig "$root/etc/kubernetes/admin.conf" \
      --description "easel worker join token (window $w)" >/dev/null
  fi
done
