// A small HTTPS client on libcurl. TLS is always verified (a CA bundle can be added, never
// switched off); connections, DNS results and TLS sessions are reused across requests and
// threads. Errors are values: a transport failure (refused, reset, timed out) is kUnavailable,
// an HTTP error status is a normal response for the caller to interpret.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "common/status.h"

namespace easel {

// Header names compare case-insensitively, as HTTP says.
struct CaseInsensitiveLess {
  bool operator()(const std::string& a, const std::string& b) const;
};
using HttpHeaders = std::map<std::string, std::string, CaseInsensitiveLess>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
  // The header's value, or "" when absent.
  std::string Header(const std::string& name) const;
};

struct HttpClientOptions {
  std::string ca_bundle;  // extra CA file (PEM) trusted besides the system's; empty: system only
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{60'000};
  std::string user_agent = "easel";
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  virtual ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request; thread-safe. kUnavailable on transport failure.
  virtual Result<HttpResponse> Send(const HttpRequest& request);

 protected:
  // For fakes that override Send (tests, fuzzing): no connection state at all.
  HttpClient();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// application/x-www-form-urlencoded and URL query escaping.
std::string UrlEncode(const std::string& s);

}  // namespace easel
