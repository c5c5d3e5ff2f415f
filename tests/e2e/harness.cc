#include "e2e/harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "azure/lro.h"
#include "common/strings.h"

namespace easel::e2e {
namespace {
namespace fs = std::filesystem;
}

LocalAzure::LocalAzure(double time_scale) {
  char tmpl[] = "/tmp/easel-e2e-XXXXXX";
  home_ = ::mkdtemp(tmpl);
  CommandResult up = Easel("local up --time-scale " + std::to_string(time_scale));
  if (up.exit_code != 0) {
    error_ = "easel local up failed: " + up.output;
    return;
  }
  std::ifstream in(home_ + "/.easel/local/azsim.ready.json");
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json ready = nlohmann::json::parse(ss.str(), nullptr, false);
  if (!ready.is_object()) {
    error_ = "no ready line";
    return;
  }
  arm_endpoint_ = ready["arm"];
  subscription_ = ready["subscriptionId"];
  ca_file_ = ready["caFile"];
  tenant_id_ = ready["tenantId"];
  HttpClientOptions options;
  options.ca_bundle = ca_file_;
  http_ = std::make_unique<HttpClient>(options);
  credential_ =
      std::make_unique<azure::CachingCredential>(std::make_unique<azure::ClientSecretCredential>(
          ready["authority"], ready["tenantId"], ready["clientId"], ready["clientSecret"],
          http_.get()));
  azure::Cloud cloud;
  cloud.name = "azsim";
  cloud.arm_endpoint = arm_endpoint_;
  cloud.arm_scope = arm_endpoint_ + "/.default";
  arm_ = std::make_unique<azure::ArmClient>(cloud, credential_.get(), http_.get(), nullptr);
  ok_ = true;
}

LocalAzure::~LocalAzure() {
  Easel("local down");
  std::error_code ec;
  fs::remove_all(home_, ec);
}

CommandResult LocalAzure::Easel(const std::string& args) const {
  std::string command = "cd '" EASEL_SOURCE_DIR "' && HOME='" + home_ + "' EASEL_AZSIM='" +
                        AZSIM_BINARY + "' '" + EASEL_BINARY + "' " + args + " 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) result.output.append(buf.data(), n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

int LocalAzure::SpawnEasel(const std::vector<std::string>& args) const {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::setenv("HOME", home_.c_str(), 1);
  ::setenv("EASEL_AZSIM", AZSIM_BINARY, 1);
  if (::chdir(EASEL_SOURCE_DIR) != 0) std::_Exit(126);
  int null = ::open("/dev/null", O_WRONLY);
  ::dup2(null, 1);
  ::dup2(null, 2);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(EASEL_BINARY));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(EASEL_BINARY, argv.data());
  std::_Exit(127);
}

std::vector<nlohmann::json> LocalAzure::Requests(int64_t since) {
  std::vector<nlohmann::json> out;
  std::string log = RequestLog();
  size_t start = 0;
  while (start < log.size()) {
    size_t end = log.find('\n', start);
    nlohmann::json line = nlohmann::json::parse(log.substr(start, end - start), nullptr, false);
    start = end == std::string::npos ? log.size() : end + 1;
    if (line.is_object() && line.value("seq", int64_t{0}) > since) out.push_back(std::move(line));
  }
  return out;
}

nlohmann::json LocalAzure::Get(const std::string& id, const std::string& api_version) {
  Result<azure::ArmResponse> r = arm_->Call("GET", id, api_version);
  if (!r.ok() || r->status != 200) return nullptr;
  return r->body;
}

std::vector<std::string> LocalAzure::ResourcesIn(const std::string& group) {
  std::vector<std::string> ids;
  std::string next = "/subscriptions/" + subscription_ + "/resourceGroups/" + group + "/resources";
  std::string api = "2024-11-01";
  while (!next.empty()) {
    Result<azure::ArmResponse> r = arm_->Call("GET", next, api);
    if (!r.ok() || r->status != 200) break;
    for (const auto& v : r->body["value"]) ids.push_back(ToLower(v["id"].get<std::string>()));
    next = r->body.value("nextLink", "");
    api.clear();
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

nlohmann::json LocalAzure::Admin(const std::string& method, const std::string& path,
                                 const std::string& body) {
  HttpRequest req;
  req.method = method;
  req.url = arm_endpoint_ + "/_azsim/" + path;
  req.body = body;
  if (!body.empty()) req.headers["Content-Type"] = "application/json";
  Result<HttpResponse> r = http_->Send(req);
  if (!r.ok()) return nullptr;
  nlohmann::json j = nlohmann::json::parse(r->body, nullptr, false);
  return j.is_discarded() ? nlohmann::json(r->body) : j;
}

std::string LocalAzure::RequestLog() {
  HttpRequest req;
  req.url = arm_endpoint_ + "/_azsim/requests";
  Result<HttpResponse> r = http_->Send(req);
  return r.ok() ? r->body : "";
}

namespace {

void MustPut(azure::ArmClient& arm, const std::string& id, const std::string& api,
             const nlohmann::json& body) {
  Status s = azure::PutAndWait(arm, id, api, body);
  if (!s.ok()) throw std::runtime_error("prerequisite " + id + ": " + s.message());
}

}  // namespace

int64_t LastSeq(LocalAzure& azure) {
  std::vector<nlohmann::json> all = azure.Requests();
  return all.empty() ? 0 : all.back().value("seq", int64_t{0});
}

std::vector<std::string> WritesSince(LocalAzure& azure, int64_t since) {
  std::vector<std::string> writes;
  for (const nlohmann::json& line : azure.Requests(since)) {
    std::string m = line.value("method", "");
    if (line.value("service", "") == "arm" && m != "GET" && m != "HEAD") {
      writes.push_back(m + " " + line.value("path", ""));
    }
  }
  return writes;
}

bool RunAndKill(LocalAzure& azure, const std::vector<std::string>& args, int requests) {
  using namespace std::chrono_literals;
  int64_t since = LastSeq(azure);
  int pid = azure.SpawnEasel(args);
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return false;
    int arm = 0;
    for (const nlohmann::json& line : azure.Requests(since)) {
      arm += line.value("service", "") == "arm";
    }
    if (arm >= requests) break;
    std::this_thread::sleep_for(2ms);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return true;
}

std::map<std::string, int> Creations(LocalAzure& azure, int64_t since) {
  std::map<std::string, int> created;
  for (const nlohmann::json& line : azure.Requests(since)) {
    if (line.value("service", "") == "arm" && line.value("method", "") == "PUT" &&
        line.value("status", 0) == 201) {
      created[ToLower(line.value("path", ""))]++;
    }
  }
  return created;
}

std::vector<std::string> LocalAzure::CreatePrerequisites(const std::string& example) {
  using nlohmann::json;
  const std::string sub = "/subscriptions/" + subscription_ + "/resourceGroups/";
  const std::string net_api = "2025-05-01", storage_api = "2025-06-01", rg_api = "2024-11-01";
  if (example == "ha.yaml") MustPut(*arm_, sub + "prod-rg", rg_api, {{"location", "westus2"}});
  if (example == "private-api.yaml") {
    MustPut(*arm_, sub + "internal-rg", rg_api, {{"location", "eastus2"}});
  }
  if (example == "static-placement.yaml") {
    MustPut(*arm_, sub + "payments-rg", rg_api, {{"location", "westeurope"}});
    MustPut(*arm_, sub + "net-rg", rg_api, {{"location", "westeurope"}});
    std::string net = sub + "net-rg/providers/Microsoft.Network";
    std::string cp_nsg = net + "/networkSecurityGroups/k8s-control-plane-nsg";
    std::string nodes_nsg = net + "/networkSecurityGroups/k8s-nodes-nsg";
    MustPut(*arm_, cp_nsg, net_api, {{"location", "westeurope"}});
    MustPut(*arm_, nodes_nsg, net_api, {{"location", "westeurope"}});
    std::string vnet = net + "/virtualNetworks/shared-vnet";
    auto subnet = [](const char* name, const char* prefix, const std::string& nsg) {
      return json{
          {"name", name},
          {"properties", {{"addressPrefix", prefix}, {"networkSecurityGroup", {{"id", nsg}}}}}};
    };
    MustPut(*arm_, vnet, net_api,
            {{"location", "westeurope"},
             {"properties",
              {{"addressSpace", {{"addressPrefixes", {"10.1.0.0/16"}}}},
               {"subnets",
                {subnet("k8s-control-plane", "10.1.0.0/24", cp_nsg),
                 subnet("k8s-nodes", "10.1.16.0/20", nodes_nsg)}}}}});
    return {vnet, cp_nsg, nodes_nsg};
  }
  if (example == "custom-storage.yaml") {
    MustPut(*arm_, sub + "storedemo-rg", rg_api, {{"location", "eastus"}});
    MustPut(*arm_, sub + "storage-rg", rg_api, {{"location", "eastus"}});
    std::string account = sub + "storage-rg/providers/Microsoft.Storage/storageAccounts/corpimages";
    MustPut(*arm_, account, storage_api,
            {{"location", "eastus"}, {"sku", {{"name", "Standard_LRS"}}}, {"kind", "StorageV2"}});
    MustPut(*arm_, account + "/blobServices/default/containers/k8s-vhds", storage_api,
            json::object());
    return {account, account + "/blobServices/default/containers/k8s-vhds"};
  }
  return {};
}

namespace {
constexpr char kDataRoleAssignment[] =
    "/providers/Microsoft.Authorization/roleAssignments/5d2a6c1e-0000-4000-8000-000000000001";
constexpr char kAuthorizationApi[] = "2022-04-01";
}  // namespace

nlohmann::json LocalAzure::RemoveDataRole() {
  std::string id = "/subscriptions/" + subscription_ + kDataRoleAssignment;
  nlohmann::json role = Get(id, kAuthorizationApi);
  if (role.is_null()) return role;
  Result<azure::ArmResponse> removed = arm_->Call("DELETE", id, kAuthorizationApi);
  if (!removed.ok() || removed->status >= 300) return nullptr;
  return role;
}

bool LocalAzure::RestoreDataRole(const nlohmann::json& role) {
  Result<azure::ArmResponse> restored =
      arm_->Call("PUT", "/subscriptions/" + subscription_ + kDataRoleAssignment, kAuthorizationApi,
                 nlohmann::json{{"properties",
                                 {{"roleDefinitionId", role["properties"]["roleDefinitionId"]},
                                  {"principalId", role["properties"]["principalId"]}}}});
  return restored.ok() && restored->status < 300;
}

LocalAzure* SharedLocalAzureTest::azure_ = nullptr;

}  // namespace easel::e2e
