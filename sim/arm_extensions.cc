// Microsoft.Compute/virtualMachines/extensions and the VM instance view. A CustomScript
// extension's outcome comes from the guest model (guest_model.h): what cloud-init and kubeadm
// would do with the VM's user data, decided lazily on requests (Arm calls resolve_put).
#include <algorithm>
#include <map>
#include <mutex>

#include "common/strings.h"
#include "sim/arm.h"
#include "sim/guest_model.h"
#include "sim/keyvault.h"
#include "sim/util.h"

namespace azsim {

using nlohmann::json;

namespace {

const char kExtType[] = "Microsoft.Compute/virtualMachines/extensions";
const char kVmType[] = "Microsoft.Compute/virtualMachines";
const char kIdentityType[] = "Microsoft.ManagedIdentity/userAssignedIdentities";
const char kVaultType[] = "Microsoft.KeyVault/vaults";
constexpr double kOtherExtensionSeconds = 30;  // extensions the model does not run

struct Verdict {
  bool done = false;
  bool ok = false;
  double time = 0;  // simulated completion time (or the estimate while running)
  std::string out, err;
};

std::string VmIdOf(const std::string& ext_id) {
  size_t pos = easel::ToLower(ext_id).rfind("/extensions/");
  return pos == std::string::npos ? "" : ext_id.substr(0, pos);
}

bool IsCustomScript(const json& props) {
  return IEquals(props.value("publisher", ""), "Microsoft.Azure.Extensions") &&
         IEquals(props.value("type", ""), "CustomScript");
}

// Parsed user data by customData (a VM's user data cannot change): joins look at every init
// node's configuration each time they are evaluated.
GuestConfig ParseCustomData(const std::string& custom_data) {
  static std::mutex mu;
  static std::map<std::string, GuestConfig> cache;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(custom_data);
    if (it != cache.end()) return it->second;
  }
  GuestConfig g;
  std::string decoded;
  if (!Base64Decode(custom_data, &decoded))
    g.problem = "cloud-init: the user data (osProfile.customData) is not base64";
  else
    g = ParseGuestConfig(decoded);
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() > 20000) cache.clear();
  cache[custom_data] = g;
  return g;
}

GuestConfig ConfigOfVm(const Resource* vm) {
  GuestConfig g;
  if (!vm) {
    g.problem = "cloud-init: the VM does not exist";
    return g;
  }
  json hidden = Arm::Hidden(*vm);
  if (!hidden.contains("customData") || !hidden["customData"].is_string()) {
    g.problem = "cloud-init: the VM has no user data (osProfile.customData)";
    return g;
  }
  return ParseCustomData(hidden["customData"].get<std::string>());
}

std::string TrimSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return easel::ToLower(s);
}

const Resource* VaultByUri(Arm& arm, const std::string& uri) {
  const Resource* found = nullptr;
  std::string want = TrimSlash(uri);
  if (want.empty()) return nullptr;
  arm.ForEach([&](const Resource& r) {
    if (found || !IEquals(r.type, kVaultType)) return;
    json j = json::parse(r.body, nullptr, false);
    if (j.is_object() && j["properties"].is_object() &&
        TrimSlash(j["properties"].value("vaultUri", "")) == want)
      found = &r;
  });
  return found;
}

