// Page metadata: title, byline, dates, canonical URL, language, lead image.
//
// Sources, best first, as publishers fill them:
//   - JSON-LD (schema.org NewsArticle, Article, BlogPosting, ..., also inside
//     "@graph" and arrays): headline, author.name, datePublished,
//     dateModified, image, inLanguage, mainEntityOfPage / url;
//   - Open Graph and article: meta tags (og:title, article:published_time,
//     article:modified_time, og:image, og:url, og:locale), Twitter cards,
//     Dublin Core and the plain name=author / name=date ones, itemprop;
//   - the document: <title>, <h1>, <html lang>, <link rel=canonical>,
//     rel=author links, the first <time datetime>.
// The title loses its " - Site Name" / " | Site Name" suffix: the site name is
// og:site_name when given, else a separator whose other side is short and the
// h1 agrees with the rest.
//
// This is the one file that includes nlohmann/json (a heavy header).
#include <gumbo.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "parsers/date/date.hpp"
#include "parsers/extract/detail.hpp"
#include "parsers/text/text.hpp"

namespace fw::extract::detail {
namespace {

using nlohmann::json;

struct Found {
  std::unordered_map<std::string, std::string> meta;  // lower-case key -> first content
  std::string title_tag;
  std::string h1;
  std::string lang;
  std::string canonical;
  std::string base_href;
  std::string time_datetime;
  std::string rel_author;
  std::vector<std::string> json_ld;
};

std::string string_of(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object()) {
    for (const char* key : {"name", "url", "@id"}) {
      const auto it = j.find(key);
      if (it != j.end() && it->is_string()) return it->get<std::string>();
    }
  }
  if (j.is_array() && !j.empty()) return string_of(j.front());
  return {};
}

std::string names_of(const json& j) {
  if (j.is_array()) {
    std::string out;
    for (const json& item : j) {
      const std::string name = string_of(item);
      if (name.empty()) continue;
      if (!out.empty()) out += ", ";
      out += name;
    }
    return out;
  }
  return string_of(j);
}

bool is_article_type(const json& type) {
  auto one = [](const json& t) {
    if (!t.is_string()) return false;
    const std::string s = t.get<std::string>();
    return s == "NewsArticle" || s == "Article" || s == "BlogPosting" || s == "ReportageNewsArticle" ||
           s == "AnalysisNewsArticle" || s == "OpinionNewsArticle" || s == "BackgroundNewsArticle" ||
           s == "ReviewNewsArticle" || s == "TechArticle" || s == "ScholarlyArticle" ||
           s == "LiveBlogPosting" || s == "Report" || s == "SocialMediaPosting" || s == "WebPage" ||
           s == "MedicalWebPage";
  };
  if (type.is_array()) {
    for (const json& t : type) {
      if (one(t)) return true;
    }
    return false;
  }
  return one(type);
}

// The first article-typed object in a JSON-LD value (depth-limited).
const json* find_article(const json& j, int depth) {
  if (depth > 6) return nullptr;
  if (j.is_array()) {
    for (const json& item : j) {
      if (const json* found = find_article(item, depth + 1)) return found;
    }
    return nullptr;
  }
  if (!j.is_object()) return nullptr;
  const auto type = j.find("@type");
  if (type != j.end() && is_article_type(*type)) {
    // Prefer a real article over a WebPage wrapper.
    const bool web_page = type->is_string() && (*type == "WebPage" || *type == "MedicalWebPage");
    if (!web_page) return &j;
  }
  const auto graph = j.find("@graph");
  if (graph != j.end()) {
    if (const json* found = find_article(*graph, depth + 1)) return found;
  }
  if (type != j.end() && is_article_type(*type)) return &j;
  return nullptr;
}

void walk(const GumboNode* root, Found& f) {
  std::vector<const GumboNode*> stack{root};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    if (node->type != GUMBO_NODE_ELEMENT) continue;
    const GumboElement& e = node->v.element;
    switch (e.tag) {
      case GUMBO_TAG_HTML:
        if (f.lang.empty()) f.lang = std::string(trim(attribute(node, "lang")));
        break;
      case GUMBO_TAG_META: {
        std::string key;
        for (const char* a : {"property", "name", "itemprop", "http-equiv"}) {
          const std::string_view v = attribute(node, a);
          if (!v.empty()) {
            key = lower(trim(v));
            break;
          }
        }
        std::string_view content = attribute(node, "content");
        if (content.empty()) content = attribute(node, "datetime");
        if (!key.empty() && !trim(content).empty()) f.meta.emplace(key, std::string(trim(content)));
        continue;
      }
      case GUMBO_TAG_LINK: {
        const std::string rel = lower(attribute(node, "rel"));
        if (rel == "canonical" && f.canonical.empty())
          f.canonical = std::string(trim(attribute(node, "href")));
        continue;
      }
      case GUMBO_TAG_BASE:
        if (f.base_href.empty()) f.base_href = std::string(trim(attribute(node, "href")));
        continue;
      case GUMBO_TAG_TITLE:
        if (f.title_tag.empty()) f.title_tag = node_text(node);
        continue;
      case GUMBO_TAG_SCRIPT: {
        if (lower(trim(attribute(node, "type"))) != "application/ld+json") continue;
        std::string text;
        for (unsigned i = 0; i < e.children.length; ++i) {
          const auto* kid = static_cast<const GumboNode*>(e.children.data[i]);
          if (kid->type == GUMBO_NODE_TEXT || kid->type == GUMBO_NODE_WHITESPACE ||
              kid->type == GUMBO_NODE_CDATA) {
            text += kid->v.text.text;
          }
        }
        if (f.json_ld.size() < 16) f.json_ld.push_back(std::move(text));
        continue;
      }
      case GUMBO_TAG_STYLE:
      case GUMBO_TAG_NOSCRIPT:
      case GUMBO_TAG_TEMPLATE:
        continue;
      case GUMBO_TAG_H1:
        if (f.h1.empty()) f.h1 = node_text(node);
        continue;
      case GUMBO_TAG_TIME:
        if (f.time_datetime.empty()) f.time_datetime = std::string(trim(attribute(node, "datetime")));
        break;
      case GUMBO_TAG_A:
        if (f.rel_author.empty() && lower(attribute(node, "rel")) == "author") f.rel_author = node_text(node);
        break;
      default:
        break;
    }
    const GumboVector& kids = e.children;
    for (unsigned i = kids.length; i > 0; --i)
      stack.push_back(static_cast<const GumboNode*>(kids.data[i - 1]));
  }
}

