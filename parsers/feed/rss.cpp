// RSS 0.91-0.94 and 2.0 (https://www.rssboard.org/rss-specification), with the
// modules real feeds mix in: content:encoded, dc:*, dcterms:*, sy:*, media:*.
// The item parser is shared with RSS 1.0 (rdf.cpp): their items differ only in
// rdf:about.
//
// Field rules are FEED-JSON.md's; the RSS-specific points:
// * <guid> is a permalink unless isPermaLink="false" (RSS 2.0 "guid"): only then
//   is it a URL, resolved like a link and used as the link when <link> is absent.
// * <description> and content:encoded hold HTML (escaped or CDATA), titles are
//   literal text unless they look like HTML.
// * atom:link (rel="self" and friends) never provides an entry's or channel's link.
// * <ttl> is minutes (RSS 2.0 "ttl"); sy:updatePeriod/sy:updateFrequency mean
//   "updated updateFrequency times per updatePeriod" (RSS 1.0 Syndication
//   module). The larger interval of the two wins: both ask not to poll faster.
// * <skipHours>/<skipDays> (RSS 2.0) and atom:link rel="self"/"next"/"previous"/
//   "first"/"last" (RFC 5005 paging) are kept on the Feed for the scheduler and
//   the backfill; Media RSS (media:content, media:thumbnail, media:group) on the
//   Entry. None of them is part of the parse-feed JSON.
#include <algorithm>
#include <array>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/feed/detail.hpp"

namespace fw::feed::detail {
namespace {

std::optional<std::int64_t> syndication_interval(const xmlNode* channel) {
  const xmlNode* period_node = first_child(channel, "sy:updateperiod");
  const xmlNode* frequency_node = first_child(channel, "sy:updatefrequency");
  if (period_node == nullptr && frequency_node == nullptr) return std::nullopt;
  std::int64_t period = 86400;  // the module's default period is "daily"
  if (period_node != nullptr) {
    const std::string name = ascii_lower(trim(text_content(period_node)));
    if (name == "hourly") {
      period = 3600;
    } else if (name == "weekly") {
      period = 7 * 86400;
    } else if (name == "monthly") {
      period = 30 * 86400;
    } else if (name == "yearly") {
      period = 365 * 86400;
    }
  }
  std::int64_t frequency = 1;
  if (frequency_node != nullptr) {
    const std::optional<std::int64_t> parsed = parse_length(text_content(frequency_node));
    if (parsed && *parsed > 0) frequency = *parsed;
  }
  return period / frequency;
}

std::optional<std::int64_t> ttl_interval(const xmlNode* channel) {
  const xmlNode* ttl = first_child(channel, "ttl");
  if (ttl == nullptr) return std::nullopt;
  const std::optional<std::int64_t> minutes = parse_length(text_content(ttl));
  if (!minutes || *minutes <= 0 || *minutes > 1000000) return std::nullopt;
  return *minutes * 60;
}

// The first child among `names` with non-blank text, in order of preference.
const xmlNode* first_non_empty(const xmlNode* parent, std::initializer_list<std::string_view> names) {
  for (const std::string_view name : names) {
    for (const xmlNode* child : child_elements(parent)) {
      if (element_name(child) == name && !trim(text_content(child)).empty()) return child;
    }
  }
  return nullptr;
}

void add_enclosure(const xmlNode* node, Entry& entry) {
  const std::optional<std::string> url_attr = attribute(node, "url");
  if (!url_attr) return;
  std::optional<std::string> url = resolve_url(node, *url_attr);
  if (!url) return;
  Enclosure enclosure;
  enclosure.url = std::move(*url);
  if (std::optional<std::string> type = attribute(node, "type")) enclosure.type = plain_text(*type);
  if (std::optional<std::string> length = attribute(node, "length")) enclosure.length = parse_length(*length);
  entry.enclosures.push_back(std::move(enclosure));
}

// RSS 2.0 <skipHours><hour>0-23</hour>...</skipHours> and <skipDays><day>Monday</day>...
void read_skip_hints(const xmlNode* channel, Feed& feed) {
  if (const xmlNode* hours = first_child(channel, "skiphours")) {
    for (const xmlNode* hour : child_elements(hours)) {
      if (element_name(hour) != "hour") continue;
      const std::optional<std::int64_t> value = parse_length(text_content(hour));
      // RSS 2.0 says 0-23; some feeds write 24 for midnight.
      if (value && *value <= 24) feed.skip_hours.push_back(static_cast<int>(*value % 24));
    }
    std::sort(feed.skip_hours.begin(), feed.skip_hours.end());
    feed.skip_hours.erase(std::unique(feed.skip_hours.begin(), feed.skip_hours.end()), feed.skip_hours.end());
  }
  if (const xmlNode* days = first_child(channel, "skipdays")) {
    constexpr std::array<std::string_view, 7> k_days = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                        "Friday", "Saturday", "Sunday"};
    std::array<bool, 7> seen{};
    for (const xmlNode* day : child_elements(days)) {
      if (element_name(day) != "day") continue;
      const std::string value = ascii_lower(trim(text_content(day)));
      for (std::size_t i = 0; i < k_days.size(); ++i) {
        if (value == ascii_lower(k_days[i])) seen[i] = true;
      }
    }
    for (std::size_t i = 0; i < k_days.size(); ++i) {
      if (seen[i]) feed.skip_days.emplace_back(k_days[i]);
    }
  }
}

std::optional<std::int64_t> media_number(const xmlNode* node, std::string_view name) {
  const std::optional<std::string> value = attribute(node, name);
  return value ? parse_length(*value) : std::nullopt;
}

}  // namespace

