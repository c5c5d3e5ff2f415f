#include "plan/render.h"

#include <map>

#include "plan/resource_types.h"

namespace easel::plan {
namespace {

// Display width of UTF-8 text: one column per code point (the tree glyphs are single-width).
size_t Width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

struct Row {
  std::string text, ownership, action;
};

class TreePrinter {
 public:
  explicit TreePrinter(const Plan& plan) : plan_(plan) {
    for (const ResourceNode& r : plan.resources) {
      known_[r.id] = true;
    }
    for (const DataPlaneStep& s : plan.steps) known_[s.id] = true;
    for (size_t i = 0; i < plan.resources.size(); ++i) {
      const ResourceNode& r = plan.resources[i];
      children_[Parent(r.display_parent)].push_back({false, i});
    }
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      children_[Parent(plan.steps[i].display_parent)].push_back({true, i});
    }
  }

  std::vector<Row> Rows() {
    std::vector<Row> rows;
    Walk("", "", true, &rows);
    return rows;
  }

 private:
  struct Child {
    bool is_step;
    size_t index;
  };

  std::string Parent(const std::string& id) const { return known_.count(id) ? id : ""; }

  void Walk(const std::string& parent, const std::string& prefix, bool top,
            std::vector<Row>* rows) {
    auto it = children_.find(parent);
    if (it == children_.end()) return;
    const std::vector<Child>& kids = it->second;
    for (size_t k = 0; k < kids.size(); ++k) {
      bool last = k + 1 == kids.size();
      std::string branch = top ? "" : (last ? "└─ " : "├─ ");
      std::string next_prefix = top ? "" : prefix + (last ? "   " : "│  ");
      std::string id;
      if (kids[k].is_step) {
        const DataPlaneStep& s = plan_.steps[kids[k].index];
        if (s.kind == "vaultSecrets") {
          rows->push_back(
              {prefix + branch + "vault secrets " + s.name + ": " + s.source, "owned", "write"});
        } else if (s.kind == "imageRelease") {
          rows->push_back({prefix + branch + "image release: this cluster's old reference, in " +
                               s.destination.substr(s.destination.rfind('/') + 1),
                           "owned", "release"});
        } else if (s.kind == "imageReference") {
          rows->push_back({prefix + branch + "image reference " + s.name +
                               ": this cluster's, in the metadata of " +
                               s.destination.substr(s.destination.rfind('/') + 1),
                           "owned", "write"});
        } else {
          // The VHD of the image cache is the cache's, like the container it goes into.
          const ResourceNode* parent = plan_.Find(s.display_parent);
          const char* ownership =
              parent && parent->ownership == Ownership::kShared ? "shared" : "owned";
          const bool upload = s.kind == "blobUpload";
          rows->push_back({prefix + branch + (upload ? "blob upload " : "blob copy ") + s.name +
                               ": " + s.source,
                           ownership, upload ? "upload" : "copy"});
        }
        id = s.id;
      } else {
        const ResourceNode& r = plan_.resources[kids[k].index];
        std::string text = prefix + branch + TypeLabel(r.type) + " " + r.name;
        if (!r.summary.empty()) text += "  (" + r.summary + ")";
        rows->push_back({text, ToString(r.ownership), ToString(r.action)});
        id = r.id;
      }
      if (id != parent) Walk(id, next_prefix, false, rows);
    }
  }

  const Plan& plan_;
  std::map<std::string, bool> known_;
  std::map<std::string, std::vector<Child>> children_;
};

}  // namespace

std::string TypeLabel(const std::string& t) {
  static const std::map<std::string, std::string> kLabels = {
      {type::kResourceGroup, "resource group"},
      {type::kVirtualNetwork, "virtual network"},
      {type::kSubnet, "subnet"},
      {type::kNetworkSecurityGroup, "network security group"},
      {type::kPublicIp, "public IP"},
      {type::kNatGateway, "NAT gateway"},
      {type::kLoadBalancer, "load balancer"},
      {type::kNetworkInterface, "NIC"},
      {type::kPrivateEndpoint, "private endpoint"},
      {type::kPrivateDnsZone, "private DNS zone"},
      {type::kPrivateDnsARecord, "A record"},
      {type::kPrivateDnsLink, "VNet link"},
      {type::kStorageAccount, "storage account"},
      {type::kBlobContainer, "container"},
      {type::kImage, "image"},
      {type::kVirtualMachine, "VM"},
      {type::kVmExtension, "VM extension"},
      {type::kKeyVault, "key vault"},
      {type::kUserAssignedIdentity, "managed identity"},
      {type::kManagedCluster, "AKS cluster"},
      {type::kAgentPool, "node pool"},
      {type::kClusterExtension, "cluster extension"},
      {type::kFluxConfiguration, "Flux configuration"},
      {type::kPolicyAssignment, "policy assignment"},
      {type::kRoleAssignment, "role assignment"},
  };
  auto it = kLabels.find(t);
  return it == kLabels.end() ? t : it->second;
}