// What a control-plane node's boot does with Key Vault: a token for its identity from IMDS, then
// the CA keys. Returns the stderr line of the first failure, "" when everything is readable.
std::string CheckVaultSecrets(Arm& arm, const Resource& vm, const GuestConfig& g) {
  auto env = [&](const char* k) {
    auto it = g.env.find(k);
    return it == g.env.end() ? std::string() : it->second;
  };
  std::string uri = env("VAULT_URI"), client = env("IDENTITY_CLIENT_ID");
  if (uri.empty())
    return std::string("easel-bootstrap: VAULT_URI is not set in ") + kBootstrapEnvPath;
  if (client.empty())
    return std::string("easel-bootstrap: IDENTITY_CLIENT_ID is not set in ") + kBootstrapEnvPath;
  json vmj = json::parse(vm.body, nullptr, false);
  std::string principal;
  if (vmj.is_object() && vmj.contains("identity") && vmj["identity"].is_object() &&
      vmj["identity"].contains("userAssignedIdentities") &&
      vmj["identity"]["userAssignedIdentities"].is_object()) {
    for (auto it = vmj["identity"]["userAssignedIdentities"].begin();
         it != vmj["identity"]["userAssignedIdentities"].end(); ++it) {
      const Resource* id = arm.Find(it.key());
      if (!id || !IEquals(id->type, kIdentityType)) continue;
      json ij = json::parse(id->body, nullptr, false);
      if (ij.is_object() && ij["properties"].is_object() &&
          IEquals(ij["properties"].value("clientId", ""), client))
        principal = ij["properties"].value("principalId", "");
    }
  }
  if (principal.empty())
    return "easel-bootstrap: getting a token from IMDS for client_id " + client +
           ": 400 Bad Request (Identity not found: the VM does not carry this user-assigned "
           "identity)";
  const Resource* vault = VaultByUri(arm, uri);
  if (!vault)
    return "easel-bootstrap: reading secret ca-key from " + uri +
           ": the vault does not exist (no such host)";
  std::string name = LastSegment(vault->id);
  Arm::VaultAccess access = arm.VaultAccessLocked(name, principal, "get");
  if (!access.allowed)
    return "easel-bootstrap: reading secret ca-key from " + uri +
           ": 403 Forbidden (Forbidden: The user, group or application 'appid=" + client +
           ";oid=" + principal + "' does not have secrets get permission on key vault '" + name +
           ";location=" + access.location + "')";
  KeyVaultStore* kv = arm.settings().vaults;
  for (const char* s : {"ca-key", "etcd-ca-key", "front-proxy-ca-key", "sa-key"})
    if (!kv || !kv->LatestValue(name, s))
      return std::string("easel-bootstrap: reading secret ") + s + " from " + uri +
             ": 404 Not Found (SecretNotFound: A secret with (name/id) " + s +
             " was not found in this key vault)";
  return "";
}

std::string KubeadmError(const std::string& detail) {
  return "error execution phase preflight: " + detail +
         "\nTo see the stack trace of this error execute with --v=5 or higher\n";
}

Verdict Evaluate(Arm& arm, const Resource& ext, double now, bool allow_join);

// The earliest successful init node of the cluster whose control-plane endpoint is `endpoint`.
std::optional<std::pair<double, const Resource*>> InitNodeFor(Arm& arm, const Resource& self,
                                                              const std::string& endpoint,
                                                              double now) {
  std::optional<std::pair<double, const Resource*>> best;
  std::vector<const Resource*> exts;
  arm.ForEach([&](const Resource& r) {
    if (IEquals(r.type, kExtType) && !IEquals(r.id, self.id)) exts.push_back(&r);
  });
  for (const Resource* e : exts) {
    GuestConfig g = ConfigOfVm(arm.Find(VmIdOf(e->id)));
    if (g.role != GuestConfig::Role::kInit || g.endpoint != endpoint) continue;
    Verdict v = Evaluate(arm, *e, now, false);
    if (v.done && v.ok && v.time <= now && (!best || v.time < best->first)) best = {v.time, e};
  }
  return best;
}

constexpr double kMinDiscoveryWaitSeconds = 30;

// Whether the cluster's init node is still on its way: a VM whose user data makes it the init node
// of `endpoint` exists, and its bootstrap extension is absent or not finished. In Azure all VMs of
// a cluster boot together, so a join waits for such a node; azsim compresses (and faults delay)
// the init node's creation, so the discovery timeout only runs once no init node is pending.
bool InitPending(Arm& arm, const std::string& endpoint, double now) {
  std::vector<const Resource*> vms, exts;
  arm.ForEach([&](const Resource& r) {
    if (IEquals(r.type, kVmType)) vms.push_back(&r);
    if (IEquals(r.type, kExtType)) exts.push_back(&r);
  });
  for (const Resource* vm : vms) {
    GuestConfig g = ConfigOfVm(vm);
    if (g.role != GuestConfig::Role::kInit || g.endpoint != endpoint) continue;
    bool finished = false;
    for (const Resource* e : exts) {
      if (!IEquals(VmIdOf(e->id), vm->id)) continue;
      Verdict v = Evaluate(arm, *e, now, false);
      finished = finished || v.done;
    }
    if (!finished) return true;
  }
  return false;
}

