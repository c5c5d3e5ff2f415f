// `easel image inspect FILE [-o json]` and `easel image convert IN.raw OUT.vhd [--force]`: the
// VHD tools (src/image). Exit codes: 0 done, 2 bad input (not an Azure-ready VHD, a missing or
// unsuitable input, an existing output), 1 anything else (a read or write failure).
#pragma once

#include <memory>
#include <string>

namespace CLI {
class App;
}

namespace easel::cli {

struct ImageCommandLine {
  CLI::App* inspect = nullptr;
  CLI::App* convert = nullptr;
  std::string file, in, out;
  std::string output = "table";  // inspect: table | json
  bool force = false;            // convert: replace OUT
  bool quiet = false;            // convert: no progress line
};

// Adds `image inspect` and `image convert` to `app`; the options land in the returned object,
// which must outlive the parse.
std::unique_ptr<ImageCommandLine> RegisterImageCommands(CLI::App& app);

// Runs the image subcommand the command line chose and returns its exit code; -1 when it chose
// none of them.
int RunImageCommands(const ImageCommandLine& line);

}  // namespace easel::cli
