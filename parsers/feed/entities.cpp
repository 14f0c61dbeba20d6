// Undeclared HTML entities in XML feeds.
//
// XML predefines only &amp; &lt; &gt; &quot; &apos; (XML 1.0 section 4.6).
// Feeds written by string concatenation use HTML's names anyway ("&nbsp;",
// "&eacute;", "&rsquo;"), and RSS 0.91's DTD once declared them. libxml2 reports
// each as an undefined entity and drops it, losing text. Before libxml2 sees the
// document we therefore rewrite, outside CDATA sections, comments, processing
// instructions and the DOCTYPE:
//   &eacute;      -> &#233;         (any HTML5 name; Gumbo knows the table)
//   &bogus;       -> &amp;bogus;    (unknown names stay visible as text)
//   AT&T, a & b   -> AT&amp;T       (a bare '&' is text, as HTML reads it)
// Numeric references and the five XML names are kept. When the document
// declares its own entities (<!ENTITY in an internal subset), unknown names are
// left for libxml2 to resolve.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parsers/feed/detail.hpp"
#include "parsers/text/text.hpp"

namespace fw::feed::detail {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Length of a numeric character reference "&#...;" / "&#x...;" at s[i], else 0.
std::size_t numeric_reference_length(std::string_view s, std::size_t i) {
  std::size_t j = i + 2;
  if (j < s.size() && (s[j] == 'x' || s[j] == 'X')) {
    ++j;
    const std::size_t digits = j;
    while (j < s.size() && is_hex_digit(s[j])) ++j;
    if (j == digits) return 0;
  } else {
    const std::size_t digits = j;
    while (j < s.size() && is_digit(s[j])) ++j;
    if (j == digits) return 0;
  }
  return (j < s.size() && s[j] == ';') ? j + 1 - i : 0;
}

// "&#N;" for each code point of the UTF-8 text.
std::string numeric_references(std::string_view utf8) {
  std::string out;
  std::size_t i = 0;
  while (i < utf8.size()) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    std::uint32_t cp = c;
    std::size_t len = 1;
    if (c >= 0xF0) {
      cp = c & 0x07U;
      len = 4;
    } else if (c >= 0xE0) {
      cp = c & 0x0FU;
      len = 3;
    } else if (c >= 0xC0) {
      cp = c & 0x1FU;
      len = 2;
    }
    for (std::size_t k = 1; k < len && i + k < utf8.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3FU);
    }
    out += "&#" + std::to_string(cp) + ";";
    i += len;
  }
  return out;
}

// The end of a construct whose content must not be rewritten, starting at s[i]
// ('<'), or npos when s[i] starts none of them.
std::size_t skip_verbatim(std::string_view s, std::size_t i) {
  const std::string_view rest = s.substr(i);
  auto until = [&](std::string_view close) {
    const auto end = s.find(close, i + 2);
    return end == std::string_view::npos ? s.size() : end + close.size();
  };
  if (rest.substr(0, 9) == "<![CDATA[") return until("]]>");
  if (rest.substr(0, 4) == "<!--") return until("-->");
  if (rest.substr(0, 2) == "<?") return until("?>");
  if (rest.substr(0, 9) == "<!DOCTYPE") {
    // Up to the '>' that closes it, past an internal subset in [...].
    const auto bracket = s.find('[', i);
    const auto close = s.find('>', i);
    if (bracket != std::string_view::npos && bracket < close) {
      const auto subset_end = s.find("]>", bracket);
      if (subset_end == std::string_view::npos) return s.size();
      // The subset may itself contain '>' (declarations); "]" then optional space then '>'.
      return subset_end + 2;
    }
    return close == std::string_view::npos ? s.size() : close + 1;
  }
  return std::string_view::npos;
}

}  // namespace

std::string replace_html_entities(std::string xml, std::vector<std::string>& warnings) {
  if (xml.find('&') == std::string::npos) return xml;
  const bool declares_entities = xml.find("<!ENTITY") != std::string::npos;
  std::map<std::string, std::string, std::less<>> decoded;  // name -> replacement, per document
  std::size_t html_names = 0;
  std::size_t unknown_names = 0;
  std::size_t bare_ampersands = 0;

  // The output is built lazily: xml[copied, i) is pending verbatim text, and a
  // document that needs no rewriting (most) is returned without a copy.
  const std::string_view in = xml;
  std::string out;
  std::size_t copied = 0;
  auto replace = [&](std::size_t from, std::size_t to, std::string_view with) {
    if (out.empty()) out.reserve(in.size() + in.size() / 16);
    out.append(in.substr(copied, from - copied));
    out.append(with);
    copied = to;
  };
  std::size_t i = 0;
  while (i < in.size()) {
    i = in.find_first_of("<&", i);
    if (i == std::string_view::npos) break;
    if (in[i] == '<') {
      const std::size_t end = skip_verbatim(in, i);
      i = end != std::string_view::npos ? end : i + 1;
      continue;
    }
    if (i + 1 < in.size() && in[i + 1] == '#') {
      const std::size_t len = numeric_reference_length(in, i);
      if (len > 0) {
        i += len;
      } else {
        replace(i, i + 1, "&amp;");
        ++bare_ampersands;
        ++i;
      }
      continue;
    }
    std::size_t j = i + 1;
    while (j < in.size() && is_name_char(in[j])) ++j;
    if (j == i + 1 || j >= in.size() || in[j] != ';') {
      replace(i, i + 1, "&amp;");
      ++bare_ampersands;
      ++i;
      continue;
    }
    const std::string_view name = in.substr(i + 1, j - i - 1);
    if (name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos") {
      i = j + 1;
      continue;
    }
    auto it = decoded.find(name);
    if (it == decoded.end()) {
      const std::string reference = "&" + std::string(name) + ";";
      const std::string text = fw::text::decode_entities(reference);
      std::string replacement;
      if (text != reference && !text.empty()) {
        replacement = numeric_references(text);
      } else if (!declares_entities) {
        replacement = "&amp;" + std::string(name) + ";";
      } else {
        replacement = reference;  // perhaps declared in the internal subset
      }
      it = decoded.emplace(std::string(name), std::move(replacement)).first;
    }
    if (it->second.rfind("&#", 0) == 0) {
      ++html_names;
    } else if (it->second.rfind("&amp;", 0) == 0) {
      ++unknown_names;
    }
    replace(i, j + 1, it->second);
    i = j + 1;
  }
  if (copied > 0) {
    out.append(in.substr(copied));
    xml = std::move(out);
  }
  if (html_names > 0) {
    warnings.push_back("xml: " + std::to_string(html_names) + " undeclared HTML entity reference(s) decoded");
  }
  if (unknown_names > 0) {
    warnings.push_back("xml: " + std::to_string(unknown_names) + " unknown entity reference(s) kept as text");
  }
  if (bare_ampersands > 0) {
    warnings.push_back("xml: " + std::to_string(bare_ampersands) + " unescaped '&' kept as text");
  }
  return xml;
}

}  // namespace fw::feed::detail
