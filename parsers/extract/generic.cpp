// Generic article extraction: which part of a page is the article.
//
// A news page is an article wrapped in a site: navigation, a header with the
// logo, sidebars of "most read" links, share bars, newsletter boxes, a
// comments section, a footer of legal links. The article is the one region
// that holds many paragraphs of prose, written as sentences (with commas), and
// few links. This file finds it in four steps, in the tradition of arc90's
// Readability but with our own choices at each step.
//
// 1. Boilerplate marking (mark_boilerplate). Before any scoring, elements
//    that are certainly not content are marked removed, with their subtrees:
//    hidden ones (hidden, aria-hidden, display:none), landmark roles and tags
//    that hold site furniture (nav, aside, footer, role=navigation/banner/...),
//    and elements whose class or id says what they are ("comments",
//    "share", "newsletter", "cookie", "related", "read-also", "sidebar", ...).
//    Class and id are split into words ("post-footer" -> post, footer) and
//    matched by word prefix, so "comments-area" and "sharedaddy" match but
//    "shadow" does not match "ad". Two guards keep a careless class from
//    deleting the article: words that name content ("content", "article",
//    "main", "body", "story") protect an element from the weaker hints
//    (sidebar, footer, menu, ...), and no element holding half the page's text
//    is removed by a class hint at all. Short blocks are also tested by their
//    text: WordPress's "The post X appeared first on Y." footer, "Read also:"
//    and "Related:" boxes, cookie notices, newsletter prompts and "Share this"
//    labels go, whatever their markup.
//
// 2. Scoring (choose_body). Text belongs to its nearest block ancestor (a <p>,
//    or a <div> that holds text directly). Every block with at least 25 bytes
//    of text is a paragraph and is worth
//        points = (1 + commas + min(bytes / 100, 3)) * (1 - link share)
//    where the link share is the part of its text inside <a>. A paragraph's
//    points go to the block that contains it (the paragraph itself when it is
//    a <div> or <td> holding its text directly), half to that block's parent,
//    and a sixth, ninth, twelfth to the next ancestors, five levels up. A
//    candidate's score is its points plus a base for its tag (div +5, td and
//    blockquote +3, lists -3, headings -5) plus its class/id words: -25 for
//    "comment", "meta", "widget", ...; +25 for "article", "content", "entry",
//    ... but never more than the points themselves, so that a content-named
//    wrapper of one short line cannot beat the article. Finally the score is
//    multiplied by 1 minus the link share of the whole subtree, which sinks
//    menus and link farms.
//
// 3. Choosing. The best candidate is the start. Articles are often split into
//    several containers (a lede box, the body, a "more" box). A candidate
//    that scores within 75% of the best one and shares with it an ancestor
//    holding little else (under 1.3 times their text, under a quarter links)
//    makes that ancestor the choice; failing that, an ancestor that holds
//    three such candidates is chosen, as Readability does. Then we climb while
//    the parent scores higher than the child (it holds more of the article),
//    and past parents that hold nothing else.
//
// 4. Sibling merging and cleaning. Siblings of the chosen node join it when
//    they score at least a fifth of it (or ten points), when they share its
//    class, or when they are prose paragraphs: over 80 bytes with under a
//    quarter of links, or short, link-free and ending a sentence. Inside the
//    result, clean_body removes containers that look like furniture given their
//    counts (Readability's "conditional cleaning", with our thresholds): link
//    lists (a link share over a third, or over half for elements with a
//    content class), blocks with more list items than paragraphs and many
//    links, containers with a negative class hint and little text, headers
//    without paragraphs, headings that repeat the title, and images that are
//    links to somewhere else (promo banners such as the seed's "launchpad
//    CBBC"). Step 1's text tests also take out the run of link-only
//    paragraphs after a "You may also like..." lead-in, and lines in capitals
//    that are all link ("CLICK HERE TO GET THE APP").
//
// A worked example. Take
//
//    <body>
//      <nav><a>Home</a> <a>World</a> <a>Tech</a></nav>
//      <div class="entry-content">
//        <p>DeepSeek, founded in 2023, builds open-source models, ...(240 bytes, 3 commas)</p>
//        <p>Its R1 model, trained cheaply, rivals ChatGPT, ...(180 bytes, 2 commas)</p>
//        <div class="read-also">Read Also <a>The best China fiction of 2022</a></div>
//        <p>The post What is DeepSeek? appeared first on Focus.</p>
//      </div>
//      <div class="sidebar"><p><a>Most read: ...</a></p></div>
//    </body>
//
// Step 1 removes the <nav> (tag), the sidebar (class word "sidebar"), the
// read-also box (class, and its text starts "Read Also") and the WordPress
// footer paragraph (its text). Step 2: the first <p> is worth 1 + 3 + 2.4 = 6.4
// points, the second 1 + 2 + 1.8 = 4.8; both go to div.entry-content, which
// earns 11.2 points and scores 5 (div) + 11.2 + 11.2 (the "content" bonus,
// capped at the points) = 27.4, and half of each (5.6) goes to <body>, which
// scores 5.6. No link text remains, so the multipliers are 1. Step 3 picks
// div.entry-content (27.4); <body> scores less, so we do not climb. The text
// is the two paragraphs and nothing else.
#include <gumbo.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/extract/detail.hpp"

