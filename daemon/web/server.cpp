// The web view's HTTP server: Beast on its own thread (like the metrics
// endpoint, daemon/ops/endpoint.cpp), one request at a time per connection,
// keep-alive up to k_max_requests, GET and HEAD only.
//
// Limits: request headers 8 KB, no request body, 10 s to read a request, 30 s
// to write the answer; query values are cut at 500 bytes; every database
// statement times out after 10 s.
//
// Security: every answer carries a Content-Security-Policy that allows nothing
// but the view's own stylesheet and forms (no scripts, frames, fonts, or
// outside origins), X-Content-Type-Options: nosniff, no-referrer and no
// framing. The database session is read-only (default_transaction_read_only)
// and takes the feedwatch_analyst role when the daemon's user is a member.
// With web.token_env (or user_env/password_env) every request must
// authenticate; credentials are compared through their SHA-256 digests in
// constant time and never logged.
#include "daemon/web/server.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <thread>

#include "daemon/config/config.hpp"
#include "daemon/db/pg.hpp"
#include "daemon/web/html.hpp"
#include "daemon/web/pages.hpp"

namespace fw::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr int k_max_requests = 100;  // per connection
constexpr std::size_t k_header_limit = 8 * 1024;
constexpr const char* k_csp =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'";

tcp::endpoint parse_listen(const std::string& listen) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("web.listen: expected host:port, got " + listen);
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("web.listen: not an IP address or localhost: " + host);
  const int port = std::stoi(listen.substr(colon + 1));
  return {address, static_cast<unsigned short>(port)};
}

std::array<unsigned char, SHA256_DIGEST_LENGTH> digest(std::string_view s) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> out{};
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), out.data());
  return out;
}

bool same_secret(std::string_view given, std::string_view expected) {
  const auto a = digest(given);
  const auto b = digest(expected);
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::string> base64_decode(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0 || in.size() > 4096) return std::nullopt;
  std::string out(in.size() / 4 * 3, '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  std::size_t len = static_cast<std::size_t>(n);
  if (in.back() == '=') --len;
  if (in.size() >= 2 && in[in.size() - 2] == '=') --len;
  out.resize(len);
  return out;
}

std::string env_value(const std::string& name, const std::string& key) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr || *v == '\0') {
    throw std::runtime_error(
        "web." + key + ": environment variable " + name +
        " is not set (the web view does not start without the login it was configured with)");
  }
  return v;
}

std::string_view sv(beast::string_view s) {
  return {s.data(), s.size()};
}

bool valid_host_header(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == ':' || c == '[' || c == ']';
    if (!ok) return false;
  }
  return true;
}

// The database connection of the web thread: read-only, reopened after a failure.
class Database {
 public:
  explicit Database(std::string conninfo) : m_conninfo(std::move(conninfo)) {}

  db::Connection* connection(std::string* error) {
    if (m_conn.ok()) return &m_conn;
    const bool url = m_conninfo.find("://") != std::string::npos;
    auto c = db::Connection::open(
        m_conninfo +
        (!url && m_conninfo.find("connect_timeout") == std::string::npos ? " connect_timeout=3" : ""));
    if (!c) {
      *error = c.error().message;
      return nullptr;
    }
    for (const char* sql : {"SET default_transaction_read_only = on", "SET statement_timeout = '10s'",
                            "SET application_name = 'feedwatch-web'"}) {
      if (auto r = c->exec(sql); !r) {
        *error = r.error().message;
        return nullptr;
      }
    }
    auto member = c->exec(
        "SELECT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = 'feedwatch_analyst' "
        "               AND pg_has_role(current_user, r.oid, 'MEMBER'))");
    std::string role = "current_user";
    if (member && member->get(0, 0) == "t") {
      if (auto r = c->exec("SET ROLE feedwatch_analyst"); r) role = "feedwatch_analyst";
    }
    if (!m_announced) {
      spdlog::info("web_database role={} read_only=true", role);
      m_announced = true;
    }
    m_conn = std::move(*c);
    return &m_conn;
  }

  void drop() { m_conn = db::Connection(); }

 private:
  std::string m_conninfo;
  db::Connection m_conn;
  bool m_announced = false;
};

}  // namespace

ServerOptions options_from_config(const config::Config& config, const std::string& conninfo) {
  ServerOptions o;
  o.listen = config.web_listen.value_or("127.0.0.1:8080");
  o.conninfo = conninfo;
  for (const auto& f : config.feeds) o.feeds.push_back(f.name);
  for (const auto& r : config.rules) o.rules.push_back(r.name);
  if (!config.web_token_env.empty()) o.token = env_value(config.web_token_env, "token_env");
  if (!config.web_user_env.empty()) o.user = env_value(config.web_user_env, "user_env");
  if (!config.web_password_env.empty()) o.password = env_value(config.web_password_env, "password_env");
  return o;
}

struct Server::Impl {
  struct Session : std::enable_shared_from_this<Session> {
    Session(tcp::socket s, Impl* o) : stream(std::move(s)), owner(o) {}

