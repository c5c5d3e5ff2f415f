// easel: the command line. Wiring only; the work is done by the libraries.
//
// Exit codes: 0 success, 2 invalid input (the spec or the command line), 1 anything else.
#include <iostream>

#include <CLI/CLI.hpp>

#include "azure/cloud.h"
#include "cli/bootstrap_hooks.h"
#include "cli/cluster_commands.h"
#include "cli/config.h"
#include "cli/image_commands.h"
#include "cli/kubeconfig_command.h"
#include "cli/local.h"
#include "cli/storage_list.h"
#include "common/strings.h"
#include "plan/planner.h"
#include "plan/render.h"
#include "spec/catalog.h"
#include "spec/load.h"

namespace {

using easel::cli::kExitFailure;
using easel::cli::kExitInvalid;
using easel::cli::kExitOk;

// The catalog in effect: --catalog FILE, or the one compiled in; nullptr (reported) on error.
const easel::spec::Catalog* ResolveCatalog(const std::string& path, easel::spec::Catalog* storage) {
  if (path.empty()) return &easel::spec::EmbeddedCatalog();
  auto loaded = easel::spec::LoadCatalog(path);
  if (!loaded.ok()) {
    std::cerr << "easel: --catalog: " << loaded.status().message() << "\n";
    return nullptr;
  }
  *storage = std::move(loaded).value();
  return storage;
}

int ValidateOrPlan(const std::string& catalog_path, const std::string& file, bool plan,
                   const std::string& output) {
  easel::spec::Catalog storage;
  const easel::spec::Catalog* catalog = ResolveCatalog(catalog_path, &storage);
  if (!catalog) return kExitInvalid;
  easel::spec::Diagnostics diagnostics;
  easel::spec::AnySpec spec = easel::cli::LoadCheckedSpec(file, *catalog, &diagnostics);
  for (const std::string& line : diagnostics.Lines()) std::cerr << line << "\n";
  if (!diagnostics.empty()) return kExitInvalid;
  if (!plan) {
    std::cout << file << ": valid\n";
    return kExitOk;
  }
  if (spec.is_aks()) {
    const easel::spec::AksClusterSpec& a = spec.aks;
    easel::plan::Plan p = easel::plan::BuildAksPlan(a);
    std::cout << (output == "json"
                      ? easel::plan::RenderPlanJson(p)
                      : easel::plan::RenderPlanTable(
                            p, "AKS cluster " + a.name + ": Kubernetes " + a.kubernetes_version +
                                   " in " + a.location + ", subscription " + a.subscription_id));
    std::cout.flush();
    return std::cout ? kExitOk : kExitFailure;
  }
  easel::plan::Plan p = easel::plan::BuildPlan(spec.iaas);
  std::cout << (output == "json" ? easel::plan::RenderPlanJson(p)
                                 : easel::plan::RenderPlanTable(p, spec.iaas));
  std::cout.flush();
  return std::cout ? kExitOk : kExitFailure;
}

int Report(const easel::Status& s) {
  if (s.ok()) return kExitOk;
  std::cerr << "easel: " << s.message() << "\n";
  return kExitFailure;
}

int ContextList() {
  auto config = easel::cli::LoadConfig();
  if (!config.ok()) return Report(config.status());
  std::printf("%-3s %-16s %-12s %s\n", "", "NAME", "CLOUD", "ARM ENDPOINT");
  for (const auto& [name, c] : config->contexts) {
    std::printf("%-3s %-16s %-12s %s\n", name == config->current ? "*" : "", name.c_str(),
                c.cloud.name.c_str(), c.cloud.arm_endpoint.c_str());
  }
  return kExitOk;
}

int ContextUse(const std::string& name) {
  auto config = easel::cli::LoadConfig();
  if (!config.ok()) return Report(config.status());
  if (!config->contexts.count(name)) {
    std::cerr << "easel: no context named " << name << "\n";
    return kExitInvalid;
  }
  config->current = name;
  return Report(easel::cli::SaveConfig(*config));
}

// `context add`: a built-in cloud by name, or with --cloud custom, one given by its endpoints.
int ContextAdd(const std::string& name, const std::string& cloud_name,
               const easel::azure::CustomCloudEndpoints& endpoints,
               const std::string& credentials_file) {
  bool custom = easel::ToLower(cloud_name) == "custom";
  bool endpoints_given = !endpoints.authority_host.empty() || !endpoints.arm_endpoint.empty() ||
                         !endpoints.blob_endpoint.empty() || !endpoints.ca_bundle.empty();
  if (!custom && endpoints_given) {
    std::cerr << "easel: --authority-host, --arm-endpoint, --blob-endpoint and --ca-file describe "
                 "a custom cloud: add --cloud custom\n";
    return kExitInvalid;
  }
  auto cloud =
      custom ? easel::azure::CustomCloud(endpoints) : easel::azure::BuiltinCloud(cloud_name);
  if (!cloud.ok()) {
    std::cerr << "easel: " << cloud.status().message() << "\n";
    return kExitInvalid;
  }
  auto config = easel::cli::LoadConfig();
  if (!config.ok()) return Report(config.status());
  if (!credentials_file.empty()) {
    auto secret = easel::cli::LoadCredentialsFile(credentials_file);
    if (!secret.ok()) return Report(secret.status());
  }
  config->contexts[name] = easel::cli::Context{name, *cloud, credentials_file};
  if (config->current.empty()) config->current = name;
  return Report(easel::cli::SaveConfig(*config));
}

// Whether commands have a cloud to talk to: --context, or a current context in the config. A
// config that cannot be read counts as selected, so that the command reports why.
bool ContextSelected(const std::string& context_flag) {
  if (!context_flag.empty()) return true;
  easel::Result<easel::cli::Config> config = easel::cli::LoadConfig();
  return !config.ok() || !config->current.empty();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"easel: Kubernetes clusters on Azure, from a declarative spec"};
  app.require_subcommand(1);
  easel::cli::CommonOptions common;
  app.add_option("--catalog", common.catalog_path,
                 "regions/zones/VM sizes catalog (default: the one built in)");
  app.add_option("--context", common.context, "context to use (default: the current one)");
  app.add_option("--state", common.state_path,
                 "state database (default: $EASEL_STATE or ~/.easel/state.db)");

