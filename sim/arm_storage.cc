// Microsoft.Storage: storage accounts (global names, primaryEndpoints.blob on azsim's blob
// listener), listKeys/regenerateKey, blobServices/default and containers. checkNameAvailability is
// answered by the engine (Arm::CheckNameAvailability) because it is a subscription-level action.
#include <cctype>
#include <map>

#include "common/strings.h"
#include "sim/arm.h"
#include "sim/blob.h"
#include "sim/util.h"

namespace azsim {

using nlohmann::json;

namespace {

const char kAccount[] = "Microsoft.Storage/storageAccounts";
const char kBlobServices[] = "Microsoft.Storage/storageAccounts/blobServices";
const char kContainer[] = "Microsoft.Storage/storageAccounts/blobServices/containers";

bool AccountName(const std::string& n) {
  if (n.size() < 3 || n.size() > 24) return false;
  for (unsigned char c : n)
    if (!std::islower(c) && !std::isdigit(c)) return false;
  return true;
}

bool ContainerName(const std::string& n) {
  if (n.size() < 3 || n.size() > 63 || n.find("--") != std::string::npos || n.front() == '-' ||
      n.back() == '-')
    return false;
  for (unsigned char c : n)
    if (!std::islower(c) && !std::isdigit(c) && c != '-') return false;
  return true;
}

ArmError ValidateAccount(PutContext& ctx) {
  // Names are global: another subscription or group may hold it.
  bool taken = false;
  ctx.arm.ForEach([&](const Resource& r) {
    if (IEquals(r.type, kAccount) && IEquals(LastSegment(r.id), ctx.name) && !IEquals(r.id, ctx.id))
      taken = true;
  });
  if (taken)
    return Err(409, "StorageAccountAlreadyTaken",
               "The storage account named " + ctx.name + " is already taken.");
  if (!ctx.body.contains("sku") || !ctx.body["sku"].is_object() ||
      !ctx.body["sku"].contains("name"))
    return Err(400, "InvalidRequestContent",
               "The request content was invalid: 'sku.name' is required.");
  if (!ctx.body.contains("kind"))
    return Err(400, "InvalidRequestContent",
               "The request content was invalid: 'kind' is required.");
  std::string sku = ctx.body["sku"].value("name", "");
  static const std::vector<std::string> skus = {"Standard_LRS",  "Standard_GRS",   "Standard_RAGRS",
                                                "Standard_ZRS",  "Premium_LRS",    "Premium_ZRS",
                                                "Standard_GZRS", "Standard_RAGZRS"};
  bool known = false;
  for (const auto& s : skus) known |= IEquals(s, sku);
  if (!known) return Err(400, "SkuNotAvailable", "The sku '" + sku + "' is not available.");
  if (ctx.existing && !IEquals((*ctx.existing).value("kind", ""), ctx.body.value("kind", "")))
    return Err(409, "PropertyChangeNotAllowed",
               "Changing the kind of storage account " + ctx.name + " is not allowed.");
  ctx.body["sku"]["tier"] = IEquals(sku.substr(0, 7), "Premium") ? "Premium" : "Standard";
  json& props = ctx.body["properties"];
  std::string blob = ctx.arm.settings().blob_base + "/" + ctx.name + "/";
  // Azure lists an endpoint for every service; azsim serves only blob, so they all name it.
  props["primaryEndpoints"] = {{"blob", blob}, {"dfs", blob},   {"web", blob},
                               {"file", blob}, {"queue", blob}, {"table", blob}};
  props["primaryLocation"] = ctx.body.value("location", "");
  props["statusOfPrimary"] = "available";
  // Geo-redundant SKUs replicate to the region's pair.
  bool geo = IContains(sku, "GRS") || IContains(sku, "GZRS");
  std::string pair = PairedRegion(props["primaryLocation"].get<std::string>());
  if (geo && !pair.empty()) {
    props["secondaryLocation"] = pair;
    props["statusOfSecondary"] = "available";
  } else {
    props.erase("secondaryLocation");
    props.erase("statusOfSecondary");
  }
  props["creationTime"] =
      ctx.existing ? (*ctx.existing)["properties"].value("creationTime", Iso8601(NowSeconds()))
                   : Iso8601(NowSeconds());
  if (!props.contains("supportsHttpsTrafficOnly")) props["supportsHttpsTrafficOnly"] = true;
  if (!props.contains("minimumTlsVersion")) props["minimumTlsVersion"] = "TLS1_0";
  if (!props.contains("allowBlobPublicAccess")) props["allowBlobPublicAccess"] = false;
  if (!props.contains("accessTier") && IEquals(ctx.body.value("kind", ""), "StorageV2"))
    props["accessTier"] = "Hot";
  props["keyCreationTime"] = {{"key1", props["creationTime"]}, {"key2", props["creationTime"]}};
  // Infrastructure encryption is chosen when the account is created: an update that omits the
  // encryption settings keeps them, one that changes the choice is refused.
  if (ctx.existing) {
    const json& before = (*ctx.existing)["properties"];
    json was = before.contains("encryption") ? before["encryption"] : json::object();
    if (!props.contains("encryption")) {
      if (!was.empty()) props["encryption"] = was;
    } else if (props["encryption"].is_object() && was.is_object() &&
               props["encryption"].value("requireInfrastructureEncryption", false) !=
                   was.value("requireInfrastructureEncryption", false)) {
      return Err(400, "InvalidRequestPropertyValue",
                 "The property 'requireInfrastructureEncryption' cannot be changed after the "
                 "storage account " +
                     ctx.name + " was created.");
    }
  }
  if (props.contains("encryption") && props["encryption"].is_object() &&
      props["encryption"].contains("services") && props["encryption"]["services"].is_object())
    for (auto& [name, svc] : props["encryption"]["services"].items())
      if (svc.is_object() && !svc.contains("lastEnabledTime"))
        svc["lastEnabledTime"] = props["creationTime"];
  ctx.arm.blob().EnsureAccount(ctx.name, {props.value("allowBlobPublicAccess", false) == true,
                                          props.value("allowSharedKeyAccess", true) != false});
  std::string bs = ctx.id + "/blobServices/default";
  if (!ctx.arm.Find(bs))
    ctx.extra_puts.push_back(
        ctx.arm.MakeChild(bs, kBlobServices, json{{"properties", json::object()}}));
  return {};
}

HttpResponse ListKeys(ActionContext& ctx) {
  std::vector<std::string> keys = ctx.arm.blob().Keys(LastSegment(ctx.resource.id));
  json arr = json::array();
  for (size_t i = 0; i < keys.size(); ++i)
    arr.push_back({{"keyName", "key" + std::to_string(i + 1)},
                   {"value", keys[i]},
                   {"permissions", "FULL"},
                   {"creationTime", Iso8601(ctx.resource.created)}});
  return ArmJson(200, {{"keys", arr}});
}

HttpResponse RegenerateKey(ActionContext& ctx) {
  std::string name = ctx.body.value("keyName", "");
  int index = IEquals(name, "key1") ? 0 : IEquals(name, "key2") ? 1 : -1;
  if (index < 0)
    return ArmErrorResponse(
        Err(400, "InvalidValuesForRequestParameters", "keyName must be key1 or key2."));
  ctx.arm.blob().RegenerateKey(LastSegment(ctx.resource.id), index);
  return ListKeys(ctx);
}

ArmError ValidateContainer(PutContext& ctx) {
  json& props = ctx.body["properties"];
  std::string access = props.value("publicAccess", "None");
  if (!IEquals(access, "None") && !IEquals(access, "Blob") && !IEquals(access, "Container"))
    return Err(400, "InvalidValuesForRequestParameters",
               "publicAccess must be None, Blob or Container.");
  props["publicAccess"] = access;
  props["lastModifiedTime"] = Iso8601(NowSeconds());
  props["leaseStatus"] = "Unlocked";
  props["leaseState"] = "Available";
  props["hasImmutabilityPolicy"] = false;
  props["hasLegalHold"] = false;
  props["deleted"] = false;
  props["remainingRetentionDays"] = 0;
  // blobServices/default/containers/{c}: the account is two levels up.
  std::vector<std::string> seg = SplitPath(ctx.id);
  std::string account;
  for (size_t i = 0; i + 1 < seg.size(); ++i)
    if (IEquals(seg[i], "storageAccounts")) account = seg[i + 1];
  if (!IEquals(access, "None") && !ctx.arm.blob().PublicAccessAllowed(account))
    return Err(409, "PublicAccessNotPermitted",
               "Public access is not permitted on this storage account.");
  ctx.arm.blob().EnsureContainer(account, ctx.name,
                                 IEquals(access, "None") ? "" : easel::ToLower(access));
  return {};
}

void ContainerRemoved(Arm& arm, const Resource& c) {
  std::vector<std::string> seg = SplitPath(c.id);
  for (size_t i = 0; i + 1 < seg.size(); ++i)
    if (IEquals(seg[i], "storageAccounts"))
      arm.blob().DeleteContainer(seg[i + 1], LastSegment(c.id));
}

}  // namespace

// Azure's region pairs (secondary region of geo-redundant storage and service endpoints).
std::string PairedRegion(const std::string& location) {
  static const std::map<std::string, std::string> pairs = {{"eastus", "westus"},
                                                           {"westus", "eastus"},
                                                           {"eastus2", "centralus"},
                                                           {"centralus", "eastus2"},
                                                           {"westus2", "westcentralus"},
                                                           {"westcentralus", "westus2"},
                                                           {"westus3", "eastus"},
                                                           {"northcentralus", "southcentralus"},
                                                           {"southcentralus", "northcentralus"},
                                                           {"northeurope", "westeurope"},
                                                           {"westeurope", "northeurope"},
                                                           {"uksouth", "ukwest"},
                                                           {"ukwest", "uksouth"},
                                                           {"japaneast", "japanwest"},
                                                           {"japanwest", "japaneast"},
                                                           {"southeastasia", "eastasia"},
                                                           {"eastasia", "southeastasia"},
                                                           {"australiaeast", "australiasoutheast"},
                                                           {"germanywestcentral", "germanynorth"},
                                                           {"francecentral", "francesouth"},
                                                           {"canadacentral", "canadaeast"},
                                                           {"swedencentral", "swedensouth"}};
  auto it = pairs.find(location);
  return it == pairs.end() ? "" : it->second;
}

void RegisterStorageTypes(TypeRegistry& r) {
  TypeSpec account;
  account.type = kAccount;
  account.put = TypeSpec::PutStyle::kLocation202;
  account.async_delete = false;
  account.put_seconds = 20;
  account.valid_name = AccountName;
  account.name_error_code = "AccountNameInvalid";
  account.name_rule =
      "Storage account names are 3-24 characters of numbers and lower-case letters only.";
  account.validate = ValidateAccount;
  account.actions["listkeys"] = ListKeys;
  account.actions["regeneratekey"] = RegenerateKey;
  account.on_removed = [](Arm& arm, const Resource& a) {
    arm.blob().DeleteAccount(LastSegment(a.id));
  };
  r.Add(account);

  TypeSpec bs;
  bs.type = kBlobServices;
  bs.put = TypeSpec::PutStyle::kSync;
  bs.async_delete = false;
  bs.location_required = false;
  bs.listed_in_group = false;
  bs.valid_name = [](const std::string& n) { return n == "default"; };
  bs.name_rule = "The blob service is always named 'default'.";
  // Azure answers the account's SKU on its blob service.
  bs.compose = [](Arm& arm, const Resource& res, json& j) {
    std::string account_id = res.id.substr(0, res.id.rfind("/blobServices/"));
    auto account = arm.FindJson(account_id);
    if (account && account->contains("sku")) j["sku"] = (*account)["sku"];
  };
  r.Add(bs);

  TypeSpec c;
  c.type = kContainer;
  c.put = TypeSpec::PutStyle::kSync;
  c.async_delete = false;
  c.location_required = false;
  c.listed_in_group = false;
  c.valid_name = ContainerName;
  c.name_error_code = "ContainerOperationFailure";
  c.name_rule =
      "Container names are 3-63 characters of lower-case letters, digits and single '-', starting "
      "and ending with a letter or digit.";
  c.validate = ValidateContainer;
  c.on_removed = ContainerRemoved;
  r.Add(c);
}

}  // namespace azsim
