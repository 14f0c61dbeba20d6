#include "daemon/sched/posting_rate.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace fw::sched {
namespace {

using std::chrono::seconds;

constexpr std::int64_t k_now = 1'750'000'000;
constexpr std::int64_t k_hour = 3600;

std::vector<std::int64_t> every(std::int64_t gap, int count, std::int64_t newest = k_now) {
  std::vector<std::int64_t> out;
  for (int i = 0; i < count; ++i) out.push_back(newest - i * gap);
  return out;
}

struct RateCase {
  const char* name;
  std::int64_t configured;
  std::int64_t gap;  // between posts
  int posts;
  std::int64_t expected;
};

class PostingRate : public ::testing::TestWithParam<RateCase> {};

TEST_P(PostingRate, Table) {
  const RateCase& c = GetParam();
  EXPECT_EQ(posting_rate_interval(seconds(c.configured), every(c.gap, c.posts), k_now), seconds(c.expected));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PostingRate,
    ::testing::Values(
        RateCase{"DailyPostsWithThreeHoursGiveSixHours", 3 * k_hour, 24 * k_hour, 10, 6 * k_hour},
        RateCase{"DailyPostsWithFifteenMinutesStretchFourTimes", 900, 24 * k_hour, 10, 3600},
        RateCase{"FrequentPostsKeepTheFloor", 900, 600, 10, 900},
        RateCase{"RatePartwayBetweenFloorAndCeiling", 900, 2 * k_hour, 10, 1800},
        RateCase{"WeeklyPostsCappedAtTwelveHours", 6 * k_hour, 7 * 24 * k_hour, 5, 12 * k_hour},
        RateCase{"ConfiguredAboveTheCapStaysAFloor", 24 * k_hour, 30 * 24 * k_hour, 5, 24 * k_hour},
        RateCase{"TwoPostsAreNoEstimate", 900, 24 * k_hour, 2, 900}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(PostingRateInput, NoDatesGiveTheConfiguredInterval) {
  EXPECT_EQ(posting_rate_interval(seconds(900), {}, k_now), seconds(900));
  // Three entries with one timestamp are one distinct time.
  EXPECT_EQ(posting_rate_interval(seconds(900), {k_now, k_now, k_now}, k_now), seconds(900));
}

TEST(PostingRateInput, FutureDatesAreIgnored) {
  std::vector<std::int64_t> times = every(24 * k_hour, 3);
  times.push_back(k_now + 365 * 24 * k_hour);
  EXPECT_EQ(posting_rate_interval(seconds(3 * k_hour), times, k_now), seconds(6 * k_hour));
  EXPECT_EQ(posting_rate_interval(seconds(900), {k_now + 1, k_now + 2, k_now + 3}, k_now), seconds(900));
}

TEST(PostingRateInput, OrderDoesNotMatter) {
  std::vector<std::int64_t> times = every(8 * k_hour, 6);
  std::reverse(times.begin(), times.end());
  EXPECT_EQ(posting_rate_interval(seconds(3600), times, k_now), seconds(2 * k_hour));
}

TEST(PostingRateInput, OnlyTheNewestEntriesCount) {
  // 20 posts two hours apart, then a hundred old ones a week apart: the recent rate rules.
  std::vector<std::int64_t> times = every(2 * k_hour, 20);
  for (int i = 0; i < 100; ++i) times.push_back(k_now - 40 * k_hour - i * 7 * 24 * k_hour);
  EXPECT_EQ(posting_rate_interval(seconds(900), times, k_now), seconds(1800));
}

}  // namespace
}  // namespace fw::sched
