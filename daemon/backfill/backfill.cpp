#include "daemon/backfill/backfill.hpp"

#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <unordered_set>

#include "daemon/config/derived.hpp"
#include "daemon/store/store.hpp"
#include "parsers/archive/archive.hpp"
#include "parsers/date/date.hpp"
#include "parsers/extract/extract.hpp"
#include "parsers/feed/feed.hpp"

namespace fw::backfill {

namespace {

struct Walk {
  db::Connection& conn;
  net::Fetcher& fetcher;
  boost::asio::io_context& io;
  const config::Config& config;
  const Options& options;
  store::Store store;
  store::FeedRow feed;
  Report report;
  bool fetched_before = false;
  std::optional<net::Response> page2_response;  // fetched while detecting the mode

  // One request, run to completion, `delay` after the previous one.
  net::FetchResult fetch(const std::string& url, bool obey_robots) {
    if (fetched_before) std::this_thread::sleep_for(options.delay);
    fetched_before = true;
    net::Request request;
    request.url = url;
    request.obey_robots = obey_robots;
    std::optional<net::FetchResult> out;
    fetcher.fetch(std::move(request), [&out](net::FetchResult r) { out = std::move(r); });
    io.restart();
    while (!out) io.run_one();
    return std::move(*out);
  }

  static std::string describe(const net::FetchResult& r, const std::string& url) {
    if (const auto* f = std::get_if<net::FetchFailure>(&r)) return url + ": " + f->message;
    return url + ": HTTP " + std::to_string(std::get<net::Response>(r).status);
  }

  static long status_of(const net::FetchResult& r) {
    const auto* resp = std::get_if<net::Response>(&r);
    return resp ? resp->status : 0;
  }

  // A feed page's entries; nullopt when it is not a feed.
  static std::optional<feed::Feed> parse_feed(const net::Response& r, const std::string& url) {
    auto parsed = feed::parse(
        r.body, feed::ParseOptions{r.effective_url.empty() ? url : r.effective_url, r.content_type});
    if (!parsed) return std::nullopt;
    return std::move(*parsed);
  }

  std::unordered_set<std::string> keys_of(const feed::Feed& f) const {
    std::unordered_set<std::string> keys;
    for (const auto& e : f.entries) keys.insert(store::article_key(e, feed.url));
    return keys;
  }

  // paged, archive, or "" (neither): page 2 of the paged feed decides.
  Result<std::string> detect_mode() {
    std::string page2 = archive::paged_feed_url(feed.url, 2);
    net::FetchResult second = fetch(page2, false);
    if (std::get_if<net::FetchFailure>(&second)) return fail(describe(second, page2));
    const auto& resp = std::get<net::Response>(second);
    if (resp.status >= 500 || resp.status == 429) return fail(describe(second, page2));
    if (resp.status >= 200 && resp.status < 300) {
      if (auto parsed = parse_feed(resp, page2)) {
        page2_response = resp;  // the walk starts with it rather than fetching it again
        if (parsed->entries.empty()) return std::string("paged");  // a paged feed, already at its end
        // A site that ignores `paged` serves the first page again.
        net::FetchResult first = fetch(feed.url, false);
        const auto* first_resp = std::get_if<net::Response>(&first);
        if (!first_resp || first_resp->status < 200 || first_resp->status >= 300) {
          return fail(describe(first, feed.url));
        }
        auto first_parsed = parse_feed(*first_resp, feed.url);
        if (!first_parsed || keys_of(*first_parsed) != keys_of(*parsed)) return std::string("paged");
      }
    }
    return std::string(archive::archive_page_url(feed.url, 2) ? "archive" : "");
  }

  // Saves the progress after `page`, inside the transaction that stored its articles.
  std::function<Result<void>(db::Connection&, const store::StoreCounts&)> progress(int page) {
    return [this, page](db::Connection& c, const store::StoreCounts& counts) -> Result<void> {
      auto r = c.exec(
          "UPDATE backfill_state SET next_page = $2::int, pages_walked = pages_walked + 1, "
          "  articles_found = articles_found + $3::int, last_error = NULL, updated_at = now() "
          "WHERE feed_id = $1",
          {std::to_string(feed.id), std::to_string(page + 1), std::to_string(counts.new_articles)});
      if (!r) return r.error();
      return {};
    };
  }

  Result<void> finish(const std::string& reason) {
    report.stop_reason = reason;
    auto r = conn.exec(
        "UPDATE backfill_state SET status = 'done', stop_reason = $2, finished_at = now(), updated_at = "
        "now(), "
        "  last_error = NULL WHERE feed_id = $1",
        {std::to_string(feed.id), reason});
    if (!r) return r.error();
    return {};
  }

  Result<void> failed(const std::string& why) {
    (void)conn.exec("UPDATE backfill_state SET last_error = $2, updated_at = now() WHERE feed_id = $1",
                    {std::to_string(feed.id), why});
    return fail("backfill of " + feed.name + " stopped (resumable): " + why);
  }

