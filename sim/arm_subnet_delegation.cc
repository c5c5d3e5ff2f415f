// Subnet delegations (Microsoft.Network/virtualNetworks/subnets/delegations): checked and
// completed with the fields Azure computes (id, type, actions, provisioningState).
#include "sim/aks.h"
#include "sim/util.h"

namespace azsim {

using nlohmann::json;

namespace {

struct Delegable {
  const char* service;
  std::vector<const char*> actions;
};

const std::vector<Delegable>& Services() {
  static const std::vector<Delegable> list = {
      {"Microsoft.ContainerInstance/containerGroups",
       {"Microsoft.Network/virtualNetworks/subnets/action"}},
      {"Microsoft.Web/serverFarms", {"Microsoft.Network/virtualNetworks/subnets/action"}},
      {"Microsoft.DBforPostgreSQL/flexibleServers",
       {"Microsoft.Network/virtualNetworks/subnets/join/action"}},
      {"Microsoft.ContainerService/managedClusters",
       {"Microsoft.Network/virtualNetworks/subnets/join/action"}},
      {"Microsoft.Netapp/volumes",
       {"Microsoft.Network/networkinterfaces/*",
        "Microsoft.Network/virtualNetworks/subnets/join/action"}},
  };
  return list;
}

}  // namespace

ArmError FillSubnetDelegations(json& props, const std::string& subnet_id) {
  if (!props.is_object() || !props.contains("delegations")) return {};
  json& ds = props["delegations"];
  if (ds.is_null()) {
    ds = json::array();
    return {};
  }
  if (!ds.is_array())
    return Err(400, "InvalidRequestFormat", "The delegations of a subnet must be an array.");
  for (auto& d : ds) {
    if (!d.is_object() || JStr(d, "name").empty())
      return Err(400, "InvalidRequestFormat", "Each subnet delegation needs a name.");
    std::string service = JObj(d, "properties") ? JStr(d["properties"], "serviceName") : "";
    const Delegable* known = nullptr;
    for (const auto& s : Services())
      if (IEquals(s.service, service)) known = &s;
    if (!known)
      return Err(400, "InvalidServiceNameOnDelegation",
                 "Subnet " + subnet_id + " has an invalid delegation: '" + service +
                     "' is not a service name that subnets can be delegated to.");
    d["id"] = subnet_id + "/delegations/" + JStr(d, "name");
    d["type"] = "Microsoft.Network/virtualNetworks/subnets/delegations";
    d["etag"] = "W/\"" + NewGuid() + "\"";
    json& p = d["properties"];
    p["serviceName"] = known->service;
    p["actions"] = json::array();
    for (const char* a : known->actions) p["actions"].push_back(a);
    p["provisioningState"] = "Succeeded";
  }
  return {};
}

}  // namespace azsim
