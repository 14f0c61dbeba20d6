#include "daemon/ops/metrics.hpp"

#include <fmt/format.h>

namespace fw::ops {

void Metrics::fetch_done(long status, std::chrono::milliseconds elapsed, std::int64_t bytes) {
  std::size_t cls = (status >= 100 && status < 600) ? static_cast<std::size_t>(status / 100) : 0;
  m_fetches[cls].fetch_add(1, std::memory_order_relaxed);
  double seconds = static_cast<double>(elapsed.count()) / 1000.0;
  for (std::size_t i = 0; i < k_duration_buckets.size(); ++i) {
    if (seconds <= k_duration_buckets[i]) m_duration_buckets[i].fetch_add(1, std::memory_order_relaxed);
  }
  m_duration_count.fetch_add(1, std::memory_order_relaxed);
  m_duration_sum_ms.fetch_add(static_cast<std::uint64_t>(elapsed.count()), std::memory_order_relaxed);
  m_bytes.fetch_add(static_cast<std::uint64_t>(bytes), std::memory_order_relaxed);
}

void Metrics::articles_stored(int new_articles, int new_versions) {
  m_new_articles.fetch_add(static_cast<std::uint64_t>(new_articles), std::memory_order_relaxed);
  m_new_versions.fetch_add(static_cast<std::uint64_t>(new_versions), std::memory_order_relaxed);
}

void Metrics::page_checked(bool edited, bool removed, bool restored, bool page_ok, bool extracted) {
  if (edited) m_page_edits.fetch_add(1, std::memory_order_relaxed);
  if (removed) m_removed.fetch_add(1, std::memory_order_relaxed);
  if (restored) m_restored.fetch_add(1, std::memory_order_relaxed);
  if (page_ok) (extracted ? m_extract_ok : m_extract_empty).fetch_add(1, std::memory_order_relaxed);
}

void Metrics::poll_failed() {
  m_poll_failures.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::store_failed() {
  m_store_failures.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::alert_delivery(const std::string& outcome, int count) {
  const std::size_t i = outcome == "delivered" ? 0 : outcome == "failed" ? 1 : 2;
  m_alert_deliveries[i].fetch_add(static_cast<std::uint64_t>(count), std::memory_order_relaxed);
}

void Metrics::alert_queue(std::int64_t pending, std::int64_t dead) {
  m_alert_pending.store(pending, std::memory_order_relaxed);
  m_alert_dead.store(dead, std::memory_order_relaxed);
}

void Metrics::heartbeat() {
  m_heartbeat_ns.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                       std::memory_order_relaxed);
}

std::chrono::seconds Metrics::since_heartbeat() const {
  auto last = std::chrono::steady_clock::time_point(
      std::chrono::steady_clock::duration(m_heartbeat_ns.load(std::memory_order_relaxed)));
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - last);
}

std::string escape_label(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string Metrics::render() const {
  std::string out;
  auto load = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  out += "# HELP feedwatch_fetches_total HTTP fetches by status class (none: no response).\n";
  out += "# TYPE feedwatch_fetches_total counter\n";
  static constexpr std::array<const char*, 6> k_classes{"none", "1xx", "2xx", "3xx", "4xx", "5xx"};
  for (std::size_t i = 0; i < k_classes.size(); ++i) {
    out += fmt::format("feedwatch_fetches_total{{class=\"{}\"}} {}\n", k_classes[i], load(m_fetches[i]));
  }
  out += "# HELP feedwatch_fetch_duration_seconds Time from request to complete response.\n";
  out += "# TYPE feedwatch_fetch_duration_seconds histogram\n";
  for (std::size_t i = 0; i < k_duration_buckets.size(); ++i) {
    out += fmt::format("feedwatch_fetch_duration_seconds_bucket{{le=\"{}\"}} {}\n", k_duration_buckets[i],
                       load(m_duration_buckets[i]));
  }
  out += fmt::format("feedwatch_fetch_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", load(m_duration_count));
  out += fmt::format("feedwatch_fetch_duration_seconds_sum {:.3f}\n",
                     static_cast<double>(load(m_duration_sum_ms)) / 1000.0);
  out += fmt::format("feedwatch_fetch_duration_seconds_count {}\n", load(m_duration_count));
  out += "# HELP feedwatch_fetched_bytes_total Decoded response bytes received.\n";
  out += "# TYPE feedwatch_fetched_bytes_total counter\n";
  out += fmt::format("feedwatch_fetched_bytes_total {}\n", load(m_bytes));
  out += "# HELP feedwatch_articles_total Articles stored, by event.\n";
  out += "# TYPE feedwatch_articles_total counter\n";
  out += fmt::format("feedwatch_articles_total{{event=\"new\"}} {}\n", load(m_new_articles));
  out += fmt::format("feedwatch_articles_total{{event=\"edited\"}} {}\n",
                     load(m_new_versions) + load(m_page_edits));
  out += fmt::format("feedwatch_articles_total{{event=\"removed\"}} {}\n", load(m_removed));
  out += fmt::format("feedwatch_articles_total{{event=\"restored\"}} {}\n", load(m_restored));
  out += "# HELP feedwatch_extractions_total Article pages (2xx) run through the extractor, by result.\n";
  out += "# TYPE feedwatch_extractions_total counter\n";
  out += fmt::format("feedwatch_extractions_total{{result=\"ok\"}} {}\n", load(m_extract_ok));
  out += fmt::format("feedwatch_extractions_total{{result=\"empty\"}} {}\n", load(m_extract_empty));
  out += "# HELP feedwatch_poll_failures_total Feed polls that failed (HTTP, network or parse errors).\n";
  out += "# TYPE feedwatch_poll_failures_total counter\n";
  out += fmt::format("feedwatch_poll_failures_total {}\n", load(m_poll_failures));
  out += "# HELP feedwatch_store_failures_total Poll results the database did not accept (retried later).\n";
  out += "# TYPE feedwatch_store_failures_total counter\n";
  out += fmt::format("feedwatch_store_failures_total {}\n", load(m_store_failures));
  out += "# HELP feedwatch_alert_deliveries_total Alert delivery attempts by outcome (per delivery row).\n";
  out += "# TYPE feedwatch_alert_deliveries_total counter\n";
  static constexpr std::array<const char*, 3> k_alert_outcomes{"delivered", "failed", "dead"};
  for (std::size_t i = 0; i < k_alert_outcomes.size(); ++i) {
    out += fmt::format("feedwatch_alert_deliveries_total{{outcome=\"{}\"}} {}\n", k_alert_outcomes[i],
                       load(m_alert_deliveries[i]));
  }
  out +=
      "# HELP feedwatch_alert_queue Alert deliveries in the outbox, by status (pending: waiting to be "
      "sent).\n";
  out += "# TYPE feedwatch_alert_queue gauge\n";
  out += fmt::format("feedwatch_alert_queue{{status=\"pending\"}} {}\n",
                     m_alert_pending.load(std::memory_order_relaxed));
  out += fmt::format("feedwatch_alert_queue{{status=\"dead\"}} {}\n",
                     m_alert_dead.load(std::memory_order_relaxed));
  out += "# HELP feedwatch_loop_seconds_since_heartbeat Seconds since the event loop last ticked.\n";
  out += "# TYPE feedwatch_loop_seconds_since_heartbeat gauge\n";
  out += fmt::format("feedwatch_loop_seconds_since_heartbeat {}\n", since_heartbeat().count());
  return out;
}

}  // namespace fw::ops
