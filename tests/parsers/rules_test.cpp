// Rule matching: word boundaries in Latin scripts, substrings in CJK, folding,
// aliases, any/all/none, RE2 patterns, event/feed/category filters, and which
// tracked terms an edit added or removed.
#include "parsers/rules/rules.hpp"

#include <gtest/gtest.h>

namespace fw::rules {
namespace {

struct TermCase {
  const char* name;
  const char* text;
  const char* term;
  bool expected;
};

class TermMatching : public ::testing::TestWithParam<TermCase> {};

TEST_P(TermMatching, OnBoundariesItsScriptNeeds) {
  const TermCase& c = GetParam();
  EXPECT_EQ(contains_term(fold(c.text), fold(c.term)), c.expected) << c.text << " / " << c.term;
}

INSTANTIATE_TEST_SUITE_P(
    Rules, TermMatching,
    ::testing::Values(TermCase{"WholeWord", "shares of Baidu fell", "Baidu", true},
                      TermCase{"CaseInsensitive", "BAIDU and bytedance", "ByteDance", true},
                      TermCase{"NotInsideAWord", "Baiduland opened", "Baidu", false},
                      TermCase{"NotAtTheEndOfAWord", "the ZBaidu app", "Baidu", false},
                      TermCase{"Possessive", "DeepSeek’s model", "DeepSeek", true},
                      TermCase{"Punctuation", "(Huawei), Tencent.", "Huawei", true},
                      TermCase{"Hyphenated", "DeepSeek-R1 launched", "DeepSeek", true},
                      TermCase{"PhraseAcrossWhitespace", "the Ant\n  Group listing", "Ant Group", true},
                      TermCase{"PhraseBoundary", "a Giant Group of firms", "Ant Group", false},
                      TermCase{"DotInTerm", "bought on JD.com today", "JD.com", true},
                      TermCase{"CjkSubstring", "华为公司发布新手机", "华为", true},
                      TermCase{"CjkAbsent", "腾讯发布新游戏", "华为", false},
                      TermCase{"LatinInsideCjk", "在TikTok上很火", "TikTok", true},
                      TermCase{"FullWidthLatin", "ＴｉｋＴｏｋ禁令", "tiktok", true},
                      TermCase{"LatinOneFolding", "ÉCOLE Polytechnique", "école", true},
                      TermCase{"CyrillicFolding", "ХУАВЕЙ объявила", "Хуавей", true},
                      TermCase{"AccentedNeighbourIsAWordCharacter", "Baidué", "Baidu", false},
                      TermCase{"DigitNeighbour", "BYD2 concept", "BYD", false}),
    [](const ::testing::TestParamInfo<TermCase>& p) { return std::string(p.param.name); });

CompiledRule compile(RuleSpec spec) {
  auto r = CompiledRule::compile(std::move(spec));
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return std::move(*r);
}

struct Article {
  std::string title;
  std::string body;
  std::vector<std::string> categories;
  std::vector<std::string> feeds{"cbbc"};
};

std::optional<Match> run(const CompiledRule& rule, const Article& a, std::string_view kind = "new") {
  Event e;
  e.kind = kind;
  e.feeds = &a.feeds;
  e.categories = &a.categories;
  e.now = Text{a.title, a.body, &a.categories};
  return rule.match(e);
}

std::optional<Match> run_edit(const CompiledRule& rule, const Article& before, const Article& after,
                              std::string_view kind = "edited") {
  Event e;
  e.kind = kind;
  e.feeds = &after.feeds;
  e.categories = &after.categories;
  e.now = Text{after.title, after.body, &after.categories};
  e.before = Text{before.title, before.body, &before.categories};
  return rule.match(e);
}

using Terms = std::vector<std::string>;

TEST(Rules, AnyReportsEveryMatchedTermInRuleOrder) {
  RuleSpec spec;
  spec.any = {"Tencent", "Alibaba", "Huawei"};
  auto rule = compile(spec);
  auto m = run(rule, {"Crackdown", "Regulators fined Alibaba and Tencent.", {}});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->matched_terms, (Terms{"Tencent", "Alibaba"}));
  EXPECT_FALSE(run(rule, {"Crackdown", "Regulators fined a bank.", {}}));
}

TEST(Rules, AliasesCountAsTheTermAndAreReportedUnderItsName) {
  RuleSpec spec;
  spec.any = {"Alibaba"};
  spec.aliases["Alibaba"] = {"阿里巴巴", "Taobao"};
  auto rule = compile(spec);
  auto m = run(rule, {"阿里巴巴发布财报", "", {}});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->matched_terms, (Terms{"Alibaba"}));
  ASSERT_TRUE(run(rule, {"", "Shopping on taobao", {}}));
  EXPECT_FALSE(run(rule, {"", "Shopping on Amazon", {}}));
}

TEST(Rules, AllNeedsEveryTermAndNoneVetoes) {
  RuleSpec spec;
  spec.all = {"Huawei", "chips"};
  spec.none = {"sponsored"};
  auto rule = compile(spec);
  EXPECT_TRUE(run(rule, {"Huawei chips", "new chips from Huawei", {}}));
  EXPECT_FALSE(run(rule, {"Huawei", "new phones from Huawei", {}}));
  EXPECT_FALSE(run(rule, {"Huawei chips", "Sponsored: chips from Huawei", {}}));
}

