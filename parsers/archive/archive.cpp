#include "parsers/archive/archive.hpp"

#include <unordered_set>

#include "parsers/extract/detail.hpp"
#include "parsers/extract/extract.hpp"

namespace fw::archive {

namespace {

namespace detail = extract::detail;

constexpr int k_max_ancestors = 64;  // how far up a link looks for its heading or article
constexpr std::size_t k_max_bytes = 8 * 1024 * 1024;

std::string_view host_of(std::string_view url) {
  std::size_t start = url.find("://");
  if (start == std::string_view::npos) return {};
  start += 3;
  std::size_t end = url.find_first_of("/?#", start);
  std::string_view authority =
      url.substr(start, end == std::string_view::npos ? url.size() - start : end - start);
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  return authority;
}

std::string_view path_of(std::string_view url) {
  std::size_t start = url.find("://");
  if (start == std::string_view::npos) return {};
  std::size_t slash = url.find_first_of("/?#", start + 3);
  if (slash == std::string_view::npos) return "/";
  return url.substr(slash);
}

bool is_listing(std::string_view url) {
  std::string path = detail::lower(path_of(url));
  for (const char* part : {"/tag/", "/category/", "/author/", "/page/", "/feed", "/wp-",
                           "?paged=", "&paged=", "/comments", "#"}) {
    if (path.find(part) != std::string::npos) return true;
  }
  return path == "/" || path.empty();
}

std::string without_fragment(std::string url) {
  if (std::size_t hash = url.find('#'); hash != std::string::npos) url.resize(hash);
  return url;
}

bool rel_has(const GumboNode* node, std::string_view token) {
  std::string rel = detail::lower(detail::attribute(node, "rel"));
  std::size_t pos = 0;
  while (pos < rel.size()) {
    std::size_t end = rel.find_first_of(" \t\n\r\f", pos);
    if (end == std::string::npos) end = rel.size();
    if (std::string_view(rel).substr(pos, end - pos) == token) return true;
    pos = end + 1;
  }
  return false;
}

}  // namespace

std::string paged_feed_url(std::string_view feed_url, int page) {
  std::string url(feed_url);
  std::string fragment;
  if (std::size_t hash = url.find('#'); hash != std::string::npos) {
    fragment = url.substr(hash);
    url.resize(hash);
  }
  url += url.find('?') == std::string::npos ? "?" : "&";
  return url + "paged=" + std::to_string(page) + fragment;
}

std::optional<std::string> archive_page_url(std::string_view feed_url, int page) {
  std::string_view url = feed_url.substr(0, feed_url.find_first_of("?#"));
  for (std::string_view suffix : {std::string_view("/feed/"), std::string_view("/feed")}) {
    if (url.size() > suffix.size() && url.substr(url.size() - suffix.size()) == suffix) {
      std::string base(url.substr(0, url.size() - suffix.size() + 1));  // keeps the '/'
      if (path_of(base) == "/") return std::nullopt;  // the site's main feed: no tag archive
      return base + "page/" + std::to_string(page) + "/";
    }
  }
  return std::nullopt;
}

std::vector<std::string> article_links(std::string_view html, std::string_view page_url,
                                       std::string_view content_type) {
  std::vector<std::string> warnings;
  std::string utf8 = extract::decode_html(html.substr(0, k_max_bytes), content_type, warnings);
  detail::Document doc(utf8, /*fragment=*/false);
  const auto& nodes = doc.nodes();
  std::string_view page_host = host_of(page_url);
  std::string self = without_fragment(std::string(page_url));

  // Candidates by strength: 0 rel=bookmark, 1 heading inside <article>, 2 <h2>/<h3>.
  std::vector<std::string> found[3];
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const detail::Node& n = nodes[i];
    if (n.is_text || n.tag != GUMBO_TAG_A || !detail::has_attribute(n.gumbo, "href")) continue;
    int strength = -1;
    if (rel_has(n.gumbo, "bookmark")) {
      strength = 0;
    } else {
      bool in_heading = false;
      bool in_h23 = false;
      bool in_article = false;
      std::int32_t p = n.parent;
      for (int depth = 0; p >= 0 && depth < k_max_ancestors; ++depth, p = nodes[p].parent) {
        GumboTag tag = nodes[p].tag;
        if (detail::is_heading(tag)) in_heading = true;
        if (tag == GUMBO_TAG_H2 || tag == GUMBO_TAG_H3) in_h23 = true;
        if (tag == GUMBO_TAG_ARTICLE) in_article = true;
      }
      if (in_heading && in_article) {
        strength = 1;
      } else if (in_h23) {
        strength = 2;
      }
    }
    if (strength < 0) continue;
    std::string url =
        without_fragment(extract::resolve_url(page_url, detail::trim(detail::attribute(n.gumbo, "href"))));
    if (url.rfind("http", 0) != 0) continue;
    if (detail::lower(host_of(url)) != detail::lower(page_host)) continue;
    if (url == self || is_listing(url)) continue;
    found[strength].push_back(std::move(url));
  }
  for (auto& links : found) {
    if (links.empty()) continue;
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    for (auto& l : links) {
      if (seen.insert(l).second) out.push_back(std::move(l));
    }
    return out;
  }
  return {};
}

std::optional<std::string> shortlink(std::string_view html, std::string_view page_url,
                                     std::string_view content_type) {
  std::vector<std::string> warnings;
  std::string utf8 = extract::decode_html(html.substr(0, k_max_bytes), content_type, warnings);
  detail::Document doc(utf8, /*fragment=*/false);
  // The document's index covers the body; <link> lives in the head: look there,
  // one level deep (no recursion).
  auto elements = [](const GumboNode* node) {
    std::vector<const GumboNode*> out;
    if (node == nullptr || node->type != GUMBO_NODE_ELEMENT) return out;
    const GumboVector& kids = node->v.element.children;
    for (unsigned i = 0; i < kids.length; ++i) {
      const auto* kid = static_cast<const GumboNode*>(kids.data[i]);
      if (kid->type == GUMBO_NODE_ELEMENT) out.push_back(kid);
    }
    return out;
  };
  for (const GumboNode* head : elements(doc.root())) {
    if (head->v.element.tag != GUMBO_TAG_HEAD) continue;
    for (const GumboNode* link : elements(head)) {
      if (link->v.element.tag != GUMBO_TAG_LINK || !rel_has(link, "shortlink")) continue;
      std::string url = extract::resolve_url(page_url, detail::trim(detail::attribute(link, "href")));
      if (url.rfind("http", 0) == 0) return url;
    }
  }
  return std::nullopt;
}

}  // namespace fw::archive
