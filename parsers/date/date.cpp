// Feed dates: what we accept, and why.
//
// Feeds carry dates in two families, and real feeds bend both (FEED-JSON.md
// "Dates"). We parse each family with its own small hand-written scanner, never
// with strptime/timegm/mktime: those depend on the C locale and the TZ
// environment, and this code must be pure (same bytes in, same value out, on
// any machine). Civil time is turned into a Unix time by days-from-civil
// arithmetic (proleptic Gregorian calendar), see from_civil() below.
//
// 1. W3C-DTF / ISO 8601 (Atom, RDF dc:date, JSON Feed). Chosen when the text
//    starts with four digits followed by '-', by the end, or by more digits
//    (the basic form). Accepted:
//      2025                      -> 2025-01-01T00:00:00Z
//      2025-01                   -> 2025-01-01T00:00:00Z
//      2025-01-31                -> midnight UTC
//      2025-01-31T12:00Z         (W3C-DTF allows minutes without seconds)
//      2025-01-31T12:00:00.123+01:00   (fraction truncated, offset applied)
//      2025-01-31 12:00:00 +0100 (space for 'T', offset without colon, or
//                                 a space before the zone: CMS exports)
//      2025-01-31T12:00:00       (no zone: taken as UTC, as FEED-JSON says)
//      20250131T120000Z          (ISO 8601 basic form)
//    The zone may also be any zone name accepted in the RFC 822 family
//    ("2025-01-31 12:00:00 UTC"). Month/day/hour may lack their leading zero
//    ("2025-1-5 3:04:05"): sloppy generators write that and the meaning is
//    unambiguous.
//
// 2. RFC 822 / RFC 1123 / RFC 2822 (RSS pubDate), plus RFC 850 and asctime,
//    which HTTP also allows (RFC 9110 section 5.6.7). The text is split into
//    tokens on spaces and commas (parenthesised RFC 2822 comments such as
//    "(UTC)" are dropped) and each token is classified by its shape, so
//    word order matters little:
//      Sun, 06 Nov 1994 08:49:37 GMT      RFC 1123
//      Sunday, 06-Nov-94 08:49:37 GMT     RFC 850 (dashed date is split)
//      Sun Nov  6 08:49:37 1994           asctime (no zone: UTC)
//      6 november 2025 8:49 pm est        any case, full names, no seconds,
//                                         12-hour clock with AM/PM
//      Thu,, 31  Jan 2025 12:00:00 +0000  stray commas and spaces
//    - The weekday is optional, may be full or abbreviated, and is NOT checked
//      against the date: feeds get it wrong far more often than the date.
//    - Exactly two numbers besides the time: the day and the year, in that
//      order (a 3-4 digit first number is taken as the year: "2025 Jan 31").
//    - Two-digit years follow RFC 2822 section 4.3: 00-49 -> 20xx, 50-99 ->
//      19xx; three-digit years get 1900 added.
//    - Seconds are optional; a missing time means midnight.
//
// Zones (both families). A numeric offset always wins over a name when both
// are present ("+0000 GMT", "-0500 EST"); two numeric offsets or two names are
// rejected.
//    - Numeric: +hhmm, +hh:mm, +hh (|hh| <= 18, mm <= 59). "-0000" is UTC.
//    - UT, GMT, UTC, Z, and RFC 822's North-American zones EST/EDT, CST/CDT,
//      MST/MDT, PST/PDT (CST is US Central here, as the RFC says, not China).
//    - A short list of unambiguous, widely used abbreviations: BST (British
//      Summer), WET/WEST, CET/CEST, EET/EEST, MSK, JST, KST, HKT, SGT,
//      AKST/AKDT, HST, AEST/AEDT, ACST/ACDT, AWST, NZST/NZDT. Ambiguous ones
//      (IST: India/Ireland/Israel; AST: Atlantic/Arabia) are rejected, because
//      a date that is silently hours off is worse than no date (null).
//    - GMT+hh:mm, UTC-5, GMT+0530: the offset after the name.
//    - Etc/GMT, Etc/UTC -> UTC. Etc/GMT+5 follows the IANA/POSIX convention,
//      whose sign is inverted: Etc/GMT+5 is UTC-05:00.
//    - Military single letters (RFC 822 A-I, K-Y; J is not a zone). RFC 822
//      printed their signs backwards, and RFC 1123 section 5.2.14 and RFC 2822
//      section 4.3 say they carry no reliable information and are to be read
//      as -0000. We do exactly that: accepted, taken as UTC. "Z" is UTC anyway.
//    - No zone at all: UTC.
//
// Range checks, both families: month 1-12; day within the month, leap years
// per the Gregorian rule (2024-02-29 ok, 2100-02-29 not); hour 0-23, or 24
// when minutes and seconds are zero (ISO 8601's end of day = next midnight);
// minute 0-59; second 0-60, where a leap second 60 is clamped to 59 (Unix time
// has no leap seconds, and rounding forward could change the day). Years are
// 0000-9999. Anything else, or any token we do not understand, gives nullopt:
// a feed date is never replaced by "now" here; callers decide what to do.
//
// Worked example: "Thu, 30 Jan 2025 20:15:00 -0500"
//   tokens: Thu | 30 | Jan | 2025 | 20:15:00 | -0500
//   weekday skipped; month 1; numbers [30, 2025] -> day 30, year 2025;
//   time 20:15:00; offset -5h.
//   from_civil(2025,1,30,20,15,0) = 1738268100, minus the offset (-18000)
//   -> 1738286100 = 2025-01-31T01:15:00Z.
#include "parsers/date/date.hpp"

