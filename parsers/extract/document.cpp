// Parsing into Gumbo's tree (allocated from an arena, see detail.hpp) and the
// flat pre-order index that the extraction stages walk without recursion.
#include <gumbo.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/extract/detail.hpp"

namespace fw::extract::detail {
namespace {

// Arena blocks grow from 16 KiB (a feed fragment needs no more) to 1 MiB.
constexpr std::size_t k_first_block = 16 * 1024;
constexpr std::size_t k_max_block = 1024 * 1024;
constexpr std::size_t k_alignment = alignof(std::max_align_t);

void* arena_allocate(void* userdata, std::size_t size) {
  return static_cast<Arena*>(userdata)->allocate(size);
}
void arena_free(void* /*userdata*/, void* /*ptr*/) {}

const GumboVector* children_of(const GumboNode* node) {
  if (node->type == GUMBO_NODE_ELEMENT || node->type == GUMBO_NODE_TEMPLATE) return &node->v.element.children;
  if (node->type == GUMBO_NODE_DOCUMENT) return &node->v.document.children;
  return nullptr;
}

}  // namespace

void* Arena::allocate(std::size_t size) {
  size = (size + k_alignment - 1) / k_alignment * k_alignment;
  if (size == 0) size = k_alignment;
  if (size > m_left) {
    const std::size_t grown = m_blocks.empty() ? k_first_block : std::min(m_block_size * 2, k_max_block);
    m_block_size = grown;
    const std::size_t block = std::max(size, grown);
    m_blocks.push_back(std::make_unique_for_overwrite<std::byte[]>(block));
    m_next = m_blocks.back().get();
    m_left = block;
  }
  void* p = m_next;
  m_next += size;
  m_left -= size;
  return p;
}

Document::Document(std::string_view utf8, bool fragment) : m_text(utf8) {
  GumboOptions options = kGumboDefaultOptions;
  options.allocator = arena_allocate;
  options.deallocator = arena_free;
  options.userdata = &m_arena;
  options.max_errors = 0;  // never read; don't pay for recording them
  if (fragment) {
    options.fragment_context = GUMBO_TAG_DIV;
    options.fragment_namespace = GUMBO_NAMESPACE_HTML;
  }
  m_output = gumbo_parse_with_options(&options, m_text.data(), m_text.size());

  // Index the body (or the fragment): elements and text, in pre-order.
  const GumboNode* start = m_output->root;
  if (!fragment) {
    const GumboVector& kids = start->v.element.children;
    for (unsigned i = 0; i < kids.length; ++i) {
      const auto* kid = static_cast<const GumboNode*>(kids.data[i]);
      if (kid->type == GUMBO_NODE_ELEMENT && kid->v.element.tag == GUMBO_TAG_BODY) start = kid;
    }
  }
  m_nodes.reserve(m_text.size() / 40 + 16);
  struct Frame {
    const GumboNode* node;
    std::int32_t index;
    unsigned next_child;
  };
  std::vector<Frame> stack;
  auto push = [&](const GumboNode* g, std::int32_t parent) {
    Node n;
    n.gumbo = g;
    n.parent = parent;
    if (g->type == GUMBO_NODE_ELEMENT || g->type == GUMBO_NODE_TEMPLATE) {
      n.tag = g->v.element.tag;
    } else {
      n.is_text = true;
    }
    m_nodes.push_back(n);
    const auto index = static_cast<std::int32_t>(m_nodes.size() - 1);
    stack.push_back(Frame{g, index, 0});
  };
  push(start, -1);
  while (!stack.empty()) {
    Frame& top = stack.back();
    const GumboVector* kids = children_of(top.node);
    if (kids == nullptr || top.next_child >= kids->length) {
      m_nodes[static_cast<std::size_t>(top.index)].end = static_cast<std::int32_t>(m_nodes.size());
      stack.pop_back();
      continue;
    }
    const auto* kid = static_cast<const GumboNode*>(kids->data[top.next_child++]);
    const std::int32_t parent = top.index;
    switch (kid->type) {
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE:
        if (is_dropped_tag(kid->v.element.tag)) break;
        push(kid, parent);
        break;
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_CDATA:
      case GUMBO_NODE_WHITESPACE:
        push(kid, parent);
        break;
      default:
        break;
    }
  }
}

std::string_view attribute(const GumboNode* node, const char* name) {
  if (node == nullptr || (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE)) return {};
  const GumboAttribute* a = gumbo_get_attribute(&node->v.element.attributes, name);
  return a == nullptr ? std::string_view() : std::string_view(a->value);
}

bool has_attribute(const GumboNode* node, const char* name) {
  if (node == nullptr || (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE))
    return false;
  return gumbo_get_attribute(&node->v.element.attributes, name) != nullptr;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_space_byte(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space_byte(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space_byte(s.back())) s.remove_suffix(1);
  return s;
}

bool is_block_tag(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DIR:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_HGROUP:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_HTML:
    case GUMBO_TAG_LEGEND:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_LISTING:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_MENU:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_P:
    case GUMBO_TAG_PLAINTEXT:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_XMP:
    case GUMBO_TAG_UNKNOWN:  // custom elements: treat as blocks, a space costs nothing
      return true;
    default:
      return false;
  }
}

bool is_dropped_tag(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_FRAME:
    case GUMBO_TAG_FRAMESET:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_APPLET:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH:
    case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_OPTION:
    case GUMBO_TAG_DATALIST:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_META:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_BASE:
    case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_SOURCE:
    case GUMBO_TAG_TRACK:
    case GUMBO_TAG_MAP:
    case GUMBO_TAG_AREA:
      return true;
    default:
      return false;
  }
}

bool is_heading(GumboTag tag) {
  return tag == GUMBO_TAG_H1 || tag == GUMBO_TAG_H2 || tag == GUMBO_TAG_H3 || tag == GUMBO_TAG_H4 ||
         tag == GUMBO_TAG_H5 || tag == GUMBO_TAG_H6;
}

std::string collapse(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool nbsp = c == '\xC2' && i + 1 < s.size() && s[i + 1] == '\xA0';
    if (is_space_byte(c) || nbsp) {
      if (nbsp) ++i;
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string node_text(const GumboNode* node) {
  std::string raw;
  std::vector<const GumboNode*> stack{node};
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA || n->type == GUMBO_NODE_WHITESPACE) {
      raw += n->v.text.text;
      continue;
    }
    if (n->type != GUMBO_NODE_ELEMENT) continue;
    if (n != node && is_dropped_tag(n->v.element.tag)) continue;
    if (is_block_tag(n->v.element.tag)) raw += ' ';
    const GumboVector& kids = n->v.element.children;
    for (unsigned i = kids.length; i > 0; --i)
      stack.push_back(static_cast<const GumboNode*>(kids.data[i - 1]));
  }
  return collapse(raw);
}

}  // namespace fw::extract::detail
