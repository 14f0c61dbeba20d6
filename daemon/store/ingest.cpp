// Storing a feed's entries set-based: chunks of up to k_chunk entries, each in
// a handful of statements over arrays (unnest), whatever the chunk's size, so
// a 10,000-item feed costs about 20 chunks' worth of round trips instead of
// 80,000 statements one after the other. Entries whose content changed since
// their last feed version (rare: edits) take the per-entry path, which
// classifies the change, stores its diff and queues its events; so do their
// events, in the feed's order among the chunk's "new" events.
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "daemon/store/changes.hpp"
#include "daemon/store/poll_batch.hpp"
#include "daemon/store/store.hpp"
#include "parsers/date/date.hpp"
#include "parsers/diff/canonical.hpp"

namespace fw::store {

namespace {

constexpr std::size_t k_chunk = 500;

db::Param opt_time(const std::optional<feed::UnixTime>& t) {
  if (!t) return std::nullopt;
  return date::format_iso8601(*t);
}

// One entry of a chunk: what it is, and what the database holds for it.
struct Item {
  const feed::Entry* entry = nullptr;
  std::string key;
  std::string title;
  std::string digest;  // entry_digest: the entry as the feed gives it
  // The extracted text and its canonical hash, computed (extract_body) only
  // for entries that are new or differ from what the feed listed last time.
  std::string body;
  std::string hash;
  bool extracted = false;
  std::string url;
  // From the database, read with the article's row locked.
  std::int64_t article_id = 0;
  std::int64_t version_count = 0;
  bool created = false;
  bool has_page = false;                  // a page version exists: the page is authoritative
  std::optional<StoredVersion> previous;  // the newest feed version, body only when its hash differs
  enum class Action { unchanged, rehash, first_feed_version, changed } action = Action::unchanged;
  std::optional<diff::Classification> change;
  std::int64_t version_id = 0;  // of the version stored now
};

void extract_body(Item& it) {
  if (it.extracted) return;
  it.body = entry_body_text(*it.entry);
  it.hash = diff::canonical_hash(it.title, it.body);
  it.extracted = true;
}

}  // namespace

Result<void> Store::store_all(const FeedRow& feed, const std::vector<feed::Entry>& entries,
                              StoreCounts& counts) {
  // A guid repeated inside one document (feeds do this) is one article: the
  // first occurrence, which feeds list newest first, is the one kept; storing
  // both would record a phantom edit on every poll.
  std::unordered_set<std::string> seen;
  std::vector<const feed::Entry*> chunk;
  for (const feed::Entry& entry : entries) {
    if (!seen.insert(article_key(entry, feed.url)).second) {
      ++counts.duplicates;
      continue;
    }
    chunk.push_back(&entry);
    if (chunk.size() == k_chunk) {
      if (auto r = store_chunk(feed, chunk, counts); !r) return r.error();
      chunk.clear();
    }
  }
  if (!chunk.empty()) return store_chunk(feed, chunk, counts);
  return {};
}

Result<void> Store::store_chunk(const FeedRow& feed, std::span<const feed::Entry* const> entries,
                                StoreCounts& counts) {
  std::vector<Item> items(entries.size());
  std::unordered_map<std::string, std::size_t> by_key;
  std::vector<db::Param> keys, guids, urls, titles, authors, categories, published, modified, digests;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const feed::Entry& entry = *entries[i];
    Item& it = items[i];
    it.entry = &entry;
    it.key = article_key(entry, feed.url);
    it.title = entry.title.value_or("");
    it.digest = entry_digest(entry);
    it.url = entry.link.value_or("");
    if (it.url.empty() && entry.id &&
        (entry.id->rfind("http://", 0) == 0 || entry.id->rfind("https://", 0) == 0))
      it.url = *entry.id;  // a global http(s) id
    if (it.url.empty()) it.url = feed.url;
    by_key.emplace(it.key, i);
    keys.emplace_back(it.key);
    guids.push_back(entry.id);
    urls.emplace_back(it.url);
    titles.push_back(entry.title);
    authors.push_back(entry.author);
    categories.emplace_back(to_pg_text_array(entry.categories));
    published.push_back(opt_time(entry.published));
    modified.push_back(opt_time(entry.updated));
    digests.emplace_back(it.digest);
  }
  const std::string fetch_pages = feed.fetch_articles ? "true" : "false";

