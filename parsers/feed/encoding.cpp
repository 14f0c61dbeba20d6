// Feed bytes -> UTF-8.
//
// Which encoding (RFC 7303 section 3, and what browsers do):
//   1. a byte order mark is authoritative (RFC 7303 section 3.3);
//   2. else the charset parameter of the HTTP Content-Type (section 3.2: it
//      wins over the XML declaration);
//   3. else UTF-16 sniffed from "<\0" / "\0<" (XML 1.0 appendix F);
//   4. else the encoding="" of the XML declaration;
//   5. else UTF-8.
// Labels go through the WHATWG Encoding Standard's mapping where it matters:
// "iso-8859-1", "latin1" and "us-ascii" all mean windows-1252, because servers
// label cp1252 text (curly quotes at 0x91-0x94) as Latin-1 all the time.
//
// Lying documents: a feed that says UTF-8 but holds bytes that are not UTF-8 is
// almost always windows-1252 text (or a UTF-8 feed with a few pasted cp1252
// characters). We keep every well-formed UTF-8 sequence and read each remaining
// byte as windows-1252, so both cases come out right; a warning records it.
// Other encodings go through iconv; undecodable bytes become U+FFFD.
//
// Finally the text is made fit for libxml2: the BOM and anything before the
// first '<' or '{' is dropped (an XML declaration must come first), and control
// characters that XML 1.0 section 2.2 forbids are removed (libxml2 would stop
// at them).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parsers/feed/detail.hpp"
#include "parsers/text/text.hpp"