std::string meta(const Found& f, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    const auto it = f.meta.find(k);
    if (it != f.meta.end() && !it->second.empty()) return it->second;
  }
  return {};
}

std::optional<std::string> clean(const std::string& s) {
  std::string t = collapse(text::decode_entities(text::sanitize_utf8(s)));
  if (t.empty()) return std::nullopt;
  return t;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::size_t word_count(std::string_view s) {
  std::size_t words = 0;
  bool in = false;
  for (const char c : s) {
    if (c == ' ') {
      in = false;
    } else if (!in) {
      in = true;
      ++words;
    }
  }
  return words;
}

// "Headline - Site Name" -> "Headline".
std::string strip_site_name(std::string title, const std::string& site_name, const std::string& h1) {
  static constexpr std::string_view k_separators[] = {" | ", " - ", " – ", " — ", " :: ", " · ", " » "};
  if (!h1.empty() && title.rfind(h1, 0) == 0) {
    // "<h1> | Site": the page's own headline followed by a separator.
    if (title.size() == h1.size()) return h1;
    for (const std::string_view sep : k_separators) {
      if (title.compare(h1.size(), sep.size(), sep) == 0) return h1;
    }
  }
  if (!site_name.empty()) {
    for (const std::string_view sep : k_separators) {
      const std::string suffix = std::string(sep) + site_name;
      if (ends_with(title, suffix) && title.size() > suffix.size())
        return title.substr(0, title.size() - suffix.size());
      const std::string prefix = site_name + std::string(sep);
      if (title.rfind(prefix, 0) == 0 && title.size() > prefix.size()) return title.substr(prefix.size());
    }
  }
  // No site name given: cut at the last separator when what follows is short
  // and what precedes is a headline of at least three words.
  std::size_t best = std::string::npos;
  std::size_t best_len = 0;
  for (const std::string_view sep : k_separators) {
    const std::size_t pos = title.rfind(sep);
    if (pos != std::string::npos && (best == std::string::npos || pos > best)) {
      best = pos;
      best_len = sep.size();
    }
  }
  if (best != std::string::npos) {
    const std::string head = title.substr(0, best);
    const std::string tail = title.substr(best + best_len);
    if (word_count(tail) <= 5 && word_count(head) >= 3) return head;
  }
  return title;
}

}  // namespace