  // 1. Articles not yet known, in key order (concurrent polls insert in the same order).
  auto created = m_conn.exec(
      "INSERT INTO articles (article_key, guid, url, title, author, categories, published_at, modified_at, "
      "  fetch_pages, next_check_at) "
      "SELECT n.k, n.g, n.u, n.t, n.a, n.c::text[], n.p, n.m, $9::bool, CASE WHEN $9::bool THEN now() END "
      "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
      "            $7::timestamptz[], $8::timestamptz[]) AS n(k, g, u, t, a, c, p, m) "
      "WHERE NOT EXISTS (SELECT 1 FROM articles x WHERE x.article_key = n.k) "
      "ORDER BY n.k "
      "ON CONFLICT (article_key) DO NOTHING RETURNING article_key",
      {to_pg_opt_text_array(keys), to_pg_opt_text_array(guids), to_pg_opt_text_array(urls),
       to_pg_opt_text_array(titles), to_pg_opt_text_array(authors), to_pg_opt_text_array(categories),
       to_pg_opt_text_array(published), to_pg_opt_text_array(modified), fetch_pages});
  if (!created) return created.error();
  for (int row = 0; row < created->size(); ++row) {
    if (auto f = by_key.find(std::string(created->get(row, 0))); f != by_key.end())
      items[f->second].created = true;
  }

