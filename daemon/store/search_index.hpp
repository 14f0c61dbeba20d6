// Fills the full-text search vectors of stored versions (sql/004_search.sql):
// versions are written with search = NULL so ingest does not pay for
// PostgreSQL's text parser and the index insertion, and this catches up after
// each poll and on the scheduler's ticks.
#pragma once

#include <chrono>

#include "daemon/db/pg.hpp"
#include "parsers/common/result.hpp"

namespace fw::store {

struct SearchIndexLimits {
  // Versions per statement. A version costs about 3.6 ms (the text parser,
  // its word pairs and the GIN index's pending list, sql/015: 278 versions/s
  // at a million articles), so a statement stays well under a second.
  int batch = 20;
  // Statements stop once this much time went by: bounds how long the event
  // loop is held (0: until the backlog is empty).
  std::chrono::steady_clock::duration budget = std::chrono::milliseconds(250);
};

struct SearchIndexProgress {
  int indexed = 0;    // versions given a vector
  bool more = false;  // the last batch was full: versions may still be waiting
};

// Indexes pending versions, a batch at a time, oldest first, until none is
// left or the time budget is spent.
Result<SearchIndexProgress> index_search_backlog(db::Connection& conn, const SearchIndexLimits& limits = {});

}  // namespace fw::store