  std::string file, name, output = "table";
  bool no_wait = false;
  CLI::App* validate = app.add_subcommand("validate", "check a cluster spec; print every problem");
  validate->add_option("-f,--file", file, "cluster spec (YAML or JSON)")->required();
  CLI::App* plan = app.add_subcommand("plan", "print the Azure resources a cluster spec needs");
  plan->add_option("-f,--file", file, "cluster spec (YAML or JSON)")->required();
  plan->add_option("-o,--output", output, "table or json")->check(CLI::IsMember({"table", "json"}));
  bool live = false, offline = false;
  CLI::Option* live_flag = plan->add_flag(
      "--live", live,
      "compare with the cloud of the context: what apply would create, change, delete or leave "
      "alone (the default when a context is selected)");
  plan->add_flag("--offline", offline,
                 "the resource graph only, without reading any cloud (the default when no "
                 "context is selected)")
      ->excludes(live_flag);

  CLI::App* apply = app.add_subcommand("apply", "create or update a cluster until it is Ready");
  apply->add_option("-f,--file", file, "cluster spec (YAML or JSON)")->required();
  apply->add_flag("--no-wait", no_wait, "return at once; the work goes on in the background");

  CLI::App* del = app.add_subcommand("delete", "delete a cluster and everything easel created");
  CLI::App* del_cluster = del->add_subcommand("cluster", "delete a cluster");
  del_cluster->add_option("name", name, "cluster name")->required();
  del_cluster->add_flag("--no-wait", no_wait, "return at once");
  del->require_subcommand(1);

