// Each example's plan, compared byte for byte with tests/golden/<example>.plan.json.
// To accept a deliberate change: EASEL_UPDATE_GOLDEN=1 ctest -R Golden, then review the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "plan/planner.h"
#include "plan/render.h"
#include "spec/aks.h"
#include "spec/load.h"

namespace easel {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> Examples() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(EASEL_SOURCE_DIR) / "examples")) {
    if (e.path().extension() == ".yaml") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Golden, EveryExamplePlansExactlyAsCheckedIn) {
  std::vector<fs::path> examples = Examples();
  ASSERT_GE(examples.size(), 5u);
  const bool update = std::getenv("EASEL_UPDATE_GOLDEN") != nullptr;
  for (const fs::path& example : examples) {
    SCOPED_TRACE(example.string());
    spec::Diagnostics diagnostics;
    // Relative path, as a user would type it, so that nothing machine-specific is embedded.
    fs::current_path(EASEL_SOURCE_DIR);
    spec::AnySpec s = spec::LoadAnySpec("examples/" + example.filename().string(),
                                        spec::EmbeddedCatalog(), &diagnostics);
    ASSERT_TRUE(diagnostics.empty()) << diagnostics.Lines()[0];
    std::string json =
        plan::RenderPlanJson(s.is_aks() ? plan::BuildAksPlan(s.aks) : plan::BuildPlan(s.iaas));
    fs::path golden =
        fs::path(EASEL_SOURCE_DIR) / "tests/golden" / (example.stem().string() + ".plan.json");
    if (update) std::ofstream(golden, std::ios::binary) << json;
    ASSERT_TRUE(fs::exists(golden)) << "missing " << golden;
    EXPECT_EQ(json, ReadAll(golden)) << "plan of " << example << " differs from " << golden;
  }
}

TEST(Golden, NoGoldenFileWithoutItsExample) {
  for (const auto& e : fs::directory_iterator(fs::path(EASEL_SOURCE_DIR) / "tests/golden")) {
    std::string stem = e.path().filename().string();
    stem = stem.substr(0, stem.find('.'));  // <example>.plan.json, <example>.user-data.yaml
    EXPECT_TRUE(fs::exists(fs::path(EASEL_SOURCE_DIR) / "examples" / (stem + ".yaml")))
        << e.path() << " has no example";
  }
}

}  // namespace
}  // namespace easel
