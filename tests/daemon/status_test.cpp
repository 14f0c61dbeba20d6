#include <gtest/gtest.h>

#include "daemon/cli/status_command.hpp"

namespace fw::cli {
namespace {

TEST(HumanDuration, PicksTheLargestReadableUnit) {
  EXPECT_EQ(human_duration(0), "0s");
  EXPECT_EQ(human_duration(119), "119s");
  EXPECT_EQ(human_duration(120), "2m");
  EXPECT_EQ(human_duration(7199), "119m");
  EXPECT_EQ(human_duration(7200), "2h");
  EXPECT_EQ(human_duration(2 * 86400 - 1), "47h");
  EXPECT_EQ(human_duration(3 * 86400), "3d");
  EXPECT_EQ(human_duration(-300), "5m");
}

}  // namespace
}  // namespace fw::cli
