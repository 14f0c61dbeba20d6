// Article page fetches: the first fetch of a new article's page and its
// re-checks on the `recheck` schedule. Due work lives in PostgreSQL
// (articles.next_check_at) and is claimed with a lease (SKIP LOCKED), like feed
// polls; fetches go through the same fetcher and the same per-host gate.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "daemon/config/config.hpp"
#include "daemon/net/fetcher.hpp"
#include "daemon/ops/metrics.hpp"
#include "daemon/sched/host_gate.hpp"
#include "daemon/store/store.hpp"
#include "parsers/extract/extract.hpp"

namespace boost::asio {
class io_context;
}

namespace fw::sched {

class PageChecker {
 public:
  struct Deps {
    boost::asio::io_context& io;
    net::Fetcher& fetcher;
    HostGate& gate;
    store::Store& store;
    ops::Metrics& metrics;
    std::string owner;
    // Called after every finished fetch, so the owner can dispatch and drain.
    std::function<void()> finished;
  };

  explicit PageChecker(Deps deps);
  ~PageChecker();
  PageChecker(const PageChecker&) = delete;
  PageChecker& operator=(const PageChecker&) = delete;

  // Site rules and the re-check schedule (at start and on reload).
  void configure(const config::Config& config);

  // Claims up to `room` due pages and starts those their host allows now.
  // Returns how many were claimed.
  int check_due(int room);

  int in_flight() const { return m_in_flight; }
  bool idle() const { return m_in_flight == 0 && m_waiting.empty(); }

  // Shutdown: releases the leases of pages not started yet.
  void stop();

 private:
  void dispatch();
  void start(store::ArticleRow article);
  void handle(const store::ArticleRow& article, net::FetchResult result);
  std::chrono::seconds retry_delay(int error_count);

  struct Timer;
  Deps m_deps;
  std::unique_ptr<Timer> m_timer;
  std::vector<extract::SiteRule> m_rules;
  std::vector<std::chrono::seconds> m_recheck;
  std::chrono::seconds m_lease{150};
  std::deque<store::ArticleRow> m_waiting;
  int m_in_flight = 0;
  bool m_stopping = false;
};

}  // namespace fw::sched
