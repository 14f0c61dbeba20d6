// Text utilities: HTML fragments to plain text, entity decoding, whitespace and
// UTF-8 clean-up (FEED-JSON.md "Text").
//
// html_to_text is a single pass over the fragment, written for feed bodies: a
// WordPress feed is mostly content:encoded HTML, and turning it into text is
// most of the cost of reading the feed (bench/README.md, "Feed parsing": a full
// HTML5 tree builder such as Gumbo runs at ~17 MB/s, this pass at several
// hundred). It does not build a tree, because plain text does not need one: the
// words of a document are its text nodes in source order, whatever the tree
// builder would have made of misnested tags. What it must get right is the
// tokenizer's view of the bytes (WHATWG HTML section 13.2.5):
//
//   * tags, end tags, comments (<!-- ... -->), bogus comments (<!DOCTYPE>,
//     <![CDATA[ ]]>, <?...>) produce no text; attribute values are skipped with
//     their quotes, so '>' inside a quoted value does not end the tag;
//   * <script>, <style> and <template> content is dropped up to the matching end
//     tag; <textarea>/<title> content is text with references (RCDATA);
//     <xmp>, <iframe>, <noembed>, <noframes> content is literal text (RAWTEXT);
//     <plaintext> makes the rest of the input text;
//   * character references are decoded as in text content: numeric ones (with
//     the windows-1252 remapping of 0x80-0x9F, U+FFFD for 0, surrogates and
//     values past U+10FFFF) and the 2231 HTML5 names (html_entities.cpp), the
//     legacy ones also without ';';
//   * the boundaries of block-level elements (p, div, li, td, h1-h6 ...) and <br>
//     separate words; inline ones (b, a, span) do not: "un<b>break</b>able" is
//     one word, "<p>one</p><p>two</p>" two;
//   * a '<' that starts no tag is text ("3 < 4"); a tag cut off by the end of
//     the input is dropped.
//
// Whitespace is collapsed as the text is written (TextSink), so the result needs
// no second pass. Example: "<p>Caf&eacute;&nbsp;<b>au</b>\n lait</p><script>x()</script><li>2"
// -> "Caf\u00E9 au lait 2".
#include "parsers/text/text.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "parsers/text/html_entities.hpp"

namespace fw::text {
namespace {

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

bool is_ascii_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_tag_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

char ascii_lower_char(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// HTML's "numeric character reference end state": references to 0x80-0x9F mean
// the windows-1252 characters (0 where windows-1252 has none: kept as is).
constexpr std::array<std::uint16_t, 32> k_c1_remap = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

// Decodes the character reference at s[i] (an '&') into `out`; returns the
// bytes consumed, 0 when there is no reference there (the '&' is text).
std::size_t decode_reference(std::string_view s, std::size_t i, std::string& out) {
  std::size_t j = i + 1;
  if (j < s.size() && s[j] == '#') {
    ++j;
    const bool hex = j < s.size() && (s[j] == 'x' || s[j] == 'X');
    if (hex) ++j;
    const std::size_t digits = j;
    std::uint32_t cp = 0;
    for (; j < s.size(); ++j) {
      const char c = s[j];
      std::uint32_t d = 0;
      if (c >= '0' && c <= '9') {
        d = static_cast<std::uint32_t>(c - '0');
      } else if (hex && c >= 'a' && c <= 'f') {
        d = static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (hex && c >= 'A' && c <= 'F') {
        d = static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        break;
      }
      cp = cp * (hex ? 16U : 10U) + d;
      if (cp > 0x10FFFF) cp = 0x110000;  // saturate: stays out of range
    }
    if (j == digits) return 0;  // "&#" or "&#x" without digits is text
    if (j < s.size() && s[j] == ';') ++j;
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      cp = 0xFFFD;
    } else if (cp >= 0x80 && cp <= 0x9F && k_c1_remap[cp - 0x80] != 0) {
      cp = k_c1_remap[cp - 0x80];
    }
    append_utf8(out, cp);
    return j - i;
  }
  const NamedReference named = match_named_reference(s.substr(j));
  if (named.length == 0) return 0;
  out.append(named.utf8);
  return 1 + named.length;
}

// C0 controls other than NUL and HTML's whitespace (tab, LF, FF, CR), and DEL:
// parse errors that HTML parsers (Gumbo, html5lib) turn into U+FFFD.
bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 0x01 && u <= 0x08) || u == 0x0B || (u >= 0x0E && u <= 0x1F) || u == 0x7F;
}

// The bytes that TextSink copies in bulk: printable ASCII except '<' and '&'.
constexpr std::array<bool, 256> k_plain_byte = [] {
  std::array<bool, 256> table{};
  for (int c = 0x21; c < 0x7F; ++c) table[static_cast<std::size_t>(c)] = c != '<' && c != '&';
  return table;
}();

// Plain text being written with whitespace collapsed: runs of whitespace
// (whitespace_length) and word breaks become one space, none at either end.
class TextSink {
 public:
  explicit TextSink(std::size_t capacity) { m_out.reserve(capacity); }