namespace fw::extract::detail {
namespace {

// ---- class and id words ------------------------------------------------------------

// Hints strong enough to remove an element even if another word says
// "content" ("comment-content", "share-article").
constexpr std::array<std::string_view, 26> k_strong_negative = {
    "comment",        "disqus",    "share",    "sharing", "social",     "newsletter", "subscribe",
    "cookie",         "consent",   "gdpr",     "related", "recommend",  "readalso",   "promo",
    "sponsor",        "advert",    "outbrain", "taboola", "breadcrumb", "sronly",     "screenreader",
    "visuallyhidden", "offscreen", "signup",   "caption", "credit"};
// Hints that remove an element unless a content word protects it.
constexpr std::array<std::string_view, 16> k_weak_negative = {
    "sidebar", "footer", "menu", "navbar",  "navigation", "masthead", "popup", "pagination",
    "pager",   "banner", "skip", "toolbar", "topbar",     "overlay",  "rss",   "modal"};
// Exact words (too short or too common to match as prefixes).
constexpr std::array<std::string_view, 7> k_exact_negative = {"nav",  "ad",     "ads", "adv",
                                                              "foot", "hidden", "hide"};
// Words that lower a candidate's score without removing it.
constexpr std::array<std::string_view, 15> k_score_negative = {
    "meta", "byline",   "author",   "tags",   "tag",   "tool", "caption", "credit",
    "date", "dateline", "masthead", "header", "aside", "most", "widget"};
constexpr std::array<std::string_view, 13> k_positive = {"article", "body",   "content", "entry", "hentry",
                                                         "main",    "post",   "story",   "text",  "blog",
                                                         "prose",   "column", "richtext"};
// Content words that protect an element from the weak hints.
constexpr std::array<std::string_view, 7> k_protect = {"article", "body",  "content", "main",
                                                       "story",   "entry", "prose"};

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

template <std::size_t N>
bool any_prefix(std::string_view word, const std::array<std::string_view, N>& list) {
  for (const std::string_view p : list) {
    if (starts_with(word, p)) return true;
  }
  return false;
}

template <std::size_t N>
bool any_exact(std::string_view word, const std::array<std::string_view, N>& list) {
  for (const std::string_view p : list) {
    if (word == p) return true;
  }
  return false;
}

struct ClassHints {
  bool hidden = false;  // Bootstrap's "collapse" without "show"/"in": display:none
  bool embed = false;   // an embedded post (tweet, Instagram): quoted content, whatever else the class says
  bool strong_negative = false;
  bool weak_negative = false;
  bool score_negative = false;
  bool positive = false;
  bool protect = false;
};

// Splits "entry-content post_footer readAlso" into lower-case words
// (entry, content, post, footer, read, also) and tests each; adjacent pairs
// are tested joined too ("read"+"also" -> "readalso", "sr"+"only").
ClassHints class_hints(const GumboNode* node) {
  ClassHints h;
  const std::string_view cls = attribute(node, "class");
  const std::string_view id = attribute(node, "id");
  if (cls.empty() && id.empty()) return h;
  std::string all = lower(cls);
  all += ' ';
  all += lower(id);
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < all.size()) {
    while (i < all.size() && !((all[i] >= 'a' && all[i] <= 'z') || (all[i] >= '0' && all[i] <= '9'))) ++i;
    const std::size_t start = i;
    while (i < all.size() && ((all[i] >= 'a' && all[i] <= 'z') || (all[i] >= '0' && all[i] <= '9'))) ++i;
    if (i > start) words.push_back(std::string_view(all).substr(start, i - start));
  }
  std::string joined;
  auto test = [&h](std::string_view w) {
    if (starts_with(w, "embed") || w == "tweet" || starts_with(w, "instagram")) h.embed = true;
    if (contains(w, "caption")) h.strong_negative = true;  // "newsCaption", "wp-caption-text"
    if (any_prefix(w, k_strong_negative)) h.strong_negative = true;
    if (any_prefix(w, k_weak_negative) || any_exact(w, k_exact_negative)) h.weak_negative = true;
    if (any_exact(w, k_score_negative)) h.score_negative = true;
    if (any_prefix(w, k_positive)) h.positive = true;
    if (any_prefix(w, k_protect)) h.protect = true;
  };
  // Whole class names (space-separated) for the Bootstrap test.
  bool collapsed = false;
  bool shown = false;
  for (std::size_t k = 0; k < cls.size();) {
    while (k < cls.size() && is_space_byte(cls[k])) ++k;
    const std::size_t start = k;
    while (k < cls.size() && !is_space_byte(cls[k])) ++k;
    const std::string_view name = cls.substr(start, k - start);
    if (name == "collapse") collapsed = true;
    if (name == "show" || name == "in") shown = true;
  }
  for (std::size_t k = 0; k < words.size(); ++k) {
    test(words[k]);
    if (k + 1 < words.size()) {
      joined.assign(words[k]);
      joined += words[k + 1];
      if (any_prefix(joined, k_strong_negative)) h.strong_negative = true;
    }
  }
  h.hidden = collapsed && !shown;
  return h;
}

// ---- text tests ---------------------------------------------------------------------

// The collapsed text of a small subtree of the index, lower-cased (ASCII), at
// most `cap` bytes.
std::string small_text(const Document& doc, std::int32_t index, std::size_t cap) {
  const std::vector<Node>& nodes = doc.nodes();
  std::string raw;
  const Node& root = nodes[static_cast<std::size_t>(index)];
  for (std::int32_t i = index; i < root.end && raw.size() < cap * 2 && i - index < 4000; ++i) {
    const Node& n = nodes[static_cast<std::size_t>(i)];
    if (n.removed && i != index) {
      i = n.end - 1;
      continue;
    }
    if (n.is_text) {
      raw += n.gumbo->v.text.text;
    } else if (is_block_tag(n.tag)) {
      raw += ' ';
    }
  }
  std::string out = collapse(raw);
  if (out.size() > cap) out.resize(cap);
  return out;
}

// A line in capitals that is all link: a promo for another story or the
// site's app ("CLICK HERE TO GET THE APP", "STAR ELIMINATED FROM SHOW").
bool shouted_link(std::string_view text, std::uint32_t len, std::uint32_t link_len) {
  if (len < 15 || link_len < len) return false;
  int upper = 0;
  for (const char c : text) {
    if (c >= 'a' && c <= 'z') return false;
    if (c >= 'A' && c <= 'Z') ++upper;
  }
  return upper >= 10;
}

constexpr std::array<std::string_view, 26> k_related_prefixes = {
    "don't miss",       "don’t miss",        "see more:",           "most read",           "most popular",
    "trending now",     "read also",         "also read",           "read more:",          "related:",
    "related articles", "related posts",     "related stories",     "related content",     "related reading",
    "see also:",        "you may also like", "you might also like", "recommended for you", "read next",
    "more from",        "more stories",      "related coverage",    "related news",        "also on",
    "further reading:"};

constexpr std::array<std::string_view, 8> k_comment_prefixes = {
    "leave a reply", "leave a comment",       "comments are closed", "post a comment",
    "add a comment", "join the conversation", "show comments",       "view comments"};

constexpr std::array<std::string_view, 9> k_share_prefixes = {
    "share this", "share on", "share:", "share article", "share the article",
    "share via",  "share",    "tweet",  "follow us"};

// Whether a short block's text (lower-cased) marks it as boilerplate.
bool boilerplate_text(std::string_view t, std::uint32_t len, std::uint32_t link_len) {
  if (t.empty()) return false;
  // WordPress feed footer: "The post <title> appeared first on <site>."
  if (starts_with(t, "the post ") && contains(t, " appeared first on ")) return true;
  if (len < 300) {
    for (const std::string_view p : k_related_prefixes) {
      if (starts_with(t, p) && (link_len > 0 || len < 40)) return true;
    }
  }
  if (len < 100) {
    for (const std::string_view p : k_comment_prefixes) {
      if (starts_with(t, p)) return true;
    }
  }
  if (len < 60) {
    for (const std::string_view p : k_share_prefixes) {
      if (p == "share" ? (t == "share" || t == "share this" || t == "share article") : starts_with(t, p))
        return true;
    }
  }
  if (len < 800 && contains(t, "cookie") &&
      (contains(t, "we use") || contains(t, "uses cookies") || contains(t, "use of cookies") ||
       contains(t, "accept"))) {
    return true;
  }
  if (len < 400 && contains(t, "newsletter") && (contains(t, "sign up") || contains(t, "subscribe")))
    return true;
  return false;
}

bool hidden_by_style(const GumboNode* node) {
  const std::string_view style = attribute(node, "style");
  if (style.empty()) return false;
  std::string s;
  for (const char c : style) {
    if (!is_space_byte(c)) s += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return contains(s, "display:none") || contains(s, "visibility:hidden");
}

bool furniture_role(std::string_view role) {
  return role == "navigation" || role == "complementary" || role == "contentinfo" || role == "banner" ||
         role == "dialog" || role == "alertdialog" || role == "menu" || role == "menubar" ||
         role == "search" || role == "alert" || role == "toolbar";
}

bool is_protected_tag(GumboTag tag) {
  return tag == GUMBO_TAG_HTML || tag == GUMBO_TAG_BODY || tag == GUMBO_TAG_MAIN || tag == GUMBO_TAG_ARTICLE;
}

// Non-space bytes and commas (ASCII, fullwidth and ideographic) of a text.
void measure(std::string_view text, std::uint32_t& len, std::uint32_t& commas) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (is_space_byte(c)) continue;
    ++len;
    if (c == ',') {
      ++commas;
    } else if (c == '\xEF' && i + 2 < text.size() && text[i + 1] == '\xBC' && text[i + 2] == '\x8C') {
      ++commas;
    } else if (c == '\xE3' && i + 2 < text.size() && text[i + 1] == '\x80' && text[i + 2] == '\x81') {
      ++commas;
    }
  }
}