#include <array>
#include <cstdio>
#include <utility>
#include <vector>

namespace fw::date {

namespace {

constexpr int k_max_offset_hours = 18;

struct Civil {
  int year = 0;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}
char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

bool all_alpha(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_alpha(c)) return false;
  }
  return true;
}

// Digits only, at most 9 of them (no overflow).
std::optional<int> to_int(std::string_view s) {
  if (!all_digits(s) || s.size() > 9) return std::nullopt;
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int year, int month) {
  static constexpr std::array<int, 12> k_days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && is_leap(year)) return 29;
  return k_days[static_cast<std::size_t>(month - 1)];
}

// Validates the fields and converts; `offset` is seconds east of UTC.
std::optional<UnixTime> finish(Civil c, int offset) {
  if (c.year < 0 || c.year > 9999) return std::nullopt;
  if (c.month < 1 || c.month > 12) return std::nullopt;
  if (c.day < 1 || c.day > days_in_month(c.year, c.month)) return std::nullopt;
  if (c.minute < 0 || c.minute > 59) return std::nullopt;
  if (c.second < 0 || c.second > 60) return std::nullopt;
  if (c.hour < 0 || c.hour > 24) return std::nullopt;
  if (c.hour == 24 && (c.minute != 0 || c.second != 0)) return std::nullopt;
  if (c.second == 60) c.second = 59;  // leap second: clamp, see the essay
  return from_civil(c.year, c.month, c.day, c.hour, c.minute, c.second) - offset;
}

// "+hhmm", "+hh:mm", "+hh", and one-digit hours "+h", "+h:mm", "+hmm" (seen
// after "GMT"). Seconds east of UTC.
std::optional<int> parse_numeric_offset(std::string_view s) {
  if (s.size() < 2 || (s[0] != '+' && s[0] != '-')) return std::nullopt;
  const int sign = s[0] == '-' ? -1 : 1;
  s.remove_prefix(1);
  std::optional<int> hours;
  std::optional<int> minutes = 0;
  if (const auto colon = s.find(':'); colon != std::string_view::npos) {
    if (colon == 0 || colon > 2 || s.size() - colon - 1 != 2) return std::nullopt;
    hours = to_int(s.substr(0, colon));
    minutes = to_int(s.substr(colon + 1));
  } else if (s.size() <= 2) {
    hours = to_int(s);
  } else if (s.size() == 4 || s.size() == 3) {  // hhmm, hmm
    hours = to_int(s.substr(0, s.size() - 2));
    minutes = to_int(s.substr(s.size() - 2));
  } else {
    return std::nullopt;
  }
  if (!hours || !minutes || *hours > k_max_offset_hours || *minutes > 59) return std::nullopt;
  return sign * (*hours * 3600 + *minutes * 60);
}

