#include "daemon/ops/endpoint.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "daemon/db/pg.hpp"

namespace fw::ops {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

tcp::endpoint parse_listen(const std::string& listen) {
  std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos)
    throw std::runtime_error("metrics.listen: expected host:port, got " + listen);
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("metrics.listen: not an IP address or localhost: " + host);
  int port = std::stoi(listen.substr(colon + 1));
  return {address, static_cast<unsigned short>(port)};
}

// A database connection kept by the endpoint thread and reopened after a failure.
class Reporter {
 public:
  explicit Reporter(std::string conninfo) : m_conninfo(std::move(conninfo)) {}

  db::Connection* connection(std::string* error) {
    if (!m_conn.ok()) {
      auto c = db::Connection::open(m_conninfo + (m_conninfo.find("connect_timeout") == std::string::npos &&
                                                          m_conninfo.find("://") == std::string::npos
                                                      ? " connect_timeout=3"
                                                      : ""));
      if (!c) {
        *error = c.error().message;
        return nullptr;
      }
      m_conn = std::move(*c);
    }
    return &m_conn;
  }

  bool ping(std::string* error) {
    db::Connection* c = connection(error);
    if (!c) return false;
    auto r = c->exec("SELECT 1");
    if (!r) {
      *error = r.error().message;
      m_conn = db::Connection();
      return false;
    }
    return true;
  }

  std::string source_health(std::string* error) {
    db::Connection* c = connection(error);
    if (!c) return {};
    auto r = c->exec(
        "SELECT f.name, extract(epoch FROM now() - ps.last_success_at)::bigint, "
        "       extract(epoch FROM now() - f.last_new_article_at)::bigint, f.error_count, "
        "       (SELECT count(*) FROM article_feeds af WHERE af.feed_id = f.id), "
        "       (SELECT count(DISTINCT c.article_id) FROM article_feeds af "
        "         JOIN article_changes c ON c.article_id = af.article_id "
        "         WHERE af.feed_id = f.id AND NOT ('removed' = ANY (c.kinds))), "
        "       coalesce(f.lease_until > now() AND f.next_poll_at <= now(), false), "
        "       (SELECT count(*) FROM article_feeds af JOIN articles a ON a.id = af.article_id "
        "         WHERE af.feed_id = f.id AND a.page_status BETWEEN 200 AND 299), "
        "       (SELECT count(*) FROM article_feeds af JOIN articles a ON a.id = af.article_id "
        "         JOIN article_versions v ON v.id = a.current_version_id "
        "         WHERE af.feed_id = f.id AND a.page_status BETWEEN 200 AND 299 AND v.source = 'page' "
        "           AND v.body_text <> ''), "
        "       (SELECT count(*) FROM article_feeds af JOIN article_changes c ON c.article_id = "
        "af.article_id "
        "         WHERE af.feed_id = f.id AND c.detected_at > now() - interval '7 days') "
        "FROM feeds f JOIN feed_poll_state ps ON ps.id = f.id ORDER BY f.name");
    if (!r) {
      *error = r.error().message;
      m_conn = db::Connection();
      return {};
    }
    std::string since_success;
    std::string since_new;
    std::string errors;
    std::string articles;
    std::string edited;
    std::string extraction;
    std::string edits_week;
    int leases = 0;
    for (int i = 0; i < r->size(); ++i) {
      std::string feed = escape_label(std::string(r->get(i, 0)));
      if (!r->is_null(i, 1)) {
        since_success +=
            fmt::format("feedwatch_source_seconds_since_success{{feed=\"{}\"}} {}\n", feed, r->get(i, 1));
      }
      if (!r->is_null(i, 2)) {
        since_new +=
            fmt::format("feedwatch_source_seconds_since_new_article{{feed=\"{}\"}} {}\n", feed, r->get(i, 2));
      }
      errors += fmt::format("feedwatch_source_consecutive_errors{{feed=\"{}\"}} {}\n", feed, r->get(i, 3));
      articles += fmt::format("feedwatch_source_articles{{feed=\"{}\"}} {}\n", feed, r->get(i, 4));
      edited += fmt::format("feedwatch_source_edited_articles{{feed=\"{}\"}} {}\n", feed, r->get(i, 5));
      leases += r->get(i, 6) == "t" ? 1 : 0;
      if (std::int64_t pages = r->get_int(i, 7); pages > 0) {
        extraction += fmt::format("feedwatch_source_extraction_ratio{{feed=\"{}\"}} {:.4f}\n", feed,
                                  static_cast<double>(r->get_int(i, 8)) / static_cast<double>(pages));
      }
      edits_week += fmt::format("feedwatch_source_changes_7d{{feed=\"{}\"}} {}\n", feed, r->get(i, 9));
    }
    std::string out;
    out +=
        "# HELP feedwatch_source_seconds_since_success Seconds since the feed was last polled "
        "successfully.\n";
    out += "# TYPE feedwatch_source_seconds_since_success gauge\n" + since_success;
    out +=
        "# HELP feedwatch_source_seconds_since_new_article Seconds since the feed last brought a new "
        "article.\n";
    out += "# TYPE feedwatch_source_seconds_since_new_article gauge\n" + since_new;
    out += "# HELP feedwatch_source_consecutive_errors Failed polls in a row (0 when healthy).\n";
    out += "# TYPE feedwatch_source_consecutive_errors gauge\n" + errors;
    out += "# HELP feedwatch_source_articles Articles seen in the feed.\n";
    out += "# TYPE feedwatch_source_articles gauge\n" + articles;
    out += "# HELP feedwatch_source_edited_articles Articles of the feed with at least one recorded edit.\n";
    out += "# TYPE feedwatch_source_edited_articles gauge\n" + edited;
    out +=
        "# HELP feedwatch_source_extraction_ratio Share of the feed's fetched pages (2xx) whose extraction "
        "gave a body.\n";
    out += "# TYPE feedwatch_source_extraction_ratio gauge\n" + extraction;
    out +=
        "# HELP feedwatch_source_changes_7d Changes (edits, removals, restores) detected in the last 7 "
        "days.\n";
    out += "# TYPE feedwatch_source_changes_7d gauge\n" + edits_week;
    out +=
        "# HELP feedwatch_leases_held Feed polls under way: leased by a daemon and due (kept feeds waiting "
        "for their next poll are not counted).\n";
    out += "# TYPE feedwatch_leases_held gauge\n";
    out += fmt::format("feedwatch_leases_held {}\n", leases);
    return out;
  }