namespace fw::feed::detail {
namespace {

// windows-1252 bytes 0x80-0x9F (WHATWG index-windows-1252); 0xA0-0xFF are
// Latin-1, i.e. the code point equals the byte. Unassigned bytes map to the C1
// control of the same value, as WHATWG specifies.
constexpr std::array<char32_t, 32> k_cp1252_high = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

char32_t cp1252_code_point(unsigned char byte) {
  if (byte >= 0x80 && byte < 0xA0) return k_cp1252_high[byte - 0x80];
  return byte;
}

std::string decode_cp1252(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (const char c : bytes) text::append_utf8(out, cp1252_code_point(static_cast<unsigned char>(c)));
  return out;
}

// UTF-8 with a windows-1252 fallback for each byte that is not part of a
// well-formed sequence. Returns how many bytes needed the fallback.
// The end of the run of bytes from `i` on that are plain printable ASCII or
// tab/LF/CR (the bytes the clean-up loops pass through unchanged), tested eight
// at a time: a word has none of the others when no byte has its high bit set and
// no byte is below 0x20 (the classic "has a byte less than n" bit trick).
std::size_t plain_ascii_end(std::string_view s, std::size_t i) {
  constexpr std::uint64_t k_high = 0x8080808080808080ULL;
  constexpr std::uint64_t k_space = 0x2020202020202020ULL;
  while (i < s.size()) {
    while (i + 8 <= s.size()) {
      std::uint64_t word = 0;
      std::memcpy(&word, s.data() + i, 8);
      if (((word | ((word - k_space) & ~word)) & k_high) != 0) break;
      i += 8;
    }
    // The word holds a byte to look at: step over one that passes (often a
    // newline), stop at one that does not.
    const std::size_t word_end = std::min(i + 8, s.size());
    for (; i < word_end; ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0x80 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r')) return i;
    }
  }
  return i;
}

std::size_t decode_utf8_lenient(std::string_view bytes, std::string& out) {
  out.reserve(bytes.size());
  std::size_t repaired = 0;
  std::size_t i = 0;
  while (i < bytes.size()) {
    // ASCII runs (most of any feed) are copied whole.
    const std::size_t ascii_end = plain_ascii_end(bytes, i);
    if (ascii_end > i) {
      out.append(bytes.substr(i, ascii_end - i));
      i = ascii_end;
      continue;
    }
    const std::size_t len = fw::text::utf8_sequence_length(bytes, i);
    if (len > 0) {
      out.append(bytes.substr(i, len));
      i += len;
    } else {
      text::append_utf8(out, cp1252_code_point(static_cast<unsigned char>(bytes[i])));
      ++repaired;
      ++i;
    }
  }
  return repaired;
}

// The charset parameter of a Content-Type (RFC 9110 section 8.3), or "".
std::string http_charset(std::string_view content_type) {
  const std::string lower = ascii_lower(content_type);
  std::size_t pos = 0;
  while ((pos = lower.find("charset", pos)) != std::string::npos) {
    const bool starts_param =
        pos > 0 && (lower[pos - 1] == ';' || lower[pos - 1] == ' ' || lower[pos - 1] == '\t');
    std::size_t i = pos + 7;
    while (i < lower.size() && (lower[i] == ' ' || lower[i] == '\t')) ++i;
    if (!starts_param || i >= lower.size() || lower[i] != '=') {
      pos += 7;
      continue;
    }
    ++i;
    while (i < lower.size() && (lower[i] == ' ' || lower[i] == '\t')) ++i;
    if (i < lower.size() && (lower[i] == '"' || lower[i] == '\'')) {
      const char quote = lower[i];
      const auto end = lower.find(quote, i + 1);
      return std::string(
          trim(std::string_view(lower).substr(i + 1, end == std::string::npos ? end : end - i - 1)));
    }
    const auto end = lower.find_first_of("; \t", i);
    return std::string(trim(std::string_view(lower).substr(i, end == std::string::npos ? end : end - i)));
  }
  return {};
}

// encoding="..." of an XML declaration at the start of ASCII-compatible bytes, or "".
std::string declared_encoding(std::string_view bytes) {
  const std::string_view head = bytes.substr(0, 512);
  const auto start = head.find("<?xml");
  if (start == std::string_view::npos || trim(head.substr(0, start)).size() != 0) return {};
  const auto end = head.find("?>", start);
  const std::string_view decl =
      head.substr(start, end == std::string_view::npos ? head.size() - start : end - start);
  const auto key = decl.find("encoding");
  if (key == std::string_view::npos) return {};
  std::size_t i = key + 8;
  while (i < decl.size() && (decl[i] == ' ' || decl[i] == '=' || decl[i] == '\t')) ++i;
  if (i >= decl.size() || (decl[i] != '"' && decl[i] != '\'')) return {};
  const auto close = decl.find(decl[i], i + 1);
  if (close == std::string_view::npos) return {};
  return ascii_lower(trim(decl.substr(i + 1, close - i - 1)));
}

// WHATWG Encoding Standard label -> the name we decode with (lower-case); only
// the labels where the WHATWG decoder differs from iconv's reading of the name.
std::string canonical_encoding(const std::string& label) {
  if (label == "utf8" || label == "unicode-1-1-utf-8" || label == "x-unicode20utf8") return "utf-8";
  if (label == "iso-8859-1" || label == "iso8859-1" || label == "iso_8859-1" || label == "latin1" ||
      label == "l1" || label == "cp819" || label == "ibm819" || label == "us-ascii" || label == "ascii" ||
      label == "iso-ir-100" || label == "iso_8859-1:1987" || label == "cp1252" || label == "x-cp1252" ||
      label == "ansi_x3.4-1968" || label == "iso-8859-15-x") {
    return "windows-1252";
  }
  if (label == "gb2312" || label == "gb_2312-80" || label == "x-gbk" || label == "chinese") return "gbk";
  if (label == "euc-kr" || label == "ks_c_5601-1987" || label == "korean") return "cp949";
  if (label == "unicode" || label == "ucs-2" || label == "utf-16") return "utf-16";
  return label;
}

enum class Bom { k_none, k_utf8, k_utf16le, k_utf16be, k_utf32le, k_utf32be };

Bom detect_bom(std::string_view b) {
  if (b.size() >= 4 && b.substr(0, 4) == std::string_view("\xFF\xFE\0\0", 4)) return Bom::k_utf32le;
  if (b.size() >= 4 && b.substr(0, 4) == std::string_view("\0\0\xFE\xFF", 4)) return Bom::k_utf32be;
  if (b.size() >= 3 && b.substr(0, 3) == "\xEF\xBB\xBF") return Bom::k_utf8;
  if (b.size() >= 2 && b.substr(0, 2) == "\xFF\xFE") return Bom::k_utf16le;
  if (b.size() >= 2 && b.substr(0, 2) == "\xFE\xFF") return Bom::k_utf16be;
  return Bom::k_none;
}

// XML 1.0 section 2.2 Char: tab, LF, CR and everything from U+0020 except the
// surrogates and U+FFFE/U+FFFF (which well-formed UTF-8 input cannot hold except
// U+FFFE/U+FFFF). Drops the C0 controls and those two, counting them.
bool is_forbidden_at(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x20) return c != '\t' && c != '\n' && c != '\r';
  return c == 0xEF && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xBF &&
         (static_cast<unsigned char>(text[i + 2]) == 0xBE || static_cast<unsigned char>(text[i + 2]) == 0xBF);
}

std::string strip_forbidden_chars(std::string text, std::size_t& dropped) {
  dropped = 0;
  // The common case, a clean document, is returned without a copy.
  std::size_t first = 0;
  while (first < text.size()) {
    first = plain_ascii_end(text, first);
    if (first == text.size() || is_forbidden_at(text, first)) break;
    ++first;
  }
  if (first == text.size()) return text;
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      ++dropped;
      continue;
    }
    if (c == 0xEF && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xBF &&
        (static_cast<unsigned char>(text[i + 2]) == 0xBE ||
         static_cast<unsigned char>(text[i + 2]) == 0xBF)) {
      ++dropped;
      i += 2;
      continue;
    }
    out += text[i];
  }
  return out;
}

}  // namespace

