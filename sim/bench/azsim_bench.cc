// azsim benchmark: ARM GETs per second over TLS keep-alive, and resident memory with many
// resources. Starts a real azsim (port 0, temporary state dir), loads N user-assigned identities
// through ARM PUTs, then measures. Prints a markdown table; ratios are measured in the same run
// (GET throughput against the admin health endpoint, which shares TLS and HTTP but not ARM).
//
// usage: azsim_bench /path/to/azsim [--resources N] [--seconds S] [--connections C]
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using nlohmann::json;

extern char** environ;

namespace {

struct Ready {
  std::string host;
  std::string port;
  std::string ca;
  json raw;
};

// One keep-alive HTTPS connection.
class Client {
 public:
  Client(const Ready& r) : ctx_(asio::ssl::context::tls_client), stream_(io_, ctx_) {
    ctx_.load_verify_file(r.ca);
    stream_.set_verify_mode(asio::ssl::verify_peer);
    tcp::resolver resolver(io_);
    asio::connect(stream_.next_layer(), resolver.resolve(r.host, r.port));
    stream_.next_layer().set_option(tcp::no_delay(true));
    stream_.handshake(asio::ssl::stream_base::client);
    host_ = r.host + ":" + r.port;
  }
  // Returns the status; body in *out when given.
  int Call(http::verb method, const std::string& target, const std::string& token,
           const std::string& body, const std::string& content_type, std::string* out = nullptr) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, host_);
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (!body.empty()) {
      req.set(http::field::content_type, content_type);
      req.body() = body;
    }
    req.keep_alive(true);
    req.prepare_payload();
    http::write(stream_, req);
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res);
    if (out) *out = res.body();
    return int(res.result_int());
  }

 private:
  asio::io_context io_;
  asio::ssl::context ctx_;
  asio::ssl::stream<tcp::socket> stream_;
  beast::flat_buffer buffer_;
  std::string host_;
};

