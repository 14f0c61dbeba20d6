#include "daemon/store/poll_batch.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <memory>

#include "parsers/text/normalize.hpp"

namespace fw::store {

namespace {

// SHA-256 fed field by field, so that the feed's text is not copied into one
// string first (a 10,000-entry feed's bodies would be, two or three times).
class Digest {
 public:
  Digest() { EVP_DigestInit_ex(m_ctx.get(), EVP_sha256(), nullptr); }

  void add(std::string_view bytes) { EVP_DigestUpdate(m_ctx.get(), bytes.data(), bytes.size()); }

  // Length-prefixed, so that no two different field lists encode alike.
  void text(std::string_view value) {
    const std::uint64_t n = value.size();
    std::array<char, 1 + sizeof n> head{'s'};
    std::memcpy(head.data() + 1, &n, sizeof n);
    add(std::string_view(head.data(), head.size()));
    add(value);
  }
  void opt(const std::optional<std::string>& value) {
    if (value) {
      text(*value);
    } else {
      add("-");
    }
  }
  void time(const std::optional<std::int64_t>& value) {
    if (value) {
      text(std::to_string(*value));
    } else {
      add("-");
    }
  }
  void entry(const feed::Entry& e) {
    add("e");
    text(e.key);
    opt(e.id);
    opt(e.title);
    opt(e.link);
    time(e.published);
    time(e.updated);
    opt(e.author);
    text(std::to_string(e.categories.size()));
    for (const std::string& c : e.categories) text(c);
    opt(e.summary);
    opt(e.content);
    opt(e.content_html);
  }

  std::string hex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(m_ctx.get(), md.data(), &len);
    return text::hex(md.data(), len);
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> m_ctx{EVP_MD_CTX_new(), EVP_MD_CTX_free};
};

}  // namespace

std::string entries_digest(const FeedRow& feed, const feed::Feed& parsed) {
  Digest d;
  d.add("feedwatch entries 2");  // the version of this encoding
  // A new extractor may read the same entries into other text: a full store then.
  d.text(extract::k_extractor_version);
  d.text(feed.url);
  d.text(feed.fetch_articles ? "fetch" : "no-fetch");
  d.opt(parsed.title);
  d.opt(parsed.link);
  for (const feed::Entry& e : parsed.entries) d.entry(e);
  return d.hex();
}

std::string entry_digest(const feed::Entry& entry) {
  Digest d;
  d.add("feedwatch entry 1");
  d.text(extract::k_extractor_version);
  d.entry(entry);
  return d.hex();
}

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

bool row_unchanged_by(const UnchangedPoll& p) {
  const auto& row = p.feed.kept_row;
  return row && p.poll.keep_lease && p.poll.keep_lease->count() == row->keep &&
         p.poll.next_poll_in.count() == row->next_in && p.poll.status.value_or(304) == row->status &&
         (!p.poll.etag || p.poll.etag == p.feed.etag) &&
         (!p.poll.last_modified || p.poll.last_modified == p.feed.last_modified) && p.feed.error_count == 0;
}

Result<std::vector<std::int64_t>> record_unchanged(db::Connection& conn,
                                                   const std::vector<UnchangedPoll>& polls) {
  if (polls.empty()) return std::vector<std::int64_t>{};
  std::vector<std::int64_t> ids, statuses, next_in, durations, bytes, write_ids, log_only_ids;
  std::vector<std::optional<std::string>> urls, etags, last_modified, outcomes, new_entries, keep;
  for (const UnchangedPoll& p : polls) {
    const bool same_entries = p.poll.outcome == "ok";
    outcomes.emplace_back(same_entries ? "ok" : "not_modified");
    new_entries.emplace_back(same_entries ? std::optional<std::string>("0") : std::nullopt);
    ids.push_back(p.feed.id);
    urls.emplace_back(p.feed.url);
    statuses.push_back(p.poll.status.value_or(304));
    next_in.push_back(p.poll.next_poll_in.count());
    durations.push_back(p.poll.duration_ms);
    bytes.push_back(p.poll.bytes);
    etags.push_back(p.poll.etag);
    last_modified.push_back(p.poll.last_modified);
    keep.push_back(p.poll.keep_lease ? std::optional<std::string>(std::to_string(p.poll.keep_lease->count()))
                                     : std::nullopt);
    (row_unchanged_by(p) ? log_only_ids : write_ids).push_back(p.feed.id);
  }
  // RFC 9110 §13.2.2: the validators are kept verbatim; a 304 may refresh them.
  // `f.id = ANY($13)` makes the join index probes of the feeds to write: joined
  // with unnest alone, the planner may hash a sequential scan of every feed.
  // Leases are kept or released only when they are the batch owner's ($12) or
  // nobody's, as in Store::write_poll_state. Rows that would be written with
  // what they hold ($14, row_unchanged_by) are not written: only read, to
  // learn whether they are still the owner's (sql/014). Prepared once per
  // session: a running daemon sends this every 256 polls or half second.
  auto r = conn.exec_prepared(
      "fw_record_unchanged",
      "WITH u AS ("
      "  SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::int[], $5::int[], $6::bigint[], "
      "                       $7::text[], $8::text[], $9::text[], $10::int[], $11::int[]) "
      "    AS u(id, url, status, next_in, duration_ms, bytes, etag, last_modified, outcome, new_entries, "
      "keep)), "
      "upd AS ("
      "  UPDATE feeds f SET last_polled_at = now(), last_status = u.status, "
      "    next_poll_at = now() + make_interval(secs => u.next_in), "
      "    lease_owner = CASE WHEN f.lease_owner <> $12 THEN f.lease_owner WHEN u.keep IS NULL THEN NULL "
      "                       ELSE $12 END, "
      "    lease_until = CASE WHEN f.lease_owner <> $12 THEN f.lease_until "
      "                       ELSE now() + make_interval(secs => u.next_in + u.keep) END, "
      "    etag = coalesce(u.etag, f.etag), last_modified = coalesce(u.last_modified, f.last_modified), "
      "    last_success_at = now(), error_count = 0, last_error = NULL, moved_to = NULL, moved_count = 0 "
      "  FROM u WHERE f.id = u.id AND f.id = ANY($13::bigint[]) RETURNING f.id, f.lease_owner), "
      "logged AS ("
      "  INSERT INTO fetch_log (feed_id, url, started_at, duration_ms, status, outcome, bytes, new_entries) "
      "  SELECT id, url, now() - duration_ms * interval '1 millisecond', duration_ms, status, outcome, "
      "         bytes, new_entries FROM u) "
      "SELECT id FROM upd WHERE lease_owner = $12 "
      "UNION ALL SELECT id FROM feeds WHERE id = ANY($14::bigint[]) AND lease_owner = $12",
      {to_pg_int_array(ids), to_pg_opt_text_array(urls), to_pg_int_array(statuses), to_pg_int_array(next_in),
       to_pg_int_array(durations), to_pg_int_array(bytes), to_pg_opt_text_array(etags),
       to_pg_opt_text_array(last_modified), to_pg_opt_text_array(outcomes), to_pg_opt_text_array(new_entries),
       to_pg_opt_text_array(keep), polls.front().poll.owner, to_pg_int_array(write_ids),
       to_pg_int_array(log_only_ids)});
  if (!r) return r.error();
  std::vector<std::int64_t> kept;
  kept.reserve(static_cast<std::size_t>(r->size()));
  for (int i = 0; i < r->size(); ++i) kept.push_back(r->get_int(i, 0));
  return kept;
}

}  // namespace fw::store
