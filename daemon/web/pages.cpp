// The analyst web view's pages, rendered with plain C++ string writers.
//
// Every value from the database or the request is escaped (escape(), h()
// below) or percent-encoded (url_encode()) before it is written; the only raw
// markup comes from this file and from diff_html.cpp, which escapes the text it
// wraps. Queries are parameterized and read only the analyst views
// (latest_articles, article_edits, article_search, search_articles() and those
// of sql/008_web.sql and sql/011_web_speed.sql), so the connection can run as
// feedwatch_analyst.
//
// Lists are bounded: the edits page shows k_edits_per_page rows and pages
// backwards with a keyset cursor (?before=<change_id>), which costs the same
// on page 1 and page 1000; search pages end at k_search_max_results.
#include "daemon/web/pages.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <string_view>

#include "daemon/web/diff_html.hpp"
#include "parsers/diff/diff.hpp"

namespace fw::web {

namespace {

std::string h(std::string_view text) {
  return escape(text);
}

// A UTC timestamp column as ISO 8601 ("2026-11-28T10:00:00Z").
std::string iso(std::string_view column) {
  return fmt::format("to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')", column);
}

// "2026-11-28T10:00:00Z" -> "2026-11-28 10:00"
std::string display_time(std::string_view iso_time) {
  if (iso_time.size() < 16) return std::string(iso_time);
  std::string out(iso_time.substr(0, 16));
  out[10] = ' ';
  return out;
}

std::optional<std::int64_t> to_int(std::string_view s) {
  std::int64_t v = 0;
  if (s.empty() || s.size() > 18) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

bool is_date(std::string_view s) {  // YYYY-MM-DD
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// Change kinds as stored, with the label analysts see on the badge.
struct KindLabel {
  std::string_view name;
  std::string_view label;
};
constexpr std::array<KindLabel, 9> k_kinds{{{"title_changed", "headline"},
                                            {"substantive", "substantive"},
                                            {"minor", "minor"},
                                            {"correction_notice", "correction"},
                                            {"paragraphs_added", "paragraphs added"},
                                            {"paragraphs_removed", "paragraphs removed"},
                                            {"removed", "removed"},
                                            {"restored", "restored"},
                                            {"stealth", "stealth"}}};

std::string_view kind_label(std::string_view name) {
  for (const KindLabel& k : k_kinds)
    if (k.name == name) return k.label;
  return name;
}

// PostgreSQL's text form of a text[] of plain words: "{minor,title_changed}".
std::vector<std::string> parse_array(std::string_view a) {
  std::vector<std::string> out;
  if (a.size() < 2) return out;
  a = a.substr(1, a.size() - 2);
  while (!a.empty()) {
    const std::size_t comma = a.find(',');
    std::string item(a.substr(0, comma));
    if (item.size() >= 2 && item.front() == '"') item = item.substr(1, item.size() - 2);
    out.push_back(std::move(item));
    if (comma == std::string_view::npos) break;
    a = a.substr(comma + 1);
  }
  return out;
}

std::string badges(const std::vector<std::string>& kinds, bool stealth) {
  std::string out;
  for (const std::string& k : kinds) {
    out += fmt::format("<span class=\"badge k-{}\">{}</span> ", h(k), h(kind_label(k)));
  }
  if (stealth) out += "<span class=\"badge k-stealth\">stealth</span> ";
  return out;
}

std::string host_of(std::string_view url) {
  std::size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  const std::size_t end = url.find('/', start);
  return std::string(url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
}

// An http(s) URL safe to put in href; other schemes (javascript:, data:) are not linked.
bool linkable(std::string_view url) {
  return url.starts_with("http://") || url.starts_with("https://");
}

std::string page(std::string_view title, std::string_view active, const std::string& body,
                 std::string_view query = {}) {
  std::string out;
  out.reserve(body.size() + 2048);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"referrer\" content=\"no-referrer\">"
      "<link rel=\"stylesheet\" href=\"/style.css\">"
      "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Edits\" href=\"/edits.atom\">"
      "<title>";
  out += h(title);
  out += " · feedwatch</title></head><body><header><a class=\"brand\" href=\"/\">feedwatch</a><nav>";
  for (const auto& [path, label] : std::array<std::pair<std::string_view, std::string_view>, 3>{
           {{"/", "Edits"}, {"/search", "Search"}, {"/sources", "Sources"}}}) {
    out += fmt::format("<a href=\"{}\"{}>{}</a>", path, label == active ? " class=\"active\"" : "", label);
  }
  out +=
      "</nav><form class=\"search\" method=\"get\" action=\"/search\"><input type=\"search\" name=\"q\" "
      "placeholder=\"Search every version\" value=\"";
  out += h(query);
  out += "\" aria-label=\"Search\"><button type=\"submit\">Search</button></form></header><main>";
  out += body;
  out +=
      "</main><footer>feedwatch · read-only view · <a href=\"/edits.atom\">Atom feed of edits</a></footer>"
      "</body></html>\n";
  return out;
}

Response html_response(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response not_found(std::string_view what) {
  return html_response(404, page("Not found", "", "<h1>Not found</h1><p>" + h(what) + "</p>"));
}

Response bad_request(std::string_view what) {
  return html_response(400, page("Bad request", "", "<h1>Bad request</h1><p>" + h(what) + "</p>"));
}

// ---------------------------------------------------------------- edits

struct EditFilters {
  std::string feed;
  std::string kind;
  std::string rule;
  std::string since;  // YYYY-MM-DD
  std::string until;  // YYYY-MM-DD, inclusive
  std::optional<std::int64_t> before;
  std::vector<std::string> problems;

  std::string query_string(bool with_cursor = false) const {
    std::string q;
    const auto add = [&](std::string_view name, const std::string& value) {
      if (value.empty()) return;
      q += q.empty() ? "?" : "&";
      q += name;
      q += '=';
      q += url_encode(value);
    };
    add("feed", feed);
    add("kind", kind);
    add("rule", rule);
    add("since", since);
    add("until", until);
    if (with_cursor && before) add("before", std::to_string(*before));
    return q;
  }
};

EditFilters edit_filters(const Target& t) {
  EditFilters f;
  f.feed = t.param("feed");
  f.rule = t.param("rule");
  f.kind = t.param("kind");
  if (!f.kind.empty()) {
    const bool known = std::any_of(k_kinds.begin(), k_kinds.end(),
                                   [&](const KindLabel& k) { return k.name == f.kind || k.label == f.kind; });
    if (!known) {
      f.problems.push_back("unknown kind \"" + f.kind + "\"");
      f.kind.clear();
    } else {
      for (const KindLabel& k : k_kinds)
        if (k.label == f.kind) f.kind = std::string(k.name);
    }
  }
  for (auto [name, field] : {std::pair{"since", &f.since}, std::pair{"until", &f.until}}) {
    *field = t.param(name);
    if (!field->empty() && !is_date(*field)) {
      f.problems.push_back(std::string(name) + ": expected a date like 2026-01-31, got \"" + *field + "\"");
      field->clear();
    }
  }
  if (std::string b = t.param("before"); !b.empty()) f.before = to_int(b);
  return f;
}

db::Param opt(const std::string& s) {
  return s.empty() ? db::Param() : db::Param(s);
}

struct EditRow {
  std::string change_id, article_id, url, title, detected_at, old_title, new_title, removed, inserted,
      removal_reason;
  std::vector<std::string> kinds;
  bool stealth = false, title_changed = false;
  std::int64_t words_added = 0, words_removed = 0, changes = 0;
  std::optional<std::string> old_version, new_version;
};

// With a feed filter the edits are read from article_edit_feeds (011): the
// feed's own edits in time order through its primary key, so a small feed costs
// what a big one does. Without one, article_edits in detected_at order. The
// time order and the keyset cursor are on whichever of the two drives the scan.
Result<std::vector<EditRow>> query_edits(db::Connection& conn, const EditFilters& f, int limit) {
  const bool by_feed = !f.feed.empty();
  const std::string sql = fmt::format(
      "SELECT e.change_id, e.article_id, e.url, e.title, {detected}, e.kinds, e.stealth, e.title_changed, "
      "       e.old_title, e.new_title, e.words_added, e.words_removed, e.old_version, e.new_version, "
      "       e.removal_reason, "
      "       left(e.diff_json -> 'changes' -> 0 ->> 'removed', 600), "
      "       left(e.diff_json -> 'changes' -> 0 ->> 'inserted', 600), "
      "       coalesce(jsonb_array_length(e.diff_json -> 'changes'), 0) "
      "FROM {from} "
      "WHERE {feed} "
      "  AND ($2::text IS NULL OR CASE WHEN $2 = 'stealth' THEN e.stealth ELSE e.kinds @> ARRAY[$2::text] "
      "END) "
      "  AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM article_rule_matches m "
      "                                   WHERE m.article_id = e.article_id AND m.rule = $3)) "
      "  AND ($4::date IS NULL OR {t}.detected_at >= ($4::date)::timestamp AT TIME ZONE 'UTC') "
      "  AND ($5::date IS NULL OR {t}.detected_at < ($5::date + 1)::timestamp AT TIME ZONE 'UTC') "
      "  AND ($6::bigint IS NULL OR ({t}.detected_at, {t}.change_id) < "
      "       (SELECT b.detected_at, b.change_id FROM article_edits b WHERE b.change_id = $6)) "
      "ORDER BY {t}.detected_at DESC, {t}.change_id DESC "
      "LIMIT $7",
      fmt::arg("detected", iso("e.detected_at")),
      fmt::arg("from", by_feed ? "article_edit_feeds f JOIN article_edits e ON e.change_id = f.change_id"
                               : "article_edits e"),
      fmt::arg("feed", by_feed ? "f.feed = $1::text" : "$1::text IS NULL"),
      fmt::arg("t", by_feed ? "f" : "e"));
  auto r =
      conn.exec(sql, {opt(f.feed), opt(f.kind), opt(f.rule), opt(f.since), opt(f.until),
                      f.before ? db::Param(std::to_string(*f.before)) : db::Param(), std::to_string(limit)});
  if (!r) return r.error();
  std::vector<EditRow> rows;
  rows.reserve(static_cast<std::size_t>(r->size()));
  for (int i = 0; i < r->size(); ++i) {
    EditRow e;
    e.change_id = r->get(i, 0);
    e.article_id = r->get(i, 1);
    e.url = r->get(i, 2);
    e.title = r->get(i, 3);
    e.detected_at = r->get(i, 4);
    e.kinds = parse_array(r->get(i, 5));
    e.stealth = r->get(i, 6) == "t";
    e.title_changed = r->get(i, 7) == "t";
    e.old_title = r->get(i, 8);
    e.new_title = r->get(i, 9);
    e.words_added = r->get_int(i, 10);
    e.words_removed = r->get_int(i, 11);
    e.old_version = r->get_opt(i, 12);
    e.new_version = r->get_opt(i, 13);
    e.removal_reason = r->get(i, 14);
    e.removed = r->get(i, 15);
    e.inserted = r->get(i, 16);
    e.changes = r->get_int(i, 17);
    rows.push_back(std::move(e));
  }
  return rows;
}

std::string article_link(const EditRow& e) {
  std::string link = "/article/" + e.article_id;
  if (e.old_version && e.new_version) link += "?a=" + *e.old_version + "&b=" + *e.new_version;
  return link;
}

std::string select_box(std::string_view name, std::string_view label, const std::vector<std::string>& options,
                       const std::string& selected, const std::vector<std::string>& labels = {}) {
  std::string out = fmt::format("<label>{} <select name=\"{}\"><option value=\"\">any</option>", label, name);
  for (std::size_t i = 0; i < options.size(); ++i) {
    out +=
        fmt::format("<option value=\"{}\"{}>{}</option>", h(options[i]),
                    options[i] == selected ? " selected" : "", h(i < labels.size() ? labels[i] : options[i]));
  }
  out += "</select></label>";
  return out;
}

Response edits_page(db::Connection& conn, const Target& t, const Site& site, std::string* db_error) {
  EditFilters f = edit_filters(t);
  auto rows = query_edits(conn, f, k_edits_per_page + 1);
  if (!rows) {
    *db_error = rows.error().message;
    return html_response(503, page("Edits", "Edits",
                                   "<h1>Edits</h1><p class=\"error\">The database did not "
                                   "answer; try again in a moment.</p>"));
  }
  const bool more = static_cast<int>(rows->size()) > k_edits_per_page;
  if (more) rows->pop_back();

  std::string body = "<h1>Recent edits</h1>";
  body += "<form class=\"filters\" method=\"get\" action=\"/\">";
  body += select_box("feed", "Feed", site.feeds, f.feed);
  std::vector<std::string> kind_names;
  std::vector<std::string> kind_labels;
  for (const KindLabel& k : k_kinds) {
    kind_names.emplace_back(k.name);
    kind_labels.emplace_back(k.label);
  }
  body += select_box("kind", "Kind", kind_names, f.kind, kind_labels);
  body += select_box("rule", "Rule", site.rules, f.rule);
  body += fmt::format("<label>From <input type=\"date\" name=\"since\" value=\"{}\"></label>", h(f.since));
  body += fmt::format("<label>To <input type=\"date\" name=\"until\" value=\"{}\"></label>", h(f.until));
  body += "<button type=\"submit\">Filter</button> <a href=\"/\">clear</a> · <a href=\"/edits.atom";
  body += h(f.query_string());
  body += "\">Atom feed of this list</a></form>";
  for (const std::string& p : f.problems) body += "<p class=\"error\">Ignored: " + h(p) + "</p>";

  if (rows->empty()) {
    body += "<p class=\"empty\">No edits match.</p>";
  } else {
    body += "<ol class=\"edits\">";
    for (const EditRow& e : *rows) {
      body += "<li class=\"edit\"><div class=\"meta\"><time datetime=\"" + h(e.detected_at) + "\">" +
              h(display_time(e.detected_at)) + "</time> " + badges(e.kinds, e.stealth);
      body += fmt::format(
          "<span class=\"words\"><span class=\"plus\">+{}</span> <span class=\"minus\">−{}</span> "
          "words</span> <span class=\"host\">{}</span></div>",
          e.words_added, e.words_removed, h(host_of(e.url)));
      body += "<a class=\"title\" href=\"" + h(article_link(e)) + "\">" +
              h(e.title.empty() ? e.url : e.title) + "</a>";
      if (e.title_changed && !e.old_title.empty()) {
        body += "<div class=\"retitle\"><del>" + h(e.old_title) + "</del> → <ins>" + h(e.new_title) +
                "</ins></div>";
      }
      if (!e.removed.empty() || !e.inserted.empty()) {
        body += "<div class=\"snippet\">";
        if (!e.removed.empty()) body += "<del>" + h(truncate_utf8(e.removed, 240)) + "</del> ";
        if (!e.inserted.empty()) body += "<ins>" + h(truncate_utf8(e.inserted, 240)) + "</ins>";
        if (e.changes > 1)
          body += fmt::format(" <span class=\"more\">and {} more changes</span>", e.changes - 1);
        body += "</div>";
      }
      if (!e.removal_reason.empty()) {
        body += "<div class=\"snippet\">Removed: " + h(e.removal_reason) + "</div>";
      }
      body += "</li>";
    }
    body += "</ol>";
  }
  if (more) {
    EditFilters next = f;
    next.before = to_int(rows->back().change_id);
    body += "<nav class=\"pager\"><a rel=\"next\" href=\"/" + h(next.query_string(true)) +
            "\">Older edits →</a></nav>";
  }
  return html_response(200, page("Recent edits", "Edits", body));
}

// ---------------------------------------------------------------- Atom

Response atom_feed(db::Connection& conn, const Target& t, const Site& site, std::string* db_error) {
  EditFilters f = edit_filters(t);
  if (!f.problems.empty()) return bad_request(f.problems.front());
  f.before.reset();
  auto rows = query_edits(conn, f, k_edits_per_page);
  if (!rows) {
    *db_error = rows.error().message;
    Response r;
    r.status = 503;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "database unavailable\n";
    return r;
  }
  const std::string base = site.base_url;
  std::string updated = rows->empty() ? "1970-01-01T00:00:00Z" : rows->front().detected_at;
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">";
  out += "<title>feedwatch: edits";
  if (!f.feed.empty()) out += " in " + h(f.feed);
  if (!f.kind.empty()) out += " (" + h(kind_label(f.kind)) + ")";
  if (!f.rule.empty()) out += " matching " + h(f.rule);
  out += "</title>";
  out += "<id>" + h(base + "/edits.atom" + f.query_string()) + "</id>";
  out += "<link rel=\"self\" type=\"application/atom+xml\" href=\"" +
         h(base + "/edits.atom" + f.query_string()) + "\"/>";
  out += "<link rel=\"alternate\" type=\"text/html\" href=\"" + h(base + "/" + f.query_string()) + "\"/>";
  out += "<updated>" + h(updated) + "</updated><author><name>feedwatch</name></author>";
  out += "<generator>feedwatch</generator>";
  for (const EditRow& e : *rows) {
    std::string kinds;
    for (const std::string& k : e.kinds) kinds += (kinds.empty() ? "" : ", ") + std::string(kind_label(k));
    if (e.stealth) kinds += (kinds.empty() ? "" : ", ") + std::string("stealth");
    out += "<entry><id>" + h(base + "/edits/" + e.change_id) + "</id>";
    out += "<title>" + h("[" + kinds + "] " + (e.title.empty() ? e.url : e.title)) + "</title>";
    out += "<updated>" + h(e.detected_at) + "</updated>";
    out += "<link rel=\"alternate\" type=\"text/html\" href=\"" + h(base + article_link(e)) + "\"/>";
    if (linkable(e.url)) out += "<link rel=\"related\" href=\"" + h(e.url) + "\"/>";
    for (const std::string& k : e.kinds) out += "<category term=\"" + h(k) + "\"/>";
    std::string content;
    if (e.title_changed && !e.old_title.empty()) {
      content += "<p>Headline: <del>" + h(e.old_title) + "</del> → <ins>" + h(e.new_title) + "</ins></p>";
    }
    if (!e.removed.empty()) content += "<p>Removed: <del>" + h(e.removed) + "</del></p>";
    if (!e.inserted.empty()) content += "<p>Added: <ins>" + h(e.inserted) + "</ins></p>";
    if (!e.removal_reason.empty()) content += "<p>Article removed: " + h(e.removal_reason) + "</p>";
    content += fmt::format(
        "<p>+{} / −{} words. <a href=\"{}\">Compare the versions</a> · <a href=\"{}\">the "
        "article</a></p>",
        e.words_added, e.words_removed, h(base + article_link(e)),
        linkable(e.url) ? h(e.url) : std::string());
    out += "<content type=\"html\">" + h(content) + "</content></entry>";
  }
  out += "</feed>\n";
  Response r;
  r.content_type = "application/atom+xml; charset=utf-8";
  r.body = std::move(out);
  return r;
}

// ---------------------------------------------------------------- article

struct VersionRow {
  int version = 0;
  std::string source, title, fetched_at, http_status;
  bool is_current = false, has_raw = false;
  std::int64_t text_bytes = 0;
};

Response article_download(db::Connection& conn, std::int64_t id, int version, bool raw,
                          std::string* db_error) {
  Response r;
  const std::string filename = fmt::format("article-{}-v{}.{}", id, version, raw ? "html" : "txt");
  if (raw) {
    auto q = conn.exec("SELECT body FROM article_version_sources WHERE article_id = $1 AND version = $2",
                       {std::to_string(id), std::to_string(version)});
    if (!q) {
      *db_error = q.error().message;
      return html_response(503,
                           page("Unavailable", "", "<p class=\"error\">The database did not answer.</p>"));
    }
    if (q->empty()) return not_found("no raw page or feed HTML is stored for this version");
    // bytea in text form: "\x3c68..."
    std::string_view hex = q->get(0, 0);
    if (hex.starts_with("\\x")) hex.remove_prefix(2);
    r.body.reserve(hex.size() / 2);
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
      unsigned v = 0;
      std::from_chars(hex.data() + i, hex.data() + i + 2, v, 16);
      r.body += static_cast<char>(v);
    }
    // Served as a download, never rendered: the page's own HTML and scripts stay inert.
    r.content_type = "application/octet-stream";
  } else {
    auto q = conn.exec("SELECT body_text FROM article_search WHERE article_id = $1 AND version = $2",
                       {std::to_string(id), std::to_string(version)});
    if (!q) {
      *db_error = q.error().message;
      return html_response(503,
                           page("Unavailable", "", "<p class=\"error\">The database did not answer.</p>"));
    }
    if (q->empty()) return not_found("no such version");
    r.body = q->get(0, 0);
    r.content_type = "text/plain; charset=utf-8";
  }
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  return r;
}

Response article_page(db::Connection& conn, std::int64_t id, const Target& t, std::string* db_error) {
  const std::string sid = std::to_string(id);
  auto fail = [&](const Error& e) {
    *db_error = e.message;
    return html_response(503, page("Article", "",
                                   "<p class=\"error\">The database did not answer; try again in "
                                   "a moment.</p>"));
  };
  auto a =
      conn.exec(fmt::format("SELECT url, title, state, author, {}, {}, version_count FROM latest_articles "
                            "WHERE article_id = $1",
                            iso("published_at"), iso("first_seen_at")),
                {sid});
  if (!a) return fail(a.error());
  if (a->empty()) return not_found("no article " + sid);
  const std::string url(a->get(0, 0));
  const std::string title(a->get(0, 1));
  const std::string state(a->get(0, 2));

  auto v =
      conn.exec(fmt::format("SELECT version, source, title, {}, http_status, is_current, text_bytes, has_raw "
                            "FROM article_version_list WHERE article_id = $1 ORDER BY version LIMIT 1000",
                            iso("fetched_at")),
                {sid});
  if (!v) return fail(v.error());
  std::vector<VersionRow> versions;
  for (int i = 0; i < v->size(); ++i) {
    VersionRow row;
    row.version = static_cast<int>(v->get_int(i, 0));
    row.source = v->get(i, 1);
    row.title = v->get(i, 2);
    row.fetched_at = v->get(i, 3);
    row.http_status = v->get(i, 4);
    row.is_current = v->get(i, 5) == "t";
    row.text_bytes = v->get_int(i, 6);
    row.has_raw = v->get(i, 7) == "t";
    versions.push_back(std::move(row));
  }

  auto c = conn.exec(fmt::format("SELECT {}, kinds, stealth, old_title, new_title, old_version, new_version, "
                                 "words_added, words_removed, removal_reason "
                                 "FROM article_edits WHERE article_id = $1 ORDER BY detected_at, change_id "
                                 "LIMIT 1000",
                                 iso("detected_at")),
                     {sid});
  if (!c) return fail(c.error());

  // Which two versions to compare: ?a=&b=, else the newest change's, else the last two versions.
  std::optional<std::int64_t> va = to_int(t.param("a"));
  std::optional<std::int64_t> vb = to_int(t.param("b"));
  if (!va || !vb) {
    for (int i = c->size() - 1; i >= 0; --i) {
      if (!c->is_null(i, 5) && !c->is_null(i, 6)) {
        va = c->get_int(i, 5);
        vb = c->get_int(i, 6);
        break;
      }
    }
  }
  if ((!va || !vb) && versions.size() >= 2) {
    va = versions[versions.size() - 2].version;
    vb = versions.back().version;
  }
  const std::string view = t.param("view") == "side" ? "side" : "inline";

  std::string body = "<article class=\"article\"><h1>" + h(title.empty() ? url : title) + "</h1>";
  body += "<p class=\"meta\">";
  if (linkable(url)) {
    body += "<a class=\"source\" href=\"" + h(url) + "\" rel=\"noreferrer noopener\">" + h(url) + "</a>";
  } else {
    body += h(url);
  }
  body += " · " + std::string(state == "removed" ? "<span class=\"badge k-removed\">removed</span>" : "live");
  if (!a->is_null(0, 3)) body += " · by " + h(a->get(0, 3));
  if (!a->is_null(0, 4)) body += " · published " + h(display_time(a->get(0, 4)));
  body += " · first seen " + h(display_time(a->get(0, 5)));
  body += fmt::format(" · {} versions</p>", a->get(0, 6));

  // Comparison
  if (va && vb) {
    auto texts = conn.exec(
        "SELECT version, title, body_text FROM article_search "
        "WHERE article_id = $1 AND version = ANY ($2::int[])",
        {sid, fmt::format("{{{},{}}}", *va, *vb)});
    if (!texts) return fail(texts.error());
    std::optional<int> row_a;
    std::optional<int> row_b;
    for (int i = 0; i < texts->size(); ++i) {
      if (texts->get_int(i, 0) == *va) row_a = i;
      if (texts->get_int(i, 0) == *vb) row_b = i;
    }
    if (!row_a || !row_b) {
      body += "<p class=\"error\">No such version to compare.</p>";
    } else {
      body += fmt::format("<section class=\"compare\"><h2>Version {} → version {}</h2>", *va, *vb);
      body += "<p class=\"views\">";
      for (std::string_view mode : {"inline", "side"}) {
        const std::string href = fmt::format("/article/{}?a={}&b={}&view={}", id, *va, *vb, mode);
        body += mode == view ? fmt::format("<strong>{}</strong> ", mode == "side" ? "side by side" : "inline")
                             : fmt::format("<a href=\"{}\">{}</a> ", h(href),
                                           mode == "side" ? "side by side" : "inline");
      }
      body += "</p>";
      const std::string_view title_a = texts->get(*row_a, 1);
      const std::string_view title_b = texts->get(*row_b, 1);
      if (title_a != title_b) {
        body += "<p class=\"retitle\">Headline: " + line_diff_html(diff::diff(title_a, title_b)) + "</p>";
      }
      const std::string_view text_a = texts->get(*row_a, 2);
      const std::string_view text_b = texts->get(*row_b, 2);
      if (text_a.size() > k_max_diff_bytes || text_b.size() > k_max_diff_bytes) {
        body += "<p class=\"error\">These versions are too large to compare here; download their texts.</p>";
      } else if (text_a == text_b) {
        body += "<p class=\"empty\">The texts of these versions are identical.</p>";
        body += inline_diff_html(diff::diff(text_a, text_b));
      } else {
        const diff::Diff d = diff::diff(text_a, text_b);
        body += fmt::format(
            "<p class=\"stats\"><span class=\"plus\">+{}</span> <span class=\"minus\">−{}</span> "
            "<span>~{}</span> words</p>",
            d.stats.tokens_added, d.stats.tokens_removed, d.stats.tokens_changed);
        if (view == "side") {
          body += fmt::format("<div class=\"side-head\"><span>version {}</span><span>version {}</span></div>",
                              *va, *vb);
          body += side_by_side_html(d);
        } else {
          body += inline_diff_html(d);
        }
      }
      body += "</section>";
    }
  } else if (!versions.empty()) {
    auto text = conn.exec("SELECT body_text FROM article_search WHERE article_id = $1 AND version = $2",
                          {sid, std::to_string(versions.back().version)});
    if (!text) return fail(text.error());
    if (!text->empty()) {
      diff::Diff same = diff::diff(text->get(0, 0), text->get(0, 0));
      body += "<section class=\"compare\"><h2>Text</h2>" + inline_diff_html(same) + "</section>";
    }
  }

  // Compare form
  if (versions.size() >= 2) {
    body += fmt::format("<form class=\"pick\" method=\"get\" action=\"/article/{}\">Compare ", id);
    for (auto [name, current] : {std::pair{"a", va}, std::pair{"b", vb}}) {
      body += fmt::format("<select name=\"{}\" aria-label=\"version {}\">", name, name);
      for (const VersionRow& row : versions) {
        body += fmt::format("<option value=\"{}\"{}>v{} {} {}</option>", row.version,
                            current && *current == row.version ? " selected" : "", row.version, h(row.source),
                            h(display_time(row.fetched_at)));
      }
      body += "</select> ";
    }
    body += fmt::format(
        "<input type=\"hidden\" name=\"view\" value=\"{}\"><button type=\"submit\">Compare</button>"
        "</form>",
        view);
  }

  // Changes
  if (c->size() > 0) {
    body +=
        "<section><h2>Changes</h2><table class=\"changes\"><thead><tr><th>detected</th><th>kinds</th>"
        "<th>versions</th><th>words</th><th>headline</th></tr></thead><tbody>";
    for (int i = 0; i < c->size(); ++i) {
      body += "<tr><td>" + h(display_time(c->get(i, 0))) + "</td><td>" +
              badges(parse_array(c->get(i, 1)), c->get(i, 2) == "t") + "</td><td>";
      if (!c->is_null(i, 5) && !c->is_null(i, 6)) {
        body += fmt::format("<a href=\"/article/{}?a={}&amp;b={}\">v{} → v{}</a>", id, c->get(i, 5),
                            c->get(i, 6), c->get(i, 5), c->get(i, 6));
      } else if (!c->is_null(i, 9)) {
        body += "removed: " + h(c->get(i, 9));
      }
      body += fmt::format("</td><td>+{} −{}</td><td>", c->get(i, 7), c->get(i, 8));
      if (!c->is_null(i, 3) && !c->is_null(i, 4) && c->get(i, 3) != c->get(i, 4)) {
        body += "<del>" + h(c->get(i, 3)) + "</del> → <ins>" + h(c->get(i, 4)) + "</ins>";
      }
      body += "</td></tr>";
    }
    body += "</tbody></table></section>";
  }

  // Version timeline
  body +=
      "<section><h2>Versions</h2><table class=\"versions\"><thead><tr><th>version</th><th>fetched</th>"
      "<th>source</th><th>HTTP</th><th>headline</th><th>text</th><th>downloads</th></tr></thead><tbody>";
  for (const VersionRow& row : versions) {
    body += fmt::format(
        "<tr{}><td>v{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} bytes</td><td>",
        row.is_current ? " class=\"current\"" : "", row.version, row.is_current ? " (current)" : "",
        h(display_time(row.fetched_at)), h(row.source), h(row.http_status), h(row.title), row.text_bytes);
    body += fmt::format("<a href=\"/article/{}/v{}.txt\">clean text</a>", id, row.version);
    if (row.has_raw) body += fmt::format(" · <a href=\"/article/{}/v{}.html\">raw</a>", id, row.version);
    body += "</td></tr>";
  }
  body += "</tbody></table></section></article>";
  return html_response(200, page(title.empty() ? url : title, "", body));
}

// ---------------------------------------------------------------- search

// ts_headline marks matches with two private-use characters, replaced by
// <mark> after escaping (article text cannot inject markup through them: the
// replacement only ever opens one <mark> and closes it).
constexpr std::string_view k_mark_open = "\xEE\x80\x80";   // U+E000
constexpr std::string_view k_mark_close = "\xEE\x80\x81";  // U+E001

std::string highlight(std::string_view headline) {
  std::string escaped = escape(headline);
  std::string out;
  out.reserve(escaped.size() + 64);
  bool open = false;
  for (std::size_t i = 0; i < escaped.size();) {
    if (escaped.compare(i, k_mark_open.size(), k_mark_open) == 0) {
      if (!open) out += "<mark>";
      open = true;
      i += k_mark_open.size();
    } else if (escaped.compare(i, k_mark_close.size(), k_mark_close) == 0) {
      if (open) out += "</mark>";
      open = false;
      i += k_mark_close.size();
    } else {
      out += escaped[i++];
    }
  }
  if (open) out += "</mark>";
  return out;
}

// search_articles()' candidates: the best of a query's 500 newest matching
// versions are shown (sql/015), half the function's default, which halves the
// vectors read to rank a common term; rarer queries are ranked in full.
constexpr int k_search_candidates = 500;

Response search_page(db::Connection& conn, const Target& t, std::string* db_error) {
  const std::string q = t.param("q");
  std::string body =
      "<h1>Search</h1><p class=\"hint\">Every version of every article is searched, so text that "
      "was later edited out is found too. Syntax: <code>huawei -phone</code>, <code>\"export "
      "controls\"</code>, <code>chip or semiconductor</code>.</p>";
  if (q.empty()) return html_response(200, page("Search", "Search", body, q));
  const int page_number = static_cast<int>(std::clamp<std::int64_t>(
      to_int(t.param("page")).value_or(1), 1, k_search_max_results / k_search_per_page));
  const int offset = (page_number - 1) * k_search_per_page;
  const std::string options = fmt::format("MaxFragments=2, MaxWords=30, MinWords=12, StartSel={}, StopSel={}",
                                          k_mark_open, k_mark_close);
  auto r = conn.exec(
      fmt::format(
          "WITH r AS (SELECT * FROM search_articles($1, $2, $5) "
          "           ORDER BY rank DESC, fetched_at DESC, version_id DESC OFFSET $3) "
          "SELECT r.article_id, r.version, r.url, r.title, {}, r.is_current, "
          "       ts_headline('english', w.text, websearch_to_tsquery('english', $1), $4), "
          "       (SELECT max(l.version) FROM article_version_list l "
          "        WHERE l.article_id = r.article_id) "
          "FROM r JOIN article_search s ON s.version_id = r.version_id "
          // ts_headline parses all the text it is given (about 1.5 ms per 4 KB):
          // give it 1,000 characters from just before the first place a query
          // lexeme appears as typed (a stem is nearly always a prefix of the
          // word), else, as before, the first 30,000 characters.
          "CROSS JOIN LATERAL (SELECT min(nullif(strpos(lower(left(s.body_text, 30000)), m[1]), 0)) AS hit "
          "   FROM regexp_matches(websearch_to_tsquery('english', $1)::text, '''([^'']+)''', 'g') m) h "
          "CROSS JOIN LATERAL (SELECT CASE WHEN h.hit IS NULL THEN left(s.body_text, 30000) "
          "   ELSE substr(s.body_text, greatest(h.hit - 300, 1), 1000) END AS text) w "
          "ORDER BY r.rank DESC, r.fetched_at DESC, r.version_id DESC",
          iso("r.fetched_at")),
      {q, std::to_string(offset + k_search_per_page + 1), std::to_string(offset), options,
       std::to_string(k_search_candidates)});
  if (!r) {
    *db_error = r.error().message;
    body += "<p class=\"error\">The search failed; try again in a moment.</p>";
    return html_response(503, page("Search", "Search", body, q));
  }
  const int shown = std::min(r->size(), k_search_per_page);
  body += fmt::format(
      "<p class=\"count\">{} for <strong>{}</strong>{}</p>",
      shown == 0 ? std::string("No results") : fmt::format("Results {}–{}", offset + 1, offset + shown), h(q),
      page_number > 1 ? fmt::format(" (page {})", page_number) : "");
  body += "<ol class=\"results\">";
  for (int i = 0; i < shown; ++i) {
    const bool current = r->get(i, 5) == "t";
    const std::string article = std::string(r->get(i, 0));
    const std::string version = std::string(r->get(i, 1));
    const std::string title = std::string(r->get(i, 3));
    body += "<li><a class=\"title\" href=\"/article/" + h(article) + "\">" +
            h(title.empty() ? std::string(r->get(i, 2)) : title) + "</a>";
    body += "<div class=\"meta\"><span class=\"host\">" + h(host_of(r->get(i, 2))) + "</span> · version " +
            h(version) + " · " + h(display_time(r->get(i, 4)));
    if (!current) {
      body += " · <span class=\"badge k-removed\">not in the current text</span> <a href=\"/article/" +
              h(article) + "?a=" + h(version) + "&amp;b=" + h(r->get(i, 7)) + "\">what changed</a>";
    }
    body += "</div><p class=\"snippet\">" + highlight(r->get(i, 6)) + "</p></li>";
  }
  body += "</ol>";
  if (r->size() > k_search_per_page && offset + k_search_per_page < k_search_max_results) {
    body += "<nav class=\"pager\"><a rel=\"next\" href=\"/search?q=" + h(url_encode(q)) +
            fmt::format("&amp;page={}\">More results →</a></nav>", page_number + 1);
  }
  return html_response(200, page("Search: " + q, "Search", body, q));
}

// ---------------------------------------------------------------- sources

Response sources_page(db::Connection& conn, std::string* db_error) {
  auto r = conn.exec(fmt::format(
      "SELECT name, url, {}, {}, {}, last_status, error_count, last_error, {}, "
      "       pages_sampled, pages_with_text, fetches_24h, failed_24h "
      "FROM feed_health ORDER BY name LIMIT 10000",
      iso("last_polled_at"), iso("last_success_at"), iso("last_new_article_at"), iso("next_poll_at")));
  if (!r) {
    *db_error = r.error().message;
    return html_response(503,
                         page("Sources", "Sources", "<p class=\"error\">The database did not answer.</p>"));
  }
  std::string body =
      "<h1>Sources</h1><table class=\"sources\"><thead><tr><th>feed</th><th>state</th>"
      "<th>last poll</th><th>last success</th><th>last new article</th><th>next poll</th>"
      "<th>fetches 24 h (failed)</th><th title=\"of the feed's pages among the 1,000 stored "
      "last\">extraction</th></tr></thead><tbody>";
  for (int i = 0; i < r->size(); ++i) {
    const std::int64_t errors = r->get_int(i, 6);
    const std::int64_t pages = r->get_int(i, 9);
    const std::int64_t with_text = r->get_int(i, 10);
    body += "<tr" + std::string(errors > 0 ? " class=\"failing\"" : "") +
            "><td><a href=\"/?feed=" + h(url_encode(r->get(i, 0))) + "\">" + h(r->get(i, 0)) +
            "</a><div class=\"host\">" + h(host_of(r->get(i, 1))) + "</div></td><td>";
    if (errors > 0) {
      body += fmt::format("<span class=\"badge k-removed\">{} errors</span> {}", errors,
                          h(truncate_utf8(r->get(i, 7), 200)));
    } else if (r->is_null(i, 2)) {
      body += "not polled yet";
    } else {
      body += "<span class=\"badge ok\">ok</span>";
    }
    if (!r->is_null(i, 5)) body += " HTTP " + h(r->get(i, 5));
    body += "</td>";
    for (int col : {2, 3, 4, 8}) {
      body += "<td>" + (r->is_null(i, col) ? std::string("—") : h(display_time(r->get(i, col)))) + "</td>";
    }
    body += fmt::format("<td>{} ({})</td><td>", r->get(i, 11), r->get(i, 12));
    if (pages > 0) {
      body += fmt::format("{:.0f}% of {} recent pages",
                          100.0 * static_cast<double>(with_text) / static_cast<double>(pages), pages);
    } else {
      body += "no pages";
    }
    body += "</td></tr>";
  }
  body += "</tbody></table>";
  if (r->empty()) body += "<p class=\"empty\">No feeds yet.</p>";
  return html_response(200, page("Sources", "Sources", body));
}

constexpr std::string_view k_stylesheet = R"css(
:root { --fg: #1d2125; --muted: #5b6570; --line: #d9dee3; --ins: #d4f4dc; --ins-fg: #0b5a22; --del: #fbdada;
        --del-fg: #8a1414; --accent: #1f5fa8; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       background: #fafbfc; }
header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.5rem; background: #fff;
         border-bottom: 1px solid var(--line); flex-wrap: wrap; }
header .brand { font-weight: 700; color: var(--fg); text-decoration: none; }
header nav a { margin-right: 1rem; color: var(--muted); text-decoration: none; }
header nav a.active { color: var(--fg); font-weight: 600; }
header form.search { margin-left: auto; display: flex; gap: .3rem; }
header input[type=search] { width: 18rem; padding: .25rem .5rem; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
footer { color: var(--muted); font-size: 13px; text-align: center; padding: 1rem; }
a { color: var(--accent); }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
form.filters { display: flex; gap: .75rem; flex-wrap: wrap; align-items: center; margin-bottom: 1rem;
               font-size: 14px; }
ol.edits, ol.results { list-style: none; padding: 0; margin: 0; }
li.edit, ol.results li { background: #fff; border: 1px solid var(--line); border-radius: 6px;
                         padding: .6rem .9rem; margin-bottom: .6rem; }
.meta { color: var(--muted); font-size: 13px; }
.title { font-weight: 600; font-size: 16px; text-decoration: none; display: inline-block; margin: .15rem 0; }
.snippet, .retitle { font-size: 14px; }
.more, .host { color: var(--muted); }
.badge { display: inline-block; font-size: 12px; padding: 0 .45rem; border-radius: 9px; background: #e6e9ed;
         color: var(--fg); }
.k-title_changed { background: #e2e6fb; color: #27337a; }
.k-substantive { background: #fde8cf; color: #7a4300; }
.k-correction_notice { background: #f4e0fb; color: #5d1a7a; }
.k-removed { background: var(--del); color: var(--del-fg); }
.k-restored, .ok { background: var(--ins); color: var(--ins-fg); }
.k-stealth { background: #333a41; color: #fff; }
ins { background: var(--ins); color: var(--ins-fg); text-decoration: none; border-radius: 2px; }
del { background: var(--del); color: var(--del-fg); border-radius: 2px; }
mark { background: #ffe58a; }
.plus { color: var(--ins-fg); } .minus { color: var(--del-fg); }
.diff p { white-space: pre-wrap; margin: 0 0 .8rem; }
.diff.inline { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.2rem; }
.diff.inline p.changed { border-left: 3px solid #f0b429; padding-left: .6rem; margin-left: -.9rem; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: .35rem .5rem; vertical-align: top; text-align: left; }
table.diff.side { table-layout: fixed; }
table.diff.side td { width: 50%; }
table.diff.side tr.changed td { background: #fffbea; }
.side-head { display: flex; } .side-head span { flex: 1; font-weight: 600; padding: .2rem .5rem; }
tr.current td { font-weight: 600; }
tr.failing td { background: #fff4f4; }
.error { color: var(--del-fg); }
.empty, .hint, .count { color: var(--muted); }
nav.pager { margin: 1rem 0; }
form.pick { margin: .8rem 0; }
)css";

}  // namespace

Response handle(db::Connection& conn, const Target& target, const Site& site, std::string* db_error) {
  const std::string& path = target.path;
  if (path == "/" || path == "/edits") return edits_page(conn, target, site, db_error);
  if (path == "/edits.atom") return atom_feed(conn, target, site, db_error);
  if (path == "/search") return search_page(conn, target, db_error);
  if (path == "/sources") return sources_page(conn, db_error);
  if (path == "/style.css") {
    Response r;
    r.content_type = "text/css; charset=utf-8";
    r.body = std::string(k_stylesheet);
    r.headers.emplace_back("Cache-Control", "max-age=3600");
    return r;
  }
  if (path.starts_with("/article/")) {
    std::string_view rest = std::string_view(path).substr(9);
    const std::size_t slash = rest.find('/');
    const std::optional<std::int64_t> id = to_int(rest.substr(0, slash));
    if (!id) return not_found("no such article");
    if (slash == std::string_view::npos) return article_page(conn, *id, target, db_error);
    std::string_view file = rest.substr(slash + 1);  // v3.txt | v3.html
    const bool txt = file.ends_with(".txt");
    const bool raw = file.ends_with(".html");
    if (!file.starts_with("v") || (!txt && !raw)) return not_found("no such download");
    const auto version = to_int(file.substr(1, file.size() - 1 - (txt ? 4 : 5)));
    if (!version || *version > 1'000'000) return not_found("no such version");
    return article_download(conn, *id, static_cast<int>(*version), raw, db_error);
  }
  return not_found("no page " + path);
}

}  // namespace fw::web
