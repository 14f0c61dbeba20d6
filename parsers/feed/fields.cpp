// Value conversions that every format parser applies the same way
// (FEED-JSON.md "Text", "Dates", "author", "categories", "language").
#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/date/date.hpp"
#include "parsers/feed/detail.hpp"
#include "parsers/text/normalize.hpp"
#include "parsers/text/text.hpp"

namespace fw::feed::detail {
namespace {

std::optional<std::string> non_empty(std::string s) {
  if (s.empty()) return std::nullopt;
  return s;
}

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// The elements that an escaped-HTML title may use: ordinary content elements,
// nothing executable or structural (feedparser's "acceptable elements").
constexpr auto k_html_elements = std::to_array<std::string_view>(
    {"a",        "abbr",     "acronym",    "address",  "area",     "article",  "aside",    "audio",
     "b",        "big",      "blockquote", "br",       "button",   "canvas",   "caption",  "center",
     "cite",     "code",     "col",        "colgroup", "command",  "datagrid", "datalist", "dd",
     "del",      "details",  "dfn",        "dialog",   "dir",      "div",      "dl",       "dt",
     "em",       "fieldset", "figcaption", "figure",   "font",     "footer",   "form",     "h1",
     "h2",       "h3",       "h4",         "h5",       "h6",       "header",   "hr",       "i",
     "img",      "input",    "ins",        "kbd",      "keygen",   "label",    "legend",   "li",
     "m",        "map",      "menu",       "meter",    "multicol", "nav",      "nextid",   "noscript",
     "ol",       "optgroup", "option",     "output",   "p",        "pre",      "progress", "q",
     "s",        "samp",     "section",    "select",   "small",    "sound",    "source",   "spacer",
     "span",     "strike",   "strong",     "sub",      "sup",      "table",    "tbody",    "td",
     "textarea", "tfoot",    "th",         "thead",    "time",     "tr",       "tt",       "u",
     "ul",       "var",      "video"});

bool is_html_element(std::string_view name) {
  const std::string lower = ascii_lower(name);
  return std::find(k_html_elements.begin(), k_html_elements.end(), lower) != k_html_elements.end();
}

}  // namespace

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<std::string> plain_text(std::string_view text) {
  return non_empty(fw::text::collapse_whitespace(text));
}

std::optional<std::string> html_text(std::string_view html) {
  return non_empty(fw::text::html_to_text(html));
}

std::optional<std::string> body_text(const xmlNode* node, std::string_view markup) {
  const auto* context =
      node->doc != nullptr ? static_cast<const DocumentContext*>(node->doc->_private) : nullptr;
  if (context != nullptr && !context->plain_text) return non_empty(std::string(markup));
  return html_text(markup);
}

std::optional<std::string> maybe_html_text(std::string_view text) {
  return looks_like_html(text) ? html_text(text) : plain_text(text);
}

bool looks_like_html(std::string_view s) {
  bool close_tag = false;
  bool reference = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<') {
      std::size_t j = i + 1;
      const bool closing = j < s.size() && s[j] == '/';
      if (closing) ++j;
      const std::size_t name_start = j;
      while (j < s.size() && is_word_char(s[j])) ++j;
      if (j == name_start) continue;  // "a < b": not a tag
      if (!is_html_element(s.substr(name_start, j - name_start))) return false;
      if (closing && j < s.size() && s[j] == '>') close_tag = true;
    } else if (s[i] == '&') {
      std::size_t j = i + 1;
      const bool numeric = j < s.size() && s[j] == '#';
      if (numeric) ++j;
      const std::size_t name_start = j;
      while (j < s.size() && is_word_char(s[j])) ++j;
      if (j == name_start || j >= s.size() || s[j] != ';') continue;
      reference = true;
      if (!numeric) {
        const std::string ref(s.substr(i, j + 1 - i));
        if (fw::text::decode_entities(ref) == ref) return false;  // not an HTML entity
      }
    }
  }
  return close_tag || reference;
}

std::optional<UnixTime> parse_date(std::string_view text, std::string_view what,
                                   std::vector<std::string>& warnings) {
  const std::string_view trimmed = trim(text);
  if (trimmed.empty()) return std::nullopt;
  std::optional<UnixTime> time = fw::date::parse(trimmed);
  if (!time)
    warnings.push_back("date: unparsable " + std::string(what) + " \"" + std::string(trimmed) + "\"");
  return time;
}

std::optional<UnixTime> first_date(const xmlNode* parent, std::initializer_list<std::string_view> names,
                                   std::vector<std::string>& warnings,
                                   std::string (*name_of)(const xmlNode*)) {
  for (const std::string_view name : names) {
    for (const xmlNode* child : child_elements(parent)) {
      if (name_of(child) != name) continue;
      if (std::optional<UnixTime> time = parse_date(text_content(child), name, warnings)) return time;
    }
  }
  return std::nullopt;
}

bool is_rss_content(std::string_view name) {
  return name == "content:encoded" || name == "xhtml:body" || name == "fullitem";
}

void read_rss_content(const xmlNode* node, Entry& entry) {
  if (entry.content) return;
  std::string markup = inner_markup(node);
  entry.content = body_text(node, markup);
  if (entry.content) entry.content_html = std::move(markup);
}