bool is_paragraph_tag(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
      return true;
    default:
      return false;
  }
}

// Fills the aggregates of every node from its non-removed descendants.
void aggregate(Document& doc) {
  std::vector<Node>& nodes = doc.nodes();
  const std::size_t n = nodes.size();
  std::vector<std::int32_t> owner(n, -1);  // nearest block ancestor-or-self
  std::vector<char> in_link(n, 0);
  std::vector<char> removed(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    Node& node = nodes[i];
    node.text_len = node.link_len = node.commas = node.paragraphs = node.images = 0;
    node.list_items = 0;
    node.own_text_len = node.own_link_len = node.own_commas = 0;
    const std::int32_t p = node.parent;
    const auto pu = static_cast<std::size_t>(p);
    removed[i] = static_cast<char>(node.removed || (p >= 0 && removed[pu] != 0));
    if (p >= 0) in_link[i] = static_cast<char>(in_link[pu] != 0 || nodes[pu].tag == GUMBO_TAG_A);
    if (node.is_text) {
      owner[i] = p >= 0 ? owner[pu] : -1;
    } else {
      owner[i] = (is_block_tag(node.tag) || p < 0) ? static_cast<std::int32_t>(i) : owner[pu];
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    Node& node = nodes[i];
    if (!node.is_text || removed[i] != 0) continue;
    std::uint32_t len = 0;
    std::uint32_t commas = 0;
    measure(node.gumbo->v.text.text, len, commas);
    node.text_len = len;
    node.commas = commas;
    if (in_link[i] != 0) node.link_len = len;
    if (owner[i] >= 0) {
      Node& o = nodes[static_cast<std::size_t>(owner[i])];
      o.own_text_len += len;
      o.own_commas += commas;
      if (in_link[i] != 0) o.own_link_len += len;
    }
  }
  for (std::size_t i = n; i-- > 0;) {
    Node& node = nodes[i];
    if (removed[i] != 0) continue;
    if (!node.is_text) {
      if (node.tag == GUMBO_TAG_P) ++node.paragraphs;
      if (node.tag == GUMBO_TAG_IMG) ++node.images;
      if (node.tag == GUMBO_TAG_LI) ++node.list_items;
    }
    if (node.parent < 0) continue;
    Node& p = nodes[static_cast<std::size_t>(node.parent)];
    p.text_len += node.text_len;
    p.link_len += node.link_len;
    p.commas += node.commas;
    p.paragraphs += node.paragraphs;
    p.images += node.images;
    p.list_items += node.list_items;
  }
}

float link_share(std::uint32_t link, std::uint32_t text) {
  return text == 0 ? 0.0F : static_cast<float>(link) / static_cast<float>(text);
}

float tag_base(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_MAIN:
      return 5;
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_BLOCKQUOTE:
      return 3;
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_FORM:
      return -3;
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_TH:
      return -5;
    default:
      return 0;
  }
}

