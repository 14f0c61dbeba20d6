// libFuzzer target for the date parser: any text must return a date or
// nullopt; a date in years 1..9999 must print as ISO 8601 and read back as the
// same instant (the parser's own output format round-trips).
//   scripts/fuzz 60     (seeds: fuzz/corpus/date_fuzz/)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "parsers/date/date.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT: libFuzzer's API
  const std::optional<fw::date::UnixTime> time = fw::date::parse(text);
  if (!time) return 0;
  constexpr fw::date::UnixTime k_year_1 = -62135596800;
  constexpr fw::date::UnixTime k_year_10000 = 253402300800;
  if (*time < k_year_1 || *time >= k_year_10000) return 0;
  const std::string iso = fw::date::format_iso8601(*time);
  if (iso.size() != 20) std::abort();
  const std::optional<fw::date::UnixTime> again = fw::date::parse(iso);
  if (!again || *again != *time) std::abort();
  return 0;
}
