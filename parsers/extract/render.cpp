// Output of the chosen body: plain text and sanitized HTML.
//
// Text: every block boundary ends a paragraph; paragraphs are separated by a
// blank line, except consecutive list items and table rows, which take one
// line each. Inline whitespace collapses to one space, <br> breaks the line,
// <pre> keeps its whitespace.
//
// HTML: an allowlist. Allowed tags keep only allowed attributes; other
// elements are unwrapped (their content stays), except the ones that are never
// content (script, style, iframe, forms, ...), which the index never holds.
// URLs are resolved against the page URL and kept only when they are http(s)
// (or mailto: for links); so no javascript: or data: URL and no event handler
// survives. Lazy-loaded images (data-src, data-lazy-src, ...) get a real src.
#include <gumbo.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/extract/detail.hpp"

namespace fw::extract::detail {
namespace {

enum class BlockKind { paragraph, item, heading };

BlockKind kind_of(GumboTag tag) {
  if (tag == GUMBO_TAG_LI || tag == GUMBO_TAG_TR || tag == GUMBO_TAG_DT || tag == GUMBO_TAG_DD)
    return BlockKind::item;
  if (is_heading(tag)) return BlockKind::heading;
  return BlockKind::paragraph;
}

class TextWriter {
 public:
  void text(std::string_view s, BlockKind kind, bool pre) {
    if (m_buffer.empty()) {
      m_kind = kind;
      m_pre = pre;
    }
    if (pre) {
      m_buffer += s;
      return;
    }
    // '\n' in the buffer marks a <br>; source newlines are just spaces.
    for (const char c : s) m_buffer += (c == '\n' || c == '\r') ? ' ' : c;
  }
  void line_break() {
    if (!m_buffer.empty()) m_buffer += '\n';
  }
  void flush() {
    if (m_buffer.empty()) return;
    std::string block;
    if (m_pre) {
      block = std::string(trim(m_buffer));
    } else {
      std::size_t start = 0;
      while (start <= m_buffer.size()) {
        const std::size_t nl = m_buffer.find('\n', start);
        const std::string line = collapse(std::string_view(m_buffer).substr(
            start, nl == std::string::npos ? std::string::npos : nl - start));
        if (!line.empty()) {
          if (!block.empty()) block += '\n';
          block += line;
        }
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
    }
    m_buffer.clear();
    if (block.empty()) return;
    if (!m_out.empty()) m_out += (m_kind == BlockKind::item && m_last == BlockKind::item) ? "\n" : "\n\n";
    m_out += block;
    m_last = m_kind;
  }
  std::string finish() {
    flush();
    return std::move(m_out);
  }

 private:
  std::string m_out;
  std::string m_buffer;
  BlockKind m_kind = BlockKind::paragraph;
  BlockKind m_last = BlockKind::paragraph;
  bool m_pre = false;
};

struct Open {
  std::int32_t end;
  GumboTag tag;
};

void escape(std::string& out, std::string_view s, bool attribute) {
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        if (attribute) {
          out += "&quot;";
        } else {
          out += c;
        }
        break;
      default:
        out += c;
    }
  }
}

// The tag name we write for an allowed element, or "" to unwrap it.
std::string_view allowed_tag(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_CODE:
    case GUMBO_TAG_EM:
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_B:
    case GUMBO_TAG_I:
    case GUMBO_TAG_U:
    case GUMBO_TAG_S:
    case GUMBO_TAG_SUB:
    case GUMBO_TAG_SUP:
    case GUMBO_TAG_SMALL:
    case GUMBO_TAG_MARK:
    case GUMBO_TAG_DEL:
    case GUMBO_TAG_INS:
    case GUMBO_TAG_Q:
    case GUMBO_TAG_CITE:
    case GUMBO_TAG_ABBR:
    case GUMBO_TAG_TIME:
    case GUMBO_TAG_A:
    case GUMBO_TAG_IMG:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_DIV:
      return gumbo_normalized_tagname(tag);
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_HTML:
      return "div";
    default:
      return {};
  }
}

bool is_void(GumboTag tag) {
  return tag == GUMBO_TAG_BR || tag == GUMBO_TAG_HR || tag == GUMBO_TAG_IMG;
}

void write_attribute(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "=\"";
  escape(out, value, true);
  out += '"';
}

// The image URL of an <img>: src, or a lazy-loading attribute when src is
// missing or a placeholder (data: URL).
std::string image_source(const GumboNode* img, std::string_view base) {
  std::string_view src = attribute(img, "src");
  if (src.empty() || src.substr(0, 5) == "data:") {
    for (const char* lazy : {"data-src", "data-lazy-src", "data-original", "data-url"}) {
      const std::string_view v = attribute(img, lazy);
      if (!v.empty()) {
        src = v;
        break;
      }
    }
  }
  if (src.empty() || src.substr(0, 5) == "data:") return {};
  return resolve_url(base, src);
}