bool inside(const std::vector<Node>& nodes, std::int32_t ancestor, std::int32_t node) {
  return node >= ancestor && node < nodes[static_cast<std::size_t>(ancestor)].end;
}

bool is_image_url(std::string_view href) {
  std::string h = lower(href);
  const std::size_t q = h.find_first_of("?#");
  if (q != std::string::npos) h.resize(q);
  for (const std::string_view ext : {".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"}) {
    if (h.size() >= ext.size() && h.compare(h.size() - ext.size(), ext.size(), ext) == 0) return true;
  }
  return false;
}

// After a lead-in such as "You may also like..." (itself without links),
// the following siblings that are nothing but a link are its list.
void remove_linked_run(Document& doc, std::int32_t lead_in) {
  std::vector<Node>& nodes = doc.nodes();
  const Node& lead = nodes[static_cast<std::size_t>(lead_in)];
  if (lead.parent < 0) return;
  const std::int32_t parent_end = nodes[static_cast<std::size_t>(lead.parent)].end;
  for (std::int32_t s = lead.end; s < parent_end; s = nodes[static_cast<std::size_t>(s)].end) {
    Node& sib = nodes[static_cast<std::size_t>(s)];
    if (sib.text_len == 0) continue;  // whitespace, images, empty ad slots
    if (sib.is_text || sib.link_len < sib.text_len) break;
    sib.removed = true;
  }
}

}  // namespace

