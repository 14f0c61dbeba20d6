#include "parsers/diff/canonical.hpp"

#include <gtest/gtest.h>

#include "parsers/text/normalize.hpp"

namespace fw::diff {
namespace {

struct NfcCase {
  const char* name;
  const char* input;
  const char* expected;
};

class Nfc : public ::testing::TestWithParam<NfcCase> {};

TEST_P(Nfc, Table) {
  EXPECT_EQ(to_nfc(GetParam().input), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Nfc,
    ::testing::Values(NfcCase{"Ascii", "plain text", "plain text"}, NfcCase{"Empty", "", ""},
                      NfcCase{"AlreadyComposed", "caf\xC3\xA9", "caf\xC3\xA9"},
                      NfcCase{"ComposesAcute", "cafe\xCC\x81", "caf\xC3\xA9"},
                      NfcCase{"AngstromSignSingleton", "\xE2\x84\xAB", "\xC3\x85"},
                      NfcCase{"OhmSignSingleton", "\xE2\x84\xA6", "\xCE\xA9"},
                      // s + dot below (220) + dot above (230), in either order, is U+1E69.
                      NfcCase{"CanonicalOrderingDotBelowFirst", "s\xCC\xA3\xCC\x87", "\xE1\xB9\xA9"},
                      NfcCase{"CanonicalOrderingDotAboveFirst", "s\xCC\x87\xCC\xA3", "\xE1\xB9\xA9"},
                      NfcCase{"BlockedMarkStays", "a\xCC\x81\xCC\x81", "\xC3\xA1\xCC\x81"},
                      NfcCase{"CompositionExclusion", "\xE0\xA5\x98", "\xE0\xA4\x95\xE0\xA4\xBC"},
                      NfcCase{"HangulJamoCompose", "\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8", "\xEA\xB0\x81"},
                      NfcCase{"HangulSyllableStays", "\xEA\xB0\x81", "\xEA\xB0\x81"},
                      NfcCase{"KanaVoicedMark", "\xE3\x81\x8B\xE3\x82\x99", "\xE3\x81\x8C"},
                      NfcCase{"LeadingCombiningMark",
                              "\xCC\x81"
                              "a",
                              "\xCC\x81"
                              "a"},
                      NfcCase{"IllFormedByteBecomesReplacement", "a\xFF", "a\xEF\xBF\xBD"}),
    [](const ::testing::TestParamInfo<NfcCase>& param) { return std::string(param.param.name); });

struct CanonicalCase {
  const char* name;
  const char* input;
  const char* expected;
};

class CanonicalText : public ::testing::TestWithParam<CanonicalCase> {};

TEST_P(CanonicalText, Table) {
  EXPECT_EQ(canonical_text(GetParam().input), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CanonicalText,
    ::testing::Values(CanonicalCase{"Empty", "", ""}, CanonicalCase{"OnlyWhitespace", " \n\n\t\xC2\xA0", ""},
                      CanonicalCase{"CurlySingleQuotes",
                                    "\xE2\x80\x98wakeup\xE2\x80\x99 DeepSeek\xE2\x80\x99s",
                                    "'wakeup' DeepSeek's"},
                      CanonicalCase{"CurlyDoubleQuotes",
                                    "\xE2\x80\x9C"
                                    "distillation\xE2\x80\x9D",
                                    "\"distillation\""},
                      CanonicalCase{"LowDoubleQuote", "\xE2\x80\x9EJa\xE2\x80\x9C", "\"Ja\""},
                      CanonicalCase{"EnDash",
                                    "2023\xE2\x80\x93"
                                    "24",
                                    "2023-24"},
                      CanonicalCase{"EmDash", "models \xE2\x80\x94 advanced", "models - advanced"},
                      CanonicalCase{"MinusSign",
                                    "\xE2\x88\x92"
                                    "5",
                                    "-5"},
                      CanonicalCase{"Ellipsis", "everything\xE2\x80\xA6", "everything..."},
                      CanonicalCase{"NbspToSpace",
                                    "\xC2\xA3"
                                    "6\xC2\xA0million",
                                    "\xC2\xA3"
                                    "6 million"},
                      CanonicalCase{"CollapsesWhitespace", "  a \t b  ", "a b"},
                      CanonicalCase{"KeepsParagraphBreaks", "a\n\n\n  b\nc", "a\n\nb c"},
                      CanonicalCase{"NfcThenFold", "cafe\xCC\x81 \xE2\x80\x94 ok", "caf\xC3\xA9 - ok"},
                      CanonicalCase{"GuillemetsKept",
                                    "\xC2\xAB"
                                    "a\xC2\xBB",
                                    "\xC2\xAB"
                                    "a\xC2\xBB"},
                      CanonicalCase{"CjkUnchanged", "\xE8\x85\xBE\xE8\xAE\xAF\xE3\x80\x82",
                                    "\xE8\x85\xBE\xE8\xAE\xAF\xE3\x80\x82"}),
    [](const ::testing::TestParamInfo<CanonicalCase>& param) { return std::string(param.param.name); });

TEST(CanonicalHash, TypographicVariantsHashEqual) {
  EXPECT_EQ(canonical_hash("What is DeepSeek?", "It\xE2\x80\x99s a \xE2\x80\x9Cwakeup call\xE2\x80\x9D"),
            canonical_hash("What is  DeepSeek?", "It's a \"wakeup call\""));
}

TEST(CanonicalHash, DecomposedAccentHashesEqual) {
  EXPECT_EQ(canonical_hash("Caf\xC3\xA9", "x"), canonical_hash("Cafe\xCC\x81", "x"));
}

TEST(CanonicalHash, WordChangeHashesDiffer) {
  EXPECT_NE(canonical_hash("t", "cost $6 million"), canonical_hash("t", "cost $60 million"));
}

TEST(CanonicalHash, TitleAndBodyAreSeparate) {
  EXPECT_NE(canonical_hash("a b", "c"), canonical_hash("a", "b c"));
}

TEST(CanonicalHash, AgreesWithVersionHashWhenNothingToFold) {
  EXPECT_EQ(canonical_hash("Title", "Body text.\n\nSecond."),
            text::version_hash("Title", "Body text.\n\nSecond."));
}

TEST(CanonicalHash, IsLowerHexSha256) {
  std::string h = canonical_hash("", "");
  ASSERT_EQ(h.size(), 64U);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
}

}  // namespace
}  // namespace fw::diff
