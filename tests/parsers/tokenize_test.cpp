#include "parsers/diff/tokenize.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace fw::diff {
namespace {

// Renders tokens as "kind:text" joined by "|", with w=word i=ideograph p=punct
// s=space b=paragraph_break.
std::string render(std::string_view text) {
  std::string out;
  for (const Token& t : tokenize(text)) {
    if (!out.empty()) out.push_back('|');
    switch (t.kind) {
      case TokenKind::word:
        out.append("w:");
        break;
      case TokenKind::ideograph:
        out.append("i:");
        break;
      case TokenKind::punct:
        out.append("p:");
        break;
      case TokenKind::space:
        out.append("s:");
        break;
      case TokenKind::paragraph_break:
        out.append("b:");
        break;
    }
    out.append(t.text);
  }
  return out;
}

struct TokenizeCase {
  const char* name;
  const char* input;
  const char* expected;
};

class Tokenize : public ::testing::TestWithParam<TokenizeCase> {};

TEST_P(Tokenize, Table) {
  EXPECT_EQ(render(GetParam().input), GetParam().expected);
}

TEST_P(Tokenize, TokensTileTheInput) {
  std::string joined;
  for (const Token& t : tokenize(GetParam().input)) {
    EXPECT_FALSE(t.text.empty());
    joined.append(t.text);
  }
  EXPECT_EQ(joined, GetParam().input);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Tokenize,
    ::testing::Values(
        TokenizeCase{"Empty", "", ""},
        TokenizeCase{"EnglishWords", "Shares fell sharply", "w:Shares|s: |w:fell|s: |w:sharply"},
        TokenizeCase{"Punctuation", "Hello, world!", "w:Hello|p:,|s: |w:world|p:!"},
        TokenizeCase{"InternalApostrophe", "DeepSeek\xE2\x80\x99s it's",
                     "w:DeepSeek\xE2\x80\x99s|s: |w:it's"},
        TokenizeCase{"QuotesAroundWordAreSeparate", "\xE2\x80\x98wakeup call\xE2\x80\x99",
                     "p:\xE2\x80\x98|w:wakeup|s: |w:call|p:\xE2\x80\x99"},
        TokenizeCase{"TrailingApostrophe", "users' data", "w:users|p:'|s: |w:data"},
        TokenizeCase{"InternalHyphen", "open-source DeepSeek-R1", "w:open-source|s: |w:DeepSeek-R1"},
        TokenizeCase{"DashIsPunctuation", "models \xE2\x80\x93 advanced",
                     "w:models|s: |p:\xE2\x80\x93|s: |w:advanced"},
        TokenizeCase{"CurrencyPounds",
                     "\xC2\xA3"
                     "6 million",
                     "w:\xC2\xA3"
                     "6|s: |w:million"},
        TokenizeCase{"CurrencyDollars", "$60 billion", "w:$60|s: |w:billion"},
        TokenizeCase{"CurrencyEuroSuffix",
                     "\xE2\x82\xAC"
                     "5bn",
                     "w:\xE2\x82\xAC"
                     "5bn"},
        TokenizeCase{"LoneCurrencySign", "$ sign", "p:$|s: |w:sign"},
        TokenizeCase{"DecimalPercent", "rose 6.5%.", "w:rose|s: |w:6.5%|p:."},
        TokenizeCase{"ThousandsSeparator", "1,000,000 users", "w:1,000,000|s: |w:users"},
        TokenizeCase{"CommaAfterNumber", "2023, then", "w:2023|p:,|s: |w:then"},
        TokenizeCase{"SentenceEndAfterNumber", "in 2023. Then", "w:in|s: |w:2023|p:.|s: |w:Then"},
        TokenizeCase{"Time", "at 12:30", "w:at|s: |w:12:30"},
        TokenizeCase{"Chinese", "\xE9\x98\xBF\xE9\x87\x8C\xE5\xB7\xB4\xE5\xB7\xB4",
                     "i:\xE9\x98\xBF|i:\xE9\x87\x8C|i:\xE5\xB7\xB4|i:\xE5\xB7\xB4"},
        TokenizeCase{"ChinesePunctuation", "\xE8\x85\xBE\xE8\xAE\xAF\xEF\xBC\x8C\xE5\xA5\xBD\xE3\x80\x82",
                     "i:\xE8\x85\xBE|i:\xE8\xAE\xAF|p:\xEF\xBC\x8C|i:\xE5\xA5\xBD|p:\xE3\x80\x82"},
        TokenizeCase{"JapaneseKanaAndKanji", "\xE6\x97\xA5\xE6\x9C\xAC\xE3\x81\xAE\xE3\x83\x86\xE3\x83\xBC",
                     "i:\xE6\x97\xA5|i:\xE6\x9C\xAC|i:\xE3\x81\xAE|i:\xE3\x83\x86|i:\xE3\x83\xBC"},
        TokenizeCase{"JapaneseMiddleDotIsPunct", "\xE3\x82\xA2\xE3\x83\xBB\xE3\x82\xA4",
                     "i:\xE3\x82\xA2|p:\xE3\x83\xBB|i:\xE3\x82\xA4"},
        TokenizeCase{"Hangul", "\xED\x95\x9C\xEA\xB5\xAD", "i:\xED\x95\x9C|i:\xEA\xB5\xAD"},
        TokenizeCase{"MixedLatinAndHan", "AI\xE6\xA8\xA1\xE5\x9E\x8B 2025\xE5\xB9\xB4",
                     "w:AI|i:\xE6\xA8\xA1|i:\xE5\x9E\x8B|s: |w:2025|i:\xE5\xB9\xB4"},
        TokenizeCase{"AccentedLatin", "caf\xC3\xA9 na\xC3\xAFve", "w:caf\xC3\xA9|s: |w:na\xC3\xAFve"},
        TokenizeCase{"CombiningMarkStaysInWord", "cafe\xCC\x81s", "w:cafe\xCC\x81s"},
        TokenizeCase{"Cyrillic", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82",
                     "w:\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82"},
        TokenizeCase{"EmojiWithModifier", "ok \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD",
                     "w:ok|s: |p:\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"},
        TokenizeCase{"SingleNewlineIsSpace", "a\nb", "w:a|s:\n|w:b"},
        TokenizeCase{"BlankLineIsParagraphBreak", "a\n\nb", "w:a|b:\n\n|w:b"},
        TokenizeCase{"CrLfBlankLine", "a\r\n \r\nb", "w:a|b:\r\n \r\n|w:b"},
        TokenizeCase{"NbspIsSpace",
                     "a\xC2\xA0"
                     "b",
                     "w:a|s:\xC2\xA0|w:b"},
        TokenizeCase{"IdeographicSpace", "\xE4\xB8\xAD\xE3\x80\x80\xE5\x9B\xBD",
                     "i:\xE4\xB8\xAD|s:\xE3\x80\x80|i:\xE5\x9B\xBD"},
        TokenizeCase{"IllFormedByteIsOwnToken",
                     "a\xFF"
                     "b",
                     "w:a|p:\xFF|w:b"},
        TokenizeCase{"TruncatedSequence", "x\xE4\xB8", "w:x|p:\xE4|p:\xB8"}),
    [](const ::testing::TestParamInfo<TokenizeCase>& param) { return std::string(param.param.name); });

TEST(TokenizeKinds, IsContent) {
  EXPECT_TRUE(is_content(TokenKind::word));
  EXPECT_TRUE(is_content(TokenKind::ideograph));
  EXPECT_TRUE(is_content(TokenKind::punct));
  EXPECT_FALSE(is_content(TokenKind::space));
  EXPECT_FALSE(is_content(TokenKind::paragraph_break));
}

}  // namespace
}  // namespace fw::diff