void mark_boilerplate(Document& doc, bool use_class_hints) {
  std::vector<Node>& nodes = doc.nodes();
  aggregate(doc);  // raw sizes, for the half-the-page guard
  const std::uint32_t page_text = nodes.empty() ? 0 : nodes[0].text_len;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    Node& node = nodes[i];
    if (node.is_text) continue;
    if (node.removed) {
      i = static_cast<std::size_t>(node.end) - 1;
      continue;
    }
    const GumboNode* g = node.gumbo;
    const ClassHints h = class_hints(g);
    node.class_weight = static_cast<std::int16_t>(
        (h.positive ? 25 : 0) -
        ((h.strong_negative || h.weak_negative || h.score_negative) && !h.embed ? 25 : 0));
    bool remove = false;
    if (has_attribute(g, "hidden") || attribute(g, "aria-hidden") == "true" || hidden_by_style(g) ||
        h.hidden) {
      remove = true;
    }
    if (node.tag == GUMBO_TAG_NAV || node.tag == GUMBO_TAG_ASIDE || node.tag == GUMBO_TAG_FIGCAPTION)
      remove = true;
    if (node.tag == GUMBO_TAG_FOOTER && !h.protect) remove = true;
    if (furniture_role(lower(attribute(g, "role")))) remove = true;
    // Guards: a class hint never removes the page's main mass of text, nor a
    // content-named element with many paragraphs ("box article modal-enabled").
    const bool half = page_text > 0 && node.text_len * 2 > page_text;
    const bool quarter = page_text > 0 && node.text_len * 4 > page_text;
    const bool prose = h.protect && node.paragraphs >= 5;
    if (use_class_hints && !half && !prose && !h.embed && !is_protected_tag(node.tag) &&
        attribute(g, "itemprop") != "articleBody") {
      if (h.strong_negative) remove = true;
      if (h.weak_negative && !h.protect && !quarter) remove = true;
    }
    // (Small subtrees only: the walk must stay linear on deeply nested pages.)
    if (!remove && node.text_len > 0 && node.text_len < 800 &&
        node.end - static_cast<std::int32_t>(i) <= 400 && i > 0 && !is_protected_tag(node.tag)) {
      // Text tests on short blocks; only where a block starts, so that a
      // paragraph is judged once, not again through each inline child.
      if (is_block_tag(node.tag) || nodes[static_cast<std::size_t>(node.parent)].text_len > node.text_len) {
        // The whole text only where the shouted-link test needs it.
        const std::size_t cap = node.link_len == node.text_len && node.text_len >= 15 ? 800 : 400;
        const std::string raw = small_text(doc, static_cast<std::int32_t>(i), cap);
        if (shouted_link(raw, node.text_len, node.link_len) ||
            boilerplate_text(lower(raw), node.text_len, node.link_len)) {
          remove = true;
          if (node.link_len == 0) remove_linked_run(doc, static_cast<std::int32_t>(i));
        }
      }
    }
    if (remove) {
      node.removed = true;
      i = static_cast<std::size_t>(node.end) - 1;
    }
  }
  aggregate(doc);
}

