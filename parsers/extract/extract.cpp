// extract(): the pipeline. Bytes -> UTF-8 (input.cpp) -> Gumbo and the flat
// index (document.cpp) -> metadata (metadata.cpp) -> boilerplate marking, the
// site rule's removals, the body (the rule's selector, else generic scoring,
// generic.cpp) -> cleaning -> text and HTML (render.cpp).
#include "parsers/extract/extract.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "parsers/extract/detail.hpp"
#include "parsers/extract/selector.hpp"

namespace fw::extract {
namespace {

// A generic body with fewer non-space bytes than this is tried again without
// class hints (Readability's "retry with fewer flags").
constexpr std::uint64_t k_retry_below = 250;

// Whether the input looks like a fragment (no document structure near the top).
bool looks_like_fragment(std::string_view utf8) {
  const std::string head = detail::lower(utf8.substr(0, 4096));
  for (const std::string_view marker : {"<html", "<!doctype", "<head", "<body", "<meta", "<title"}) {
    if (head.find(marker) != std::string::npos) return false;
  }
  return true;
}

// The host of a URL, lower-case, without port and userinfo.
std::string host_of(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  const std::size_t at = rest.rfind('@');
  if (at != std::string_view::npos) rest.remove_prefix(at + 1);
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    return detail::lower(rest.substr(0, close == std::string_view::npos ? rest.size() : close + 1));
  }
  return detail::lower(rest.substr(0, rest.find(':')));
}

// Index of every Gumbo element, for mapping selector matches into the index.
std::unordered_map<const GumboNode*, std::int32_t> index_map(const detail::Document& doc) {
  std::unordered_map<const GumboNode*, std::int32_t> map;
  const auto& nodes = doc.nodes();
  map.reserve(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (!nodes[i].is_text) map.emplace(nodes[i].gumbo, static_cast<std::int32_t>(i));
  }
  return map;
}

}  // namespace

const SiteRule* find_site_rule(const std::vector<SiteRule>& rules, std::string_view url) {
  const std::string host = host_of(url);
  if (host.empty()) return nullptr;
  const SiteRule* best = nullptr;
  for (const SiteRule& rule : rules) {
    const std::string rule_host = detail::lower(rule.host);
    if (rule_host.empty()) continue;
    const bool exact = host == rule_host;
    const bool sub = host.size() > rule_host.size() &&
                     host.compare(host.size() - rule_host.size(), std::string::npos, rule_host) == 0 &&
                     host[host.size() - rule_host.size() - 1] == '.';
    if ((exact || sub) && (best == nullptr || rule_host.size() > best->host.size())) best = &rule;
  }
  return best;
}

Result<Article> extract(std::string_view html, const Options& options) {
  Article article;
  // Selectors first: a broken rule is the caller's error, whatever the page.
  std::optional<SelectorList> body_selector;
  std::vector<SelectorList> remove_selectors;
  if (options.rule != nullptr) {
    if (!options.rule->body.empty()) {
      auto parsed = parse_selector(options.rule->body);
      if (!parsed) return fail("site rule " + options.rule->host + ": body: " + parsed.error().message);
      body_selector = std::move(*parsed);
    }
    for (const std::string& r : options.rule->remove) {
      auto parsed = parse_selector(r);
      if (!parsed) return fail("site rule " + options.rule->host + ": remove: " + parsed.error().message);
      remove_selectors.push_back(std::move(*parsed));
    }
  }

  if (html.size() > options.max_bytes) {
    article.warnings.push_back("input of " + std::to_string(html.size()) + " bytes cut at " +
                               std::to_string(options.max_bytes));
    html = html.substr(0, options.max_bytes);
  }
  const std::string utf8 = decode_html(html, options.content_type, article.warnings);
  const bool fragment = options.fragment || looks_like_fragment(utf8);
  detail::Document doc(utf8, fragment);
  auto& nodes = doc.nodes();

  if (!fragment) detail::extract_metadata(doc, options.url, article);

  std::unordered_map<const GumboNode*, std::int32_t> map;
  if (body_selector || !remove_selectors.empty()) map = index_map(doc);
  const GumboNode* body_root = nodes.empty() ? doc.root() : nodes[0].gumbo;
  std::vector<char> rule_removed(nodes.size(), 0);
  for (const SelectorList& list : remove_selectors) {
    for (const GumboNode* g : select_all(list, body_root)) {
      const auto it = map.find(g);
      if (it != map.end()) rule_removed[static_cast<std::size_t>(it->second)] = 1;
    }
  }
  // Boilerplate marking and the generic choice; `class_hints` off is the
  // retry for pages whose class names mislead the hints.
  auto prepare = [&](bool class_hints) {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      nodes[i].removed = rule_removed[i] != 0;
      nodes[i].scored = false;
      nodes[i].score = 0;
    }
    detail::mark_boilerplate(doc, class_hints);
  };
  auto text_of = [&](const std::vector<std::int32_t>& roots) {
    std::uint64_t text = 0;
    for (const std::int32_t r : roots) text += nodes[static_cast<std::size_t>(r)].text_len;
    return text;
  };
  prepare(true);

  std::vector<std::int32_t> roots;
  if (body_selector) {
    for (const GumboNode* g : select_all(*body_selector, body_root)) {
      const auto it = map.find(g);
      if (it == map.end()) continue;
      const std::int32_t index = it->second;
      if (!roots.empty() && index < nodes[static_cast<std::size_t>(roots.back())].end) continue;  // nested
      if (nodes[static_cast<std::size_t>(index)].removed) continue;
      roots.push_back(index);
    }
    if (text_of(roots) == 0) {
      article.warnings.push_back("site rule body \"" + options.rule->body +
                                 "\" matched no text; generic extraction used");
      roots.clear();
    } else {
      article.method = "site-rule";
    }
  }
  if (roots.empty() && !nodes.empty()) {
    if (fragment) {
      roots = {0};
      article.method = "fragment";
    } else {
      article.method = "generic";
      roots = detail::choose_body(doc);
      if (text_of(roots) < k_retry_below) {
        const auto first = text_of(roots);
        prepare(false);
        std::vector<std::int32_t> retry = detail::choose_body(doc);
        if (text_of(retry) > first) {
          roots = std::move(retry);
        } else {
          prepare(true);
          roots = detail::choose_body(doc);
        }
      }
    }
  }
  detail::clean_body(doc, roots, article.title, !fragment);
  article.text = detail::render_text(doc, roots);
  article.html =
      detail::render_html(doc, roots, options.url.empty() ? article.canonical_url.value_or("") : options.url);
  if (article.text.empty()) article.warnings.push_back("no article text found");
  return article;
}

}  // namespace fw::extract
