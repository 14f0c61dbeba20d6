// Archive backfill: a feed shows only its newest entries; its older articles
// are on the site's archive pages. `feedwatch backfill FEED` (and, at daemon
// start, every feed with `backfill.paged: true` not yet backfilled) walks them
// back in time and stores what it finds through the Store, so backfilled
// articles get versions exactly like polled ones.
//
// Which pages (parsers/archive/archive.hpp):
//  1. WordPress paged feeds, `FEED?paged=2`, `?paged=3`, ... When page 2 is not
//     a feed, is missing (404), or is the first page again (the site ignores
//     `paged`), then
//  2. the tag archive, `/tag/NAME/page/2/`, `/page/3/`, ...: the article links
//     on each page (found with Gumbo) are fetched as article pages, robots.txt
//     obeyed (net::Request::obey_robots), extracted, and stored; links already
//     known are not fetched again.
// Pages start at 2 (page 1 is the feed itself). The walk stops at the first
// page whose articles are all known already (it has reached what an earlier
// backfill or the polls stored), at an empty or missing page (the end of the
// archive), or after `max_pages` pages.
//
// Resumable: each page's articles and the walk's progress (backfill_state,
// sql/006_backfill.sql) commit in one transaction; after a crash or a failed
// fetch the next run resumes at the page that was not stored. A finished walk
// started again begins at page 2 and stops at once if nothing is new.
//
// WordPress REST: afterwards, when `/wp-json/wp/v2/posts?modified_after=T`
// answers, every known article among the posts edited since the last check is
// queued for a re-check (articles.next_check_at = now()): one request finds the
// edits that re-fetching every page would.
//
// Requests are made one at a time, `delay` apart (http.per_host.min_delay).
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "daemon/config/config.hpp"
#include "daemon/db/pg.hpp"
#include "daemon/net/fetcher.hpp"

namespace fw::backfill {

struct Options {
  int max_pages = 50;                       // pages to walk, counted from page 2
  std::chrono::milliseconds delay{1000};    // between two requests to the site
  const std::atomic<bool>* stop = nullptr;  // set: finish the current page and return
};

struct Report {
  std::string mode;    // paged | archive | "" when the feed has neither
  int first_page = 2;  // where this run started (later than 2 when resuming)
  int pages = 0;       // pages walked in this run
  int new_articles = 0;
  int known_links = 0;      // archive links already stored, not fetched
  int robots_skipped = 0;   // article pages robots.txt disallowed
  std::string stop_reason;  // known | empty | end | max_pages | no_archive | stopped
  int rechecks_queued = 0;  // edited posts found through the WordPress REST API
  bool rest_api = false;    // the REST API answered
};

// Walks `feed`'s archive with `fetcher` (its io_context is run until each
// request completes). An error (a failed fetch, the database) leaves the walk
// resumable and says what failed.
Result<Report> run(db::Connection& conn, net::Fetcher& fetcher, boost::asio::io_context& io,
                   const config::Config& config, const config::FeedConfig& feed, const Options& options);

// One line for logs and the command: "backfill feed=... mode=paged pages=3 new=27 stop=known ...".
std::string summary(const std::string& feed, const Report& report);

}  // namespace fw::backfill
