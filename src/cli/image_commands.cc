#include "cli/image_commands.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cluster_commands.h"
#include "image/vhd_image.h"

namespace easel::cli {
namespace {

int ExitCodeOf(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
      return kExitInvalid;
    default:
      return kExitFailure;
  }
}

// A 4-byte footer field for people: printable bytes as they are, others as \xNN.
std::string Printable(const std::string& field) {
  std::string s;
  for (unsigned char c : field) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      s += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      s += buf;
    }
  }
  return s;
}

std::string Iso8601(uint32_t vhd_timestamp) {
  std::time_t t = static_cast<std::time_t>(uint64_t{vhd_timestamp} + 946684800);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// "12.3 MiB", or "8.0 KiB" below 1 MiB.
std::string Mib(uint64_t bytes) {
  char buf[32];
  if (bytes < (uint64_t{1} << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  }
  return buf;
}

int Inspect(const ImageCommandLine& line) {
  Result<image::VhdInspection> r = image::InspectVhd(line.file);
  if (!r.ok()) {
    std::cerr << "easel: image inspect: " << line.file << ": " << r.status().message() << "\n";
    return ExitCodeOf(r.status());
  }
  const azure::VhdFooterInfo& f = r->footer;
  std::string version =
      std::to_string(f.creator_version >> 16) + "." + std::to_string(f.creator_version & 0xffff);
  if (line.output == "json") {
    nlohmann::json j = {
        {"file", line.file},
        {"format", "vhd"},
        {"diskType", "fixed"},
        {"virtualSize", f.current_size},
        {"originalSize", f.original_size},
        {"geometry", {{"cylinders", f.cylinders}, {"heads", f.heads}, {"sectors", f.sectors}}},
        {"creatorApplication", Printable(f.creator_app)},
        {"creatorVersion", version},
        {"creatorHostOs", Printable(f.creator_host_os)},
        {"uniqueId", azure::VhdUuidString(f.unique_id)},
        {"timestamp", Iso8601(f.timestamp)},
        {"fileSize", r->file_size},
        {"allocatedBytes", r->allocated_bytes},
        {"sparse", r->sparse()},
    };
    std::cout << j.dump(2) << "\n";
  } else {
    uint64_t chs = uint64_t{f.cylinders} * f.heads * f.sectors * 512;
    std::cout << "file:          " << line.file << "\n"
              << "format:        VHD, fixed (Azure-ready)\n"
              << "virtual size:  " << f.current_size << " bytes (" << Mib(f.current_size) << ")\n"
              << "geometry:      " << f.cylinders << " cylinders, " << int{f.heads} << " heads, "
              << int{f.sectors} << " sectors (" << chs << " bytes)\n"
              << "creator:       \"" << Printable(f.creator_app) << "\" " << version << " on \""
              << Printable(f.creator_host_os) << "\"\n"
              << "unique id:     " << azure::VhdUuidString(f.unique_id) << "\n"
              << "timestamp:     " << Iso8601(f.timestamp) << "\n"
              << "sparse:        " << (r->sparse() ? "yes" : "no") << " ("
              << Mib(r->allocated_bytes) << " allocated of " << Mib(r->file_size) << ")\n";
  }
  std::cout.flush();
  return std::cout ? kExitOk : kExitFailure;
}

int Convert(const ImageCommandLine& line) {
  image::ConvertOptions options;
  options.force = line.force;
  bool shown = false;
  if (!line.quiet && ::isatty(STDERR_FILENO)) {
    int last = -1;
    options.progress = [&last, &shown](uint64_t done, uint64_t total) {
      if (total < (uint64_t{256} << 20)) return;  // small files: no progress line
      int pct = static_cast<int>(done * 100 / total);
      if (pct == last) return;
      last = pct;
      shown = true;
      std::fprintf(stderr, "\rconverting: %3d%%", pct);
      std::fflush(stderr);
    };
  }
  Result<image::ConvertResult> r = image::ConvertRawToVhd(line.in, line.out, options);
  if (shown) std::fprintf(stderr, "\n");
  if (!r.ok()) {
    std::cerr << "easel: image convert: " << r.status().message() << "\n";
    return ExitCodeOf(r.status());
  }
  std::cout << line.out << ": fixed VHD, virtual size " << r->virtual_size << " bytes";
  if (r->virtual_size != r->input_size) {
    std::cout << " (" << line.in << "'s " << r->input_size << " rounded up to 1 MiB)";
  }
  std::cout << ", " << r->bytes_written << " bytes of data written, unique id "
            << azure::VhdUuidString(r->unique_id) << "\n";
  std::cout.flush();
  return std::cout ? kExitOk : kExitFailure;
}

}  // namespace

std::unique_ptr<ImageCommandLine> RegisterImageCommands(CLI::App& app) {
  auto line = std::make_unique<ImageCommandLine>();
  CLI::App* image = app.add_subcommand("image", "VHD tools: check and make Azure-ready disks");
  line->inspect = image->add_subcommand(
      "inspect", "check that FILE is a fixed VHD Azure imports; print its size, geometry, id");
  line->inspect->add_option("file", line->file, "the VHD file")->required();
  line->inspect->add_option("-o,--output", line->output, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  line->convert = image->add_subcommand(
      "convert", "a raw disk image to a fixed VHD (size rounded up to 1 MiB, kept sparse)");
  line->convert->add_option("in", line->in, "the raw disk image")->required();
  line->convert->add_option("out", line->out, "the VHD to write")->required();
  line->convert->add_flag("--force", line->force, "replace OUT when it exists");
  line->convert->add_flag("-q,--quiet", line->quiet, "no progress line on a terminal");
  image->require_subcommand(1);
  return line;
}

int RunImageCommands(const ImageCommandLine& line) {
  if (line.inspect && line.inspect->parsed()) return Inspect(line);
  if (line.convert && line.convert->parsed()) return Convert(line);
  return -1;
}

}  // namespace easel::cli
