#include "daemon/store/changes.hpp"

#include "daemon/store/store.hpp"
#include "parsers/diff/diff.hpp"

namespace fw::store {

namespace {

std::string kinds_array(const diff::Classification& c) {
  std::vector<std::string> names;
  for (std::string_view n : c.kinds.names()) names.emplace_back(n);
  return to_pg_text_array(names);
}

std::vector<std::string> parse_pg_text_array(std::string_view text) {
  // PostgreSQL's array output: {a,"b c","d\"e"}.
  std::vector<std::string> out;
  if (text.size() < 2) return out;
  std::size_t i = 1;
  while (i < text.size() - 1) {
    std::string item;
    if (text[i] == '"') {
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        item.push_back(text[i++]);
      }
      ++i;  // closing quote
    } else {
      while (i < text.size() - 1 && text[i] != ',') item.push_back(text[i++]);
    }
    out.push_back(std::move(item));
    if (i < text.size() && text[i] == ',') ++i;
  }
  return out;
}

}  // namespace

Result<std::optional<StoredVersion>> latest_version(db::Connection& conn, std::int64_t article_id,
                                                    const std::string& source) {
  auto r = conn.exec(
      "SELECT id, version, coalesce(title, ''), body_text, text_sha256, "
      "       extract(epoch FROM page_modified_at)::bigint "
      "FROM article_versions WHERE article_id = $1 AND source = $2 ORDER BY version DESC LIMIT 1",
      {std::to_string(article_id), source});
  if (!r) return r.error();
  if (r->empty()) return std::optional<StoredVersion>{};
  StoredVersion v;
  v.id = r->get_int(0, 0);
  v.version = static_cast<int>(r->get_int(0, 1));
  v.title = std::string(r->get(0, 2));
  v.body = std::string(r->get(0, 3));
  v.text_sha256 = std::string(r->get(0, 4));
  if (!r->is_null(0, 5)) v.modified = r->get_int(0, 5);
  return std::optional<StoredVersion>{std::move(v)};
}

Result<std::int64_t> insert_change(db::Connection& conn, ChangeRecord& change) {
  const diff::Classification& c = change.classification;
  db::Param diff_text;
  db::Param diff_json;
  if (change.old_body != change.new_body) {
    diff::Diff d = diff::diff(change.old_body, change.new_body);
    change.diff_text = diff::to_text(d);
    diff_text = change.diff_text;
    diff_json = diff::to_json(d);
  }
  auto opt_id = [](const std::optional<std::int64_t>& id) -> db::Param {
    if (!id) return std::nullopt;
    return std::to_string(*id);
  };
  auto r = conn.exec(
      "INSERT INTO article_changes (article_id, old_version_id, new_version_id, source, kinds, stealth, "
      "  old_title, new_title, words_added, words_removed, words_changed, paragraphs_added, "
      "  paragraphs_removed, http_status, removal_reason, diff_text, diff_json) "
      "VALUES ($1, $2, $3, $4, $5::text[], $6::bool, $7, $8, $9::int, $10::int, $11::int, $12::int, "
      "        $13::int, $14::int, $15, $16, $17::jsonb) RETURNING id",
      {std::to_string(change.article_id), opt_id(change.old_version_id), opt_id(change.new_version_id),
       change.source, kinds_array(c), c.stealth ? "true" : "false", change.old_title, change.new_title,
       std::to_string(c.stats.tokens_added), std::to_string(c.stats.tokens_removed),
       std::to_string(c.stats.tokens_changed), std::to_string(c.stats.paragraphs_added),
       std::to_string(c.stats.paragraphs_removed),
       change.http_status ? db::Param(std::to_string(*change.http_status)) : std::nullopt,
       change.removal_reason, diff_text, diff_json});
  if (!r) return r.error();
  return r->get_int(0, 0);
}

Result<ArticleEvent> change_event(db::Connection& conn, const ChangeRecord& change, std::int64_t change_id,
                                  const std::string& kind, const std::string& body_text) {
  auto r = conn.exec(
      "SELECT a.url, coalesce(a.title, ''), a.categories::text, "
      "       to_char(a.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
      "       coalesce((SELECT array_agg(f.name ORDER BY f.name) FROM article_feeds af "
      "                 JOIN feeds f ON f.id = af.feed_id WHERE af.article_id = a.id)::text, '{}') "
      "FROM articles a WHERE a.id = $1",
      {std::to_string(change.article_id)});
  if (!r) return r.error();
  if (r->empty()) return fail("article " + std::to_string(change.article_id) + " not found");
  ArticleEvent e;
  e.kind = kind;
  e.article_id = change.article_id;
  e.version_id = change.new_version_id;
  e.change_id = change_id;
  e.url = std::string(r->get(0, 0));
  e.title = change.new_title ? *change.new_title : std::string(r->get(0, 1));
  e.categories = parse_pg_text_array(r->get(0, 2));
  e.published = r->get_opt(0, 3);
  e.feeds = parse_pg_text_array(r->get(0, 4));
  e.body_text = body_text;
  e.old_title = change.old_title;
  if (!change.old_body.empty() || !change.new_body.empty()) e.old_body_text = change.old_body;
  for (std::string_view n : change.classification.kinds.names()) e.change_kinds.emplace_back(n);
  e.stealth = change.classification.stealth;
  e.words_added = static_cast<int>(change.classification.stats.tokens_added);
  e.words_removed = static_cast<int>(change.classification.stats.tokens_removed);
  e.diff_text = change.diff_text;
  return e;
}

std::vector<std::string> event_kinds(const diff::Classification& c) {
  std::vector<std::string> kinds;
  if (c.kinds.has(diff::Kind::removed)) return {"removed"};
  if (c.kinds.has(diff::Kind::restored)) {
    kinds.emplace_back("restored");
  } else {
    kinds.emplace_back("edited");
  }
  if (c.kinds.has(diff::Kind::title_changed)) kinds.emplace_back("title_changed");
  return kinds;
}

std::optional<std::string> removal_reason(diff::Removal removal) {
  switch (removal) {
    case diff::Removal::none:
      return std::nullopt;
    case diff::Removal::flagged:
      return "removed";
    case diff::Removal::http_gone:
      return "http_gone";
    case diff::Removal::redirect_home:
      return "redirect_home";
    case diff::Removal::redirect_listing:
      return "redirect_listing";
    case diff::Removal::body_emptied:
      return "body_emptied";
  }
  return std::nullopt;
}

}  // namespace fw::store
