#include "cli/image_commands.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "azure/blob_client.h"
#include "cli/cluster_commands.h"
#include "cli/session.h"
#include "image/vhd_image.h"
#include "image/vhd_upload.h"

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

// What to do about an upload error, after its message.
std::string UploadHint(const Status& s, const ImageCommandLine& line) {
  const std::string& m = s.message();
  if (m.find("KeyBasedAuthenticationNotPermitted") != std::string::npos) {
    return "account " + line.account +
           " does not permit Shared Key authorization; sign in with Entra ID (the default, "
           "without --shared-key) or use --sas";
  }
  if (m.find("AuthorizationPermissionMismatch") != std::string::npos) {
    return line.sas.empty() && !line.shared_key
               ? "the signed-in principal needs a data role on the container, such as Storage "
                 "Blob Data Contributor (a management role such as Contributor is not enough), "
                 "or use --shared-key or --sas"
               : "the SAS does not grant the permissions upload needs (read, create, write: "
                 "sp=rcw)";
  }
  if (m.find("AuthenticationFailed") != std::string::npos) {
    return line.shared_key ? "the account key in AZURE_STORAGE_KEY is not one of account " +
                                 line.account + "'s keys"
                           : "storage did not accept the SAS (wrong signature, expired, or for "
                             "another resource)";
  }
  if (m.find("ContainerNotFound") != std::string::npos) {
    return "container " + line.container + " does not exist in account " + line.account;
  }
  if (s.code() == StatusCode::kNotFound && m.find("HTTP 404") != std::string::npos) {
    return "account " + line.account + " or container " + line.container + " does not exist";
  }
  return "";
}

// "\r[#####.....]  45%  460.0/1024.0 MiB  85.2 MiB/s" on stderr, at most 10 times a second.
class UploadBar {
 public:
  void Show(const image::UploadProgress& p, bool last) {
    auto now = std::chrono::steady_clock::now();
    if (!last && now - shown_ < std::chrono::milliseconds(100)) return;
    shown_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    int pct = p.extent_bytes == 0 ? 100 : static_cast<int>(p.read_bytes * 100 / p.extent_bytes);
    std::string bar(20, '.');
    for (int i = 0; i < pct / 5; ++i) bar[static_cast<size_t>(i)] = '#';
    double rate = secs > 0 ? static_cast<double>(p.sent_bytes) / secs : 0;
    std::fprintf(stderr, "\ruploading [%s] %3d%%  %s sent, %s of %s data read  %s/s   ",
                 bar.c_str(), pct, Mib(p.sent_bytes).c_str(), Mib(p.read_bytes).c_str(),
                 Mib(p.extent_bytes).c_str(), Mib(static_cast<uint64_t>(rate)).c_str());
    std::fflush(stderr);
    any_ = true;
  }
  bool any() const { return any_; }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point shown_{};
  bool any_ = false;
};