bool read_media(const xmlNode* node, std::string_view name, Entry& entry) {
  if (name == "media:content") {
    const std::optional<std::string> url = resolve_url(node, attribute(node, "url").value_or(""));
    if (!url) return true;
    Media media;
    media.url = *url;
    if (std::optional<std::string> type = attribute(node, "type")) media.type = plain_text(*type);
    if (std::optional<std::string> medium = attribute(node, "medium")) media.medium = plain_text(*medium);
    media.length = media_number(node, "fileSize");
    media.width = media_number(node, "width");
    media.height = media_number(node, "height");
    entry.media.push_back(std::move(media));
    // media:content may hold its own media:thumbnail, media:title ...
    for (const xmlNode* child : child_elements(node)) read_media(child, element_name(child), entry);
    return true;
  }
  if (name == "media:thumbnail") {
    if (!entry.thumbnail) entry.thumbnail = resolve_url(node, attribute(node, "url").value_or(""));
    return true;
  }
  if (name == "media:group") {
    for (const xmlNode* child : child_elements(node)) {
      const std::string child_name = element_name(child);
      if (read_media(child, child_name, entry)) continue;
      if (child_name == "media:category") add_category(entry.categories, text_content(child));
    }
    return true;
  }
  return false;
}

void parse_rss_channel(const xmlNode* channel, Feed& feed) {
  if (const xmlNode* title = first_non_empty(channel, {"title", "dc:title"})) {
    feed.title = maybe_html_text(text_content(title));
  }
  if (const xmlNode* link = first_non_empty(channel, {"link"})) {
    feed.link = resolve_url(link, text_content(link));
  }
  feed.updated =
      first_date(channel, {"lastbuilddate", "dc:date", "dcterms:modified", "atom:updated"}, feed.warnings);
  if (const xmlNode* language = first_non_empty(channel, {"language", "dc:language"})) {
    feed.language = normalize_language(text_content(language));
  } else if (std::optional<std::string> lang = xml_lang(channel)) {
    feed.language = normalize_language(*lang);
  }
  read_skip_hints(channel, feed);
  for (const xmlNode* child : child_elements(channel)) {
    if (element_name(child) != "atom:link") continue;
    set_paging_link(feed, ascii_lower(trim(attribute(child, "rel").value_or("alternate"))),
                    resolve_url(child, attribute(child, "href").value_or("")));
  }
  const std::optional<std::int64_t> ttl = ttl_interval(channel);
  const std::optional<std::int64_t> syndication = syndication_interval(channel);
  if (ttl && syndication) {
    feed.ttl_seconds = std::max(*ttl, *syndication);
  } else {
    feed.ttl_seconds = ttl ? ttl : syndication;
  }
}

