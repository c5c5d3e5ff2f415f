// Shared state of the per-area plan builders (internal to src/plan).
#pragma once

#include <string>
#include <vector>

#include "plan/graph.h"
#include "plan/plan_writer.h"
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
  std::string image_reference_step;  // with the image cache: the reference the VMs wait for
  std::string control_plane_identity;
  std::string key_vault;
  std::string vault_secrets_step;
};

// The IaaS builders' context: the spec and options, and the ids they hand to one another.
class BuilderContext : public PlanWriter {
 public:
  BuilderContext(const spec::ClusterSpec& spec, const PlanOptions& options, Plan* plan);

  const spec::ClusterSpec& spec() const { return spec_; }
  const PlanOptions& options() const { return options_; }
  WellKnownIds& ids() { return ids_; }
  Json& bootstrap_facts() { return plan()->bootstrap; }

 private:
  const spec::ClusterSpec& spec_;
  const PlanOptions& options_;
  WellKnownIds ids_;
};

// The builders, in the order BuildPlan runs them.
void BuildNetwork(BuilderContext& ctx);
void BuildApiServerEndpoint(BuilderContext& ctx);
void BuildStorageAndImage(BuilderContext& ctx);
void BuildBootstrapSecrets(BuilderContext& ctx);
void BuildMachines(BuilderContext& ctx);

}  // namespace easel::plan
