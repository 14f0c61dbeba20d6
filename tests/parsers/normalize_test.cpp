#include "parsers/text/normalize.hpp"

#include <gtest/gtest.h>

namespace fw::text {
namespace {

struct NormalizeCase {
  const char* name;
  const char* input;
  const char* expected;
};

class NormalizeForHash : public ::testing::TestWithParam<NormalizeCase> {};

TEST_P(NormalizeForHash, Table) {
  EXPECT_EQ(normalize_for_hash(GetParam().input), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, NormalizeForHash,
    ::testing::Values(NormalizeCase{"Empty", "", ""}, NormalizeCase{"OnlySpaces", " \t\n ", ""},
                      NormalizeCase{"TrimsEnds", "  a b  ", "a b"},
                      NormalizeCase{"CollapsesRuns", "a \t  b", "a b"},
                      NormalizeCase{"SingleNewlineIsASpace", "a\nb", "a b"},
                      NormalizeCase{"BlankLineIsAParagraphBreak", "a\n\nb", "a\n\nb"},
                      NormalizeCase{"ManyBlankLinesAreOneBreak", "a\n \n\n\t\nb", "a\n\nb"},
                      NormalizeCase{"CrLfParagraphs", "a\r\n\r\nb", "a\n\nb"},
                      NormalizeCase{"NoBreakSpace", "a\xC2\xA0 b", "a b"},
                      NormalizeCase{"IdeographicSpace", "\xE4\xB8\xAD\xE3\x80\x80\xE5\x9B\xBD",
                                    "\xE4\xB8\xAD \xE5\x9B\xBD"},
                      NormalizeCase{"ZeroWidthSpace", "a\xE2\x80\x8B b", "a b"},
                      NormalizeCase{"LineSeparatorCountsAsNewline", "a\xE2\x80\xA8\xE2\x80\xA8 b", "a\n\nb"},
                      NormalizeCase{"OtherMultibyteUntouched", "caf\xC3\xA9 \xE2\x80\x99",
                                    "caf\xC3\xA9 \xE2\x80\x99"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(Sha256Hex, KnownVectors) {
  // FIPS 180-2 test vectors.
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(VersionHash, IgnoresWhitespaceDifferences) {
  EXPECT_EQ(version_hash("Title", "First para.\n\nSecond  para."),
            version_hash(" Title ", "First para.\r\n\r\n Second para.\n"));
}

TEST(VersionHash, ChangesWithTheText) {
  EXPECT_NE(version_hash("Title", "trained at a cost of $6 million"),
            version_hash("Title", "trained at a cost of $60 million"));
}

TEST(VersionHash, ChangesWithTheTitle) {
  EXPECT_NE(version_hash("Old headline", "body"), version_hash("New headline", "body"));
}

TEST(VersionHash, ParagraphBreakIsAChange) {
  EXPECT_NE(version_hash("t", "one two"), version_hash("t", "one\n\ntwo"));
}

TEST(VersionHash, TitleAndBodyCannotTradeText) {
  EXPECT_NE(version_hash("a b", "c"), version_hash("a", "b c"));
}

}  // namespace
}  // namespace fw::text
