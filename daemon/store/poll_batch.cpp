#include "daemon/store/poll_batch.hpp"

#include <openssl/evp.h>

#include <array>
#include <charconv>
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

namespace {

// A PostgreSQL array literal written element by element, with no list of
// the elements built first.
class ArrayLiteral {
 public:
  void add(std::int64_t value) {
    separate();
    std::array<char, 24> digits{};
    auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
    (void)ec;  // 24 characters hold any int64
    m_text.append(digits.data(), end);
  }
  // Quoted, so that any text survives; nullopt is NULL.
  void add(std::optional<std::string_view> value) {
    separate();
    if (!value) {
      m_text += "NULL";
      return;
    }
    m_text.push_back('"');
    for (char c : *value) {
      if (c == '"' || c == '\\') m_text.push_back('\\');
      m_text.push_back(c);
    }
    m_text.push_back('"');
  }
  std::string done() && {
    m_text.push_back('}');
    return std::move(m_text);
  }

 private:
  void separate() {
    if (m_text.size() > 1) m_text.push_back(',');
  }
  std::string m_text = "{";
};

std::optional<std::string_view> view(const std::optional<std::string>& value) {
  return value ? std::optional<std::string_view>(*value) : std::nullopt;
}

}  // namespace

std::string to_pg_int_array(const std::vector<std::int64_t>& items) {
  ArrayLiteral out;
  for (std::int64_t item : items) out.add(item);
  return std::move(out).done();
}

std::string to_pg_opt_text_array(const std::vector<std::optional<std::string>>& items) {
  ArrayLiteral out;
  for (const auto& item : items) out.add(view(item));
  return std::move(out).done();
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
  // Each array is written straight from the polls: a batch of 256 copies no
  // URL or validator into lists of its own first.
  ArrayLiteral ids, urls, statuses, next_in, durations, bytes, etags, last_modified, outcomes, new_entries,
      keep, write_ids, log_only_ids;
  for (const UnchangedPoll& p : polls) {
    const bool same_entries = p.poll.outcome == "ok";
    // Only the rows written read the validators: a log-only row's are sent as
    // NULL, 50 bytes fewer to send and parse for most polls of a kept cycle.
    const bool log_only = row_unchanged_by(p);
    outcomes.add(std::string_view(same_entries ? "ok" : "not_modified"));
    new_entries.add(same_entries ? std::optional<std::string_view>("0") : std::nullopt);
    ids.add(p.feed.id);
    urls.add(std::string_view(p.feed.url));
    statuses.add(std::int64_t{p.poll.status.value_or(304)});
    next_in.add(std::int64_t{p.poll.next_poll_in.count()});
    durations.add(p.poll.duration_ms);
    bytes.add(p.poll.bytes);
    etags.add(log_only ? std::nullopt : view(p.poll.etag));
    last_modified.add(log_only ? std::nullopt : view(p.poll.last_modified));
    if (p.poll.keep_lease) {
      keep.add(
          std::int64_t{p.poll.keep_lease->count()});  // an int[] read from its text form: no quotes needed
    } else {
      keep.add(std::nullopt);
    }
    (log_only ? log_only_ids : write_ids).add(p.feed.id);
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
      {std::move(ids).done(), std::move(urls).done(), std::move(statuses).done(), std::move(next_in).done(),
       std::move(durations).done(), std::move(bytes).done(), std::move(etags).done(),
       std::move(last_modified).done(), std::move(outcomes).done(), std::move(new_entries).done(),
       std::move(keep).done(), polls.front().poll.owner, std::move(write_ids).done(),
       std::move(log_only_ids).done()});
  if (!r) return r.error();
  std::vector<std::int64_t> kept;
  kept.reserve(static_cast<std::size_t>(r->size()));
  for (int i = 0; i < r->size(); ++i) kept.push_back(r->get_int(i, 0));
  return kept;
}

}  // namespace fw::store
