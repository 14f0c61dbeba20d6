// The polling daemon: one Boost.Asio io_context drives the scheduler, the
// libcurl fetcher and the signal handling. Due work lives in PostgreSQL
// (feeds.next_poll_at), so a restart loses nothing, and each poll is claimed
// with a lease (SKIP LOCKED) so several daemons can share one database.
//
// Database calls are synchronous libpq calls made from the event loop: each is
// short (one transaction per feed poll) and keeping them on the loop thread
// keeps the design single-threaded.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "daemon/config/config.hpp"

namespace fw::sched {

struct PollerOptions {
  std::string conninfo;                      // libpq connection string
  std::string config_path;                   // re-read on SIGHUP; empty: reload disabled
  bool log_level_from_command_line = false;  // --log-level given: a reload keeps it
  std::chrono::seconds drain_timeout{20};    // SIGTERM: how long in-flight polls may finish
  // How long a claimed poll stays ours; after it another daemon may take the
  // feed over (ours died). Absent: http.timeout + 2 min. `run --lease`.
  std::optional<std::chrono::seconds> lease;
};

class Poller {
 public:
  Poller(config::Config config, PollerOptions options);
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // Polls every configured feed now, waits for all of them, returns the exit
  // code: 0 even when feeds failed (their errors are logged and stored); 1 when
  // the database is unusable.
  int once();

  // Runs until SIGTERM or SIGINT, then drains and returns 0. SIGHUP reloads the
  // configuration: a valid new one replaces feeds, rules, sites, hooks and HTTP
  // settings without dropping polls in flight; an invalid one is logged and refused.
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace fw::sched
