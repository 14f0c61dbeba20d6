#include "daemon/alerts/service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdlib>
#include <ctime>
#include <set>

#include "daemon/alerts/alerter.hpp"
#include "daemon/alerts/exec.hpp"
#include "daemon/alerts/payload.hpp"
#include "daemon/db/pg.hpp"
#include "daemon/net/fetcher.hpp"
#include "daemon/ops/metrics.hpp"
#include "daemon/store/store.hpp"

namespace fw::alerts {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

constexpr int k_max_in_flight = 16;  // requests and commands at once, all hooks together
constexpr int k_max_digest = 100;    // events in one digest request
constexpr seconds k_lease_margin{30};
constexpr milliseconds k_idle_pass{2000};
constexpr std::size_t k_max_error = 500;

// A claimed row, or several for a digest.
struct Claimed {
  std::vector<std::int64_t> ids;
  std::vector<std::string> keys;
  std::vector<std::string> payloads;
  std::string event;  // the event kind, "digest" for several
};

std::string ids_array(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "}";
}

std::string clip(std::string s) {
  if (s.size() > k_max_error) s.resize(k_max_error);
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

net::FetchOptions http_options(const config::Config& config) {
  net::FetchOptions o;
  o.user_agent = config.http.user_agent;
  o.connect_timeout = config.http.connect_timeout;
  o.max_body_bytes = 64 * 1024;  // a receiver's answer is only logged
  o.max_redirects = 0;
  o.allow_private_networks = config.http.allow_private_networks;
  o.ca_file = config.http.ca_file;
  o.timeout = seconds(10);
  return o;
}

}  // namespace

struct AlertService::Impl {
  Impl(asio::io_context& io_, db::Connection& conn_, ops::Metrics& metrics_, const config::Config& config_,
       std::string owner_)
      : io(io_),
        conn(conn_),
        metrics(metrics_),
        config(config_),
        owner(std::move(owner_)),
        alerter(std::make_shared<Alerter>(config_)),
        http(io_, http_options(config_)),
        timer(io_) {
    warn_missing_secrets();
  }

  void warn_missing_secrets() const {
    for (const auto& h : config.hooks) {
      if (h.secret_env.empty()) continue;
      const char* v = std::getenv(h.secret_env.c_str());
      if (v == nullptr || *v == '\0') {
        spdlog::warn("hook_secret_missing hook={} env={}: deliveries wait until it is set", h.name,
                     h.secret_env);
      }
    }
  }

  const config::Hook* hook(const std::string& name) const {
    for (const auto& h : config.hooks) {
      if (h.name == name) return &h;
    }
    return nullptr;
  }

  seconds lease() const {
    seconds longest{10};
    for (const auto& h : config.hooks) longest = std::max(longest, h.timeout);
    return longest + k_lease_margin;
  }

  // --- passes ------------------------------------------------------------------

