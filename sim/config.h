// azsim's configuration: command-line options and the fixture (tenants, subscriptions, service
// principals and resources to pre-create).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"

namespace azsim {

struct Principal {
  std::string client_id;
  std::string client_secret;  // never logged
  std::string object_id;
  std::string tenant_id;
  bool managed_identity = false;  // served by the IMDS-shaped endpoint
};

struct Subscription {
  std::string id;
  std::string tenant_id;
  std::string display_name;
};

struct Fixture {
  std::vector<std::string> tenants;
  std::vector<Subscription> subscriptions;
  std::vector<Principal> principals;
  // {"id": "/subscriptions/.../resourceGroups/demo-rg", "body": {...}} in creation order.
  std::vector<nlohmann::json> resources;
  // {"account", "container", "name", "sizeBytes", "vhd": bool}: page blobs to pre-create.
  std::vector<nlohmann::json> blobs;
  // Azure Policy assignments with the `modify` effect, applied to every PUT/PATCH of a matching
  // type (docs/azsim.md, "Azure Policy").
  std::vector<nlohmann::json> policies;
};

struct Options {
  std::string listen_host = "127.0.0.1";
  int listen_port = 0;
  std::string blob_host = "127.0.0.1";
  int blob_port = 0;
  std::string state_dir;  // empty: a temporary directory
  std::string fixtures_file;
  std::string faults_file;
  double time_scale = 1.0;
  uint64_t seed = 1;
  bool throttle = true;
  int threads = 2;
  double blob_copy_mbps = 200;  // modelled Copy Blob speed, before --time-scale
};

// The fixture compiled into azsim (see docs/azsim.md).
Fixture DefaultFixture();
// Parses a fixture file; missing sections fall back to the default fixture's.
easel::Result<Fixture> LoadFixture(const std::string& path);

}  // namespace azsim
