#include "daemon/sched/poller.hpp"

#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cmath>
#include <ctime>
#include <deque>
#include <fstream>
#include <limits>
#include <optional>
#include <random>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "daemon/alerts/service.hpp"
#include "daemon/backfill/worker.hpp"
#include "daemon/config/derived.hpp"
#include "daemon/db/migrate.hpp"
#include "daemon/db/pg.hpp"
#include "daemon/log/log.hpp"
#include "daemon/net/fetcher.hpp"
#include "daemon/ops/endpoint.hpp"
#include "daemon/ops/metrics.hpp"
#include "daemon/sched/host_gate.hpp"
#include "daemon/sched/http_hints.hpp"
#include "daemon/sched/page_checker.hpp"
#include "daemon/sched/posting_rate.hpp"
#include "daemon/store/poll_batch.hpp"
#include "daemon/store/retention.hpp"
#include "daemon/store/search_index.hpp"
#include "daemon/store/store.hpp"
#include "daemon/web/server.hpp"

namespace fw::sched {

namespace asio = boost::asio;
using std::chrono::seconds;

namespace {

constexpr int k_max_parallel_polls = 64;
// Feeds claimed and not yet finished (in flight or waiting for their host):
// claims come in runs of about half of this, so each claim statement, and the
// batch of 304s written before it, serves many polls. With a per-host
// min_delay, fewer (Impl::claim_window): a claimed poll must start while its
// lease lasts, and one host starts one poll per min_delay.
constexpr int k_max_claimed_polls = 256;
constexpr int k_min_claimed_polls = 64;
constexpr int k_max_parallel_pages = 32;
// Unchanged (304) polls are recorded in batches (store::record_unchanged): at
// most this many at once, and none waits longer than k_unchanged_delay.
constexpr std::size_t k_unchanged_batch = 256;
constexpr std::chrono::milliseconds k_unchanged_delay{500};
constexpr seconds k_max_backoff{24 * 3600};
constexpr seconds k_max_tick{30};
// How often a running daemon scans every feed for leases that ran out (a
// daemon died) and for its kept feeds made due in the database by hand.
constexpr seconds k_sweep_every{60};
// Kept feeds' due times are rounded up to this (Impl::keep).
constexpr std::chrono::milliseconds k_kept_grain{1000};
// A daemon's heartbeat in `pollers` lasts this long: three ticks.
constexpr seconds k_alive_for{3 * k_max_tick};

std::string host_name() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return host;
}

std::string make_owner_id() {
  return host_name() + ":" + std::to_string(getpid());
}

std::string read_comm(const std::string& path) {
  std::ifstream in(path);
  std::string comm;
  std::getline(in, comm);
  return comm;
}

// Whether the daemon with this owner id on this host still runs: its pid is
// there and runs the same program as this one. A pid that is gone, or that
// now belongs to another program, is a daemon that died. When in doubt (an id
// that is no "host:pid"), alive.
bool local_daemon_alive(const std::string& owner) {
  const std::size_t colon = owner.rfind(':');
  if (colon == std::string::npos) return true;
  const std::string digits = owner.substr(colon + 1);
  if (digits.empty() || digits.size() > 9 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return true;
  const std::string proc = "/proc/" + digits;
  if (access(proc.c_str(), F_OK) != 0) return errno != ENOENT;
  const std::string comm = read_comm(proc + "/comm");
  return comm.empty() || comm == read_comm("/proc/self/comm");
}

constexpr seconds k_max_hint{24 * 3600};  // the longest interval a feed's own hints may set

const char* outcome_of(net::FetchErrorKind kind) {
  return kind == net::FetchErrorKind::refused ? "refused" : "network_error";
}

}  // namespace

struct Poller::Impl {
  Impl(config::Config config_, PollerOptions options_)
      : config(std::move(config_)),
        options(std::move(options_)),
        fetcher(io, fetch_options(config)),
        store(conn),
        machine(host_name()),
        owner(make_owner_id()),
        tick(io),
        drain(io),
        signals(io),
        rng(std::random_device{}()),
        gate(config.http.per_host.max_concurrent, config.http.per_host.min_delay) {
    index_feeds();
    pages.configure(config);
    alerts = std::make_unique<alerts::AlertService>(io, conn, metrics, config, owner);
    store.set_event_sink(alerts->sink());  // deliveries commit with the versions that cause them
  }

  void index_feeds() {
    ++config_generation;  // feeds polled under the old config look theirs up by name
    feed_names.clear();
    feed_index.clear();
    for (std::size_t i = 0; i < config.feeds.size(); ++i) {
      feed_names.push_back(config.feeds[i].name);
      feed_index.emplace(config.feeds[i].name, i);
    }
  }

  // Connects (or reconnects), applies migrations, syncs the configured feeds.
  bool ensure_database() {
    if (conn.ok()) return true;
    auto c = db::Connection::open(options.conninfo);
    if (!c) {
      spdlog::error("database_unavailable error=\"{}\"", c.error().message);
      return false;
    }
    conn = std::move(*c);
    auto m = db::migrate(conn);
    if (!m) {
      spdlog::error("migrate_failed error=\"{}\"", m.error().message);
      return false;
    }
    for (const auto& name : m->applied) spdlog::info("migration_applied name={}", name);
    if (auto s = store.sync_feeds(config.feeds); !s) {
      spdlog::error("sync_feeds_failed error=\"{}\"", s.error().message);
      return false;
    }
    // Polls whose record failed while the database was away left their feeds
    // leased to this daemon, where no claim of unleased feeds finds them: the
    // next sweep (it takes this daemon's own due feeds, whatever their lease)
    // comes at the next tick instead of within the minute.
    last_sweep = {};
    return true;
  }

  // The feed's index in config.feeds, looked up by name.
  std::optional<std::size_t> config_index(const std::string& name) const {
    auto it = feed_index.find(name);
    return it == feed_index.end() ? std::nullopt : std::optional<std::size_t>(it->second);
  }

  // The feed's config entry, noted in the row when it was claimed (remember_config):
  // at 10,000 feeds a lookup by name was a cache miss or two per poll.
  const config::FeedConfig* feed_config(const store::FeedRow& feed) const {
    std::optional<std::size_t> i;
    if (feed.config_generation == config_generation && feed.config_index < config.feeds.size()) {
      i = feed.config_index;
    } else {
      i = config_index(feed.name);  // claimed under a config a reload replaced since
    }
    return i ? &config.feeds[*i] : nullptr;
  }

