// AKS credentials: the kubeconfigs of listClusterUserCredential (client certificate, or
// kubelogin's exec plugin / the legacy azure auth-provider with managed Entra ID) and
// listClusterAdminCredential (client certificate of system:masters, refused when local accounts
// are disabled), over a CA made for each cluster when it is created.
#include "common/strings.h"
#include "sim/aks.h"
#include "sim/k8s_pki.h"
#include "sim/util.h"

namespace azsim {

using nlohmann::json;

namespace {

// The Entra application of AKS's managed AAD server and the Azure CLI client kubelogin uses.
const char kAksServerApp[] = "6dae42f8-4368-4678-94ff-3960e28e3630";
const char kAzureCliClient[] = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";

json PairJson(const std::optional<PemPair>& p) {
  return p ? json{{"cert", p->cert}, {"key", p->key}} : json::object();
}

std::string ExecUser(const std::string& tenant) {
  return std::string("    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n") +
         "      args:\n      - get-token\n      - --environment\n      - AzurePublicCloud\n" +
         "      - --server-id\n      - " + kAksServerApp + "\n      - --client-id\n      - " +
         kAzureCliClient + "\n      - --tenant-id\n      - " + tenant +
         "\n      - --login\n      - devicecode\n      command: kubelogin\n      env: null\n" +
         "      installHint: |2\n\n        kubelogin is not installed which is required to "
         "connect to AAD enabled cluster.\n\n        To learn more, please go to "
         "https://aka.ms/aks/kubelogin\n      provideClusterInfo: false\n";
}

std::string AuthProviderUser(const std::string& tenant) {
  return std::string("    auth-provider:\n      config:\n        apiserver-id: ") + kAksServerApp +
         "\n        client-id: " + kAzureCliClient +
         "\n        config-mode: '1'\n        environment: AzurePublicCloud\n        tenant-id: " +
         tenant + "\n      name: azure\n";
}

}  // namespace

json NewClusterPki() {
  std::optional<PemPair> ca = MakeClusterCa();
  json pki = {{"ca", PairJson(ca)},
              {"adminToken", HexEncode(RandomBytes(32))},
              {"userToken", HexEncode(RandomBytes(32))}};
  if (ca) {
    pki["admin"] = PairJson(MakeClientCert(*ca, "masterclient", "system:masters"));
    pki["user"] = PairJson(MakeClientCert(*ca, "client", "system:masters"));
  }
  return pki;
}

HttpResponse AksCredentials(ActionContext& ctx, bool admin) {
  json doc = json::parse(ctx.resource.body, nullptr, false);
  if (!doc.is_object() || !doc["properties"].is_object())
    return ArmErrorResponse(Err(500, "InternalServerError", "The cluster document is unreadable."));
  const json& props = doc["properties"];
  if (JStr(props, "provisioningState") == "Creating")
    return ArmErrorResponse(
        Err(400, "OperationNotAllowed",
            "The cluster is being created; credentials are not available yet."));
  bool aad = JObj(props, "aadProfile") && JBool(props["aadProfile"], "managed");
  if (admin && JBool(props, "disableLocalAccounts"))
    return ArmErrorResponse(Err(400, "BadRequest",
                                "Getting static credential is not allowed because this cluster "
                                "is set to disable local accounts."));
  std::string format = easel::ToLower(ctx.req.Query("format"));
  if (!format.empty() && format != "azure" && format != "exec")
    return ArmErrorResponse(Err(400, "InvalidParameter",
                                "The value of parameter format is invalid: it must be 'azure' or "
                                "'exec'."));
  json pki = Arm::Hidden(ctx.resource).value("pki", json::object());
  if (!pki.is_object()) pki = json::object();
  const json* ca = JObj(pki, "ca");
  std::string ca_pem = ca ? JStr(*ca, "cert") : "";
  std::string name = LastSegment(ctx.resource.id);
  std::string sub, rg;
  SplitScope(ctx.resource.id, &sub, &rg);
  std::string server = JStr(props, "fqdn", JStr(props, "privateFQDN", name + ".azmk8s.io"));
  std::string user = std::string(admin ? "clusterAdmin_" : "clusterUser_") + rg + "_" + name;
  std::string context = admin ? name + "-admin" : name;
  std::string body;
  if (!admin && aad) {
    std::string tenant = JStr(props["aadProfile"], "tenantID", SimTenant(ctx.arm));
    body = format == "azure" ? AuthProviderUser(tenant) : ExecUser(tenant);
  } else {
    const json* cert = JObj(pki, admin ? "admin" : "user");
    if (cert && !JStr(*cert, "cert").empty())
      body = "    client-certificate-data: " + Base64Encode(JStr(*cert, "cert")) +
             "\n    client-key-data: " + Base64Encode(JStr(*cert, "key")) + "\n";
    body += "    token: " + JStr(pki, admin ? "adminToken" : "userToken", "azsim") + "\n";
  }
  std::string kubeconfig =
      "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: " +
      Base64Encode(ca_pem) + "\n    server: https://" + server + ":443\n  name: " + name +
      "\ncontexts:\n- context:\n    cluster: " + name + "\n    user: " + user +
      "\n  name: " + context + "\ncurrent-context: " + context +
      "\nkind: Config\npreferences: {}\nusers:\n- name: " + user + "\n  user:\n" + body;
  return ArmJson(200, {{"kubeconfigs",
                        {{{"name", admin ? "clusterAdmin" : "clusterUser"},
                          {"value", Base64Encode(kubeconfig)}}}}});
}

}  // namespace azsim
