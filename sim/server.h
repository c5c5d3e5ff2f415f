// azsim's front door: owns the state, routes requests of the ARM listener (Entra, admin API, ARM)
// and of the blob listener, and applies authentication, throttling, faults and the request log.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"
#include "sim/arm.h"
#include "sim/blob.h"
#include "sim/config.h"
#include "sim/entra.h"
#include "sim/faults.h"
#include "sim/http.h"
#include "sim/keyvault.h"
#include "sim/store.h"
#include "sim/throttle.h"
#include "sim/tls.h"

namespace azsim {

class Server {
 public:
  // Opens the state (creating certificates on first start) and binds both listeners.
  static easel::Result<std::unique_ptr<Server>> Start(const Options& options,
                                                      boost::asio::io_context& io);
  ~Server();
  // The JSON line printed on stdout when ready.
  std::string ReadyLine() const;

 private:
  Server() = default;
  HttpResponse HandleMain(HttpRequest& req);
  HttpResponse HandleBlob(HttpRequest& req);
  HttpResponse HandleArm(HttpRequest& req, std::string* principal);
  HttpResponse HandleAdmin(HttpRequest& req);
  HttpResponse HandleVault(HttpRequest& req, const std::string& vault);
  // Opens the data-plane listener of a vault (at `preferred` when that port is free).
  int OpenVaultListener(const std::string& vault, int preferred);
  // Appends a request to the request log; `res` gives its status, its Retry-After and the URL
  // it tells the client to poll, so a test can check when the client came back.
  void Record(const HttpRequest& req, const std::string& service, const std::string& principal,
              const HttpResponse& res, double start);

  Options options_;
  Fixture fixture_;
  std::string state_dir_;
  TlsFiles tls_files_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Entra> entra_;
  std::unique_ptr<BlobService> blob_;
  std::unique_ptr<Arm> arm_;
  std::unique_ptr<KeyVaultStore> vaults_;
  std::unique_ptr<KeyVaultData> vault_data_;
  boost::asio::io_context* io_ = nullptr;
  std::mutex vault_mu_;
  std::map<std::string, std::unique_ptr<HttpsServer>> vault_listeners_;  // lowercased name
  std::map<std::string, std::string> vault_uris_;                        // lowercased name -> URI
  std::unique_ptr<Throttle> throttle_;
  std::unique_ptr<Faults> faults_;
  std::unique_ptr<HttpsServer> main_listener_, blob_listener_;
  std::string arm_base_, blob_base_;

  std::mutex log_mu_;
  std::deque<std::string> log_;  // JSON lines, newest last
  uint64_t log_seq_ = 0;
  std::map<std::string, uint64_t> by_method_, by_type_, by_status_;
};

}  // namespace azsim
