// libFuzzer target for URL handling: the input is a base URL and a reference
// separated by the first newline (no newline: the input is the reference
// against a fixed base). Resolution in the extractor (links in article HTML)
// and in the feed parser (entry links, xml:base), and the archive and paged
// feed URLs built from a feed URL, must not crash. Invariants: the extractor's
// result is "" or an http(s)/mailto URL (nothing else reaches href
// attributes); resolving a result again reaches a fixed point after one more
// pass; a paged feed URL starts with the feed URL.
//   scripts/fuzz 60     (seeds: fuzz/corpus/url_fuzz/)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "parsers/archive/archive.hpp"
#include "parsers/extract/extract.hpp"
#include "parsers/feed/detail.hpp"
#include "parsers/feed/feed.hpp"

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);  // NOLINT: libFuzzer's API
  const std::size_t newline = input.find('\n');
  const std::string_view base = newline == std::string_view::npos
                                    ? std::string_view("https://focus.cbbc.org/tag/tech/feed/")
                                    : input.substr(0, newline);
  const std::string_view ref = newline == std::string_view::npos ? input : input.substr(newline + 1);

  const std::string resolved = fw::extract::resolve_url(base, ref);
  if (!resolved.empty()) {
    if (!starts_with(resolved, "http:") && !starts_with(resolved, "https:") &&
        !starts_with(resolved, "mailto:")) {
      std::abort();
    }
    // Resolving a result normalizes it at most once more (RFC 3986 copies an
    // empty reference's base path as it is, dot segments and all); after that
    // it resolves to itself.
    const std::string again = fw::extract::resolve_url(base, resolved);
    if (again.empty() || fw::extract::resolve_url(base, again) != again) std::abort();
  }

  (void)fw::feed::detail::resolve_url(base, ref);

  const int page = ref.empty() ? 2 : 1 + static_cast<unsigned char>(ref[0]) % 200;
  const std::string paged = fw::archive::paged_feed_url(base, page);
  if (!starts_with(paged, base.substr(0, base.find_first_of("?#")))) std::abort();
  (void)fw::archive::archive_page_url(base, page);
  (void)fw::feed::wordpress_page_url(base, page);
  return 0;
}
