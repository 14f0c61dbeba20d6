// The re-check schedule: gaps counted from first sight, missed points skipped.
#include <gtest/gtest.h>

#include "daemon/store/store.hpp"

namespace fw::store {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const std::vector<seconds> k_gaps{hours(1), hours(6), hours(24)};
constexpr std::int64_t k_first = 1'000'000;

TEST(NextRecheck, FirstFetchSchedulesTheFirstGap) {
  auto next = next_recheck(k_first, 0, k_gaps, k_first + 5);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->first, 1);
  EXPECT_EQ(next->second, k_first + 3600);
}

TEST(NextRecheck, GapsAddUpFromFirstSight) {
  auto next = next_recheck(k_first, 1, k_gaps, k_first + 3600 + 2);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->first, 2);
  EXPECT_EQ(next->second, k_first + 7 * 3600);
}

TEST(NextRecheck, PointsMissedWhileDownAreSkippedNotBunched) {
  // Down for two days: the 7 h point passed, the 31 h one too; nothing left.
  EXPECT_FALSE(next_recheck(k_first, 1, k_gaps, k_first + 48 * 3600));
  auto next = next_recheck(k_first, 1, k_gaps, k_first + 8 * 3600);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->first, 3);
  EXPECT_EQ(next->second, k_first + 31 * 3600);
}

TEST(NextRecheck, EmptyScheduleMeansNoRechecks) {
  EXPECT_FALSE(next_recheck(k_first, 0, {}, k_first));
}

TEST(NextRecheck, AStepPastTheScheduleStops) {
  EXPECT_FALSE(next_recheck(k_first, 3, k_gaps, k_first));
}

}  // namespace
}  // namespace fw::store