 private:
  std::string m_conninfo;
  db::Connection m_conn;
};

}  // namespace

std::string render_source_health(const std::string& conninfo, std::string* error) {
  Reporter reporter(conninfo);
  return reporter.source_health(error);
}

struct Endpoint::Impl {
  struct Session : std::enable_shared_from_this<Session> {
    Session(tcp::socket s, Impl* o) : stream(std::move(s)), owner(o) {}

    void read() {
      stream.expires_after(std::chrono::seconds(10));
      http::async_read(stream, buffer, request,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
      if (ec) return;
      response = {};
      response.version(request.version());
      response.keep_alive(false);
      std::string target(request.target());
      if (request.method() != http::verb::get && request.method() != http::verb::head) {
        response.result(http::status::method_not_allowed);
        response.body() = "GET only\n";
      } else if (target == "/metrics") {
        std::string error;
        std::string body = owner->metrics.render();
        std::string health = owner->reporter.source_health(&error);
        body += health;
        body += "# HELP feedwatch_database_up Whether the database answered this scrape.\n";
        body += "# TYPE feedwatch_database_up gauge\n";
        body += fmt::format("feedwatch_database_up {}\n", error.empty() ? 1 : 0);
        response.result(http::status::ok);
        response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        response.body() = std::move(body);
      } else if (target == "/healthz") {
        std::string error;
        bool db_ok = owner->reporter.ping(&error);
        auto idle = owner->metrics.since_heartbeat();
        bool loop_ok = idle < owner->options.stuck_after;
        response.result(db_ok && loop_ok ? http::status::ok : http::status::service_unavailable);
        response.set(http::field::content_type, "text/plain; charset=utf-8");
        std::string body = db_ok ? "database: ok\n" : "database: unreachable: " + error + "\n";
        body += loop_ok ? "loop: ok\n" : fmt::format("loop: stuck: no tick for {} s\n", idle.count());
        response.body() = std::move(body);
      } else {
        response.result(http::status::not_found);
        response.body() = "not found: try /metrics or /healthz\n";
      }
      response.prepare_payload();
      http::async_write(stream, response, [self = shared_from_this()](beast::error_code, std::size_t) {
        beast::error_code ignored;
        self->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      });
    }

    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
    Impl* owner;
  };

  Impl(EndpointOptions o, const Metrics& m)
      : options(std::move(o)), metrics(m), reporter(options.conninfo), acceptor(io) {
    tcp::endpoint ep = parse_listen(options.listen);
    boost::system::error_code ec;
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      throw std::runtime_error("metrics.listen: cannot listen on " + options.listen + ": " + ec.message());
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

  EndpointOptions options;
  const Metrics& metrics;
  Reporter reporter;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::thread thread;
};

Endpoint::Endpoint(EndpointOptions options, const Metrics& metrics)
    : m_impl(std::make_unique<Impl>(std::move(options), metrics)) {}

Endpoint::~Endpoint() = default;

std::uint16_t Endpoint::port() const {
  return m_impl->acceptor.local_endpoint().port();
}

}  // namespace fw::ops
