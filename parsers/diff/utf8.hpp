// UTF-8 decoding for the diff code (RFC 3629); encoding is fw::text::append_utf8. Decoding never
// fails: an ill-formed byte decodes as U+FFFD of length 1, so callers that copy
// source bytes by length keep the input exact.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fw::diff::utf8 {

inline constexpr char32_t k_replacement = 0xFFFD;

struct Decoded {
  char32_t cp;
  std::size_t length;  // bytes consumed, >= 1
};

// Decodes the code point at s[i] (i < s.size()). Overlong forms, surrogates and
// values past U+10FFFF are ill-formed.
inline Decoded decode(std::string_view s, std::size_t i) {
  auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1};
  std::size_t n = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
    cp = b0 & 0x1F;
    min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    cp = b0 & 0x0F;
    min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    return {k_replacement, 1};
  }
  if (i + n > s.size()) return {k_replacement, 1};
  for (std::size_t k = 1; k < n; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {k_replacement, 1};
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {k_replacement, 1};
  return {cp, n};
}

}  // namespace fw::diff::utf8
