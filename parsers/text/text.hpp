// Text utilities shared by the feed parser and the article pipeline.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace fw::text {

// HTML fragment -> plain text: entities decoded (HTML5 names), tags and comments
// removed, <script>/<style> content dropped, block boundaries and <br> as
// whitespace, whitespace collapsed to single spaces, trimmed.
std::string html_to_text(std::string_view html);

// Decodes character references and the HTML5 named entities (&amp; &nbsp; &eacute; ...).
std::string decode_entities(std::string_view s);

// Collapses runs of Unicode/ASCII whitespace to one space and trims both ends.
std::string collapse_whitespace(std::string_view s);

// Replaces invalid UTF-8 sequences with U+FFFD.
std::string sanitize_utf8(std::string_view s);

// Length of the well-formed UTF-8 sequence (RFC 3629) that starts at s[i], or 0
// when the bytes there are not one (also when i is past the end).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

// Whether `s` is entirely well-formed UTF-8.
bool is_valid_utf8(std::string_view s);

// `bytes` in `encoding` (a name iconv knows: "windows-1252", "shift_jis", ...)
// converted to UTF-8; nullopt when iconv does not know the encoding. Each byte
// that cannot be decoded becomes U+FFFD, and `bad_bytes` counts them.
std::optional<std::string> decode_iconv(std::string_view bytes, const std::string& encoding,
                                        std::size_t& bad_bytes);

// Appends the UTF-8 encoding of code point `cp` (at most U+10FFFF; callers pass
// scalar values) to `out`. The one encoder of the project: inline, since the
// text, feed and diff code call it once per character in their hot loops.
inline void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace fw::text