Verdict Evaluate(Arm& arm, const Resource& ext, double now, bool allow_join) {
  Verdict v;
  json hidden = Arm::Hidden(ext);
  if (hidden.contains("doneSim")) {
    v.done = true;
    v.ok = hidden.value("succeeded", false);
    v.time = hidden.value("doneSim", 0.0);
    return v;
  }
  const double scale = arm.time_scale();
  const double put = hidden.value("putSim", now);
  json ej = json::parse(ext.body, nullptr, false);
  json props = ej.is_object() && ej["properties"].is_object() ? ej["properties"] : json::object();
  const Operation* op = ext.op_id.empty() ? nullptr : arm.FindOperation(ext.op_id);
  auto at = [&](double due) {
    v.time = due;
    v.done = now >= due;
    return v.done;
  };
  if (op && !op->error_code.empty()) {
    // An injected fault: the script "fails" with the rule's message as stderr.
    if (!at(put + kOtherExtensionSeconds * scale)) return v;
    v.err = op->error_message;
    return v;
  }
  if (!IsCustomScript(props)) {
    if (at(put + kOtherExtensionSeconds * scale)) v.ok = true;
    return v;
  }
  const Resource* vm = arm.Find(VmIdOf(ext.id));
  GuestConfig g = ConfigOfVm(vm);
  if (g.role == GuestConfig::Role::kNone) {
    if (!at(put + kMarkerTimeoutSeconds * scale)) return v;
    v.err = g.problem + "\neasel-bootstrap: no bootstrap marker after 600 s\n";
    return v;
  }
  if (g.role == GuestConfig::Role::kInit) {
    if (!at(put + kInitSeconds * scale)) return v;
    std::string err = CheckVaultSecrets(arm, *vm, g);
    if (!err.empty()) {
      v.err = err + "\n";
      return v;
    }
    v.ok = true;
    v.out = KubeadmInitStdout(g.endpoint);
    return v;
  }
  // Join: waits for the cluster's init node, then joins (or times out in discovery).
  // The discovery timeout is never shorter than kMinDiscoveryWaitSeconds of the simulated clock:
  // at --time-scale 0 every operation is instant, and a join whose extension happened to be sent
  // just before the init node's would otherwise time out at once.
  const double timeout = put + std::max(kDiscoveryTimeoutSeconds * scale, kMinDiscoveryWaitSeconds);
  const double join_s = g.control_plane ? kJoinControlPlaneSeconds : kJoinWorkerSeconds;
  std::optional<std::pair<double, const Resource*>> init;
  if (allow_join) init = InitNodeFor(arm, ext, g.endpoint, now);
  if (!init && allow_join && InitPending(arm, g.endpoint, now)) {
    v.time = std::max(put, now) + join_s * scale;  // a lower bound of the completion
    return v;
  }
  // With an init node that succeeded the join goes on: its discovery clock is taken to start
  // with the init node's boot (see InitPending), which ends well within the timeout.
  if (!init) {
    if (!at(timeout)) {
      // No init node is up now, so the join cannot end before one joins from now (or the
      // timeout): a lower bound, as Arm expects of `due`.
      v.time = std::min(timeout, std::max(put, now) + join_s * scale);
      return v;
    }
    v.err = KubeadmError(
        "couldn't validate the identity of the API Server: failed to request the cluster-info "
        "ConfigMap: Get \"https://" +
        g.endpoint +
        "/api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s\": dial tcp " +
        g.endpoint + ": i/o timeout (no init node with controlPlaneEndpoint " + g.endpoint +
        " succeeded within 600 s)");
    return v;
  }
  if (!at(std::max(put, init->first) + join_s * scale)) return v;
  if (!BootstrapTokenWellFormed(g.token)) {
    v.err = KubeadmError(
        "discovery.bootstrapToken.token: Invalid value: the bootstrap token is not of the form "
        "\"[a-z0-9]{6}.[a-z0-9]{16}\"");
    return v;
  }
  const Resource* init_vm = arm.Find(VmIdOf(init->second->id));
  GuestConfig ig = ConfigOfVm(init_vm);
  std::string pin_error;
  std::string pin = CaPublicKeyPin(ig.ca_pem, &pin_error);
  bool pinned = false;
  for (const auto& h : g.ca_hashes) pinned |= !pin.empty() && IEquals(h, pin);
  if (!pinned) {
    v.err = KubeadmError(
        "couldn't validate the identity of the API Server: cluster CA found in cluster-info "
        "ConfigMap is invalid: none of the public keys \"" +
        (pin.empty() ? "(" + pin_error + ")" : pin) + "\" are pinned");
    return v;
  }
  std::string seed;
  auto vit = ig.env.find("VAULT_URI");
  if (vit != ig.env.end())
    if (const Resource* vault = VaultByUri(arm, vit->second))
      if (KeyVaultStore* kv = arm.settings().vaults)
        seed = kv->LatestValue(LastSegment(vault->id), "join-token-seed").value_or("");
  if (!JoinTokenValid(g.token, ig.bootstrap_tokens, seed, NowSeconds())) {
    v.err = KubeadmError(
        "couldn't validate the identity of the API Server: could not find a JWS signature in "
        "the cluster-info ConfigMap for token ID \"" +
        g.token.substr(0, 6) + "\"");
    return v;
  }
  if (g.control_plane) {
    std::string err = CheckVaultSecrets(arm, *vm, g);
    if (!err.empty()) {
      v.err = err + "\n";
      return v;
    }
  }
  v.ok = true;
  v.out = KubeadmJoinStdout(g.control_plane);
  return v;
}

