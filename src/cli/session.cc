#include "cli/session.h"

#include "cli/local.h"

namespace easel::cli {

Result<std::unique_ptr<Session>> OpenSession(const std::string& context_name,
                                             const std::string& state_path) {
  Result<Config> config = LoadConfig();
  if (!config.ok()) return config.status();
  std::string name = context_name.empty() ? config->current : context_name;
  if (name.empty()) {
    return Status::FailedPrecondition(
        "no context selected: run `easel local up` for the local Azure, or `easel context add` "
        "and `easel context use` for a real one");
  }
  auto it = config->contexts.find(name);
  if (it == config->contexts.end()) {
    return Status::NotFound("no context named " + name + " (see `easel context list`)");
  }
  if (name == kLocalContext && it->second.cloud.name == kLocalCloudName && !LocalAzureRunning()) {
    // Saves the retries a request to a stopped local Azure would go through.
    return Status::FailedPrecondition(
        "context local: the local Azure (azsim) is not running; start it with `easel local up`");
  }
  auto session = std::make_unique<Session>();
  session->context = it->second;
  HttpClientOptions http_options;
  http_options.ca_bundle = session->context.cloud.ca_bundle;
  http_options.user_agent = "easel/" EASEL_VERSION;
  session->http = std::make_unique<HttpClient>(http_options);
  if (!session->context.credentials_file.empty()) {
    Result<ClientSecret> secret = LoadCredentialsFile(session->context.credentials_file);
    if (!secret.ok()) return secret.status();
    session->credential =
        std::make_unique<azure::CachingCredential>(std::make_unique<azure::ClientSecretCredential>(
            session->context.cloud.authority_host, secret->tenant_id, secret->client_id,
            secret->client_secret, session->http.get()));
  } else {
    session->credential = azure::DefaultCredential(session->context.cloud, session->http.get());
  }
  session->limiter = std::make_unique<azure::RateLimiter>();
  session->arm =
      std::make_unique<azure::ArmClient>(session->context.cloud, session->credential.get(),
                                         session->http.get(), session->limiter.get());
  Result<std::unique_ptr<store::Store>> store =
      store::Store::Open(state_path.empty() ? store::DefaultStatePath() : state_path);
  if (!store.ok()) return store.status();
  session->store = std::move(store).value();
  return session;
}

}  // namespace easel::cli
