// An azsim ARM engine and blob service in process, on a temporary state directory, as the
// server runs them (time scale 0: operations finish at once). Shared by the sim_* harnesses.
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "sim/arm.h"
#include "sim/blob.h"
#include "sim/entra.h"
#include "sim/store.h"
#include "sim/tls.h"
#include "sim/util.h"

namespace fuzz {

struct Sim {
  std::string dir;
  azsim::Fixture fixture = azsim::DefaultFixture();
  std::unique_ptr<azsim::Store> store;
  std::unique_ptr<azsim::Entra> entra;
  std::unique_ptr<azsim::BlobService> blob;
  std::unique_ptr<azsim::Arm> arm;

  Sim() {
    char tmpl[] = "/tmp/easel-fuzz-sim-XXXXXX";
    const char* d = mkdtemp(tmpl);
    if (!d) std::abort();
    dir = d;
    auto files = azsim::EnsureTlsFiles(dir);
    if (!files.ok()) std::abort();
    store = std::move(azsim::Store::Open(dir + "/state.db").value());
    entra = std::move(
        azsim::Entra::Create(files->jwt_key_file, fixture, "https://127.0.0.1:1").value());
    blob = std::make_unique<azsim::BlobService>(
        *store, *entra, azsim::BlobService::Settings{dir + "/blob", "https://127.0.0.1:2", 200, 0});
    if (!blob->Start().ok()) std::abort();
    arm = std::make_unique<azsim::Arm>(
        *store, *blob, fixture,
        azsim::Arm::Settings{0.0, "https://127.0.0.1:1", "https://127.0.0.1:2",
                             /*open_vault_listener=*/nullptr, /*vaults=*/nullptr,
                             /*tenant_id=*/""});
    if (!arm->Start().ok()) std::abort();
  }
  ~Sim() {
    arm.reset();
    blob.reset();
    entra.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

inline Sim& TheSim() {
  static Sim* sim = [] {
    Sim* s = new Sim();
    std::atexit([] { delete &TheSim(); });
    return s;
  }();
  return *sim;
}

// "METHOD TARGET\n" then "Name: value" lines, a blank line and the body; a missing blank line
// means no headers. Fills method, target, path, raw_query, query, headers and body.
inline azsim::HttpRequest ParseFuzzRequest(std::string_view in, bool with_headers) {
  azsim::HttpRequest req;
  size_t nl = in.find('\n');
  std::string_view line = in.substr(0, nl);
  in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  size_t space = line.find(' ');
  req.method = std::string(line.substr(0, space));
  for (char& c : req.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  req.target = space == std::string_view::npos ? "/" : std::string(line.substr(space + 1));
  size_t q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) {
    req.raw_query = req.target.substr(q + 1);
    req.query = azsim::ParseQuery(req.raw_query);
  }
  if (with_headers && in.find("\n\n") != std::string_view::npos) {
    while (!in.empty() && in[0] != '\n') {
      size_t end = in.find('\n');
      std::string_view h = in.substr(0, end);
      size_t colon = h.find(':');
      if (colon != std::string_view::npos) {
        std::string name(h.substr(0, colon));
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string_view v = h.substr(colon + 1);
        while (!v.empty() && v[0] == ' ') v.remove_prefix(1);
        req.headers[name] = std::string(v);
      }
      in = end == std::string_view::npos ? std::string_view() : in.substr(end + 1);
    }
    if (!in.empty()) in.remove_prefix(1);
  }
  req.body = std::string(in);
  req.remote = "127.0.0.1";
  req.loopback = true;
  return req;
}

}  // namespace fuzz
