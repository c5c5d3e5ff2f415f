// Microsoft.Authorization policy: the built-in pod-security initiatives (policySetDefinitions,
// readable at /providers/Microsoft.Authorization/... and under a subscription) with a few of
// their member policy definitions, and policy assignments at any scope (subscription, group or
// resource), removed with their scope.
#include "common/strings.h"
#include "sim/aks.h"
#include "sim/util.h"

namespace azsim {

using nlohmann::json;

namespace {

const char kAssignment[] = "Microsoft.Authorization/policyAssignments";
const char kSetPrefix[] = "/providers/Microsoft.Authorization/policySetDefinitions/";
const char kDefPrefix[] = "/providers/Microsoft.Authorization/policyDefinitions/";

struct BuiltInDefinition {
  const char* name;
  const char* display;
};

// A subset of the Kubernetes definitions the pod-security initiatives group.
const BuiltInDefinition kDefinitions[] = {
    {"95edb821-ddaf-4404-9732-666045e056b4",
     "Kubernetes cluster should not allow privileged containers"},
    {"47a1ee2f-2a2a-4576-bf2a-e0e36709c2b8",
     "Kubernetes cluster containers should not share host process ID or host IPC namespace"},
    {"82985f06-dc18-4a48-bc1c-b9f4f0098cfe",
     "Kubernetes cluster pods should only use approved host network and port range"},
    {"098fc59e-46c7-4d99-9b16-64990e543d75",
     "Kubernetes cluster pod hostPath volumes should only use allowed host paths"},
    {"c26596ff-4d70-4e6a-9a30-c2506bd2f80c",
     "Kubernetes cluster containers should only use allowed capabilities"},
    {"1c6e92c9-99f0-4e55-9cf2-0c234dc48f99",
     "Kubernetes clusters should not allow container privilege escalation"},
    {"f06ddb64-5fa3-4b77-b166-acb36f7f6042",
     "Kubernetes cluster pods and containers should only run with approved user and group IDs"},
    {"16697877-1118-4fb1-9b65-9898ec2509ec",
     "Kubernetes cluster pods should only use allowed volume types"},
};

struct BuiltInSet {
  const char* name;
  const char* display;
  const char* description;
  std::vector<int> members;  // indexes in kDefinitions
};

const std::vector<BuiltInSet>& Sets() {
  static const std::vector<BuiltInSet> sets = {
      {"a8640138-9b0a-4a28-b8cb-1666c838647d",
       "Kubernetes cluster pod security baseline standards for Linux-based workloads",
       "This initiative includes the policies for the Kubernetes cluster pod security baseline "
       "standards. This policy is generally available for Kubernetes Service (AKS).",
       {0, 1, 2, 3, 4}},
      {"42b8ef37-b724-4e24-bbc8-7a7708edfe00",
       "Kubernetes cluster pod security restricted standards for Linux-based workloads",
       "This initiative includes the policies for the Kubernetes cluster pod security restricted "
       "standards. This policy is generally available for Kubernetes Service (AKS).",
       {0, 1, 2, 3, 4, 5, 6, 7}},
  };
  return sets;
}

json Parameters() {
  return {
      {"effect",
       {{"type", "String"},
        {"metadata", {{"displayName", "Effect"}}},
        {"allowedValues", json::array({"audit", "Audit", "deny", "Deny", "disabled", "Disabled"})},
        {"defaultValue", "audit"}}},
      {"excludedNamespaces",
       {{"type", "Array"},
        {"metadata", {{"displayName", "Namespace exclusions"}}},
        {"defaultValue", json::array({"kube-system", "gatekeeper-system", "azure-arc",
                                      "azure-extensions-usage-system"})}}}};
}

json DefinitionJson(const BuiltInDefinition& d) {
  return {{"id", std::string(kDefPrefix) + d.name},
          {"name", d.name},
          {"type", "Microsoft.Authorization/policyDefinitions"},
          {"properties",
           {{"displayName", d.display},
            {"policyType", "BuiltIn"},
            {"mode", "Microsoft.Kubernetes.Data"},
            {"description", d.display},
            {"metadata", {{"category", "Kubernetes"}, {"version", "6.2.0"}}},
            {"version", "6.2.0"},
            {"parameters", Parameters()},
            {"policyRule",
             {{"if",
               {{"field", "type"},
                {"in", json::array({"Microsoft.ContainerService/managedClusters"})}}},
              {"then", {{"effect", "[parameters('effect')]"}}}}}}}};
}

json SetJson(const BuiltInSet& s) {
  json members = json::array();
  for (int i : s.members)
    members.push_back(
        {{"policyDefinitionId", std::string(kDefPrefix) + kDefinitions[i].name},
         {"policyDefinitionReferenceId", kDefinitions[i].name},
         {"definitionVersion", "6.*.*"},
         {"parameters",
          {{"effect", {{"value", "[parameters('effect')]"}}},
           {"excludedNamespaces", {{"value", "[parameters('excludedNamespaces')]"}}}}},
         {"groupNames", json::array()}});
  return {{"id", std::string(kSetPrefix) + s.name},
          {"name", s.name},
          {"type", "Microsoft.Authorization/policySetDefinitions"},
          {"properties",
           {{"displayName", s.display},
            {"policyType", "BuiltIn"},
            {"description", s.description},
            {"metadata", {{"category", "Kubernetes"}, {"version", "1.4.0"}}},
            {"version", "1.4.0"},
            {"parameters", Parameters()},
            {"policyDefinitions", members},
            {"policyDefinitionGroups", json::array()}}}};
}

std::optional<json> FindBuiltIn(const std::string& kind, const std::string& name) {
  if (IEquals(kind, "policySetDefinitions")) {
    for (const auto& s : Sets())
      if (IEquals(s.name, name)) return SetJson(s);
  } else if (IEquals(kind, "policyDefinitions")) {
    for (const auto& d : kDefinitions)
      if (IEquals(d.name, name)) return DefinitionJson(d);
  }
  return std::nullopt;
}

// The built-in a policyDefinitionId names ("/providers/..." or "/subscriptions/{s}/providers/...").
std::optional<json> ResolveDefinitionId(const std::string& id) {
  std::vector<std::string> seg = SplitPath(id);
  size_t p = 0;
  if (seg.size() >= 2 && IEquals(seg[0], "subscriptions")) p = 2;
  if (seg.size() != p + 4 || !IEquals(seg[p], "providers") ||
      !IEquals(seg[p + 1], "Microsoft.Authorization"))
    return std::nullopt;
  return FindBuiltIn(seg[p + 2], seg[p + 3]);
}

// GET {prefix}/providers/Microsoft.Authorization/{policySetDefinitions|policyDefinitions}[/{n}]
// where `at` indexes "providers".
std::optional<HttpResponse> Definitions(const HttpRequest& req, const std::vector<std::string>& seg,
                                        size_t at) {
  if (seg.size() < at + 3) return std::nullopt;
  const std::string& kind = seg[at + 2];
  bool set = IEquals(kind, "policySetDefinitions");
  if (!set && !IEquals(kind, "policyDefinitions")) return std::nullopt;
  if (req.method != "GET")
    return ArmErrorResponse(Err(405, "MethodNotAllowed",
                                "azsim offers only the built-in policy definitions (read-only)."));
  if (seg.size() == at + 3) {
    json arr = json::array();
    if (set)
      for (const auto& s : Sets()) arr.push_back(SetJson(s));
    else
      for (const auto& d : kDefinitions) arr.push_back(DefinitionJson(d));
    return ArmJson(200, {{"value", arr}});
  }
  if (seg.size() != at + 4) return std::nullopt;
  if (auto j = FindBuiltIn(kind, seg[at + 3])) return ArmJson(200, *j);
  return ArmErrorResponse(
      Err(404, set ? "PolicySetDefinitionNotFound" : "PolicyDefinitionNotFound",
          std::string(set ? "The policy set definition '" : "The policy definition '") +
              seg[at + 3] + "' could not be found."));
}

// An assignment may set only the parameters its definition defines (Azure: 400
// UndefinedPolicyParameter, naming them all).
ArmError CheckAssignmentParameters(const PutContext& ctx, const json& params, const json& def) {
  const json& defined = def["properties"]["parameters"];
  std::string undefined;
  for (auto it = params.begin(); it != params.end(); ++it) {
    bool known = false;
    for (auto d = defined.begin(); d != defined.end(); ++d) known |= IEquals(d.key(), it.key());
    if (!known) undefined += (undefined.empty() ? "" : ",") + it.key();
  }
  if (undefined.empty()) return {};
  return Err(400, "UndefinedPolicyParameter",
             "The policy assignment '" + ctx.name + "' has the parameter(s) '" + undefined +
                 "' which are not defined in the policy definition '" +
                 def.value("name", std::string()) + "'.");
}

// definitionVersion: as sent, else the definition's major version ("1.*.*" for 1.4.0), as Azure
// answers from api-version 2023-04-01 on.
void FillDefinitionVersion(json& props, const json& def) {
  if (props.contains("definitionVersion") && props["definitionVersion"].is_string()) return;
  std::string version = JStr(def["properties"], "version", "1.0.0");
  props["definitionVersion"] = version.substr(0, version.find('.')) + ".*.*";
}

ArmError ValidateAssignment(PutContext& ctx) {
  json& props = ctx.body["properties"];
  std::string def = JStr(props, "policyDefinitionId");
  if (def.empty())
    return Err(400, "InvalidRequestContent", "properties.policyDefinitionId is required.");
  std::optional<json> definition = ResolveDefinitionId(def);
  if (!definition) {
    bool set = IContains(def, "/policySetDefinitions/");
    return Err(404, set ? "PolicySetDefinitionNotFound" : "PolicyDefinitionNotFound",
               std::string(set ? "The policy set definition '" : "The policy definition '") +
                   LastSegment(def) + "' could not be found.");
  }
  FillDefinitionVersion(props, *definition);
  if (props.contains("enforcementMode") && !props["enforcementMode"].is_string())
    return Err(400, "InvalidRequestContent", "properties.enforcementMode must be a string.");
  std::string mode = JStr(props, "enforcementMode", "Default");
  if (!IEquals(mode, "Default") && !IEquals(mode, "DoNotEnforce"))
    return Err(400, "InvalidRequestContent",
               "properties.enforcementMode must be Default or DoNotEnforce.");
  props["enforcementMode"] = mode;
  std::string scope = ExtensionScopeOf(ctx.id);
  if (const Resource* r = ctx.arm.Find(scope)) scope = r->id;
  props["scope"] = scope;
  if (!props.contains("notScopes")) props["notScopes"] = json::array();
  if (props.contains("parameters") && !props["parameters"].is_object())
    return Err(400, "InvalidRequestContent", "properties.parameters must be an object.");
  if (!props.contains("parameters")) props["parameters"] = json::object();
  ArmError e = CheckAssignmentParameters(ctx, props["parameters"], *definition);
  if (!e.ok()) return e;
  if (!props.contains("metadata")) props["metadata"] = json::object();
  props["metadata"]["createdOn"] = Iso8601(NowSeconds());
  props.erase("provisioningState");
  if (ctx.body.contains("identity")) {
    if (!ctx.body["identity"].is_object())
      return Err(400, "InvalidRequestContent", "identity must be an object.");
    std::string type = JStr(ctx.body["identity"], "type", "None");
    if (IEquals(type, "SystemAssigned")) {
      if (JStr(ctx.body, "location").empty())
        return Err(400, "LocationRequired",
                   "A policy assignment with a managed identity needs a location.");
      const json* oid = ctx.existing ? JObj(*ctx.existing, "identity") : nullptr;
      ctx.body["identity"]["principalId"] = oid ? JStr(*oid, "principalId", NewGuid()) : NewGuid();
      ctx.body["identity"]["tenantId"] = SimTenant(ctx.arm);
    } else if (!IEquals(type, "None") && !IEquals(type, "UserAssigned")) {
      return Err(400, "InvalidRequestContent",
                 "identity.type must be SystemAssigned, UserAssigned or None.");
    }
  }
  if (ctx.body.contains("location") && ctx.body["location"].is_string())
    ctx.body["location"] = NormalizeLocation(ctx.body["location"].get<std::string>());
  return {};
}

}  // namespace

void RegisterPolicyTypes(TypeRegistry& r) {
  TypeSpec a;
  a.type = kAssignment;
  a.put = TypeSpec::PutStyle::kSync;
  a.async_delete = false;
  a.location_required = false;
  a.listed_in_group = false;
  a.valid_name = [](const std::string& n) {
    if (n.empty() || n.size() > 128) return false;
    for (char c : n)
      if (std::string("<>*%&:\\?.+/").find(c) != std::string::npos || c < 0x20) return false;
    return true;
  };
  a.name_error_code = "InvalidPolicyAssignmentName";
  a.name_rule = "Policy assignment names are 1-128 characters without <>*%&:\\?.+/.";
  a.validate = ValidateAssignment;
  a.compose = [](Arm&, const Resource&, json& j) {
    if (j.is_object() && j["properties"].is_object()) j["properties"].erase("provisioningState");
  };
  r.Add(a);
  // Tenant level: /providers/Microsoft.Authorization/... (seg[0] is "providers").
  r.AddRoute("/Microsoft.Authorization",
             [](Arm&, const HttpRequest& req, const std::vector<std::string>& seg,
                const std::string&) { return Definitions(req, seg, 0); });
  // Subscription level: /subscriptions/{s}/providers/Microsoft.Authorization/... (built-ins only).
  r.AddRoute("Microsoft.Authorization",
             [](Arm&, const HttpRequest& req, const std::vector<std::string>& seg,
                const std::string&) { return Definitions(req, seg, 2); });
}

}  // namespace azsim