std::optional<std::string> normalize_language(std::string_view language) {
  std::string out = ascii_lower(trim(language));
  std::replace(out.begin(), out.end(), '_', '-');
  return non_empty(std::move(out));
}

std::optional<std::string> person_name(std::string_view text) {
  std::optional<std::string> collapsed = plain_text(text);
  if (!collapsed) return std::nullopt;
  const std::string& s = *collapsed;
  // "email (Name)" (RSS 2.0 <author>, RFC 822 comment form).
  const auto open = s.find('(');
  if (open != std::string::npos && s.back() == ')') {
    const std::string_view email = trim(std::string_view(s).substr(0, open));
    const std::string_view name = trim(std::string_view(s).substr(open + 1, s.size() - open - 2));
    if (email.find('@') != std::string_view::npos && email.find(' ') == std::string_view::npos) {
      return name.empty() ? std::string(email) : std::string(name);
    }
  }
  // "Name <email>" (RFC 5322 name-addr).
  const auto lt = s.find('<');
  if (lt != std::string::npos && s.back() == '>') {
    const std::string_view email = trim(std::string_view(s).substr(lt + 1, s.size() - lt - 2));
    const std::string_view name = trim(std::string_view(s).substr(0, lt));
    if (email.find('@') != std::string_view::npos) {
      return name.empty() ? std::string(email) : std::string(name);
    }
  }
  return collapsed;
}

void add_category(std::vector<std::string>& categories, std::string_view term) {
  std::optional<std::string> text = maybe_html_text(term);
  if (!text) return;
  if (std::find(categories.begin(), categories.end(), *text) != categories.end()) return;
  categories.push_back(std::move(*text));
}

std::optional<std::int64_t> parse_length(std::string_view text) {
  const std::string_view digits = trim(text);
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

void default_summary(Entry& entry, bool has_summary_element) {
  if (!has_summary_element) entry.summary = entry.content;
}

void assign_keys(Feed& feed) {
  std::set<std::string, std::less<>> seen;
  std::size_t duplicates = 0;
  for (Entry& entry : feed.entries) {
    const std::string body = entry.content_html.value_or(entry.content.value_or(entry.summary.value_or("")));
    std::string key;
    if (entry.id) {
      key = *entry.id;
    } else if (entry.link) {
      key = *entry.link;
    } else {
      key = "sha256:" + fw::text::sha256_hex(entry.title.value_or("") + "\n" + body);
    }
    if (!seen.insert(key).second) {
      // A repeated guid: the entry's own link, title and body tell it apart
      // (stable across polls); an exact repeat is numbered in document order.
      ++duplicates;
      const std::string distinct =
          key + "#" +
          fw::text::sha256_hex(entry.link.value_or("") + "\n" + entry.title.value_or("") + "\n" + body)
              .substr(0, 16);
      key = distinct;
      for (int n = 2; !seen.insert(key).second; ++n) key = distinct + "-" + std::to_string(n);
    }
    entry.key = std::move(key);
  }
  if (duplicates > 0) {
    feed.warnings.push_back("feed: " + std::to_string(duplicates) +
                            " entry id(s) repeat an earlier entry's; their keys were made unique");
  }
}

void set_paging_link(Feed& feed, std::string_view rel, std::optional<std::string> href) {
  if (!href) return;
  std::optional<std::string>* slot = nullptr;
  if (rel == "self") {
    slot = &feed.self_link;
  } else if (rel == "next") {
    slot = &feed.next_page;
  } else if (rel == "previous" || rel == "prev") {
    slot = &feed.previous_page;
  } else if (rel == "first") {
    slot = &feed.first_page;
  } else if (rel == "last") {
    slot = &feed.last_page;
  }
  if (slot != nullptr && !*slot) *slot = std::move(href);
}

}  // namespace fw::feed::detail

namespace fw::feed {

std::string wordpress_page_url(std::string_view feed_url, int page) {
  const std::string_view trimmed = detail::trim(feed_url);
  const auto hash = trimmed.find('#');
  const std::string_view fragment =
      hash == std::string_view::npos ? std::string_view() : trimmed.substr(hash);
  const std::string_view without_fragment = trimmed.substr(0, hash);
  const auto question = without_fragment.find('?');
  std::string url(without_fragment.substr(0, question));
  // Keep every query parameter except an existing "paged".
  std::string query;
  if (question != std::string_view::npos) {
    std::string_view rest = without_fragment.substr(question + 1);
    while (!rest.empty()) {
      const auto amp = rest.find('&');
      const std::string_view param = rest.substr(0, amp);
      if (!param.empty() && param != "paged" && !param.starts_with("paged=")) {
        if (!query.empty()) query += '&';
        query += param;
      }
      if (amp == std::string_view::npos) break;
      rest.remove_prefix(amp + 1);
    }
  }
  if (page > 1) {
    if (!query.empty()) query += '&';
    query += "paged=" + std::to_string(page);
  }
  if (!query.empty()) url += "?" + query;
  url += fragment;
  return url;
}

}  // namespace fw::feed
