// Feed date parsing: RFC 822/1123 and its real-world variants, asctime, and
// W3C-DTF / ISO 8601 in all partial forms. Always UTC. No clocks: pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fw::date {

using UnixTime = std::int64_t;

// Parses any date form that feeds use (FEED-JSON.md "Dates"); nullopt when unparsable.
std::optional<UnixTime> parse(std::string_view text);

// "YYYY-MM-DDTHH:MM:SSZ".
std::string format_iso8601(UnixTime t);

// Days-from-civil arithmetic without time zones (proleptic Gregorian, UTC).
UnixTime from_civil(int year, int month, int day, int hour, int minute, int second);

}  // namespace fw::date
