// Microsoft.Compute: virtual machines (with implicit OS disks), disks, images (from a blob that
// must exist in azsim's blob store) and virtual machine scale sets. Compute rejects unknown
// top-level properties (strict), as Azure's Compute RP does.
#include "common/strings.h"
#include "sim/arm.h"
#include "sim/blob.h"
#include "sim/util.h"

namespace azsim {

using nlohmann::json;

namespace {

const char kDisk[] = "Microsoft.Compute/disks";
const char kNic[] = "Microsoft.Network/networkInterfaces";

TypeSpec ComputeSpec(const std::string& type, double put_s, double del_s) {
  TypeSpec s;
  s.type = type;
  s.strict = true;
  s.put_seconds = put_s;
  s.delete_seconds = del_s;
  s.valid_name = [](const std::string& n) { return NameMatches(n, 1, 80, "_.-", true, ".-"); };
  s.name_rule = "Names are 1-80 characters of letters, digits, '_', '.' and '-'.";
  return s;
}

bool VmName(const std::string& n) {
  if (n.empty() || n.size() > 64 || n[0] == '_' || n.back() == '.' || n.back() == '-') return false;
  for (char c : n)
    if (std::string("\\/\"[]:|<>+=;,?*@& ").find(c) != std::string::npos) return false;
  return true;
}

ArmError ValidateDisk(PutContext& ctx) {
  json& props = ctx.body["properties"];
  if (!props.contains("creationData") || !props["creationData"].is_object() ||
      !props["creationData"].contains("createOption"))
    return Err(400, "InvalidParameter",
               "Required parameter 'creationData.createOption' is missing (null).");
  std::string opt = props["creationData"].value("createOption", "");
  if (IEquals(opt, "Empty") && !props.contains("diskSizeGB"))
    return Err(400, "InvalidParameter",
               "Required parameter 'diskSizeGB' is missing (null) for createOption Empty.");
  if (IEquals(opt, "Import")) {
    std::string uri = props["creationData"].value("sourceUri", "");
    if (!ctx.arm.blob().BlobExistsAtUrl(uri))
      return Err(400, "InvalidParameter", "The source blob " + uri + " does not exist.");
  }
  if (ctx.existing && (*ctx.existing)["properties"].contains("diskSizeGB") &&
      props.contains("diskSizeGB") && props["diskSizeGB"].is_number() &&
      props["diskSizeGB"].get<double>() < (*ctx.existing)["properties"]["diskSizeGB"].get<double>())
    return Err(400, "BadRequest", "Disk size cannot be reduced.");
  if (!ctx.body.contains("sku")) ctx.body["sku"] = {{"name", "Standard_LRS"}, {"tier", "Standard"}};
  // The tier Azure derives from the SKU name (Premium_ZRS: Premium, StandardSSD_LRS: Standard).
  if (ctx.body["sku"].is_object() && !ctx.body["sku"].contains("tier")) {
    std::string sku = ctx.body["sku"].value("name", "");
    ctx.body["sku"]["tier"] = easel::StartsWith(sku, "PremiumV2")  ? "PremiumV2"
                              : easel::StartsWith(sku, "Premium")  ? "Premium"
                              : easel::StartsWith(sku, "UltraSSD") ? "Ultra"
                                                                   : "Standard";
  }
  if (!props.contains("diskSizeGB")) props["diskSizeGB"] = 30;
  props["diskSizeBytes"] = int64_t(props["diskSizeGB"].get<double>()) << 30;
  props["diskState"] =
      ctx.existing && ctx.existing->contains("managedBy") ? "Attached" : "Unattached";
  props["timeCreated"] =
      ctx.existing ? (*ctx.existing)["properties"].value("timeCreated", Iso8601(NowSeconds()))
                   : Iso8601(NowSeconds());
  if (ctx.existing && ctx.existing->contains("managedBy"))
    ctx.body["managedBy"] = (*ctx.existing)["managedBy"];
  props["uniqueId"] =
      ctx.existing ? (*ctx.existing)["properties"].value("uniqueId", NewGuid()) : NewGuid();
  return {};
}

ArmError ValidateImage(PutContext& ctx) {
  json& props = ctx.body["properties"];
  if (!props.contains("storageProfile") || !props["storageProfile"].contains("osDisk"))
    return Err(400, "InvalidParameter",
               "Required parameter 'storageProfile.osDisk' is missing (null).");
  json& os = props["storageProfile"]["osDisk"];
  if (!os.contains("osType") || !os.contains("osState"))
    return Err(400, "InvalidParameter",
               "Required parameters 'osDisk.osType' and 'osDisk.osState' are missing.");
  std::string uri = os.value("blobUri", "");
  if (uri.empty() && !os.contains("managedDisk") && !os.contains("snapshot"))
    return Err(400, "InvalidParameter",
               "The image needs an osDisk.blobUri, managedDisk or snapshot.");
  if (!uri.empty() && !ctx.arm.blob().BlobExistsAtUrl(uri))
    return Err(
        400, "InvalidParameter",
        "The blob " + uri + " does not exist. Images must be created from an existing VHD blob.");
  if (!props.contains("hyperVGeneration")) props["hyperVGeneration"] = "V1";
  if (!os.contains("caching")) os["caching"] = "ReadWrite";
  if (!props["storageProfile"].contains("dataDisks"))
    props["storageProfile"]["dataDisks"] = json::array();
  return {};
}

// The OS type of the custom image storageProfile.imageReference.id names (404 when absent).
ArmError CustomImageOsType(Arm& arm, const json& sp, std::string* os_type) {
  std::string id = sp["imageReference"].value("id", "");
  auto image = arm.FindJson(id);
  if (!image) return Err(404, "NotFound", "The image " + id + " was not found.");
  *os_type = (*image)["properties"]["storageProfile"]["osDisk"].value("osType", "Linux");
  return {};
}

// The osProfile defaults Azure answers (VMs and scale set VM profiles): `secrets` and, for Linux,
// linuxConfiguration.disablePasswordAuthentication (kept from `old`, the previous document's
// level holding osProfile, else true unless a password is sent).
void FillOsProfile(json& osp, const std::string& os_type, const json* old) {
  if (!osp.contains("secrets")) osp["secrets"] = json::array();
  if (IEquals(os_type, "Windows") || osp.contains("windowsConfiguration")) return;
  if (!osp.contains("linuxConfiguration")) osp["linuxConfiguration"] = json::object();
  json& lc = osp["linuxConfiguration"];
  if (lc.contains("disablePasswordAuthentication")) return;
  bool had = old && old->contains("osProfile") &&
             (*old)["osProfile"].contains("linuxConfiguration") &&
             (*old)["osProfile"]["linuxConfiguration"].contains("disablePasswordAuthentication");
  lc["disablePasswordAuthentication"] =
      had ? (*old)["osProfile"]["linuxConfiguration"]["disablePasswordAuthentication"]
          : json(!osp.contains("adminPassword"));
}

ArmError ValidateVm(PutContext& ctx) {
  json& props = ctx.body["properties"];
  if (!props.contains("hardwareProfile") || !props["hardwareProfile"].contains("vmSize"))
    return Err(400, "InvalidParameter",
               "Required parameter 'hardwareProfile.vmSize' is missing (null).");
  if (!props.contains("networkProfile") ||
      props["networkProfile"].value("networkInterfaces", json::array()).empty())
    return Err(400, "InvalidParameter",
               "Required parameter 'networkProfile.networkInterfaces' is missing (null).");
  if (!props.contains("storageProfile"))
    return Err(400, "InvalidParameter", "Required parameter 'storageProfile' is missing (null).");
  // A NIC can serve one VM.
  for (const auto& nref : props["networkProfile"]["networkInterfaces"]) {
    std::string nid = nref.value("id", "");
    const Resource* nic = ctx.arm.Find(nid);
    if (!nic || !IEquals(nic->type, kNic))
      return Err(400, "InvalidResourceReference", "Network interface " + nid + " was not found.");
    bool other = false;
    ctx.arm.ForEach([&](const Resource& r) {
      if (IEquals(r.type, "Microsoft.Compute/virtualMachines") && !IEquals(r.id, ctx.id) &&
          IContains(r.body, "\"" + easel::ToLower(nid) + "\""))
        other = true;
    });
    if (other)
      return Err(400, "NicInUse",
                 "Network interface " + nid + " is used by another virtual machine.");
  }
  json& sp = props["storageProfile"];
  std::string image_os_type = "Linux";
  if (sp.contains("imageReference") && sp["imageReference"].contains("id")) {
    ArmError e = CustomImageOsType(ctx.arm, sp, &image_os_type);
    if (!e.ok()) return e;
  } else if (!sp.contains("imageReference") &&
             !(sp.contains("osDisk") &&
               IEquals(sp["osDisk"].value("createOption", ""), "Attach"))) {
    return Err(400, "InvalidParameter",
               "Required parameter 'storageProfile.imageReference' is missing (null).");
  }
  if (!sp.contains("osDisk")) sp["osDisk"] = {{"createOption", "FromImage"}};
  json& os = sp["osDisk"];
  if (ctx.existing) {
    // The OS disk cannot change; keep what the first PUT made.
    json old_os = (*ctx.existing)["properties"]["storageProfile"]["osDisk"];
    if (os.contains("name") && !IEquals(os.value("name", ""), old_os.value("name", "")))
      return Err(409, "PropertyChangeNotAllowed",
                 "Changing property 'osDisk.name' is not allowed.");
    os = old_os;
    if (!IEquals((*ctx.existing)["properties"]["hardwareProfile"].value("vmSize", ""),
                 props["hardwareProfile"].value("vmSize", "")))
      props["hardwareProfile"] = props["hardwareProfile"];
  } else if (IEquals(os.value("createOption", ""), "Attach")) {
    std::string did = os.contains("managedDisk") ? os["managedDisk"].value("id", "") : "";
    auto disk = ctx.arm.FindJson(did);
    if (!disk) return Err(404, "NotFound", "Disk " + did + " was not found.");
    if (disk->contains("managedBy"))
      return Err(409, "OperationNotAllowed", "Disk " + did + " is already attached.");
    (*disk)["managedBy"] = ctx.id;
    (*disk)["properties"]["diskState"] = "Attached";
    ctx.extra_puts.push_back(ctx.arm.MakeChild(disk->value("id", did), kDisk, *disk));
  } else {
    std::string disk_name = os.value("name", ctx.name + "_OsDisk_1_" + HexEncode(RandomBytes(16)));
    std::string rgid = "/subscriptions/" + ctx.sub + "/resourceGroups/" + ctx.rg;
    std::string did = rgid + "/providers/Microsoft.Compute/disks/" + disk_name;
    if (ctx.arm.Find(did))
      return Err(409, "ConflictingUserInput",
                 "Disk " + disk_name + " already exists in resource group " + ctx.rg + ".");
    std::string account_type = os.contains("managedDisk")
                                   ? os["managedDisk"].value("storageAccountType", "Premium_LRS")
                                   : "Premium_LRS";
    int size = os.value("diskSizeGB", 30);
    json disk = {{"location", ctx.body["location"]},
                 {"managedBy", ctx.id},
                 {"sku", {{"name", account_type}}},
                 {"properties",
                  {{"osType", image_os_type},
                   {"diskSizeGB", size},
                   {"diskSizeBytes", int64_t(size) << 30},
                   {"diskState", "Attached"},
                   {"timeCreated", Iso8601(NowSeconds())},
                   {"uniqueId", NewGuid()},
                   {"creationData", {{"createOption", "FromImage"}}}}}};
    if (ctx.body.contains("zones")) disk["zones"] = ctx.body["zones"];
    if (sp.contains("imageReference"))
      disk["properties"]["creationData"]["imageReference"] = sp["imageReference"];
    ctx.extra_puts.push_back(ctx.arm.MakeChild(did, kDisk, disk));
    os["name"] = disk_name;
    os["managedDisk"] = {{"storageAccountType", account_type}, {"id", did}};
    os["diskSizeGB"] = size;
    if (!os.contains("caching")) os["caching"] = "ReadWrite";
    if (!os.contains("deleteOption")) os["deleteOption"] = "Detach";
    os["osType"] = image_os_type;
  }
  // Collections and defaults Azure always answers.
  if (!sp.contains("dataDisks")) sp["dataDisks"] = json::array();
  if (props.contains("osProfile") && props["osProfile"].is_object())
    FillOsProfile(props["osProfile"], image_os_type,
                  ctx.existing ? &(*ctx.existing)["properties"] : nullptr);
  // The user data is kept hidden (for the guest model and the admin API), never returned.
  if (props.contains("osProfile") && props["osProfile"].contains("customData") &&
      props["osProfile"]["customData"].is_string()) {
    std::string cd = props["osProfile"]["customData"].get<std::string>();
    std::string decoded;
    if (cd.size() > 87380 || !Base64Decode(cd, &decoded))
      return Err(400, "InvalidParameter",
                 "Custom data in OSProfile must be in Base64 encoding and with a maximum length "
                 "of 87380 characters.");
    if (ctx.existing) {
      json old_hidden = ctx.existing->value("_azsim", json::object());
      if (old_hidden.is_object() && old_hidden.contains("customData") &&
          old_hidden["customData"] != cd)
        return Err(409, "PropertyChangeNotAllowed",
                   "Changing property 'customData' is not allowed.");
    }
    ctx.body["_azsim"]["customData"] = cd;
  } else if (ctx.existing && ctx.existing->contains("_azsim")) {
    ctx.body["_azsim"] = (*ctx.existing)["_azsim"];
  }
  if (props.contains("osProfile")) {
    // Secrets and custom data are never returned.
    props["osProfile"].erase("adminPassword");
    props["osProfile"].erase("customData");
    if (!props["osProfile"].contains("computerName")) props["osProfile"]["computerName"] = ctx.name;
  }
  if (props.contains("osProfile") && props["osProfile"].contains("computerName")) {
    std::string cn = props["osProfile"]["computerName"].get<std::string>();
    if (cn.empty() || cn.size() > 64)
      return Err(400, "InvalidParameter",
                 "The computer name " + cn + " is invalid (1-64 characters).");
  }
  props["vmId"] = ctx.existing ? (*ctx.existing)["properties"].value("vmId", NewGuid()) : NewGuid();
  props["timeCreated"] =
      ctx.existing ? (*ctx.existing)["properties"].value("timeCreated", Iso8601(NowSeconds()))
                   : Iso8601(NowSeconds());
  return {};
}

void VmRemoved(Arm& arm, const Resource& vm) {
  json j = json::parse(vm.body, nullptr, false);
  if (!j.is_object()) return;
  json os = j["properties"]["storageProfile"].value("osDisk", json::object());
  std::string did = os.contains("managedDisk") ? os["managedDisk"].value("id", "") : "";
  auto disk = arm.FindJson(did);
  if (!disk) return;
  if (IEquals(os.value("deleteOption", "Detach"), "Delete")) {
    (void)arm.RemoveNow(did);
    return;
  }
  disk->erase("managedBy");
  (*disk)["properties"]["diskState"] = "Unattached";
  (void)arm.WriteNow(arm.MakeChild(disk->value("id", did), kDisk, *disk));
}

// Defaults Azure answers on a scale set's NIC configurations.
void FillVmssNetworkProfile(json& vmp) {
  if (!vmp.contains("networkProfile") || !vmp["networkProfile"].is_object() ||
      !vmp["networkProfile"].contains("networkInterfaceConfigurations"))
    return;
  json& configs = vmp["networkProfile"]["networkInterfaceConfigurations"];
  if (!configs.is_array()) return;
  for (auto& nc : configs) {
    if (!nc.is_object() || !nc.contains("properties") || !nc["properties"].is_object()) continue;
    json& p = nc["properties"];
    if (!p.contains("dnsSettings")) p["dnsSettings"] = {{"dnsServers", json::array()}};
    if (!p.contains("enableAcceleratedNetworking")) p["enableAcceleratedNetworking"] = false;
    if (!p.contains("ipConfigurations") || !p["ipConfigurations"].is_array()) continue;
    for (auto& ic : p["ipConfigurations"]) {
      if (!ic.is_object() || !ic.contains("properties") || !ic["properties"].is_object()) continue;
      if (!ic["properties"].contains("privateIPAddressVersion"))
        ic["properties"]["privateIPAddressVersion"] = "IPv4";
    }
  }
}

ArmError ValidateVmss(PutContext& ctx) {
  if (!ctx.body.contains("sku") || !ctx.body["sku"].contains("name"))
    return Err(400, "InvalidParameter", "Required parameter 'sku.name' is missing (null).");
  json& props = ctx.body["properties"];
  if (!props.contains("virtualMachineProfile") && !props.contains("orchestrationMode"))
    return Err(400, "InvalidParameter",
               "Required parameter 'virtualMachineProfile' is missing (null).");
  if (!ctx.body["sku"].contains("capacity")) ctx.body["sku"]["capacity"] = 0;
  if (!props.contains("orchestrationMode")) props["orchestrationMode"] = "Uniform";
  if (!props.contains("singlePlacementGroup"))
    props["singlePlacementGroup"] =
        IEquals(props["orchestrationMode"].get<std::string>(), "Uniform");
  if (props.contains("virtualMachineProfile") && props["virtualMachineProfile"].is_object()) {
    json& vmp = props["virtualMachineProfile"];
    std::string os_type = "Linux";
    if (vmp.contains("storageProfile") && vmp["storageProfile"].contains("imageReference") &&
        vmp["storageProfile"]["imageReference"].contains("id")) {
      ArmError e = CustomImageOsType(ctx.arm, vmp["storageProfile"], &os_type);
      if (!e.ok()) return e;
    }
    if (vmp.contains("osProfile") && vmp["osProfile"].is_object()) {
      const json* old = ctx.existing ? &(*ctx.existing)["properties"] : nullptr;
      if (old)
        old = old->contains("virtualMachineProfile") ? &(*old)["virtualMachineProfile"] : nullptr;
      FillOsProfile(vmp["osProfile"], os_type, old);
      // Secrets and custom data are never returned.
      vmp["osProfile"].erase("adminPassword");
      vmp["osProfile"].erase("customData");
    }
    FillVmssNetworkProfile(vmp);
  }
  props["uniqueId"] =
      ctx.existing ? (*ctx.existing)["properties"].value("uniqueId", NewGuid()) : NewGuid();
  return {};
}

}  // namespace

void RegisterComputeTypes(TypeRegistry& r) {
  TypeSpec vm = ComputeSpec("Microsoft.Compute/virtualMachines", 90, 60);
  vm.valid_name = VmName;
  vm.name_rule =
      "VM names are 1-64 characters without \\/\"[]:|<>+=;,?*@&, not starting with '_' nor ending "
      "with '.' or '-'.";
  vm.validate = ValidateVm;
  vm.on_removed = VmRemoved;
  vm.expand = ExpandVmInstanceView;
  r.Add(vm);

  TypeSpec disk = ComputeSpec(kDisk, 5, 5);
  disk.validate = ValidateDisk;
  disk.create_status = 202;  // Disks_CreateOrUpdate documents 200 and 202, never 201
  disk.before_delete = [](Arm&, const Resource& d) -> ArmError {
    json j = json::parse(d.body, nullptr, false);
    if (j.is_object() && j.contains("managedBy") && j["managedBy"].is_string())
      return Err(409, "OperationNotAllowed",
                 "Disk " + LastSegment(d.id) + " is attached to VM " +
                     j["managedBy"].get<std::string>() + ".");
    return {};
  };
  r.Add(disk);

  TypeSpec image = ComputeSpec("Microsoft.Compute/images", 20, 5);
  image.validate = ValidateImage;
  image.has_etag = false;  // the Image model has no etag (REST specification, @azure/arm-compute)
  r.Add(image);

  TypeSpec vmss = ComputeSpec("Microsoft.Compute/virtualMachineScaleSets", 120, 90);
  vmss.valid_name = [](const std::string& n) { return NameMatches(n, 1, 64, "_.-", true, ".-"); };
  vmss.validate = ValidateVmss;
  r.Add(vmss);
}

}  // namespace azsim