json Status(const std::string& code, const std::string& level, const std::string& display,
            const std::string& message, double time) {
  json s = {{"code", code}, {"level", level}, {"displayStatus", display}, {"message", message}};
  if (time > 0) s["time"] = Iso8601(time);
  return s;
}

json InstanceView(const std::string& name, const json& props, const Verdict& v) {
  std::string type = props.value("publisher", "") + "." + props.value("type", "");
  json iv = {{"name", name},
             {"type", type},
             {"typeHandlerVersion", props.value("typeHandlerVersion", "")}};
  double t = NowSeconds();
  if (v.ok) {
    iv["statuses"] = {Status("ProvisioningState/succeeded", "Info", "Provisioning succeeded",
                             "Enable succeeded", t)};
  } else {
    iv["statuses"] = {Status(
        "ProvisioningState/failed/1", "Error", "Provisioning failed",
        "Enable failed: failed to execute command: command terminated with exit status=1", t)};
  }
  if (IsCustomScript(props) || !v.err.empty())
    iv["substatuses"] = {
        Status("ComponentStatus/StdOut/succeeded", "Info", "Provisioning succeeded", v.out, 0),
        Status("ComponentStatus/StdErr/succeeded", v.ok ? "Info" : "Error",
               "Provisioning succeeded", v.err, 0)};
  return iv;
}

LroOutcome ResolveExtension(Arm& arm, const Resource& ext, const Operation& op, double now) {
  LroOutcome out;
  Verdict v = Evaluate(arm, ext, now, true);
  out.due = v.time;
  if (!v.done) return out;
  out.done = true;
  json ej = json::parse(ext.body, nullptr, false);
  json props = ej.is_object() && ej["properties"].is_object() ? ej["properties"] : json::object();
  std::string name = LastSegment(ext.id);
  out.hidden = {
      {"doneSim", v.time}, {"succeeded", v.ok}, {"instanceView", InstanceView(name, props, v)}};
  if (!v.ok) {
    out.error_code = op.error_code.empty() ? "VMExtensionProvisioningError" : op.error_code;
    out.error_message = "VM has reported a failure when processing extension '" + name +
                        "' (publisher '" + props.value("publisher", "") + "' and type '" +
                        props.value("type", "") +
                        "'). Error message: 'Enable failed: failed to execute command: command "
                        "terminated with exit status=1\n[stdout]\n" +
                        v.out + "\n[stderr]\n" + v.err +
                        "'. More information on troubleshooting is available at "
                        "https://aka.ms/VMExtensionCSELinuxTroubleshoot.";
  }
  return out;
}

ArmError ValidateExtension(PutContext& ctx) {
  const Resource* vm = ctx.arm.Find(ctx.parent_id);
  if (!vm || !IEquals(vm->type, kVmType))
    return Err(404, "ParentResourceNotFound", "The virtual machine was not found.");
  json& props = ctx.body["properties"];
  if (!props.contains("publisher") || !props["publisher"].is_string() || !props.contains("type") ||
      !props["type"].is_string())
    return Err(400, "InvalidParameter",
               "Required parameters 'properties.publisher' and 'properties.type' are missing.");
  for (const char* k : {"typeHandlerVersion", "forceUpdateTag"})
    if (props.contains(k) && !props[k].is_string())
      return Err(400, "InvalidRequestContent",
                 std::string("The request content was invalid: '") + k + "' must be a string.");
  for (const char* k : {"autoUpgradeMinorVersion", "enableAutomaticUpgrade", "suppressFailures"})
    if (props.contains(k) && !props[k].is_boolean())
      return Err(400, "InvalidRequestContent",
                 std::string("The request content was invalid: '") + k + "' must be a boolean.");
  // One extension per handler on a VM.
  for (const Resource* other : ctx.arm.Children(vm->id, kExtType)) {
    if (IEquals(other->id, ctx.id)) continue;
    json oj = json::parse(other->body, nullptr, false);
    if (!oj.is_object() || !oj["properties"].is_object()) continue;
    if (IEquals(oj["properties"].value("publisher", ""), props["publisher"].get<std::string>()) &&
        IEquals(oj["properties"].value("type", ""), props["type"].get<std::string>()))
      return Err(400, "BadRequest",
                 "Multiple VMExtensions per handler not supported for OS type 'Linux'. "
                 "VMExtension '" +
                     LastSegment(other->id) + "' with handler '" +
                     props["publisher"].get<std::string>() + "." +
                     props["type"].get<std::string>() + "' already added or specified in input.");
  }
  // Secrets are never returned.
  props.erase("protectedSettings");
  props.erase("protectedSettingsFromKeyVault");
  if (!ctx.body.contains("location")) ctx.body["location"] = vm->location;
  if (!props.contains("autoUpgradeMinorVersion")) props["autoUpgradeMinorVersion"] = false;
  ctx.body["_azsim"] = {{"putSim", ctx.arm.SimNowLocked()}};
  return {};
}

