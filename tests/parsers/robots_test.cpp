#include "parsers/robots/robots.hpp"

#include <gtest/gtest.h>

namespace fw::robots {
namespace {

bool allowed(const std::string& text, const std::string& path, const std::string& agent = "feedwatch") {
  return rules_for(parse(text), agent).allowed(path);
}

struct RobotsCase {
  const char* name;
  const char* robots;
  const char* path;
  bool allowed;
};

class RobotsTable : public ::testing::TestWithParam<RobotsCase> {};

TEST_P(RobotsTable, Allowed) {
  EXPECT_EQ(allowed(GetParam().robots, GetParam().path), GetParam().allowed)
      << GetParam().robots << "\npath: " << GetParam().path;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RobotsTable,
    ::testing::Values(
        RobotsCase{"EmptyFileAllowsAll", "", "/x", true},
        RobotsCase{"StarGroupDisallows", "User-agent: *\nDisallow: /private/\n", "/private/a", false},
        RobotsCase{"PrefixOnlyMatchesPrefix", "User-agent: *\nDisallow: /private/\n", "/public/private/",
                   true},
        RobotsCase{"EmptyDisallowAllowsAll", "User-agent: *\nDisallow:\n", "/anything", true},
        RobotsCase{"DisallowRootBlocksAll", "User-agent: *\nDisallow: /\n", "/a/b?c", false},
        RobotsCase{"LongestMatchWinsAllow", "User-agent: *\nDisallow: /tag/\nAllow: /tag/tech-companies/\n",
                   "/tag/tech-companies/feed/", true},
        RobotsCase{"LongestMatchWinsDisallow", "User-agent: *\nAllow: /p\nDisallow: /p/secret\n",
                   "/p/secret/1", false},
        RobotsCase{"OrderDoesNotMatter", "User-agent: *\nAllow: /tag/tech-companies/\nDisallow: /tag/\n",
                   "/tag/tech-companies/", true},
        RobotsCase{"TieGoesToAllow", "User-agent: *\nDisallow: /page\nAllow: /page\n", "/page", true},
        RobotsCase{"StarMatchesAnyRun", "User-agent: *\nDisallow: /*/print/\n", "/2025/01/print/x", false},
        RobotsCase{"StarNeedsTheRest", "User-agent: *\nDisallow: /*/print/\n", "/2025/01/printable", true},
        RobotsCase{"DollarAnchorsTheEnd", "User-agent: *\nDisallow: /*.pdf$\n", "/report.pdf", false},
        RobotsCase{"DollarAnchorMissesLonger", "User-agent: *\nDisallow: /*.pdf$\n", "/report.pdf?x=1", true},
        RobotsCase{"DollarInTheMiddleIsLiteral", "User-agent: *\nDisallow: /a$b\n", "/a$bc", false},
        RobotsCase{"AnchoredSegmentsDoNotOverlap", "User-agent: *\nDisallow: /ab*b$\n", "/ab", true},
        RobotsCase{"QueryIsPartOfThePath", "User-agent: *\nDisallow: /*?replytocom=\n", "/p/1?replytocom=5",
                   false},
        RobotsCase{"RobotsTxtAlwaysAllowed", "User-agent: *\nDisallow: /\n", "/robots.txt", true},
        RobotsCase{"NamedGroupBeatsStar", "User-agent: *\nDisallow: /\n\nUser-agent: feedwatch\nAllow: /\n",
                   "/x", true},
        RobotsCase{"NamedGroupDisallows", "User-agent: *\nAllow: /\n\nUser-agent: FeedWatch\nDisallow: /x\n",
                   "/x/1", false},
        RobotsCase{"NamedGroupOnlyUsesItsRules",
                   "User-agent: feedwatch\nDisallow: /a\n\nUser-agent: *\nDisallow: /b\n", "/b", true},
        RobotsCase{"AgentVersionIgnored", "User-agent: feedwatch/2.0\nDisallow: /\n", "/x", false},
        RobotsCase{"OtherAgentIgnored", "User-agent: otherbot\nDisallow: /\n", "/x", true},
        RobotsCase{"AgentPrefixIsNotAMatch", "User-agent: feedwatcher\nDisallow: /\n", "/x", true},
        RobotsCase{"SeveralAgentsShareAGroup", "User-agent: a\nUser-agent: feedwatch\nDisallow: /z\n", "/z",
                   false},
        RobotsCase{"MatchingGroupsCombine",
                   "User-agent: feedwatch\nDisallow: /a\n\nUser-agent: b\nDisallow: /\n\n"
                   "User-agent: feedwatch\nDisallow: /c\n",
                   "/c", false},
        RobotsCase{"UserAgentAfterRuleStartsAGroup", "User-agent: a\nDisallow: /x\nUser-agent: feedwatch\n",
                   "/x", true},
        RobotsCase{"RulesBeforeAnyGroupIgnored", "Disallow: /\nUser-agent: *\nAllow: /\n", "/x", true},
        RobotsCase{"SitemapDoesNotEndGroup",
                   "User-agent: feedwatch\nSitemap: https://x/s.xml\nUser-agent: *\nDisallow: /\n", "/x",
                   false},
        RobotsCase{"CommentsAndBlankLines", "# hello\nUser-agent: * # all\n\nDisallow: /x # not x\n", "/x",
                   false},
        RobotsCase{"CaseInsensitiveKeys", "USER-AGENT: *\nDISALLOW: /x\n", "/x", false},
        RobotsCase{"PathsAreCaseSensitive", "User-agent: *\nDisallow: /X\n", "/x", true},
        RobotsCase{"CrLineEnds", "User-agent: *\rDisallow: /x\r", "/x", false},
        RobotsCase{"CrLfLineEnds", "User-agent: *\r\nDisallow: /x\r\n", "/x", false},
        RobotsCase{"ByteOrderMark", "\xEF\xBB\xBFUser-agent: *\nDisallow: /x\n", "/x", false},
        RobotsCase{"UnreservedEscapeDecoded", "User-agent: *\nDisallow: /%7Ejoe/\n", "/~joe/a", false},
        RobotsCase{"EscapeCaseNormalized", "User-agent: *\nDisallow: /a%2fb\n", "/a%2Fb", false},
        RobotsCase{"ReservedEscapeNotDecoded", "User-agent: *\nDisallow: /a/b\n", "/a%2Fb", true},
        RobotsCase{"NonAsciiPatternEscaped", "User-agent: *\nDisallow: /\xE4\xB8\xAD\n", "/%E4%B8%AD/x",
                   false},
        RobotsCase{"PatternWithoutSlash", "User-agent: *\nDisallow: private\n", "/private", false},
        RobotsCase{"EmptyPathIsRoot", "User-agent: *\nDisallow: /$\n", "", false},
        RobotsCase{"UnknownLinesIgnored", "User-agent: *\nCrawl-delay: 10\nnonsense\nDisallow: /x\n", "/x",
                   false}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(Robots, ProductTokenOfUserAgent) {
  EXPECT_EQ(product_token("feedwatch/1.0 (+https://example.org/contact)"), "feedwatch");
  EXPECT_EQ(product_token("Feed_Watch-x 2"), "Feed_Watch-x");
  EXPECT_EQ(product_token("/1.0"), "");
}

TEST(Robots, GroupsAreParsedInOrder) {
  Robots r = parse("User-agent: a\nUser-agent: *\nDisallow: /x\nAllow: /x/y\n\nUser-agent: b\nDisallow:\n");
  ASSERT_EQ(r.groups.size(), 2u);
  EXPECT_EQ(r.groups[0].agents, (std::vector<std::string>{"a", "*"}));
  ASSERT_EQ(r.groups[0].rules.size(), 2u);
  EXPECT_FALSE(r.groups[0].rules[0].allow);
  EXPECT_EQ(r.groups[0].rules[1].pattern, "/x/y");
  EXPECT_TRUE(r.groups[0].rules[1].allow);
  EXPECT_EQ(r.groups[1].agents, (std::vector<std::string>{"b"}));
  EXPECT_TRUE(r.groups[1].rules.empty());
}

TEST(Robots, OnlyTheFirst500KiBAreParsed) {
  std::string text = "User-agent: *\nDisallow: /early\n";
  text += std::string(k_max_bytes, '#');  // one long comment line
  text += "\nDisallow: /late\n";
  Robots r = parse(text);
  EXPECT_TRUE(r.truncated);
  Rules rules = rules_for(r, "feedwatch");
  EXPECT_FALSE(rules.allowed("/early"));
  EXPECT_TRUE(rules.allowed("/late"));
  EXPECT_FALSE(parse("User-agent: *\n").truncated);
}

TEST(Robots, ManyStarsMatchWithoutBacktracking) {
  std::string pattern = "/";
  for (int i = 0; i < 1000; ++i) pattern += "a*";
  pattern += "b";
  std::string path = "/" + std::string(5000, 'a');
  EXPECT_FALSE(matches(pattern, path));
  EXPECT_TRUE(matches(pattern, path + "b"));
}

TEST(Robots, MatchesTable) {
  EXPECT_TRUE(matches("/", "/anything"));
  EXPECT_TRUE(matches("/*", "/"));
  EXPECT_TRUE(matches("*", "/x"));
  EXPECT_TRUE(matches("/a*$", "/abc"));
  EXPECT_TRUE(matches("/a$", "/a"));
  EXPECT_FALSE(matches("/a$", "/ab"));
  EXPECT_TRUE(matches("/**b", "/xb"));
  EXPECT_FALSE(matches("/x*y*z$", "/xyzy"));
  EXPECT_TRUE(matches("/x*y*z$", "/xyzyz"));
}

TEST(Robots, NormalizePath) {
  EXPECT_EQ(normalize_path("/a%7e%41"), "/a~A");
  EXPECT_EQ(normalize_path("/a%2fb%3a"), "/a%2Fb%3A");
  EXPECT_EQ(normalize_path("/caf\xC3\xA9 x"), "/caf%C3%A9%20x");
  EXPECT_EQ(normalize_path("/100%"), "/100%");
  EXPECT_EQ(normalize_path("/%zz"), "/%zz");
}

}  // namespace
}  // namespace fw::robots
