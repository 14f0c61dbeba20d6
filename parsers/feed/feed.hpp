// The parsed form of a feed document: the value that every format parser
// (RSS 0.9x/1.0/2.0, Atom, JSON Feed) produces. FEED-JSON.md defines each field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/common/result.hpp"

namespace fw::feed {

// Seconds since the Unix epoch, UTC.
using UnixTime = std::int64_t;

struct Enclosure {
  std::string url;
  std::optional<std::string> type;
  std::optional<std::int64_t> length;
};

// A Media RSS object (media:content, also inside media:group), and the
// item's media:thumbnail (https://www.rssboard.org/media-rss).
struct Media {
  std::string url;
  std::optional<std::string> type;     // MIME type
  std::optional<std::string> medium;   // image | audio | video | document | executable
  std::optional<std::int64_t> length;  // fileSize, bytes
  std::optional<std::int64_t> width;
  std::optional<std::int64_t> height;
};

struct Entry {
  std::optional<std::string> id;
  std::optional<std::string> title;
  std::optional<std::string> link;
  std::optional<UnixTime> published;
  std::optional<UnixTime> updated;
  std::optional<std::string> author;
  std::vector<std::string> categories;
  std::optional<std::string> summary;  // plain text
  std::optional<std::string> content;  // plain text of the full body
  // The full body as the feed gave it (HTML for content:encoded), kept for the
  // article pipeline; not part of the parse-feed JSON.
  std::optional<std::string> content_html;
  std::vector<Enclosure> enclosures;
  // media:content objects and the first media:thumbnail URL; not in the
  // parse-feed JSON (FEED-JSON.md keeps enclosures to <enclosure> and Atom's).
  std::vector<Media> media;
  std::optional<std::string> thumbnail;
  // The entry's identity across polls: the id (guid / Atom id), else the link,
  // else "sha256:" + SHA-256 of title and content. Never empty. When an earlier
  // entry of the same feed has the same key (duplicate guids happen), "#" and a
  // hash of this entry's link, title and content are appended, so that each key
  // is unique within the feed and still stable from one poll to the next.
  std::string key;
};

struct Feed {
  std::optional<std::string> format;  // "rss2.0", "atom1.0", ... (FEED-JSON.md)
  std::optional<std::string> title;
  std::optional<std::string> link;
  std::optional<UnixTime> updated;
  std::optional<std::string> language;
  // Polling hints, in seconds, when the feed gives them (<ttl>, sy:updatePeriod).
  std::optional<std::int64_t> ttl_seconds;
  // RSS <skipHours> (0-23, UTC) and <skipDays> ("Monday" ... "Sunday"): when
  // the publisher asks not to be polled. Sorted, without duplicates.
  std::vector<int> skip_hours;
  std::vector<std::string> skip_days;
  // Paging links (RFC 5005 "first"/"next"/"previous"/"last", atom:link in RSS
  // and Atom's own links) and the feed's own URL (rel="self"), resolved.
  // WordPress feeds without them page with ?paged=N (wordpress_page_url).
  std::optional<std::string> self_link;
  std::optional<std::string> next_page;
  std::optional<std::string> previous_page;
  std::optional<std::string> first_page;
  std::optional<std::string> last_page;
  std::vector<Entry> entries;
  // What was recovered from: ill-formed XML, undefined entities, bad dates ...
  std::vector<std::string> warnings;
};

// Bounds on what one document may make the parser do. Input past a bound is
// not read (a warning says so); a document over max_document_bytes is an error.
struct ParseLimits {
  std::size_t max_document_bytes = std::size_t{64} << 20U;
  std::size_t max_depth = 256;               // element nesting (JSON: array/object nesting)
  std::size_t max_elements = 1'000'000;      // XML elements in the document
  std::size_t max_entries = 10'000;          // items / entries kept
  std::size_t max_entity_bytes = 1U << 20U;  // text that internal entity references add to one value
};

struct ParseOptions {
  std::string base_url;      // the document's URL (after redirects), for relative links
  std::string content_type;  // HTTP Content-Type, whose charset wins over the XML declaration
  // false: entry summary/content keep the body markup as the feed gave it instead
  // of its plain text (skips HTML-to-text: callers that need only ids, links and
  // dates, and the benchmark of the XML pass alone).
  bool plain_text = true;
  ParseLimits limits = {};
};

// Parses any supported feed document. Fails only when the bytes hold no feed at all.
Result<Feed> parse(std::string_view bytes, const ParseOptions& options);

// The URL of page `page` (1 = the newest) of a WordPress feed: its URL with
// the "paged" query parameter set (page 1: removed), e.g.
// "https://ex.org/tag/x/feed/" + 3 -> "https://ex.org/tag/x/feed/?paged=3".
std::string wordpress_page_url(std::string_view feed_url, int page);

// The parse-feed JSON object (FEED-JSON.md), serialized.
std::string to_json(const Feed& feed);

}  // namespace fw::feed
