// easel's contexts (~/.easel/config.json): which cloud to talk to and where its credentials are.
// A context never holds a secret; it may reference a credentials file (mode 0600). Without one,
// credentials come from the environment (AZURE_TENANT_ID, ...) or a managed identity.
#pragma once

#include <map>
#include <string>

#include "azure/cloud.h"
#include "common/status.h"

namespace easel::cli {

struct Context {
  std::string name;
  azure::Cloud cloud;
  std::string credentials_file;  // {"tenantId", "clientId", "clientSecret"}, mode 0600
};

struct Config {
  std::string current;
  std::map<std::string, Context> contexts;
};

// $EASEL_HOME, else ~/.easel.
std::string EaselHome();
Result<Config> LoadConfig();
Status SaveConfig(const Config& config);

struct ClientSecret {
  std::string tenant_id, client_id, client_secret;
};
// Reads a credentials file, refusing one that others can read.
Result<ClientSecret> LoadCredentialsFile(const std::string& path);
// Writes a credentials file with mode 0600.
Status SaveCredentialsFile(const std::string& path, const ClientSecret& secret);

}  // namespace easel::cli