std::vector<std::int32_t> choose_body(Document& doc) {
  std::vector<Node>& nodes = doc.nodes();
  const auto n = static_cast<std::int32_t>(nodes.size());
  if (n == 0) return {};
  std::vector<std::int32_t> candidates;
  auto touch = [&](std::int32_t index) -> Node& {
    Node& c = nodes[static_cast<std::size_t>(index)];
    if (!c.scored) {
      c.scored = true;
      c.score = 0;
      candidates.push_back(index);
    }
    return c;
  };
  for (std::int32_t i = 0; i < n; ++i) {
    const Node& node = nodes[static_cast<std::size_t>(i)];
    if (node.removed) {
      i = node.end - 1;
      continue;
    }
    if (node.is_text || node.own_text_len < 25 || is_heading(node.tag)) continue;
    const float links = link_share(node.own_link_len, node.own_text_len);
    if (links > 0.5F) continue;
    const float points = (1.0F + static_cast<float>(node.own_commas) +
                          std::min(static_cast<float>(node.own_text_len) / 100.0F, 3.0F)) *
                         (1.0F - links);
    std::int32_t a = is_paragraph_tag(node.tag) ? node.parent : i;
    for (int level = 0; level < 5 && a >= 0; ++level) {
      const float share = level == 0 ? 1.0F : level == 1 ? 0.5F : 1.0F / (static_cast<float>(level) * 3.0F);
      touch(a).score += points * share;
      a = nodes[static_cast<std::size_t>(a)].parent;
    }
  }
  if (candidates.empty()) return {0};
  for (const std::int32_t c : candidates) {
    // The class bonus is at most what the paragraphs earned: a content-named
    // wrapper of one short line must not beat the article.
    Node& node = nodes[static_cast<std::size_t>(c)];
    const float weight = static_cast<float>(node.class_weight);
    const float points = node.score;
    node.score = tag_base(node.tag) + points + (weight > 0 ? std::min(weight, points) : weight);
    node.score *= 1.0F - link_share(node.link_len, node.text_len);
  }
  std::sort(candidates.begin(), candidates.end(), [&](std::int32_t x, std::int32_t y) {
    const float sx = nodes[static_cast<std::size_t>(x)].score;
    const float sy = nodes[static_cast<std::size_t>(y)].score;
    return sx != sy ? sx > sy : x < y;
  });
  std::int32_t top = candidates.front();
  auto score_of = [&](std::int32_t i) { return nodes[static_cast<std::size_t>(i)].score; };
  auto parent_of = [&](std::int32_t i) { return nodes[static_cast<std::size_t>(i)].parent; };

  // Several near-equal candidates: the article is split; take the ancestor
  // that holds at least three of them.
  std::vector<std::int32_t> alternatives;
  for (std::size_t k = 1; k < std::min<std::size_t>(candidates.size(), 5); ++k) {
    if (score_of(candidates[k]) >= 0.75F * score_of(top)) alternatives.push_back(candidates[k]);
  }
  // One or two near-equal candidates whose common ancestor holds little
  // else: a body split in parts ("version-2" sections, a lede box).
  for (const std::int32_t alt : alternatives) {
    std::int32_t lca = parent_of(top);
    while (lca >= 0 && !inside(nodes, lca, alt)) lca = parent_of(lca);
    if (lca <= 0 || inside(nodes, top, alt) || inside(nodes, alt, top)) continue;
    const Node& l = nodes[static_cast<std::size_t>(lca)];
    const auto parts =
        nodes[static_cast<std::size_t>(top)].text_len + nodes[static_cast<std::size_t>(alt)].text_len;
    if (static_cast<float>(l.text_len) <= 1.3F * static_cast<float>(parts) &&
        link_share(l.link_len, l.text_len) < 0.25F) {
      top = lca;
      alternatives.clear();
      break;
    }
  }
  if (alternatives.size() >= 3) {
    for (std::int32_t p = parent_of(top); p >= 0; p = parent_of(p)) {
      const auto held = std::count_if(alternatives.begin(), alternatives.end(),
                                      [&](std::int32_t alt) { return inside(nodes, p, alt); });
      if (held >= 3) {
        top = p;
        break;
      }
    }
  }
  // Climb while the parent holds more of the article than the child.
  float last = score_of(top);
  const float floor = last / 3.0F;
  for (std::int32_t p = parent_of(top); p > 0; p = parent_of(p)) {
    const Node& pn = nodes[static_cast<std::size_t>(p)];
    if (!pn.scored) continue;
    if (pn.score < floor) break;
    if (pn.score > last) {
      top = p;
      break;
    }
    last = pn.score;
  }
  // Past parents that hold nothing else.
  while (parent_of(top) > 0) {
    const std::int32_t p = parent_of(top);
    const Node& pn = nodes[static_cast<std::size_t>(p)];
    if (pn.text_len != nodes[static_cast<std::size_t>(top)].text_len) break;
    top = p;
  }

  // Sibling merging.
  const std::int32_t parent = parent_of(top);
  if (parent < 0) return {top};
  const Node& topn = nodes[static_cast<std::size_t>(top)];
  const float best = score_of(candidates.front());
  const float threshold = std::max({10.0F, topn.score * 0.2F, best * 0.2F});
  const std::string_view top_class = attribute(topn.gumbo, "class");
  std::vector<std::int32_t> body;
  const Node& pn = nodes[static_cast<std::size_t>(parent)];
  for (std::int32_t s = parent + 1; s < pn.end; s = nodes[static_cast<std::size_t>(s)].end) {
    const Node& sn = nodes[static_cast<std::size_t>(s)];
    if (s == top) {
      body.push_back(s);
      continue;
    }
    if (sn.removed || sn.is_text || sn.text_len == 0) continue;
    float bonus = 0;
    if (!top_class.empty() && attribute(sn.gumbo, "class") == top_class) bonus = topn.score * 0.2F;
    if (sn.scored && sn.score + bonus >= threshold && link_share(sn.link_len, sn.text_len) < 0.33F) {
      body.push_back(s);
      continue;
    }
    if (sn.tag == GUMBO_TAG_P || (sn.own_text_len == sn.text_len && !is_heading(sn.tag))) {
      const float links = link_share(sn.link_len, sn.text_len);
      if (sn.text_len > 80 && links < 0.25F) {
        body.push_back(s);
      } else if (sn.text_len <= 80 && links == 0.0F) {
        const std::string t = small_text(doc, s, 200);  // the end of a sentence, if any
        if (!t.empty() && (t.back() == '.' || t.back() == '!' || t.back() == '?')) body.push_back(s);
      }
    }
  }
  return body;
}

