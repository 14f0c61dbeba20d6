// Fills the full-text search vectors of stored versions (sql/004_search.sql):
// versions are written with search = NULL so ingest does not pay for
// PostgreSQL's text parser, and this catches up after each poll.
#pragma once

#include "daemon/db/pg.hpp"
#include "parsers/common/result.hpp"

namespace fw::store {

struct SearchIndexLimits {
  int batch = 50;        // versions per statement (about 1.5 ms each for a 4 KB article)
  int max_batches = 20;  // per call: bounds the time the event loop is held
};

// Indexes pending versions, a batch at a time, until none is left or
// max_batches ran; returns how many were indexed.
Result<int> index_search_backlog(db::Connection& conn, const SearchIndexLimits& limits = {});

}  // namespace fw::store