  void schedule(milliseconds delay) {
    if (stopping || !running) return;
    timer.expires_after(delay);
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopping) return;
      pass();
      schedule(next_delay());
    });
  }

  milliseconds next_delay() {
    if (!conn.ok() || config.hooks.empty()) return milliseconds(5000);
    std::vector<std::string> names;
    for (const auto& h : config.hooks) names.push_back(h.name);
    auto r = conn.exec(
        "SELECT (extract(epoch FROM min(next_attempt_at) - now()) * 1000)::bigint FROM alert_deliveries "
        "WHERE status = 'pending' AND hook = ANY($1::text[])",
        {store::to_pg_text_array(names)});
    if (!r || r->empty() || r->is_null(0, 0)) return k_idle_pass;
    return std::clamp(milliseconds(r->get_int(0, 0)), milliseconds(100), k_idle_pass);
  }

  // Claims and starts what is due; the number of attempts started.
  int pass() {
    if (stopping || !conn.ok() || config.hooks.empty()) return 0;
    int started = 0;
    std::vector<std::string> plain;
    for (const auto& h : config.hooks) {
      if (!h.digest) plain.push_back(h.name);
    }
    const int room = k_max_in_flight - in_flight;
    if (room > 0 && !plain.empty()) {
      auto rows = conn.exec(
          "UPDATE alert_deliveries d SET lease_owner = $1, lease_until = now() + make_interval(secs => "
          "$2::int), "
          "  last_attempt_at = now() "
          "FROM (SELECT id FROM alert_deliveries WHERE status = 'pending' AND hook = ANY($3::text[]) "
          "        AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now()) "
          "      ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) c "
          "WHERE d.id = c.id "
          "RETURNING d.id, d.hook, d.idempotency_key, d.event, d.payload::text",
          {owner, std::to_string(lease().count()), store::to_pg_text_array(plain), std::to_string(room)});
      if (!rows) {
        spdlog::error("alert_claim_failed error=\"{}\"", rows.error().message);
        return 0;
      }
      for (int i = 0; i < rows->size(); ++i) {
        Claimed c;
        c.ids.push_back(rows->get_int(i, 0));
        c.keys.emplace_back(rows->get(i, 2));
        c.event = std::string(rows->get(i, 3));
        c.payloads.emplace_back(rows->get(i, 4));
        send(std::string(rows->get(i, 1)), std::move(c));
        ++started;
      }
    }
    for (const auto& h : config.hooks) {
      if (h.digest && in_flight < k_max_in_flight && !digest_in_flight.count(h.name)) started += digest(h);
    }
    update_queue_metrics();
    return started;
  }

  // One digest request for `h` if its window has passed and something is due.
  int digest(const config::Hook& h) {
    db::Transaction tx(conn);
    if (!tx.begun()) return 0;
    auto due = conn.exec(
        "SELECT 1 FROM alert_deliveries WHERE status = 'pending' AND hook = $1 AND next_attempt_at <= now() "
        "  AND (lease_until IS NULL OR lease_until < now()) LIMIT 1",
        {h.name});
    if (!due || due->empty()) return 0;
    auto init = conn.exec(
        "INSERT INTO alert_digests (hook, last_sent_at) VALUES ($1, '-infinity') ON CONFLICT DO NOTHING",
        {h.name});
    if (!init) return 0;
    auto window = conn.exec(
        "SELECT last_sent_at + make_interval(secs => $2::int) <= now() FROM alert_digests WHERE hook = $1 "
        "FOR UPDATE",
        {h.name, std::to_string(h.digest->count())});
    if (!window || window->empty() || window->get(0, 0) != "t") return 0;
    auto rows = conn.exec(
        "UPDATE alert_deliveries d SET lease_owner = $1, lease_until = now() + make_interval(secs => "
        "$2::int), "
        "  last_attempt_at = now() "
        "FROM (SELECT id FROM alert_deliveries WHERE status = 'pending' AND hook = $3 "
        "        AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now()) "
        "      ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED) c "
        "WHERE d.id = c.id "
        "RETURNING d.id, d.idempotency_key, d.payload::text",
        {owner, std::to_string(lease().count()), h.name, std::to_string(k_max_digest)});
    if (!rows || rows->empty()) return 0;
    auto sent = conn.exec("UPDATE alert_digests SET last_sent_at = now() WHERE hook = $1", {h.name});
    if (!sent || !tx.commit()) return 0;
    Claimed c;
    c.event = rows->size() == 1 ? "" : "digest";
    for (int i = 0; i < rows->size(); ++i) {
      c.ids.push_back(rows->get_int(i, 0));
      c.keys.emplace_back(rows->get(i, 1));
      c.payloads.emplace_back(rows->get(i, 2));
    }
    if (c.event.empty()) c.event = "digest";
    digest_in_flight.insert(h.name);
    send(h.name, std::move(c));
    return 1;
  }

  // --- sending -----------------------------------------------------------------

  void send(const std::string& hook_name, Claimed c) {
    const config::Hook* h = hook(hook_name);
    if (h == nullptr) {  // removed by a reload after the claim: leave it for a config that has it
      release(c.ids);
      return;
    }
    const bool batch = h->digest.has_value();
    const std::string key = batch ? digest_key(h->name, c.keys) : c.keys.front();
    const std::string body = render_body(h->format, c.payloads, h->name, key);
    const std::string event = batch ? "digest" : c.event;
    ++in_flight;
    const std::uint64_t gen = generation;
    auto started = std::chrono::steady_clock::now();
    auto complete = [this, gen, name = h->name, ids = c.ids, key, started](bool ok, std::optional<int> status,
                                                                           std::string error) {
      if (gen != generation) return;  // abandoned by cancel_all
      --in_flight;
      digest_in_flight.erase(name);
      auto ms = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started).count();
      record(name, ids, key, ok, status, clip(std::move(error)), ms);
      if (stopping && in_flight == 0 && on_idle) {
        auto idle_cb = std::move(on_idle);
        on_idle = nullptr;
        idle_cb();
      } else if (!stopping && running) {
        schedule(milliseconds(0));
      }
    };
    if (h->format == "exec") {
      std::vector<std::string> env{"FEEDWATCH_IDEMPOTENCY_KEY=" + key, "FEEDWATCH_EVENT=" + event,
                                   "FEEDWATCH_HOOK=" + h->name};
      run_command(io, h->command, body, env, h->timeout, [complete](ExecResult r) {
        if (r.exit_code == 0) return complete(true, 0, "");
        std::string why = r.timed_out        ? "timed out"
                          : !r.error.empty() ? r.error
                                             : "exit status " + std::to_string(r.exit_code);
        if (!r.output.empty()) why += ": " + r.output;
        complete(false, r.exit_code >= 0 ? std::optional<int>(r.exit_code) : std::nullopt, why);
      });
      return;
    }
    net::Request req;
    req.url = h->url;
    req.post_body = body;
    req.timeout = h->timeout;
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    req.headers = {"Content-Type: application/json", "Idempotency-Key: " + key, "X-Feedwatch-Event: " + event,
                   "X-Feedwatch-Hook: " + h->name, "X-Feedwatch-Timestamp: " + std::to_string(now)};
    if (!h->secret_env.empty()) {
      const char* secret = std::getenv(h->secret_env.c_str());
      if (secret == nullptr || *secret == '\0') {
        asio::post(io, [complete, env = h->secret_env] {
          complete(false, std::nullopt, "environment variable " + env + " (secret_env) is not set");
        });
        return;
      }
      req.headers.push_back("X-Feedwatch-Signature: " + signature(secret, now, body));
    }
    http.fetch(std::move(req), [complete](net::FetchResult result) {
      if (auto* f = std::get_if<net::FetchFailure>(&result)) return complete(false, std::nullopt, f->message);
      const auto& r = std::get<net::Response>(result);
      const int status = static_cast<int>(r.status);
      if (status >= 200 && status < 300) return complete(true, status, "");
      complete(false, status,
               "HTTP " + std::to_string(status) + (r.body.empty() ? "" : ": " + r.body.substr(0, 200)));
    });
  }

  void record(const std::string& hook_name, const std::vector<std::int64_t>& ids, const std::string& key,
              bool ok, std::optional<int> status, const std::string& error, std::int64_t ms) {
    const db::Param status_param = status ? db::Param(std::to_string(*status)) : std::nullopt;
    if (ok) {
      metrics.alert_delivery("delivered", static_cast<int>(ids.size()));
      spdlog::info("alert_delivered hook={} key={} deliveries={} status={} ms={}", hook_name, key, ids.size(),
                   status ? *status : 0, ms);
      auto r = conn.exec(
          "UPDATE alert_deliveries SET status = 'delivered', delivered_at = now(), attempts = attempts + 1, "
          "  last_status = $2::int, last_error = NULL, lease_owner = NULL, lease_until = NULL "
          "WHERE id = ANY($1::bigint[]) AND lease_owner = $3",
          {ids_array(ids), status_param, owner});
      if (!r) spdlog::error("alert_record_failed key={} error=\"{}\"", key, r.error().message);
      return;
    }
    const config::Hook* h = hook(hook_name);
    const int max_attempts = h ? h->retry.max_attempts : 12;
    const double initial = h ? static_cast<double>(h->retry.initial.count()) : 30.0;
    const double longest = h ? static_cast<double>(h->retry.max.count()) : 3600.0;
    auto r = conn.exec(
        "UPDATE alert_deliveries SET attempts = attempts + 1, last_status = $2::int, last_error = $3, "
        "  lease_owner = NULL, lease_until = NULL, "
        "  status = CASE WHEN attempts + 1 >= $4::int THEN 'dead' ELSE 'pending' END, "
        "  next_attempt_at = now() + make_interval(secs => "
        "    least($6::float8, $5::float8 * power(2, least(attempts, 30))) * (0.8 + random() * 0.4)) "
        "WHERE id = ANY($1::bigint[]) AND lease_owner = $7 "
        "RETURNING status, attempts, round(extract(epoch FROM next_attempt_at - now()))::bigint",
        {ids_array(ids), status_param, error, std::to_string(max_attempts), std::to_string(initial),
         std::to_string(longest), owner});
    if (!r) {
      spdlog::error("alert_record_failed key={} error=\"{}\"", key, r.error().message);
      return;
    }
    const bool dead = !r->empty() && r->get(0, 0) == "dead";
    metrics.alert_delivery(dead ? "dead" : "failed", static_cast<int>(ids.size()));
    if (dead) {
      spdlog::error("alert_dead hook={} key={} attempts={} error=\"{}\"", hook_name, key, r->get(0, 1),
                    error);
    } else {
      spdlog::warn("alert_failed hook={} key={} attempts={} retry_in_s={} error=\"{}\"", hook_name, key,
                   r->empty() ? "?" : std::string(r->get(0, 1)), r->empty() ? "?" : std::string(r->get(0, 2)),
                   error);
    }
  }

  void release(const std::vector<std::int64_t>& ids) {
    (void)conn.exec(
        "UPDATE alert_deliveries SET lease_owner = NULL, lease_until = NULL WHERE id = ANY($1::bigint[]) "
        "AND lease_owner = $2",
        {ids_array(ids), owner});
  }

  void update_queue_metrics() {
    auto r = conn.exec(
        "SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'dead') "
        "FROM alert_deliveries WHERE status <> 'delivered'");
    if (r && !r->empty()) metrics.alert_queue(r->get_int(0, 0), r->get_int(0, 1));
  }

  asio::io_context& io;
  db::Connection& conn;
  ops::Metrics& metrics;
  config::Config config;
  std::string owner;
  std::shared_ptr<Alerter> alerter;
  net::Fetcher http;
  asio::steady_timer timer;
  int in_flight = 0;
  std::set<std::string> digest_in_flight;
  std::uint64_t generation = 0;
  bool running = false;
  bool stopping = false;
  std::function<void()> on_idle;
};