  // Notes the feed's config entry in its row, and what the config says of it.
  void remember_config(store::FeedRow& feed) const {
    const std::optional<std::size_t> i = config_index(feed.name);
    feed.fetch_articles = i && config.feeds[*i].fetch_articles;
    feed.config_generation = i ? config_generation : 0;
    feed.config_index = i.value_or(0);
  }

  // Exponential backoff with ±10 % jitter, from the feed's interval up to a day
  // (or the interval, when that is longer: a failing feed is not polled more
  // often than a healthy one), the cap applied after the jitter: never giving
  // up for good, never past the cap.
  seconds backoff(const store::FeedRow& feed, seconds interval) {
    int exponent = std::min(feed.error_count, 16);
    double base = static_cast<double>(std::max<std::int64_t>(interval.count(), 60)) * std::pow(2.0, exponent);
    const double cap = static_cast<double>(std::max(k_max_backoff, interval).count());
    std::uniform_real_distribution<double> jitter(0.9, 1.1);
    return seconds(static_cast<std::int64_t>(std::min(base * jitter(rng), cap)));
  }

  seconds claim_lease() const { return options.lease.value_or(config.http.timeout + seconds(120)); }

  // How many feeds may be claimed and unfinished at once: all 256 when hosts
  // have no min_delay; else as many as one host can start within the part of
  // the lease left after a whole fetch (120 with the defaults), at least 64.
  int claim_window() const {
    const seconds delay = config.http.per_host.min_delay;
    if (delay.count() <= 0) return k_max_claimed_polls;
    const auto startable = (claim_lease() - config.http.timeout) / delay;
    return static_cast<int>(std::clamp<std::int64_t>(startable, k_min_claimed_polls, k_max_claimed_polls));
  }

  using Claim = store::Store::Claim;

  // Claims feeds to poll (see Store::Claim). `by_cursor`: unleased feeds in id
  // order from claim_cursor (a refill working through a backlog).
  void poll_due(Claim kind, bool by_cursor = false) {
    const bool all = kind == Claim::all;
    if (stopping || feed_names.empty() || (all && all_claimed)) return;
    if (!ensure_database()) return;
    // A feed whose 304 is still queued is due and leased by us: record it first,
    // or this claim would take it again.
    flush_unchanged();
    // At most k_max_claimed_polls claimed and unfinished: leases held by one
    // daemon stay few, so several daemons share the work.
    seconds lease = claim_lease();
    int unfinished = in_flight + static_cast<int>(waiting.size());
    const int window_room = claim_window() - unfinished;
    // Every due feed is claimed, whatever this daemon's share: the share only
    // bounds what it keeps (keep_room). A daemon that died still counts as
    // live until its heartbeat runs out; a share that bounded claims would
    // leave due feeds unpolled until then.
    const int room = window_room;
    if (room <= 0) return;
    // Polls under way are leased by us and still due: they must not be claimed twice.
    std::vector<std::int64_t> busy(busy_ids.begin(), busy_ids.end());
    waiting.for_each([&busy](const store::FeedRow& w) { busy.push_back(w.id); });
    std::optional<std::int64_t> after;
    by_cursor = all || (by_cursor && kind == Claim::unleased);
    if (by_cursor) after = claim_cursor;
    std::vector<std::int64_t> kept_ids;
    if (kind == Claim::sweep) {
      kept_ids.reserve(kept.size());
      for (const auto& [id, k] : kept) kept_ids.push_back(id);
    }
    auto claimed = store.claim_feeds(owner, feed_names, kind, room, lease, after, busy, kept_ids);
    if (!claimed) {
      spdlog::error("claim_failed error=\"{}\"", claimed.error().message);
      return;
    }
    // A full claim means more feeds may be due now: claim again as polls finish
    // (refill) instead of waiting for the next tick.
    more_due = static_cast<int>(claimed->size()) == room;
    refill_kind = kind;
    if (all && !more_due) all_claimed = true;
    check_pages();
    // A poll must start while its lease still covers a whole fetch (http.timeout);
    // later, another daemon may already have taken the feed over.
    auto start_by = HostGate::Clock::now() + (lease - config.http.timeout);
    for (store::FeedRow& feed : *claimed) {
      unkeep(feed.id);  // a sweep takes back kept feeds made due by hand
      remember_config(feed);
      if (by_cursor) claim_cursor = std::max(claim_cursor, feed.id);
      std::string host = url_host(feed.url);
      waiting.push(std::move(host), std::move(feed), start_by);
    }
    // A tick claims the most overdue feeds; when that claim is full, refills
    // sweep the rest in id order. The sweep ends when a claim comes back short.
    if (by_cursor && !all && !more_due) claim_cursor = 0;
    dispatch();
  }

  // ---- Kept feeds (sql/013_kept_leases.sql) ----
  // A running daemon keeps each feed it polled, leased until its next poll is
  // due plus the lease, and polls it again from this schedule: no claim.
  struct KeptFeed {
    store::FeedRow feed;
    HostGate::Clock::time_point due;
  };

  int kept_count() const { return static_cast<int>(kept.size()); }

  // How many more feeds this daemon may keep: at most its share of the
  // configured feeds (beat()). A feed polled beyond it is recorded with its
  // lease released, for whichever daemon claims it when it is due.
  int keep_room() const { return stopping ? 0 : share - kept_count(); }
  bool may_keep() const { return keep_room() > 0; }  // a stopping daemon keeps nothing

  // After a poll's record was written with poll.keep_lease: `feed` as the
  // database now holds it, due again in poll.next_poll_in.
  // Written without it, the feed was given back: a tick claims it again when due.
  void keep(store::FeedRow feed, const store::PollRecord& poll) {
    if (stopping || once_mode) return;
    if (!poll.keep_lease) {
      tick_by(poll.next_poll_in);
      return;
    }
    const bool success = poll.outcome == "ok" || poll.outcome == "not_modified";
    if (success) {
      if (poll.etag) feed.etag = poll.etag;  // coalesce, as the UPDATE does
      if (poll.last_modified) feed.last_modified = poll.last_modified;
      feed.error_count = 0;
    } else {
      ++feed.error_count;
    }
    const auto now = HostGate::Clock::now();
    const std::int64_t id = feed.id;
    unkeep(id);
    // Due times are rounded up to a whole k_kept_grain: one wake-up takes every
    // feed due in it (a cycle of 10,000 feeds polled within seconds is due
    // again within as many wake-ups, not 10,000), and none is polled early.
    const auto exact = now + poll.next_poll_in;
    const auto due = exact + (k_kept_grain - exact.time_since_epoch() % k_kept_grain) % k_kept_grain;
    kept_order.emplace(due, id);
    kept.emplace(id, KeptFeed{std::move(feed), due});
    arm_kept(due);
  }

