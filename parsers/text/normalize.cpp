#include "parsers/text/normalize.hpp"

#include <openssl/evp.h>

#include <array>
#include <memory>

namespace fw::text {

namespace {

// Length of the Unicode whitespace sequence at s[i] (0 when none). Covers ASCII
// whitespace, NBSP (U+00A0), U+1680, U+2000..U+200A, U+2028/2029, U+202F, U+205F,
// U+3000 and the zero-width space U+200B, which feeds sprinkle into text.
std::size_t space_len(std::string_view s, std::size_t i, bool* is_newline) {
  auto c = static_cast<unsigned char>(s[i]);
  *is_newline = false;
  if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') return 1;
  if (c == '\n') {
    *is_newline = true;
    return 1;
  }
  if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0) return 2;
  if (c == 0xE1 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x9A &&
      static_cast<unsigned char>(s[i + 2]) == 0x80) {
    return 3;
  }
  if (c == 0xE2 && i + 2 < s.size()) {
    auto b1 = static_cast<unsigned char>(s[i + 1]);
    auto b2 = static_cast<unsigned char>(s[i + 2]);
    if (b1 == 0x80 && (b2 <= 0x8B || b2 == 0xAF)) return 3;
    if (b1 == 0x80 && (b2 == 0xA8 || b2 == 0xA9)) {
      *is_newline = true;
      return 3;
    }
    if (b1 == 0x81 && b2 == 0x9F) return 3;
  }
  if (c == 0xE3 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
      static_cast<unsigned char>(s[i + 2]) == 0x80) {
    return 3;
  }
  return 0;
}

}  // namespace

std::string normalize_for_hash(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    bool newline = false;
    std::size_t n = space_len(text, i, &newline);
    if (n == 0) {
      out.push_back(text[i]);
      ++i;
      continue;
    }
    int newlines = 0;
    while (i < text.size() && (n = space_len(text, i, &newline)) > 0) {
      newlines += newline ? 1 : 0;
      i += n;
    }
    if (!out.empty() && i < text.size()) out.append(newlines >= 2 ? "\n\n" : " ");
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &len, EVP_sha256(), nullptr);
  return hex(digest.data(), len);
}

std::string hex(const unsigned char* data, std::size_t n) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(k_hex[data[i] >> 4]);
    out.push_back(k_hex[data[i] & 0xF]);
  }
  return out;
}

std::string version_hash(std::string_view title, std::string_view body) {
  std::string canonical = normalize_for_hash(title);
  canonical.append("\n\x1e\n");  // record separator: no title/body split can collide
  canonical.append(normalize_for_hash(body));
  return sha256_hex(canonical);
}

}  // namespace fw::text