  // One page of the paged feed. Returns the stop reason, or "" to go on.
  Result<std::string> paged_page(int page) {
    std::string url = archive::paged_feed_url(feed.url, page);
    net::FetchResult r = page == 2 && page2_response ? net::FetchResult(*page2_response) : fetch(url, false);
    long status = status_of(r);
    if (status == 404 || status == 410) return std::string("end");
    if (status < 200 || status >= 300) return fail(describe(r, url));
    auto parsed = parse_feed(std::get<net::Response>(r), url);
    if (!parsed) return fail(url + ": not a feed");
    if (parsed->entries.empty()) return std::string("empty");
    // A page is "known" when none of its entries is new: the walk has reached
    // what the polls (or an earlier backfill) stored.
    auto counts = store.store_entries(feed, parsed->entries, progress(page));
    if (!counts) return counts.error();
    report.new_articles += counts->new_articles;
    return std::string(counts->new_articles == 0 ? "known" : "");
  }

  Result<bool> is_known(const std::string& url_or_key) {
    auto r = conn.exec("SELECT 1 FROM articles WHERE url = $1 OR article_key = $1 LIMIT 1", {url_or_key});
    if (!r) return r.error();
    return !r->empty();
  }

  // One page of the tag archive: its article links, each fetched and extracted.
  Result<std::string> archive_page(int page) {
    std::string url = *archive::archive_page_url(feed.url, page);
    net::FetchResult r = fetch(url, true);
    if (const auto* f = std::get_if<net::FetchFailure>(&r);
        f && f->kind == net::FetchErrorKind::robots_disallowed) {
      return std::string("robots");
    }
    long status = status_of(r);
    if (status == 404 || status == 410) return std::string("end");
    if (status < 200 || status >= 300) return fail(describe(r, url));
    const auto& resp = std::get<net::Response>(r);
    std::vector<std::string> links = archive::article_links(resp.body, url, resp.content_type);
    if (links.empty()) return std::string("empty");

    const std::vector<extract::SiteRule> rules = config::extract_rules(config);
    std::vector<feed::Entry> entries;
    int known = 0;
    for (const std::string& link : links) {
      if (options.stop && options.stop->load()) return std::string("stopped");
      auto seen = is_known(link);
      if (!seen) return seen.error();
      if (*seen) {
        ++known;
        continue;
      }
      net::FetchResult page_result = fetch(link, true);
      if (const auto* f = std::get_if<net::FetchFailure>(&page_result)) {
        if (f->kind == net::FetchErrorKind::robots_disallowed) {
          ++report.robots_skipped;
          continue;
        }
        return fail(describe(page_result, link));
      }
      const auto& page_resp = std::get<net::Response>(page_result);
      if (page_resp.status == 404 || page_resp.status == 410) continue;  // listed but gone
      if (page_resp.status < 200 || page_resp.status >= 300) return fail(describe(page_result, link));
      std::string final_url = page_resp.effective_url.empty() ? link : page_resp.effective_url;
      extract::Options eo;
      eo.url = final_url;
      eo.content_type = page_resp.content_type;
      eo.rule = extract::find_site_rule(rules, final_url);
      auto article = extract::extract(page_resp.body, eo);
      if (!article) return fail(link + ": " + article.error().message);
      feed::Entry e;
      // WordPress feeds identify a post by its shortlink (?p=N): use it, so the
      // article is the same one a feed poll would store.
      if (auto id = archive::shortlink(page_resp.body, final_url, page_resp.content_type)) {
        auto seen_id = is_known(*id);
        if (!seen_id) return seen_id.error();
        if (*seen_id) {
          ++known;
          continue;
        }
        e.id = *id;
      }
      e.link = final_url;
      e.title = article->title;
      e.author = article->byline;
      e.published = article->published;
      e.updated = article->modified;
      e.content = article->text;
      e.content_html = article->html;
      entries.push_back(std::move(e));
    }
    report.known_links += known;
    auto counts = store.store_entries(feed, entries, progress(page));
    if (!counts) return counts.error();
    report.new_articles += counts->new_articles;
    return std::string(static_cast<std::size_t>(known) == links.size() ? "known" : "");
  }

