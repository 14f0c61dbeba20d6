#include "daemon/store/search_index.hpp"

#include <string>

namespace fw::store {

Result<SearchIndexProgress> index_search_backlog(db::Connection& conn, const SearchIndexLimits& limits) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  SearchIndexProgress progress;
  for (;;) {
    auto rows = conn.exec("SELECT feedwatch_index_search($1)", {std::to_string(limits.batch)});
    if (!rows) return fail("search indexing failed: " + rows.error().message);
    int done = static_cast<int>(rows->get_int(0, 0));
    progress.indexed += done;
    progress.more = done >= limits.batch;
    if (!progress.more) break;
    if (limits.budget.count() > 0 && Clock::now() - start >= limits.budget) break;
  }
  return progress;
}

}  // namespace fw::store
