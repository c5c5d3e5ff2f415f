// Shared state of the per-area plan builders (internal to src/plan).
#pragma once

#include <string>
#include <vector>

#include "plan/graph.h"
#include "plan/planner.h"
#include "spec/types.h"

namespace easel::plan {

// The ids the builders hand to one another, filled as the graph is built.
struct WellKnownIds {
  std::string resource_group;
  std::string vnet;
  std::string control_plane_subnet;
  std::string worker_subnet;
  std::string control_plane_nsg;
  std::string worker_nsg;
  std::string nat_gateway;  // empty when outbound is None
  std::string api_load_balancer;
  std::string api_backend_pool;
  std::string image;
  std::string vhd_copy_step;
  std::string control_plane_identity;
  std::string key_vault;
  std::string vault_secrets_step;
};

class BuilderContext {
 public:
  BuilderContext(const spec::ClusterSpec& spec, const PlanOptions& options, Plan* plan);

  const spec::ClusterSpec& spec() const { return spec_; }
  const PlanOptions& options() const { return options_; }
  WellKnownIds& ids() { return ids_; }

  // An id in the cluster's resource group.
  std::string IdInGroup(const std::string& type, const std::string& name) const;

  // The tags of every owned resource: the user's, then easel's ownership tag.
  const Json& Tags() const { return tags_; }
  // {"location", "tags"} and any further top-level fields, in Azure's usual order.
  Json TrackedBody() const;

  // Adds an owned resource that easel creates.
  ResourceNode& AddOwned(std::string id, const char* type, const char* api_version,
                         std::string name, Json body, std::vector<std::string> depends_on,
                         std::string display_parent, std::string summary);
  // Adds an existing resource that easel only reads.
  ResourceNode& AddExisting(std::string id, const char* type, const char* api_version,
                            std::string name, std::string display_parent, std::string summary);
  void AddStep(DataPlaneStep step) { plan_->steps.push_back(std::move(step)); }
  Json& bootstrap_facts() { return plan_->bootstrap; }

 private:
  const spec::ClusterSpec& spec_;
  const PlanOptions& options_;
  Plan* plan_;
  WellKnownIds ids_;
  Json tags_;  // the same for every owned resource: built once
};

// The builders, in the order BuildPlan runs them.
void BuildNetwork(BuilderContext& ctx);
void BuildApiServerEndpoint(BuilderContext& ctx);
void BuildStorageAndImage(BuilderContext& ctx);
void BuildBootstrapSecrets(BuilderContext& ctx);
void BuildMachines(BuilderContext& ctx);

}  // namespace easel::plan
