// azsim: a local Azure (Resource Manager, Entra ID tokens, Blob storage) over HTTPS.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <iostream>
#include <thread>

#include "sim/server.h"

namespace {

bool SplitHostPort(const std::string& text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  *host = text.substr(0, colon);
  try {
    size_t used = 0;
    *port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || *port < 0 || *port > 65535) return false;
  } catch (const std::exception&) {
    return false;
  }
  return !host->empty();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "azsim: a local Azure (Resource Manager, Entra ID, Blob storage) for tests and demos"};
  azsim::Options o;
  std::string listen = "127.0.0.1:0", blob_listen = "127.0.0.1:0";
  app.add_option("--listen", listen,
                 "ARM, Entra ID and admin API address (HOST:PORT, port 0 picks one)");
  app.add_option("--blob-listen", blob_listen,
                 "Blob storage address (HOST:PORT, port 0 picks one)");
  app.add_option("--state-dir", o.state_dir,
                 "State directory (default: a new temporary directory)");
  app.add_option("--fixtures", o.fixtures_file,
                 "Fixture file (JSON) replacing the default fixture");
  app.add_option("--time-scale", o.time_scale, "Multiplier of modelled latencies (0 = instant)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--faults", o.faults_file, "Fault rules file (JSON)");
  app.add_option("--seed", o.seed, "Seed of the fault generator");
  app.add_option("--blob-copy-mbps", o.blob_copy_mbps,
                 "Modelled Copy Blob speed in MB/s (times --time-scale)")
      ->check(CLI::PositiveNumber);
  app.add_option("--threads", o.threads, "Server threads")->check(CLI::Range(1, 64));
  bool no_throttle = false;
  app.add_flag("--no-throttle", no_throttle, "Disable ARM throttling");
  CLI11_PARSE(app, argc, argv);
  o.throttle = !no_throttle;
  if (!SplitHostPort(listen, &o.listen_host, &o.listen_port) ||
      !SplitHostPort(blob_listen, &o.blob_host, &o.blob_port)) {
    std::cerr << "azsim: --listen and --blob-listen take HOST:PORT\n";
    return 2;
  }
  boost::asio::io_context io(o.threads);
  auto server = azsim::Server::Start(o, io);
  if (!server.ok()) {
    std::cerr << "azsim: " << server.status().ToString() << "\n";
    return 1;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
  std::cout << (*server)->ReadyLine() << std::endl;
  std::vector<std::thread> threads;
  for (int i = 1; i < o.threads; ++i) threads.emplace_back([&] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  return 0;
}
