// WordPress archives, for the backfill of older articles: the URLs of a feed's
// older pages and the article links of a tag archive page. Pure: no network.
//
// A WordPress feed takes `?paged=N` for its N-th page of older entries
// (`https://focus.cbbc.org/tag/tech-companies/feed/?paged=2`). Where paged feeds
// are switched off, the tag's HTML archive still lists every post, ten or so a
// page: the feed URL without its `feed/` part, plus `page/N/`
// (`https://focus.cbbc.org/tag/tech-companies/page/2/`).
//
// On an archive page, a post's permalink is the link in its title. Themes mark
// it in one of three ways, tried in this order, the first that finds any link
// winning: `<a rel="bookmark">` (WordPress's own markup); a link inside a
// heading inside an `<article>`; a link inside an `<h2>` or `<h3>`. Links to
// other hosts, to listings (tag, category, author, page/N, feed) and to the
// page itself are dropped; each URL is kept once, in page order.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fw::archive {

// `feed_url` with `paged=page` added to its query.
std::string paged_feed_url(std::string_view feed_url, int page);

// The tag archive page `page` for a feed URL ending in `/feed/` (or `/feed`);
// nullopt for feeds of another shape.
std::optional<std::string> archive_page_url(std::string_view feed_url, int page);

// The article links of an archive page (bytes as served; `content_type` for its
// charset), absolute, in page order, without duplicates.
std::vector<std::string> article_links(std::string_view html, std::string_view page_url,
                                       std::string_view content_type = {});

// WordPress's `<link rel="shortlink" href="https://site/?p=15231">`: the URL
// its feeds use as the post's guid. nullopt when absent.
std::optional<std::string> shortlink(std::string_view html, std::string_view page_url,
                                     std::string_view content_type = {});

}  // namespace fw::archive
