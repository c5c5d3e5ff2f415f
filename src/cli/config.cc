#include "cli/config.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/files.h"

namespace easel::cli {
namespace {

using Json = nlohmann::json;

std::string ConfigPath() { return EaselHome() + "/config.json"; }

Json CloudToJson(const azure::Cloud& c) {
  return {{"name", c.name},
          {"authorityHost", c.authority_host},
          {"armEndpoint", c.arm_endpoint},
          {"armScope", c.arm_scope},
          {"blobEndpoint", c.blob_endpoint},
          {"imdsEndpoint", c.imds_endpoint},
          {"caFile", c.ca_bundle}};
}

azure::Cloud CloudFromJson(const Json& j) {
  azure::Cloud c;
  c.name = j.value("name", "");
  c.authority_host = j.value("authorityHost", "");
  c.arm_endpoint = j.value("armEndpoint", "");
  c.arm_scope = j.value("armScope", "");
  c.blob_endpoint = j.value("blobEndpoint", "");
  c.imds_endpoint = j.value("imdsEndpoint", c.imds_endpoint);
  c.ca_bundle = j.value("caFile", "");
  return c;
}

Status WriteFileAtomically(const std::string& path, const std::string& text, mode_t mode) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::IOError("cannot write " + tmp);
    ::chmod(tmp.c_str(), mode);
    out << text;
    if (!out.flush()) return Status::IOError("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::IOError("cannot write " + path + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

std::string EaselHome() {
  if (const char* h = std::getenv("EASEL_HOME"); h && *h) return h;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.easel";
}

Result<Config> LoadConfig() {
  Config config;
  if (!std::filesystem::exists(ConfigPath())) return config;
  Result<std::string> text = ReadFileBounded(ConfigPath(), 1 << 20);
  if (!text.ok())
    return Status(text.status().code(), ConfigPath() + ": " + text.status().message());
  Json j = Json::parse(*text, nullptr, false);
  if (!j.is_object()) return Status::InvalidArgument(ConfigPath() + ": not a JSON object");
  config.current = j.value("current", "");
  if (j.contains("contexts") && j["contexts"].is_object()) {
    for (const auto& [name, c] : j["contexts"].items()) {
      if (!c.is_object()) continue;
      Context ctx;
      ctx.name = name;
      ctx.cloud = CloudFromJson(c.value("cloud", Json::object()));
      ctx.credentials_file = c.value("credentialsFile", "");
      config.contexts[name] = ctx;
    }
  }
  return config;
}

Status SaveConfig(const Config& config) {
  if (Status s = EnsurePrivateDirectory(EaselHome()); !s.ok()) return s;
  Json j = {{"current", config.current}, {"contexts", Json::object()}};
  for (const auto& [name, c] : config.contexts) {
    j["contexts"][name] = {{"cloud", CloudToJson(c.cloud)},
                           {"credentialsFile", c.credentials_file}};
  }
  return WriteFileAtomically(ConfigPath(), j.dump(2) + "\n", 0644);
}

Result<ClientSecret> LoadCredentialsFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::IOError(path + ": cannot read credentials");
  if ((st.st_mode & 077) != 0) {
    return Status::FailedPrecondition(path + " is readable by others; run chmod 600 " + path);
  }
  Result<std::string> text = ReadFileBounded(path, 64 << 10);
  if (!text.ok()) return Status(text.status().code(), path + ": " + text.status().message());
  Json j = Json::parse(*text, nullptr, false);
  if (!j.is_object() || !j.contains("tenantId") || !j.contains("clientId") ||
      !j.contains("clientSecret")) {
    return Status::InvalidArgument(path + ": needs tenantId, clientId and clientSecret");
  }
  return ClientSecret{j["tenantId"], j["clientId"], j["clientSecret"]};
}

Status SaveCredentialsFile(const std::string& path, const ClientSecret& s) {
  Json j = {
      {"tenantId", s.tenant_id}, {"clientId", s.client_id}, {"clientSecret", s.client_secret}};
  return WriteFileAtomically(path, j.dump(2) + "\n", 0600);
}

}  // namespace easel::cli