int Upload(const ImageCommandLine& line, const std::string& context, const std::string& state) {
  auto fail = [&](const Status& s) {
    std::cerr << "easel: image upload: " << s.message() << "\n";
    if (std::string hint = UploadHint(s, line); !hint.empty()) {
      std::cerr << "easel: image upload: " << hint << "\n";
    }
    return ExitCodeOf(s);
  };
  std::string key;
  if (line.shared_key) {
    const char* env = std::getenv("AZURE_STORAGE_KEY");
    if (env == nullptr || *env == '\0') {
      return fail(Status::InvalidArgument(
          "--shared-key reads the account key from the environment variable AZURE_STORAGE_KEY, "
          "which is not set"));
    }
    key = env;
  }
  Result<std::unique_ptr<Session>> session = OpenSession(context, state);
  if (!session.ok()) return fail(session.status());
  Session& sess = **session;
  std::string name = line.blob_name;
  if (name.empty()) {
    size_t slash = line.file.find_last_of('/');
    name = slash == std::string::npos ? line.file : line.file.substr(slash + 1);
  }
  const azure::Cloud& cloud = sess.context.cloud;
  std::string url =
      azure::BlobEndpoint(cloud, line.account) + line.container + "/" + UrlEncode(name);

  image::UploadOptions options;
  options.connections = line.connections;
  options.overwrite = line.overwrite;
  options.stop_after_puts = line.stop_after_puts;
  options.connect = [&]() {
    HttpClientOptions http_options;
    http_options.ca_bundle = cloud.ca_bundle;
    http_options.user_agent = "easel/" EASEL_VERSION;
    image::BlobConnection c;
    c.http = std::make_unique<HttpClient>(http_options);
    if (!line.sas.empty()) {
      c.blob = std::make_unique<azure::BlobClient>(c.http.get(), line.account,
                                                   azure::SasToken{line.sas});
    } else if (line.shared_key) {
      c.blob = std::make_unique<azure::BlobClient>(c.http.get(), line.account, key);
    } else {
      c.blob = std::make_unique<azure::BlobClient>(c.http.get(), line.account,
                                                   sess.credential.get(), cloud.storage_scope);
    }
    return c;
  };
  UploadBar bar;
  if (!line.quiet && ::isatty(STDERR_FILENO)) {
    options.progress = [&bar](const image::UploadProgress& p) {
      bar.Show(p, p.read_bytes == p.extent_bytes);  // always drawn at 100%
    };
  }
  auto start = std::chrono::steady_clock::now();
  Result<image::UploadResult> r = image::UploadVhd(line.file, url, options);
  if (bar.any()) std::fprintf(stderr, "\n");
  if (!r.ok()) {
    if (r.status().message().find("Md5Mismatch") != std::string::npos) {
      fail(r.status());
      return kExitFailure;  // bytes changed on the way: not a bad input
    }
    if (r.status().code() == StatusCode::kInvalidArgument) {
      std::cerr << "easel: image upload: " << line.file << ": " << r.status().message() << "\n";
      return ExitCodeOf(r.status());
    }
    return fail(r.status());
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << url << ": " << r->file_size << " bytes; " << r->sent_bytes
            << " bytes of data sent in " << r->puts << " Put Page requests";
  if (r->resumed) std::cout << " (resumed: " << r->present_bytes << " bytes were there already)";
  std::cout << ", " << r->data_bytes << " bytes of data in all";
  if (r->retries > 0) std::cout << ", " << r->retries << " requests retried";
  char took[32];
  std::snprintf(took, sizeof took, ", %.1f s", secs);
  std::cout << took << "\n";
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
  line->upload = image->add_subcommand(
      "upload", "a fixed VHD to a page blob: only the pages holding data, resumable");
  CLI::App* up = line->upload;
  up->add_option("file", line->file, "the fixed VHD")->required();
  up->add_option("--account", line->account, "storage account")->required();
  up->add_option("--container", line->container, "blob container (must exist)")->required();
  up->add_option("--name", line->blob_name, "blob name (default: FILE's name)");
  CLI::Option* key = up->add_flag(
      "--shared-key", line->shared_key,
      "sign with the account key from $AZURE_STORAGE_KEY (default: an Entra ID token of the "
      "context's principal)");
  up->add_option("--sas", line->sas,
                 "a service or account SAS (the query string of a SAS URL) granting rcw")
      ->excludes(key);
  up->add_option("--connections", line->connections, "parallel Put Page connections (default 4)")
      ->check(CLI::Range(1, 64));
  up->add_flag("--overwrite", line->overwrite,
               "replace a blob of that name that is not an unfinished upload of FILE");
  up->add_flag("-q,--quiet", line->quiet, "no progress bar on a terminal");
  up->add_option("--stop-after-puts", line->stop_after_puts)->group("");  // test hook
  image->require_subcommand(1);
  return line;
}

int RunImageCommands(const ImageCommandLine& line, const std::string& context,
                     const std::string& state_path) {
  if (line.inspect && line.inspect->parsed()) return Inspect(line);
  if (line.convert && line.convert->parsed()) return Convert(line);
  if (line.upload && line.upload->parsed()) return Upload(line, context, state_path);
  return -1;
}

}  // namespace easel::cli
