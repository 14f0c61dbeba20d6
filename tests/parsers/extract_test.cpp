// fw::extract: article pages and content:encoded fragments -> clean body text,
// sanitized HTML and metadata. Golden pairs live in tests/fixtures/extract/
// (<name>.html -> <name>.txt).
#include "parsers/extract/extract.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/date/date.hpp"

namespace {

namespace fs = std::filesystem;
using fw::extract::Article;
using fw::extract::extract;
using fw::extract::Options;
using fw::extract::SiteRule;

const fs::path k_fixtures = fs::path(FW_SOURCE_DIR) / "tests" / "fixtures" / "extract";
constexpr std::string_view k_focus_url =
    "https://focus.cbbc.org/what-is-deepseek-the-chinese-ai-shaking-up-the-global-ai-landscape/";

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Article run(std::string_view html, const Options& options = {}) {
  auto result = extract(html, options);
  EXPECT_TRUE(result) << result.error().message;
  return result ? std::move(*result) : Article{};
}

// A page whose article is `body` between realistic furniture; `head` goes
// into <head>.
std::string page(std::string_view body, std::string_view head = "") {
  std::string out = "<!DOCTYPE html><html><head><meta charset=\"utf-8\">";
  out += head;
  out +=
      "</head><body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav>"
      "<div class=\"sidebar\"><h3>Most read</h3><ul><li><a href=\"/1\">A story elsewhere on the site</a></li>"
      "<li><a href=\"/2\">Another story elsewhere on the site</a></li></ul></div>"
      "<div class=\"article-body\">";
  out += body;
  out += "</div><footer><p>Copyright 2025 Example News. All rights reserved.</p></footer></body></html>";
  return out;
}

// Paragraphs of prose, long enough to be scored as an article.
std::string prose(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += "<p>Paragraph " + std::to_string(i) +
           " tells the story, with commas, clauses and detail, as news writing does, at some length so "
           "that it reads like a real article.</p>";
  }
  return out;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// ---- golden pairs ---------------------------------------------------------------------

std::vector<std::string> golden_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(k_fixtures)) {
    if (entry.path().extension() == ".html") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class Golden : public testing::TestWithParam<std::string> {};

TEST_P(Golden, TextMatchesTheExpectedFile) {
  const std::string name = GetParam();
  Options options;
  options.url = std::string(k_focus_url);
  const Article article = run(read(k_fixtures / (name + ".html")), options);
  EXPECT_EQ(article.text + "\n", read(k_fixtures / (name + ".txt")));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Golden, testing::ValuesIn(golden_names()),
                         [](const testing::TestParamInfo<std::string>& param) {
                           std::string n = param.param;
                           for (char& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

TEST(GoldenSet, HasThePagesTheIssueAsksFor) {
  const auto names = golden_names();
  EXPECT_GE(names.size(), 4U);
  EXPECT_NE(std::find(names.begin(), names.end(), "focus-deepseek"), names.end());
}

// ---- the Focus (WordPress) page: no boilerplate line, with and without a rule -------------

const std::vector<std::string_view> k_boilerplate = {
    "appeared first on", "Read Also",     "launchpad",           "Share this",
    "cookies",           "Leave a Reply", "Most read",           "newsletter",
    "thoughts on",       "Tagged",        "All rights reserved", "Focus Editorial Team",
    "Business\n"};

void expect_no_boilerplate(const std::string& text) {
  for (const std::string_view b : k_boilerplate) EXPECT_FALSE(contains(text, b)) << "boilerplate: " << b;
}

TEST(FocusPage, GenericExtractionFindsOnlyTheArticle) {
  Options options;
  options.url = std::string(k_focus_url);
  const Article a = run(read(k_fixtures / "focus-deepseek.html"), options);
  EXPECT_EQ(a.method, "generic");
  expect_no_boilerplate(a.text);
  EXPECT_EQ(a.text + "\n", read(k_fixtures / "focus-deepseek.txt"));
}

TEST(FocusPage, SiteRuleFindsOnlyTheArticle) {
  const SiteRule rule{"focus.cbbc.org", ".entry-content", {".read-also", ".post-footer"}};
  Options options;
  options.url = std::string(k_focus_url);
  options.rule = &rule;
  const Article a = run(read(k_fixtures / "focus-deepseek.html"), options);
  EXPECT_EQ(a.method, "site-rule");
  expect_no_boilerplate(a.text);
  EXPECT_EQ(a.text + "\n", read(k_fixtures / "focus-deepseek.txt"));
  // The promo banner goes from the HTML as well, alt text included.
  EXPECT_FALSE(contains(a.html, "launchpad"));
  EXPECT_FALSE(contains(a.html, "read-also"));
}

TEST(FocusPage, RuleRemovalsApplyEvenWhereGenericHintsWouldNot) {
  // A box that no generic hint recognises goes because the rule says so.
  const std::string html =
      page(prose(4) +
           "<div class=\"x-box\"><p>Sponsored words that only the rule knows are not the article, "
           "written at enough length to be kept otherwise.</p></div>");
  const SiteRule rule{"example.com", "", {".x-box"}};
  Options options;
  options.url = "https://example.com/a";
  options.rule = &rule;
  EXPECT_FALSE(contains(run(html, options).text, "Sponsored words"));
  EXPECT_TRUE(contains(run(html).text, "Sponsored words"));
}

TEST(FocusPage, MetadataComesFromMetaTagsAndJsonLd) {
  Options options;
  options.url = std::string(k_focus_url);
  const Article a = run(read(k_fixtures / "focus-deepseek.html"), options);
  EXPECT_EQ(a.title, "What is DeepSeek? The Chinese AI shaking up the global AI landscape");
  EXPECT_EQ(a.byline, "Focus Editorial Team");
  EXPECT_EQ(a.published, fw::date::from_civil(2025, 1, 31, 12, 0, 0));
  EXPECT_EQ(a.modified, fw::date::from_civil(2025, 2, 3, 9, 15, 0));
  EXPECT_EQ(a.canonical_url, std::string(k_focus_url));
  EXPECT_EQ(a.language, "en-GB");
  EXPECT_EQ(a.lead_image, "https://focus.cbbc.org/wp-content/uploads/2025/01/deepseek.jpg");
}

// ---- site rules ----------------------------------------------------------------------------

TEST(SiteRules, BodyMatchingNothingFallsBackToGeneric) {
  const SiteRule rule{"example.com", ".no-such-thing", {}};
  Options options;
  options.rule = &rule;
  const Article a = run(page(prose(3)), options);
  EXPECT_EQ(a.method, "generic");
  EXPECT_TRUE(contains(a.text, "Paragraph 2 tells"));
  ASSERT_FALSE(a.warnings.empty());
  EXPECT_TRUE(contains(a.warnings.front(), "matched no text"));
}

TEST(SiteRules, SeveralBodyMatchesAreJoinedInOrder) {
  const SiteRule rule{"example.com", ".part", {}};
  Options options;
  options.rule = &rule;
  const Article a = run(page("<div class=\"part\"><p>First part.</p></div><p>Between.</p>"
                             "<div class=\"part\"><p>Second part.</p></div>"),
                        options);
  EXPECT_EQ(a.text, "First part.\n\nSecond part.");
}

TEST(SiteRules, BadSelectorIsAnError) {
  const SiteRule rule{"example.com", ".entry-content:first-child", {}};
  Options options;
  options.rule = &rule;
  auto result = extract(page(prose(2)), options);
  ASSERT_FALSE(result);
  EXPECT_TRUE(contains(result.error().message, "site rule example.com: body:"));
  EXPECT_TRUE(contains(result.error().message, "pseudo-class"));
}

TEST(SiteRules, FindByHost) {
  const std::vector<SiteRule> rules = {{"cbbc.org", ".a", {}}, {"focus.cbbc.org", ".b", {}}};
  EXPECT_EQ(fw::extract::find_site_rule(rules, "https://focus.cbbc.org/x"), &rules[1]);
  EXPECT_EQ(fw::extract::find_site_rule(rules, "https://FOCUS.cbbc.org:8443/x"), &rules[1]);
  EXPECT_EQ(fw::extract::find_site_rule(rules, "https://www.focus.cbbc.org/"), &rules[1]);
  EXPECT_EQ(fw::extract::find_site_rule(rules, "https://www.cbbc.org/"), &rules[0]);
  EXPECT_EQ(fw::extract::find_site_rule(rules, "https://evilcbbc.org/"), nullptr);
  EXPECT_EQ(fw::extract::find_site_rule(rules, "https://user@cbbc.org.evil.com/"), nullptr);
  EXPECT_EQ(fw::extract::find_site_rule(rules, "not a url"), nullptr);
}

// ---- generic extraction: boilerplate ---------------------------------------------------------

struct BoilerplateCase {
  const char* name;
  std::string_view html;  // inserted after the article's paragraphs
  std::string_view gone;  // text that must not be in the output
};

class Boilerplate : public testing::TestWithParam<BoilerplateCase> {};

TEST_P(Boilerplate, IsRemoved) {
  const Article a = run(page(prose(3) + std::string(GetParam().html) + prose(2)));
  EXPECT_FALSE(contains(a.text, GetParam().gone)) << a.text;
  EXPECT_TRUE(contains(a.text, "Paragraph 0 tells")) << a.text;
  EXPECT_TRUE(contains(a.text, "Paragraph 1 tells")) << a.text;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Boilerplate,
    testing::Values(
        BoilerplateCase{
            "WordPressFooter",
            "<p>The post <a href=\"/x\">Some title</a> appeared first on <a href=\"/\">Site</a>.</p>",
            "appeared first on"},
        BoilerplateCase{"ReadAlsoByText",
                        "<p><strong>Read Also</strong> <a href=\"/y\">Another story</a></p>",
                        "Another story"},
        BoilerplateCase{"RelatedByText", "<div>Related: <a href=\"/y\">Another story</a></div>",
                        "Another story"},
        BoilerplateCase{"ReadAlsoByClass", "<div class=\"readAlso\"><a href=\"/y\">Another story</a></div>",
                        "Another story"},
        BoilerplateCase{"ShareBar",
                        "<div class=\"share-buttons\"><a href=\"https://twitter.com/share\">Twitter</a>"
                        "<a href=\"https://facebook.com/share\">Facebook</a></div>",
                        "Facebook"},
        BoilerplateCase{"ShareLabel", "<p>Share this article</p>", "Share this"},
        BoilerplateCase{"Newsletter",
                        "<div class=\"box\"><p>Sign up for our newsletter to get the best stories every "
                        "morning.</p></div>",
                        "newsletter"},
        BoilerplateCase{"CookieNotice",
                        "<div id=\"cn\"><p>We use cookies to improve your experience. Accept?</p></div>",
                        "cookies"},
        BoilerplateCase{"Comments",
                        "<div id=\"comments\"><h3>3 Comments</h3><p>Great article, I agree with everything "
                        "said here, thanks.</p></div>",
                        "Great article"},
        BoilerplateCase{"LeaveAReply", "<h3>Leave a Reply</h3>", "Leave a Reply"},
        BoilerplateCase{"HiddenByStyle",
                        "<p style=\"display: none\">Invisible text that a reader never sees on the page.</p>",
                        "Invisible"},
        BoilerplateCase{"HiddenAttribute", "<p hidden>Invisible text that a reader never sees.</p>",
                        "Invisible"},
        BoilerplateCase{"AriaHidden", "<div aria-hidden=\"true\">Invisible text for screen readers.</div>",
                        "Invisible"},
        BoilerplateCase{"ScriptAndStyle", "<script>var invisible = 1;</script><style>.invisible{}</style>",
                        "invisible"},
        BoilerplateCase{
            "LinkList",
            "<ul><li><a href=\"/a\">First other story headline</a></li><li><a href=\"/b\">Second "
            "other story headline</a></li><li><a href=\"/c\">Third other story headline</a></li></ul>",
            "other story"},
        BoilerplateCase{"FigureCaption",
                        "<figure><img src=\"/p.jpg\"><figcaption>Photo: Agency</figcaption></figure>",
                        "Photo: Agency"}),
    [](const testing::TestParamInfo<BoilerplateCase>& param) { return std::string(param.param.name); });

TEST(Generic, PicksTheArticleOverLongerLinkLists) {
  std::string links = "<div class=\"list\">";
  for (int i = 0; i < 40; ++i)
    links += "<p><a href=\"/s" + std::to_string(i) + "\">A long headline of a story, linked</a></p>";
  links += "</div>";
  const Article a = run("<html><body>" + links + "<div>" + prose(4) + "</div></body></html>");
  EXPECT_EQ(a.method, "generic");
  EXPECT_TRUE(contains(a.text, "Paragraph 3 tells"));
  EXPECT_FALSE(contains(a.text, "headline of a story"));
}

TEST(Generic, MergesSiblingParagraphsOfTheArticle) {
  const Article a = run("<html><body><div id=\"x\">" + prose(4) +
                        "</div><p>A closing paragraph outside the main container, but clearly part of the "
                        "article text.</p><div class=\"menu\"><a href=\"/\">Home</a></div></body></html>");
  EXPECT_TRUE(contains(a.text, "A closing paragraph"));
  EXPECT_FALSE(contains(a.text, "Home"));
}

TEST(Generic, DropsTheHeadingThatRepeatsTheTitle) {
  const Article a =
      run(page("<h1>The headline</h1>" + prose(3), "<title>The headline | Example News</title>"));
  EXPECT_EQ(a.title, "The headline");
  EXPECT_FALSE(contains(a.text, "The headline"));
}

TEST(Generic, EmptyInputIsAnEmptyArticle) {
  const Article a = run("");
  EXPECT_EQ(a.text, "");
  EXPECT_FALSE(a.warnings.empty());
}

TEST(Generic, DeepNestingDoesNotExhaustTheStack) {
  std::string html = "<html><body>";
  for (int i = 0; i < 20000; ++i) html += "<div>";
  html += "deep text";
  const Article a = run(html);
  EXPECT_TRUE(contains(a.text, "deep text"));
}

// ---- content:encoded fragments ------------------------------------------------------------------

TEST(Fragment, IsDetectedAndKeptWhole) {
  const Article a = run("<p>Short one.</p><p>Short two.</p>");
  EXPECT_EQ(a.method, "fragment");
  EXPECT_EQ(a.text, "Short one.\n\nShort two.");
}

TEST(Fragment, OptionForcesFragmentMode) {
  Options options;
  options.fragment = true;
  const Article a = run("<meta name=x><p>Kept.</p><p>The post X appeared first on Y.</p>", options);
  EXPECT_EQ(a.method, "fragment");
  EXPECT_EQ(a.text, "Kept.");
}

// ---- text layout -----------------------------------------------------------------------------------

TEST(TextLayout, ParagraphsHeadingsListsAndBreaks) {
  Options options;
  options.fragment = true;
  const Article a =
      run("<p>First   paragraph\n with  spaces.</p><h2>A heading</h2><p>Line one<br>line two</p>"
          "<ul><li>item one</li><li>item <b>two</b></li></ul><p>After&nbsp;the list.</p>"
          "<pre>  code\n    "
          "indented</pre><table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
          options);
  EXPECT_EQ(a.text,
            "First paragraph with spaces.\n\nA heading\n\nLine one\nline two\n\nitem one\nitem two\n\n"
            "After the list.\n\ncode\n    indented\n\na b\nc d");
}

TEST(TextLayout, InlineElementsDoNotSplitWords) {
  Options options;
  options.fragment = true;
  EXPECT_EQ(run("<p>un<b>break</b>able <a href=\"/\">link</a>text</p>", options).text,
            "unbreakable linktext");
}

// ---- sanitized HTML -------------------------------------------------------------------------------

TEST(Html, AllowlistAbsoluteUrlsNoScript) {
  Options options;
  options.fragment = true;
  options.url = "https://example.com/news/story.html";
  const Article a =
      run("<div class=\"c\" onclick=\"steal()\"><p style=\"color:red\">Hello <a href=\"../about?x=1#y\" "
          "onmouseover=\"x()\">about</a> <a href=\"javascript:alert(1)\">bad</a> <a "
          "href=\"//cdn.example.org/f\">cdn</a></p>"
          "<script>alert(1)</script><iframe src=\"https://evil.example/\"></iframe><style>p{}</style>"
          "<img src=\"data:image/gif;base64,R0l\" data-src=\"/img/lazy.jpg\" alt=\"A &quot;photo&quot;\" "
          "onerror=\"x()\">"
          "<custom-el>kept text</custom-el><form><input value=\"secret\"></form></div>",
          options);
  EXPECT_EQ(a.html,
            "<div><div><p>Hello <a href=\"https://example.com/about?x=1#y\">about</a> <a>bad</a> "
            "<a href=\"https://cdn.example.org/f\">cdn</a></p><img src=\"https://example.com/img/lazy.jpg\" "
            "alt=\"A &quot;photo&quot;\">kept text</div></div>\n");
}

TEST(Html, EscapesText) {
  Options options;
  options.fragment = true;
  EXPECT_EQ(run("<p>a &lt;b&gt; &amp; c</p>", options).html, "<div><p>a &lt;b&gt; &amp; c</p></div>\n");
}

// ---- metadata ---------------------------------------------------------------------------------------

TEST(Metadata, JsonLdNewsArticleInsideAGraph) {
  const Article a =
      run(page(prose(3),
               "<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@graph\":"
               "[{\"@type\":\"WebSite\",\"name\":\"Example\"},{\"@type\":[\"NewsArticle\"],"
               "\"headline\":\"From JSON-LD\",\"datePublished\":\"2024-03-05T10:20:30+01:00\","
               "\"dateModified\":\"2024-03-06T00:00:00Z\",\"author\":[{\"@type\":\"Person\","
               "\"name\":\"Ann Writer\"},{\"name\":\"Bo Reporter\"}],\"image\":{\"url\":\"/lead.jpg\"},"
               "\"inLanguage\":\"fr\"}]}</script>"));
  EXPECT_EQ(a.title, "From JSON-LD");
  EXPECT_EQ(a.byline, "Ann Writer, Bo Reporter");
  EXPECT_EQ(a.published, fw::date::from_civil(2024, 3, 5, 9, 20, 30));
  EXPECT_EQ(a.modified, fw::date::from_civil(2024, 3, 6, 0, 0, 0));
  EXPECT_EQ(a.language, "fr");
  EXPECT_EQ(a.lead_image, std::nullopt);  // relative with no page URL: not made up
}

TEST(Metadata, BrokenJsonLdIsAWarningNotAFailure) {
  const Article a =
      run(page(prose(3), "<title>T</title><script type=\"application/ld+json\">{\"@type\": </script>"));
  EXPECT_EQ(a.title, "T");
  ASSERT_FALSE(a.warnings.empty());
  EXPECT_TRUE(contains(a.warnings.front(), "JSON-LD"));
}

TEST(Metadata, TimeElementAndRelAuthorAsFallbacks) {
  Options options;
  options.url = "https://example.com/a/b";
  const Article a =
      run(page("<p>By <a rel=\"author\" href=\"/u\">Cy Columnist</a> <time datetime=\"2023-12-31\">"
               "New Year's Eve</time></p>" +
                   prose(3),
               "<link rel=\"canonical\" href=\"/a/b?amp=0\"><meta property=\"og:image\" "
               "content=\"img/x.png\"><html lang=\"de\">"),
          options);
  EXPECT_EQ(a.byline, "Cy Columnist");
  EXPECT_EQ(a.published, fw::date::from_civil(2023, 12, 31, 0, 0, 0));
  EXPECT_EQ(a.canonical_url, "https://example.com/a/b?amp=0");
  EXPECT_EQ(a.lead_image, "https://example.com/a/img/x.png");
}

struct TitleCase {
  const char* name;
  std::string_view head;
  std::string_view body_h1;
  std::string_view expected;
};

class Titles : public testing::TestWithParam<TitleCase> {};

TEST_P(Titles, LoseTheSiteName) {
  const Article a = run(page(std::string(GetParam().body_h1) + prose(3), GetParam().head));
  EXPECT_EQ(a.title, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Titles,
    testing::Values(
        TitleCase{
            "OgSiteName",
            "<title>x</title><meta property=\"og:title\" content=\"Rates rise again - The Daily Paper\">"
            "<meta property=\"og:site_name\" content=\"The Daily Paper\">",
            "", "Rates rise again"},
        TitleCase{"PipeSuffix", "<title>Rates rise again, says bank | Paper</title>", "",
                  "Rates rise again, says bank"},
        TitleCase{"H1Agrees", "<title>Rates - rise - again: a long story - Paper Online</title>",
                  "<h1>Rates - rise - again: a long story</h1>", "Rates - rise - again: a long story"},
        TitleCase{"NoSeparator", "<title>Rates rise again</title>", "", "Rates rise again"},
        TitleCase{"ShortHeadlineKept", "<title>Brexit - Paper</title>", "", "Brexit - Paper"}),
    [](const testing::TestParamInfo<TitleCase>& param) { return std::string(param.param.name); });

// ---- input: charsets and limits -----------------------------------------------------------------------

struct CharsetCase {
  const char* name;
  std::string bytes;
  std::string content_type;
  std::string expected_text;
};

class Charsets : public testing::TestWithParam<CharsetCase> {};

TEST_P(Charsets, DecodeToUtf8) {
  Options options;
  options.content_type = GetParam().content_type;
  options.fragment = true;
  EXPECT_EQ(run(GetParam().bytes, options).text, GetParam().expected_text);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Charsets,
    testing::Values(
        CharsetCase{"Utf8Default", "<p>caf\xC3\xA9</p>", "", "caf\xC3\xA9"},
        CharsetCase{"Utf8Bom", "\xEF\xBB\xBF<p>caf\xC3\xA9</p>", "text/html; charset=iso-8859-1",
                    "caf\xC3\xA9"},
        CharsetCase{"HeaderLatin1IsWindows1252", "<p>\x93quoted\x94 caf\xE9</p>",
                    "text/html; charset=ISO-8859-1", "\xE2\x80\x9Cquoted\xE2\x80\x9D caf\xC3\xA9"},
        CharsetCase{"MetaCharset", "<meta charset=\"windows-1252\"><p>caf\xE9</p>", "", "caf\xC3\xA9"},
        CharsetCase{
            "MetaHttpEquiv",
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\"><p>\xF0\xD2\xC9</p>", "",
            "\xD0\x9F\xD1\x80\xD0\xB8"},
        CharsetCase{"HeaderBeatsMeta", "<meta charset=\"koi8-r\"><p>caf\xC3\xA9</p>",
                    "text/html; charset=utf-8", "caf\xC3\xA9"},
        CharsetCase{"Utf16LeBom", std::string("\xFF\xFE<\0p\0>\0h\0i\0<\0/\0p\0>\0", 20), "", "hi"},
        CharsetCase{"GbkMeansGb18030", "<meta charset=gb2312><p>\xD6\xD0\xCE\xC4</p>", "",
                    "\xE4\xB8\xAD\xE6\x96\x87"}),
    [](const testing::TestParamInfo<CharsetCase>& param) { return std::string(param.param.name); });

TEST(Input, InvalidUtf8IsReplacedAndReported) {
  Options options;
  options.fragment = true;
  const Article a = run("<p>bad \xFF byte</p>", options);
  EXPECT_EQ(a.text, "bad \xEF\xBF\xBD byte");
  ASSERT_FALSE(a.warnings.empty());
  EXPECT_TRUE(contains(a.warnings.front(), "U+FFFD"));
}

TEST(Input, UnknownCharsetIsReadAsUtf8WithAWarning) {
  Options options;
  options.fragment = true;
  options.content_type = "text/html; charset=x-no-such-charset";
  const Article a = run("<p>plain</p>", options);
  EXPECT_EQ(a.text, "plain");
  ASSERT_FALSE(a.warnings.empty());
  EXPECT_TRUE(contains(a.warnings.front(), "unknown charset"));
}

TEST(Input, OversizedInputIsCutWithAWarning) {
  Options options;
  options.fragment = true;
  options.max_bytes = 20;
  const Article a = run("<p>0123456789</p><p>cut off here</p>", options);
  EXPECT_EQ(a.text, "0123456789");
  ASSERT_FALSE(a.warnings.empty());
  EXPECT_TRUE(contains(a.warnings.front(), "cut at 20"));
}

// ---- URLs ----------------------------------------------------------------------------------------------

struct UrlCase {
  const char* name;
  std::string_view base;
  std::string_view ref;
  std::string_view expected;
};

class Urls : public testing::TestWithParam<UrlCase> {};

TEST_P(Urls, Resolve) {
  EXPECT_EQ(fw::extract::resolve_url(GetParam().base, GetParam().ref), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc3986, Urls,
    testing::Values(
        UrlCase{"Absolute", "https://a.com/b/c", "http://x.org/y", "http://x.org/y"},
        UrlCase{"Relative", "https://a.com/b/c", "d", "https://a.com/b/d"},
        UrlCase{"DotDot", "https://a.com/b/c/d", "../../e", "https://a.com/e"},
        UrlCase{"RootRelative", "https://a.com/b/c", "/x?q", "https://a.com/x?q"},
        UrlCase{"ProtocolRelative", "https://a.com/b", "//cdn.b.com/i.png", "https://cdn.b.com/i.png"},
        UrlCase{"QueryOnly", "https://a.com/b?x", "?y", "https://a.com/b?y"},
        UrlCase{"FragmentOnly", "https://a.com/b?x", "#top", "https://a.com/b?x#top"},
        UrlCase{"HostWithoutPath", "https://a.com", "p", "https://a.com/p"},
        UrlCase{"SpacesTrimmed", "https://a.com/", "  /x \n", "https://a.com/x"},
        UrlCase{"Mailto", "https://a.com/", "mailto:x@a.com", "mailto:x@a.com"},
        UrlCase{"JavascriptRefused", "https://a.com/", "JavaScript:alert(1)", ""},
        UrlCase{"DataRefused", "https://a.com/", "data:text/html,x", ""},
        UrlCase{"NoBaseRelativeRefused", "", "x/y", ""},
        // Found by fuzz/url_fuzz: control characters were copied into the result, and a
        // second resolution (which collapses spaces) gave another URL.
        UrlCase{"ControlCharactersInThePathAreEncoded", "https://a.com/", std::string_view("x\x01y\0z w", 7),
                "https://a.com/x%01y%00z%20w"},
        UrlCase{"ControlCharacterInTheHostRefused", "https://a\x0c.com/", "x", ""},
        UrlCase{"NoBreakSpaceInTheReferenceIsASpace", "https://a.com/", "x\xC2\xA0y", "https://a.com/x%20y"},
        UrlCase{"NoBreakSpaceInTheBasePathIsEncoded", "https://a.com/x\xC2\xA0y", "#f",
                "https://a.com/x%C2%A0y#f"},
        UrlCase{"NoBreakSpaceInTheHostRefused",
                "https://a\xC2\xA0"
                "b.com/",
                "x", ""}),
    [](const testing::TestParamInfo<UrlCase>& param) { return std::string(param.param.name); });

}  // namespace
