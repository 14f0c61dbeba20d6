// Article pages: claiming due page fetches and recording what they found (see
// changes.hpp for how page and feed versions relate).
//
// What a fetch means:
//   2xx with a body        extracted; a new version when the canonical title or
//                          text differs from the newest page version; the first
//                          page version is the baseline (no change recorded).
//   2xx that is a removal  a redirect to the home page or a listing, or an
//                          empty body: the article is removed (diff::removal).
//   404, 410               removed; validators are forgotten, so a restored page
//                          comes back as a 200 and is compared in full.
//   304                    unchanged.
//   other status, no
//   response               an error: retried with backoff, the schedule kept.
//   skipped (robots.txt)   nothing fetched: the schedule moves on.
// A removed article is still re-checked on its schedule: when its page comes
// back, the change is `restored` (plus the edit kinds if the text differs).
#include <algorithm>

#include "daemon/store/changes.hpp"
#include "daemon/store/store.hpp"
#include "parsers/date/date.hpp"
#include "parsers/diff/canonical.hpp"
#include "parsers/text/normalize.hpp"

namespace fw::store {

namespace {

std::string hex_bytea(std::string_view bytes) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(k_hex[c >> 4]);
    out.push_back(k_hex[c & 15]);
  }
  return out;
}

db::Param opt_epoch(const std::optional<std::int64_t>& t) {
  if (!t) return std::nullopt;
  return date::format_iso8601(*t);
}

std::int64_t epoch_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::optional<std::pair<int, std::int64_t>> next_recheck(std::int64_t first_seen, int step,
                                                         const std::vector<std::chrono::seconds>& gaps,
                                                         std::int64_t now) {
  std::int64_t t = first_seen;
  for (std::size_t k = 0; k < gaps.size(); ++k) {
    t += gaps[k].count();
    if (static_cast<int>(k) >= step && t > now) return std::make_pair(static_cast<int>(k) + 1, t);
  }
  return std::nullopt;
}

Result<std::vector<ArticleRow>> Store::claim_articles(const std::string& owner, int limit,
                                                      std::chrono::seconds lease) {
  auto r = m_conn.exec(
      "UPDATE articles SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::int) "
      "WHERE id IN (SELECT id FROM articles "
      "             WHERE next_check_at IS NOT NULL AND next_check_at <= now() AND fetch_pages "
      "               AND (lease_until IS NULL OR lease_until < now()) "
      "             ORDER BY next_check_at LIMIT $3 FOR UPDATE SKIP LOCKED) "
      "RETURNING id, url, page_etag, page_last_modified, state, recheck_step, "
      "          extract(epoch FROM first_seen_at)::bigint, page_error_count",
      {owner, std::to_string(lease.count()), std::to_string(limit)});
  if (!r) return r.error();
  std::vector<ArticleRow> rows;
  for (int i = 0; i < r->size(); ++i) {
    ArticleRow a;
    a.id = r->get_int(i, 0);
    a.url = std::string(r->get(i, 1));
    a.etag = r->get_opt(i, 2);
    a.last_modified = r->get_opt(i, 3);
    a.state = std::string(r->get(i, 4));
    a.recheck_step = static_cast<int>(r->get_int(i, 5));
    a.first_seen = r->get_int(i, 6);
    a.error_count = static_cast<int>(r->get_int(i, 7));
    rows.push_back(std::move(a));
  }
  return rows;
}

Result<void> Store::release_article(const ArticleRow& article, const std::string& owner,
                                    std::chrono::seconds delay) {
  auto r = m_conn.exec(
      "UPDATE articles SET lease_owner = NULL, lease_until = NULL, "
      "  next_check_at = greatest(next_check_at, now() + make_interval(secs => $3::int)) "
      "WHERE id = $1 AND lease_owner = $2",
      {std::to_string(article.id), owner, std::to_string(delay.count())});
  if (!r) return r.error();
  return {};
}

