// Site rules' selectors are checked when the config loads.
#include <gtest/gtest.h>

#include "daemon/config/config.hpp"

namespace fw::config {
namespace {

std::vector<std::string> problems_of(const std::string& yaml) {
  try {
    load_string(yaml, "f.yaml");
  } catch (const ConfigError& e) {
    return e.problems();
  }
  return {};
}

TEST(ConfigSites, SupportedSelectorsLoad) {
  Config c = load_string(
      "sites:\n  - host: focus.cbbc.org\n    body: \"article .entry-content\"\n"
      "    remove: [\".read-also\", \"div > .share\", \"[data-ad]\", \"a[href*=promo]\"]\n",
      "f.yaml");
  ASSERT_EQ(c.sites.size(), 1u);
  EXPECT_EQ(c.sites[0].remove.size(), 4u);
}

TEST(ConfigSites, UnsupportedBodySelectorIsAnErrorWithItsLine) {
  auto problems = problems_of("sites:\n  - host: a.example\n    body: \"p:nth-child(2)\"\n");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("f.yaml:3: sites[0].body: bad CSS selector \"p:nth-child(2)\"", 0), 0u)
      << problems[0];
}

TEST(ConfigSites, UnsupportedRemoveSelectorNamesItsIndex) {
  auto problems = problems_of("sites:\n  - host: a.example\n    remove: [\".ok\", \"div ~ p\"]\n");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("f.yaml:3: sites[0].remove[1]: bad CSS selector \"div ~ p\"", 0), 0u)
      << problems[0];
}

}  // namespace
}  // namespace fw::config