  void word_break() { m_pending_space = !m_out.empty(); }

  void append(std::string_view s) { append_run(s, 0, false); }

  // Appends s[i...] up to the first '<' or '&' (when `stop_at_markup`) or the
  // end; returns where it stopped.
  std::size_t append_run(std::string_view s, std::size_t i, bool stop_at_markup) {
    while (i < s.size()) {
      std::size_t run = i;
      while (run < s.size() && k_plain_byte[static_cast<unsigned char>(s[run])]) {
        ++run;
      }
      if (run > i) {
        flush_space();
        m_out.append(s.substr(i, run - i));
        i = run;
        continue;
      }
      if (is_control(s[i])) {  // as an HTML parser's input stream preprocessing does
        flush_space();
        m_out += "\xEF\xBF\xBD";
        ++i;
        continue;
      }
      const std::size_t ws = whitespace_length(s, i);
      if (ws > 0) {
        word_break();
        i += ws;
        continue;
      }
      if (stop_at_markup && (s[i] == '<' || s[i] == '&')) return i;
      if (s[i] == '\0') {  // the tree builder ignores NULs in text
        ++i;
        continue;
      }
      // UTF-8 is checked here, where text is written, instead of in a pass of
      // its own: an ill-formed sequence (its maximal subpart) becomes U+FFFD,
      // as sanitize_utf8 would make it.
      bool valid = false;
      const std::size_t len = sequence_length(s, i, valid);
      flush_space();
      if (valid) {
        m_out.append(s.substr(i, len));
      } else {
        m_out += "\xEF\xBF\xBD";
      }
      i += len;
    }
    return i;
  }

  // Text with character references, as in RCDATA and ordinary text.
  void append_decoded(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
      const std::size_t amp = s.find('&', i);
      append(s.substr(i, amp == std::string_view::npos ? std::string_view::npos : amp - i));
      if (amp == std::string_view::npos) break;
      m_scratch.clear();
      const std::size_t used = decode_reference(s, amp, m_scratch);
      if (used == 0) {
        append("&");
        i = amp + 1;
      } else {
        append(m_scratch);
        i = amp + used;
      }
    }
  }

  std::string take() { return std::move(m_out); }

 private:
  void flush_space() {
    if (m_pending_space) m_out += ' ';
    m_pending_space = false;
  }

  std::string m_out;
  std::string m_scratch;
  bool m_pending_space = false;
};

// HTML's block-level and table elements plus <br>, sorted: their boundaries
// separate words when rendered ("a</p><p>b" reads "a b", not "ab").
constexpr auto k_block_elements = std::to_array<std::string_view>(
    {"address", "article", "aside", "blockquote", "br",      "caption",  "center",     "dd",
     "details", "dir",     "div",   "dl",         "dt",      "fieldset", "figcaption", "figure",
     "footer",  "form",    "h1",    "h2",         "h3",      "h4",       "h5",         "h6",
     "header",  "hgroup",  "hr",    "li",         "listing", "main",     "menu",       "nav",
     "ol",      "option",  "p",     "plaintext",  "pre",     "section",  "summary",    "table",
     "tbody",   "td",      "tfoot", "th",         "thead",   "tr",       "ul"});