Result<PageCounts> Store::record_page(const ArticleRow& article, const PageFetch& fetch,
                                      const std::vector<std::chrono::seconds>& recheck,
                                      std::chrono::seconds retry_in) {
  PageCounts counts;
  const std::string id = std::to_string(article.id);
  const std::int64_t now = epoch_now();
  const long status = fetch.status.value_or(0);
  const bool ok_status = status >= 200 && status < 300;
  const bool gone_status = status == 404 || status == 410;
  const bool failed = !fetch.skipped && (!fetch.status || (!ok_status && !gone_status && status != 304));

  // Extraction is pure CPU: done before the transaction opens.
  std::optional<extract::Article> page;
  if (ok_status) {
    extract::Options options;
    options.url = fetch.final_url.empty() ? article.url : fetch.final_url;
    options.content_type = fetch.content_type;
    options.rule = fetch.rule;
    auto extracted = extract::extract(fetch.body, options);
    if (extracted) page = std::move(*extracted);
    counts.extracted = page && !page->text.empty();
  }

  db::Transaction tx(m_conn);
  if (!tx.begun()) return tx.begin_error();
  auto locked = m_conn.exec(
      "SELECT state, coalesce(title, ''), current_version_id, version_count FROM articles WHERE id = $1 FOR "
      "UPDATE",
      {id});
  if (!locked) return locked.error();
  if (locked->empty()) return fail("article " + id + " vanished while its page was fetched");
  const std::string state(locked->get(0, 0));
  const std::string feed_title(locked->get(0, 1));
  const std::optional<std::string> current_version = locked->get_opt(0, 2);
  const std::int64_t version_count = locked->get_int(0, 3);
  bool live = state == "live";

  if (!failed && !fetch.skipped && status != 304) {
    auto previous = latest_version(m_conn, article.id, "page");
    if (!previous) return previous.error();
    const std::string title = page && page->title ? *page->title : feed_title;
    const std::string body = page ? page->text : std::string();
    diff::Version now_version;
    now_version.title = title;
    now_version.body = body;
    now_version.http_status = static_cast<int>(status);
    now_version.url = article.url;
    now_version.final_url = fetch.final_url;
    if (page) now_version.modified_time = page->modified;
    const diff::Removal removal = diff::removal(now_version);

    if (removal != diff::Removal::none) {
      counts.outcome = "removed";
      if (live && version_count > 0) {
        // The last text analysts saw: the newest page version, else the current one.
        std::optional<std::int64_t> old_id;
        std::string old_body;
        if (*previous) {
          old_id = (*previous)->id;
          old_body = (*previous)->body;
        } else if (current_version) {
          old_id = std::stoll(*current_version);
        }
        ChangeRecord record;
        record.article_id = article.id;
        record.old_version_id = old_id;
        record.source = "page";
        record.classification.kinds.add(diff::Kind::removed);
        record.classification.changed = true;
        record.http_status = static_cast<int>(status);
        record.removal_reason = removal_reason(removal);
        auto change_id = insert_change(m_conn, record);
        if (!change_id) return change_id.error();
        auto event = change_event(m_conn, record, *change_id, "removed", old_body);
        if (!event) return event.error();
        if (auto r = emit(*event); !r) return r.error();
        counts.removed = true;
        live = false;
      }
    } else {
      const std::string hash = diff::canonical_hash(title, body);
      std::optional<diff::Classification> change;
      bool store_version = true;
      if (*previous) {
        const StoredVersion& old = **previous;
        diff::Version before;
        before.title = old.title;
        before.body = old.body;
        before.removed = !live;
        before.modified_time = old.modified;
        change = diff::classify(before, now_version);
        const bool same_text = old.text_sha256 == hash || diff::canonical_hash(old.title, old.body) == hash;
        store_version = !same_text;
        if (!change->changed) change.reset();
      }
      counts.outcome = store_version || change ? "ok" : "unchanged";
      std::int64_t version_id = *previous ? (*previous)->id : 0;
      if (store_version) {
        const std::string raw_hash = text::sha256_hex(fetch.body);
        auto raw = m_conn.exec(
            "INSERT INTO raw_pages (sha256, content_type, bytes, body) VALUES ($1, $2, $3::int, $4::bytea) "
            "ON CONFLICT (sha256) DO NOTHING",
            {raw_hash, fetch.content_type, std::to_string(fetch.body.size()), hex_bytea(fetch.body)});
        if (!raw) return raw.error();
        auto version = m_conn.exec(
            "INSERT INTO article_versions (article_id, version, source, title, body_text, body_html, "
            "  text_sha256, raw_sha256, extractor, extracted_at, http_status, final_url, page_modified_at) "
            "VALUES ($1, $2, 'page', $3, $4, $5, $6, $7, $8, now(), $9::int, $10, $11::timestamptz) "
            "RETURNING id",
            {id, std::to_string(version_count + 1), title, body, page ? db::Param(page->html) : std::nullopt,
             hash, raw_hash,
             std::string(extract::k_extractor_version) + " " + (page ? page->method : std::string("none")),
             std::to_string(status), fetch.final_url.empty() ? article.url : fetch.final_url,
             page ? opt_epoch(page->modified) : std::nullopt});
        if (!version) return version.error();
        version_id = version->get_int(0, 0);
        counts.new_version = true;
        auto update = m_conn.exec(
            "UPDATE articles SET current_version_id = $2, version_count = $3, title = $4, "
            "  modified_at = coalesce($5::timestamptz, modified_at) WHERE id = $1",
            {id, std::to_string(version_id), std::to_string(version_count + 1), title,
             page ? opt_epoch(page->modified) : std::nullopt});
        if (!update) return update.error();
      } else if (*previous && (*previous)->text_sha256 != hash) {
        auto r = m_conn.exec("UPDATE article_versions SET text_sha256 = $2 WHERE id = $1",
                             {std::to_string((*previous)->id), hash});
        if (!r) return r.error();
      }
      if (change) {
        const StoredVersion& old = **previous;
        ChangeRecord record;
        record.article_id = article.id;
        record.old_version_id = old.id;
        record.new_version_id = version_id;
        record.source = "page";
        record.classification = *change;
        if (change->kinds.has(diff::Kind::title_changed)) {
          record.old_title = old.title;
          record.new_title = title;
        }
        record.old_body = old.body;
        record.new_body = body;
        record.http_status = static_cast<int>(status);
        auto change_id = insert_change(m_conn, record);
        if (!change_id) return change_id.error();
        for (const std::string& kind : event_kinds(*change)) {
          auto event = change_event(m_conn, record, *change_id, kind, body);
          if (!event) return event.error();
          if (auto r = emit(*event); !r) return r.error();
        }
        counts.restored = change->kinds.has(diff::Kind::restored);
        counts.edited = !counts.restored || store_version;
      }
      live = true;
    }
  } else if (status == 304) {
    counts.outcome = "not_modified";
  } else if (fetch.skipped) {
    counts.outcome = "skipped";
  } else {
    counts.outcome = fetch.status ? "http_error" : "network_error";
  }

  // The next fetch: on the schedule, or sooner to retry a failure.
  auto next = next_recheck(article.first_seen, article.recheck_step, recheck, now);
  int step = next ? next->first : static_cast<int>(recheck.size());
  std::optional<std::int64_t> next_time = next ? std::optional(next->second) : std::nullopt;
  if (failed) {
    step = article.recheck_step;
    std::int64_t retry_at = now + retry_in.count();
    // Retry while the schedule lasts; after it, a few more tries, then stop.
    if (!next && article.error_count >= 5) {
      next_time = std::nullopt;
    } else if (!next || retry_at < next->second) {
      next_time = retry_at;
    }
  }
  if (next_time && fetch.retry_after) next_time = std::max(*next_time, now + fetch.retry_after->count());
  db::Param next_at = next_time ? db::Param(date::format_iso8601(*next_time)) : std::nullopt;
  const bool validators = ok_status || status == 304;
  auto update = m_conn.exec(
      "UPDATE articles SET state = $2, page_checked_at = now(), page_status = $3::int, "
      "  page_etag = CASE WHEN $4::bool THEN coalesce($5, page_etag) WHEN $6::bool THEN NULL ELSE page_etag "
      "END, "
      "  page_last_modified = CASE WHEN $4::bool THEN coalesce($7, page_last_modified) "
      "                            WHEN $6::bool THEN NULL ELSE page_last_modified END, "
      "  page_error_count = CASE WHEN $8::bool THEN page_error_count + 1 ELSE 0 END, "
      "  page_last_error = CASE WHEN $8::bool OR $12::bool THEN $9 ELSE NULL END, "
      "  next_check_at = $10::timestamptz, recheck_step = $11::int, lease_owner = NULL, lease_until = NULL, "
      "  last_seen_at = CASE WHEN $8::bool THEN last_seen_at ELSE now() END "
      "WHERE id = $1",
      {id, live ? "live" : "removed", fetch.status ? db::Param(std::to_string(status)) : std::nullopt,
       validators ? "true" : "false", fetch.etag, gone_status ? "true" : "false", fetch.last_modified,
       failed ? "true" : "false", fetch.error, next_at, std::to_string(step),
       fetch.skipped ? "true" : "false"});
  if (!update) return update.error();
  if (!fetch.skipped) {
    const char* outcome =
        failed ? (fetch.status ? "http_error" : "network_error") : (status == 304 ? "not_modified" : "ok");
    auto log = m_conn.exec(
        "INSERT INTO fetch_log (article_id, url, started_at, duration_ms, status, outcome, bytes, error) "
        "VALUES ($1, $2, now() - $3::int * interval '1 millisecond', $3::int, $4::int, $5, $6, $7)",
        {id, article.url, std::to_string(fetch.duration_ms),
         fetch.status ? db::Param(std::to_string(status)) : std::nullopt, outcome,
         std::to_string(fetch.bytes), fetch.error});
    if (!log) return log.error();
  }
  if (auto r = tx.commit(); !r) return r.error();
  return counts;
}

}  // namespace fw::store
