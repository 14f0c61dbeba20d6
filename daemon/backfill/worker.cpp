#include "daemon/backfill/worker.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>

#include "daemon/backfill/backfill.hpp"
#include "daemon/config/derived.hpp"
#include "daemon/db/pg.hpp"

namespace fw::backfill {

Worker::Worker(config::Config config, std::string conninfo)
    : m_config(std::move(config)), m_conninfo(std::move(conninfo)), m_thread([this] { main(); }) {}

Worker::~Worker() {
  stop();
  if (m_thread.joinable()) m_thread.join();
}

void Worker::main() {
  bool any = false;
  for (const auto& f : m_config.feeds) any = any || f.backfill.paged;
  if (!any) return;
  auto conn = db::Connection::open(m_conninfo);
  if (!conn) {
    spdlog::error("backfill_failed error=\"{}\"", conn.error().message);
    return;
  }
  net::FetchOptions fo = fetch_options(m_config);
  boost::asio::io_context io;
  net::Fetcher fetcher(io, fo);
  for (const auto& feed : m_config.feeds) {
    if (m_stop) return;
    if (!feed.backfill.paged) continue;
    auto done = conn->exec(
        "SELECT 1 FROM backfill_state b JOIN feeds f ON f.id = b.feed_id WHERE f.name = $1 AND b.status = "
        "'done'",
        {feed.name});
    if (!done) {
      spdlog::error("backfill_failed feed={} error=\"{}\"", feed.name, done.error().message);
      return;
    }
    if (!done->empty()) {  // finished on an earlier start
      spdlog::info("backfill_skipped feed={} reason=finished_before", feed.name);
      continue;
    }
    Options options;
    options.max_pages = feed.backfill.max_pages;
    options.delay = m_config.http.per_host.min_delay;
    options.stop = &m_stop;
    auto report = run(*conn, fetcher, io, m_config, feed, options);
    if (!report) {
      spdlog::warn("backfill_failed feed={} error=\"{}\"", feed.name, report.error().message);
      continue;
    }
    spdlog::info("{}", summary(feed.name, *report));
  }
}

}  // namespace fw::backfill
