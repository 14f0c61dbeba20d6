#include "parsers/diff/classify.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace fw::diff {
namespace {

std::string deepseek_article() {
  std::ifstream in(std::string(FW_SHARED_DIR) + "/seeds/000_c86083cb723734bd.txt", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The full body follows the feed item's summary and "]]>" line.
  constexpr std::string_view k_start = "]]>\nIn January 2025, the emergence";
  std::size_t begin = all.find(k_start);
  if (begin == std::string::npos) return {};
  begin += 4;
  std::size_t end = all.find("\n\nlaunchpad CBBC", begin);
  if (end == std::string::npos) return {};
  return all.substr(begin, end - begin);
}

std::string replace_once(std::string s, const std::string& from, const std::string& to) {
  std::size_t at = s.find(from);
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

constexpr const char* k_title = "What is DeepSeek? The Chinese AI shaking up the global AI landscape";
constexpr const char* k_body =
    "In January 2025, DeepSeek shook the global tech landscape.\n\n"
    "The company claims the model was trained at a cost of approximately $6 million, a stark contrast.\n\n"
    "Early users have found that the model performs as well as ChatGPT.";

struct ClassifyCase {
  const char* name;
  Version old_version;
  Version new_version;
  std::vector<std::string_view> kinds;
  bool stealth;
};

class Classify : public ::testing::TestWithParam<ClassifyCase> {};

TEST_P(Classify, Table) {
  Classification c = classify(GetParam().old_version, GetParam().new_version);
  EXPECT_EQ(c.kinds.names(), GetParam().kinds);
  EXPECT_EQ(c.stealth, GetParam().stealth);
  EXPECT_EQ(c.changed, !GetParam().kinds.empty());
}

Version v(const char* title, const char* body) {
  Version out;
  out.title = title;
  out.body = body;
  out.url = "https://focus.cbbc.org/what-is-deepseek/";
  return out;
}

Version with_status(Version out, int status) {
  out.http_status = status;
  return out;
}

Version with_final_url(Version out, const char* final_url) {
  out.final_url = final_url;
  return out;
}

Version with_time(Version out, std::int64_t t) {
  out.modified_time = t;
  return out;
}

Version flagged(Version out) {
  out.removed = true;
  return out;
}

const char* k_body_figure =
    "In January 2025, DeepSeek shook the global tech landscape.\n\n"
    "The company claims the model was trained at a cost of approximately $60 million, a stark contrast.\n\n"
    "Early users have found that the model performs as well as ChatGPT.";
const char* k_body_typographic =
    "In January 2025, DeepSeek shook the global tech landscape.  \n\n\n"
    "The company claims the model was trained at a cost of approximately $6\xC2\xA0million, a stark "
    "contrast.\n\n"
    "Early users have found that the model performs as well as ChatGPT.";
const char* k_body_sentence =
    "In January 2025, DeepSeek shook the global tech landscape.\n\n"
    "The company claims the model was trained at a cost of approximately $6 million, a stark contrast. "
    "Analysts doubt it.\n\n"
    "Early users have found that the model performs as well as ChatGPT.";
const char* k_body_rewritten =
    "In January 2025, DeepSeek shook the global tech landscape.\n\n"
    "The company says training cost far more than first reported, according to filings seen by Reuters.\n\n"
    "Early users have found that the model performs as well as ChatGPT.";
const char* k_body_paragraph_added =
    "In January 2025, DeepSeek shook the global tech landscape.\n\n"
    "The company claims the model was trained at a cost of approximately $6 million, a stark contrast.\n\n"
    "Nvidia shares fell 17% on the news.\n\n"
    "Early users have found that the model performs as well as ChatGPT.";
const char* k_body_paragraph_removed =
    "In January 2025, DeepSeek shook the global tech landscape.\n\n"
    "Early users have found that the model performs as well as ChatGPT.";
const char* k_body_correction =
    "In January 2025, DeepSeek shook the global tech landscape.\n\n"
    "The company claims the model was trained at a cost of approximately $60 million, a stark contrast.\n\n"
    "Early users have found that the model performs as well as ChatGPT.\n\n"
    "Correction: an earlier version of this article misstated the training cost.";
const char* k_body_update_lower =
    "In January 2025, DeepSeek shook the global tech landscape.\n\n"
    "The company claims the model was trained at a cost of approximately $6 million, a stark contrast.\n\n"
    "Early users have found that the model performs as well as ChatGPT.\n\n"
    "UPDATE: DeepSeek declined to comment.";
const char* k_body_editors_note =
    "Editor\xE2\x80\x99s note: this piece was first published in 2025.\n\n"
    "In January 2025, DeepSeek shook the global tech landscape.\n\n"
    "The company claims the model was trained at a cost of approximately $6 million, a stark contrast.\n\n"
    "Early users have found that the model performs as well as ChatGPT.";
const char* k_body_trailing_note =
    "In January 2025, DeepSeek shook the global tech landscape.\n\n"
    "The company claims the model was trained at a cost of approximately $6 million, a stark contrast.\n\n"
    "Early users have found that the model performs as well as ChatGPT. This article was updated on 3 "
    "February "
    "to add comment.";
const char* k_body_trailing_note_edited =
    "In January 2025, DeepSeek shook the global tech landscape!\n\n"
    "The company claims the model was trained at a cost of approximately $6 million, a stark contrast.\n\n"
    "Early users have found that the model performs as well as ChatGPT. This article was updated on 3 "
    "February "
    "to add comment.";
const char* k_body_said_updated =
    "In January 2025, DeepSeek shook the global tech landscape.\n\n"
    "The company claims the model was trained at a cost of approximately $6 million, a stark contrast.\n\n"
    "Early users have found that the model performs as well as ChatGPT, he said this article was updated "
    "often.";

INSTANTIATE_TEST_SUITE_P(
    Cases, Classify,
    ::testing::Values(
        ClassifyCase{"Identical", v(k_title, k_body), v(k_title, k_body), {}, false},
        ClassifyCase{
            "TypographicOnlyIsNoChange",
            v(k_title, k_body),
            v("What is DeepSeek?  The Chinese AI shaking up the global AI landscape", k_body_typographic),
            {},
            false},
        ClassifyCase{"TitleChanged",
                     v(k_title, k_body),
                     v("What is DeepSeek? China\xE2\x80\x99s AI upstart", k_body),
                     {"title_changed"},
                     false},
        ClassifyCase{"FigureFixIsMinor", v(k_title, k_body), v(k_title, k_body_figure), {"minor"}, false},
        ClassifyCase{"ShortSentenceIsSubstantive",
                     v(k_title, k_body),
                     v(k_title, k_body_sentence),
                     {"substantive"},
                     false},
        ClassifyCase{
            "RewriteIsSubstantive", v(k_title, k_body), v(k_title, k_body_rewritten), {"substantive"}, false},
        ClassifyCase{"ParagraphAdded",
                     v(k_title, k_body),
                     v(k_title, k_body_paragraph_added),
                     {"substantive", "paragraphs_added"},
                     false},
        ClassifyCase{"ParagraphRemoved",
                     v(k_title, k_body),
                     v(k_title, k_body_paragraph_removed),
                     {"substantive", "paragraphs_removed"},
                     false},
        ClassifyCase{"CorrectionNotice",
                     v(k_title, k_body),
                     v(k_title, k_body_correction),
                     {"substantive", "paragraphs_added", "correction_notice"},
                     false},
        ClassifyCase{"UpdateNoticeCaseInsensitive",
                     v(k_title, k_body),
                     v(k_title, k_body_update_lower),
                     {"substantive", "paragraphs_added", "correction_notice"},
                     false},
        ClassifyCase{"EditorsNoteWithCurlyApostrophe",
                     v(k_title, k_body),
                     v(k_title, k_body_editors_note),
                     {"substantive", "paragraphs_added", "correction_notice"},
                     false},
        ClassifyCase{"TrailingUpdateSentence",
                     v(k_title, k_body),
                     v(k_title, k_body_trailing_note),
                     {"substantive", "correction_notice"},
                     false},
        ClassifyCase{"ExistingNoticeIsNotNew",
                     v(k_title, k_body_trailing_note),
                     v(k_title, k_body_trailing_note_edited),
                     {"minor"},
                     false},
        ClassifyCase{"PhraseMidSentenceIsNoNotice",
                     v(k_title, k_body),
                     v(k_title, k_body_said_updated),
                     {"substantive"},
                     false},
        ClassifyCase{"StealthEdit",
                     with_time(v(k_title, k_body), 1738324800),
                     with_time(v(k_title, k_body_figure), 1738324800),
                     {"minor"},
                     true},
        ClassifyCase{"ModifiedTimeMovedIsNotStealth",
                     with_time(v(k_title, k_body), 1738324800),
                     with_time(v(k_title, k_body_figure), 1738411200),
                     {"minor"},
                     false},
        ClassifyCase{"UnknownModifiedTimeIsNotStealth",
                     with_time(v(k_title, k_body), 1738324800),
                     v(k_title, k_body_figure),
                     {"minor"},
                     false},
        ClassifyCase{"TitleOnlyChangeIsNotStealth",
                     with_time(v(k_title, k_body), 1738324800),
                     with_time(v("New headline", k_body), 1738324800),
                     {"title_changed"},
                     false},
        ClassifyCase{"Http404", v(k_title, k_body), with_status(v("", ""), 404), {"removed"}, false},
        ClassifyCase{"Http410KeepsNoBodyKinds",
                     v(k_title, k_body),
                     with_status(v(k_title, k_body_figure), 410),
                     {"removed"},
                     false},
        ClassifyCase{"RedirectToHome",
                     v(k_title, k_body),
                     with_final_url(v("Focus", "Latest news"), "https://focus.cbbc.org/"),
                     {"removed"},
                     false},
        ClassifyCase{
            "RedirectToTagPage",
            v(k_title, k_body),
            with_final_url(v("tech companies", "Listing"), "https://focus.cbbc.org/tag/tech-companies/"),
            {"removed"},
            false},
        ClassifyCase{"RedirectToCategoryPage",
                     v(k_title, k_body),
                     with_final_url(v("Tech", "Listing"), "https://focus.cbbc.org/category/tech/?x=1"),
                     {"removed"},
                     false},
        ClassifyCase{"RedirectToNewSlugIsAnEdit",
                     v(k_title, k_body),
                     with_final_url(v(k_title, k_body_figure), "https://focus.cbbc.org/what-is-deepseek-ai/"),
                     {"minor"},
                     false},
        ClassifyCase{"BodyEmptied", v(k_title, k_body), v(k_title, " \n\n "), {"removed"}, false},
        ClassifyCase{"FlaggedRemoved", v(k_title, k_body), flagged(v(k_title, k_body)), {"removed"}, false},
        ClassifyCase{
            "StillRemovedIsNoChange", with_status(v("", ""), 404), with_status(v("", ""), 410), {}, false},
        ClassifyCase{
            "RestoredFromGone", with_status(v("", ""), 404), v(k_title, k_body), {"restored"}, false},
        ClassifyCase{"RestoredWithEdit",
                     flagged(v(k_title, k_body)),
                     v(k_title, k_body_figure),
                     {"minor", "restored"},
                     false}),
    [](const ::testing::TestParamInfo<ClassifyCase>& param) { return std::string(param.param.name); });

TEST(Removal, Reasons) {
  Version live = v(k_title, k_body);
  EXPECT_EQ(removal(live), Removal::none);
  EXPECT_EQ(removal(with_status(live, 404)), Removal::http_gone);
  EXPECT_EQ(removal(with_status(live, 410)), Removal::http_gone);
  EXPECT_EQ(removal(with_status(live, 301)), Removal::none);
  EXPECT_EQ(removal(with_final_url(live, "https://focus.cbbc.org")), Removal::redirect_home);
  EXPECT_EQ(removal(with_final_url(live, "https://focus.cbbc.org/index.php")), Removal::redirect_home);
  EXPECT_EQ(removal(with_final_url(live, "https://focus.cbbc.org/tag/ai/page/2/")),
            Removal::redirect_listing);
  EXPECT_EQ(removal(with_final_url(live, "https://focus.cbbc.org/2025/01/deepseek/")), Removal::none);
  EXPECT_EQ(removal(v(k_title, "")), Removal::body_emptied);
  EXPECT_EQ(removal(with_status(v(k_title, ""), 503)), Removal::none);
  EXPECT_EQ(removal(flagged(live)), Removal::flagged);
}

TEST(Classify, MinorThresholdBoundary) {
  // Six changed words in one sentence without a new terminator: minor; seven: substantive.
  Version base = v("t", "one two three four five six seven eight nine ten");
  Classification six = classify(base, v("t", "ONE TWO THREE FOUR FIVE SIX seven eight nine ten"));
  EXPECT_TRUE(six.kinds.has(Kind::minor));
  EXPECT_EQ(six.stats.tokens_changed, 6U);
  Classification seven = classify(base, v("t", "ONE TWO THREE FOUR FIVE SIX SEVEN eight nine ten"));
  EXPECT_TRUE(seven.kinds.has(Kind::substantive));
  EXPECT_FALSE(seven.kinds.has(Kind::minor));
}

TEST(Classify, SeedArticleFigureFixIsMinorAndStealth) {
  std::string body = deepseek_article();
  ASSERT_GT(body.size(), 4000U) << "seed text missing under " FW_SHARED_DIR;
  std::string edited = replace_once(body, "approximately $6 million", "approximately $60 million");
  Version before = with_time(v(k_title, ""), 1738324800);
  before.body = body;
  Version after = with_time(v(k_title, ""), 1738324800);
  after.body = edited;
  Classification c = classify(before, after);
  EXPECT_EQ(c.kinds.names(), std::vector<std::string_view>{"minor"});
  EXPECT_TRUE(c.stealth);
  EXPECT_EQ(c.stats.tokens_changed, 1U);
}

TEST(Classify, SeedArticleCorrectionParagraph) {
  std::string body = deepseek_article();
  ASSERT_GT(body.size(), 4000U);
  std::string edited =
      replace_once(body, "approximately $6 million", "approximately $60 million") +
      "\n\nCorrection: an earlier version of this article gave the training cost as $6 million.";
  Version before = v(k_title, "");
  before.body = body;
  Version after = v(k_title, "");
  after.body = edited;
  Classification c = classify(before, after);
  EXPECT_TRUE(c.kinds.has(Kind::correction_notice));
  EXPECT_TRUE(c.kinds.has(Kind::paragraphs_added));
  EXPECT_TRUE(c.kinds.has(Kind::substantive));
  EXPECT_FALSE(c.kinds.has(Kind::minor));
  EXPECT_EQ(c.stats.paragraphs_added, 1U);
}

TEST(KindSetTest, NamesInEnumOrder) {
  KindSet s;
  EXPECT_TRUE(s.empty());
  s.add(Kind::restored);
  s.add(Kind::title_changed);
  s.add(Kind::restored);
  EXPECT_EQ(s.names(), (std::vector<std::string_view>{"title_changed", "restored"}));
  EXPECT_TRUE(s.has(Kind::restored));
  EXPECT_FALSE(s.has(Kind::minor));
}

}  // namespace
}  // namespace fw::diff