json TransitioningView(const std::string& name, const json& props) {
  return {{"name", name},
          {"type", props.value("publisher", "") + "." + props.value("type", "")},
          {"typeHandlerVersion", props.value("typeHandlerVersion", "")},
          {"statuses",
           {Status("ProvisioningState/transitioning", "Info", "Transitioning", "Enable in progress",
                   0)}}};
}

json ExtensionView(const Resource& ext) {
  json hidden = Arm::Hidden(ext);
  if (hidden.contains("instanceView")) return hidden["instanceView"];
  json ej = json::parse(ext.body, nullptr, false);
  json props = ej.is_object() && ej["properties"].is_object() ? ej["properties"] : json::object();
  return TransitioningView(LastSegment(ext.id), props);
}

bool WantsInstanceView(const HttpRequest& req) {
  return IContains(req.Query("$expand"), "instanceView");
}

}  // namespace

void ExpandVmInstanceView(Arm& arm, const Resource& vm, const HttpRequest& req, json& doc) {
  if (!WantsInstanceView(req)) return;
  json exts = json::array();
  for (const Resource* e : arm.Children(vm.id, kExtType)) exts.push_back(ExtensionView(*e));
  std::string state = doc["properties"].value("provisioningState", "Succeeded");
  json statuses = json::array();
  statuses.push_back(Status("ProvisioningState/" + easel::ToLower(state), "Info",
                            "Provisioning " + easel::ToLower(state), "", vm.changed));
  if (IEquals(state, "Succeeded"))
    statuses.push_back(Status("PowerState/running", "Info", "VM running", "", 0));
  json iv = {{"computerName",
              doc["properties"].contains("osProfile")
                  ? doc["properties"]["osProfile"].value("computerName", LastSegment(vm.id))
                  : LastSegment(vm.id)},
             {"osName", "ubuntu"},
             {"osVersion", "22.04"},
             {"vmAgent",
              {{"vmAgentVersion", "2.11.1.4"},
               {"statuses",
                {Status("ProvisioningState/succeeded", "Info", "Ready", "Guest Agent is running",
                        NowSeconds())}}}},
             {"statuses", statuses},
             {"extensions", exts}};
  for (auto& s : iv["statuses"]) s.erase("message");
  doc["properties"]["instanceView"] = iv;
}

std::optional<std::string> Arm::VmUserData(const std::string& vm_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Resource* vm = Find(vm_id);
  if (!vm || !IEquals(vm->type, kVmType)) return std::nullopt;
  json hidden = Hidden(*vm);
  if (!hidden.contains("customData") || !hidden["customData"].is_string()) return std::nullopt;
  std::string decoded;
  if (!Base64Decode(hidden["customData"].get<std::string>(), &decoded)) return std::nullopt;
  return decoded;
}

void RegisterExtensionTypes(TypeRegistry& r) {
  TypeSpec ext;
  ext.type = kExtType;
  ext.strict = true;
  ext.location_required = false;
  // The first lower bound of the completion (the model's shortest duration); resolve_put then
  // gives better ones.
  ext.put_seconds = kOtherExtensionSeconds;
  ext.delete_seconds = 20;
  ext.valid_name = [](const std::string& n) { return NameMatches(n, 1, 80, "_.-", true, ".-"); };
  ext.name_rule = "Extension names are 1-80 characters of letters, digits, '_', '.' and '-'.";
  ext.validate = ValidateExtension;
  ext.resolve_put = ResolveExtension;
  ext.expand = [](Arm&, const Resource& e, const HttpRequest& req, json& doc) {
    if (WantsInstanceView(req)) doc["properties"]["instanceView"] = ExtensionView(e);
  };
  r.Add(ext);
}

}  // namespace azsim
