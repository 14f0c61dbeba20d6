// Classification of the change between two fetched versions of an article.
// Pure: the caller supplies both versions and what the fetch saw. See classify.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/diff/diff.hpp"

namespace fw::diff {

enum class Kind : std::uint8_t {
  title_changed,
  minor,
  substantive,
  paragraphs_added,
  paragraphs_removed,
  correction_notice,
  removed,
  restored,
};

// "title_changed", "minor", ... (the names stored with each edit).
std::string_view kind_name(Kind kind);

// A set of kinds (a bit set; iteration order is the enum's order).
class KindSet {
 public:
  void add(Kind kind) { m_bits = static_cast<std::uint16_t>(m_bits | bit(kind)); }
  bool has(Kind kind) const { return (m_bits & bit(kind)) != 0; }
  bool empty() const { return m_bits == 0; }
  std::vector<Kind> kinds() const;
  std::vector<std::string_view> names() const;
  bool operator==(const KindSet&) const = default;

 private:
  static std::uint16_t bit(Kind kind) {
    return static_cast<std::uint16_t>(1U << static_cast<unsigned>(kind));
  }
  std::uint16_t m_bits = 0;
};

// One fetched version as the pipeline saw it.
struct Version {
  std::string_view title;
  std::string_view body;                      // extracted text, paragraphs separated by blank lines
  int http_status = 200;                      // final status; 0 when unknown
  bool removed = false;                       // the caller already knows the article is gone
  std::string_view url;                       // the article's URL
  std::string_view final_url;                 // URL after redirects; empty when none
  std::optional<std::int64_t> modified_time;  // page's own modified time (epoch seconds), if it gives one
};

enum class Removal : std::uint8_t { none, flagged, http_gone, redirect_home, redirect_listing, body_emptied };

// Why `v` counts as removed: the flag; HTTP 404 or 410; a redirect to the site's
// home page or to a tag/category/topic/section listing (by final_url's path);
// or a 2xx page whose canonical body is empty.
Removal removal(const Version& v);

struct Classification {
  KindSet kinds;
  // The body changed (canonically) but both versions give the same modified time.
  bool stealth = false;
  // Whether anything changed (kinds non-empty): false means "store nothing".
  bool changed = false;
  // Token and paragraph counts of the canonical body diff (zero when the body did not change).
  Stats stats;
};

// Thresholds (documented in classify.cpp):
inline constexpr std::size_t k_minor_max_tokens = 6;  // added + removed + changed content tokens
inline constexpr std::size_t k_sentence_min_words =
    3;  // an inserted run with a terminator and this many words

Classification classify(const Version& old_version, const Version& new_version);

}  // namespace fw::diff
