#include "sim/http.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "common/strings.h"
#include "sim/util.h"

namespace azsim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

std::string HttpResponse::Get(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (IEquals(k, name)) return v;
  return "";
}

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(120);

// What the handler is given for a parsed request (peer fields left empty).
HttpRequest FromMessage(bhttp::request<bhttp::string_body>&& msg) {
  HttpRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  size_t q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) {
    req.raw_query = req.target.substr(q + 1);
    req.query = ParseQuery(req.raw_query);
  }
  for (const auto& field : msg) {
    std::string name = easel::ToLower(std::string(field.name_string()));
    auto [it, inserted] = req.headers.emplace(name, std::string(field.value()));
    if (!inserted) it->second += "," + std::string(field.value());
  }
  req.body = std::move(msg.body());
  return req;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, asio::ssl::context& tls, const HttpHandler& handler)
      : stream_(std::move(socket), tls), handler_(handler) {}

  void Start() {
    beast::error_code ec;
    auto ep = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) {
      remote_ = ep.address().to_string();
      loopback_ = ep.address().is_loopback();
    }
    beast::get_lowest_layer(stream_).socket().set_option(tcp::no_delay(true), ec);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
    stream_.async_handshake(asio::ssl::stream_base::server,
                            beast::bind_front_handler(&Session::OnHandshake, shared_from_this()));
  }

 private:
  void OnHandshake(beast::error_code ec) {
    if (ec) return;
    Read();
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(kRequestBodyLimit);
    parser_->header_limit(kRequestHeaderLimit);
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec) {
      if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit) {
        SendError(413, "request too large");
        return;
      }
      Close();
      return;
    }
    auto msg = parser_->release();
    keep_alive_ = msg.keep_alive();
    HttpRequest req = FromMessage(std::move(msg));
    req.remote = remote_;
    req.loopback = loopback_;
    HttpResponse res;
    try {
      res = handler_(req);
    } catch (const std::exception& e) {
      res = HttpResponse{};
      res.status = 500;
      res.Set("Content-Type", "application/json");
      res.body = R"({"error":{"code":"InternalServerError","message":"azsim internal error"}})";
    }
    if (res.drop) {
      Close();
      return;
    }
    Send(std::move(res), req.method == "HEAD");
  }

  void SendError(int status, const std::string& message) {
    HttpResponse res;
    res.status = status;
    res.Set("Content-Type", "text/plain");
    res.body = message;
    keep_alive_ = false;
    Send(std::move(res), false);
  }

  void Send(HttpResponse res, bool head) {
    auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
    out->version(11);
    out->result(static_cast<unsigned>(res.status));
    for (auto& [k, v] : res.headers) out->insert(k, v);
    out->keep_alive(keep_alive_);
    if (head) {
      out->content_length(res.head_length.value_or(res.body.size()));
    } else {
      out->body() = std::move(res.body);
      out->prepare_payload();
    }
    response_ = out;
    if (head) {
      auto sr = std::make_shared<bhttp::response_serializer<bhttp::string_body>>(*out);
      head_serializer_ = sr;
      bhttp::async_write_header(stream_, *sr,
                                beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
      return;
    }
    bhttp::async_write(stream_, *out,
                       beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, size_t) {
    response_.reset();
    head_serializer_.reset();
    if (ec) return;
    if (!keep_alive_) {
      Close();
      return;
    }
    Read();
  }

  void Close() {
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(stream_).close();
  }

  asio::ssl::stream<beast::tcp_stream> stream_;
  const HttpHandler& handler_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<void> response_;
  std::shared_ptr<void> head_serializer_;
  std::string remote_;
  bool loopback_ = false;
  bool keep_alive_ = true;
};

class ServerImpl : public HttpsServer, public std::enable_shared_from_this<ServerImpl> {
 public:
  ServerImpl(asio::io_context& io, asio::ssl::context& tls, HttpHandler handler)
      : io_(io), tls_(tls), acceptor_(io), handler_(std::move(handler)) {}

  easel::Status Open(const std::string& host, int port) {
    beast::error_code ec;
    auto addr = asio::ip::make_address(host, ec);
    if (ec)
      return easel::Status::InvalidArgument("listen address " + easel::Quote(host) + ": " +
                                            ec.message());
    tcp::endpoint ep(addr, static_cast<unsigned short>(port));
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return easel::Status::IOError("listen on " + host + ":" + std::to_string(port) + ": " +
                                    ec.message());
    port_ = acceptor_.local_endpoint().port();
    Accept();
    return easel::Status::Ok();
  }

  int port() const override { return port_; }

 private:
  void Accept() {
    acceptor_.async_accept(
        asio::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
          if (!ec) std::make_shared<Session>(std::move(socket), tls_, handler_)->Start();
          if (acceptor_.is_open()) Accept();
        });
  }

  asio::io_context& io_;
  asio::ssl::context& tls_;
  tcp::acceptor acceptor_;
  HttpHandler handler_;
  int port_ = 0;
};

}  // namespace

std::vector<HttpRequest> ParseRequests(std::string_view bytes, std::string* error) {
  std::vector<HttpRequest> out;
  error->clear();
  while (!bytes.empty()) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(kRequestBodyLimit);
    parser.header_limit(kRequestHeaderLimit);
    while (!parser.is_done()) {
      beast::error_code ec;
      size_t used = parser.put(asio::buffer(bytes.data(), bytes.size()), ec);
      bytes.remove_prefix(used);
      if (ec && ec != bhttp::error::need_more) {
        *error = ec.message();
        return out;
      }
      if (!parser.is_done() && (used == 0 || bytes.empty())) return out;  // the rest is to come
    }
    out.push_back(FromMessage(parser.release()));
  }
  return out;
}

easel::Result<std::unique_ptr<HttpsServer>> HttpsServer::Listen(asio::io_context& io,
                                                                asio::ssl::context& tls,
                                                                const std::string& host, int port,
                                                                HttpHandler handler) {
  auto server = std::make_unique<ServerImpl>(io, tls, std::move(handler));
  easel::Status st = server->Open(host, port);
  if (!st.ok()) return st;
  return std::unique_ptr<HttpsServer>(std::move(server));
}

}  // namespace azsim