void extract_metadata(const Document& doc, const std::string& url, Article& article) {
  Found f;
  walk(doc.root(), f);

  const json* ld = nullptr;
  std::vector<json> parsed;
  parsed.reserve(f.json_ld.size());
  for (const std::string& text : f.json_ld) {
    parsed.push_back(json::parse(text, nullptr, false));
    if (parsed.back().is_discarded()) {
      article.warnings.push_back("JSON-LD block is not valid JSON, ignored");
      continue;
    }
  }
  for (const json& j : parsed) {
    if (j.is_discarded()) continue;
    ld = find_article(j, 0);
    if (ld != nullptr) break;
  }
  auto ld_string = [&](const char* key) -> std::string {
    if (ld == nullptr) return {};
    const auto it = ld->find(key);
    return it == ld->end() ? std::string() : string_of(*it);
  };
  auto ld_names = [&](const char* key) -> std::string {
    if (ld == nullptr) return {};
    const auto it = ld->find(key);
    return it == ld->end() ? std::string() : names_of(*it);
  };

  const std::string base_href = f.base_href.empty() ? std::string() : resolve_url(url, f.base_href);
  const std::string base = base_href.empty() ? url : base_href;

  // Title.
  std::string title = meta(f, {"og:title", "twitter:title"});
  if (title.empty()) title = ld_string("headline");
  if (title.empty()) title = f.title_tag;
  if (title.empty()) title = f.h1;
  if (auto t = clean(title)) {
    const std::string site = collapse(meta(f, {"og:site_name", "application-name"}));
    article.title = strip_site_name(*t, site, collapse(f.h1));
  }

  // Byline.
  std::string byline = ld_names("author");
  if (byline.empty())
    byline = meta(f, {"author", "article:author", "dc.creator", "dcterms.creator", "byl", "parsely-author",
                      "sailthru.author"});
  if (byline.empty()) byline = f.rel_author;
  if (byline.rfind("http", 0) == 0) byline.clear();  // article:author is often a profile URL
  if (auto b = clean(byline)) {
    if (b->size() > 3 && (b->rfind("By ", 0) == 0 || b->rfind("by ", 0) == 0)) *b = b->substr(3);
    if (b->size() <= 200) article.byline = *b;
  }

  // Dates.
  auto first_date = [&](std::initializer_list<std::string> sources) -> std::optional<std::int64_t> {
    for (const std::string& s : sources) {
      if (s.empty()) continue;
      if (auto t = fw::date::parse(s)) return *t;
    }
    return std::nullopt;
  };
  article.published = first_date(
      {ld_string("datePublished"),
       meta(f, {"article:published_time", "og:published_time", "datepublished", "publish-date", "pubdate",
                "date", "dc.date", "dc.date.issued", "dcterms.created", "sailthru.date", "parsely-pub-date"}),
       f.time_datetime, ld_string("dateCreated")});
  article.modified =
      first_date({ld_string("dateModified"), meta(f, {"article:modified_time", "og:updated_time",
                                                      "datemodified", "last-modified", "dcterms.modified"})});

  // Canonical URL.
  std::string canonical = f.canonical;
  if (canonical.empty()) canonical = meta(f, {"og:url"});
  if (!canonical.empty()) {
    const std::string abs = resolve_url(base, canonical);
    if (!abs.empty()) article.canonical_url = abs;
  }

  // Language.
  std::string lang = f.lang;
  if (lang.empty()) lang = meta(f, {"content-language", "og:locale", "dc.language", "language"});
  if (lang.empty()) lang = ld_string("inLanguage");
  for (char& c : lang) {
    if (c == '_') c = '-';
  }
  if (auto l = clean(lang); l && l->size() <= 35) article.language = *l;

  // Lead image.
  std::string image =
      meta(f, {"og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"});
  if (image.empty()) image = ld_string("image");
  if (!image.empty()) {
    const std::string abs = resolve_url(base, image);
    if (!abs.empty()) article.lead_image = abs;
  }
}

}  // namespace fw::extract::detail
