#!/bin/bash
# easel's node bootstrap, run once by cloud-init (runcmd). Reads /etc/easel/bootstrap.env, then:
# control-plane nodes fetch the cluster's private keys from Key Vault with the node's managed
# identity; kubeadm initialises or joins; the first node installs the add-ons. The outcome is a
# marker under /run/easel that the CustomScript extension waits for, and every step is logged to
# /var/log/easel-bootstrap.log (the extension shows its tail when a step fails).
#
# EASEL_ROOT (tests only) prefixes every path; EASEL_IMDS_ENDPOINT replaces the instance metadata
# service; PATH may hold stand-ins for kubeadm, kubectl and systemctl.
set -euo pipefail

root="${EASEL_ROOT:-}"
imds="${EASEL_IMDS_ENDPOINT:-http://169.254.169.254}"
# shellcheck source=/dev/null
. "$root/etc/easel/bootstrap.env"

state="$root/run/easel"
log="$root/var/log/easel-bootstrap.log"
pki="$root/etc/kubernetes/pki"
mkdir -p "$state" "$(dirname "$log")"
rm -f "$state/bootstrap-failed"
exec > >(tee -a "$log") 2>&1

step_number=0
step_name="starting"
step() {
  step_number=$((step_number + 1))
  step_name="$1"
  echo "easel-bootstrap: step $step_number/$STEPS: $step_name"
}
# Records the failed step (the first record wins: a failure inside $(...) is the precise one).
fail() {
  echo "easel-bootstrap: failed at step $step_number/$STEPS ($step_name): $1" >&2
  [ -f "$state/bootstrap-failed" ] ||
    printf '%s\n' "$step_number/$STEPS ($step_name): $1" >"$state/bootstrap-failed"
  exit 1
}
on_exit() {
  local status=$?
  if [ "$status" != 0 ] && [ ! -f "$state/bootstrap-failed" ]; then
    printf '%s\n' "$step_number/$STEPS ($step_name): exited with status $status" >"$state/bootstrap-failed"
  fi
}
trap on_exit EXIT

# Prints the value of a JSON string field (one level, no escapes: tokens and base64 only).
json_field() {
  sed -n 's/.*"'"$1"'"[[:space:]]*:[[:space:]]*"\([^"\\]*\)".*/\1/p' | head -n 1
}

# The start of an error answer (file $1), on one line, and the file removed. Long enough for
# Key Vault's 403, whose message names the principal first and the vault and permission last.
excerpt() {
  head -c 1000 "$1" | tr '\r\n' '  '
  rm -f "$1"
}

# A token for Key Vault from the node's user-assigned identity.
vault_token() {
  local body status
  body=$(mktemp)
  status=$(curl -sS -o "$body" -w '%{http_code}' -H 'Metadata: true' \
    "$imds/metadata/identity/oauth2/token?api-version=2018-02-01&resource=$VAULT_RESOURCE&client_id=$IDENTITY_CLIENT_ID") ||
    fail "the instance metadata service did not answer"
  if [ "$status" != 200 ]; then
    fail "the instance metadata service refused a token for identity $IDENTITY_CLIENT_ID: $status $(excerpt "$body")"
  fi
  json_field access_token <"$body"
  rm -f "$body"
}

# Writes secret $1 (stored base64-encoded) from the cluster's vault to file $2, mode 0600.
fetch_secret() {
  local name="$1" dest="$2" body status value
  body=$(mktemp)
  status=$(curl -sS -o "$body" -w '%{http_code}' -H "Authorization: Bearer $token" \
    "${VAULT_URI}secrets/$name?api-version=7.4") || fail "Key Vault $VAULT_URI did not answer"
  if [ "$status" != 200 ]; then
    fail "reading secret $name from $VAULT_URI: $status $(excerpt "$body")"
  fi
  value=$(json_field value <"$body")
  rm -f "$body"
  [ -n "$value" ] || fail "secret $name in $VAULT_URI is empty"
  mkdir -p "$(dirname "$dest")"
  (umask 077 && printf '%s' "$value" | base64 -d >"$dest") || fail "secret $name is not base64"
  chmod 0600 "$dest"
}

# Maps the API endpoint to this node: Azure's internal load balancer does not hairpin, so a
# control-plane node cannot reach the frontend it sits behind.
map_endpoint_to_self() {
  grep -q " $API_HOST\$" "$root/etc/hosts" 2>/dev/null || echo "127.0.0.1 $API_HOST" >>"$root/etc/hosts"
}

if [ "$ROLE" != worker ]; then
  step "reading the cluster's keys from Key Vault"
  token=$(vault_token)
  [ -n "$token" ] || fail "the instance metadata service answered without a token"
  fetch_secret ca-key "$pki/ca.key"
  fetch_secret etcd-ca-key "$pki/etcd/ca.key"
  fetch_secret front-proxy-ca-key "$pki/front-proxy-ca.key"
  fetch_secret sa-key "$pki/sa.key"
  fetch_secret join-token-seed "$root/etc/kubernetes/easel/join-token-seed"
  unset token
fi

if [ "$ROLE" = init ] && [ "$API_INTERNAL" = true ]; then
  step "pointing the internal API endpoint $API_HOST at this node"
  map_endpoint_to_self
fi

case "$ROLE" in
  init)
    step "kubeadm init"
    kubeadm init --config "$root/run/kubeadm/kubeadm.yaml"
    ;;
  control-plane)
    step "kubeadm join --control-plane"
    kubeadm join --config "$root/run/kubeadm/kubeadm.yaml"
    ;;
  worker)
    step "kubeadm join"
    kubeadm join --config "$root/run/kubeadm/kubeadm.yaml"
    ;;
  *) fail "unknown role $ROLE" ;;
esac
rm -f "$root/run/kubeadm/kubeadm.yaml"  # it holds the join token

if [ "$ROLE" = control-plane ] && [ "$API_INTERNAL" = true ]; then
  step "pointing the internal API endpoint $API_HOST at this node"
  map_endpoint_to_self
fi

if [ "$ROLE" != worker ]; then
  step "starting the join-token timer"
  systemctl enable --now easel-join-token.timer
fi

if [ "$ROLE" = init ]; then
  step "installing add-ons"
  while read -r manifest; do
    [ -n "$manifest" ] || continue
    echo "easel-bootstrap: applying $manifest"
    kubectl --kubeconfig "$root/etc/kubernetes/admin.conf" apply -f "$manifest"
  done <"$root/etc/easel/addons.list"
fi

touch "$state/bootstrap-success.complete"
echo "easel-bootstrap: node $NODE_NAME is bootstrapped ($ROLE)"
