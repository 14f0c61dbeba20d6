// Input handling: page bytes -> UTF-8 (decode_html) and URL resolution
// (resolve_url).
//
// Which encoding, as the HTML Standard's "encoding sniffing algorithm" orders it
// (section 13.2.3.2), minus the parts that need a browser:
//   1. a byte order mark (UTF-8, UTF-16LE, UTF-16BE) is authoritative;
//   2. else the charset parameter of the HTTP Content-Type;
//   3. else <meta charset="..."> or <meta http-equiv="Content-Type"
//      content="...; charset=..."> within the first 4 KiB ("prescan");
//   4. else UTF-8 (the modern default; pages without a declaration are mostly
//      UTF-8 or ASCII).
// Labels map as the WHATWG Encoding Standard says where it matters:
// ISO-8859-1, Latin-1 and US-ASCII mean windows-1252, and a <meta> that claims
// UTF-16 means UTF-8 (the bytes we are reading it from are ASCII-compatible).
// Everything but UTF-8 goes through glibc's iconv; undecodable bytes become
// U+FFFD and a warning says how many, so nothing is dropped silently.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parsers/extract/detail.hpp"
#include "parsers/text/text.hpp"

namespace fw::extract {
namespace {

// The value after "charset" and "=" in `s` (lower-case), or "".
std::string charset_param(std::string_view lowered) {
  std::size_t pos = 0;
  while ((pos = lowered.find("charset", pos)) != std::string_view::npos) {
    std::size_t i = pos + 7;
    while (i < lowered.size() && detail::is_space_byte(lowered[i])) ++i;
    if (i >= lowered.size() || lowered[i] != '=') {
      pos += 7;
      continue;
    }
    ++i;
    while (i < lowered.size() && detail::is_space_byte(lowered[i])) ++i;
    if (i < lowered.size() && (lowered[i] == '"' || lowered[i] == '\'')) ++i;
    std::size_t end = i;
    while (end < lowered.size() && lowered[end] != '"' && lowered[end] != '\'' && lowered[end] != ';' &&
           lowered[end] != '>' && lowered[end] != '/' && !detail::is_space_byte(lowered[end])) {
      ++end;
    }
    return std::string(lowered.substr(i, end - i));
  }
  return {};
}

// The charset declared by a <meta> in the first 4 KiB, or "".
std::string meta_charset(std::string_view bytes) {
  const std::string head = detail::lower(bytes.substr(0, 4096));
  std::size_t pos = 0;
  while ((pos = head.find("<meta", pos)) != std::string::npos) {
    const std::size_t close = head.find('>', pos);
    const std::string_view tag =
        std::string_view(head).substr(pos, close == std::string::npos ? std::string::npos : close - pos);
    std::string cs = charset_param(tag);
    if (!cs.empty()) return cs;
    pos += 5;
  }
  return {};
}

std::string canonical_label(std::string label) {
  if (label == "utf8" || label == "unicode-1-1-utf-8" || label == "x-unicode20utf8") return "utf-8";
  if (label == "iso-8859-1" || label == "iso8859-1" || label == "iso_8859-1" || label == "latin1" ||
      label == "l1" || label == "cp819" || label == "ibm819" || label == "us-ascii" || label == "ascii" ||
      label == "cp1252" || label == "x-cp1252" || label == "iso-ir-100" || label == "ansi_x3.4-1968") {
    return "windows-1252";
  }
  if (label == "gb2312" || label == "gbk" || label == "x-gbk" || label == "chinese" || label == "csgb2312") {
    return "gb18030";  // WHATWG: GBK labels decode as GB18030, a superset
  }
  if (label == "tis-620" || label == "iso-8859-11") return "windows-874";
  if (label == "ks_c_5601-1987" || label == "euc-kr" || label == "korean") return "cp949";
  return label;
}

std::string utf8_checked(std::string_view bytes, std::vector<std::string>& warnings) {
  if (text::is_valid_utf8(bytes)) return std::string(bytes);
  std::string out = text::sanitize_utf8(bytes);
  warnings.push_back("invalid UTF-8 replaced with U+FFFD");
  return out;
}

}  // namespace

std::string decode_html(std::string_view bytes, std::string_view content_type,
                        std::vector<std::string>& warnings) {
  std::string encoding;
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    return utf8_checked(bytes.substr(3), warnings);
  }
  if (bytes.size() >= 2 && (bytes.substr(0, 2) == "\xFF\xFE" || bytes.substr(0, 2) == "\xFE\xFF")) {
    encoding = bytes[0] == '\xFF' ? "utf-16le" : "utf-16be";
    bytes.remove_prefix(2);
  } else {
    encoding = canonical_label(charset_param(detail::lower(content_type)));
    if (encoding.empty()) {
      encoding = canonical_label(meta_charset(bytes));
      if (encoding.rfind("utf-16", 0) == 0) encoding = "utf-8";
    }
  }
  if (encoding.empty() || encoding == "utf-8") return utf8_checked(bytes, warnings);
  std::size_t bad = 0;
  std::optional<std::string> out = text::decode_iconv(bytes, encoding, bad);
  if (!out) {
    warnings.push_back("unknown charset \"" + encoding + "\", read as UTF-8");
    return utf8_checked(bytes, warnings);
  }
  if (bad > 0)
    warnings.push_back(std::to_string(bad) + " bytes invalid in " + encoding + " replaced with U+FFFD");
  return std::move(*out);
}

