#include "daemon/sched/http_hints.hpp"

#include <gtest/gtest.h>

namespace fw::sched {
namespace {

TEST(CacheMaxAge, DirectivesAreReadWhateverTheirCaseOrQuoting) {
  EXPECT_EQ(cache_max_age("max-age=3600"), 3600);
  EXPECT_EQ(cache_max_age("public, max-age=3600, must-revalidate"), 3600);
  EXPECT_EQ(cache_max_age("MAX-AGE=3600"), 3600);
  EXPECT_EQ(cache_max_age("max-age=\"3600\""), 3600);
  EXPECT_EQ(cache_max_age(" max-age = 60 "), 60);
  EXPECT_EQ(cache_max_age("max-age=0"), 0);
  // The first that parses counts (RFC 9111 §4.2.1), e.g. two Cache-Control lines joined.
  EXPECT_EQ(cache_max_age("max-age=600, public, max-age=60"), 600);
  EXPECT_EQ(cache_max_age("max-age=x, max-age=60"), 60);
  // Larger than 64 bits: the largest, for the caller to cap.
  EXPECT_EQ(cache_max_age("max-age=99999999999999999999999"), std::numeric_limits<std::int64_t>::max());
}

TEST(CacheMaxAge, OtherDirectivesAreNotMaxAge) {
  EXPECT_EQ(cache_max_age(""), std::nullopt);
  EXPECT_EQ(cache_max_age("no-cache"), std::nullopt);
  EXPECT_EQ(cache_max_age("s-maxage=3600"), std::nullopt);
  EXPECT_EQ(cache_max_age("x-max-age=3600"), std::nullopt);
  EXPECT_EQ(cache_max_age("max-age"), std::nullopt);
  EXPECT_EQ(cache_max_age("max-age=-5"), std::nullopt);
  EXPECT_EQ(cache_max_age("max-age=12.5"), std::nullopt);
}

TEST(RetryAfter, DelaySecondsAndTheThreeHttpDateForms) {
  const std::int64_t now = 1745400000;  // 2025-04-23T09:20:00Z
  EXPECT_EQ(retry_after("120", now), std::chrono::seconds(120));
  EXPECT_EQ(retry_after(" 120 ", now), std::chrono::seconds(120));
  EXPECT_EQ(retry_after("0", now), std::chrono::seconds(0));
  EXPECT_EQ(retry_after("Wed, 23 Apr 2025 10:20:00 GMT", now), std::chrono::seconds(3600));
  EXPECT_EQ(retry_after("Wednesday, 23-Apr-25 10:20:00 GMT", now), std::chrono::seconds(3600));
  EXPECT_EQ(retry_after("Wed Apr 23 10:20:00 2025", now), std::chrono::seconds(3600));
  EXPECT_EQ(retry_after("Wed, 23 Apr 2025 08:00:00 GMT", now), std::chrono::seconds(0));  // past: now
}

TEST(RetryAfter, LongDelaysAreCappedAndGarbageIsNone) {
  const std::int64_t now = 1745400000;
  EXPECT_EQ(retry_after("86400000", now), k_max_retry_after);
  // It was read as no Retry-After at all when too large for 64 bits.
  EXPECT_EQ(retry_after("99999999999999999999999", now), k_max_retry_after);
  EXPECT_EQ(retry_after("Sat, 01 Jan 2050 00:00:00 GMT", now), k_max_retry_after);
  EXPECT_EQ(retry_after("", now), std::nullopt);
  EXPECT_EQ(retry_after("-5", now), std::nullopt);
  EXPECT_EQ(retry_after("+30", now), std::nullopt);
  EXPECT_EQ(retry_after("120.5", now), std::nullopt);
  EXPECT_EQ(retry_after("soon", now), std::nullopt);
}

}  // namespace
}  // namespace fw::sched