void clean_body(Document& doc, const std::vector<std::int32_t>& roots,
                const std::optional<std::string>& title, bool conditional) {
  std::vector<Node>& nodes = doc.nodes();
  const std::string title_key = title ? lower(collapse(*title)) : std::string();
  for (const std::int32_t root : roots) {
    const std::int32_t end = nodes[static_cast<std::size_t>(root)].end;
    int pre_depth_end = -1;  // inside <pre>/<code>: leave alone
    for (std::int32_t i = root + 1; i < end; ++i) {
      Node& node = nodes[static_cast<std::size_t>(i)];
      if (node.is_text) continue;
      if (node.removed) {
        i = node.end - 1;
        continue;
      }
      if (i < pre_depth_end) continue;
      if (node.tag == GUMBO_TAG_PRE || node.tag == GUMBO_TAG_CODE) {
        pre_depth_end = node.end;
        continue;
      }
      bool remove = false;
      if (is_heading(node.tag) && !title_key.empty() && node.text_len > 0) {
        const std::string t = lower(small_text(doc, i, 400));
        if (t == title_key || (t.size() > 15 && title_key.find(t) != std::string::npos)) remove = true;
      }
      if (node.tag == GUMBO_TAG_IMG) {
        // A linked image that leads elsewhere is a banner, not an illustration
        // (an illustration links to its own larger file, if anywhere).
        const Node& p = nodes[static_cast<std::size_t>(node.parent)];
        const GumboNode* link = nullptr;
        if (p.tag == GUMBO_TAG_A) link = p.gumbo;
        const std::string hints = lower(std::string(attribute(node.gumbo, "class")) + " " +
                                        std::string(attribute(node.gumbo, "src")) + " " +
                                        std::string(attribute(node.gumbo, "alt")));
        if ((link != nullptr && p.text_len == 0 && !is_image_url(attribute(link, "href"))) ||
            contains(hints, "banner") || contains(hints, "promo") || contains(hints, "advert")) {
          remove = true;
          if (link != nullptr && p.text_len == 0) {
            nodes[static_cast<std::size_t>(node.parent)].removed = true;
          }
        }
      }
      const bool container =
          node.tag == GUMBO_TAG_DIV || node.tag == GUMBO_TAG_SECTION || node.tag == GUMBO_TAG_UL ||
          node.tag == GUMBO_TAG_OL || node.tag == GUMBO_TAG_TABLE || node.tag == GUMBO_TAG_HEADER ||
          node.tag == GUMBO_TAG_FORM || node.tag == GUMBO_TAG_DL || node.tag == GUMBO_TAG_FIGURE;
      if (conditional && !remove && container && node.commas < 10) {
        const float links = link_share(node.link_len, node.text_len);
        const int weight = node.class_weight;
        const bool is_list = node.tag == GUMBO_TAG_UL || node.tag == GUMBO_TAG_OL;
        if (weight < 0 && node.text_len < 400) remove = true;
        if (!is_list && node.list_items > node.paragraphs + 1 && links > 0.2F) remove = true;
        if (node.text_len > 0 && ((weight < 25 && links > 0.33F) || (weight >= 25 && links > 0.5F)))
          remove = true;
        if (node.tag == GUMBO_TAG_HEADER && node.paragraphs == 0) remove = true;
      }
      if (remove) {
        node.removed = true;
        i = node.end - 1;
      }
    }
  }
}

}  // namespace fw::extract::detail
