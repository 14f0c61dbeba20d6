#include "daemon/store/retention.hpp"

#include <string>

namespace fw::store {

Result<std::int64_t> prune_fetch_log(db::Connection& conn, std::chrono::seconds keep,
                                     const PruneLimits& limits) {
  if (keep.count() <= 0) return std::int64_t{0};
  const auto start = std::chrono::steady_clock::now();
  std::int64_t deleted = 0;
  for (;;) {
    // Ids grow with time, so the oldest rows are the lowest ids: each batch
    // walks the primary key from its start, never the whole table. A batch
    // that reaches a row younger than `keep` deletes only what precedes it.
    auto r = conn.exec(
        "DELETE FROM fetch_log WHERE id IN ("
        "  SELECT id FROM fetch_log ORDER BY id LIMIT $2) "
        "AND started_at < now() - make_interval(secs => $1::bigint)",
        {std::to_string(keep.count()), std::to_string(limits.batch)});
    if (!r) return r.error();
    const std::int64_t n = r->affected();
    deleted += n;
    if (n < limits.batch) break;
    if (limits.budget != std::chrono::steady_clock::duration::zero() &&
        std::chrono::steady_clock::now() - start >= limits.budget)
      break;
  }
  return deleted;
}

}  // namespace fw::store