// ---- URLs (RFC 3986 section 5.2) ---------------------------------------------------

namespace {

struct UrlParts {
  std::string scheme, authority, path, query, fragment;
  bool has_authority = false, has_query = false, has_fragment = false;
};

UrlParts split_url(std::string_view s) {
  UrlParts u;
  const std::size_t colon = s.find(':');
  const std::size_t first_delim = s.find_first_of("/?#");
  if (colon != std::string_view::npos && colon > 0 &&
      (first_delim == std::string_view::npos || colon < first_delim)) {
    bool ok = true;
    for (std::size_t i = 0; i < colon; ++i) {
      const char c = s[i];
      const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      if (!alpha && (i == 0 || !((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))) ok = false;
    }
    if (ok) {
      u.scheme = detail::lower(s.substr(0, colon));
      s.remove_prefix(colon + 1);
    }
  }
  if (s.substr(0, 2) == "//") {
    s.remove_prefix(2);
    const std::size_t end = s.find_first_of("/?#");
    u.has_authority = true;
    u.authority = std::string(s.substr(0, end));
    s = end == std::string_view::npos ? std::string_view() : s.substr(end);
  }
  const std::size_t hash = s.find('#');
  if (hash != std::string_view::npos) {
    u.has_fragment = true;
    u.fragment = std::string(s.substr(hash + 1));
    s = s.substr(0, hash);
  }
  const std::size_t q = s.find('?');
  if (q != std::string_view::npos) {
    u.has_query = true;
    u.query = std::string(s.substr(q + 1));
    s = s.substr(0, q);
  }
  u.path = std::string(s);
  return u;
}

std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string_view> out;
  const bool absolute = !path.empty() && path.front() == '/';
  std::size_t i = absolute ? 1 : 0;
  bool trailing = false;
  while (i <= path.size()) {
    const std::size_t slash = path.find('/', i);
    const std::string_view seg =
        path.substr(i, slash == std::string_view::npos ? std::string_view::npos : slash - i);
    trailing = false;
    if (seg == ".") {
      trailing = true;
    } else if (seg == "..") {
      if (!out.empty()) out.pop_back();
      trailing = true;
    } else {
      out.push_back(seg);
    }
    if (slash == std::string_view::npos) break;
    i = slash + 1;
  }
  std::string result = absolute ? "/" : "";
  for (std::size_t k = 0; k < out.size(); ++k) {
    if (k > 0) result += '/';
    result += out[k];
  }
  if (trailing && !result.empty() && result.back() != '/') result += '/';
  return result;
}

}  // namespace

std::string resolve_url(std::string_view base, std::string_view ref) {
  const std::string cleaned = detail::collapse(ref);  // browsers strip spaces and newlines around URLs
  ref = cleaned;
  UrlParts r = split_url(ref);
  UrlParts t;
  if (!r.scheme.empty()) {
    t = r;
    t.path = remove_dot_segments(r.path);
  } else {
    const UrlParts b = split_url(base);
    // No usable base: only protocol-relative references can be made absolute.
    if (b.scheme.empty() && !r.has_authority) return {};
    t.scheme = b.scheme.empty() ? "https" : b.scheme;
    if (r.has_authority) {
      t.has_authority = true;
      t.authority = r.authority;
      t.path = remove_dot_segments(r.path);
      t.has_query = r.has_query;
      t.query = r.query;
    } else {
      t.has_authority = b.has_authority;
      t.authority = b.authority;
      if (r.path.empty()) {
        t.path = b.path;
        t.has_query = r.has_query || b.has_query;
        t.query = r.has_query ? r.query : b.query;
      } else {
        if (r.path.front() == '/') {
          t.path = remove_dot_segments(r.path);
        } else {
          std::string merged;
          if (b.has_authority && b.path.empty()) {
            merged = "/" + r.path;
          } else {
            const std::size_t slash = b.path.rfind('/');
            merged = (slash == std::string::npos ? std::string() : b.path.substr(0, slash + 1)) + r.path;
          }
          t.path = remove_dot_segments(merged);
        }
        t.has_query = r.has_query;
        t.query = r.query;
      }
    }
    t.has_fragment = r.has_fragment;
    t.fragment = r.fragment;
  }
  if (t.scheme != "http" && t.scheme != "https" && t.scheme != "mailto") return {};
  // As browsers do: a host with spaces or control characters is no URL; in the
  // rest they are percent-encoded, and so is a no-break space (which the
  // reference's whitespace collapsing would turn into a space), so a result
  // resolves to itself again.
  for (const char c : t.authority) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return {};
  }
  if (t.authority.find("\xC2\xA0") != std::string::npos) return {};  // a no-break space
  std::string out = t.scheme + ":";
  if (t.has_authority) out += "//" + t.authority;
  if (t.has_authority && !t.path.empty() && t.path.front() != '/') out += '/';
  std::string rest = t.path;
  if (t.has_query) rest += "?" + t.query;
  if (t.has_fragment) rest += "#" + t.fragment;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const char c = rest[i];
    const auto byte = static_cast<unsigned char>(c);
    const bool nbsp = c == '\xC2' && i + 1 < rest.size() && rest[i + 1] == '\xA0';
    if (nbsp) {
      out += "%C2%A0";
      ++i;
    } else if (byte <= 0x20 || byte == 0x7f) {
      static constexpr char k_hex[] = "0123456789ABCDEF";
      out += '%';
      out += k_hex[byte >> 4U];
      out += k_hex[byte & 0xFU];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace fw::extract
