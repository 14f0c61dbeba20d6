#include "parsers/diff/diff.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace fw::diff {
namespace {

// The DeepSeek article (the first body of the shared seed text).
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

struct RoundTripCase {
  const char* name;
  const char* old_text;
  const char* new_text;
};

class DiffRoundTrip : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(DiffRoundTrip, ApplyGivesNewText) {
  Diff d = diff(GetParam().old_text, GetParam().new_text);
  Result<std::string> rebuilt = apply(GetParam().old_text, d);
  ASSERT_TRUE(rebuilt) << rebuilt.error().message;
  EXPECT_EQ(*rebuilt, GetParam().new_text);
  EXPECT_EQ(d.identical(), std::string(GetParam().old_text) == GetParam().new_text);
}

TEST_P(DiffRoundTrip, HunksConcatenateToBothTexts) {
  Diff d = diff(GetParam().old_text, GetParam().new_text);
  std::string old_text;
  std::string new_text;
  for (const Hunk& h : d.hunks) {
    EXPECT_FALSE(h.text.empty());
    if (h.op != Op::insert) old_text += h.text;
    if (h.op != Op::remove) new_text += h.text;
  }
  EXPECT_EQ(old_text, GetParam().old_text);
  EXPECT_EQ(new_text, GetParam().new_text);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DiffRoundTrip,
    ::testing::Values(
        RoundTripCase{"BothEmpty", "", ""},
        RoundTripCase{"FromEmpty", "", "New article.\n\nSecond paragraph."},
        RoundTripCase{"ToEmpty", "Old article.\n\nGone.", ""},
        RoundTripCase{"Identical", "Same text.", "Same text."},
        RoundTripCase{"OneWord", "It cost $6 million.", "It cost $60 million."},
        RoundTripCase{"WhitespaceOnly", "a b", "a  b"},
        RoundTripCase{"ParagraphInserted", "A one.\n\nC three.", "A one.\n\nB two.\n\nC three."},
        RoundTripCase{"ParagraphDeleted", "A one.\n\nB two.\n\nC three.", "A one.\n\nC three."},
        RoundTripCase{"ParagraphAppended", "A one.", "A one.\n\nCorrection: it was two."},
        RoundTripCase{"ParagraphsMerged", "A one.\n\nB two.", "A one. B two."},
        RoundTripCase{"ParagraphSplit", "A one. B two.", "A one.\n\nB two."},
        RoundTripCase{"ParagraphsSwapped", "First.\n\nSecond.\n\nThird.", "Third.\n\nFirst.\n\nSecond."},
        RoundTripCase{"Chinese",
                      "\xE9\x98\xBF\xE9\x87\x8C\xE5\xB7\xB4\xE5\xB7\xB4\xE5\x8F\x91\xE5\xB8\x83\xE4\xBA\x86",
                      "\xE8\x85\xBE\xE8\xAE\xAF\xE5\x8F\x91\xE5\xB8\x83\xE4\xBA\x86"},
        RoundTripCase{"JapaneseInsert", "\xE6\x97\xA5\xE6\x9C\xAC\xE3\x81\xAE\xE4\xBC\x9A\xE7\xA4\xBE",
                      "\xE6\x97\xA5\xE6\x9C\xAC\xE3\x81\xAE\xE5\xA4\xA7\xE3\x81\x8D\xE3\x81\x84\xE4\xBC\x9A"
                      "\xE7\xA4\xBE"},
        RoundTripCase{"MixedScripts", "DeepSeek\xE6\xA8\xA1\xE5\x9E\x8B is 6.5% cheaper",
                      "DeepSeek\xE7\x9A\x84\xE6\xA8\xA1\xE5\x9E\x8B is 65% cheaper"},
        RoundTripCase{"CrLf", "a\r\n\r\nb c", "a\r\n\r\nb d\r\n"},
        RoundTripCase{"IllFormedUtf8",
                      "a\xFF"
                      "b",
                      "a\xFE"
                      "b\xC3"},
        RoundTripCase{"Rewritten", "The quick brown fox jumps over the lazy dog.",
                      "A slow red fox leapt over the sleeping cat, then left."}),
    [](const ::testing::TestParamInfo<RoundTripCase>& param) { return std::string(param.param.name); });

TEST(Diff, NumberChangeIsOneChangedToken) {
  Diff d = diff(
      "approximately \xC2\xA3"
      "6 million, a stark",
      "approximately \xC2\xA3"
      "60 million, a stark");
  EXPECT_EQ(d.stats.tokens_changed, 1U);
  EXPECT_EQ(d.stats.tokens_added, 0U);
  EXPECT_EQ(d.stats.tokens_removed, 0U);
  ASSERT_EQ(d.changes.size(), 1U);
  EXPECT_EQ(d.changes[0].removed,
            "\xC2\xA3"
            "6");
  EXPECT_EQ(d.changes[0].inserted,
            "\xC2\xA3"
            "60");
}

TEST(Diff, ChineseCharacterChangeIsOneToken) {
  // 阿里巴巴发布 -> 阿里云发布: 巴巴 (2 tokens) replaced by 云 (1 token).
  Diff d = diff("\xE9\x98\xBF\xE9\x87\x8C\xE5\xB7\xB4\xE5\xB7\xB4\xE5\x8F\x91\xE5\xB8\x83",
                "\xE9\x98\xBF\xE9\x87\x8C\xE4\xBA\x91\xE5\x8F\x91\xE5\xB8\x83");
  EXPECT_EQ(d.stats.tokens_changed, 1U);
  EXPECT_EQ(d.stats.tokens_removed, 1U);
  ASSERT_EQ(d.changes.size(), 1U);
  EXPECT_EQ(d.changes[0].removed, "\xE5\xB7\xB4\xE5\xB7\xB4");
  EXPECT_EQ(d.changes[0].inserted, "\xE4\xBA\x91");
}

// The diff tokenizes only the sentences around a change; an insertion at a
// sentence start still slides over the space before it, as when the whole
// text is tokenized (the run is then diffed whole).
TEST(Diff, InsertionAtSentenceStartSlidesAcrossTheCut) {
  Diff d = diff("Zero. U.S. foo bar baz.", "Zero. U.S. foo foo bar baz.");
  ASSERT_EQ(d.changes.size(), 1U);
  EXPECT_EQ(d.changes[0].inserted, " foo");
  EXPECT_EQ(d.changes[0].new_context, "Zero. U.S. foo foo bar baz.");
  EXPECT_EQ(d.stats.tokens_added, 1U);
}

// A sentence rewritten from its first byte is tokenized alone (the run is cut
// at the difference itself); the result is the one of the whole paragraph.
TEST(Diff, RewrittenSentence) {
  std::string_view old_text = "Intro one. Old words here. Three four.";
  std::string_view new_text = "Intro one. New text there. Three four.";
  Diff d = diff(old_text, new_text);
  ASSERT_EQ(d.changes.size(), 1U);
  EXPECT_EQ(d.changes[0].removed, "Old words here");
  EXPECT_EQ(d.changes[0].inserted, "New text there");
  EXPECT_EQ(d.stats.tokens_changed, 3U);
  ASSERT_EQ(d.hunks.size(), 4U);
  EXPECT_EQ(d.hunks[0].text, "Intro one. ");
  EXPECT_EQ(d.hunks[3].text, ". Three four.");
  EXPECT_EQ(fw::diff::apply(old_text, d).value(), new_text);
}

// A sentence inserted at a sentence start: the insertion slides back over the
// space before it, past the cut at the difference, so the run is diffed again
// from the sentence before.
TEST(Diff, SentenceInsertedAtSentenceStart) {
  std::string_view old_text = "A one. C three.\n\nD.";
  std::string_view new_text = "A one. B two. C three.\n\nD.";
  Diff d = diff(old_text, new_text);
  ASSERT_EQ(d.changes.size(), 1U);
  EXPECT_EQ(d.changes[0].removed, "");
  EXPECT_EQ(d.changes[0].inserted, " B two.");
  EXPECT_EQ(d.changes[0].new_context, "A one. B two. C three.");
  EXPECT_EQ(d.stats.tokens_added, 3U);
  ASSERT_EQ(d.hunks.size(), 3U);
  EXPECT_EQ(d.hunks[0].text, "A one.");
  EXPECT_EQ(d.hunks[2].text, " C three.\n\nD.");
}

TEST(Diff, ChangeInLongParagraphKeepsWholeParagraphContext) {
  std::string_view old_text = "Intro.\n\nFirst sentence here. Second one is long. Third ends it.\n\nOutro.";
  std::string_view new_text = "Intro.\n\nFirst sentence here. Second one is short. Third ends it.\n\nOutro.";
  Diff d = diff(old_text, new_text);
  ASSERT_EQ(d.changes.size(), 1U);
  EXPECT_EQ(d.changes[0].removed, "long");
  EXPECT_EQ(d.changes[0].inserted, "short");
  EXPECT_EQ(d.changes[0].old_paragraph, 1U);
  EXPECT_EQ(d.changes[0].old_context, "First sentence here. Second one is long. Third ends it.");
  for (const Hunk& h : d.hunks) {
    if (h.op == Op::equal) {
      EXPECT_EQ(h.tokens, 0U);
    }
  }
  EXPECT_EQ(fw::diff::apply(old_text, d).value(), new_text);
}

TEST(Diff, ParagraphCounts) {
  Diff added = diff("A one.\n\nC three.", "A one.\n\nB two.\n\nC three.");
  EXPECT_EQ(added.stats.paragraphs_added, 1U);
  EXPECT_EQ(added.stats.paragraphs_removed, 0U);
  Diff removed = diff("A one.\n\nB two.\n\nC three.", "C three.");
  EXPECT_EQ(removed.stats.paragraphs_removed, 2U);
  EXPECT_EQ(removed.stats.paragraphs_added, 0U);
  Diff edited = diff("A one.\n\nB two.", "A one.\n\nB three.");
  EXPECT_EQ(edited.stats.paragraphs_added, 0U);
  EXPECT_EQ(edited.stats.paragraphs_removed, 0U);
  EXPECT_EQ(edited.stats.tokens_changed, 1U);
}

TEST(Diff, InsertedParagraphStartsAtParagraphBoundary) {
  Diff d = diff("Shares fell.", "Shares fell.\n\nCorrection: a figure was wrong.");
  ASSERT_EQ(d.changes.size(), 1U);
  EXPECT_EQ(d.changes[0].inserted, "\n\nCorrection: a figure was wrong.");
  EXPECT_EQ(d.changes[0].new_context, "Shares fell.\n\nCorrection: a figure was wrong.");
  EXPECT_EQ(d.stats.tokens_added, 7U);
}

TEST(Diff, ChangeCarriesParagraphContext) {
  Diff d = diff("Intro.\n\nIt cost $6 million.\n\nEnd.", "Intro.\n\nIt cost $60 million.\n\nEnd.");
  ASSERT_EQ(d.changes.size(), 1U);
  EXPECT_EQ(d.changes[0].old_paragraph, 1U);
  EXPECT_EQ(d.changes[0].new_paragraph, 1U);
  EXPECT_EQ(d.changes[0].old_context, "It cost $6 million.");
  EXPECT_EQ(d.changes[0].new_context, "It cost $60 million.");
}

TEST(Diff, AdjacentWordChangesMergeAcrossWhitespace) {
  Diff d = diff("cost $6 million today", "cost $60 billion today");
  ASSERT_EQ(d.changes.size(), 1U);
  EXPECT_EQ(d.changes[0].removed, "$6 million");
  EXPECT_EQ(d.changes[0].inserted, "$60 billion");
  EXPECT_EQ(d.stats.tokens_changed, 2U);
}

TEST(Diff, SeparateEditsStaySeparate) {
  Diff d = diff("one two three four five", "one TWO three four FIVE");
  EXPECT_EQ(d.changes.size(), 2U);
  EXPECT_EQ(d.stats.tokens_changed, 2U);
}

// Paragraphs over 64 bytes are interned by a hash of their length and three
// 16-byte samples (start, middle, end). These differ only outside the samples,
// so they all share one hash: ids must still be exact (the table falls back
// to hashing whole strings after a few such collisions).
TEST(Diff, ParagraphsAlikeAtTheSampledBytes) {
  auto paragraph = [](int i) {
    std::string tag = std::to_string(1000 + i);
    return "The same opening words w" + tag + " and the same long filler text that runs on to one ending.";
  };
  std::string old_text;
  std::string new_text;
  for (int i = 0; i < 30; ++i) {
    if (i > 0) old_text += "\n\n";
    old_text += paragraph(i);
    if (i == 12) continue;  // removed
    if (!new_text.empty()) new_text += "\n\n";
    new_text += paragraph(i == 7 ? 100 : i);
  }
  Diff d = diff(old_text, new_text);
  ASSERT_EQ(d.changes.size(), 2U);
  EXPECT_EQ(d.changes[0].removed, "w1007");
  EXPECT_EQ(d.changes[0].inserted, "w1100");
  EXPECT_EQ(d.changes[1].removed, paragraph(12) + "\n\n");
  EXPECT_EQ(d.stats.tokens_changed, 1U);
  EXPECT_EQ(d.stats.paragraphs_removed, 1U);
  EXPECT_EQ(d.stats.paragraphs_added, 0U);
  EXPECT_EQ(fw::diff::apply(old_text, d).value(), new_text);
}

// diff() keeps its scratch buffers per thread between calls, and drops them
// after a diff that grew them past what articles need. A small diff after a
// very long one (one 240 KB sentence, tokenized whole) must be as right as
// one on a fresh thread.
TEST(Diff, DiffAfterAVeryLongTextOnTheSameThread) {
  std::string long_old;
  for (int i = 0; i < 30000; ++i) long_old += "word" + std::to_string(i % 97) + " ";
  std::string long_new = long_old;
  long_new.replace(long_new.size() / 2, 4, "WORD");
  Diff big = diff(long_old, long_new);
  EXPECT_EQ(fw::diff::apply(long_old, big).value(), long_new);
  Diff small = diff("It cost $6 million. Shares fell.", "It cost $60 million. Shares fell.");
  ASSERT_EQ(small.changes.size(), 1U);
  EXPECT_EQ(small.changes[0].removed, "$6");
  EXPECT_EQ(small.changes[0].inserted, "$60");
  EXPECT_EQ(small.stats.tokens_changed, 1U);
  Diff again = diff(long_old, long_new);
  EXPECT_EQ(fw::diff::to_json(again), fw::diff::to_json(big));
}

TEST(Diff, ApplyRejectsWrongOldText) {
  Diff d = diff("It cost $6 million.", "It cost $60 million.");
  EXPECT_FALSE(apply("It cost $7 million.", d));
  EXPECT_FALSE(apply("It cost $6 million. More.", d));
  EXPECT_FALSE(apply("", d));
}

TEST(Diff, TextRendering) {
  Diff d = diff("Intro.\n\nIt cost $6 million.\n\nEnd.",
                "Intro.\n\nIt cost $60 million.\n\nEnd.\n\nCorrection: fixed.");
  EXPECT_EQ(to_text(d),
            "@@ \xC2\xB6"
            "2 \xC2\xB6"
            "2 @@\nIt cost [-$6-]{+$60+} million.\n\n"
            "@@ \xC2\xB6"
            "3 \xC2\xB6"
            "4 @@\n{+Correction: fixed.+}\n");
  EXPECT_EQ(to_text(diff("same", "same")), "");
}

TEST(Diff, TextRenderingAllParagraphsWithColor) {
  TextOptions options;
  options.color = true;
  options.all_paragraphs = true;
  EXPECT_EQ(to_text(diff("a b.\n\nc.", "a B.\n\nc."), options),
            "a \x1b[31m[-b-]\x1b[m\x1b[32m{+B+}\x1b[m.\n\nc.\n");
}

TEST(Diff, JsonRendering) {
  Diff d = diff("It cost $6 million.", "It cost $60 million.");
  nlohmann::json j = nlohmann::json::parse(to_json(d));
  EXPECT_EQ(j["stats"]["tokens_changed"], 1);
  EXPECT_EQ(j["stats"]["paragraphs_added"], 0);
  ASSERT_EQ(j["changes"].size(), 1U);
  EXPECT_EQ(j["changes"][0]["removed"], "$6");
  EXPECT_EQ(j["changes"][0]["inserted"], "$60");
  EXPECT_EQ(j["changes"][0]["old_context"], "It cost $6 million.");
  ASSERT_EQ(j["hunks"].size(), 4U);
  EXPECT_EQ(j["hunks"][0]["op"], "equal");
  EXPECT_EQ(j["hunks"][1]["op"], "delete");
  EXPECT_EQ(j["hunks"][2]["op"], "insert");
  EXPECT_EQ(j["hunks"][2]["text"], "$60");
  EXPECT_EQ(j["hunks"][3]["text"], " million.");
}

TEST(Diff, JsonReplacesIllFormedUtf8) {
  nlohmann::json j = nlohmann::json::parse(to_json(diff("a", "a\xFF")));
  EXPECT_EQ(j["changes"][0]["inserted"], "\xEF\xBF\xBD");
}

TEST(Diff, SeedArticleFigureFix) {
  std::string old_text = deepseek_article();
  ASSERT_GT(old_text.size(), 4000U) << "seed text missing: " FW_SHARED_DIR "/seeds/000_c86083cb723734bd.txt";
  std::string new_text = replace_once(old_text, "approximately $6 million", "approximately $60 million");
  ASSERT_NE(new_text, old_text);
  Diff d = diff(old_text, new_text);
  EXPECT_EQ(d.stats.tokens_changed, 1U);
  EXPECT_EQ(d.stats.tokens_added + d.stats.tokens_removed, 0U);
  ASSERT_EQ(d.changes.size(), 1U);
  EXPECT_EQ(d.changes[0].removed, "$6");
  EXPECT_EQ(d.changes[0].inserted, "$60");
  EXPECT_EQ(d.changes[0].old_paragraph,
            3U);  // after the intro, "Founded in 2023..." and "A new AI contender"
  EXPECT_NE(d.changes[0].new_context.find("DeepSeek\xE2\x80\x99s chatbot offers"), std::string::npos);
  Result<std::string> rebuilt = fw::diff::apply(old_text, d);
  ASSERT_TRUE(rebuilt);
  EXPECT_EQ(*rebuilt, new_text);
}

TEST(Diff, SeedArticleParagraphRemovedAndSentenceAdded) {
  std::string old_text = deepseek_article();
  ASSERT_GT(old_text.size(), 4000U);
  std::string new_text = replace_once(old_text, "A new AI contender\n\n", "");
  new_text = replace_once(new_text, "highlighting its resource efficiency.",
                          "highlighting its resource efficiency. Analysts disputed the figure.");
  Diff d = diff(old_text, new_text);
  EXPECT_EQ(d.stats.paragraphs_removed, 1U);
  EXPECT_EQ(d.stats.tokens_removed, 4U);  // "A new AI contender"
  EXPECT_EQ(d.stats.tokens_added, 5U);    // "Analysts disputed the figure."
  Result<std::string> rebuilt = fw::diff::apply(old_text, d);
  ASSERT_TRUE(rebuilt);
  EXPECT_EQ(*rebuilt, new_text);
}

}  // namespace
}  // namespace fw::diff
