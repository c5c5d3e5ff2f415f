#include "sim/config.h"

#include "common/files.h"

namespace azsim {

Fixture DefaultFixture() {
  Fixture f;
  const std::string tenant = "72f988bf-0000-4000-8000-00000000a2e1";
  f.tenants = {tenant};
  f.subscriptions = {
      {"00000000-0000-0000-0000-000000000000", tenant, "azsim default subscription"}};
  f.principals = {
      {"11111111-1111-4111-8111-111111111111", "azsim-client-secret",
       "22222222-2222-4222-8222-222222222222", tenant, false},
      {"33333333-3333-4333-8333-333333333333", "", "44444444-4444-4444-8444-444444444444", tenant,
       true},
  };
  const std::string sub = "/subscriptions/" + f.subscriptions[0].id;
  f.resources = {
      nlohmann::json{{"id", sub + "/resourceGroups/demo-rg"}, {"body", {{"location", "eastus"}}}}};
  // Both principals hold Storage Blob Data Contributor on the subscription, as a deployment
  // principal usually does: bearer tokens may read and write blobs.
  const char* const assignments[][2] = {
      {"5d2a6c1e-0000-4000-8000-000000000001", "22222222-2222-4222-8222-222222222222"},
      {"5d2a6c1e-0000-4000-8000-000000000002", "44444444-4444-4444-8444-444444444444"}};
  for (const auto& [name, principal] : assignments) {
    f.resources.push_back(
        {{"id", sub + "/providers/Microsoft.Authorization/roleAssignments/" + name},
         {"body",
          {{"properties",
            {{"roleDefinitionId", sub + "/providers/Microsoft.Authorization/roleDefinitions/"
                                        "ba92f5b4-2d11-453d-a403-e96b0029c9fe"},
             {"principalId", principal}}}}}});
  }
  return f;
}

easel::Result<Fixture> LoadFixture(const std::string& path) {
  auto text = easel::ReadFileBounded(path, 64u << 20);
  if (!text.ok()) return text.status();
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return easel::Status::InvalidArgument(path + ": not a JSON object");
  Fixture f = DefaultFixture();
  try {
    if (j.contains("tenants")) {
      f.tenants.clear();
      for (const auto& t : j["tenants"])
        f.tenants.push_back(t.is_object() ? t.at("id").get<std::string>() : t.get<std::string>());
    }
    if (j.contains("subscriptions")) {
      f.subscriptions.clear();
      for (const auto& s : j["subscriptions"]) {
        f.subscriptions.push_back({s.at("id").get<std::string>(),
                                   s.value("tenantId", f.tenants.at(0)),
                                   s.value("displayName", "azsim subscription")});
      }
    }
    if (j.contains("servicePrincipals")) {
      f.principals.clear();
      for (const auto& p : j["servicePrincipals"]) {
        f.principals.push_back({p.at("clientId").get<std::string>(), p.value("clientSecret", ""),
                                p.value("objectId", p.at("clientId").get<std::string>()),
                                p.value("tenantId", f.tenants.at(0)),
                                p.value("managedIdentity", false)});
      }
    }
    if (j.contains("resources")) {
      f.resources.clear();
      for (const auto& r : j["resources"]) {
        if (!r.contains("id") || !r["id"].is_string())
          return easel::Status::InvalidArgument(path + ": resource without id");
        f.resources.push_back(r);
      }
    }
    if (j.contains("policies")) {
      if (!j["policies"].is_array())
        return easel::Status::InvalidArgument("fixture: policies must be an array");
      for (const auto& p : j["policies"]) {
        if (!p.is_object() || !p.contains("operations") || !p["operations"].is_array())
          return easel::Status::InvalidArgument("fixture: each policy needs operations");
        f.policies.push_back(p);
      }
    }
    if (j.contains("blobs")) {
      for (const auto& b : j["blobs"]) {
        for (const char* k : {"account", "container", "name"})
          if (!b.contains(k) || !b[k].is_string())
            return easel::Status::InvalidArgument(path + ": each blob needs " + k);
        if (!b.contains("sizeBytes") || !b["sizeBytes"].is_number_unsigned())
          return easel::Status::InvalidArgument(path + ": each blob needs sizeBytes");
        f.blobs.push_back(b);
      }
    }
  } catch (const std::exception& e) {
    return easel::Status::InvalidArgument(path + ": " + e.what());
  }
  if (f.tenants.empty() || f.subscriptions.empty() || f.principals.empty())
    return easel::Status::InvalidArgument(
        path + ": needs at least one tenant, subscription and service principal");
  return f;
}

}  // namespace azsim