  CLI::App* get = app.add_subcommand("get", "list things");
  CLI::App* get_clusters = get->add_subcommand("clusters", "list clusters");
  get_clusters->add_option("-o,--output", common.output, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  get->require_subcommand(1);

  CLI::App* storage = app.add_subcommand("storage", "storage accounts a spec may name");
  CLI::App* storage_list = storage->add_subcommand(
      "list", "a resource group's accounts and containers, and what easel can do with them");
  std::string storage_group, storage_subscription;
  storage_list->add_option("-g,--resource-group", storage_group, "resource group")->required();
  storage_list->add_option("--subscription", storage_subscription,
                           "subscription id (default: the only one the context sees)");
  storage_list->add_option("-o,--output", common.output, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  storage->require_subcommand(1);

  CLI::App* describe = app.add_subcommand("describe", "show one thing in detail");
  CLI::App* describe_cluster = describe->add_subcommand("cluster", "a cluster and its resources");
  describe_cluster->add_option("name", name, "cluster name")->required();
  describe_cluster->add_option("-o,--output", common.output, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  describe->require_subcommand(1);

  CLI::App* check = app.add_subcommand("check", "has anything of a cluster drifted from its plan?");
  check->add_option("name", name, "cluster name");
  bool check_all = false;
  check->add_flag("--all", check_all, "check every Ready cluster of the current context");
  check->add_option("-o,--output", common.output, "table or json")
      ->check(CLI::IsMember({"table", "json"}));

  CLI::App* events = app.add_subcommand("events", "a cluster's events, oldest first");
  events->add_option("name", name, "cluster name")->required();

  CLI::App* local = app.add_subcommand("local", "the local Azure (azsim) in the background");
  easel::cli::LocalOptions local_options;
  CLI::App* local_up = local->add_subcommand("up", "start azsim and select the context local");
  local_up->add_option("--time-scale", local_options.time_scale,
                       "azsim's latency model multiplier (0: instant)");
  CLI::App* local_down = local->add_subcommand("down", "stop azsim (its state is kept)");
  CLI::App* local_status = local->add_subcommand("status", "is azsim running, and where");
  local->require_subcommand(1);

  CLI::App* context = app.add_subcommand("context", "where easel deploys: contexts");
  CLI::App* context_list = context->add_subcommand("list", "list contexts");
  std::string cloud_name = "AzurePublicCloud", credentials_file;
  CLI::App* context_use = context->add_subcommand("use", "select a context");
  context_use->add_option("name", name, "context name")->required();
  CLI::App* context_add = context->add_subcommand("add", "add a context for a real Azure cloud");
  context_add->add_option("name", name, "context name")->required();
  context_add->add_option("--cloud", cloud_name,
                          "AzurePublicCloud, AzureUSGovernment, AzureChinaCloud, or custom (with "
                          "the endpoints below)");
  easel::azure::CustomCloudEndpoints endpoints;
  context_add->add_option("--authority-host", endpoints.authority_host,
                          "custom cloud: https URL of Entra ID");
  context_add->add_option("--arm-endpoint", endpoints.arm_endpoint,
                          "custom cloud: https URL of Resource Manager");
  context_add->add_option("--blob-endpoint", endpoints.blob_endpoint,
                          "custom cloud: an account's blob URL with {account} in it");
  context_add->add_option("--ca-file", endpoints.ca_bundle,
                          "custom cloud: PEM file of extra trusted CAs (TLS is always verified)");
  context_add->add_option("--credentials-file", credentials_file,
                          "JSON {tenantId, clientId, clientSecret}, mode 0600 (default: the "
                          "AZURE_* environment, then managed identity)");
  context->require_subcommand(1);

  easel::cli::KubeconfigOptions kubeconfig_options;
  CLI::App* kubeconfig =
      app.add_subcommand("kubeconfig",
                         "a kubeconfig: a new short-lived client certificate (AzureCluster) or "
                         "the credentials AKS issues (AKSCluster)");
  kubeconfig->add_option("name", kubeconfig_options.name, "cluster name")->required();
  kubeconfig->add_flag("--admin", kubeconfig_options.admin,
                       "as kubernetes-admin, a cluster administrator (default: easel:<your user "
                       "name>, which has only the rights RBAC grants it)");
  kubeconfig->add_option("--ttl", kubeconfig_options.ttl,
                         "lifetime of the certificate: 30m, 12h, 7d (default 24h, at most 7d)");
  kubeconfig->add_option("--file", kubeconfig_options.file,
                         "write it to FILE (mode 0600) instead of stdout");

  app.add_subcommand("version", "print easel's version");
  auto image = easel::cli::RegisterImageCommands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitInvalid;
  }

  if (app.got_subcommand("version")) {
    std::cout << "easel " << EASEL_VERSION << "\n";
    return kExitOk;
  }
  if (int code = easel::cli::RunImageCommands(*image, common.context, common.state_path);
      code >= 0) {
    return code;
  }
  if (*validate) return ValidateOrPlan(common.catalog_path, file, false, output);
  if (*plan && (live || (!offline && ContextSelected(common.context)))) {
    common.output = output;
    return easel::cli::LivePlanCommand(common, file);
  }
  if (*plan) return ValidateOrPlan(common.catalog_path, file, true, output);
  if (*apply) return easel::cli::ApplyCommand(common, file, no_wait);
  if (*del_cluster) return easel::cli::DeleteCommand(common, name, no_wait);
  if (*get_clusters) return easel::cli::GetClustersCommand(common);
  if (*storage_list) {
    return easel::cli::StorageListCommand(common, storage_subscription, storage_group);
  }
  if (*describe_cluster) return easel::cli::DescribeClusterCommand(common, name);
  if (*events) return easel::cli::EventsCommand(common, name);
  if (*kubeconfig) return easel::cli::KubeconfigCommand(common, kubeconfig_options);
  if (*check && check_all) return easel::cli::CheckAllCommand(common);
  if (*check && name.empty()) {
    std::cerr << "easel: check needs a cluster name or --all\n";
    return kExitInvalid;
  }
  if (*check) return easel::cli::CheckCommand(common, name);
  if (*local_up) {
    local_options.state_path = common.state_path;
    return Report(easel::cli::LocalUp(local_options));
  }
  if (*local_down) return Report(easel::cli::LocalDown());
  if (*local_status) return Report(easel::cli::LocalStatus());
  if (*context_list) return ContextList();
  if (*context_use) return ContextUse(name);
  if (*context_add) return ContextAdd(name, cloud_name, endpoints, credentials_file);
  return kExitInvalid;
}