namespace fw::diff {
namespace {

// Sentence starts by the token rule (what the diff's sentence level uses):
// after the whitespace token that follows a sentence end and its closings, or
// right after 。！？ when a content token follows.
std::vector<std::size_t> token_rule_starts(std::string_view text) {
  std::vector<Token> t = tokenize(text);
  std::vector<std::size_t> offsets;
  std::size_t offset = 0;
  for (const Token& token : t) {
    offsets.push_back(offset);
    offset += token.text.size();
  }
  offsets.push_back(offset);
  std::vector<std::size_t> out;
  for (std::size_t i = 1; i + 1 < offsets.size(); ++i) {
    if (!is_content(t[i].kind)) {
      std::size_t j = i;
      while (j > 0 && t[j - 1].kind == TokenKind::punct && is_closing(t[j - 1].text)) --j;
      if (j > 0 && t[j - 1].kind == TokenKind::punct && is_sentence_end(t[j - 1].text) && i + 1 < t.size())
        out.push_back(offsets[i + 1]);
    } else if (t[i - 1].kind == TokenKind::punct && t[i - 1].text.size() == 3 &&
               is_sentence_end(t[i - 1].text)) {
      out.push_back(offsets[i]);
    }
  }
  return out;
}

// The byte-level search finds exactly the token rule's sentence starts, on
// random text built from the pieces that matter (sentence ends, closings,
// abbreviations, numbers, CJK, Unicode spaces, marks, ill-formed bytes).
TEST(SentenceStarts, ByteSearchMatchesTokenRule) {
  const std::vector<std::string_view> pieces = {"word",
                                                "U.S.",
                                                "6.5",
                                                "it's",
                                                ".",
                                                "!",
                                                "?",
                                                "\"",
                                                "'",
                                                ")",
                                                "]",
                                                "\xE2\x80\x9D",
                                                "\xE2\x80\x99",
                                                "\xC2\xBB",
                                                "\xE3\x80\x8D",
                                                "\xE3\x80\x82",
                                                "\xEF\xBC\x81",
                                                "\xEF\xBC\x9F",
                                                "\xE9\x98\xBF",
                                                " ",
                                                " ",
                                                "\n",
                                                "\n\n",
                                                "\xC2\xA0",
                                                "\xE3\x80\x80",
                                                "\xE2\x80\xA8",
                                                "\xCC\x81",
                                                "\xFF",
                                                "\xE2\x80",
                                                "a"};
  std::uint32_t state = 12345;
  auto next = [&state] {
    state = state * 1664525U + 1013904223U;
    return state >> 8;
  };
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    std::size_t n = 1 + next() % 24;
    for (std::size_t k = 0; k < n; ++k) text.append(pieces[next() % pieces.size()]);
    std::vector<std::size_t> expected = token_rule_starts(text);
    std::vector<std::size_t> found;
    for (std::size_t limit = text.size();;) {  // walk back through every start
      std::size_t c = sentence_start_before(text, limit);
      if (c == 0) break;
      found.insert(found.begin(), c);
      limit = c;
    }
    ASSERT_EQ(found, expected) << testing::PrintToString(text);
    // At a position: exactly the token rule's starts.
    for (std::size_t c = 0; c <= text.size(); ++c) {
      bool start = std::find(expected.begin(), expected.end(), c) != expected.end();
      ASSERT_EQ(is_sentence_start(text, c), start) << testing::PrintToString(text) << " at " << c;
    }
    // Forward: always a start past `from` (or the end), and from 0 the first one.
    for (std::size_t from = 0; from < text.size(); ++from) {
      std::size_t c = sentence_start_after(text, from);
      ASSERT_GT(c, from);
      ASSERT_TRUE(c == text.size() || std::find(expected.begin(), expected.end(), c) != expected.end())
          << testing::PrintToString(text) << " from " << from;
    }
    ASSERT_EQ(sentence_start_after(text, 0), expected.empty() ? text.size() : expected[0]);
  }
}

TEST(SentenceStarts, AfterNeedsTheWholeSentenceEndPastFrom) {
  std::string_view text = "One two. Three four. Five.";
  EXPECT_EQ(sentence_start_before(text, text.find("Three") + 1), text.find("Three"));
  EXPECT_EQ(sentence_start_before(text, text.find("Three")), 0U);  // strictly before the limit
  EXPECT_EQ(sentence_start_after(text, text.find(". Three")), text.find("Three"));
  EXPECT_EQ(sentence_start_after(text, text.find(". Three") + 1), text.find("Five"));
  EXPECT_EQ(sentence_start_after(text, text.find("Five")), text.size());
  EXPECT_TRUE(is_sentence_start(text, text.find("Three")));
  EXPECT_FALSE(is_sentence_start(text, text.find("Three") - 1));
  EXPECT_FALSE(is_sentence_start(text, text.find("two")));
  EXPECT_FALSE(is_sentence_start(text, 0));
  EXPECT_FALSE(is_sentence_start(text, text.size()));
}

}  // namespace
}  // namespace fw::diff
