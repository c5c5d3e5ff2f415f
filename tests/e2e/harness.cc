#include "e2e/harness.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

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
  HttpClientOptions options;
  options.ca_bundle = ready["caFile"];
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

}  // namespace easel::e2e