long RssKiB(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Runs fn(client, i) on `connections` threads for `seconds`; returns requests per second.
template <typename Fn>
double Measure(const Ready& r, int connections, double seconds, Fn fn) {
  std::atomic<long> count{0};
  std::atomic<long> errors{0};
  std::vector<std::thread> threads;
  double start = Now();
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      Client client(r);
      std::mt19937 rng{unsigned(c)};
      while (Now() - start < seconds) {
        if (fn(client, rng) != 200) ++errors;
        ++count;
      }
    });
  }
  for (auto& t : threads) t.join();
  if (errors > 0) std::cerr << "warning: " << errors << " non-200 answers\n";
  return double(count) / (Now() - start);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr
        << "usage: azsim_bench /path/to/azsim [--resources N] [--seconds S] [--connections C]\n";
    return 2;
  }
  std::string bin = argv[1];
  long resources = 100000;
  double seconds = 5;
  int connections = 4;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--resources") resources = std::atol(argv[i + 1]);
    if (a == "--seconds") seconds = std::atof(argv[i + 1]);
    if (a == "--connections") connections = std::atoi(argv[i + 1]);
  }
  char tmpl[] = "/tmp/azsim-bench-XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  std::string dir = tmpl;
  int pipefd[2];
  if (pipe(pipefd) != 0) return 1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
  posix_spawn_file_actions_addclose(&fa, pipefd[0]);
  std::vector<std::string> args = {bin, "--state-dir", dir, "--time-scale", "0", "--no-throttle"};
  std::vector<char*> cargs;
  for (auto& s : args) cargs.push_back(s.data());
  cargs.push_back(nullptr);
  pid_t pid;
  if (posix_spawn(&pid, bin.c_str(), &fa, nullptr, cargs.data(), environ) != 0) {
    std::cerr << "cannot start " << bin << "\n";
    return 1;
  }
  close(pipefd[1]);
  std::string line;
  char ch;
  while (read(pipefd[0], &ch, 1) == 1 && ch != '\n') line += ch;
  Ready r;
  r.raw = json::parse(line, nullptr, false);
  if (!r.raw.is_object()) {
    std::cerr << "no ready line from azsim\n";
    kill(pid, SIGKILL);
    return 1;
  }
  std::string arm = r.raw["arm"];
  r.host = "127.0.0.1";
  r.port = arm.substr(arm.rfind(':') + 1);
  r.ca = r.raw["caFile"];
  int rc = 0;
  try {
    Client setup(r);
    std::string tok_body;
    setup.Call(http::verb::post, "/" + r.raw["tenantId"].get<std::string>() + "/oauth2/v2.0/token",
               "",
               "grant_type=client_credentials&client_id=" + r.raw["clientId"].get<std::string>() +
                   "&client_secret=" + r.raw["clientSecret"].get<std::string>() +
                   "&scope=https%3A%2F%2Fmanagement.azure.com%2F.default",
               "application/x-www-form-urlencoded", &tok_body);
    std::string token = json::parse(tok_body)["access_token"];
    std::string sub = "/subscriptions/" + r.raw["subscriptionId"].get<std::string>();
    const int groups = 100;
    for (int g = 0; g < groups; ++g)
      setup.Call(http::verb::put,
                 sub + "/resourceGroups/bench-" + std::to_string(g) + "?api-version=2024-11-01",
                 token, R"({"location":"eastus"})", "application/json");
    long rss_before = RssKiB(pid);
    auto id_path = [&](long i) {
      return sub + "/resourceGroups/bench-" + std::to_string(i % groups) +
             "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-" + std::to_string(i) +
             "?api-version=2024-11-30";
    };
    // Load.
    double t0 = Now();
    std::atomic<long> next{0};
    std::vector<std::thread> loaders;
    for (int c = 0; c < connections; ++c) {
      loaders.emplace_back([&] {
        Client client(r);
        for (long i = next++; i < resources; i = next++) {
          int st = client.Call(http::verb::put, id_path(i), token,
                               R"({"location":"eastus","tags":{"owner":"bench","index":")" +
                                   std::to_string(i) + "\"}}",
                               "application/json");
          if (st != 201 && st != 200) std::cerr << "PUT " << i << " answered " << st << "\n";
        }
      });
    }
    for (auto& t : loaders) t.join();
    double load_s = Now() - t0;
    long rss_after = RssKiB(pid);
    // Throughput.
    double health = Measure(r, connections, seconds, [&](Client& c, std::mt19937&) {
      return c.Call(http::verb::get, "/_azsim/health", "", "", "");
    });
    double gets = Measure(r, connections, seconds, [&](Client& c, std::mt19937& rng) {
      return c.Call(http::verb::get, id_path(long(rng() % uint32_t(resources))), token, "", "");
    });
    std::string state_size;
    uintmax_t db = 0;
    for (auto& e : std::filesystem::directory_iterator(dir))
      if (e.path().filename().string().rfind("state.db", 0) == 0) db += e.file_size();
    std::printf("| measure | value |\n|---|---|\n");
    std::printf("| resources loaded (user-assigned identities, %d groups) | %ld |\n", groups,
                resources);
    std::printf("| load: ARM PUTs per second (%d connections) | %.0f |\n", connections,
                double(resources) / load_s);
    std::printf("| resident memory before load (MiB) | %.1f |\n", double(rss_before) / 1024);
    std::printf("| resident memory with all resources (MiB) | %.1f |\n", double(rss_after) / 1024);
    std::printf("| resident memory per resource (bytes) | %.0f |\n",
                double(rss_after - rss_before) * 1024 / double(resources));
    std::printf("| state database on disk (MiB) | %.1f |\n", double(db) / (1 << 20));
    std::printf(
        "| baseline: GET /_azsim/health per second (TLS keep-alive, %d connections) | %.0f |\n",
        connections, health);
    std::printf(
        "| ARM GETs per second (random resource, TLS keep-alive, %d connections) | %.0f |\n",
        connections, gets);
    std::printf("| ARM GET throughput / baseline | %.2f |\n", gets / health);
  } catch (const std::exception& e) {
    std::cerr << "benchmark failed: " << e.what() << "\n";
    rc = 1;
  }
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  std::filesystem::remove_all(dir);
  return rc;
}
