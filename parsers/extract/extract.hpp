// Article extraction: an article page (or a feed's content:encoded fragment)
// in, the clean article out: the body as plain text and as sanitized HTML, and
// the page's metadata. Site rules from the config (`sites:` in DESIGN.md) pick
// the body with CSS selectors; without a rule, or when the rule finds nothing,
// generic scoring (generic.cpp) finds it. Pure: bytes in, values out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/common/result.hpp"

namespace fw::extract {

// Names the extraction algorithm and its tuning; stored with every extracted
// text. Bump it when a change alters the text the extractor produces.
inline constexpr std::string_view k_extractor_version = "extract/1";

// An extraction rule for one site (config `sites[]`). `body` and `remove` are
// selectors in the subset that parse_selector() (selector.hpp) accepts.
struct SiteRule {
  std::string host;                 // "focus.cbbc.org"; subdomains match too
  std::string body;                 // ".entry-content"; empty: generic body, rule removals only
  std::vector<std::string> remove;  // [".read-also", ".post-footer"]
};

struct Options {
  std::string url;           // the page's URL: base for relative links, host for rules
  std::string content_type;  // the HTTP Content-Type, for its charset parameter
  const SiteRule* rule = nullptr;
  // Larger inputs are cut at this size (with a warning) before parsing.
  std::size_t max_bytes = 8 * 1024 * 1024;
  // The input is an HTML fragment (a feed's content:encoded), not a page: all
  // of it is the article, only boilerplate is removed. Also detected when the
  // input has no <html>, <head> or <body> tag.
  bool fragment = false;
};

struct Article {
  std::string text;  // paragraphs separated by a blank line; headings, list items on own lines
  std::string html;  // sanitized HTML of the body (allowlisted tags, absolute URLs)
  std::optional<std::string> title;  // without the " - Site Name" suffix
  std::optional<std::string> byline;
  std::optional<std::string> canonical_url;
  std::optional<std::string> language;  // "en-GB" as the page says it
  std::optional<std::string> lead_image;
  std::optional<std::int64_t> published;  // unix time, UTC
  std::optional<std::int64_t> modified;
  std::string method;  // "site-rule" | "generic" | "fragment"
  std::vector<std::string> warnings;
};

// Extracts the article of an HTML page. Fails only when the input cannot be a
// page at all (a rule whose selector does not parse); an empty body is a
// success with empty text and a warning.
Result<Article> extract(std::string_view html, const Options& options);

// The rule for a URL's host among `rules`: an exact host match, or the longest
// rule host of which the URL's host is a subdomain; the port is ignored.
const SiteRule* find_site_rule(const std::vector<SiteRule>& rules, std::string_view url);

// Bytes of an HTML document -> UTF-8, the encoding taken from (in this order)
// a byte order mark, the Content-Type charset, a <meta charset> or http-equiv
// in the first 4 KiB, else UTF-8. Bytes invalid in that encoding become U+FFFD
// and are reported in `warnings`.
std::string decode_html(std::string_view bytes, std::string_view content_type,
                        std::vector<std::string>& warnings);

// `ref` resolved against `base` (RFC 3986 section 5.2); "" when the result is
// not an http(s) or mailto URL (javascript:, data:, ...).
std::string resolve_url(std::string_view base, std::string_view ref);

}  // namespace fw::extract