    void read() {
      parser.emplace();
      parser->header_limit(k_header_limit);
      parser->body_limit(0);
      stream.expires_after(std::chrono::seconds(10));
      http::async_read(stream, buffer, *parser,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
      if (ec) {
        if (ec != http::error::end_of_stream && ec != beast::error::timeout &&
            ec != asio::error::operation_aborted && ec != asio::error::connection_reset) {
          respond_plain(http::status::bad_request, "bad request\n", 11);
        }
        return;
      }
      const auto started = std::chrono::steady_clock::now();
      http::request<http::empty_body> request = parser->release();
      ++requests;
      response = {};
      response.version(11);
      response.keep_alive(request.keep_alive() && requests < k_max_requests);
      int status = 200;
      if (request.method() != http::verb::get && request.method() != http::verb::head) {
        status = 405;
        set_plain(http::status::method_not_allowed, "GET only\n");
        response.set(http::field::allow, "GET, HEAD");
      } else if (!owner->authorized(request)) {
        status = 401;
        set_plain(http::status::unauthorized, "authentication required\n");
        response.set(http::field::www_authenticate, owner->challenge());
      } else {
        const Target target = parse_target(sv(request.target()));
        Site site{owner->options.feeds, owner->options.rules, "http://" + owner->options.listen};
        if (const std::string_view host = sv(request[http::field::host]); valid_host_header(host)) {
          site.base_url = "http://" + std::string(host);
        }
        std::string error;
        Response page;
        db::Connection* conn = owner->database.connection(&error);
        if (conn == nullptr && target.path != "/style.css") {
          page.status = 503;
          page.content_type = "text/plain; charset=utf-8";
          page.body = "The database is unreachable; try again in a moment.\n";
        } else {
          db::Connection none;
          page = handle(conn ? *conn : none, target, site, &error);
        }
        if (!error.empty()) {
          spdlog::warn("web_database_error path={} error=\"{}\"", target.path, error);
          owner->database.drop();
        }
        status = page.status;
        response.result(static_cast<unsigned>(page.status));
        response.set(http::field::content_type, page.content_type);
        response.set(http::field::cache_control, "no-store");
        for (const auto& [name, value] : page.headers) response.set(name, value);
        response.body() = std::move(page.body);
        spdlog::debug(
            "web_request path={} status={} ms={}", target.path, status,
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
                .count());
      }
      add_security_headers();
      response.prepare_payload();
      if (request.method() == http::verb::head) {
        const auto length = response.body().size();
        response.body().clear();
        response.content_length(length);
      }
      write();
    }

    void set_plain(http::status status, std::string body) {
      response.result(status);
      response.set(http::field::content_type, "text/plain; charset=utf-8");
      response.body() = std::move(body);
    }

    void add_security_headers() {
      response.set(http::field::server, "feedwatch");
      response.set("Content-Security-Policy", k_csp);
      response.set("X-Content-Type-Options", "nosniff");
      response.set("X-Frame-Options", "DENY");
      response.set("Referrer-Policy", "no-referrer");
      response.set("Cross-Origin-Resource-Policy", "same-origin");
    }

    void respond_plain(http::status status, const char* body, unsigned /*version*/) {
      response = {};
      response.version(11);
      response.keep_alive(false);
      set_plain(status, body);
      add_security_headers();
      response.prepare_payload();
      write();
    }

    void write() {
      stream.expires_after(std::chrono::seconds(30));
      http::async_write(stream, response, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (!ec && self->response.keep_alive()) {
          self->read();
          return;
        }
        beast::error_code ignored;
        self->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      });
    }

    beast::tcp_stream stream;
    beast::flat_buffer buffer{k_header_limit};
    std::optional<http::request_parser<http::empty_body>> parser;
    http::response<http::string_body> response;
    Impl* owner;
    int requests = 0;
  };

  explicit Impl(ServerOptions o) : options(std::move(o)), database(options.conninfo), acceptor(io) {
    const tcp::endpoint ep = parse_listen(options.listen);
    boost::system::error_code ec;
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("web.listen: cannot listen on " + options.listen + ": " + ec.message());
    accept();
    thread = std::thread([this] { io.run(); });
  }

  ~Impl() {
    io.stop();
    if (thread.joinable()) thread.join();
  }

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (!ec) std::make_shared<Session>(std::move(socket), this)->read();
      if (ec != asio::error::operation_aborted) accept();
    });
  }

  bool auth_required() const { return !options.token.empty() || !options.password.empty(); }

  std::string challenge() const {
    return options.password.empty() ? "Bearer realm=\"feedwatch\""
                                    : "Basic realm=\"feedwatch\", charset=\"UTF-8\"";
  }

  bool authorized(const http::request<http::empty_body>& request) const {
    if (!auth_required()) return true;
    const std::string_view header = sv(request[http::field::authorization]);
    if (!options.token.empty() && header.starts_with("Bearer ")) {
      return same_secret(header.substr(7), options.token);
    }
    if (!options.password.empty() && header.starts_with("Basic ")) {
      const auto decoded = base64_decode(header.substr(6));
      if (!decoded) return false;
      const std::size_t colon = decoded->find(':');
      if (colon == std::string::npos) return false;
      // Both compared, always: no early exit on a wrong user name.
      const bool user_ok = same_secret(std::string_view(*decoded).substr(0, colon), options.user);
      const bool password_ok = same_secret(std::string_view(*decoded).substr(colon + 1), options.password);
      return user_ok && password_ok;
    }
    return false;
  }

  ServerOptions options;
  Database database;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::thread thread;
};

Server::Server(ServerOptions options) : m_impl(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() = default;

std::uint16_t Server::port() const {
  return m_impl->acceptor.local_endpoint().port();
}

}  // namespace fw::web