std::string decode_to_utf8(std::string_view bytes, std::string_view content_type,
                           std::vector<std::string>& warnings) {
  std::string encoding;
  std::string_view body = bytes;
  switch (detect_bom(bytes)) {
    case Bom::k_utf8:
      encoding = "utf-8";
      body.remove_prefix(3);
      break;
    case Bom::k_utf16le:
      encoding = "utf-16le";
      body.remove_prefix(2);
      break;
    case Bom::k_utf16be:
      encoding = "utf-16be";
      body.remove_prefix(2);
      break;
    case Bom::k_utf32le:
      encoding = "utf-32le";
      body.remove_prefix(4);
      break;
    case Bom::k_utf32be:
      encoding = "utf-32be";
      body.remove_prefix(4);
      break;
    case Bom::k_none:
      break;
  }
  if (encoding.empty()) encoding = canonical_encoding(http_charset(content_type));
  if (encoding.empty() || encoding == "utf-16") {
    // No BOM: sniff UTF-16 from the first '<' (XML 1.0 appendix F.1).
    if (body.size() >= 2 && body[0] == '<' && body[1] == '\0') {
      encoding = "utf-16le";
    } else if (body.size() >= 2 && body[0] == '\0' && body[1] == '<') {
      encoding = "utf-16be";
    } else if (encoding == "utf-16") {
      encoding = "utf-16be";  // RFC 2781 section 4.3: big-endian without a BOM
    }
  }
  if (encoding.empty()) encoding = canonical_encoding(declared_encoding(body));
  if (encoding.empty()) encoding = "utf-8";

  std::string text;
  if (encoding == "windows-1252") {
    text = decode_cp1252(body);
  } else if (encoding != "utf-8") {
    std::size_t bad_bytes = 0;
    std::optional<std::string> converted = text::decode_iconv(body, encoding, bad_bytes);
    if (converted) {
      text = std::move(*converted);
      if (bad_bytes > 0) {
        warnings.push_back("encoding: " + std::to_string(bad_bytes) + " byte(s) not valid in " + encoding +
                           " replaced by U+FFFD");
      }
    } else {
      warnings.push_back("encoding: unknown encoding \"" + encoding + "\", read as UTF-8");
      encoding = "utf-8";
    }
  }
  if (encoding == "utf-8") {
    const std::size_t repaired = decode_utf8_lenient(body, text);
    if (repaired > 0) {
      warnings.push_back("encoding: " + std::to_string(repaired) +
                         " byte(s) not valid UTF-8, read as windows-1252");
    }
  }

  // A BOM inside the text (after a transcoding BOM-less label) and anything
  // before the document proper: XML allows nothing before its declaration.
  std::string_view view = text;
  while (view.substr(0, 3) == "\xEF\xBB\xBF") view.remove_prefix(3);
  const auto start = view.find_first_not_of(" \t\r\n");
  if (start != std::string_view::npos) view.remove_prefix(start);
  std::size_t dropped = 0;
  if (view.size() != text.size()) text = std::string(view);
  std::string result = strip_forbidden_chars(std::move(text), dropped);
  if (dropped > 0) {
    warnings.push_back("encoding: removed " + std::to_string(dropped) +
                       " control character(s) that XML forbids");
  }
  return result;
}

}  // namespace fw::feed::detail
