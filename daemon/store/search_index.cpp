#include "daemon/store/search_index.hpp"

#include <string>

namespace fw::store {

Result<int> index_search_backlog(db::Connection& conn, const SearchIndexLimits& limits) {
  int total = 0;
  for (int i = 0; i < limits.max_batches; ++i) {
    auto rows = conn.exec("SELECT feedwatch_index_search($1)", {std::to_string(limits.batch)});
    if (!rows) return fail("search indexing failed: " + rows.error().message);
    int done = static_cast<int>(rows->get_int(0, 0));
    total += done;
    if (done < limits.batch) break;
  }
  return total;
}

}  // namespace fw::store
