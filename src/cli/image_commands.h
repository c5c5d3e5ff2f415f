// `easel image inspect FILE [-o json]`, `easel image convert IN.raw OUT.vhd [--force]` and
// `easel image upload FILE.vhd --account A --container C`: the VHD tools (src/image). Exit codes:
// 0 done, 2 bad input (not an Azure-ready VHD, a missing or unsuitable input, an existing output
// or blob, a missing container), 1 anything else (a read or write failure, storage refusing or
// failing).
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
  CLI::App* upload = nullptr;
  std::string file, in, out;
  std::string output = "table";  // inspect: table | json
  bool force = false;            // convert: replace OUT
  bool quiet = false;            // convert, upload: no progress line
  // upload
  std::string account, container, blob_name, sas;
  bool shared_key = false, overwrite = false;
  int connections = 4;
  uint64_t stop_after_puts = 0;  // hidden test hook
};

// Adds `image inspect` and `image convert` to `app`; the options land in the returned object,
// which must outlive the parse.
std::unique_ptr<ImageCommandLine> RegisterImageCommands(CLI::App& app);

// Runs the image subcommand the command line chose and returns its exit code; -1 when it chose
// none of them. `context` and `state_path` (the global options) are for upload's cloud.
int RunImageCommands(const ImageCommandLine& line, const std::string& context,
                     const std::string& state_path);

}  // namespace easel::cli