  void unkeep(std::int64_t id) {
    auto it = kept.find(id);
    if (it == kept.end()) return;
    kept_order.erase({it->second.due, id});
    kept.erase(it);
  }

  void arm_kept(HostGate::Clock::time_point due) {
    if (kept_wake && *kept_wake <= due) return;
    kept_wake = due;
    kept_timer.expires_at(due);
    kept_timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      kept_wake.reset();
      take_due_kept();
    });
  }

  // Kept feeds that are due join the waiting polls, like claimed ones.
  void take_due_kept() {
    if (stopping) return;
    const auto now = HostGate::Clock::now();
    auto start_by = now + (claim_lease() - config.http.timeout);
    while (!kept_order.empty() && kept_order.begin()->first <= now) {
      const std::int64_t id = kept_order.begin()->second;
      kept_order.erase(kept_order.begin());
      auto it = kept.find(id);
      store::FeedRow feed = std::move(it->second.feed);
      kept.erase(it);
      if (feed.entries_digest && now >= feed.entries_digest_until) feed.entries_digest.reset();
      std::string host = url_host(feed.url);
      waiting.push(std::move(host), std::move(feed), start_by);
    }
    if (!kept_order.empty()) arm_kept(kept_order.begin()->first);
    dispatch();
  }

  // Whole seconds from now until `due` (0 when it passed), rounded up.
  static std::int64_t seconds_until(HostGate::Clock::time_point due) {
    const auto left = due - HostGate::Clock::now();
    if (left <= HostGate::Clock::duration::zero()) return 0;
    return std::chrono::ceil<seconds>(left).count();
  }

  // Gives every kept feed back (stop, reload), with its due time (a kept
  // feed's row may hold an old one, sql/014): others may claim them when due.
  void release_kept() {
    kept_timer.cancel();
    kept_wake.reset();
    if (kept.empty()) return;
    std::vector<std::int64_t> ids, due_in;
    ids.reserve(kept.size());
    for (const auto& [id, k] : kept) {
      ids.push_back(id);
      due_in.push_back(seconds_until(k.due));
    }
    if (auto r = store.release_feeds(owner, ids, due_in, claim_lease()); !r) {
      spdlog::warn("release_failed feeds={} error=\"{}\": their leases run out instead", ids.size(),
                   r.error().message);
    }
    kept.clear();
    kept_order.clear();
  }

  // The heartbeat, once a tick: this daemon's share is the configured feeds
  // over the live daemons; kept feeds beyond it (and a little slack) go back,
  // those due last first, so that a daemon started later gets work.
  void beat() {
    auto live = store.heartbeat(owner, k_alive_for);
    if (!live) {
      spdlog::warn("heartbeat_failed error=\"{}\"", live.error().message);
      return;
    }
    const int feeds = static_cast<int>(feed_names.size());
    share = (feeds + *live - 1) / std::max(*live, 1);
    // Polls under way are not counted: they are kept afterwards only while
    // there is room (keep_room).
    const int excess = kept_count() - share;
    if (excess <= std::max(8, share / 16) || kept.empty()) return;
    std::vector<std::int64_t> ids, due_in;
    for (auto it = kept_order.rbegin(); it != kept_order.rend() && static_cast<int>(ids.size()) < excess;
         ++it) {
      ids.push_back(it->second);
      due_in.push_back(seconds_until(it->first));
    }
    if (auto r = store.release_feeds(owner, ids, due_in, claim_lease()); !r) {
      spdlog::warn("release_failed feeds={} error=\"{}\"", ids.size(), r.error().message);
      return;
    }
    for (std::int64_t id : ids) unkeep(id);
    spdlog::info("feeds_released count={} share={} daemons={}", ids.size(), share, *live);
  }

  // A daemon on this host that died (systemd restarted the service after a
  // crash, say) would hold its kept feeds until their leases ran out, minutes
  // on: with each sweep, and the first tick, its feeds go back at once and
  // its `pollers` row goes, so that the share counts only live daemons.
  // Daemons on other hosts are left to their leases and heartbeats.
  void bury_dead_neighbours() {
    auto owners = store.pollers_on_host(machine);
    if (!owners) {
      spdlog::warn("pollers_failed error=\"{}\"", owners.error().message);
      return;
    }
    for (const std::string& other : *owners) {
      if (other == owner || local_daemon_alive(other)) continue;
      if (auto freed = store.bury_poller(other); !freed) {
        spdlog::warn("bury_failed owner={} error=\"{}\"", other, freed.error().message);
      } else {
        spdlog::info("dead_daemon_feeds_released owner={} feeds={}", other, *freed);
      }
    }
  }

  // Called as polls finish: when fewer than half the parallel slots' worth of
  // polls are left and the last claim was full, claim the next feeds (`once`
  // walks every feed; `run` every due one).
  void refill() {
    if (stopping || !more_due || in_flight + static_cast<int>(waiting.size()) > claim_window() / 2) return;
    poll_due(refill_kind, /*by_cursor=*/true);
  }

  // Starts every waiting poll whose host allows a request now (HostGate), in
  // claim order per host, up to k_max_parallel_polls in flight; wakes up again
  // when the next one may start. The cost is per host with waiting polls, not
  // per waiting poll: at 10,000 feeds on a few hosts, most polls wait.
  void dispatch() {
    if (waiting.empty()) return;
    auto now = HostGate::Clock::now();
    std::optional<HostGate::Clock::duration> next;
    for (auto it = waiting.by_host.begin(); it != waiting.by_host.end();) {
      const std::string& host = it->first;
      std::deque<WaitingPoll>& queue = it->second;
      while (!queue.empty() && in_flight < k_max_parallel_polls) {
        if (now >= queue.front().start_by) {  // left to whichever daemon claims it next
          spdlog::warn("poll_skipped feed={} reason=lease_ran_out_while_waiting", queue.front().feed.name);
          queue.pop_front();
          --waiting.count;
          continue;
        }
        auto wait = gate.wait_time(host, now);
        if (wait != HostGate::Clock::duration::zero()) {
          const auto blocked = gate.blocked_for(host, now);
          if (blocked > HostGate::Clock::duration::zero() && now + blocked > queue.front().start_by) {
            postpone(host, queue, now, blocked);  // those left can start in time
            continue;
          }
          next = next ? std::min(*next, wait) : wait;
          break;
        }
        gate.start(host, now);
        store::FeedRow feed = std::move(queue.front().feed);
        queue.pop_front();
        --waiting.count;
        start_poll(std::move(feed), host);  // completes later, never inside this call
      }
      it = queue.empty() ? waiting.by_host.erase(it) : std::next(it);
    }
    // Re-arm only when this wake-up is earlier than the pending one: a finishing
    // poll calls dispatch anyway, and every re-arm is a system call.
    if (next && (!gate_wake || now + *next < *gate_wake)) {
      gate_wake = now + *next;
      gate_timer.expires_at(*gate_wake);
      gate_timer.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        gate_wake.reset();
        if (!stopping) dispatch();
      });
    }
  }

  void start_poll(store::FeedRow feed, std::string host) {
    ++in_flight;
    busy_ids.insert(feed.id);
    net::Request req{feed.url, feed.etag, feed.last_modified};
    spdlog::debug("poll_start feed={} url={}", feed.name, feed.url);
    fetcher.fetch(std::move(req),
                  [this, feed = std::move(feed), host = std::move(host)](net::FetchResult result) mutable {
                    const std::int64_t id = feed.id;
                    handle(std::move(feed), std::move(result));  // the row goes on to its record, not copied
                    busy_ids.erase(id);
                    gate.finish(host);
                    --in_flight;
                    dispatch();
                    refill();
                    if (in_flight == 0) flush_unchanged();
                    if (stopping && busy() == 0 && alerts->idle()) io.stop();
                  });
  }

  // Polls and page fetches in flight.
  int busy() const { return in_flight + pages.in_flight(); }

  // Starts due article page fetches, as many as there is room for.
  // `force`: now (new articles just stored, `once`); otherwise at most once a
  // second, so a fast cycle of feed claims does not bring a page claim each.
  int check_pages(bool force = false) {
    if (stopping || !conn.ok()) return 0;
    auto now = std::chrono::steady_clock::now();
    if (!force && now - last_page_claim < std::chrono::seconds(1)) return 0;
    last_page_claim = now;
    return pages.check_due(k_max_parallel_pages - pages.in_flight());
  }

  void page_finished() {
    if (!stopping) alerts->kick();  // a page change may have queued alerts
    // A page check may have stored a version: make it searchable now, not at the
    // next feed poll that brings something new (cheap when nothing is pending).
    if (!stopping && conn.ok()) index_search();
    if (stopping && busy() == 0 && alerts->idle()) io.stop();
  }

  void handle(store::FeedRow feed, net::FetchResult result) {
    const config::FeedConfig* fc = feed_config(feed);
    seconds interval = fc ? fc->interval : seconds(900);
    store::PollRecord poll;
    // A running daemon keeps the feed (sql/013_kept_leases.sql) unless its
    // URL may change (a permanent redirect, below).
    poll.owner = owner;
    if (!once_mode && !stopping) poll.keep_lease = claim_lease();
    if (auto* failure = std::get_if<net::FetchFailure>(&result)) {
      if (stopping) {
        release_lease(feed);  // aborted by shutdown: not the feed's fault
        return;
      }
      metrics.fetch_done(0, failure->elapsed, 0);
      metrics.poll_failed();
      poll.outcome = outcome_of(failure->kind);
      poll.error = failure->message;
      poll.duration_ms = failure->elapsed.count();
      poll.next_poll_in = backoff(feed, interval);
      spdlog::warn("poll_failed feed={} url={} error=\"{}\" ms={} retry_in_s={}", feed.name, feed.url,
                   failure->message, poll.duration_ms, poll.next_poll_in.count());
      record(std::move(feed), std::move(poll));
      return;
    }
    auto& response = std::get<net::Response>(result);
    metrics.fetch_done(response.status, response.elapsed, static_cast<std::int64_t>(response.body.size()));
    poll.status = response.status;
    poll.bytes = static_cast<std::int64_t>(response.body.size());
    poll.duration_ms = response.elapsed.count();
    if (response.moved_permanently()) {
      if (feed.url.rfind("https://", 0) == 0 && response.effective_url.rfind("https://", 0) != 0) {
        // Read there this time, but a move that drops TLS is never made the feed's URL.
        spdlog::info("feed_move_refused feed={} url={} to={} reason=https_to_http", feed.name, feed.url,
                     response.effective_url);
      } else {
        poll.moved_to = response.effective_url;
        poll.keep_lease.reset();
      }
    }
    if (response.status == 304) {
      poll.outcome = "not_modified";
      poll.etag = std::move(response.etag);
      poll.last_modified = std::move(response.last_modified);
      poll.next_poll_in = adapted_interval(interval, feed.hints, response);
      // At info level only the batch is logged (flush_unchanged): one line per 304
      // would be most of the log, and of the daemon's CPU, at 10,000 feeds.
      spdlog::debug("poll feed={} status=304 ms={}", feed.name, poll.duration_ms);
      if (poll.moved_to) {
        record(std::move(feed), std::move(poll));  // the redirect bookkeeping has its own transaction
      } else {
        queue_unchanged(std::move(feed), std::move(poll));
      }
      return;
    }
    if (response.status < 200 || response.status >= 300) {
      metrics.poll_failed();
      poll.outcome = "http_error";
      poll.error = "HTTP " + std::to_string(response.status) + " from " + response.effective_url;
      poll.next_poll_in = backoff(feed, interval);
      if (response.status == 429 || response.status == 503) {
        if (auto d = retry_after(response.retry_after.value_or(""), std::time(nullptr))) {
          // The server said when to come back: stay away from the whole host until then.
          gate.block_until(url_host(feed.url), HostGate::Clock::now() + *d);
          poll.next_poll_in = std::max(poll.next_poll_in, *d);
        }
      }
      spdlog::warn("poll_failed feed={} url={} status={} ms={} retry_in_s={}", feed.name, feed.url,
                   response.status, poll.duration_ms, poll.next_poll_in.count());
      record(std::move(feed), std::move(poll));
      return;
    }
    const auto parse_failed = [&](const std::string& message) {
      metrics.poll_failed();
      poll.outcome = "parse_error";
      poll.error = message;
      poll.next_poll_in = backoff(feed, interval);
      spdlog::warn("poll_failed feed={} url={} status={} error=\"{}\" retry_in_s={}", feed.name, feed.url,
                   response.status, message, poll.next_poll_in.count());
      record(feed, poll);
    };
    // First the XML pass alone, bodies kept as the feed gave them (about twice
    // as fast on WordPress feeds, bench/README.md "Feed parsing"): enough to
    // tell whether the entries changed since the feed's last full store. Only
    // a feed that changed is read again, with plain-text bodies, to be stored.
    feed::ParseOptions po{response.effective_url.empty() ? feed.url : response.effective_url,
                          response.content_type};
    po.plain_text = false;
    auto parsed = feed::parse(response.body, po);
    if (!parsed) {
      parse_failed(parsed.error().message);
      return;
    }
    for (const auto& w : parsed->warnings) spdlog::debug("feed_warning feed={} warning=\"{}\"", feed.name, w);
    poll.outcome = "ok";
    poll.etag = response.etag;
    poll.last_modified = response.last_modified;
    poll.hints = document_hints(*parsed);
    poll.next_poll_in = adapted_interval(interval, poll.hints, response);
    poll.entries_digest = store::entries_digest(feed, *parsed);
    if (poll.entries_digest == feed.entries_digest && !poll.moved_to) {
      feed.hints = poll.hints;  // for this daemon's next 304 (the row keeps the stored ones)
      // The entries the feed's last full store saw, unchanged (a server that
      // ignores conditional GET): recorded like a 304, articles untouched.
      spdlog::debug("poll feed={} status={} entries={} same_entries ms={}", feed.name, response.status,
                    parsed->entries.size(), poll.duration_ms);
      queue_unchanged(std::move(feed), std::move(poll));
      return;
    }
    po.plain_text = true;
    parsed = feed::parse(response.body, po);
    if (!parsed) {
      parse_failed(parsed.error().message);
      return;
    }
    if (!may_keep()) poll.keep_lease.reset();
    auto counts = store.record_feed(feed, poll, *parsed);
    if (!counts) {
      store_failed(feed, counts.error().message);
      return;
    }
    if (!counts->kept) lease_lost(feed, poll);
    store::FeedRow stored = feed;
    stored.kept_row.reset();
    stored.entries_digest = poll.entries_digest;
    stored.entries_digest_until = HostGate::Clock::now() + std::chrono::hours(24);
    stored.hints = poll.hints;
    keep(std::move(stored), poll);
    metrics.articles_stored(counts->new_articles, counts->new_versions);
    if (counts->new_articles + counts->new_versions > 0) {
      check_pages(/*force=*/true);  // new pages are due now
      index_search();
    }
    alerts->kick();
    notify_status(feed, "ok");
    log_move();
    spdlog::info(
        "poll feed={} status={} entries={} new={} changed={} unchanged={} duplicates={} bytes={} ms={}",
        feed.name, response.status, parsed->entries.size(), counts->new_articles, counts->new_versions,
        counts->unchanged, counts->duplicates, poll.bytes, poll.duration_ms);
  }

  // Full-text vectors of the versions just stored (and any backlog), a bounded
  // amount per call: see daemon/store/search_index.hpp.
  // `until_empty`: no time budget (`once`).
  void index_search(bool until_empty = false) {
    store::SearchIndexLimits limits;
    if (until_empty) limits.budget = {};
    if (auto n = store::index_search_backlog(conn, limits); !n) {
      spdlog::warn("search_index_failed error=\"{}\"", n.error().message);
    } else {
      search_backlog = n->more;
      if (n->indexed > 0) spdlog::debug("search_indexed versions={} more={}", n->indexed, n->more);
    }
  }

  // fetch_log rows older than database.fetch_log_keep go, at most once a
  // minute and a bounded run at a time (`all`: until none is left).
  void prune(bool all = false) {
    auto now = std::chrono::steady_clock::now();
    if (!all && now - last_prune < std::chrono::minutes(1)) return;
    last_prune = now;
    store::PruneLimits limits;
    if (all) limits.budget = {};
    if (auto n = store::prune_fetch_log(conn, config.fetch_log_keep, limits); !n) {
      spdlog::warn("fetch_log_prune_failed error=\"{}\"", n.error().message);
    } else if (*n > 0) {
      spdlog::info("fetch_log_pruned rows={} keep={}s", *n, config.fetch_log_keep.count());
    }
  }

  // systemctl status shows the last line sent as STATUS=.
  void notify_status(const store::FeedRow& feed, const std::string& outcome) const {
    sd_notifyf(0, "STATUS=%zu feeds; last poll: %s %s; in flight: %d", feed_names.size(), feed.name.c_str(),
               outcome.c_str(), in_flight - 1);
  }

  // What the feed's document says of how often to poll it, unbounded.
  static store::IntervalHints document_hints(const feed::Feed& parsed) {
    store::IntervalHints hints;
    std::vector<std::int64_t> published;
    for (const auto& e : parsed.entries) {
      if (e.published) published.push_back(*e.published);
    }
    hints.posting = posting_rate_suggestion(std::move(published), std::time(nullptr));
    if (parsed.ttl_seconds && *parsed.ttl_seconds > 0) hints.ttl = seconds(*parsed.ttl_seconds);
    return hints;
  }

  // The configured interval is a floor; the document's <ttl>/sy:updatePeriod
  // and the response's Cache-Control max-age may lengthen it, up to a day, and
  // so may its observed posting rate (posting_rate.hpp), up to 4 times and
  // 12 h. For a 304 the hints are those of the feed's last full store (the
  // document is unchanged), bounded by the interval configured now.
  static seconds adapted_interval(seconds configured, const store::IntervalHints& hints,
                                  const net::Response& response) {
    seconds result = configured;
    if (hints.posting) result = std::max(result, bounded_posting_interval(configured, *hints.posting));
    if (hints.ttl) result = std::max(result, std::min(*hints.ttl, k_max_hint));
    if (auto age = cache_max_age(response.cache_control.value_or("")); age && *age > 0) {
      result = std::max(result, std::min(seconds(*age), k_max_hint));
    }
    return result;
  }

  void log_move() {
    if (std::string moved = store.take_moved_feed(); !moved.empty()) spdlog::info("feed_moved {}", moved);
  }

  // A record that was to keep the feed, written while another daemon held its
  // lease (this one stalled past the lease, and that one's sweep took the
  // feed over): the feed is that daemon's now, and this one forgets it, or
  // both would go on polling it.
  void lease_lost(const store::FeedRow& feed, store::PollRecord& poll) {
    if (!poll.keep_lease) return;
    spdlog::warn("lease_lost feed={}: another daemon holds it now", feed.name);
    poll.keep_lease.reset();
  }

  // A poll whose record failed leaves its feed leased to this daemon and due:
  // the sweep takes it again once the database answers (ensure_database). A
  // tick within seconds tries to reconnect, rather than the one planned when
  // every feed was leased, up to k_max_tick away.
  void store_failed(const store::FeedRow& feed, const std::string& error) {
    metrics.store_failed();
    spdlog::error("store_failed feed={} error=\"{}\"", feed.name, error);
    tick_by(seconds(5));
  }

  void record(store::FeedRow feed, store::PollRecord poll) {
    if (!may_keep()) poll.keep_lease.reset();
    notify_status(feed, poll.outcome);
    if (auto r = store.record_poll(feed, poll); !r) {
      store_failed(feed, r.error().message);
    } else {
      if (!*r) lease_lost(feed, poll);
      feed.kept_row.reset();  // the row holds what a batch would not write (store::row_unchanged_by)
      keep(std::move(feed), poll);
    }
    log_move();
  }

  // 304s (and 200s with the same entries as before) are recorded together: one
  // statement per batch instead of a transaction of four statements per poll
  // (daemon/store/poll_batch.hpp).
  // The feed stays leased until its batch is written; a crash before that
  // loses only the record of an unchanged poll, and the lease lets another
  // daemon poll the feed again when it expires.
  void queue_unchanged(store::FeedRow feed, store::PollRecord poll) {
    unchanged.push_back(store::UnchangedPoll{std::move(feed), std::move(poll)});
    if (unchanged.size() >= k_unchanged_batch) {
      flush_unchanged();
    } else if (unchanged.size() == 1) {
      unchanged_timer.expires_after(k_unchanged_delay);
      unchanged_timer.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) flush_unchanged();
      });
    }
  }

  void flush_unchanged() {
    if (unchanged.empty()) return;
    unchanged_timer.cancel();
    std::vector<store::UnchangedPoll> batch = std::move(unchanged);
    unchanged.clear();
    // A stopping daemon keeps nothing; a running one up to its share.
    int room = keep_room();
    for (store::UnchangedPoll& p : batch) {
      if (p.poll.keep_lease && room-- <= 0) p.poll.keep_lease.reset();
    }
    notify_status(batch.back().feed, "not_modified");
    spdlog::info("polls_unchanged count={} last_feed={}", batch.size(), batch.back().feed.name);
    auto still_ours = store::record_unchanged(conn, batch);
    if (!still_ours) {
      // One bad row must not cost the others their record: write them one by one.
      spdlog::warn("batch_failed polls={} error=\"{}\": recording them one by one", batch.size(),
                   still_ours.error().message);
      for (const store::UnchangedPoll& p : batch) record(p.feed, p.poll);
      return;
    }
    std::vector<std::int64_t>& kept_ids = *still_ours;
    std::sort(kept_ids.begin(), kept_ids.end());
    for (store::UnchangedPoll& p : batch) {
      if (!std::binary_search(kept_ids.begin(), kept_ids.end(), p.feed.id)) lease_lost(p.feed, p.poll);
      // The row now holds this poll's state (written, or already held: then
      // the next such poll writes nothing either).
      if (p.poll.keep_lease) {
        p.feed.kept_row = store::FeedRow::KeptRow{p.poll.status.value_or(304), p.poll.next_poll_in.count(),
                                                  p.poll.keep_lease->count()};
      } else {
        p.feed.kept_row.reset();
      }
      keep(std::move(p.feed), p.poll);
    }
  }

  void release_lease(const store::FeedRow& feed) {
    (void)conn.exec(
        "UPDATE feeds SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2",
        {std::to_string(feed.id), owner});
  }

  // The next tick comes no later than `delay` from now (and at least a second
  // from now, so feeds given back within a second share one tick).
  void tick_by(seconds delay) {
    if (stopping || once_mode) return;
    delay = std::max(delay, seconds(1));
    if (HostGate::Clock::now() + delay >= tick_at) return;
    tick.cancel();
    schedule_tick(delay);
  }

  void schedule_tick(seconds delay) {
    tick_at = HostGate::Clock::now() + delay;
    tick.expires_after(delay);
    tick.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopping) return;
      const bool database = ensure_database();  // first: a reconnection asks for a sweep
      const auto now = std::chrono::steady_clock::now();
      const bool sweep = now - last_sweep >= k_sweep_every;
      if (database) {
        if (sweep) bury_dead_neighbours();
        beat();
      }
      poll_due(Claim::unleased);
      if (sweep) {
        last_sweep = now;
        poll_due(Claim::sweep);
      }
      seconds next = k_max_tick;
      if (conn.ok()) {
        // Versions stored by page checks, or left by a poll's bounded run.
        index_search();
        prune();
        auto due = store.seconds_until_next_due(feed_names);
        if (due && *due) next = std::clamp(seconds(**due), seconds(1), k_max_tick);
        if (search_backlog) next = seconds(1);
      } else {
        next = seconds(5);
      }
      schedule_tick(next);
    });
  }

  // The liveness beat: runs on the event loop, so a loop stuck in a call stops it.
  // systemd's watchdog (WatchdogSec=) restarts the service when the pings stop;
  // /healthz answers 503 when the beat is older than `stuck_after`.
  void schedule_heartbeat() {
    heartbeat.expires_after(heartbeat_period);
    heartbeat.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      metrics.heartbeat();
      if (watchdog) sd_notify(0, "WATCHDOG=1");
      schedule_heartbeat();
    });
  }

  // SIGHUP: load the file again; keep the old configuration unless the new one is valid.
  void reload() {
    if (options.config_path.empty() || stopping) return;
    sd_notify(0, "RELOADING=1");
    try {
      config::Config next = config::load_file(options.config_path);
      if (next.database_url != config.database_url || next.state_dir != config.state_dir) {
        spdlog::warn("reload: database.url and state_dir changes take effect at the next restart");
        next.database_url = config.database_url;
        next.state_dir = config.state_dir;
      }
      if (!options.log_level_from_command_line && !log::set_level(next.log_level)) {
        spdlog::warn("reload: unknown log level \"{}\"", next.log_level);
      }
      if (next.metrics_listen != config.metrics_listen) {
        spdlog::warn("reload: metrics.listen changes take effect at the next restart");
      }
      // Read before anything is applied: a credential variable that is now
      // unset refuses the whole reload.
      std::optional<web::ServerOptions> next_web;
      if (next.web_listen) next_web = web::options_from_config(next, options.conninfo);
      config = std::move(next);
      apply_web(std::move(next_web));
      index_feeds();
      release_kept();  // their URLs, intervals or very presence may have changed
      fetcher.set_options(fetch_options(config));
      pages.configure(config);
      gate.configure(config.http.per_host.max_concurrent, config.http.per_host.min_delay);
      alerts->reload(config);
      if (conn.ok()) {
        if (auto s = store.sync_feeds(config.feeds); !s) {
          spdlog::error("sync_feeds_failed error=\"{}\"", s.error().message);
        }
      }
      spdlog::info("reloaded config={} feeds={} rules={} hooks={}", options.config_path, config.feeds.size(),
                   config.rules.size(), config.hooks.size());
      // Feeds added by the reload may be due at once.
      tick.cancel();
      schedule_tick(seconds(0));
    } catch (const config::ConfigError& e) {
      for (const auto& p : e.problems()) spdlog::error("reload_refused {}", p);
      spdlog::error("reload_refused: keeping the running configuration");
    } catch (const std::exception& e) {
      spdlog::error("reload_refused error=\"{}\": keeping the running configuration", e.what());
    }
    sd_notify(0, "READY=1");
  }

  // Starts, moves or stops the web view for the options of a (re)loaded
  // config (nullopt: web is off). A view whose options changed is replaced; on
  // the same address the old one stops first, to free it. When the new one
  // cannot start, the old one goes on serving (or is started again).
  void apply_web(std::optional<web::ServerOptions> next) {
    if (!next) {
      if (web) spdlog::info("web_stopped");
      web.reset();
      web_options.reset();
      return;
    }
    if (web && web_options == next) return;
    if (web && web_options->listen == next->listen) web.reset();
    try {
      auto started = std::make_unique<web::Server>(*next);
      web = std::move(started);
      web_options = std::move(next);
      spdlog::info("web_listening address={}", web_options->listen);
    } catch (const std::exception& e) {
      spdlog::error("web_failed address={} error=\"{}\"", next->listen, e.what());
      if (web || !web_options) return;
      try {
        web = std::make_unique<web::Server>(*web_options);
        spdlog::info("web_listening address={} (the previous options)", web_options->listen);
      } catch (const std::exception& again) {
        spdlog::error("web_failed address={} error=\"{}\"", web_options->listen, again.what());
        web_options.reset();
      }
    }
  }

  void wait_for_signal() {
    signals.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        reload();
        wait_for_signal();
        return;
      }
      begin_stop(sig);
    });
  }

  void begin_stop(int signal_number) {
    if (stopping) return;
    stopping = true;
    spdlog::info("stopping signal={} in_flight={}", signal_number, in_flight);
    sd_notify(0, "STOPPING=1");
    if (backfill) backfill->stop();
    tick.cancel();
    heartbeat.cancel();
    gate_timer.cancel();
    flush_unchanged();
    waiting.for_each(
        [this](const store::FeedRow& feed) { release_lease(feed); });  // not started: free for others
    waiting.clear();
    release_kept();
    if (conn.ok()) (void)store.forget_poller(owner);
    pages.stop();
    // Alert deliveries in flight finish too; none is started from now on.
    alerts->stop([this] {
      if (busy() == 0) io.stop();
    });
    if (busy() == 0 && alerts->idle()) {
      io.stop();
      return;
    }
    drain.expires_after(options.drain_timeout);
    drain.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      spdlog::warn("drain_timeout in_flight={}: aborting", in_flight);
      fetcher.cancel_all();
      alerts->cancel_all();
    });
  }

  config::Config config;
  PollerOptions options;
  asio::io_context io;
  net::Fetcher fetcher;
  db::Connection conn;
  store::Store store;
  std::string machine;  // this host's name, the first part of owner ids
  std::string owner;    // this daemon's id, "host:pid", in leases and `pollers`
  asio::steady_timer tick;
  asio::steady_timer drain;
  asio::steady_timer heartbeat{io};
  bool watchdog = false;
  std::chrono::milliseconds heartbeat_period{5000};
  seconds stuck_after{60};
  asio::signal_set signals;
  std::mt19937_64 rng;
  HostGate gate;
  // A claimed poll not started yet. It must start by start_by, while its
  // lease still covers a whole fetch.
  struct WaitingPoll {
    store::FeedRow feed;
    HostGate::Clock::time_point start_by;
  };
  // Claimed polls not started yet (held back by per-host politeness or the
  // parallel cap), per host in claim order.
  struct WaitingPolls {
    std::unordered_map<std::string, std::deque<WaitingPoll>> by_host;
    std::size_t count = 0;
    bool empty() const { return count == 0; }
    std::size_t size() const { return count; }
    void push(std::string host, store::FeedRow feed, HostGate::Clock::time_point start_by) {
      by_host[std::move(host)].push_back(WaitingPoll{std::move(feed), start_by});
      ++count;
    }
    template <class F>
    void for_each(F f) const {
      for (const auto& [host, queue] : by_host)
        for (const WaitingPoll& w : queue) f(w.feed);
    }
    void clear() {
      by_host.clear();
      count = 0;
    }
  };
  WaitingPolls waiting;

  // The host asked us to stay away (Retry-After) past the start-by time of
  // some of its waiting polls: rather than holding their leases until they
  // run out and claiming them again at every sweep while the block lasts,
  // they go back unpolled, due when the block ends.
  void postpone(const std::string& host, std::deque<WaitingPoll>& queue, HostGate::Clock::time_point now,
                HostGate::Clock::duration blocked) {
    std::vector<std::int64_t> ids;
    std::deque<WaitingPoll> rest;
    for (WaitingPoll& w : queue) {
      if (w.start_by < now + blocked) {
        ids.push_back(w.feed.id);
      } else {
        rest.push_back(std::move(w));
      }
    }
    queue = std::move(rest);
    waiting.count -= ids.size();
    const seconds delay = std::chrono::ceil<seconds>(blocked);
    if (auto r = store.postpone_feeds(owner, ids, delay); !r) {
      spdlog::warn("postpone_failed host={} feeds={} error=\"{}\": their leases run out instead", host,
                   ids.size(), r.error().message);
      return;
    }
    spdlog::info("polls_postponed host={} feeds={} retry_in_s={} reason=retry_after", host, ids.size(),
                 delay.count());
  }

  asio::steady_timer gate_timer{io};
  std::optional<HostGate::Clock::time_point> gate_wake;  // when gate_timer fires, if armed
  ops::Metrics metrics;
  std::unique_ptr<ops::Endpoint> endpoint;
  std::unique_ptr<web::Server> web;               // web.listen: the analyst view, on its own thread
  std::optional<web::ServerOptions> web_options;  // what `web` serves with
  std::unique_ptr<backfill::Worker> backfill;     // feeds[].backfill.paged, on its own thread
  std::vector<std::string> feed_names;
  std::unordered_map<std::string, std::size_t> feed_index;  // name -> config.feeds index
  std::uint64_t config_generation = 0;                      // counts index_feeds(): config loads
  std::vector<store::UnchangedPoll> unchanged;              // 304s not yet recorded
  std::unordered_set<std::int64_t> busy_ids;                // polls in flight (leased by us)
  asio::steady_timer unchanged_timer{io};
  int in_flight = 0;
  bool stopping = false;
  std::chrono::steady_clock::time_point last_page_claim{};
  bool once_mode = false;         // `once`: claims walk every feed by id, from claim_cursor
  std::int64_t claim_cursor = 0;  // the highest feed id claimed by `once` or the current sweep
  bool all_claimed = false;       // `once` has claimed its last feed
  bool search_backlog = false;    // the last indexing run stopped with versions left
  std::chrono::steady_clock::time_point last_prune{};
  bool more_due = false;                            // the last claim was full: more feeds may be waiting
  Claim refill_kind = Claim::unleased;              // what the last claim took, and a refill takes again
  std::unordered_map<std::int64_t, KeptFeed> kept;  // by feed id
  std::set<std::pair<HostGate::Clock::time_point, std::int64_t>> kept_order;  // by due time
  asio::steady_timer kept_timer{io};
  std::optional<HostGate::Clock::time_point> kept_wake;  // when kept_timer fires, if armed
  int share = std::numeric_limits<int>::max();           // feeds this daemon may hold (beat())
  std::chrono::steady_clock::time_point last_sweep{};
  HostGate::Clock::time_point tick_at{};  // when the pending tick fires (schedule_tick)
  PageChecker pages{PageChecker::Deps{io, fetcher, gate, store, metrics, owner, [this] { page_finished(); }}};
  std::unique_ptr<alerts::AlertService> alerts;
};

