// The daemon's backfill: at start, every feed with `backfill.paged: true`
// whose backfill has not finished (never started, or interrupted) is walked
// (backfill.hpp), one feed after the other, on a thread of its own with its own
// event loop, fetcher and database connection, so the polls never wait for it.
// stop() makes it finish the page in hand and return; the walk resumes at the
// next start.
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "daemon/config/config.hpp"

namespace fw::backfill {

class Worker {
 public:
  Worker(config::Config config, std::string conninfo);
  ~Worker();  // stops and joins
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void stop() { m_stop = true; }

 private:
  void main();

  config::Config m_config;
  std::string m_conninfo;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

}  // namespace fw::backfill
