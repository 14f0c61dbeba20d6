// The command-line contract of DESIGN.md for the pure commands: extract, diff,
// parse-feed, check-config, run as the real binary.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/support/support.hpp"

namespace fw::test {
namespace {

TEST(Cli, ExtractTextPrintsOnlyTheBody) {
  ProcessResult r = run_feedwatch({"extract", fixture_path("extract/focus-deepseek.html"), "--url",
                                   "https://focus.cbbc.org/what-is-deepseek/", "--format", "text"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Founded in 2023 by Liang Wenfeng"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("appeared first on"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("launchpad CBBC"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Read Also"), std::string::npos) << r.out;
}

TEST(Cli, ExtractFromStandardInputDropsScripts) {
  ProcessResult r = run_feedwatch({"extract", "-"}, "<p>One.</p><script>steal()</script><p>Two.</p>");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "One.\n\nTwo.\n");
}

TEST(Cli, DiffShowsTheChangedNumberAsOneToken) {
  TempDir dir;
  std::string old_path =
      dir.write("old.txt", "trained at a cost of approximately $6 million, a stark contrast");
  std::string new_path =
      dir.write("new.txt", "trained at a cost of approximately $60 million, a stark contrast");
  ProcessResult text = run_feedwatch({"diff", old_path, new_path});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("[-$6-]{+$60+}"), std::string::npos) << text.out;
  ProcessResult json = run_feedwatch({"diff", old_path, new_path, "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.out.front(), '{') << json.out;
}

TEST(Cli, ParseFeedOfANonFeedExitsOneWithAOneLineReason) {
  ProcessResult r = run_feedwatch({"parse-feed", "-"}, "just some words");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(Cli, ParseFeedPrintsTheGoldenJson) {
  ProcessResult r = run_feedwatch({"parse-feed", fixture_path("feeds/cbbc-tech-companies.xml"), "--base-url",
                                   "https://focus.cbbc.org/tag/tech-companies/feed/"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"id\":\"https://focus.cbbc.org/?p=15231\""), std::string::npos)
      << r.out.substr(0, 300);
  EXPECT_NE(r.out.find("\"format\":\"rss2.0\""), std::string::npos);
}

TEST(Cli, CheckConfigReportsFileLineAndExitsOne) {
  TempDir dir;
  std::string cfg = dir.write("c.yaml", "feeds:\n  - name: a\n    url: ftp://x\n    intervl: 5m\n");
  ProcessResult r = run_feedwatch({"check-config", "--config", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(cfg + ":3: feeds[0].url: not an http(s) URL"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(cfg + ":4: feeds[0].intervl: unknown key; did you mean 'interval'?"),
            std::string::npos)
      << r.err;
  ProcessResult ok =
      run_feedwatch({"check-config", "--config", std::string(FW_SOURCE_DIR) + "/config/feedwatch.yaml"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find(": ok: 1 feed"), std::string::npos) << ok.out;
}

}  // namespace
}  // namespace fw::test
