// End-to-end harness: a temporary HOME, azsim started by the real `easel local up` on free
// loopback ports, the real easel binary, and an ARM client of the test's own to set up
// prerequisites and check what azsim holds.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "azure/arm_client.h"
#include "azure/credentials.h"
#include "common/http_client.h"

namespace easel::e2e {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

class LocalAzure {
 public:
  // Starts azsim through `easel local up --time-scale <scale>` in a fresh HOME.
  explicit LocalAzure(double time_scale = 0);
  ~LocalAzure();  // easel local down; the HOME is removed

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }

  // Runs the easel binary with `args` (HOME pointing at the temporary one).
  CommandResult Easel(const std::string& args) const;
  // Starts the easel binary with `args` without waiting; returns its pid (output discarded).
  int SpawnEasel(const std::vector<std::string>& args) const;
  // The ARM client of the test (independent of the process under test).
  azure::ArmClient& arm() { return *arm_; }
  std::string subscription() const { return subscription_; }
  // GET of an ARM path, returning the body or null on 404.
  nlohmann::json Get(const std::string& id, const std::string& api_version);
  // The ids of every resource in a group (lowercase), sorted.
  std::vector<std::string> ResourcesIn(const std::string& group);
  // azsim's admin API: GET or POST `path` under /_azsim/.
  nlohmann::json Admin(const std::string& method, const std::string& path,
                       const std::string& body = "");
  std::string RequestLog();
  // The request log as JSON objects, those with seq > `since`.
  std::vector<nlohmann::json> Requests(int64_t since = 0);
  const std::string& home() const { return home_; }
  // From azsim's ready line: the ARM (and IMDS) base URL, its CA file and the tenant.
  const std::string& arm_endpoint() const { return arm_endpoint_; }
  const std::string& ca_file() const { return ca_file_; }
  const std::string& tenant_id() const { return tenant_id_; }
  // The HTTP client (trusting azsim's CA) and the test principal's credential, for data planes.
  HttpClient& http() { return *http_; }
  azure::TokenCredential& credential() { return *credential_; }

  // Deletes the role assignment that gives azsim's default principal its blob data role, and
  // returns it (null when there was none or the delete failed); RestoreDataRole puts it back.
  nlohmann::json RemoveDataRole();
  bool RestoreDataRole(const nlohmann::json& role);

  // Creates what an example expects to exist already (its resource group; the shared VNet of
  // static-placement; the storage account of custom-storage). Returns the ids of the existing
  // resources that easel must leave untouched.
  std::vector<std::string> CreatePrerequisites(const std::string& example);

 private:
  std::string home_, arm_endpoint_, subscription_, ca_file_, tenant_id_, error_;
  bool ok_ = false;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<azure::TokenCredential> credential_;
  std::unique_ptr<azure::ArmClient> arm_;
};

// The seq of the last line of azsim's request log (0 when empty).
int64_t LastSeq(LocalAzure& azure);
// "METHOD path" of each ARM write (not GET or HEAD) in azsim's request log after `since`.
std::vector<std::string> WritesSince(LocalAzure& azure, int64_t since);

// Runs `args`, killing it with SIGKILL once azsim has answered `requests` ARM requests from it
// (or it has exited on its own). Returns true when it was killed.
bool RunAndKill(LocalAzure& azure, const std::vector<std::string>& args, int requests);

// PUTs that created a resource (ARM answered 201), per lowercase resource path, in the request
// log lines with seq > `since`. A crash-safe engine leaves each count at 1.
std::map<std::string, int> Creations(LocalAzure& azure, int64_t since = 0);

// A test suite whose tests share one LocalAzure (time scale 0), started before the suite's first
// test and stopped after its last.
class SharedLocalAzureTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { azure_ = new LocalAzure(0); }
  static void TearDownTestSuite() {
    delete azure_;
    azure_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(azure_->ok()) << azure_->error(); }

  static LocalAzure* azure_;
};

}  // namespace easel::e2e