  // 2. Every article of the chunk locked (in id order), then read: its newest
  // feed version (its text only when the entry differs from what this feed
  // listed last time: article_feeds.entry_digest), whether it has a page
  // version, and whether this feed lists it as before. Read after the locks are
  // held, in a statement of its own, so that what a concurrent poll or page
  // check of the same article committed meanwhile is seen.
  auto locked =
      m_conn.exec("SELECT id FROM articles WHERE article_key = ANY($1::text[]) ORDER BY id FOR UPDATE",
                  {to_pg_opt_text_array(keys)});
  if (!locked) return locked.error();
  auto found = m_conn.exec(
      "SELECT a.id, a.article_key, a.version_count, a.fetch_pages, v.id, v.version, coalesce(v.title, ''), "
      "       CASE WHEN af.entry_digest = n.d THEN NULL ELSE v.body_text END, v.text_sha256, "
      "       extract(epoch FROM v.page_modified_at)::bigint, "
      "       EXISTS (SELECT 1 FROM article_versions p WHERE p.article_id = a.id AND p.source = 'page') "
      "FROM unnest($1::text[], $2::text[]) AS n(k, d) "
      "JOIN articles a ON a.article_key = n.k "
      "LEFT JOIN article_feeds af ON af.article_id = a.id AND af.feed_id = $3::bigint "
      "LEFT JOIN LATERAL (SELECT id, version, title, body_text, text_sha256, page_modified_at "
      "                   FROM article_versions WHERE article_id = a.id AND source = 'feed' "
      "                   ORDER BY version DESC LIMIT 1) v ON true",
      {to_pg_opt_text_array(keys), to_pg_opt_text_array(digests), std::to_string(feed.id)});
  if (!found) return found.error();
  std::vector<bool> loaded(items.size(), false);
  std::vector<db::Param> start_pages;
  for (int row = 0; row < found->size(); ++row) {
    const auto f = by_key.find(std::string(found->get(row, 1)));
    if (f == by_key.end()) continue;
    Item& it = items[f->second];
    loaded[f->second] = true;
    it.article_id = found->get_int(row, 0);
    it.version_count = found->get_int(row, 2);
    if (feed.fetch_articles && found->get(row, 3) != "t")
      start_pages.emplace_back(std::to_string(it.article_id));
    it.has_page = found->get(row, 10) == "t";
    if (found->is_null(row, 4)) {
      it.action = Item::Action::first_feed_version;
      extract_body(it);
      continue;
    }
    StoredVersion old;
    old.id = found->get_int(row, 4);
    old.version = static_cast<int>(found->get_int(row, 5));
    old.title = std::string(found->get(row, 6));
    old.text_sha256 = std::string(found->get(row, 8));
    if (!found->is_null(row, 9)) old.modified = found->get_int(row, 9);
    if (found->is_null(row, 7)) {
      // The feed lists the entry exactly as when it was last stored: nothing to
      // extract, nothing to compare (body_text is NOT NULL: only a matching
      // entry digest gives NULL here).
      it.action = Item::Action::unchanged;
      it.previous = std::move(old);
      continue;
    }
    extract_body(it);
    if (it.hash == old.text_sha256) {
      it.action = Item::Action::unchanged;  // same hash: seen again, same text
    } else {
      old.body = std::string(found->get(row, 7));
      diff::Version before;
      before.title = old.title;
      before.body = old.body;
      before.modified_time = old.modified;
      diff::Version after;
      after.title = it.title;
      after.body = it.body;
      if (it.entry->updated) after.modified_time = *it.entry->updated;
      it.change = diff::classify(before, after);
      // Not changed: the same canonical text under an older hash.
      it.action = it.change->changed ? Item::Action::changed : Item::Action::rehash;
    }
    it.previous = std::move(old);
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!loaded[i]) return fail("article " + items[i].key + " vanished while being stored");
  }

  // 3. Articles now also in a feed that fetches pages: start fetching them.
  if (!start_pages.empty()) {
    auto r = m_conn.exec(
        "UPDATE articles SET fetch_pages = true, next_check_at = coalesce(next_check_at, now()) "
        "WHERE id = ANY($1::bigint[])",
        {to_pg_opt_text_array(start_pages)});
    if (!r) return r.error();
  }

  // 4. The feed lists them (again).
  std::vector<db::Param> ids;
  for (const Item& it : items) ids.emplace_back(std::to_string(it.article_id));
  auto link = m_conn.exec(
      "INSERT INTO article_feeds (article_id, feed_id, entry_digest) "
      "SELECT u.id, $2::bigint, u.d FROM unnest($1::bigint[], $3::text[]) AS u(id, d) ORDER BY u.id "
      "ON CONFLICT (article_id, feed_id) DO UPDATE SET last_seen_at = now(), entry_digest = "
      "excluded.entry_digest",
      {to_pg_opt_text_array(ids), std::to_string(feed.id), to_pg_opt_text_array(digests)});
  if (!link) return link.error();

  // 5. Unchanged text under an older hash: remember the current hash only.
  std::vector<db::Param> rehash_ids, rehash_hashes;
  for (const Item& it : items) {
    if (it.action != Item::Action::rehash) continue;
    rehash_ids.emplace_back(std::to_string(it.previous->id));
    rehash_hashes.emplace_back(it.hash);
  }
  if (!rehash_ids.empty()) {
    auto r = m_conn.exec(
        "UPDATE article_versions v SET text_sha256 = n.h FROM unnest($1::bigint[], $2::text[]) AS n(id, h) "
        "WHERE v.id = n.id",
        {to_pg_opt_text_array(rehash_ids), to_pg_opt_text_array(rehash_hashes)});
    if (!r) return r.error();
  }

  // 6. First feed versions (new articles, mostly) and their articles' state,
  // in one statement: the versions inserted, the articles updated from them.
  {
    std::vector<db::Param> a_ids, versions, v_titles, bodies, htmls, v_hashes, v_modified, v_authors, v_cats,
        v_published, page_rules;
    for (const Item& it : items) {
      if (it.action != Item::Action::first_feed_version) continue;
      a_ids.emplace_back(std::to_string(it.article_id));
      versions.emplace_back(std::to_string(it.version_count + 1));
      v_titles.push_back(it.entry->title);
      bodies.emplace_back(it.body);
      htmls.push_back(it.entry->content_html);
      v_hashes.emplace_back(it.hash);
      v_modified.push_back(opt_time(it.entry->updated));
      v_authors.push_back(it.entry->author);
      v_cats.emplace_back(to_pg_text_array(it.entry->categories));
      v_published.push_back(opt_time(it.entry->published));
      page_rules.emplace_back(it.has_page ? "true" : "false");
    }
    if (!a_ids.empty()) {
      auto stored = m_conn.exec(
          "WITH n AS (SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], "
          "                                $6::text[], $7::timestamptz[], $8::text[], $9::text[], "
          "                                $10::timestamptz[], $11::bool[]) "
          "             AS n(article_id, version, title, body, html, hash, modified, author, cats, "
          "published, "
          "                  page_rules)), "
          "v AS (INSERT INTO article_versions (article_id, version, source, title, body_text, body_html, "
          "        text_sha256, extractor, extracted_at, page_modified_at) "
          "      SELECT article_id, version, 'feed', title, body, html, hash, $12, now(), modified FROM n "
          "      ORDER BY article_id RETURNING id, article_id) "
          "UPDATE articles a SET version_count = n.version, "
          "  current_version_id = CASE WHEN n.page_rules THEN a.current_version_id ELSE v.id END, "
          "  title = CASE WHEN n.page_rules THEN a.title ELSE n.title END, "
          "  author = coalesce(n.author, a.author), categories = n.cats::text[], "
          "  published_at = coalesce(n.published, a.published_at), "
          "  modified_at = coalesce(n.modified, a.modified_at), last_seen_at = now(), "
          "  next_check_at = CASE WHEN n.page_rules THEN now() ELSE a.next_check_at END "
          "FROM v JOIN n ON n.article_id = v.article_id WHERE a.id = v.article_id "
          "RETURNING a.id, v.id",
          {to_pg_opt_text_array(a_ids), to_pg_opt_text_array(versions), to_pg_opt_text_array(v_titles),
           to_pg_opt_text_array(bodies), to_pg_opt_text_array(htmls), to_pg_opt_text_array(v_hashes),
           to_pg_opt_text_array(v_modified), to_pg_opt_text_array(v_authors), to_pg_opt_text_array(v_cats),
           to_pg_opt_text_array(v_published), to_pg_opt_text_array(page_rules),
           std::string(extract::k_extractor_version) + " feed"});
      if (!stored) return stored.error();
      std::unordered_map<std::int64_t, std::int64_t> version_of;
      for (int row = 0; row < stored->size(); ++row)
        version_of[stored->get_int(row, 0)] = stored->get_int(row, 1);
      for (Item& it : items) {
        if (it.action != Item::Action::first_feed_version) continue;
        const auto v = version_of.find(it.article_id);
        if (v == version_of.end()) return fail("article " + it.key + ": its version was not stored");
        it.version_id = v->second;
      }
    }
  }

  // 7. In the feed's order: events of new articles, and changed entries one by one.
  for (Item& it : items) {
    switch (it.action) {
      case Item::Action::unchanged:
      case Item::Action::rehash:
        ++counts.unchanged;
        break;
      case Item::Action::first_feed_version:
        if (it.created || it.version_count == 0) {
          ++counts.new_articles;
          ArticleEvent event;
          event.kind = "new";
          event.article_id = it.article_id;
          event.version_id = it.version_id;
          event.feeds = {feed.name};
          event.url = it.url;
          event.title = it.title;
          event.body_text = it.body;
          event.categories = it.entry->categories;
          if (it.entry->published) event.published = date::format_iso8601(*it.entry->published);
          if (auto r = emit(event); !r) return r.error();
        } else {
          ++counts.new_versions;  // a first feed version of an article known from its page
        }
        break;
      case Item::Action::changed:
        if (auto r = store_changed(it.article_id, it.version_count, it.has_page, *it.previous, *it.change,
                                   *it.entry, it.title, it.body, it.hash);
            !r)
          return r.error();
        ++counts.new_versions;
        break;
    }
  }
  return {};
}

