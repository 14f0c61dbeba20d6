#include "daemon/store/poll_batch.hpp"

namespace fw::store {

std::string to_pg_int_array(const std::vector<std::int64_t>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out.push_back(',');
    out += std::to_string(items[i]);
  }
  out.push_back('}');
  return out;
}

std::string to_pg_opt_text_array(const std::vector<std::optional<std::string>>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out.push_back(',');
    if (!items[i]) {
      out += "NULL";
      continue;
    }
    out.push_back('"');
    for (char c : *items[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

Result<void> record_unchanged(db::Connection& conn, const std::vector<UnchangedPoll>& polls) {
  if (polls.empty()) return {};
  std::vector<std::int64_t> ids, statuses, next_in, durations, bytes;
  std::vector<std::optional<std::string>> urls, etags, last_modified;
  for (const UnchangedPoll& p : polls) {
    ids.push_back(p.feed.id);
    urls.emplace_back(p.feed.url);
    statuses.push_back(p.poll.status.value_or(304));
    next_in.push_back(p.poll.next_poll_in.count());
    durations.push_back(p.poll.duration_ms);
    bytes.push_back(p.poll.bytes);
    etags.push_back(p.poll.etag);
    last_modified.push_back(p.poll.last_modified);
  }
  // RFC 9110 §13.2.2: the validators are kept verbatim; a 304 may refresh them.
  // `f.id = ANY($1)` makes the join index probes of the batch's feeds: joined
  // with unnest alone, the planner may hash a sequential scan of every feed.
  auto r = conn.exec(
      "WITH u AS ("
      "  SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::int[], $5::int[], $6::bigint[], "
      "                       $7::text[], $8::text[]) "
      "    AS u(id, url, status, next_in, duration_ms, bytes, etag, last_modified)), "
      "upd AS ("
      "  UPDATE feeds f SET last_polled_at = now(), last_status = u.status, "
      "    next_poll_at = now() + make_interval(secs => u.next_in), lease_owner = NULL, lease_until = NULL, "
      "    etag = coalesce(u.etag, f.etag), last_modified = coalesce(u.last_modified, f.last_modified), "
      "    last_success_at = now(), error_count = 0, last_error = NULL, moved_to = NULL, moved_count = 0 "
      "  FROM u WHERE f.id = u.id AND f.id = ANY($1::bigint[])) "
      "INSERT INTO fetch_log (feed_id, url, started_at, duration_ms, status, outcome, bytes) "
      "SELECT id, url, now() - duration_ms * interval '1 millisecond', duration_ms, status, 'not_modified', "
      "       bytes FROM u",
      {to_pg_int_array(ids), to_pg_opt_text_array(urls), to_pg_int_array(statuses), to_pg_int_array(next_in),
       to_pg_int_array(durations), to_pg_int_array(bytes), to_pg_opt_text_array(etags),
       to_pg_opt_text_array(last_modified)});
  if (!r) return r.error();
  return {};
}

}  // namespace fw::store
