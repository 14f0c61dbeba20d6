// Text utilities: HTML fragments to plain text, entity decoding, whitespace and
// UTF-8 clean-up (FEED-JSON.md "Text").
//
// HTML goes through Gumbo, which implements the HTML5 tokenizer and tree builder:
// it knows all 2231 HTML5 named character references (including the legacy ones
// that may omit the semicolon), repairs broken markup the way browsers do, and
// replaces invalid UTF-8 with U+FFFD. We parse as a fragment in a <div> context,
// so that a stray <title> or <body> in a feed's description stays where it is.
#include "parsers/text/text.hpp"

#include <gumbo.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fw::text {
namespace {

struct GumboOutputDeleter {
  void operator()(GumboOutput* output) const { gumbo_destroy_output(&kGumboDefaultOptions, output); }
};
using GumboOutputPtr = std::unique_ptr<GumboOutput, GumboOutputDeleter>;

GumboOutputPtr parse_fragment(std::string_view html) {
  GumboOptions options = kGumboDefaultOptions;
  options.fragment_context = GUMBO_TAG_DIV;
  options.fragment_namespace = GUMBO_NAMESPACE_HTML;
  options.max_errors = 0;  // we never read them; don't pay for recording them
  return GumboOutputPtr(gumbo_parse_with_options(&options, html.data(), html.size()));
}

// Elements whose boundaries separate words when rendered (HTML's block-level and
// table-cell elements, plus <br>): "a</p><p>b" reads "a b", not "ab".
bool is_block(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_BLOCKQUOTE:
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
    case GUMBO_TAG_LI:
    case GUMBO_TAG_LISTING:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_MENU:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_OPTION:
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
      return true;
    default:
      return false;
  }
}

// Iterative depth-first walk (feeds nest markup arbitrarily deep; recursion
// could exhaust the stack on hostile input).
void append_text(const GumboNode* root, std::string& out) {
  struct Frame {
    const GumboNode* node;
    unsigned int next_child;
  };
  std::vector<Frame> stack;
  stack.push_back({root, 0});
  while (!stack.empty()) {
    Frame& frame = stack.back();
    const GumboNode* node = frame.node;
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) {
      if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE ||
          node->type == GUMBO_NODE_CDATA) {
        out += node->v.text.text;
      }
      stack.pop_back();
      continue;
    }
    const GumboElement& element = node->v.element;
    if (frame.next_child == 0) {
      // Script and style hold code, not text; <template> is inert content.
      if (element.tag == GUMBO_TAG_SCRIPT || element.tag == GUMBO_TAG_STYLE ||
          node->type == GUMBO_NODE_TEMPLATE) {
        stack.pop_back();
        continue;
      }
      if (is_block(element.tag)) out += ' ';
    }
    if (frame.next_child < element.children.length) {
      const auto* child = static_cast<const GumboNode*>(element.children.data[frame.next_child]);
      ++frame.next_child;
      stack.push_back({child, 0});  // invalidates `frame`; not used below
      continue;
    }
    if (is_block(element.tag)) out += ' ';
    stack.pop_back();
  }
}

// Length of the UTF-8 whitespace code point at s[i], 0 when none. The set is
// Unicode's White_Space property (what Python's str.split() and most
// "collapse whitespace" implementations use), so NBSP collapses too.
std::size_t whitespace_length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) return 1;
  if (c == 0xC2 && i + 1 < s.size()) {
    const auto c1 = static_cast<unsigned char>(s[i + 1]);
    return (c1 == 0x85 || c1 == 0xA0) ? 2 : 0;
  }
  if (i + 2 >= s.size()) return 0;
  const auto c1 = static_cast<unsigned char>(s[i + 1]);
  const auto c2 = static_cast<unsigned char>(s[i + 2]);
  if (c == 0xE1 && c1 == 0x9A && c2 == 0x80) return 3;  // U+1680
  if (c == 0xE2 && c1 == 0x80 && (c2 <= 0x8A || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF)) return 3;
  if (c == 0xE2 && c1 == 0x81 && c2 == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && c1 == 0x80 && c2 == 0x80) return 3;  // U+3000
  return 0;
}

// UTF-8 decoding per RFC 3629's table (no overlongs, no surrogates, nothing
// above U+10FFFF). Returns the length of the sequence at s[i] and sets `valid`;
// for an invalid one, the length is its "maximal subpart" (Unicode 15, section
// 3.9): the lead byte plus the continuation bytes that were right so far, which
// is what gets one U+FFFD.
std::size_t sequence_length(std::string_view s, std::size_t i, bool& valid) {
  const auto c = static_cast<unsigned char>(s[i]);
  valid = true;
  if (c < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    valid = false;
    return 1;
  }
  for (std::size_t k = 1; k < len; ++k) {
    if (i + k >= s.size()) {
      valid = false;
      return k;
    }
    const auto ck = static_cast<unsigned char>(s[i + k]);
    if (ck < (k == 1 ? lo : 0x80) || ck > (k == 1 ? hi : 0xBF)) {
      valid = false;
      return k;
    }
  }
  return len;
}

}  // namespace

std::string html_to_text(std::string_view html) {
  if (html.find_first_of("<&") == std::string_view::npos) return collapse_whitespace(sanitize_utf8(html));
  const GumboOutputPtr output = parse_fragment(html);
  if (!output) return collapse_whitespace(sanitize_utf8(html));
  std::string text;
  text.reserve(html.size());
  append_text(output->root, text);
  return collapse_whitespace(text);
}

std::string decode_entities(std::string_view s) {
  if (s.find('&') == std::string_view::npos) return std::string(s);
  // Gumbo decodes character references in text; escaping '<' keeps any
  // markup-like text literal, so the result is exactly `s` with references decoded.
  std::string escaped;
  escaped.reserve(s.size() + 16);
  for (const char c : s) {
    if (c == '<') {
      escaped += "&lt;";
    } else {
      escaped += c;
    }
  }
  const GumboOutputPtr output = parse_fragment(escaped);
  if (!output) return std::string(s);
  std::string text;
  const GumboVector& children = output->root->v.element.children;
  for (unsigned int i = 0; i < children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(children.data[i]);
    if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_WHITESPACE) text += child->v.text.text;
  }
  return text;
}

std::string collapse_whitespace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t ws = whitespace_length(s, i);
    if (ws > 0) {
      pending_space = !out.empty();
      i += ws;
      continue;
    }
    if (pending_space) {
      out += ' ';
      pending_space = false;
    }
    out += s[i];
    ++i;
  }
  return out;
}

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    bool valid = false;
    const std::size_t len = sequence_length(s, i, valid);
    if (valid) {
      out.append(s.substr(i, len));
    } else {
      out += "\xEF\xBF\xBD";
    }
    i += len;
  }
  return out;
}

std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  if (i >= s.size()) return 0;
  bool valid = false;
  const std::size_t len = sequence_length(s, i, valid);
  return valid ? len : 0;
}

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    bool valid = false;
    i += sequence_length(s, i, valid);
    if (!valid) return false;
  }
  return true;
}

}  // namespace fw::text
