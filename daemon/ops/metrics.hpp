// Process metrics in the Prometheus text exposition format (version 0.0.4):
// counters and a histogram updated by the event loop, read by the metrics
// server's own thread. Per-source health comes from the database at scrape
// time, so every daemon sharing a database reports the same truth.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace fw::ops {

class Metrics {
 public:
  // One HTTP fetch finished. `status` 0 means no response (network error, refusal, time-out).
  void fetch_done(long status, std::chrono::milliseconds elapsed, std::int64_t bytes);
  void articles_stored(int new_articles, int new_versions);
  // One article page fetch recorded: what changed, and whether a 2xx page gave a body.
  void page_checked(bool edited, bool removed, bool restored, bool page_ok, bool extracted);
  void poll_failed();
  void store_failed();
  // Alert deliveries: `count` rows had an attempt ending `outcome` (delivered, failed, dead).
  void alert_delivery(const std::string& outcome, int count);
  // The outbox: rows waiting to be sent, and rows given up on.
  void alert_queue(std::int64_t pending, std::int64_t dead);
  // The event loop calls this on every tick; /healthz fails when it stops.
  void heartbeat();
  std::chrono::seconds since_heartbeat() const;

  // The process-wide series (fetches, durations, bytes, articles, loop), without per-source health.
  std::string render() const;

  static constexpr std::array<double, 10> k_duration_buckets{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

 private:
  // fetches by status class: index 0 = no response, 1..5 = 1xx..5xx
  std::array<std::atomic<std::uint64_t>, 6> m_fetches{};
  std::array<std::atomic<std::uint64_t>, k_duration_buckets.size()> m_duration_buckets{};
  std::atomic<std::uint64_t> m_duration_count{0};
  std::atomic<std::uint64_t> m_duration_sum_ms{0};
  std::atomic<std::uint64_t> m_bytes{0};
  std::atomic<std::uint64_t> m_new_articles{0};
  std::atomic<std::uint64_t> m_new_versions{0};
  std::atomic<std::uint64_t> m_page_edits{0};
  std::atomic<std::uint64_t> m_removed{0};
  std::atomic<std::uint64_t> m_restored{0};
  std::atomic<std::uint64_t> m_extract_ok{0};
  std::atomic<std::uint64_t> m_extract_empty{0};
  std::atomic<std::uint64_t> m_poll_failures{0};
  std::atomic<std::uint64_t> m_store_failures{0};
  std::array<std::atomic<std::uint64_t>, 3> m_alert_deliveries{};  // delivered, failed, dead
  std::atomic<std::int64_t> m_alert_pending{0};
  std::atomic<std::int64_t> m_alert_dead{0};
  std::atomic<std::int64_t> m_heartbeat_ns{std::chrono::steady_clock::now().time_since_epoch().count()};
};

// Escapes a label value for the exposition format (backslash, quote, newline).
std::string escape_label(const std::string& value);

}  // namespace fw::ops
