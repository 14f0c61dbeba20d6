// How long operational rows are kept. fetch_log gets a row per HTTP fetch:
// 10,000 feeds polled every 15 minutes write about a million a day, so a
// daemon left alone for months would fill its disk with them. Older rows are
// deleted a bounded batch at a time, oldest first.
#pragma once

#include <chrono>
#include <cstdint>

#include "daemon/db/pg.hpp"
#include "parsers/common/result.hpp"

namespace fw::store {

struct PruneLimits {
  int batch = 5000;  // rows per DELETE
  // Statements stop once this much time went by: bounds how long the event
  // loop is held (0: until nothing older is left).
  std::chrono::steady_clock::duration budget = std::chrono::milliseconds(200);
};

// Deletes fetch_log rows that started more than `keep` ago (nothing when
// `keep` is zero: keep everything). Returns the number of rows deleted.
Result<std::int64_t> prune_fetch_log(db::Connection& conn, std::chrono::seconds keep,
                                     const PruneLimits& limits = {});

}  // namespace fw::store
