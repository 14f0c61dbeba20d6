// The pages of the read-only analyst web view: recent edits, one article (its
// versions, any two compared), search, source health, the Atom feed of edits,
// text downloads and the stylesheet. Each page is a function of the request
// target and what a read-only database connection returns; the HTTP server
// (daemon/web/server.cpp) adds the security headers and authentication.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "daemon/db/pg.hpp"
#include "daemon/web/html.hpp"

namespace fw::web {

struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Content-Disposition, ...)
};

// What pages need besides the database.
struct Site {
  std::vector<std::string> feeds;  // configured feed names (filter choices)
  std::vector<std::string> rules;  // configured rule names (filter choices)
  std::string base_url;            // "http://host:port" as the client addressed us (Atom links)
};

// Edits listed per page (and entries in the Atom feed).
inline constexpr int k_edits_per_page = 50;
// Search results per page; search pages end at k_search_max_results.
inline constexpr int k_search_per_page = 20;
inline constexpr int k_search_max_results = 200;
// Larger texts are not diffed on a page (their download still works).
inline constexpr std::size_t k_max_diff_bytes = 2 * 1024 * 1024;

// Answers one GET. Database failures become a 503 page; `db_error` receives the message for the log.
Response handle(db::Connection& conn, const Target& target, const Site& site, std::string* db_error);

}  // namespace fw::web
