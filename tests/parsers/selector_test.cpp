// fw::extract selectors: the CSS subset of site rules (config sites[].body and
// sites[].remove): parsing, errors for what is not supported, matching.
#include "parsers/extract/selector.hpp"

#include <gtest/gtest.h>
#include <gumbo.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using fw::extract::parse_selector;
using fw::extract::select_all;

// ---- parsing ----------------------------------------------------------------------

TEST(ParseSelector, TypeClassIdAndAttributesMakeOneCompound) {
  auto list = parse_selector("DIV.entry-content#main[data-x][role=main][class*='post']");
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->selectors.size(), 1U);
  ASSERT_EQ(list->selectors[0].compounds.size(), 1U);
  const auto& c = list->selectors[0].compounds[0];
  EXPECT_EQ(c.tag, "div");
  EXPECT_EQ(c.classes, std::vector<std::string>{"entry-content"});
  EXPECT_EQ(c.ids, std::vector<std::string>{"main"});
  ASSERT_EQ(c.attributes.size(), 3U);
  EXPECT_EQ(c.attributes[0].op, fw::extract::AttributeTest::Op::exists);
  EXPECT_EQ(c.attributes[1].op, fw::extract::AttributeTest::Op::equals);
  EXPECT_EQ(c.attributes[1].value, "main");
  EXPECT_EQ(c.attributes[2].op, fw::extract::AttributeTest::Op::contains);
  EXPECT_EQ(c.attributes[2].value, "post");
}

TEST(ParseSelector, CombinatorsAndLists) {
  auto list = parse_selector("  article  >  .body p , #x .y  ");
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->selectors.size(), 2U);
  const auto& first = list->selectors[0];
  ASSERT_EQ(first.compounds.size(), 3U);
  EXPECT_EQ(first.combinators[0], fw::extract::Combinator::child);
  EXPECT_EQ(first.combinators[1], fw::extract::Combinator::descendant);
  EXPECT_EQ(list->selectors[1].compounds.size(), 2U);
}

TEST(ParseSelector, QuotedValueMayHoldSpacesAndBrackets) {
  auto list = parse_selector("[title=\"a ] b\"]");
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->selectors[0].compounds[0].attributes[0].value, "a ] b");
}

struct ErrorCase {
  const char* name;
  std::string_view selector;
  std::string_view message_part;
};

class SelectorErrors : public testing::TestWithParam<ErrorCase> {};

TEST_P(SelectorErrors, AreRefusedWithAClearMessage) {
  auto list = parse_selector(GetParam().selector);
  ASSERT_FALSE(list);
  const std::string& message = list.error().message;
  EXPECT_NE(message.find(GetParam().message_part), std::string::npos) << message;
  EXPECT_NE(message.find("column"), std::string::npos) << message;
  EXPECT_NE(message.find("supported:"), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SelectorErrors,
    testing::Values(ErrorCase{"Empty", "", "empty selector"}, ErrorCase{"Blank", "   ", "empty selector"},
                    ErrorCase{"PseudoClass", "a:hover", "pseudo-class ':hover'"},
                    ErrorCase{"PseudoElement", "p::before", "pseudo-class '::before'"},
                    ErrorCase{"NthChild", "li:nth-child(2)", "pseudo-class ':nth-child'"},
                    ErrorCase{"AdjacentSibling", "h2 + p", "combinator '+'"},
                    ErrorCase{"GeneralSibling", "h2~p", "combinator '~'"},
                    ErrorCase{"PrefixOperator", "[href^=http]", "operator '^='"},
                    ErrorCase{"SuffixOperator", "[href$=pdf]", "operator '$='"},
                    ErrorCase{"WordOperator", "[class~=x]", "operator '~='"},
                    ErrorCase{"TrailingComma", ".a,", "must not end with ','"},
                    ErrorCase{"LeadingComma", ",.a", "unexpected ','"},
                    ErrorCase{"ChildWithoutRight", "div >", "'>' needs a selector"},
                    ErrorCase{"ChildWithoutLeft", "> p", "unexpected '>'"},
                    ErrorCase{"UnterminatedAttribute", "[data-x", "unterminated '['"},
                    ErrorCase{"UnterminatedString", "[title='x]", "unterminated string"},
                    ErrorCase{"EmptyClass", "div.", "'.' needs a name"},
                    ErrorCase{"EmptyId", "#", "'#' needs a name"}, ErrorCase{"Escape", ".a\\:b", "escape"},
                    ErrorCase{"Namespace", "svg|rect", "namespace"},
                    ErrorCase{"CaseFlag", "[type=a i]", "flag"},
                    ErrorCase{"TooManyCompounds", "a a a a a a a a a a a a a a a a a", "too many"}),
    [](const testing::TestParamInfo<ErrorCase>& param) { return std::string(param.param.name); });

TEST(ParseSelector, ErrorNamesTheSelectorAndColumn) {
  auto list = parse_selector(".entry-content:first");
  ASSERT_FALSE(list);
  EXPECT_NE(list.error().message.find("selector \".entry-content:first\""), std::string::npos);
  EXPECT_NE(list.error().message.find("column 15"), std::string::npos) << list.error().message;
}

// ---- matching ------------------------------------------------------------------------

struct GumboOutputDeleter {
  void operator()(GumboOutput* output) const { gumbo_destroy_output(&kGumboDefaultOptions, output); }
};
using GumboOutputPtr = std::unique_ptr<GumboOutput, GumboOutputDeleter>;

constexpr std::string_view k_page = R"(<html><body>
<article class="post hentry" id="main">
  <div class="entry-content" data-kind="body">
    <p id="p1">One</p>
    <div class="read-also"><p id="p2">Read also</p></div>
    <section><p id="p3" title="deep paragraph">Three</p></section>
  </div>
  <div class="entry-contents"><p id="p4">Not the body</p></div>
</article>
</body></html>)";

