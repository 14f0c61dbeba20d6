// The parsed form of a feed document: the value that every format parser
// (RSS 0.9x/1.0/2.0, Atom, JSON Feed) produces. FEED-JSON.md defines each field.
#pragma once

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
};

struct Feed {
  std::optional<std::string> format;  // "rss2.0", "atom1.0", ... (FEED-JSON.md)
  std::optional<std::string> title;
  std::optional<std::string> link;
  std::optional<UnixTime> updated;
  std::optional<std::string> language;
  // Polling hints, in seconds, when the feed gives them (<ttl>, sy:updatePeriod).
  std::optional<std::int64_t> ttl_seconds;
  std::vector<Entry> entries;
  // What was recovered from: ill-formed XML, undefined entities, bad dates ...
  std::vector<std::string> warnings;
};

struct ParseOptions {
  std::string base_url;      // the document's URL (after redirects), for relative links
  std::string content_type;  // HTTP Content-Type, whose charset wins over the XML declaration
};

// Parses any supported feed document. Fails only when the bytes hold no feed at all.
Result<Feed> parse(std::string_view bytes, const ParseOptions& options);

// The parse-feed JSON object (FEED-JSON.md), serialized.
std::string to_json(const Feed& feed);

}  // namespace fw::feed