TEST(Rules, NoneAloneMatchesEverythingElse) {
  RuleSpec spec;
  spec.none = {"advertorial"};
  auto rule = compile(spec);
  EXPECT_TRUE(run(rule, {"Anything", "at all", {}}));
  EXPECT_FALSE(run(rule, {"An Advertorial", "", {}}));
}

TEST(Rules, RegexIsAnAlternativeToAnyAndIsReportedAsPattern) {
  RuleSpec spec;
  spec.any = {"Xiaomi"};
  spec.regex = {"(?i)\\bsemiconductor(s)?\\b", "SMIC-\\d+"};
  auto rule = compile(spec);
  auto m = run(rule, {"", "Semiconductors and the SMIC-7 node", {}});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->matched_terms, (Terms{"/(?i)\\bsemiconductor(s)?\\b/", "/SMIC-\\d+/"}));
  EXPECT_FALSE(run(rule, {"", "smic-7 alone is case-sensitive", {}}));
}

TEST(Rules, BadRegexAndStrayAliasesAreRefused) {
  RuleSpec bad;
  bad.regex = {"(unclosed"};
  auto r = CompiledRule::compile(bad);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("bad regex /(unclosed/"), std::string::npos) << r.error().message;
  EXPECT_NE(check_regex("a(b"), "");
  EXPECT_EQ(check_regex("a(b)"), "");

  RuleSpec stray;
  stray.any = {"Baidu"};
  stray.aliases["Huawei"] = {"华为"};
  auto s = CompiledRule::compile(stray);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("'Huawei'"), std::string::npos) << s.error().message;
}

TEST(Rules, EventsFeedsAndCategoriesFilter) {
  RuleSpec spec;
  spec.events = {"new"};
  spec.feeds = {"cbbc"};
  spec.categories = {"Technology"};
  spec.any = {"Baidu"};
  auto rule = compile(spec);
  Article a{"Baidu", "", {"technology", "AI"}};
  EXPECT_TRUE(run(rule, a));
  EXPECT_FALSE(run(rule, a, "removed"));
  Article other_feed = a;
  other_feed.feeds = {"elsewhere"};
  EXPECT_FALSE(run(rule, other_feed));
  Article other_category = a;
  other_category.categories = {"Sport"};
  EXPECT_FALSE(run(rule, other_category));
}

TEST(Rules, TermsInCategoriesMatch) {
  RuleSpec spec;
  spec.any = {"Huawei"};
  auto rule = compile(spec);
  EXPECT_TRUE(run(rule, {"Phones", "A launch.", {"Huawei"}}));
}

TEST(Rules, EditsReportTermsAddedAndRemoved) {
  RuleSpec spec;
  spec.any = {"Huawei", "Tencent", "Baidu"};
  spec.aliases["Tencent"] = {"腾讯"};
  auto rule = compile(spec);
  Article before{"Deals", "Huawei and Tencent signed.", {}};
  Article after{"Deals", "Baidu and 腾讯 signed.", {}};
  auto m = run_edit(rule, before, after);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->matched_terms, (Terms{"Tencent", "Baidu"}));
  EXPECT_EQ(m->terms_added, (Terms{"Baidu"}));
  EXPECT_EQ(m->terms_removed, (Terms{"Huawei"}));
}

TEST(Rules, AnEditRemovingTheLastTrackedTermStillFires) {
  RuleSpec spec;
  spec.any = {"Huawei"};
  auto rule = compile(spec);
  auto m = run_edit(rule, {"Phones", "Huawei phones", {}}, {"Phones", "Some phones", {}});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->matched_terms, (Terms{"Huawei"}));
  EXPECT_EQ(m->terms_removed, (Terms{"Huawei"}));
}

TEST(Rules, OnTermsChangeFiresOnlyWhenTrackedTermsChange) {
  RuleSpec spec;
  spec.events = {"edited", "title_changed"};
  spec.any = {"Huawei", "Tencent"};
  spec.on_terms_change = true;
  auto rule = compile(spec);
  // Edited, but Huawei is still there and nothing tracked was added: silent.
  EXPECT_FALSE(run_edit(rule, {"T", "Huawei made phones.", {}}, {"T", "Huawei made many phones.", {}}));
  // Edited to remove Huawei: fires, saying so.
  auto m = run_edit(rule, {"T", "Huawei made phones.", {}}, {"T", "A company made phones.", {}});
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->terms_added.empty());
  EXPECT_EQ(m->terms_removed, (Terms{"Huawei"}));
  // A title change that brings in Tencent.
  auto t = run_edit(rule, {"Games", "", {}}, {"Tencent games", "", {}}, "title_changed");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->terms_added, (Terms{"Tencent"}));
}

TEST(Rules, EditWithoutPreviousTextIsMatchedOnTheNewVersion) {
  RuleSpec spec;
  spec.any = {"Huawei"};
  auto rule = compile(spec);
  Article a{"Huawei", "", {}};
  auto m = run(rule, a, "edited");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->terms_added.empty());
  EXPECT_FALSE(run(rule, Article{"Other", "", {}}, "edited"));
}

}  // namespace
}  // namespace fw::rules
