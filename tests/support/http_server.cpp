#include "tests/support/http_server.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <mutex>
#include <thread>

namespace fw::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpServer::Impl {
  struct Session : std::enable_shared_from_this<Session> {
    Session(tcp::socket s, Impl* o) : stream(std::move(s)), owner(o) {}

    void read() {
      request = {};
      http::async_read(stream, buffer, request,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
      if (ec) return;  // closed by the client, or malformed: drop the connection
      HttpRequest r;
      r.method = std::string(request.method_string());
      r.target = std::string(request.target());
      r.received = std::chrono::steady_clock::now();
      r.body = request.body();
      for (const auto& field : request) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(field.value());
      }
      HttpHandler handler;
      {
        std::lock_guard<std::mutex> lock(owner->mutex);
        owner->recorded.push_back(r);
        handler = owner->handler;
      }
      HttpReply reply = handler ? handler(r) : HttpReply{404, {}, "no handler"};
      response = {};
      response.version(request.version());
      response.result(static_cast<unsigned>(reply.status));
      bool has_type = false;
      for (const auto& [name, value] : reply.headers) {
        response.insert(name, value);
        has_type = has_type || beast::iequals(name, "content-type");
      }
      if (!has_type && reply.status != 304)
        response.set(http::field::content_type, "application/rss+xml; charset=UTF-8");
      response.body() = std::move(reply.body);
      response.keep_alive(request.keep_alive());
      if (reply.status == 304 || reply.status == 204) {
        response.content_length(boost::none);
        response.body().clear();
      } else {
        response.prepare_payload();
      }
      http::async_write(stream, response, [self = shared_from_this()](beast::error_code wec, std::size_t) {
        if (wec) return;
        if (self->response.keep_alive()) {
          self->read();
        } else {
          beast::error_code ignored;
          self->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        }
      });
    }

    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
    Impl* owner;
  };

  Impl(HttpHandler h, int threads, std::uint16_t fixed_port = 0) : handler(std::move(h)), acceptor(io) {
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), fixed_port);
    acceptor.open(ep.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen();
    port = acceptor.local_endpoint().port();
    accept();
    for (int i = 0; i < std::max(1, threads); ++i) pool.emplace_back([this] { io.run(); });
  }

  ~Impl() {
    io.stop();
    for (auto& t : pool) t.join();
  }

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (!ec) {
        ++accepted;
        std::make_shared<Session>(std::move(socket), this)->read();
      }
      if (ec != asio::error::operation_aborted) accept();
    });
  }

  mutable std::mutex mutex;
  HttpHandler handler;
  std::vector<HttpRequest> recorded;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  std::atomic<int> accepted{0};
  std::vector<std::thread> pool;
};

HttpServer::HttpServer(HttpHandler handler, int threads)
    : m_impl(std::make_unique<Impl>(std::move(handler), threads)) {}
HttpServer::HttpServer(HttpHandler handler, std::uint16_t port)
    : m_impl(std::make_unique<Impl>(std::move(handler), 1, port)) {}
HttpServer::~HttpServer() = default;

std::uint16_t HttpServer::port() const {
  return m_impl->port;
}

std::string HttpServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(m_impl->port) + path;
}

std::vector<HttpRequest> HttpServer::requests() const {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  return m_impl->recorded;
}

int HttpServer::hits(const std::string& target) const {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  int n = 0;
  for (const auto& r : m_impl->recorded) n += r.target == target ? 1 : 0;
  return n;
}

int HttpServer::connections() const {
  return m_impl->accepted.load();
}

void HttpServer::set_handler(HttpHandler handler) {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  m_impl->handler = std::move(handler);
}

}  // namespace fw::test