// Writes the start tag; false when the element is left out entirely.
bool open_tag(std::string& out, const GumboNode* g, GumboTag tag, std::string_view name,
              std::string_view base) {
  if (tag == GUMBO_TAG_IMG) {
    const std::string src = image_source(g, base);
    if (src.empty()) return false;
    out += "<img";
    write_attribute(out, "src", src);
    for (const char* a : {"alt", "title", "width", "height"}) {
      const std::string_view v = attribute(g, a);
      if (!v.empty()) write_attribute(out, a, v);
    }
    out += '>';
    return true;
  }
  out += '<';
  out += name;
  if (tag == GUMBO_TAG_A) {
    const std::string href = resolve_url(base, attribute(g, "href"));
    if (!href.empty() && !attribute(g, "href").empty()) write_attribute(out, "href", href);
    const std::string_view t = attribute(g, "title");
    if (!t.empty()) write_attribute(out, "title", t);
  } else if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) {
    for (const char* a : {"colspan", "rowspan"}) {
      const std::string_view v = attribute(g, a);
      if (!v.empty()) write_attribute(out, a, v);
    }
  } else if (tag == GUMBO_TAG_TIME) {
    const std::string_view v = attribute(g, "datetime");
    if (!v.empty()) write_attribute(out, "datetime", v);
  } else if (tag == GUMBO_TAG_ABBR) {
    const std::string_view v = attribute(g, "title");
    if (!v.empty()) write_attribute(out, "title", v);
  } else if (tag == GUMBO_TAG_OL) {
    const std::string_view v = attribute(g, "start");
    if (!v.empty()) write_attribute(out, "start", v);
  } else if (tag == GUMBO_TAG_BLOCKQUOTE || tag == GUMBO_TAG_Q) {
    const std::string cite = resolve_url(base, attribute(g, "cite"));
    if (!cite.empty() && !attribute(g, "cite").empty()) write_attribute(out, "cite", cite);
  }
  out += '>';
  return true;
}

}  // namespace

std::string render_text(const Document& doc, const std::vector<std::int32_t>& roots) {
  const std::vector<Node>& nodes = doc.nodes();
  TextWriter writer;
  std::vector<Open> open;
  int pre = 0;
  for (const std::int32_t root : roots) {
    const std::int32_t end = nodes[static_cast<std::size_t>(root)].end;
    for (std::int32_t i = root; i <= end; ++i) {
      while (!open.empty() && open.back().end <= i) {
        if (open.back().tag == GUMBO_TAG_PRE) --pre;
        if (is_block_tag(open.back().tag) && open.back().tag != GUMBO_TAG_TD &&
            open.back().tag != GUMBO_TAG_TH) {
          writer.flush();
        }
        open.pop_back();
      }
      if (i == end) break;
      const Node& node = nodes[static_cast<std::size_t>(i)];
      if (node.removed) {
        i = node.end - 1;
        continue;
      }
      if (node.is_text) {
        GumboTag block = GUMBO_TAG_P;
        for (auto it = open.rbegin(); it != open.rend(); ++it) {
          if (is_block_tag(it->tag) && it->tag != GUMBO_TAG_TD && it->tag != GUMBO_TAG_TH) {
            block = it->tag;
            break;
          }
        }
        writer.text(node.gumbo->v.text.text, kind_of(block), pre > 0);
        continue;
      }
      if (node.tag == GUMBO_TAG_BR) {
        writer.line_break();
        continue;
      }
      if (node.tag == GUMBO_TAG_TD || node.tag == GUMBO_TAG_TH) {
        writer.text(" ", BlockKind::item, pre > 0);
      } else if (is_block_tag(node.tag)) {
        writer.flush();
      }
      if (node.tag == GUMBO_TAG_PRE) ++pre;
      open.push_back(Open{node.end, node.tag});
    }
    writer.flush();
  }
  return writer.finish();
}

std::string render_html(const Document& doc, const std::vector<std::int32_t>& roots,
                        std::string_view base_url) {
  const std::vector<Node>& nodes = doc.nodes();
  std::string out;
  struct OpenHtml {
    std::int32_t end;
    std::string_view name;  // "" when unwrapped
  };
  std::vector<OpenHtml> open;
  for (const std::int32_t root : roots) {
    const std::int32_t end = nodes[static_cast<std::size_t>(root)].end;
    for (std::int32_t i = root; i <= end; ++i) {
      while (!open.empty() && open.back().end <= i) {
        if (!open.back().name.empty()) {
          out += "</";
          out += open.back().name;
          out += '>';
        }
        open.pop_back();
      }
      if (i == end) break;
      const Node& node = nodes[static_cast<std::size_t>(i)];
      if (node.removed) {
        i = node.end - 1;
        continue;
      }
      if (node.is_text) {
        escape(out, node.gumbo->v.text.text, false);
        continue;
      }
      std::string_view name = allowed_tag(node.tag);
      if (!name.empty()) {
        if (!open_tag(out, node.gumbo, node.tag, name, base_url)) {
          i = node.end - 1;
          continue;
        }
        if (is_void(node.tag)) {
          i = node.end - 1;
          continue;
        }
      }
      open.push_back(OpenHtml{node.end, name});
    }
    out += '\n';
  }
  return out;
}

}  // namespace fw::extract::detail