bool is_block(std::string_view name) {
  // Most tags in feed bodies are short inline ones (a, em, span, strong, img):
  // rule them out before the search.
  if (name.empty() || name.size() > 10) return false;
  switch (name[0]) {
    case 'a':
    case 'b':
    case 'c':
    case 'd':
    case 'f':
    case 'h':
    case 'l':
    case 'm':
    case 'n':
    case 'o':
    case 'p':
    case 's':
    case 't':
    case 'u':
      break;
    default:
      return false;
  }
  if (name == "a" || name == "span" || name == "strong") return false;
  return std::binary_search(k_block_elements.begin(), k_block_elements.end(), name);
}

// How an element's content is tokenized (WHATWG HTML 13.2.5 / 13.2.6.4.7).
enum class ContentKind { k_markup, k_dropped, k_rcdata, k_rawtext, k_plaintext };

ContentKind content_kind(std::string_view name) {
  if (name.size() < 3) return ContentKind::k_markup;  // the common p, a, li, em ...
  if (name == "script" || name == "style" || name == "template") return ContentKind::k_dropped;
  if (name == "textarea" || name == "title") return ContentKind::k_rcdata;
  if (name == "xmp" || name == "iframe" || name == "noembed" || name == "noframes")
    return ContentKind::k_rawtext;
  if (name == "plaintext") return ContentKind::k_plaintext;
  return ContentKind::k_markup;
}

// The position after the '>' that ends a tag whose attributes start at s[i],
// or npos when the input ends first. As in the tokenizer's attribute states, a
// quote opens a quoted value only right after '=' (and spaces): there '>' is
// part of the value; anywhere else a quote is just part of a name.
std::size_t skip_attributes(std::string_view s, std::size_t i) {
  while (i < s.size()) {
    const char c = s[i];
    if (c == '>') return i + 1;
    if (c != '=') {
      ++i;
      continue;
    }
    ++i;
    while (i < s.size() && is_tag_space(s[i])) ++i;
    if (i >= s.size()) break;
    if (s[i] == '"' || s[i] == '\'') {
      const std::size_t close = s.find(s[i], i + 1);
      if (close == std::string_view::npos) break;
      i = close + 1;
    } else {
      while (i < s.size() && !is_tag_space(s[i]) && s[i] != '>') ++i;
    }
  }
  return std::string_view::npos;
}

// The start of the end tag "</name" (any case, followed by a space, '/' or '>')
// from s[i] on, or npos.
std::size_t find_end_tag(std::string_view s, std::size_t i, std::string_view name) {
  while (true) {
    const std::size_t lt = s.find("</", i);
    if (lt == std::string_view::npos) return lt;
    std::size_t j = lt + 2;
    std::size_t k = 0;
    while (k < name.size() && j < s.size() && ascii_lower_char(s[j]) == name[k]) {
      ++j;
      ++k;
    }
    if (k == name.size() && (j == s.size() || is_tag_space(s[j]) || s[j] == '/' || s[j] == '>')) return lt;
    i = lt + 2;
  }
}

// A tag name, lower-cased, up to a length that no element we look for exceeds.
std::size_t read_tag_name(std::string_view s, std::size_t i, std::array<char, 16>& buffer,
                          std::string_view& name) {
  std::size_t length = 0;
  while (i < s.size() && !is_tag_space(s[i]) && s[i] != '/' && s[i] != '>') {
    if (length < buffer.size()) buffer[length] = ascii_lower_char(s[i]);
    ++length;
    ++i;
  }
  name = length <= buffer.size() ? std::string_view(buffer.data(), length) : std::string_view();
  return i;
}

// The end of a comment opened at s[i] ("<!--"), per the HTML tokenizer:
// "<!-->" and "<!--->" close at once, an unclosed one runs to the end.
std::size_t skip_comment(std::string_view s, std::size_t i) {
  const std::size_t body = i + 4;
  if (s.substr(body, 1) == ">") return body + 1;
  if (s.substr(body, 2) == "->") return body + 2;
  const std::size_t close = s.find("-->", body);
  if (close == std::string_view::npos) {
    const std::size_t bang = s.find("--!>", body);
    return bang == std::string_view::npos ? s.size() : bang + 4;
  }
  return close + 3;
}

