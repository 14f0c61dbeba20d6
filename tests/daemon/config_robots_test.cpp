// sites[].robots: obeying robots.txt is on unless a site turns it off.
#include <gtest/gtest.h>

#include "daemon/config/config.hpp"

namespace fw::config {
namespace {

TEST(ConfigRobots, OnByDefaultOffPerSite) {
  Config c = load_string("sites:\n  - host: a.example\n  - host: b.example\n    robots: false\n", "f.yaml");
  ASSERT_EQ(c.sites.size(), 2u);
  EXPECT_TRUE(c.sites[0].robots);
  EXPECT_FALSE(c.sites[1].robots);
}

TEST(ConfigRobots, NotABooleanIsAnErrorWithItsLine) {
  try {
    load_string("sites:\n  - host: a.example\n    robots: no\n", "f.yaml");
    FAIL() << "loaded";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.problems().size(), 1u);
    EXPECT_EQ(e.problems()[0].rfind("f.yaml:3: sites[0].robots: ", 0), 0u) << e.problems()[0];
  }
}

}  // namespace
}  // namespace fw::config
