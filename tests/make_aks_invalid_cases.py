#!/usr/bin/env python3
# Writes tests/invalid/aks-*.yaml (the AKSCluster invalid cases) from one valid base spec; run from
# the repository root: python3 tests/make_aks_invalid_cases.py tests/invalid, then write each
# .expected from `easel validate` and review it.
import copy, json, os, sys
import yaml  # python3-yaml
base = {
 "apiVersion": "easel/v1", "kind": "AKSCluster",
 "metadata": {"name": "shop", "tags": {"team": "payments"}},
 "spec": {
  "subscriptionId": "00000000-0000-0000-0000-000000000000", "location": "eastus",
  "resourceGroup": "demo-rg", "kubernetesVersion": "1.36",
  "network": {"vnet": {"cidr": "10.1.0.0/16"}, "nodeSubnet": {"cidr": "10.1.0.0/20"},
              "serviceCidr": "10.96.0.0/16", "dnsServiceIP": "10.96.0.10"},
  "pools": [{"name": "system", "mode": "System", "count": 3, "vmSize": "Standard_D4s_v5"},
            {"name": "web", "vmSize": "Standard_D4ds_v5", "autoscale": {"min": 2, "max": 20}}]}}
cases = {}
def case(name, desc, f):
    d = copy.deepcopy(base); f(d); cases[name] = (desc, d)
