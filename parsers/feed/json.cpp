// Everything that touches nlohmann::json (a heavy header, so in one file only):
// the parse-feed JSON output (FEED-JSON.md) and the JSON Feed input format
// (https://www.jsonfeed.org/version/1.1/ and version 1).
#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "parsers/date/date.hpp"
#include "parsers/feed/detail.hpp"
#include "parsers/feed/feed.hpp"

namespace fw::feed {
namespace {

using OrderedJson = nlohmann::ordered_json;
using Json = nlohmann::json;

OrderedJson optional_string(const std::optional<std::string>& value) {
  return value ? OrderedJson(*value) : OrderedJson(nullptr);
}

OrderedJson optional_date(const std::optional<UnixTime>& value) {
  return value ? OrderedJson(fw::date::format_iso8601(*value)) : OrderedJson(nullptr);
}

OrderedJson entry_json(const Entry& entry) {
  OrderedJson enclosures = OrderedJson::array();
  for (const Enclosure& enclosure : entry.enclosures) {
    enclosures.push_back(OrderedJson{
        {"url", enclosure.url},
        {"type", optional_string(enclosure.type)},
        {"length", enclosure.length ? OrderedJson(*enclosure.length) : OrderedJson(nullptr)},
    });
  }
  return OrderedJson{
      {"id", optional_string(entry.id)},
      {"title", optional_string(entry.title)},
      {"link", optional_string(entry.link)},
      {"published", optional_date(entry.published)},
      {"updated", optional_date(entry.updated)},
      {"author", optional_string(entry.author)},
      {"categories", entry.categories},
      {"summary", optional_string(entry.summary)},
      {"content", optional_string(entry.content)},
      {"enclosures", std::move(enclosures)},
  };
}

// ---- JSON Feed ----------------------------------------------------------------------

std::optional<std::string> string_member(const Json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  // JSON Feed ids must be strings, but some feeds write numbers.
  if (it->is_number_integer() || it->is_number_unsigned()) return it->dump();
  return std::nullopt;
}

std::optional<std::string> json_feed_author(const Json& item) {
  if (const auto authors = item.find("authors"); authors != item.end() && authors->is_array()) {
    for (const Json& author : *authors) {
      if (std::optional<std::string> name = string_member(author, "name")) {
        if (std::optional<std::string> text = detail::plain_text(*name)) return text;
      }
    }
  }
  if (const auto author = item.find("author"); author != item.end()) {  // version 1
    if (std::optional<std::string> name = string_member(*author, "name")) return detail::plain_text(*name);
  }
  return std::nullopt;
}

Entry json_feed_item(const Json& item, const ParseOptions& options, std::vector<std::string>& warnings) {
  Entry entry;
  if (std::optional<std::string> id = string_member(item, "id")) {
    const std::string_view trimmed = detail::trim(*id);
    if (!trimmed.empty()) entry.id = std::string(trimmed);
  }
  if (std::optional<std::string> title = string_member(item, "title"))
    entry.title = detail::plain_text(*title);
  if (std::optional<std::string> url = string_member(item, "url")) {
    entry.link = detail::resolve_url(options.base_url, *url);
  }
  if (std::optional<std::string> date = string_member(item, "date_published")) {
    entry.published = detail::parse_date(*date, "date_published", warnings);
  }
  if (std::optional<std::string> date = string_member(item, "date_modified")) {
    entry.updated = detail::parse_date(*date, "date_modified", warnings);
  }
  entry.author = json_feed_author(item);
  if (const auto tags = item.find("tags"); tags != item.end() && tags->is_array()) {
    for (const Json& tag : *tags) {
      if (tag.is_string()) detail::add_category(entry.categories, tag.get<std::string>());
    }
  }
  if (std::optional<std::string> html = string_member(item, "content_html")) {
    entry.content = options.plain_text ? detail::html_text(*html) : std::optional<std::string>(*html);
    if (entry.content && entry.content->empty()) entry.content.reset();
    if (entry.content) entry.content_html = std::move(html);
  } else if (std::optional<std::string> text = string_member(item, "content_text")) {
    entry.content = detail::plain_text(*text);
  }
  const std::optional<std::string> summary = string_member(item, "summary");
  if (summary) entry.summary = detail::plain_text(*summary);
  detail::default_summary(entry, summary.has_value());
  if (const auto attachments = item.find("attachments");
      attachments != item.end() && attachments->is_array()) {
    for (const Json& attachment : *attachments) {
      std::optional<std::string> url = string_member(attachment, "url");
      if (url) url = detail::resolve_url(options.base_url, *url);
      if (!url) continue;
      Enclosure enclosure;
      enclosure.url = std::move(*url);
      enclosure.type = string_member(attachment, "mime_type");
      const auto size = attachment.find("size_in_bytes");
      if (size != attachment.end() && size->is_number_integer() && size->get<std::int64_t>() >= 0) {
        enclosure.length = size->get<std::int64_t>();
      }
      entry.enclosures.push_back(std::move(enclosure));
    }
  }
  return entry;
}

}  // namespace

std::string to_json(const Feed& feed) {
  OrderedJson entries = OrderedJson::array();
  for (const Entry& entry : feed.entries) entries.push_back(entry_json(entry));
  const OrderedJson object{
      {"format", optional_string(feed.format)},     {"title", optional_string(feed.title)},
      {"link", optional_string(feed.link)},         {"updated", optional_date(feed.updated)},
      {"language", optional_string(feed.language)}, {"entries", std::move(entries)},
  };
  // Strings are valid UTF-8 by construction; `replace` guards the invariant
  // instead of throwing from a serializer.
  return object.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

namespace {

// The deepest nesting of arrays and objects in a JSON text (strings skipped),
// found before nlohmann::json builds (and later destroys) the value: a
// megabyte of '[' must not become a million nested values.
std::size_t json_depth(std::string_view text) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

namespace detail {

Result<Feed> parse_json_feed(std::string_view utf8, const ParseOptions& options) {
  if (json_depth(utf8) > options.limits.max_depth) {
    return fail("not a feed: the JSON document is nested deeper than " +
                std::to_string(options.limits.max_depth) + " levels");
  }
  Json document = Json::parse(utf8.begin(), utf8.end(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return fail("not a feed: the document starts like JSON but is not valid JSON");
  if (!document.is_object()) return fail("not a feed: the JSON document is not an object");

  Feed feed;
  const std::string version = string_member(document, "version").value_or("");
  // https://jsonfeed.org/version/1 and .../1.1 (readers should accept http: too).
  constexpr std::string_view k_version_prefix = "jsonfeed.org/version/";
  const std::string_view version_view = version;
  const auto at = version_view.find(k_version_prefix);
  const std::string_view tail =
      at == std::string_view::npos ? std::string_view() : version_view.substr(at + k_version_prefix.size());
  if (tail == "1" || tail == "1/") {
    feed.format = "json1.0";
  } else if (tail == "1.1" || tail == "1.1/") {
    feed.format = "json1.1";
  }
  const auto items = document.find("items");
  if (!feed.format && (items == document.end() || !items->is_array())) {
    return fail("not a feed: the JSON document has no JSON Feed \"version\" and no \"items\"");
  }
  if (!feed.format) feed.warnings.push_back("json: unknown JSON Feed version \"" + version + "\"");
  if (std::optional<std::string> title = string_member(document, "title")) feed.title = plain_text(*title);
  if (std::optional<std::string> home = string_member(document, "home_page_url")) {
    feed.link = resolve_url(options.base_url, *home);
  }
  if (std::optional<std::string> language = string_member(document, "language")) {
    feed.language = normalize_language(*language);
  }
  if (items != document.end() && items->is_array()) {
    for (const Json& item : *items) {
      if (item.is_object()) feed.entries.push_back(json_feed_item(item, options, feed.warnings));
    }
  }
  return feed;
}

}  // namespace detail
}  // namespace fw::feed
