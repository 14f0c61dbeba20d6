// libFuzzer target for the feed parser: any bytes, under a Content-Type picked
// from the input (so that every charset path is reached), must parse or fail
// cleanly, and a parsed feed must serialize to valid UTF-8 JSON. Crashes,
// sanitizer reports, hangs and broken invariants are findings.
//   scripts/fuzz 60     (seeds: fuzz/corpus/feed_fuzz/)
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "parsers/feed/feed.hpp"
#include "parsers/text/text.hpp"

namespace {

constexpr std::array<std::string_view, 12> k_content_types = {
    "",
    "application/rss+xml",
    "application/atom+xml; charset=utf-8",
    "text/xml; charset=windows-1252",
    "application/xml; charset=iso-8859-1",
    "text/xml; charset=utf-16",
    "text/xml; charset=utf-16le",
    "application/xml; charset=shift_jis",
    "text/html; charset=gb2312",
    "application/feed+json",
    "text/xml; charset=\"koi8-r\"",
    "text/xml; charset=bogus-charset",
};

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > (1U << 20U)) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);  // NOLINT: libFuzzer's API
  // The content type comes from the input without consuming any of it, so
  // that seed feeds stay whole.
  const std::size_t pick = (size + (size > 0 ? data[size / 2] : 0U)) % k_content_types.size();
  fw::feed::ParseOptions options{"https://example.org/feed/", std::string(k_content_types[pick])};
  options.plain_text = (size % 7) != 0;
  const fw::Result<fw::feed::Feed> feed = fw::feed::parse(bytes, options);
  if (!feed) {
    check(!feed.error().message.empty());
    return 0;
  }
  const std::string json = fw::feed::to_json(*feed);
  check(!json.empty() && json.front() == '{' && json.back() == '}');
  check(fw::text::is_valid_utf8(json));
  for (const fw::feed::Entry& entry : feed->entries) {
    if (entry.title) check(fw::text::is_valid_utf8(*entry.title));
    if (entry.content && options.plain_text) check(fw::text::is_valid_utf8(*entry.content));
  }
  return 0;
}
