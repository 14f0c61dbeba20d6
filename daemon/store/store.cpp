#include "daemon/store/store.hpp"

#include "daemon/store/changes.hpp"
#include "daemon/store/poll_batch.hpp"
#include "parsers/date/date.hpp"
#include "parsers/diff/canonical.hpp"
#include "parsers/extract/extract.hpp"
#include "parsers/text/normalize.hpp"

namespace fw::store {

namespace {

bool is_global_id(const std::string& id) {
  for (const char* scheme : {"http://", "https://", "tag:", "urn:"}) {
    if (id.rfind(scheme, 0) == 0) return true;
  }
  return false;
}

std::string host_of(const std::string& url) {
  std::size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  std::size_t end = url.find_first_of("/?#", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

std::string article_key(const feed::Entry& entry, const std::string& feed_url) {
  if (entry.id && !entry.id->empty()) {
    return is_global_id(*entry.id) ? *entry.id : host_of(feed_url) + " " + *entry.id;
  }
  if (entry.link && !entry.link->empty()) return *entry.link;
  return "sha256:" + text::sha256_hex(entry.title.value_or("") + "\n" + entry_body_text(entry));
}

std::string entry_body_text(const feed::Entry& entry) {
  // The full body through the extractor: paragraphs kept, WordPress's "The post
  // ... appeared first on ..." footer, Read Also boxes and promo banners removed.
  if (entry.content_html) {
    extract::Options options;
    options.url = entry.link.value_or("");
    options.fragment = true;
    if (auto article = extract::extract(*entry.content_html, options); article && !article->text.empty()) {
      return article->text;
    }
  }
  if (entry.content) return *entry.content;
  if (entry.summary) return *entry.summary;
  return {};
}

std::string to_pg_text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out.push_back(',');
    out.push_back('"');
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

Result<void> Store::sync_feeds(const std::vector<config::FeedConfig>& feeds) {
  std::vector<std::string> names;
  std::vector<std::string> urls;
  names.reserve(feeds.size());
  urls.reserve(feeds.size());
  for (const config::FeedConfig& f : feeds) {
    names.push_back(f.name);
    urls.push_back(f.url);
  }
  // One statement for the whole list (names are unique in a valid config);
  // feeds whose URL did not change are filtered out before the insert, so a
  // restart with 10,000 feeds neither writes nor locks their rows.
  // A changed URL is a different resource: its validators no longer apply.
  auto r = m_conn.exec(
      "INSERT INTO feeds (name, url, config_url) "
      "SELECT c.name, c.url, c.url FROM unnest($1::text[], $2::text[]) AS c(name, url) "
      "WHERE NOT EXISTS (SELECT 1 FROM feeds f WHERE f.name = c.name AND f.config_url = c.url) "
      "ON CONFLICT (name) DO UPDATE SET url = EXCLUDED.url, config_url = EXCLUDED.config_url, "
      "  etag = NULL, last_modified = NULL, moved_to = NULL, moved_count = 0, next_poll_at = now() "
      "WHERE feeds.config_url IS DISTINCT FROM EXCLUDED.config_url",
      {to_pg_text_array(names), to_pg_text_array(urls)});
  if (!r) return r.error();
  return ensure_scope(names);
}

Result<void> Store::ensure_scope(const std::vector<std::string>& names) {
  int backend = PQbackendPID(m_conn.raw());
  if (backend != 0 && backend == m_scope_backend && names == m_scope_names) return {};
  m_scope_backend = 0;
  // ON COMMIT PRESERVE ROWS (the default): the table lives as long as the session.
  auto r = m_conn.exec("CREATE TEMP TABLE IF NOT EXISTS fw_scope (name text PRIMARY KEY)");
  if (!r) return r.error();
  db::Transaction tx(m_conn);
  if (!tx.begun()) return tx.begin_error();
  if (auto d = m_conn.exec("DELETE FROM fw_scope"); !d) return d.error();
  if (auto i =
          m_conn.exec("INSERT INTO fw_scope SELECT DISTINCT unnest($1::text[])", {to_pg_text_array(names)});
      !i) {
    return i.error();
  }
  if (auto a = m_conn.exec("ANALYZE fw_scope"); !a) return a.error();
  if (auto c = tx.commit(); !c) return c.error();
  m_scope_names = names;
  m_scope_backend = backend;
  return {};
}

Result<std::vector<FeedRow>> Store::claim_feeds(const std::string& owner,
                                                const std::vector<std::string>& names, Claim kind, int limit,
                                                std::chrono::seconds lease,
                                                std::optional<std::int64_t> after_id,
                                                const std::vector<std::int64_t>& busy,
                                                const std::vector<std::int64_t>& kept) {
  if (auto s = ensure_scope(names); !s) return s.error();
  // Unleased feeds come from the partial index feeds_unleased (013), which
  // holds only feeds no daemon keeps, so a tick of a daemon that keeps them
  // all reads nothing; `all` walks the primary key from the cursor; the sweep
  // scans every feed (there is no index on next_poll_at: every write of a
  // feed's schedule is a HOT update). The claimed ids are updated through
  // `id = ANY(ARRAY(...))`, index probes: as a semi-join (`id IN (...)`) the
  // planner may hash a sequential scan of all feeds.
  //
  // A lease is free once it ran out and its owner is no running daemon (no
  // `pollers` row alive, 014): a kept feed's row is not written by polls that
  // change nothing, so its lease_until passes while its daemon still polls it.
  // The sweep also takes this daemon's own due feeds that it is not polling
  // or keeping (a claim whose record failed), and its kept feeds whose
  // next_poll_at someone changed by hand: a kept feed's row was written with
  // lease_until = next_poll_at + the lease.
  static const std::string k_claim_head =
      "UPDATE feeds SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::int) "
      "WHERE id = ANY(ARRAY(SELECT c.id FROM feeds c "
      "             WHERE c.name IN (SELECT name FROM fw_scope) "
      "               AND NOT (c.id = ANY($4::bigint[])) ";
  static const std::string k_claim_tail =
      " LIMIT $3 FOR UPDATE SKIP LOCKED)) "
      "RETURNING id, name, url, etag, last_modified, error_count, "
      "  CASE WHEN entries_stored_at > now() - interval '1 day' THEN entries_digest END, "
      "  extract(epoch FROM entries_stored_at + interval '1 day' - now())::bigint, hint_ttl_s, "
      "hint_posting_s";
  static const std::string k_free =
      "(c.lease_until IS NULL OR (c.lease_until < now() AND NOT EXISTS ("
      "   SELECT 1 FROM pollers p WHERE p.owner = c.lease_owner AND p.alive_until > now()))) ";
  static const std::string k_claim_all =
      k_claim_head + "AND " + k_free + "AND c.id > $5::bigint ORDER BY c.id" + k_claim_tail;
  static const std::string k_claim_unleased_by_id =
      k_claim_head +
      "AND c.lease_owner IS NULL AND c.next_poll_at <= now() AND c.id > $5::bigint ORDER BY c.id" +
      k_claim_tail;
  static const std::string k_claim_unleased =
      k_claim_head + "AND c.lease_owner IS NULL AND c.next_poll_at <= now() ORDER BY c.next_poll_at" +
      k_claim_tail;
  static const std::string k_claim_sweep =
      k_claim_head + "AND c.next_poll_at <= now() AND (" + k_free +
      "  OR (c.lease_owner = $1 AND (NOT (c.id = ANY($5::bigint[])) "
      "                              OR c.next_poll_at <> c.lease_until - make_interval(secs => $2::int)))) "
      "ORDER BY c.next_poll_at" +
      k_claim_tail;
  std::vector<db::Param> params{owner, std::to_string(lease.count()), std::to_string(limit),
                                to_pg_int_array(busy)};
  const std::string* sql = &k_claim_unleased;
  if (kind == Claim::sweep) {
    sql = &k_claim_sweep;
    params.emplace_back(to_pg_int_array(kept));
  } else if (kind == Claim::all || after_id) {
    sql = kind == Claim::all ? &k_claim_all : &k_claim_unleased_by_id;
    params.emplace_back(std::to_string(after_id.value_or(0)));
  }
  auto r = m_conn.exec(*sql, params);
  if (!r) return r.error();
  std::vector<FeedRow> rows;
  const auto now = std::chrono::steady_clock::now();
  for (int i = 0; i < r->size(); ++i) {
    FeedRow f;
    f.id = r->get_int(i, 0);
    f.name = std::string(r->get(i, 1));
    f.url = std::string(r->get(i, 2));
    f.etag = r->get_opt(i, 3);
    f.last_modified = r->get_opt(i, 4);
    f.error_count = static_cast<int>(r->get_int(i, 5));
    f.entries_digest = r->get_opt(i, 6);
    if (f.entries_digest) f.entries_digest_until = now + std::chrono::seconds(r->get_int(i, 7));
    if (!r->is_null(i, 8)) f.hints.ttl = std::chrono::seconds(r->get_int(i, 8));
    if (!r->is_null(i, 9)) f.hints.posting = std::chrono::seconds(r->get_int(i, 9));
    rows.push_back(std::move(f));
  }
  return rows;
}

Result<std::optional<std::int64_t>> Store::seconds_until_next_due(const std::vector<std::string>& names) {
  if (auto s = ensure_scope(names); !s) return s.error();
  // The earliest next_poll_at of an unleased configured feed (feeds_unleased).
  // No row when there is none (min() would give NULL, which greatest() ignores).
  auto r = m_conn.exec(
      "SELECT ceil(greatest(0, extract(epoch FROM next_poll_at - now())))::bigint FROM feeds "
      "WHERE lease_owner IS NULL AND name IN (SELECT name FROM fw_scope) ORDER BY next_poll_at LIMIT 1");
  if (!r) return r.error();
  if (r->empty() || r->is_null(0, 0)) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{r->get_int(0, 0)};
}

Result<void> Store::release_feeds(const std::string& owner, const std::vector<std::int64_t>& ids,
                                  const std::vector<std::int64_t>& due_in, std::chrono::seconds lease) {
  if (ids.empty()) return {};
  // A kept row holds lease_until = next_poll_at + the lease; one whose
  // next_poll_at was changed by hand since keeps that time.
  auto r = m_conn.exec(
      "UPDATE feeds f SET lease_owner = NULL, lease_until = NULL, "
      "  next_poll_at = CASE WHEN f.next_poll_at = f.lease_until - make_interval(secs => $4::int) "
      "                      THEN now() + make_interval(secs => u.due_in) ELSE f.next_poll_at END "
      "FROM unnest($1::bigint[], $3::bigint[]) AS u(id, due_in) "
      "WHERE f.id = u.id AND f.id = ANY($1::bigint[]) AND f.lease_owner = $2",
      {to_pg_int_array(ids), owner, to_pg_int_array(due_in), std::to_string(lease.count())});
  if (!r) return r.error();
  return {};
}

Result<void> Store::postpone_feeds(const std::string& owner, const std::vector<std::int64_t>& ids,
                                   std::chrono::seconds delay) {
  if (ids.empty()) return {};
  auto r = m_conn.exec(
      "UPDATE feeds SET lease_owner = NULL, lease_until = NULL, "
      "  next_poll_at = greatest(next_poll_at, now() + make_interval(secs => $3::int)) "
      "WHERE id = ANY($1::bigint[]) AND lease_owner = $2",
      {to_pg_int_array(ids), owner, std::to_string(delay.count())});
  if (!r) return r.error();
  return {};
}

Result<int> Store::heartbeat(const std::string& owner, std::chrono::seconds alive_for) {
  auto r = m_conn.exec(
      "WITH beat AS (INSERT INTO pollers (owner, alive_until) VALUES ($1, now() + make_interval(secs => "
      "$2::int)) "
      "              ON CONFLICT (owner) DO UPDATE SET alive_until = excluded.alive_until) "
      "SELECT 1 + count(*) FROM pollers WHERE alive_until > now() AND owner <> $1",
      {owner, std::to_string(alive_for.count())});
  if (!r) return r.error();
  return static_cast<int>(r->get_int(0, 0));
}

Result<void> Store::forget_poller(const std::string& owner) {
  // Rows of daemons that died are dropped here too, a day after their last beat.
  auto r =
      m_conn.exec("DELETE FROM pollers WHERE owner = $1 OR alive_until < now() - interval '1 day'", {owner});
  if (!r) return r.error();
  return {};
}

Result<std::vector<std::string>> Store::pollers_on_host(const std::string& host) {
  // A prefix compared as text, not LIKE: a host name may hold '_'.
  auto r = m_conn.exec("SELECT owner FROM pollers WHERE left(owner, length($1) + 1) = $1 || ':'", {host});
  if (!r) return r.error();
  std::vector<std::string> owners;
  for (int i = 0; i < r->size(); ++i) owners.emplace_back(r->get(i, 0));
  return owners;
}

Result<std::int64_t> Store::bury_poller(const std::string& owner) {
  auto r = m_conn.exec(
      "WITH freed AS (UPDATE feeds SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1 "
      "               RETURNING 1), "
      "     gone AS (DELETE FROM pollers WHERE owner = $1) "
      "SELECT count(*) FROM freed",
      {owner});
  if (!r) return r.error();
  return r->get_int(0, 0);
}

Result<void> Store::emit(const ArticleEvent& event) {
  if (!m_sink) return {};
  return m_sink(m_conn, event);
}

Result<bool> Store::write_poll_state(const FeedRow& feed, const PollRecord& poll, const feed::Feed* parsed,
                                     const StoreCounts& counts) {
  const bool success = poll.outcome == "ok" || poll.outcome == "not_modified";
  const std::string id = std::to_string(feed.id);
  // RFC 9110 §13.2.2: keep the server's validators verbatim; a 304 may refresh them.
  // RFC 9110 §15.4.2: after a 301/308 a client "ought to" use the new URL. One
  // redirect may be a mistake on the server, so the stored URL follows only
  // after k_moves_to_follow successful polls in a row were permanently
  // redirected to the same place (moved_to, moved_count: counted here, in the
  // same UPDATE, from the row's old values).
  // The lease is kept ($13) or released only when it is poll.owner's ($14) or
  // nobody's: another daemon's (it took the feed over while this one stalled
  // past the lease) stays as it is, and this daemon does not keep the feed.
  auto r = m_conn.exec(
      "UPDATE feeds SET last_polled_at = now(), last_status = $2::int, "
      "  next_poll_at = now() + make_interval(secs => $3::int), "
      "  lease_owner = CASE WHEN lease_owner <> $14 THEN lease_owner WHEN $13::int IS NULL THEN NULL ELSE "
      "$14 END, "
      "  lease_until = CASE WHEN lease_owner <> $14 THEN lease_until "
      "                     ELSE now() + make_interval(secs => $3::int + $13::int) END, "
      "  etag = CASE WHEN $4::bool THEN coalesce($5, etag) ELSE etag END, "
      "  last_modified = CASE WHEN $4::bool THEN coalesce($6, last_modified) ELSE last_modified END, "
      "  last_success_at = CASE WHEN $4::bool THEN now() ELSE last_success_at END, "
      "  error_count = CASE WHEN $4::bool THEN 0 ELSE error_count + 1 END, "
      "  last_error = CASE WHEN $4::bool THEN NULL ELSE $7 END, "
      "  title = coalesce($8, title), site_link = coalesce($9, site_link), "
      "  last_new_article_at = CASE WHEN $10::int > 0 THEN now() ELSE last_new_article_at END, "
      "  entries_digest = coalesce($11, entries_digest), "
      "  entries_stored_at = CASE WHEN $11 IS NULL THEN entries_stored_at ELSE now() END, "
      "  moved_count = CASE WHEN NOT $4::bool THEN moved_count WHEN $12::text IS NULL THEN 0 "
      "                     WHEN moved_to = $12 THEN moved_count + 1 ELSE 1 END, "
      "  moved_to = CASE WHEN $4::bool THEN $12 ELSE moved_to END, "
      "  hint_ttl_s = CASE WHEN $11 IS NULL THEN hint_ttl_s ELSE $15::int END, "
      "  hint_posting_s = CASE WHEN $11 IS NULL THEN hint_posting_s ELSE $16::int END "
      "WHERE id = $1 RETURNING moved_count, coalesce(lease_owner = $14, false)",
      {id, poll.status ? db::Param(std::to_string(*poll.status)) : std::nullopt,
       std::to_string(poll.next_poll_in.count()), success ? "true" : "false", poll.etag, poll.last_modified,
       poll.error, parsed ? parsed->title : std::nullopt, parsed ? parsed->link : std::nullopt,
       std::to_string(counts.new_articles), parsed ? poll.entries_digest : std::nullopt, poll.moved_to,
       poll.keep_lease ? db::Param(std::to_string(poll.keep_lease->count())) : std::nullopt, poll.owner,
       parsed && poll.hints.ttl ? db::Param(std::to_string(poll.hints.ttl->count())) : std::nullopt,
       parsed && poll.hints.posting ? db::Param(std::to_string(poll.hints.posting->count())) : std::nullopt});
  if (!r) return r.error();
  const bool kept = !r->empty() && r->get(0, 1) == "t";
  if (success && !r->empty() && r->get_int(0, 0) >= k_moves_to_follow) {
    auto moved = m_conn.exec(
        "UPDATE feeds SET url = moved_to, moved_to = NULL, moved_count = 0 WHERE id = $1 RETURNING url",
        {id});
    if (!moved) return moved.error();
    m_moved_feed = feed.name + " " + feed.url + " -> " + std::string(moved->get(0, 0));
  }
  auto log = m_conn.exec(
      "INSERT INTO fetch_log (feed_id, url, started_at, duration_ms, status, outcome, bytes, new_entries, "
      "error) "
      "VALUES ($1, $2, now() - $3::int * interval '1 millisecond', $3::int, $4::int, $5, $6, "
      "        $7::int, $8)",
      {id, feed.url, std::to_string(poll.duration_ms),
       poll.status ? db::Param(std::to_string(*poll.status)) : std::nullopt, poll.outcome,
       std::to_string(poll.bytes), parsed ? db::Param(std::to_string(counts.new_articles)) : std::nullopt,
       poll.error});
  if (!log) return log.error();
  return kept;
}

Result<StoreCounts> Store::record_feed(const FeedRow& feed, const PollRecord& poll,
                                       const feed::Feed& parsed) {
  StoreCounts counts;
  db::Transaction tx(m_conn);
  if (!tx.begun()) return tx.begin_error();
  if (auto r = store_all(feed, parsed.entries, counts); !r) return r.error();
  auto kept = write_poll_state(feed, poll, &parsed, counts);
  if (!kept) return kept.error();
  if (auto r = tx.commit(); !r) return r.error();
  counts.kept = *kept;
  return counts;
}

Result<bool> Store::record_poll(const FeedRow& feed, const PollRecord& poll) {
  db::Transaction tx(m_conn);
  if (!tx.begun()) return tx.begin_error();
  auto kept = write_poll_state(feed, poll, nullptr, StoreCounts{});
  if (!kept) return kept.error();
  if (auto r = tx.commit(); !r) return r.error();
  return *kept;
}

Result<StoreCounts> Store::store_entries(
    const FeedRow& feed, const std::vector<feed::Entry>& entries,
    const std::function<Result<void>(db::Connection&, const StoreCounts&)>& also) {
  StoreCounts counts;
  db::Transaction tx(m_conn);
  if (!tx.begun()) return tx.begin_error();
  if (auto r = store_all(feed, entries, counts); !r) return r.error();
  if (also) {
    if (auto r = also(m_conn, counts); !r) return r.error();
  }
  if (auto r = tx.commit(); !r) return r.error();
  return counts;
}

}  // namespace fw::store
