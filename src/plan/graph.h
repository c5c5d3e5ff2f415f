// The plan of a cluster: every Azure resource it needs, as a dependency graph, plus data-plane
// steps (the VHD copy). Produced by BuildPlan (plan/planner.h); pure data.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace easel::plan {

using Json = nlohmann::ordered_json;  // keeps keys in the order written: stable output

// kShared: the image cache's (docs/storage.md, "The image cache"): created by the first cluster
// that needs it, marked with the cache's tag rather than a cluster's, never deleted by a cluster's
// delete (the last reference's release removes the image and its VHD).
enum class Ownership { kOwned, kExisting, kShared };
enum class Action { kCreate, kRead };

const char* ToString(Ownership o);
const char* ToString(Action a);

struct ResourceNode {
  std::string id;    // full ARM id
  std::string type;  // "Microsoft.Network/virtualNetworks/subnets"
  std::string api_version;
  std::string name;  // last segment of the id
  Ownership ownership = Ownership::kOwned;
  Action action = Action::kCreate;
  std::vector<std::string> depends_on;  // ids of resources or steps
  Json body;                            // the PUT body; null for a read

  // For the table view only: the node it is drawn under, and a one-line summary.
  std::string display_parent;
  std::string summary;
  // JSON pointers of fields easel sends when it creates the resource and never again: the diff
  // and the drift check ignore them and an update's body leaves them out (a managed cluster's
  // agentPoolProfiles, whose pools are resources of their own).
  std::vector<std::string> create_only;
  // JSON pointers of fields someone else owns once the resource exists (an autoscaled pool's
  // count belongs to the cluster autoscaler): ignored by the diff and the drift check, and an
  // update carries the live value.
  std::vector<std::string> live_owned;
};

// A data-plane step: copies the base VHD into the cluster's container ("blobCopy"), uploads a
// local one ("blobUpload"), writes the cluster's private keys into its Key Vault ("vaultSecrets";
// the values never enter the plan), or holds the cluster's reference to the shared image of the
// image cache ("imageReference": source the image's id, destination the cached VHD's URL, whose
// metadata is the ledger of references; "imageRelease": a reference to give up, CarryReleases).
struct DataPlaneStep {
  std::string id;  // blobCopy: the destination blob's URL; vaultSecrets: <vault id>/secrets
  std::string
      kind;  // "blobCopy" | "blobUpload" | "vaultSecrets" | "imageReference" | "imageRelease"
  std::string name;  // "copy-vhd"
  std::string source;
  std::string destination;
  std::vector<std::string> depends_on;
  std::string display_parent;
};

struct Plan {
  std::string cluster;
  std::string kind = "AzureCluster";  // the spec's kind: "AzureCluster" or "AKSCluster"
  std::vector<ResourceNode> resources;
  std::vector<DataPlaneStep> steps;
  std::vector<std::pair<std::string, std::string>> defaults_applied;  // field path -> value
  // What the nodes' user data needs from the cloud, with late-bound placeholders
  // (plan/late_bound.h): apiHost, tenantId, identityClientId, vaultUri.
  Json bootstrap = Json::object();

  const ResourceNode* Find(const std::string& id) const;
};

// The owned resources of `before` that `after` no longer has, with their dependencies among
// themselves (so they can be deleted in order). Ids compare case-insensitively.
Plan Removed(const Plan& before, const Plan& after);

// Adds to `plan` an "imageRelease" step for each reference to a shared image (imageReference or
// imageRelease step) of `previous` that `plan` no longer holds (a new image source, the cache
// turned off): apply releases it, and until an apply has succeeded the stored plan keeps it, so
// that a failed apply, or the cluster's delete, still releases it. A release keeps its
// dependencies, the first being its ledger's container (where the engine finds the account),
// which `plan` may not hold: the engine ignores dependencies a plan does not hold.
void CarryReleases(const Plan& previous, Plan* plan);
// The ledger key of an imageReference or imageRelease step (its id ends "#<key>").
std::string ReferenceKeyOf(const DataPlaneStep& step);
// `plan` without its imageRelease steps (stored once they have all run).
Plan WithoutReleases(Plan plan);

}  // namespace easel::plan
