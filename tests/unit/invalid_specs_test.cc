// Data-driven: every tests/invalid/<case>.<ext> with a <case>.expected beside it is run through
// the real binary (`easel validate -f <case>.<ext>` in tests/invalid); stderr must equal the
// .expected file exactly and the exit code must be 2. Add a case by adding the two files.
// Also the command line's own exit codes and the offline plan, through the same binary.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

struct Outcome {
  std::string stderr_text;
  int exit_code = -1;
};

// Runs a shell command; its output (what it does not redirect) and exit code.
Outcome Run(const std::string& command) {
  Outcome out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.stderr_text.append(buf.data(), n);
  int status = pclose(pipe);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

Outcome RunValidate(const fs::path& dir, const std::string& file) {
  return Run("cd '" + dir.string() + "' && '" + EASEL_BINARY + "' validate -f '" + file +
             "' 2>&1 >/dev/null");
}

std::vector<fs::path> Cases() {
  std::vector<fs::path> out;
  fs::path dir = fs::path(EASEL_SOURCE_DIR) / "tests/invalid";
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".expected") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(InvalidSpecs, EachPrintsItsExactErrorsAndExits2) {
  std::vector<fs::path> cases = Cases();
  EXPECT_GE(cases.size(), 40u);
  for (const fs::path& c : cases) {
    SCOPED_TRACE(c.filename().string());
    fs::path expected_file = c;
    expected_file.replace_extension(".expected");
    ASSERT_TRUE(fs::exists(expected_file)) << "missing " << expected_file;
    std::ifstream in(expected_file, std::ios::binary);
    std::stringstream expected;
    expected << in.rdbuf();
    Outcome got = RunValidate(c.parent_path(), c.filename().string());
    EXPECT_EQ(got.exit_code, 2);
    EXPECT_EQ(got.stderr_text, expected.str());
  }
}

TEST(InvalidSpecs, HugeFileIsRefusedWithoutReadingItAll) {
  fs::path dir = fs::temp_directory_path() / ("easel-huge-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream out(dir / "huge.yaml", std::ios::binary);
    std::string line(1023, '#');
    for (int i = 0; i < 2048; ++i) out << line << "\n";  // 2 MiB of comments
  }
  Outcome got = RunValidate(dir, "huge.yaml");
  fs::remove_all(dir);
  EXPECT_EQ(got.exit_code, 2);
  EXPECT_EQ(got.stderr_text, "huge.yaml: is larger than 1048576 bytes\n");
}

// Runs easel with `args` in the examples directory, HOME at `home`; stdout and stderr together.
Outcome RunEasel(const fs::path& home, const std::string& args) {
  return Run("cd '" + (fs::path(EASEL_SOURCE_DIR) / "examples").string() + "' && HOME='" +
             home.string() + "' '" + EASEL_BINARY + "' " + args + " 2>&1");
}

// With no context selected, `plan` is the resource graph from the spec alone; `--live` needs a
// context and says how to get one; `--live` and `--offline` exclude each other.
TEST(Cli, PlanWithoutAContextIsTheGraphAndLiveNeedsOne) {
  char tmpl[] = "/tmp/easel-cli-test-XXXXXX";
  fs::path home = ::mkdtemp(tmpl);
  Outcome graph = RunEasel(home, "plan -f quickstart.yaml -o json");
  EXPECT_EQ(graph.exit_code, 0) << graph.stderr_text;
  nlohmann::json plan = nlohmann::json::parse(graph.stderr_text, nullptr, false);
  ASSERT_TRUE(plan.is_object()) << graph.stderr_text;
  std::ifstream golden_file(fs::path(EASEL_SOURCE_DIR) / "tests/golden/quickstart.plan.json");
  nlohmann::json golden = nlohmann::json::parse(golden_file, nullptr, false);
  EXPECT_EQ(plan, golden) << "the offline plan is the golden graph";

  Outcome live = RunEasel(home, "plan --live -f quickstart.yaml");
  EXPECT_EQ(live.exit_code, 1);
  EXPECT_NE(live.stderr_text.find("no context selected: run `easel local up`"), std::string::npos)
      << live.stderr_text;
  EXPECT_NE(live.stderr_text.find("easel plan --offline"), std::string::npos) << live.stderr_text;

  Outcome both = RunEasel(home, "plan --live --offline -f quickstart.yaml");
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.stderr_text.find("--live excludes --offline"), std::string::npos)
      << both.stderr_text;
  fs::remove_all(home);
}

TEST(Cli, ExitCodes) {
  fs::path examples = fs::path(EASEL_SOURCE_DIR) / "examples";
  EXPECT_EQ(RunValidate(examples, "quickstart.yaml").exit_code, 0);
  EXPECT_EQ(RunValidate(examples, "no-such-file.yaml").exit_code, 2);
  std::string command = std::string("'") + EASEL_BINARY + "' --no-such-flag >/dev/null 2>&1";
  int status = std::system(command.c_str());
  EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 2);
}

}  // namespace
