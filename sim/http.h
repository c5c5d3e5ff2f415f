// A small HTTPS/1.1 server (Boost.Beast over OpenSSL) with keep-alive and a thread pool.
// Handlers are synchronous functions from a request to a response; they run on pool threads.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace azsim {

struct HttpRequest {
  std::string method;  // upper case
  std::string target;  // raw request target
  std::string path;    // raw path (not decoded)
  std::string raw_query;
  std::map<std::string, std::string> query;    // lowercased keys, decoded values
  std::map<std::string, std::string> headers;  // lowercased names
  std::string body;
  std::string remote;  // peer address
  bool loopback = false;
  std::string principal;  // the object id the server authenticated (ARM requests), else ""

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  bool HasHeader(const std::string& lower_name) const { return headers.count(lower_name) > 0; }
  std::string Query(const std::string& lower_name) const {
    auto it = query.find(lower_name);
    return it == query.end() ? std::string() : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // For HEAD: the Content-Length to announce although no body is sent.
  std::optional<uint64_t> head_length;
  // Fault injection: close the connection without answering.
  bool drop = false;

  void Set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
  std::string Get(const std::string& name) const;
};

using HttpHandler = std::function<HttpResponse(HttpRequest&)>;

// Limits of one request on the wire: larger bodies or headers are answered 413.
inline constexpr uint64_t kRequestBodyLimit = 300ull << 20;  // larger than a 256 MiB block
inline constexpr uint32_t kRequestHeaderLimit = 64 * 1024;

// Parses bytes as a client sent them on a connection (several pipelined requests, the last one
// possibly cut short) with the server's parser and limits, and returns what the handler would be
// given for each complete request. *error is empty when every byte was a request or the start of
// one; otherwise the parser's complaint, after which the server closes the connection.
std::vector<HttpRequest> ParseRequests(std::string_view bytes, std::string* error);

class HttpsServer {
 public:
  // Binds `host:port` (port 0 picks a free one). Fails with a Status when the address is unusable.
  static easel::Result<std::unique_ptr<HttpsServer>> Listen(boost::asio::io_context& io,
                                                            boost::asio::ssl::context& tls,
                                                            const std::string& host, int port,
                                                            HttpHandler handler);
  virtual ~HttpsServer() = default;
  virtual int port() const = 0;
};

}  // namespace azsim