Poller::Poller(config::Config config, PollerOptions options)
    : m_impl(std::make_unique<Impl>(std::move(config), std::move(options))) {}

Poller::~Poller() = default;

int Poller::once() {
  Impl& s = *m_impl;
  if (!s.ensure_database()) return 1;
  s.once_mode = true;
  s.poll_due(Impl::Claim::all);
  while (s.in_flight > 0 || !s.waiting.empty()) s.io.run_one();
  s.flush_unchanged();
  // Then every page that is due: new articles' first fetches and due re-checks.
  for (;;) {
    int claimed = s.check_pages(/*force=*/true);
    while (!s.pages.idle()) s.io.run_one();
    if (claimed == 0) break;
  }
  if (s.conn.ok()) {
    s.index_search(/*until_empty=*/true);  // everything stored is searchable when `once` returns
    s.prune(/*all=*/true);
    s.alerts->deliver_pending();
  }
  spdlog::info("once_done feeds={}", s.feed_names.size());
  return 0;
}

int Poller::run() {
  Impl& s = *m_impl;
  s.signals.add(SIGTERM);
  s.signals.add(SIGINT);
  s.signals.add(SIGHUP);
  s.wait_for_signal();
  std::uint64_t watchdog_usec = 0;
  if (sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec > 0) {
    s.watchdog = true;
    s.heartbeat_period = std::chrono::milliseconds(std::max<std::uint64_t>(watchdog_usec / 3000, 100));
    s.stuck_after = seconds(std::max<std::uint64_t>(watchdog_usec / 1000000, 1));
    spdlog::info("watchdog interval_ms={}", watchdog_usec / 1000);
  }
  s.metrics.heartbeat();
  s.schedule_heartbeat();
  if (s.config.metrics_listen) {
    s.endpoint = std::make_unique<ops::Endpoint>(
        ops::EndpointOptions{*s.config.metrics_listen, s.options.conninfo, s.stuck_after}, s.metrics);
    spdlog::info("metrics_listening address={}", *s.config.metrics_listen);
  }
  // Without the database nothing can be scheduled: keep trying, the server may be starting.
  if (s.ensure_database()) {
    spdlog::info("running feeds={} owner={}", s.feed_names.size(), s.owner);
    s.backfill = std::make_unique<backfill::Worker>(s.config, s.options.conninfo);
  }
  // After the migrations, so the view's session finds its views and role.
  if (s.config.web_listen) {
    s.web_options = web::options_from_config(s.config, s.options.conninfo);
    s.web = std::make_unique<web::Server>(*s.web_options);
    spdlog::info("web_listening address={}", *s.config.web_listen);
  }
  sd_notify(0, "READY=1");
  s.schedule_tick(seconds(0));
  s.alerts->start();
  s.io.run();
  s.backfill.reset();
  s.web.reset();
  s.endpoint.reset();
  spdlog::info("stopped");
  return 0;
}

}  // namespace fw::sched