std::string RenderPlanJson(const Plan& plan) {
  Json out = {{"cluster", plan.cluster}, {"resources", Json::array()}, {"steps", Json::array()}};
  if (plan.kind != "AzureCluster") out["kind"] = plan.kind;
  for (const ResourceNode& r : plan.resources) {
    out["resources"].push_back({{"id", r.id},
                                {"type", r.type},
                                {"apiVersion", r.api_version},
                                {"name", r.name},
                                {"ownership", ToString(r.ownership)},
                                {"action", ToString(r.action)},
                                {"dependsOn", r.depends_on},
                                {"body", r.body}});
    if (!r.create_only.empty()) out["resources"].back()["createOnly"] = r.create_only;
    if (!r.live_owned.empty()) out["resources"].back()["liveOwned"] = r.live_owned;
  }
  for (const DataPlaneStep& s : plan.steps) {
    out["steps"].push_back({{"id", s.id},
                            {"kind", s.kind},
                            {"name", s.name},
                            {"source", s.source},
                            {"destination", s.destination},
                            {"dependsOn", s.depends_on}});
  }
  Json defaults = Json::object();
  for (const auto& [path, value] : plan.defaults_applied) defaults[path] = value;
  out["defaults"] = defaults;
  out["bootstrap"] = plan.bootstrap;
  return out.dump(2) + "\n";
}

Result<Plan> PlanFromJson(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("resources") || !j["resources"].is_array()) {
    return Status::InvalidArgument("not a plan");
  }
  Plan plan;
  plan.cluster = j.value("cluster", "");
  try {
    if (j.contains("kind")) plan.kind = j.at("kind").get<std::string>();
    for (const Json& r : j["resources"]) {
      ResourceNode n;
      n.id = r.at("id");
      n.type = r.at("type");
      n.api_version = r.at("apiVersion");
      n.name = r.at("name");
      const std::string ownership = r.at("ownership");
      n.ownership = ownership == "owned"    ? Ownership::kOwned
                    : ownership == "shared" ? Ownership::kShared
                                            : Ownership::kExisting;
      n.action = r.at("action") == "create" ? Action::kCreate : Action::kRead;
      n.depends_on = r.at("dependsOn").get<std::vector<std::string>>();
      n.body = r.at("body");
      if (r.contains("createOnly")) n.create_only = r["createOnly"].get<std::vector<std::string>>();
      if (r.contains("liveOwned")) n.live_owned = r["liveOwned"].get<std::vector<std::string>>();
      plan.resources.push_back(std::move(n));
    }
    for (const Json& s : j.value("steps", Json::array())) {
      plan.steps.push_back(DataPlaneStep{s.at("id"), s.at("kind"), s.at("name"), s.at("source"),
                                         s.at("destination"),
                                         s.at("dependsOn").get<std::vector<std::string>>(), ""});
    }
    if (j.contains("bootstrap") && j["bootstrap"].is_object()) plan.bootstrap = j["bootstrap"];
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("not a plan: ") + e.what());
  }
  return plan;
}

std::string RenderPlanTable(const Plan& plan, const spec::ClusterSpec& spec) {
  return RenderPlanTable(plan, "Cluster " + spec.name + ": Kubernetes " + spec.kubernetes_version +
                                   " in " + spec.location + ", subscription " +
                                   spec.subscription_id);
}

std::string RenderPlanTable(const Plan& plan, const std::string& header) {
  std::string out = header + "\n";
  if (!plan.defaults_applied.empty()) {
    out += "Defaults applied:\n";
    for (const auto& [path, value] : plan.defaults_applied) {
      out += "  " + path + " = " + value + "\n";
    }
  }
  out += "\n";
  std::vector<Row> rows = TreePrinter(plan).Rows();
  size_t width = 8;
  for (const Row& r : rows) width = std::max(width, Width(r.text));
  auto line = [&](const std::string& a, const std::string& b, const std::string& c) {
    return a + std::string(width - Width(a) + 2, ' ') + b + std::string(11 - b.size(), ' ') + c +
           "\n";
  };
  out += line("RESOURCE", "OWNERSHIP", "ACTION");
  size_t creates = 0, reads = 0;
  for (const Row& r : rows) out += line(r.text, r.ownership, r.action);
  for (const ResourceNode& r : plan.resources) (r.action == Action::kCreate ? creates : reads)++;
  out += "\n" + std::to_string(plan.resources.size()) + " resources: " + std::to_string(creates) +
         " to create, " + std::to_string(reads) + " to read; " + std::to_string(plan.steps.size()) +
         " data-plane step" + (plan.steps.size() == 1 ? "" : "s") + "\n";
  return out;
}

}  // namespace easel::plan
