#include "daemon/backfill/backfill_command.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <iostream>

#include "daemon/backfill/backfill.hpp"
#include "daemon/config/derived.hpp"
#include "daemon/db/migrate.hpp"
#include "daemon/store/store.hpp"

namespace fw::backfill {

int command(const config::Config& config, const std::string& conninfo, const std::string& feed_name,
            int pages) {
  const config::FeedConfig* feed = nullptr;
  for (const auto& f : config.feeds) {
    if (f.name == feed_name) feed = &f;
  }
  if (!feed) {
    std::cerr << "feedwatch backfill: no feed named \"" << feed_name << "\" in " << config.path << "\n";
    return 2;
  }
  auto conn = db::Connection::open(conninfo);
  if (!conn) {
    spdlog::error("{}", conn.error().message);
    return 1;
  }
  if (auto m = db::migrate(*conn); !m) {
    spdlog::error("migrate_failed error=\"{}\"", m.error().message);
    return 1;
  }
  store::Store store(*conn);
  if (auto s = store.sync_feeds(config.feeds); !s) {
    spdlog::error("sync_feeds_failed error=\"{}\"", s.error().message);
    return 1;
  }
  net::FetchOptions fo = fetch_options(config);
  boost::asio::io_context io;
  net::Fetcher fetcher(io, fo);
  Options options;
  options.max_pages = pages > 0 ? pages : feed->backfill.max_pages;
  options.delay = config.http.per_host.min_delay;
  auto report = run(*conn, fetcher, io, config, *feed, options);
  if (!report) {
    spdlog::error("backfill_failed feed={} error=\"{}\"", feed_name, report.error().message);
    return 1;
  }
  std::cout << summary(feed_name, *report) << "\n";
  return 0;
}

}  // namespace fw::backfill