// An entry whose text changed since its newest feed version: the new version,
// the article's state, and (unless its page is authoritative) the change with
// its diff and events.
Result<void> Store::store_changed(std::int64_t article_id, std::int64_t version_count, bool page_rules,
                                  const StoredVersion& previous, const diff::Classification& change,
                                  const feed::Entry& entry, const std::string& title, const std::string& body,
                                  const std::string& hash) {
  const std::string id_text = std::to_string(article_id);
  auto version = m_conn.exec(
      "INSERT INTO article_versions (article_id, version, source, title, body_text, body_html, text_sha256, "
      "  extractor, extracted_at, page_modified_at) "
      "VALUES ($1, $2, 'feed', $3, $4, $5, $6, $7, now(), $8::timestamptz) RETURNING id",
      {id_text, std::to_string(version_count + 1), entry.title, body, entry.content_html, hash,
       std::string(extract::k_extractor_version) + " feed", opt_time(entry.updated)});
  if (!version) return version.error();
  const std::int64_t version_id = version->get_int(0, 0);
  auto update = m_conn.exec(
      "UPDATE articles SET version_count = $2, "
      "  current_version_id = CASE WHEN $9::bool THEN current_version_id ELSE $3::bigint END, "
      "  title = CASE WHEN $9::bool THEN title ELSE $4 END, "
      "  author = coalesce($5, author), categories = $6::text[], "
      "  published_at = coalesce($7::timestamptz, published_at), "
      "  modified_at = coalesce($8::timestamptz, modified_at), last_seen_at = now(), "
      "  next_check_at = CASE WHEN $9::bool THEN now() ELSE next_check_at END "
      "WHERE id = $1",
      {id_text, std::to_string(version_count + 1), std::to_string(version_id), entry.title, entry.author,
       to_pg_text_array(entry.categories), opt_time(entry.published), opt_time(entry.updated),
       page_rules ? "true" : "false"});
  if (!update) return update.error();
  if (page_rules) return {};  // the page re-check queued above records the change

  ChangeRecord record;
  record.article_id = article_id;
  record.old_version_id = previous.id;
  record.new_version_id = version_id;
  record.source = "feed";
  record.classification = change;
  if (change.kinds.has(diff::Kind::title_changed)) {
    record.old_title = previous.title;
    record.new_title = title;
  }
  record.old_body = previous.body;
  record.new_body = body;
  auto change_id = insert_change(m_conn, record);
  if (!change_id) return change_id.error();
  for (const std::string& kind : event_kinds(change)) {
    auto event = change_event(m_conn, record, *change_id, kind, body);
    if (!event) return event.error();
    if (auto r = emit(*event); !r) return r.error();
  }
  return {};
}

}  // namespace fw::store
