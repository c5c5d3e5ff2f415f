// easel: the command line. Wiring only; the work is done by the libraries.
//
// Exit codes: 0 success, 2 invalid input (the spec or the command line), 1 anything else.
#include <iostream>

#include <CLI/CLI.hpp>

#include "plan/planner.h"
#include "plan/render.h"
#include "spec/catalog.h"
#include "spec/load.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitInvalid = 2;

struct GlobalOptions {
  std::string catalog_path;
};

// The catalog in effect: --catalog FILE, or the one compiled in.
const easel::spec::Catalog* ResolveCatalog(const GlobalOptions& g, easel::spec::Catalog* storage,
                                           int* exit_code) {
  if (g.catalog_path.empty()) return &easel::spec::EmbeddedCatalog();
  auto loaded = easel::spec::LoadCatalog(g.catalog_path);
  if (!loaded.ok()) {
    std::cerr << "easel: --catalog: " << loaded.status().message() << "\n";
    *exit_code = kExitInvalid;
    return nullptr;
  }
  *storage = std::move(loaded).value();
  return storage;
}

// Loads and validates; on problems prints them one per line and returns false.
bool LoadValid(const std::string& file, const easel::spec::Catalog& catalog,
               easel::spec::ClusterSpec* spec) {
  easel::spec::Diagnostics diagnostics;
  *spec = easel::spec::LoadClusterSpec(file, catalog, &diagnostics);
  for (const std::string& line : diagnostics.Lines()) std::cerr << line << "\n";
  return diagnostics.empty();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"easel: Kubernetes clusters on Azure, from a declarative spec"};
  app.require_subcommand(1);
  GlobalOptions global;
  app.add_option("--catalog", global.catalog_path,
                 "regions/zones/VM sizes catalog (default: the one built in)");

  std::string file;
  CLI::App* validate = app.add_subcommand("validate", "check a cluster spec; print every problem");
  validate->add_option("-f,--file", file, "cluster spec (YAML or JSON)")->required();

  std::string output = "table";
  CLI::App* plan = app.add_subcommand("plan", "print the Azure resources a cluster spec needs");
  plan->add_option("-f,--file", file, "cluster spec (YAML or JSON)")->required();
  plan->add_option("-o,--output", output, "table or json")->check(CLI::IsMember({"table", "json"}));

  app.add_subcommand("version", "print easel's version");

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

  int exit_code = kExitOk;
  easel::spec::Catalog loaded_catalog;
  const easel::spec::Catalog* catalog = ResolveCatalog(global, &loaded_catalog, &exit_code);
  if (!catalog) return exit_code;

  easel::spec::ClusterSpec spec;
  if (!LoadValid(file, *catalog, &spec)) return kExitInvalid;
  if (app.got_subcommand("validate")) {
    std::cout << file << ": valid\n";
    return kExitOk;
  }
  easel::plan::Plan p = easel::plan::BuildPlan(spec);
  std::cout << (output == "json" ? easel::plan::RenderPlanJson(p)
                                 : easel::plan::RenderPlanTable(p, spec));
  std::cout.flush();
  return std::cout ? kExitOk : kExitFailure;
}
