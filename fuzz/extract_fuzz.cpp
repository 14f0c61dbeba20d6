// libFuzzer target for article extraction: any bytes, with options picked from
// the first input byte (Content-Type charset, fragment mode, a site rule), must
// extract or fail cleanly. Invariants: the text and the HTML are valid UTF-8,
// and the sanitized HTML holds no script, style, iframe, event handler or
// javascript: URL. Crashes, sanitizer reports, hangs and broken invariants are
// findings.
//   scripts/fuzz 60     (seeds: fuzz/corpus/extract_fuzz/)
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "parsers/extract/extract.hpp"
#include "parsers/text/text.hpp"

namespace {

constexpr std::array<std::string_view, 8> k_content_types = {
    "",
    "text/html; charset=utf-8",
    "text/html; charset=windows-1252",
    "text/html; charset=iso-8859-1",
    "text/html; charset=shift_jis",
    "text/html; charset=gb2312",
    "text/html; charset=utf-16le",
    "text/html; charset=bogus",
};

// Every '<' in the output starts a tag that render.cpp wrote (text is
// escaped): check each tag's name and attributes.
bool safe_html(std::string_view html) {
  std::size_t pos = 0;
  while ((pos = html.find('<', pos)) != std::string_view::npos) {
    std::size_t i = pos + 1;
    if (i < html.size() && html[i] == '/') ++i;
    const std::size_t name_start = i;
    while (i < html.size() && html[i] != ' ' && html[i] != '>') ++i;
    const std::string_view name = html.substr(name_start, i - name_start);
    if (name == "script" || name == "style" || name == "iframe" || name == "object" || name == "embed")
      return false;
    while (i < html.size() && html[i] != '>') {
      while (i < html.size() && html[i] == ' ') ++i;
      const std::size_t attr_start = i;
      while (i < html.size() && html[i] != '=' && html[i] != '>' && html[i] != ' ') ++i;
      const std::string_view attr = html.substr(attr_start, i - attr_start);
      if (attr.size() >= 2 && attr.substr(0, 2) == "on") return false;
      if (i < html.size() && html[i] == '=') {
        ++i;
        if (i >= html.size() || html[i] != '"') return false;  // we always quote
        const std::size_t close = html.find('"', i + 1);
        if (close == std::string_view::npos) return false;
        const std::string_view value = html.substr(i + 1, close - i - 1);
        if ((attr == "href" || attr == "src" || attr == "cite") && value.substr(0, 5) != "http:" &&
            value.substr(0, 6) != "https:" && value.substr(0, 7) != "mailto:") {
          return false;
        }
        i = close + 1;
      }
    }
    pos = i;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const std::string_view html(reinterpret_cast<const char*>(data + 1), size - 1);
  static const fw::extract::SiteRule k_rule{"example.com",
                                            "article .entry-content, #main > div[data-body]",
                                            {".read-also", "[class*=share]", "aside p"}};
  fw::extract::Options options;
  options.url = "https://example.com/news/a.html";
  options.content_type = std::string(k_content_types[flags & 7U]);
  options.fragment = (flags & 8U) != 0;
  if ((flags & 16U) != 0) options.rule = &k_rule;
  if ((flags & 32U) != 0) options.max_bytes = 64;
  auto article = fw::extract::extract(html, options);
  if (!article) std::abort();  // the rule is valid: extraction must not fail
  if (!fw::text::is_valid_utf8(article->text) || !fw::text::is_valid_utf8(article->html)) std::abort();
  if (!safe_html(article->html)) std::abort();
  return 0;
}