class Matching : public testing::Test {
 protected:
  Matching() : m_output(gumbo_parse_with_options(&kGumboDefaultOptions, k_page.data(), k_page.size())) {}

  // The ids (or tag names) of the elements that `selector` selects.
  std::vector<std::string> ids(std::string_view selector) {
    auto list = parse_selector(selector);
    EXPECT_TRUE(list) << list.error().message;
    std::vector<std::string> out;
    if (!list) return out;
    for (const GumboNode* node : select_all(*list, m_output->root)) {
      const GumboAttribute* id = gumbo_get_attribute(&node->v.element.attributes, "id");
      out.emplace_back(id != nullptr ? id->value : gumbo_normalized_tagname(node->v.element.tag));
    }
    return out;
  }

  GumboOutputPtr m_output;
};

using Ids = std::vector<std::string>;

TEST_F(Matching, ClassMatchesAWholeClassNameOnly) {
  EXPECT_EQ(ids(".entry-content p"), (Ids{"p1", "p2", "p3"}));
  EXPECT_EQ(ids(".entry-contents p"), (Ids{"p4"}));
}

TEST_F(Matching, ChildCombinatorNeedsTheDirectParent) {
  EXPECT_EQ(ids(".entry-content > p"), (Ids{"p1"}));
  EXPECT_EQ(ids("article > p"), Ids{});
}

TEST_F(Matching, TypeIdAndCompound) {
  EXPECT_EQ(ids("article#main.post.hentry"), (Ids{"main"}));
  EXPECT_EQ(ids("article#other"), Ids{});
  EXPECT_EQ(ids("SECTION p"), (Ids{"p3"}));
}

TEST_F(Matching, AttributeTests) {
  EXPECT_EQ(ids("[data-kind]"), (Ids{"div"}));
  EXPECT_EQ(ids("[data-kind=body] [title*=deep]"), (Ids{"p3"}));
  EXPECT_EQ(ids("[data-kind=bod]"), Ids{});
  EXPECT_EQ(ids("[title*='']"), Ids{});  // an empty substring matches nothing (CSS)
}

TEST_F(Matching, ListsSelectInDocumentOrder) {
  EXPECT_EQ(ids("#p3, .read-also p, #p1"), (Ids{"p1", "p2", "p3"}));
}

TEST_F(Matching, DescendantBacktracksPastANonMatchingParent) {
  // p3's parent is <section>, not the .entry-content: "div > section p" must
  // still find it through the section's parent.
  EXPECT_EQ(ids("div.entry-content > section p"), (Ids{"p3"}));
  EXPECT_EQ(ids("article > section p"), Ids{});
}

TEST_F(Matching, UniversalSelector) {
  EXPECT_EQ(ids(".read-also > *"), (Ids{"p2"}));
}

}  // namespace