  // WordPress REST: known posts edited since the last check get a re-check now.
  Result<void> queue_edited_posts() {
    auto since = conn.exec(
        "SELECT to_char(coalesce(wp_modified_checked_at, now() - interval '30 days') AT TIME ZONE 'UTC', "
        "               'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
        "       to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
        "FROM backfill_state WHERE feed_id = $1",
        {std::to_string(feed.id)});
    if (!since) return since.error();
    if (since->empty()) return {};
    std::string after(since->get(0, 0));
    std::string now(since->get(0, 1));
    std::size_t scheme_end = feed.url.find("://");
    std::size_t path_start = feed.url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
    std::string origin = feed.url.substr(0, path_start);
    std::string url =
        origin + "/wp-json/wp/v2/posts?modified_after=" + after + "&per_page=100&_fields=id,link";
    net::FetchResult r = fetch(url, false);
    const auto* resp = std::get_if<net::Response>(&r);
    if (!resp || resp->status != 200) return {};  // no REST API here: nothing to learn
    auto posts = nlohmann::json::parse(resp->body, nullptr, /*allow_exceptions=*/false);
    if (!posts.is_array()) return {};
    report.rest_api = true;
    for (const auto& post : posts) {
      if (!post.is_object()) continue;
      std::string link =
          post.contains("link") && post["link"].is_string() ? post["link"].get<std::string>() : "";
      std::string shortlink = post.contains("id") && post["id"].is_number_integer()
                                  ? origin + "/?p=" + std::to_string(post["id"].get<std::int64_t>())
                                  : "";
      if (link.empty() && shortlink.empty()) continue;
      auto q = conn.exec(
          "UPDATE articles SET next_check_at = now() "
          "WHERE (url = $1 OR article_key = $1 OR article_key = $2) AND state = 'live' RETURNING id",
          {link.empty() ? shortlink : link, shortlink.empty() ? link : shortlink});
      if (!q) return q.error();
      report.rechecks_queued += q->size();
    }
    auto saved =
        conn.exec("UPDATE backfill_state SET wp_modified_checked_at = $2::timestamptz WHERE feed_id = $1",
                  {std::to_string(feed.id), now});
    if (!saved) return saved.error();
    return {};
  }

  Result<Report> go() {
    auto row = conn.exec("SELECT id, url FROM feeds WHERE name = $1", {feed.name});
    if (!row) return row.error();
    if (row->empty()) return fail("feed " + feed.name + " is not in the database");
    feed.id = row->get_int(0, 0);
    feed.url = std::string(row->get(0, 1));
    const std::string id = std::to_string(feed.id);

    auto state = conn.exec(
        "SELECT mode, next_page FROM backfill_state WHERE feed_id = $1 AND status = 'running'", {id});
    if (!state) return state.error();
    int page = 2;
    if (!state->empty()) {
      report.mode = std::string(state->get(0, 0));
      page = static_cast<int>(state->get_int(0, 1));
    } else {
      auto mode = detect_mode();
      if (!mode) return mode.error();
      report.mode = *mode;
      if (report.mode.empty()) {
        auto r = conn.exec(
            "INSERT INTO backfill_state (feed_id, mode, status, next_page, stop_reason, finished_at) "
            "VALUES ($1, 'paged', 'done', 2, 'no_archive', now()) "
            "ON CONFLICT (feed_id) DO UPDATE SET status = 'done', stop_reason = 'no_archive', finished_at = "
            "now(), "
            "  updated_at = now()",
            {id});
        if (!r) return r.error();
        report.stop_reason = "no_archive";
        return report;
      }
      auto r = conn.exec(
          "INSERT INTO backfill_state (feed_id, mode, status, next_page) VALUES ($1, $2, 'running', 2) "
          "ON CONFLICT (feed_id) DO UPDATE SET mode = EXCLUDED.mode, status = 'running', next_page = 2, "
          "  pages_walked = 0, stop_reason = NULL, last_error = NULL, started_at = now(), updated_at = "
          "now(), "
          "  finished_at = NULL",
          {id, report.mode});
      if (!r) return r.error();
    }
    report.first_page = page;
    std::string reason;
    for (; reason.empty(); ++page) {
      if (page > options.max_pages + 1) {
        reason = "max_pages";
        break;
      }
      if (options.stop && options.stop->load()) return report;  // resumes at `page` next time
      auto step = report.mode == "paged" ? paged_page(page) : archive_page(page);
      if (!step) return failed(step.error().message).error();
      if (*step == "stopped") return report;
      if (*step != "end" && *step != "empty" && *step != "robots") ++report.pages;
      reason = *step;
    }
    if (auto f = finish(reason); !f) return f.error();
    if (auto q = queue_edited_posts(); !q) return q.error();
    return report;
  }
};

}  // namespace

Result<Report> run(db::Connection& conn, net::Fetcher& fetcher, boost::asio::io_context& io,
                   const config::Config& config, const config::FeedConfig& feed, const Options& options) {
  Walk walk{conn, fetcher, io, config, options, store::Store(conn), {}, {}, false, {}};
  walk.feed.name = feed.name;
  walk.feed.fetch_articles =
      feed.fetch_articles;  // backfilled articles get their pages checked like polled ones
  return walk.go();
}

std::string summary(const std::string& feed, const Report& r) {
  std::string out = "backfill feed=" + feed + " mode=" + (r.mode.empty() ? "none" : r.mode) +
                    " first_page=" + std::to_string(r.first_page) + " pages=" + std::to_string(r.pages) +
                    " new=" + std::to_string(r.new_articles) +
                    " stop=" + (r.stop_reason.empty() ? "stopped" : r.stop_reason);
  if (r.mode == "archive") {
    out += " known_links=" + std::to_string(r.known_links) +
           " robots_skipped=" + std::to_string(r.robots_skipped);
  }
  out += " rest_api=" + std::string(r.rest_api ? "yes" : "no") +
         " rechecks_queued=" + std::to_string(r.rechecks_queued);
  return out;
}

}  // namespace fw::backfill