Entry parse_rss_item(const xmlNode* item, std::vector<std::string>& warnings) {
  Entry entry;
  std::optional<std::string> permalink;
  bool has_summary = false;
  for (const xmlNode* child : child_elements(item)) {
    const std::string name = element_name(child);
    if (name == "guid") {
      if (entry.id) continue;
      const std::string guid_text = text_content(child);
      const std::string_view guid = trim(guid_text);
      if (guid.empty()) continue;
      const std::optional<std::string> is_permalink = attribute(child, "isPermaLink");
      if (!is_permalink || ascii_lower(trim(*is_permalink)) == "true") {
        permalink = resolve_url(child, guid);
        entry.id = permalink;
      } else {
        entry.id = std::string(guid);
      }
    } else if (name == "title") {
      if (!entry.title) entry.title = maybe_html_text(text_content(child));
    } else if (name == "link") {
      if (!entry.link) entry.link = resolve_url(child, text_content(child));
    } else if (name == "pubdate" || name == "dcterms:issued" || name == "atom:published" ||
               name == "atom:issued") {
      // Atom's date elements appear in RSS items too (Blogger writes atom:updated).
      if (!entry.published) entry.published = parse_date(text_content(child), name, warnings);
    } else if (name == "dc:date" || name == "dcterms:modified" || name == "atom:updated" ||
               name == "atom:modified") {
      if (!entry.updated) entry.updated = parse_date(text_content(child), name, warnings);
    } else if (name == "category" || name == "dc:subject" || name == "media:category") {
      add_category(entry.categories, text_content(child));
    } else if (name == "description" || name == "dc:description" || name == "media:description") {
      has_summary = true;
      if (!entry.summary) entry.summary = body_text(child, inner_markup(child));
    } else if (is_rss_content(name)) {
      read_rss_content(child, entry);
    } else if (name == "enclosure") {
      add_enclosure(child, entry);
    } else {
      read_media(child, name, entry);
    }
  }
  // Author: dc:creator first, then RSS <author>; media:title only when no <title>.
  if (const xmlNode* author = first_non_empty(item, {"dc:creator", "author"})) {
    entry.author = person_name(maybe_html_text(text_content(author)).value_or(""));
  }
  if (!entry.title) {
    if (const xmlNode* media_title = first_non_empty(item, {"media:title"})) {
      entry.title = maybe_html_text(text_content(media_title));
    } else if (const xmlNode* group = first_child(item, "media:group")) {
      if (const xmlNode* group_title = first_non_empty(group, {"media:title"})) {
        entry.title = maybe_html_text(text_content(group_title));
      }
    }
  }
  if (!entry.link) entry.link = permalink;
  default_summary(entry, has_summary);
  return entry;
}

void parse_rss(const xmlNode* root, Feed& feed) {
  const xmlNode* channel = element_name(root) == "channel" ? root : first_child(root, "channel");
  if (channel == nullptr) {
    feed.warnings.emplace_back("rss: no <channel> element; reading items from <rss>");
    channel = root;
  }
  parse_rss_channel(channel, feed);
  if (!feed.language) {
    if (std::optional<std::string> lang = xml_lang(root)) feed.language = normalize_language(*lang);
  }
  for (const xmlNode* child : child_elements(channel)) {
    if (element_name(child) == "item") feed.entries.push_back(parse_rss_item(child, feed.warnings));
  }
  // Some RSS 0.9x generators put items after </channel>, directly in <rss>.
  if (channel != root) {
    for (const xmlNode* child : child_elements(root)) {
      if (element_name(child) == "item") feed.entries.push_back(parse_rss_item(child, feed.warnings));
    }
  }
}

}  // namespace fw::feed::detail