S = lambda d: d["spec"]
N = lambda d: d["spec"]["network"]
P = lambda d, i: d["spec"]["pools"][i]
case("no-system-pool", "no pool has mode System", lambda d: P(d,0).update(mode="User"))
case("pool-name-uppercase", "pool names are lowercase", lambda d: P(d,1).update(name="Web"))
case("pool-name-too-long", "pool names are at most 12 characters", lambda d: P(d,1).update(name="webfrontend01"))
case("pool-name-starts-with-digit", "pool names start with a letter", lambda d: P(d,1).update(name="1web"))
case("pool-name-duplicate", "two pools with one name", lambda d: P(d,1).update(name="system"))
case("max-pods-too-low", "maxPods below 10", lambda d: P(d,1).update(maxPods=5))
case("max-pods-too-high", "maxPods above 250", lambda d: P(d,1).update(maxPods=300))
case("autoscale-min-over-max", "autoscale min above max", lambda d: P(d,1).update(autoscale={"min": 5, "max": 3}))
case("autoscale-max-over-1000", "autoscale max above 1000", lambda d: P(d,1).update(autoscale={"min": 1, "max": 1001}))
case("count-outside-autoscale", "count outside the autoscale bounds", lambda d: P(d,1).update(count=30))
case("system-pool-too-small", "a System pool on a 1 vCPU size", lambda d: P(d,0).update(vmSize="Standard_B1s"))
case("system-pool-zero-count", "a System pool with no node", lambda d: P(d,0).update(count=0))
case("dns-ip-outside-service-cidr", "dnsServiceIP outside serviceCidr", lambda d: N(d).update(dnsServiceIP="10.97.0.10"))
case("dns-ip-first-address", "dnsServiceIP is the first address", lambda d: N(d).update(dnsServiceIP="10.96.0.0"))
case("service-cidr-without-dns-ip", "serviceCidr without dnsServiceIP", lambda d: N(d).pop("dnsServiceIP"))
case("service-cidr-overlaps-vnet", "the service range overlaps the VNet", lambda d: N(d).update(serviceCidr="10.1.0.0/16", dnsServiceIP="10.1.0.10"))
case("pod-cidr-overlaps-service-cidr", "pods and services overlap", lambda d: N(d).update(podCidr="10.96.0.0/14"))
case("pod-cidr-reserved", "the pod range overlaps a range AKS reserves", lambda d: N(d).update(podCidr="172.30.0.0/16"))
case("node-subnet-outside-vnet", "the node subnet outside the VNet", lambda d: N(d).update(nodeSubnet={"cidr": "10.2.0.0/20"}))
case("overlay-with-kubenet", "pluginMode with kubenet", lambda d: N(d).update(plugin="kubenet", pluginMode="overlay"))
case("pod-cidr-classic-cni", "podCidr with classic Azure CNI", lambda d: N(d).update(pluginMode="none", podCidr="192.168.0.0/16"))
case("managed-nat-in-own-vnet", "ManagedNATGateway in easel's VNet", lambda d: N(d).update(outbound="ManagedNATGateway"))
case("user-nat-without-vnet", "UserAssignedNATGateway without a VNet", lambda d: (N(d).pop("vnet"), N(d).pop("nodeSubnet"), N(d).update(outbound="UserAssignedNATGateway")))
case("authorized-ranges-private", "authorized IP ranges on a private API server", lambda d: N(d).update(apiServer={"private": True, "authorizedIPRanges": ["203.0.113.0/24"]}))
case("authorized-range-malformed", "a malformed authorized range", lambda d: N(d).update(apiServer={"authorizedIPRanges": ["203.0.113.0/33"]}))
case("local-accounts-without-entra", "disableLocalAccounts without Entra ID", lambda d: S(d).update(entra={"disableLocalAccounts": True}))
case("entra-group-not-guid", "an admin group that is not an object id", lambda d: S(d).update(entra={"enabled": True, "adminGroupObjectIDs": ["platform-admins"]}))
case("virtual-nodes-kubenet", "virtual nodes with kubenet", lambda d: (N(d).update(plugin="kubenet"), S(d).update(virtualNodes={"enabled": True, "subnet": {"cidr": "10.1.16.0/24"}})))
case("virtual-nodes-no-subnet", "virtual nodes without a subnet", lambda d: S(d).update(virtualNodes={"enabled": True}))
case("virtual-nodes-subnet-overlaps", "virtual nodes on the node subnet's range", lambda d: S(d).update(virtualNodes={"enabled": True, "subnet": {"cidr": "10.1.0.0/24"}}))
case("virtual-nodes-authorized-ranges", "virtual nodes with authorized IP ranges", lambda d: (N(d).update(apiServer={"authorizedIPRanges": ["203.0.113.0/24"]}), S(d).update(virtualNodes={"enabled": True, "subnet": {"cidr": "10.1.16.0/24"}})))
case("reserved-label", "a label under kubernetes.azure.com", lambda d: P(d,1).update(labels={"kubernetes.azure.com/mode": "web"}))
case("version-not-offered", "a Kubernetes version AKS does not offer", lambda d: S(d).update(kubernetesVersion="1.31"))
case("version-not-offered-in-region", "1.36 in a region that offers 1.34 and 1.35", lambda d: S(d).update(location="westcentralus"))
case("version-syntax", "a version that is not x.y or x.y.z", lambda d: S(d).update(kubernetesVersion="latest"))
case("ephemeral-too-large", "an Ephemeral OS disk larger than the size's local disk", lambda d: P(d,1).update(osDisk={"type": "Ephemeral", "sizeGB": 200}))
case("ephemeral-no-local-disk", "an Ephemeral OS disk on a size without a local disk", lambda d: P(d,0).update(osDisk={"type": "Ephemeral", "sizeGB": 64}))
case("identity-id-system-assigned", "an identity id with SystemAssigned", lambda d: S(d).update(identity={"type": "SystemAssigned", "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x"}))
case("identity-id-malformed", "a user-assigned identity id that is not an identity's ARM id", lambda d: S(d).update(identity={"type": "UserAssigned", "id": "my-identity"}))
case("tier-unknown", "an unknown tier", lambda d: S(d).update(tier="Gold"))
case("gitops-url-file", "a GitOps URL that is not a Git remote", lambda d: S(d).update(gitops={"url": "file:///tmp/repo"}))
case("gitops-path-escapes", "a GitOps path outside the repository", lambda d: S(d).update(gitops={"url": "https://github.com/org/repo", "path": "../other"}))
case("cluster-name-too-long", "a cluster name longer than a DNS prefix allows", lambda d: d["metadata"].update(name="a" * 60))
case("unknown-field", "a field AKSCluster does not have", lambda d: S(d).update(sshPublicKey="ssh-ed25519 AAAA"))
case("pools-missing", "no pools", lambda d: S(d).pop("pools"))
case("upgrade-channel-unknown", "an unknown auto-upgrade channel", lambda d: S(d).update(autoUpgrade={"channel": "weekly"}))
out = sys.argv[1]
for name, (desc, d) in cases.items():
    with open(os.path.join(out, "aks-" + name + ".yaml"), "w") as f:
        f.write("# " + desc + "\n" + yaml.safe_dump(d, sort_keys=False, default_flow_style=None, width=100))
print(len(cases))