AlertService::AlertService(asio::io_context& io, db::Connection& conn, ops::Metrics& metrics,
                           const config::Config& config, std::string owner)
    : m_impl(std::make_unique<Impl>(io, conn, metrics, config, std::move(owner))) {}

AlertService::~AlertService() = default;

store::EventSink AlertService::sink() {
  Impl* impl = m_impl.get();
  return [impl](db::Connection& c, const store::ArticleEvent& e) {
    std::shared_ptr<Alerter> a = impl->alerter;
    return a->on_event(c, e);
  };
}

void AlertService::reload(const config::Config& config) {
  try {
    auto next = std::make_shared<Alerter>(config);
    m_impl->alerter = std::move(next);
    m_impl->config = config;
    m_impl->http.set_options(http_options(config));
    m_impl->warn_missing_secrets();
  } catch (const std::exception& e) {
    spdlog::error("alert_reload_failed error=\"{}\": keeping the running rules", e.what());
  }
}

void AlertService::start() {
  m_impl->running = true;
  m_impl->schedule(milliseconds(0));
}

void AlertService::kick() {
  if (m_impl->running && !m_impl->stopping) m_impl->schedule(milliseconds(0));
}

void AlertService::deliver_pending() {
  Impl& s = *m_impl;
  // Each pass claims what is due; failures are put off by their backoff, so
  // the loop ends once every due delivery has had one attempt.
  while (s.pass() > 0 || s.in_flight > 0) {
    while (s.in_flight > 0) {
      // The loop may have run out of work before (it then counts as stopped).
      if (s.io.stopped()) s.io.restart();
      s.io.run_one();
    }
  }
}

void AlertService::stop(std::function<void()> idle_cb) {
  Impl& s = *m_impl;
  s.stopping = true;
  s.timer.cancel();
  if (s.in_flight == 0) {
    if (idle_cb) idle_cb();
    return;
  }
  s.on_idle = std::move(idle_cb);
}

bool AlertService::idle() const {
  return m_impl->in_flight == 0;
}

void AlertService::cancel_all() {
  Impl& s = *m_impl;
  ++s.generation;
  s.in_flight = 0;
  s.digest_in_flight.clear();
  s.http.cancel_all();
  // Leases held by this daemon are released: another daemon, or this one after
  // a restart, sends them again with the same key.
  (void)s.conn.exec(
      "UPDATE alert_deliveries SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1", {s.owner});
  if (s.on_idle) {
    auto cb = std::move(s.on_idle);
    s.on_idle = nullptr;
    cb();
  }
}

}  // namespace fw::alerts
