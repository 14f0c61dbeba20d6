// fw::text: markup -> plain text, entities, whitespace, UTF-8 repair
// (FEED-JSON.md "Text").
#include "parsers/text/text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace {

struct TextCase {
  const char* name;
  std::string_view input;
  std::string_view expected;
};

std::string case_name(const testing::TestParamInfo<TextCase>& info) {
  return info.param.name;
}

// ---- html_to_text ----------------------------------------------------------------

class HtmlToText : public testing::TestWithParam<TextCase> {};

TEST_P(HtmlToText, Converts) {
  EXPECT_EQ(fw::text::html_to_text(GetParam().input), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HtmlToText,
    testing::Values(
        TextCase{"PlainTextUnchanged", "plain words", "plain words"},
        TextCase{"TagsDropped", "<p>Hello <b>bold</b> <a href=\"x\">link</a></p>", "Hello bold link"},
        TextCase{"InlineTagsDoNotSeparateWords", "un<b>break</b>able", "unbreakable"},
        TextCase{"ParagraphsSeparateWords", "<p>one</p><p>two</p>", "one two"},
        TextCase{"HeadingsSeparateWords", "<h2>Title</h2>Body", "Title Body"},
        TextCase{"BrSeparatesWords", "line<br>break<br/>again", "line break again"},
        TextCase{"ListItemsSeparateWords", "<ul><li>a</li><li>b</li></ul>", "a b"},
        TextCase{"TableCellsSeparateWords", "<table><tr><td>a</td><td>b</td></tr></table>", "a b"},
        TextCase{"ScriptContentDropped", "before<script>var x = '<p>no</p>';</script>after", "beforeafter"},
        TextCase{"StyleContentDropped", "<style>p { color: red }</style>text", "text"},
        TextCase{"CommentsDropped", "a<!-- hidden -->b", "ab"},
        TextCase{"NumericReferences", "&#8220;quote&#8221; &#x2019;", "\u201Cquote\u201D \u2019"},
        TextCase{"Html4NamedEntities", "caf&eacute; &amp; cr&egrave;me", "caf\u00E9 & cr\u00E8me"},
        TextCase{"Html5OnlyNamedEntity", "&bigstar; &NotEqualTilde;", "\u2605 \u2242\u0338"},
        TextCase{"NbspCollapsesLikeSpace", "a&nbsp;&nbsp; b", "a b"},
        TextCase{"WhitespaceCollapsedAndTrimmed", "  <p>\n\t a \n b  </p>\n", "a b"},
        TextCase{"BrokenMarkupRecovered", "<p>open <b>bold <i>both</p> tail", "open bold both tail"},
        TextCase{"LessThanInTextKept", "3 < 4 and 5 > 4", "3 < 4 and 5 > 4"},
        TextCase{"ImageAltIsNotText", "<a href=\"/\"><img alt=\"banner\" src=\"b.png\"></a>", ""},
        TextCase{"EmptyInput", "", ""}, TextCase{"OnlyMarkup", "<p> </p><br>", ""},
        TextCase{"UppercaseTags", "<P>a</P><BR>b", "a b"},
        TextCase{"BlockEndTagAloneSeparates", "a</div>b", "a b"},
        TextCase{"QuotedGreaterThanInAttribute", "<a title=\"a>b\" data-x='>'>link</a>", "link"},
        TextCase{"TruncatedTagDropped", "text <a href=\"x", "text"},
        TextCase{"UnclosedCommentRunsToTheEnd", "a<!-- b <p>c</p>", "a"},
        TextCase{"ShortCommentForms", "a<!-->b<!--->c", "abc"},
        TextCase{"BogusCommentsDropped", "a<!DOCTYPE html>b<?php echo 1; ?>c</ 3>d", "abcd"},
        TextCase{"CdataInHtmlIsABogusComment", "a<![CDATA[x]]>b", "ab"},
        TextCase{"ScriptEndTagAnyCase", "a<SCRIPT>if (a</b) x()</ScRiPt >b", "ab"},
        TextCase{"UnclosedScriptDropsTheRest", "a<script>x", "a"},
        TextCase{"TemplateContentDropped", "a<template><p>x</p></template>b", "ab"},
        TextCase{"TitleIsTextWithReferences", "<title>a &amp; <b>b</b></title>", "a & <b>b</b>"},
        TextCase{"XmpIsLiteralText", "<xmp>&amp; <i>x</i></xmp>", "&amp; <i>x</i>"},
        TextCase{"PlaintextMakesTheRestText", "a<plaintext><b>x</b>", "a <b>x</b>"},
        TextCase{"LegacyEntitiesWithoutSemicolon", "&copy 2025 &notit; &amp", "\u00A9 2025 \u00ACit; &"},
        TextCase{"NumericC1ReferencesAreWindows1252", "&#150;&#x80;&#153;", "\u2013\u20AC\u2122"},
        TextCase{"InvalidNumericReferencesAreReplacementCharacters", "&#0;&#xD800;&#x110000;&#99999999999;",
                 "\uFFFD\uFFFD\uFFFD\uFFFD"},
        TextCase{"NumericReferenceWithoutSemicolon", "&#233x &#xe9;", "\u00E9x \u00E9"},
        TextCase{"AmpersandsThatAreNotReferences", "AT&T & co &# &#x; &;", "AT&T & co &# &#x; &;"},
        TextCase{"InvalidUtf8Replaced", "caf\xE9 <b>x</b>", "caf\uFFFD x"},
        TextCase{"NulCharactersDropped", std::string_view("a\0b<p>\0</p>", 11), "ab"},
        TextCase{"UnicodeSpacesCollapse", "a&#x2003;&#12288;b\u00A0 c", "a b c"}),
    case_name);

// ---- decode_entities -----------------------------------------------------------------

class DecodeEntities : public testing::TestWithParam<TextCase> {};

TEST_P(DecodeEntities, Decodes) {
  EXPECT_EQ(fw::text::decode_entities(GetParam().input), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DecodeEntities,
    testing::Values(TextCase{"NoReferences", "plain", "plain"}, TextCase{"Decimal", "&#233;", "\u00E9"},
                    TextCase{"Hex", "&#xE9;&#XE9;", "\u00E9\u00E9"},
                    TextCase{"XmlPredefined", "&lt;&gt;&amp;&quot;&apos;", "<>&\"'"},
                    TextCase{"Html5Name", "&rsquo;&hellip;&bigstar;", "\u2019\u2026\u2605"},
                    TextCase{"UnknownNameKept", "&bogus; stays", "&bogus; stays"},
                    TextCase{"BareAmpersandKept", "AT&T", "AT&T"},
                    TextCase{"MarkupKeptLiteral", "<b>&amp;</b>", "<b>&</b>"},
                    TextCase{"WhitespaceKept", "  a  \n b ", "  a  \n b "},
                    TextCase{"LegacyNameWithoutSemicolon", "&eacutex &amp", "\u00E9x &"},
                    TextCase{"LongestLegacyPrefix", "&notin; &notit;", "\u2209 \u00ACit;"},
                    TextCase{"MultiCodePointEntity", "&NotEqualTilde;", "\u2242\u0338"},
                    TextCase{"NumericRemapAndReplacement", "&#128;&#0;", "\u20AC\uFFFD"},
                    TextCase{"TruncatedReference", "a&#", "a&#"}),
    case_name);

// ---- collapse_whitespace ---------------------------------------------------------------

class CollapseWhitespace : public testing::TestWithParam<TextCase> {};

TEST_P(CollapseWhitespace, Collapses) {
  EXPECT_EQ(fw::text::collapse_whitespace(GetParam().input), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CollapseWhitespace,
    testing::Values(TextCase{"AsciiRuns", "a \t\r\n b", "a b"}, TextCase{"Trimmed", "  a  ", "a"},
                    TextCase{"NoBreakSpace", "a\u00A0\u00A0b", "a b"},
                    TextCase{"IdeographicSpace", "\u4E2D\u3000\u6587", "\u4E2D \u6587"},
                    TextCase{"EmAndThinSpaces", "a\u2003\u2009b", "a b"},
                    TextCase{"ZeroWidthSpaceIsNotWhitespace", "a\u200Bb", "a\u200Bb"},
                    TextCase{"AllWhitespace", " \n\u00A0 ", ""},
                    TextCase{"MultibyteTextUntouched", "caf\u00E9 \u2019", "caf\u00E9 \u2019"}),
    case_name);

// ---- sanitize_utf8 -----------------------------------------------------------------------

class SanitizeUtf8 : public testing::TestWithParam<TextCase> {};

TEST_P(SanitizeUtf8, Repairs) {
  const std::string out = fw::text::sanitize_utf8(GetParam().input);
  EXPECT_EQ(out, GetParam().expected);
  EXPECT_TRUE(fw::text::is_valid_utf8(out));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SanitizeUtf8,
    testing::Values(TextCase{"ValidUnchanged", "caf\xC3\xA9 \xE2\x80\x99 \xF0\x9F\x98\x80",
                             "caf\xC3\xA9 \xE2\x80\x99 \xF0\x9F\x98\x80"},
                    TextCase{"StrayContinuationByte", "a\x80z", "a\xEF\xBF\xBDz"},
                    TextCase{"Latin1Byte", "caf\xE9!", "caf\xEF\xBF\xBD!"},
                    TextCase{"TruncatedSequenceIsOneReplacement", "a\xE2\x80", "a\xEF\xBF\xBD"},
                    TextCase{"OverlongEncoding", "\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},
                    TextCase{"Surrogate", "\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
                    TextCase{"AboveUnicodeRange", "\xF4\x90\x80\x80",
                             "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}),
    case_name);

TEST(Utf8SequenceLength, ReportsLengthOfValidSequencesAndZeroOtherwise) {
  const std::string_view s = "a\xC3\xA9\xE2\x80\x99\xF0\x9F\x98\x80\xFF";
  EXPECT_EQ(fw::text::utf8_sequence_length(s, 0), 1U);
  EXPECT_EQ(fw::text::utf8_sequence_length(s, 1), 2U);
  EXPECT_EQ(fw::text::utf8_sequence_length(s, 3), 3U);
  EXPECT_EQ(fw::text::utf8_sequence_length(s, 6), 4U);
  EXPECT_EQ(fw::text::utf8_sequence_length(s, 10), 0U);
  EXPECT_EQ(fw::text::utf8_sequence_length(s, 11), 0U);
}

TEST(IsValidUtf8, RejectsCp1252Quotes) {
  EXPECT_TRUE(fw::text::is_valid_utf8("\xE2\x80\x9Cok\xE2\x80\x9D"));
  EXPECT_FALSE(fw::text::is_valid_utf8("\x93no\x94"));
}

}  // namespace
