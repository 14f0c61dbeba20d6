#include "daemon/cli/history_command.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "daemon/config/derived.hpp"
#include "daemon/store/store.hpp"
#include "parsers/diff/canonical.hpp"
#include "parsers/diff/classify.hpp"
#include "parsers/diff/diff.hpp"
#include "parsers/extract/extract.hpp"

namespace fw::cli {

namespace {

bool all_digits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

// {a,b} -> ["a", "b"] (kinds hold no commas, quotes or spaces).
std::vector<std::string> split_array(std::string_view text) {
  std::vector<std::string> out;
  if (text.size() < 2) return out;
  text = text.substr(1, text.size() - 2);
  while (!text.empty()) {
    std::size_t comma = text.find(',');
    out.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

Result<std::string> render_history(db::Connection& conn, const std::string& ref, const std::string& format,
                                   bool color) {
  auto article = conn.exec(
      "SELECT id, url, coalesce(title, ''), state, version_count, "
      "       to_char(first_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
      "FROM articles WHERE ($1::bigint IS NOT NULL AND id = $1::bigint) OR url = $2 OR article_key = $2 "
      "ORDER BY id LIMIT 1",
      {all_digits(ref) ? db::Param(ref) : std::nullopt, ref});
  if (!article) return article.error();
  if (article->empty()) return fail("no article with id, URL or key " + ref);
  const std::string id(article->get(0, 0));
  auto versions = conn.exec(
      "SELECT version, source, coalesce(title, ''), "
      "       to_char(fetched_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
      "       length(body_text), coalesce(extractor, ''), http_status "
      "FROM article_versions WHERE article_id = $1 ORDER BY version",
      {id});
  if (!versions) return versions.error();
  auto changes = conn.exec(
      "SELECT to_char(c.detected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), c.source, "
      "c.kinds, "
      "       c.stealth, ov.version, nv.version, c.old_title, c.new_title, c.words_added, c.words_removed, "
      "       c.words_changed, coalesce(c.diff_text, ''), c.removal_reason, c.http_status, "
      "       ov.body_text, nv.body_text "
      "FROM article_changes c "
      "LEFT JOIN article_versions ov ON ov.id = c.old_version_id "
      "LEFT JOIN article_versions nv ON nv.id = c.new_version_id "
      "WHERE c.article_id = $1 ORDER BY c.detected_at, c.id",
      {id});
  if (!changes) return changes.error();

  if (format == "json") {
    nlohmann::json out;
    out["id"] = std::stoll(id);
    out["url"] = std::string(article->get(0, 1));
    out["title"] = std::string(article->get(0, 2));
    out["state"] = std::string(article->get(0, 3));
    out["first_seen"] = std::string(article->get(0, 5));
    out["versions"] = nlohmann::json::array();
    for (int i = 0; i < versions->size(); ++i) {
      out["versions"].push_back({{"version", versions->get_int(i, 0)},
                                 {"source", std::string(versions->get(i, 1))},
                                 {"title", std::string(versions->get(i, 2))},
                                 {"fetched_at", std::string(versions->get(i, 3))},
                                 {"chars", versions->get_int(i, 4)},
                                 {"extractor", std::string(versions->get(i, 5))}});
    }
    out["changes"] = nlohmann::json::array();
    for (int i = 0; i < changes->size(); ++i) {
      nlohmann::json c = {{"detected_at", std::string(changes->get(i, 0))},
                          {"source", std::string(changes->get(i, 1))},
                          {"kinds", split_array(changes->get(i, 2))},
                          {"stealth", changes->get(i, 3) == "t"},
                          {"old_version", nullptr},
                          {"new_version", nullptr},
                          {"old_title", nullptr},
                          {"new_title", nullptr},
                          {"words_added", changes->get_int(i, 8)},
                          {"words_removed", changes->get_int(i, 9)},
                          {"words_changed", changes->get_int(i, 10)},
                          {"diff", std::string(changes->get(i, 11))},
                          {"removal_reason", nullptr}};
      if (!changes->is_null(i, 4)) c["old_version"] = changes->get_int(i, 4);
      if (!changes->is_null(i, 5)) c["new_version"] = changes->get_int(i, 5);
      if (!changes->is_null(i, 6)) c["old_title"] = std::string(changes->get(i, 6));
      if (!changes->is_null(i, 7)) c["new_title"] = std::string(changes->get(i, 7));
      if (!changes->is_null(i, 12)) c["removal_reason"] = std::string(changes->get(i, 12));
      out["changes"].push_back(std::move(c));
    }
    return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }

  std::string out;
  out += "article " + id + " (" + std::string(article->get(0, 3)) + "): " + std::string(article->get(0, 2)) +
         "\n" + std::string(article->get(0, 1)) + "\nfirst seen " + std::string(article->get(0, 5)) + "\n\n";
  out += "versions:\n";
  for (int i = 0; i < versions->size(); ++i) {
    out += "  v" + std::string(versions->get(i, 0)) + "  " + std::string(versions->get(i, 3)) + "  " +
           std::string(versions->get(i, 1)) + "  " + std::string(versions->get(i, 4)) + " chars  " +
           std::string(versions->get(i, 2)) + "\n";
  }
  out += "\nchanges:";
  if (changes->empty()) out += " none";
  out += "\n";
  for (int i = 0; i < changes->size(); ++i) {
    std::vector<std::string> kinds = split_array(changes->get(i, 2));
    if (changes->get(i, 3) == "t") kinds.emplace_back("stealth");
    out += "\n" + std::string(changes->get(i, 0)) + "  ";
    if (!changes->is_null(i, 4)) out += "v" + std::string(changes->get(i, 4));
    out += " -> ";
    out += changes->is_null(i, 5) ? std::string("gone") : "v" + std::string(changes->get(i, 5));
    out += "  [" + join(kinds, ", ") + "]  +" + std::string(changes->get(i, 8)) + " -" +
           std::string(changes->get(i, 9)) + " ~" + std::string(changes->get(i, 10)) + " words";
    if (!changes->is_null(i, 12)) {
      out += "  (" + std::string(changes->get(i, 12));
      if (!changes->is_null(i, 13)) out += ", HTTP " + std::string(changes->get(i, 13));
      out += ")";
    }
    out += "\n";
    if (!changes->is_null(i, 6) && !changes->is_null(i, 7)) {
      out += "  title: " + std::string(changes->get(i, 6)) + "\n      -> " + std::string(changes->get(i, 7)) +
             "\n";
    }
    if (!changes->is_null(i, 14) && !changes->is_null(i, 15) && changes->get(i, 14) != changes->get(i, 15)) {
      diff::TextOptions options;
      options.color = color;
      out += diff::to_text(diff::diff(changes->get(i, 14), changes->get(i, 15)), options);
    }
  }
  return out;
}

Result<ReextractReport> reextract(db::Connection& conn, const config::Config& config,
                                  const std::optional<std::string>& site,
                                  const std::optional<std::string>& since) {
  const std::vector<extract::SiteRule> rules = config::extract_rules(config);
  ReextractReport report;
  db::Transaction tx(conn);
  if (!tx.begun()) return tx.begin_error();
  auto rows = conn.exec(
      "SELECT v.id, v.article_id, coalesce(v.final_url, a.url), coalesce(v.title, ''), v.body_text, "
      "       r.content_type, r.body, v.text_sha256 "
      "FROM article_versions v JOIN articles a ON a.id = v.article_id JOIN raw_pages r ON r.sha256 = "
      "v.raw_sha256 "
      "WHERE v.source = 'page' AND ($1::timestamptz IS NULL OR v.fetched_at >= $1::timestamptz) "
      "ORDER BY v.article_id, v.version",
      {since});
  if (!rows) return rows.error();
  std::set<std::int64_t> touched;
  for (int i = 0; i < rows->size(); ++i) {
    const std::string url(rows->get(i, 2));
    if (site) {
      extract::SiteRule probe{*site, "", {}};
      std::vector<extract::SiteRule> one{probe};
      if (!extract::find_site_rule(one, url)) continue;
    }
    ++report.versions;
    // bytea text output: \x followed by hex digits.
    std::string_view hex = rows->get(i, 6);
    std::string raw;
    if (hex.size() >= 2 && hex.substr(0, 2) == "\\x") {
      raw.reserve((hex.size() - 2) / 2);
      auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
      for (std::size_t k = 2; k + 1 < hex.size(); k += 2) {
        raw.push_back(static_cast<char>(nibble(hex[k]) << 4 | nibble(hex[k + 1])));
      }
    }
    extract::Options options;
    options.url = url;
    options.content_type = rows->is_null(i, 5) ? "" : std::string(rows->get(i, 5));
    options.rule = extract::find_site_rule(rules, url);
    auto page = extract::extract(raw, options);
    if (!page) continue;
    std::string title = page->title ? *page->title : std::string(rows->get(i, 3));
    if (page->text == rows->get(i, 4) && title == rows->get(i, 3)) continue;
    auto update = conn.exec(
        "UPDATE article_versions SET title = $2, body_text = $3, body_html = $4, text_sha256 = $5, "
        "  extractor = $6, extracted_at = now() WHERE id = $1",
        {std::string(rows->get(i, 0)), title, page->text, page->html, diff::canonical_hash(title, page->text),
         std::string(extract::k_extractor_version) + " " + page->method + " reextract"});
    if (!update) return update.error();
    ++report.texts_changed;
    touched.insert(rows->get_int(i, 1));
  }
  // The changes between page versions of the articles whose texts moved.
  for (std::int64_t article : touched) {
    auto changes = conn.exec(
        "SELECT c.id, coalesce(ov.title, ''), ov.body_text, coalesce(nv.title, ''), nv.body_text, c.kinds, "
        "       extract(epoch FROM ov.page_modified_at)::bigint, extract(epoch FROM "
        "nv.page_modified_at)::bigint, "
        "       'restored' = ANY (c.kinds) "
        "FROM article_changes c JOIN article_versions ov ON ov.id = c.old_version_id "
        "JOIN article_versions nv ON nv.id = c.new_version_id "
        "WHERE c.article_id = $1 AND c.source = 'page'",
        {std::to_string(article)});
    if (!changes) return changes.error();
    for (int i = 0; i < changes->size(); ++i) {
      diff::Version before;
      before.title = changes->get(i, 1);
      before.body = changes->get(i, 2);
      diff::Version after;
      after.title = changes->get(i, 3);
      after.body = changes->get(i, 4);
      before.removed = changes->get(i, 8) == "t";
      if (!changes->is_null(i, 6)) before.modified_time = changes->get_int(i, 6);
      if (!changes->is_null(i, 7)) after.modified_time = changes->get_int(i, 7);
      diff::Classification c = diff::classify(before, after);
      if (!c.changed) {
        auto del = conn.exec("DELETE FROM article_changes WHERE id = $1", {std::string(changes->get(i, 0))});
        if (!del) return del.error();
        ++report.changes_dropped;
        continue;
      }
      std::vector<std::string> kinds;
      for (std::string_view k : c.kinds.names()) kinds.emplace_back(k);
      diff::Diff d = diff::diff(changes->get(i, 2), changes->get(i, 4));
      auto update = conn.exec(
          "UPDATE article_changes SET kinds = $2::text[], stealth = $3::bool, words_added = $4::int, "
          "  words_removed = $5::int, words_changed = $6::int, paragraphs_added = $7::int, "
          "  paragraphs_removed = $8::int, diff_text = $9, diff_json = $10::jsonb "
          "WHERE id = $1 AND (kinds IS DISTINCT FROM $2::text[] OR diff_text IS DISTINCT FROM $9)",
          {std::string(changes->get(i, 0)), store::to_pg_text_array(kinds), c.stealth ? "true" : "false",
           std::to_string(c.stats.tokens_added), std::to_string(c.stats.tokens_removed),
           std::to_string(c.stats.tokens_changed), std::to_string(c.stats.paragraphs_added),
           std::to_string(c.stats.paragraphs_removed), diff::to_text(d), diff::to_json(d)});
      if (!update) return update.error();
      report.changes_updated += update->affected();
    }
  }
  if (auto r = tx.commit(); !r) return r.error();
  return report;
}

}  // namespace fw::cli