struct NamedZone {
  std::string_view name;
  int offset_minutes;
};

// See the essay for why these and no others.
constexpr std::array<NamedZone, 39> k_named_zones{{
    {"UT", 0},         {"UTC", 0},       {"GMT", 0},       {"Z", 0},          {"UCT", 0},
    {"EST", -5 * 60},  {"EDT", -4 * 60}, {"CST", -6 * 60}, {"CDT", -5 * 60},  {"MST", -7 * 60},
    {"MDT", -6 * 60},  {"PST", -8 * 60}, {"PDT", -7 * 60}, {"AKST", -9 * 60}, {"AKDT", -8 * 60},
    {"HST", -10 * 60}, {"BST", 60},      {"WET", 0},       {"WEST", 60},      {"CET", 60},
    {"CEST", 120},     {"MET", 60},      {"MEST", 120},    {"EET", 120},      {"EEST", 180},
    {"MSK", 180},      {"JST", 540},     {"KST", 540},     {"HKT", 480},      {"SGT", 480},
    {"AWST", 480},     {"ACST", 570},    {"ACDT", 630},    {"AEST", 600},     {"AEDT", 660},
    {"NZST", 720},     {"NZDT", 780},    {"GMT0", 0},      {"ZULU", 0},
}};

// A whole zone token, in any case. Seconds east of UTC.
std::optional<int> parse_zone(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s[0] == '+' || s[0] == '-') return parse_numeric_offset(s);
  for (const auto& zone : k_named_zones) {
    if (iequals(s, zone.name)) return zone.offset_minutes * 60;
  }
  // Military letters: RFC 1123 5.2.14 / RFC 2822 4.3 -> read as -0000. No J.
  if (s.size() == 1 && is_alpha(s[0]) && to_lower(s[0]) != 'j') return 0;
  // Etc/GMT, Etc/GMT+5 (POSIX sign: UTC-5), Etc/UTC.
  if (istarts_with(s, "etc/")) {
    std::string_view rest = s.substr(4);
    if (iequals(rest, "GMT") || iequals(rest, "UTC") || iequals(rest, "UCT") || iequals(rest, "Zulu") ||
        iequals(rest, "Universal") || iequals(rest, "GMT0")) {
      return 0;
    }
    if (istarts_with(rest, "gmt") && rest.size() > 3 && (rest[3] == '+' || rest[3] == '-')) {
      std::string_view num = rest.substr(4);
      const auto hours = to_int(num);
      if (!hours || num.size() > 2 || *hours > 14) return std::nullopt;
      return (rest[3] == '+' ? -1 : 1) * *hours * 3600;
    }
    return std::nullopt;
  }
  // GMT+hh:mm, UTC-5, UT+0100.
  for (std::string_view prefix : {"GMT", "UTC", "UT"}) {
    if (istarts_with(s, prefix) && s.size() > prefix.size() &&
        (s[prefix.size()] == '+' || s[prefix.size()] == '-')) {
      return parse_numeric_offset(s.substr(prefix.size()));
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- ISO 8601

// Reads 1..max digits (at least min) at `pos`.
std::optional<int> read_digits(std::string_view s, std::size_t& pos, std::size_t min, std::size_t max) {
  std::size_t end = pos;
  while (end < s.size() && end - pos < max && is_digit(s[end])) ++end;
  if (end - pos < min) return std::nullopt;
  auto v = to_int(s.substr(pos, end - pos));
  pos = end;
  return v;
}

std::optional<UnixTime> parse_iso(std::string_view s) {
  Civil c;
  std::size_t pos = 0;
  const auto year = read_digits(s, pos, 4, 4);
  if (!year) return std::nullopt;
  c.year = *year;
  if (pos == s.size()) return finish(c, 0);  // "2025"

  bool basic = false;
  if (s[pos] == '-') {
    ++pos;
    const auto month = read_digits(s, pos, 1, 2);
    if (!month) return std::nullopt;
    c.month = *month;
    if (pos == s.size()) return finish(c, 0);  // "2025-01"
    if (s[pos] != '-') return std::nullopt;
    ++pos;
    const auto day = read_digits(s, pos, 1, 2);
    if (!day) return std::nullopt;
    c.day = *day;
  } else {
    basic = true;  // "20250131"
    const auto month = read_digits(s, pos, 2, 2);
    const auto day = read_digits(s, pos, 2, 2);
    if (!month || !day) return std::nullopt;
    c.month = *month;
    c.day = *day;
  }
  if (pos == s.size()) return finish(c, 0);  // date only

  // Date/time separator: 'T', or spaces (RFC 3339 section 5.6 allows a space).
  if (s[pos] == 'T' || s[pos] == 't') {
    ++pos;
  } else if (is_space(s[pos])) {
    while (pos < s.size() && is_space(s[pos])) ++pos;
  } else {
    return std::nullopt;
  }

  const auto hour = read_digits(s, pos, basic ? 2 : 1, 2);
  if (!hour) return std::nullopt;
  c.hour = *hour;
  const bool extended = pos < s.size() && s[pos] == ':';
  if (extended) ++pos;
  const auto minute = read_digits(s, pos, 2, 2);
  if (!minute) return std::nullopt;
  c.minute = *minute;
  if (pos < s.size() && (extended ? s[pos] == ':' : is_digit(s[pos]))) {
    if (extended) ++pos;
    const auto second = read_digits(s, pos, 2, 2);
    if (!second) return std::nullopt;
    c.second = *second;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {  // fraction: truncated
      ++pos;
      const std::size_t start = pos;
      while (pos < s.size() && is_digit(s[pos])) ++pos;
      if (pos == start) return std::nullopt;
    }
  }

  std::string_view rest = trim(s.substr(pos));
  if (rest.empty()) return finish(c, 0);  // no zone: UTC
  const auto offset = parse_zone(rest);
  if (!offset) return std::nullopt;
  return finish(c, *offset);
}

// ------------------------------------------------------- RFC 822 family

constexpr std::array<std::string_view, 17> k_weekdays{
    "mon",   "monday",   "tue", "tues",   "tuesday", "wed",      "wednesday", "thu",    "thur",
    "thurs", "thursday", "fri", "friday", "sat",     "saturday", "sun",       "sunday",
};

struct MonthName {
  std::string_view name;
  int month;
};

constexpr std::array<MonthName, 24> k_months{{
    {"jan", 1},  {"january", 1},  {"feb", 2},    {"february", 2},  {"mar", 3},  {"march", 3},
    {"apr", 4},  {"april", 4},    {"may", 5},    {"jun", 6},       {"june", 6}, {"jul", 7},
    {"july", 7}, {"aug", 8},      {"august", 8}, {"sep", 9},       {"sept", 9}, {"september", 9},
    {"oct", 10}, {"october", 10}, {"nov", 11},   {"november", 11}, {"dec", 12}, {"december", 12},
}};

bool is_weekday(std::string_view s) {
  for (auto w : k_weekdays) {
    if (iequals(s, w)) return true;
  }
  return false;
}

std::optional<int> month_number(std::string_view s) {
  for (const auto& m : k_months) {
    if (iequals(s, m.name)) return m.month;
  }
  return std::nullopt;
}

// Splits on whitespace and commas, drops "( ... )" comments (nesting allowed),
// and splits RFC 850's "06-Nov-94" into three tokens.
std::optional<std::vector<std::string_view>> tokenize(std::string_view s) {
  std::vector<std::string_view> raw;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (is_space(c) || c == ',') {
      ++i;
    } else if (c == '(') {
      int depth = 0;
      for (; i < s.size(); ++i) {
        if (s[i] == '(') ++depth;
        if (s[i] == ')' && --depth == 0) break;
      }
      if (i == s.size()) return std::nullopt;  // unclosed comment
      ++i;
    } else if (c == ')') {
      return std::nullopt;
    } else {
      const std::size_t start = i;
      while (i < s.size() && !is_space(s[i]) && s[i] != ',' && s[i] != '(' && s[i] != ')') ++i;
      raw.push_back(s.substr(start, i - start));
    }
  }
  std::vector<std::string_view> out;
  for (std::string_view t : raw) {
    const auto d1 = t.find('-');
    const auto d2 = d1 == std::string_view::npos ? d1 : t.find('-', d1 + 1);
    if (d1 != std::string_view::npos && d1 > 0 && d2 != std::string_view::npos &&
        t.find('-', d2 + 1) == std::string_view::npos && all_digits(t.substr(0, d1)) &&
        all_alpha(t.substr(d1 + 1, d2 - d1 - 1)) && all_digits(t.substr(d2 + 1))) {
      out.push_back(t.substr(0, d1));
      out.push_back(t.substr(d1 + 1, d2 - d1 - 1));
      out.push_back(t.substr(d2 + 1));
    } else {
      out.push_back(t);
    }
  }
  return out;
}

struct RfcState {
  std::optional<int> month;
  std::vector<std::string_view> numbers;
  bool have_time = false;
  Civil time;
  std::optional<int> named_offset;
  std::optional<int> numeric_offset;
  std::optional<bool> pm;
};

bool add_zone(RfcState& st, std::string_view token) {
  const auto offset = parse_zone(token);
  if (!offset) return false;
  const bool numeric = token[0] == '+' || token[0] == '-' ||
                       (token.size() > 2 && (token.find('+') != std::string_view::npos ||
                                             token.find('-') != std::string_view::npos));
  auto& slot = numeric ? st.numeric_offset : st.named_offset;
  if (slot) return false;
  slot = *offset;
  return true;
}

// "08:49", "08:49:37", "8:49:37.5", optionally followed by a glued zone ("08:49:37Z").
bool add_time(RfcState& st, std::string_view token) {
  if (st.have_time) return false;
  std::size_t pos = 0;
  const auto hour = read_digits(token, pos, 1, 2);
  if (!hour || pos >= token.size() || token[pos] != ':') return false;
  ++pos;
  const auto minute = read_digits(token, pos, 2, 2);
  if (!minute) return false;
  st.time.hour = *hour;
  st.time.minute = *minute;
  if (pos < token.size() && token[pos] == ':') {
    ++pos;
    const auto second = read_digits(token, pos, 2, 2);
    if (!second) return false;
    st.time.second = *second;
    if (pos < token.size() && token[pos] == '.') {
      ++pos;
      const std::size_t start = pos;
      while (pos < token.size() && is_digit(token[pos])) ++pos;
      if (pos == start) return false;
    }
  }
  st.have_time = true;
  if (pos < token.size()) return add_zone(st, token.substr(pos));
  return true;
}

std::optional<UnixTime> parse_rfc(std::string_view s) {
  const auto tokens = tokenize(s);
  if (!tokens || tokens->empty()) return std::nullopt;
  RfcState st;
  bool seen_weekday = false;
  for (std::string_view token : *tokens) {
    // "Jan." / "Sun." abbreviations.
    if (token.size() > 1 && token.back() == '.' && all_alpha(token.substr(0, token.size() - 1))) {
      token.remove_suffix(1);
    }
    const bool nothing_yet = !st.month && st.numbers.empty() && !st.have_time;
    if (all_alpha(token)) {
      if (is_weekday(token) && !seen_weekday && nothing_yet) {
        seen_weekday = true;
      } else if (const auto m = month_number(token); m && !st.month) {
        st.month = *m;
      } else if ((iequals(token, "am") || iequals(token, "pm")) && st.have_time && !st.pm) {
        st.pm = iequals(token, "pm");
      } else if (!add_zone(st, token)) {
        return std::nullopt;
      }
    } else if (is_digit(token[0]) && token.find(':') != std::string_view::npos) {
      if (!add_time(st, token)) return std::nullopt;
    } else if (all_digits(token)) {
      if (token.size() > 4) return std::nullopt;
      st.numbers.push_back(token);
    } else if (!add_zone(st, token)) {
      return std::nullopt;
    }
  }
  if (!st.month || st.numbers.size() != 2) return std::nullopt;

  std::string_view day_text = st.numbers[0];
  std::string_view year_text = st.numbers[1];
  if (day_text.size() >= 3 && year_text.size() <= 2) std::swap(day_text, year_text);  // "2025 Jan 31"
  if (day_text.size() > 2 || year_text.size() < 2) return std::nullopt;

  Civil c = st.time;
  c.month = *st.month;
  c.day = *to_int(day_text);
  c.year = *to_int(year_text);
  if (year_text.size() == 2) {
    c.year += c.year < 50 ? 2000 : 1900;  // RFC 2822 section 4.3
  } else if (year_text.size() == 3) {
    c.year += 1900;  // RFC 2822 section 4.3
  }
  if (st.pm) {
    if (c.hour < 1 || c.hour > 12) return std::nullopt;
    if (*st.pm && c.hour != 12) c.hour += 12;
    if (!*st.pm && c.hour == 12) c.hour = 0;
  }
  const int offset = st.numeric_offset ? *st.numeric_offset : st.named_offset.value_or(0);
  return finish(c, offset);
}

// Floor division for negative times.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

// Howard Hinnant's days_from_civil (public domain algorithm, re-derived here):
// shift the year to start in March so that the leap day is the last day of
// the "year", then count 400-year eras of 146097 days.
UnixTime from_civil(int year, int month, int day, int hour, int minute, int second) {
  const std::int64_t y = static_cast<std::int64_t>(year) - (month <= 2 ? 1 : 0);
  const std::int64_t era = floor_div(y, 400);
  const std::int64_t yoe = y - era * 400;                          // [0, 399]
  const std::int64_t mp = (month + 9) % 12;                        // March = 0
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;           // [0, 365]
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
  const std::int64_t days = era * 146097 + doe - 719468;           // since 1970-01-01
  return days * 86400 + static_cast<std::int64_t>(hour) * 3600 + static_cast<std::int64_t>(minute) * 60 +
         second;
}

std::optional<UnixTime> parse(std::string_view text) {
  const std::string_view s = trim(text);
  if (s.empty() || s.size() > 256) return std::nullopt;
  if (s.size() >= 4 && all_digits(s.substr(0, 4)) && (s.size() == 4 || s[4] == '-' || is_digit(s[4]))) {
    return parse_iso(s);
  }
  return parse_rfc(s);
}

std::string format_iso8601(UnixTime t) {
  const std::int64_t days = floor_div(t, 86400);
  const std::int64_t secs = t - days * 86400;
  // civil_from_days (Hinnant), inverse of from_civil.
  const std::int64_t z = days + 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);

  // Sized for any int64 year, so the output is never truncated.
  std::array<char, 128> buf{};
  std::snprintf(buf.data(), buf.size(), "%04lld-%02d-%02dT%02d:%02d:%02dZ", static_cast<long long>(year),
                static_cast<int>(month), static_cast<int>(day), static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  return std::string(buf.data());
}

}  // namespace fw::date
