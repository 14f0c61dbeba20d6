// Tests of parsers/date: one named table case per accepted or rejected form.
#include "parsers/date/date.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>

namespace fw::date {
namespace {

struct DateCase {
  const char* name;
  const char* input;
  const char* expected;  // nullptr: unparsable
};

std::ostream& operator<<(std::ostream& os, const DateCase& c) {
  return os << c.name << ": \"" << c.input << '"';
}

// clang-format off
const DateCase k_cases[] = {
    // RFC 822 / 1123 / 2822.
    {"rfc1123", "Sun, 06 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z"},
    {"rfc1123_numeric_offset", "Thu, 30 Jan 2025 20:15:00 -0500", "2025-01-31T01:15:00Z"},
    {"rfc1123_positive_offset", "Fri, 31 Jan 2025 12:00:00 +0100", "2025-01-31T11:00:00Z"},
    {"rfc_offset_with_colon", "Fri, 31 Jan 2025 12:00:00 -05:00", "2025-01-31T17:00:00Z"},
    {"rfc_minus_zero", "Fri, 31 Jan 2025 12:00:00 -0000", "2025-01-31T12:00:00Z"},
    {"rfc_no_weekday", "31 Jan 2025 12:00:00 GMT", "2025-01-31T12:00:00Z"},
    {"rfc_no_seconds", "Fri, 31 Jan 2025 12:00 GMT", "2025-01-31T12:00:00Z"},
    {"rfc_one_digit_day", "Fri, 7 Feb 2025 09:05:01 UT", "2025-02-07T09:05:01Z"},
    {"rfc_two_digit_year_2000s", "Sun, 06 Nov 49 08:49:37 GMT", "2049-11-06T08:49:37Z"},
    {"rfc_two_digit_year_1900s", "Sat, 06 Nov 50 08:49:37 GMT", "1950-11-06T08:49:37Z"},
    {"rfc_three_digit_year", "06 Nov 094 08:49:37 GMT", "1994-11-06T08:49:37Z"},
    {"rfc_full_names", "Friday, 31 January 2025 12:00:00 UTC", "2025-01-31T12:00:00Z"},
    {"rfc_any_case", "fri, 31 JAN 2025 12:00:00 gmt", "2025-01-31T12:00:00Z"},
    {"rfc_extra_spaces_commas", "  Fri,,  31  Jan,  2025   12:00:00   GMT  ", "2025-01-31T12:00:00Z"},
    {"rfc_missing_zone_is_utc", "Fri, 31 Jan 2025 12:00:00", "2025-01-31T12:00:00Z"},
    {"rfc_est", "Fri, 31 Jan 2025 12:00:00 EST", "2025-01-31T17:00:00Z"},
    {"rfc_edt", "Mon, 30 Jun 2025 12:00:00 EDT", "2025-06-30T16:00:00Z"},
    {"rfc_cst", "Fri, 31 Jan 2025 12:00:00 CST", "2025-01-31T18:00:00Z"},
    {"rfc_pdt", "Mon, 30 Jun 2025 12:00:00 PDT", "2025-06-30T19:00:00Z"},
    {"rfc_cest", "Mon, 30 Jun 2025 12:00:00 CEST", "2025-06-30T10:00:00Z"},
    {"rfc_jst", "Mon, 30 Jun 2025 09:00:00 JST", "2025-06-30T00:00:00Z"},
    {"rfc_military_z", "Fri, 31 Jan 2025 12:00:00 Z", "2025-01-31T12:00:00Z"},
    {"rfc_military_letter_is_utc", "Fri, 31 Jan 2025 12:00:00 A", "2025-01-31T12:00:00Z"},
    {"rfc_gmt_plus_hh_mm", "Fri, 31 Jan 2025 12:00:00 GMT+08:00", "2025-01-31T04:00:00Z"},
    {"rfc_utc_minus_h", "Fri, 31 Jan 2025 12:00:00 UTC-5", "2025-01-31T17:00:00Z"},
    {"rfc_etc_gmt", "Fri, 31 Jan 2025 12:00:00 Etc/GMT", "2025-01-31T12:00:00Z"},
    {"rfc_etc_gmt_posix_sign", "Fri, 31 Jan 2025 12:00:00 Etc/GMT+5", "2025-01-31T17:00:00Z"},
    {"rfc_numeric_wins_over_name", "Fri, 31 Jan 2025 12:00:00 +0100 (CET)", "2025-01-31T11:00:00Z"},
    {"rfc_numeric_and_gmt", "Fri, 31 Jan 2025 12:00:00 +0000 GMT", "2025-01-31T12:00:00Z"},
    {"rfc_glued_zone", "Fri, 31 Jan 2025 12:00:00Z", "2025-01-31T12:00:00Z"},
    {"rfc_fraction", "Fri, 31 Jan 2025 12:00:00.250 GMT", "2025-01-31T12:00:00Z"},
    {"rfc_pm", "31 Jan 2025 3:45 PM EST", "2025-01-31T20:45:00Z"},
    {"rfc_12am", "31 Jan 2025 12:10 am", "2025-01-31T00:10:00Z"},
    {"rfc_sept", "Mon, 1 Sept 2025 10:00:00 GMT", "2025-09-01T10:00:00Z"},
    {"rfc_abbrev_with_period", "Mon., 1 Sep. 2025 10:00:00 GMT", "2025-09-01T10:00:00Z"},
    {"rfc_date_only", "31 Jan 2025", "2025-01-31T00:00:00Z"},
    {"rfc_leap_day", "Thu, 29 Feb 2024 00:00:00 GMT", "2024-02-29T00:00:00Z"},
    {"rfc_leap_second_clamped", "Wed, 31 Dec 2016 23:59:60 GMT", "2016-12-31T23:59:59Z"},
    {"rfc_wrong_weekday_ignored", "Mon, 31 Jan 2025 12:00:00 GMT", "2025-01-31T12:00:00Z"},
    {"rfc850", "Sunday, 06-Nov-94 08:49:37 GMT", "1994-11-06T08:49:37Z"},
    {"asctime", "Sun Nov  6 08:49:37 1994", "1994-11-06T08:49:37Z"},
    {"month_first_no_weekday", "Nov 6 1994 08:49:37 GMT", "1994-11-06T08:49:37Z"},

    // W3C-DTF / ISO 8601.
    {"iso_z", "2025-01-31T12:00:00Z", "2025-01-31T12:00:00Z"},
    {"iso_lower_t_z", "2025-01-31t12:00:00z", "2025-01-31T12:00:00Z"},
    {"iso_fraction", "2025-01-31T12:00:00.987654Z", "2025-01-31T12:00:00Z"},
    {"iso_offset_colon", "2025-01-31T12:00:00+01:00", "2025-01-31T11:00:00Z"},
    {"iso_offset_no_colon", "2025-01-31T12:00:00+0100", "2025-01-31T11:00:00Z"},
    {"iso_offset_hours_only", "2025-01-31T12:00:00-03", "2025-01-31T15:00:00Z"},
    {"iso_offset_half_hour", "2025-01-31T12:00:00+05:30", "2025-01-31T06:30:00Z"},
    {"iso_offset_crosses_year", "2025-01-01T00:30:00+01:00", "2024-12-31T23:30:00Z"},
    {"iso_no_zone_is_utc", "2025-01-31T12:00:00", "2025-01-31T12:00:00Z"},
    {"iso_space_separator", "2025-01-31 12:00:00", "2025-01-31T12:00:00Z"},
    {"iso_space_then_zone", "2025-01-31 12:00:00 +0200", "2025-01-31T10:00:00Z"},
    {"iso_named_zone", "2025-01-31 12:00:00 UTC", "2025-01-31T12:00:00Z"},
    {"iso_no_seconds", "2025-01-31T12:00Z", "2025-01-31T12:00:00Z"},
    {"iso_date_only", "2025-01-31", "2025-01-31T00:00:00Z"},
    {"iso_year_month", "2025-01", "2025-01-01T00:00:00Z"},
    {"iso_year", "2025", "2025-01-01T00:00:00Z"},
    {"iso_basic", "20250131T120000Z", "2025-01-31T12:00:00Z"},
    {"iso_basic_date", "20250131", "2025-01-31T00:00:00Z"},
    {"iso_unpadded", "2025-1-5 3:04:05", "2025-01-05T03:04:05Z"},
    {"iso_hour_24", "2025-01-31T24:00:00Z", "2025-02-01T00:00:00Z"},
    {"iso_leap_second", "2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z"},
    {"iso_leap_day_2000", "2000-02-29", "2000-02-29T00:00:00Z"},
    {"iso_surrounding_whitespace", "\n\t 2025-01-31T12:00:00Z \n", "2025-01-31T12:00:00Z"},
    {"iso_year_zero", "0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"},
    {"iso_year_9999", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"},
    {"iso_epoch", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"},
    {"iso_before_epoch", "1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"},

    // Failures: never "now", always nullopt.
    {"fail_empty", "", nullptr},
    {"fail_blank", "   ", nullptr},
    {"fail_words", "yesterday", nullptr},
    {"fail_month_13", "2025-13-01", nullptr},
    {"fail_month_0", "2025-00-10", nullptr},
    {"fail_feb_30", "2025-02-30", nullptr},
    {"fail_feb_29_non_leap", "2025-02-29T00:00:00Z", nullptr},
    {"fail_feb_29_1900", "Thu, 29 Feb 1900 00:00:00 GMT", nullptr},
    {"fail_hour_25", "2025-01-31T25:00:00Z", nullptr},
    {"fail_hour_24_not_midnight", "2025-01-31T24:00:01Z", nullptr},
    {"fail_minute_60", "2025-01-31T12:60:00Z", nullptr},
    {"fail_second_61", "Fri, 31 Jan 2025 12:00:61 GMT", nullptr},
    {"fail_day_32", "32 Jan 2025 12:00:00 GMT", nullptr},
    {"fail_unknown_zone", "Fri, 31 Jan 2025 12:00:00 XYZ", nullptr},
    {"fail_ambiguous_ist", "Fri, 31 Jan 2025 12:00:00 IST", nullptr},
    {"fail_military_j", "Fri, 31 Jan 2025 12:00:00 J", nullptr},
    {"fail_offset_out_of_range", "2025-01-31T12:00:00+25:00", nullptr},
    {"fail_offset_bad_minutes", "2025-01-31T12:00:00+01:75", nullptr},
    {"fail_no_month", "Fri, 31 2025 12:00:00 GMT", nullptr},
    {"fail_no_year", "Fri, 31 Jan 12:00:00 GMT", nullptr},
    {"fail_two_months", "31 Jan Feb 2025", nullptr},
    {"fail_trailing_garbage_iso", "2025-01-31T12:00:00Z junk", nullptr},
    {"fail_iso_bad_separator", "2025-01-31X12:00:00", nullptr},
    {"fail_iso_truncated_time", "2025-01-31T12", nullptr},
    {"fail_unix_timestamp", "1738324800", nullptr},
    {"fail_two_numeric_zones", "31 Jan 2025 12:00 +0100 +0200", nullptr},
    {"fail_unclosed_comment", "31 Jan 2025 12:00 (GMT", nullptr},
    {"fail_bad_am_pm_hour", "31 Jan 2025 13:00 PM", nullptr},
};
// clang-format on

class DateTable : public ::testing::TestWithParam<DateCase> {};

TEST_P(DateTable, ParsesOrRejects) {
  const DateCase& c = GetParam();
  const std::optional<UnixTime> got = parse(c.input);
  if (c.expected == nullptr) {
    EXPECT_FALSE(got.has_value()) << "parsed as " << format_iso8601(*got);
  } else {
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(format_iso8601(*got), c.expected);
  }
}

INSTANTIATE_TEST_SUITE_P(Date, DateTable, ::testing::ValuesIn(k_cases),
                         [](const ::testing::TestParamInfo<DateCase>& param_info) {
                           return std::string(param_info.param.name);
                         });

TEST(DateFromCivil, KnownValues) {
  EXPECT_EQ(from_civil(1970, 1, 1, 0, 0, 0), 0);
  EXPECT_EQ(from_civil(2000, 3, 1, 0, 0, 0), 951868800);
  EXPECT_EQ(from_civil(2025, 1, 31, 12, 0, 0), 1738324800);
  EXPECT_EQ(from_civil(1969, 12, 31, 23, 59, 59), -1);
  EXPECT_EQ(from_civil(0, 1, 1, 0, 0, 0), -62167219200);
}

TEST(DateFormat, Iso8601) {
  EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_iso8601(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_iso8601(1738324800), "2025-01-31T12:00:00Z");
  EXPECT_EQ(format_iso8601(-62167219200), "0000-01-01T00:00:00Z");
  EXPECT_EQ(format_iso8601(253402300799), "9999-12-31T23:59:59Z");
}

TEST(DateFormat, RoundTripsEveryDayOfLeapCycle) {
  // Every day of a 400-year cycle starting 1900: format then parse gives back the value.
  const UnixTime start = from_civil(1900, 1, 1, 0, 0, 0);
  for (UnixTime day = 0; day < 146097; day += 1) {
    const UnixTime t = start + day * 86400 + 3661;
    const auto back = parse(format_iso8601(t));
    ASSERT_TRUE(back.has_value()) << format_iso8601(t);
    ASSERT_EQ(*back, t) << format_iso8601(t);
  }
}

}  // namespace
}  // namespace fw::date
