// One NIC and one VM per node. Control-plane NICs join the API load balancer's backend pool.
// Nodes of a group are spread round-robin over its zones, so per-zone counts differ by at most
// one. No NIC has a public IP.
#include "plan/api_versions.h"
#include "plan/builder_context.h"
#include "plan/late_bound.h"
#include "plan/resource_types.h"
#include "spec/naming.h"

namespace easel::plan {
namespace {

constexpr const char* kAdminUser = "easel";

struct MachineGroup {
  const std::vector<std::string>& zones;
  const std::string& vm_size;
  const spec::OsDisk& os_disk;
  const std::string& subnet_id;
  bool in_api_backend;
  const char* role;
};

// The bootstrap role of a node: the first control-plane node initialises the cluster.
const char* BootstrapRole(const MachineGroup& group, int index) {
  if (!group.in_api_backend) return "worker";
  return index == 0 ? "init" : "control-plane";
}

// The CustomScript extension that waits for the node's bootstrap: its state, visible through
// ARM (also for private clusters), is the node's.
void AddBootstrapExtension(BuilderContext& ctx, const std::string& vm_id,
                           const std::string& machine) {
  Json ext = ctx.TrackedBody();
  ext["properties"] = {
      {"publisher", "Microsoft.Azure.Extensions"},
      {"type", "CustomScript"},
      {"typeHandlerVersion", "2.1"},
      {"autoUpgradeMinorVersion", true},
      {"settings", {{"commandToExecute", "/bin/bash /usr/local/sbin/easel-bootstrap-wait"}}}};
  ctx.AddOwned(vm_id + "/extensions/" + spec::kBootstrapExtensionName, type::kVmExtension,
               api::kCompute, spec::kBootstrapExtensionName, std::move(ext), {vm_id}, vm_id,
               "waits for " + machine + "'s kubeadm bootstrap");
}

void AddMachine(BuilderContext& ctx, const MachineGroup& group, const std::string& machine,
                int index) {
  const spec::ClusterSpec& s = ctx.spec();
  WellKnownIds& ids = ctx.ids();
  const std::string nic_id = ctx.IdInGroup(type::kNetworkInterface, spec::NicName(machine));
  Json ip_config_properties = {{"primary", true},
                               {"privateIPAllocationMethod", "Dynamic"},
                               {"privateIPAddressVersion", "IPv4"},
                               {"subnet", {{"id", group.subnet_id}}}};
  std::vector<std::string> nic_deps = {ids.resource_group, group.subnet_id};
  if (group.in_api_backend) {
    ip_config_properties["loadBalancerBackendAddressPools"] =
        Json::array({{{"id", ids.api_backend_pool}}});
    nic_deps.push_back(ids.api_load_balancer);
  }
  Json nic = ctx.TrackedBody();
  nic["properties"] = {
      {"ipConfigurations",
       Json::array({{{"name", "ipconfig1"}, {"properties", std::move(ip_config_properties)}}})}};
  ctx.AddOwned(nic_id, type::kNetworkInterface, api::kNetwork, spec::NicName(machine),
               std::move(nic), std::move(nic_deps), group.subnet_id, "no public IP");

  std::string zone;
  if (!group.zones.empty()) zone = group.zones[static_cast<size_t>(index) % group.zones.size()];
  const std::string vm_id = ctx.IdInGroup(type::kVirtualMachine, machine);
  Json vm = ctx.TrackedBody();
  if (!zone.empty()) vm["zones"] = Json::array({zone});
  vm["properties"] = {
      {"hardwareProfile", {{"vmSize", group.vm_size}}},
      {"storageProfile",
       {{"imageReference", {{"id", ids.image}}},
        {"osDisk",
         {{"name", spec::OsDiskName(machine)},
          {"createOption", "FromImage"},
          {"caching", "ReadWrite"},
          {"deleteOption", "Delete"},
          {"diskSizeGB", group.os_disk.size_gb},
          {"managedDisk", {{"storageAccountType", group.os_disk.type}}}}}}},
      {"osProfile",
       {{"computerName", machine},
        {"adminUsername", kAdminUser},
        {"customData", UserDataFor(BootstrapRole(group, index))},
        {"linuxConfiguration",
         {{"disablePasswordAuthentication", true},
          {"ssh",
           {{"publicKeys",
             Json::array({{{"path", std::string("/home/") + kAdminUser + "/.ssh/authorized_keys"},
                           {"keyData", s.ssh_public_key}}})}}}}}}},
      {"networkProfile",
       {{"networkInterfaces",
         Json::array({{{"id", nic_id}, {"properties", {{"primary", true}}}}})}}}};
  std::vector<std::string> vm_deps = {ids.resource_group, nic_id, ids.image};
  // A shared image is used only once this cluster's reference to it is held.
  if (!ids.image_reference_step.empty()) vm_deps.push_back(ids.image_reference_step);
  if (group.in_api_backend) {
    vm["identity"] = {{"type", "UserAssigned"},
                      {"userAssignedIdentities", {{ids.control_plane_identity, Json::object()}}}};
    vm_deps.push_back(ids.control_plane_identity);
    vm_deps.push_back(ids.vault_secrets_step);  // its keys are in the vault before it boots
  } else {
    // A worker's user data names the identity (azure.json) and is rendered with the cluster's
    // cloud facts, the vault's URI among them: both must exist before the VM is created.
    vm_deps.push_back(ids.control_plane_identity);
    vm_deps.push_back(ids.key_vault);
  }
  ctx.AddOwned(vm_id, type::kVirtualMachine, api::kCompute, machine, std::move(vm),
               std::move(vm_deps), nic_id,
               std::string(group.role) + ", " + group.vm_size +
                   (zone.empty() ? "" : ", zone " + zone) + ", " + group.os_disk.type + " " +
                   std::to_string(group.os_disk.size_gb) + " GiB, " + BootstrapRole(group, index));
  AddBootstrapExtension(ctx, vm_id, machine);
}

}  // namespace

void BuildMachines(BuilderContext& ctx) {
  const spec::ClusterSpec& s = ctx.spec();
  const spec::ControlPlaneSpec& cp = s.control_plane;
  MachineGroup control_plane{cp.zones, cp.vm_size,     cp.os_disk, ctx.ids().control_plane_subnet,
                             true,     "control plane"};
  for (int i = 0; i < cp.count; ++i) {
    AddMachine(ctx, control_plane, spec::ControlPlaneMachineName(s, i), i);
  }
  for (const spec::WorkerPoolSpec& pool : s.worker_pools) {
    std::string role = "pool " + pool.name;
    MachineGroup group{pool.zones, pool.vm_size, pool.os_disk, ctx.ids().worker_subnet,
                       false,      role.c_str()};
    for (int i = 0; i < pool.count; ++i) {
      AddMachine(ctx, group, spec::WorkerMachineName(s, pool, i), i);
    }
  }
}

}  // namespace easel::plan