// Converts `html`; ill-formed UTF-8 in its text becomes U+FFFD as it is written.
std::string markup_to_text(std::string_view html) {
  TextSink sink(html.size() / 2);
  std::array<char, 16> name_buffer{};
  std::size_t i = 0;
  while (i < html.size()) {
    i = sink.append_run(html, i, true);
    if (i >= html.size()) break;
    if (html[i] == '&') {
      std::string decoded;
      const std::size_t used = decode_reference(html, i, decoded);
      sink.append(used == 0 ? std::string_view("&") : std::string_view(decoded));
      i += used == 0 ? 1 : used;
      continue;
    }
    // html[i] == '<'
    const char next = i + 1 < html.size() ? html[i + 1] : '\0';
    if (next == '!') {
      if (html.substr(i, 4) == "<!--") {
        i = skip_comment(html, i);
      } else {
        const std::size_t close = html.find('>', i);  // bogus comment: <!DOCTYPE>, <![CDATA[
        i = close == std::string_view::npos ? html.size() : close + 1;
      }
      continue;
    }
    if (next == '?') {
      const std::size_t close = html.find('>', i);
      i = close == std::string_view::npos ? html.size() : close + 1;
      continue;
    }
    if (next == '/') {
      const char first = i + 2 < html.size() ? html[i + 2] : '\0';
      if (first == '>') {  // "</>" is nothing
        i += 3;
        continue;
      }
      if (!is_ascii_alpha(first)) {  // bogus comment
        const std::size_t close = html.find('>', i);
        i = close == std::string_view::npos ? html.size() : close + 1;
        continue;
      }
      std::string_view name;
      const std::size_t after_name = read_tag_name(html, i + 2, name_buffer, name);
      const std::size_t end = skip_attributes(html, after_name);
      if (end == std::string_view::npos) break;  // cut off: dropped
      if (is_block(name)) sink.word_break();
      i = end;
      continue;
    }
    if (!is_ascii_alpha(next)) {  // "3 < 4": text
      sink.append("<");
      ++i;
      continue;
    }
    std::string_view name;
    const std::size_t after_name = read_tag_name(html, i + 1, name_buffer, name);
    const std::size_t end = skip_attributes(html, after_name);
    if (end == std::string_view::npos) break;  // cut off: dropped
    if (is_block(name)) sink.word_break();
    i = end;
    const ContentKind kind = content_kind(name);
    if (kind == ContentKind::k_markup) continue;
    if (kind == ContentKind::k_plaintext) {
      sink.append(html.substr(i));
      break;
    }
    const std::size_t close = find_end_tag(html, i, name);
    const std::string_view content =
        html.substr(i, close == std::string_view::npos ? std::string_view::npos : close - i);
    if (kind == ContentKind::k_rcdata) {
      sink.append_decoded(content);
    } else if (kind == ContentKind::k_rawtext) {
      sink.append(content);
    }
    if (close == std::string_view::npos) break;
    i = close;  // the end tag is read as any other
  }
  return sink.take();
}

}  // namespace

std::string html_to_text(std::string_view html) {
  return markup_to_text(html);
}

std::string decode_entities(std::string_view s) {
  std::size_t amp = s.find('&');
  if (amp == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (amp != std::string_view::npos) {
    out.append(s.substr(i, amp - i));
    const std::size_t used = decode_reference(s, amp, out);
    if (used == 0) out += '&';
    i = amp + std::max<std::size_t>(used, 1);
    amp = s.find('&', i);
  }
  out.append(s.substr(i));
  return out;
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
    // ASCII, eight bytes at a time.
    while (i + 8 <= s.size()) {
      std::uint64_t word = 0;
      std::memcpy(&word, s.data() + i, 8);
      if ((word & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i >= s.size()) break;
    bool valid = false;
    i += sequence_length(s, i, valid);
    if (!valid) return false;
  }
  return true;
}

}  // namespace fw::text
