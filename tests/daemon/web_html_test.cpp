// Tests of the web view's HTML helpers and diff rendering (daemon/web): article
// text is always escaped (a <script> in a body shows as text), insertions and
// deletions are marked, paragraphs stay well nested, query strings decode.
#include <gtest/gtest.h>

#include <string>

#include "daemon/config/config.hpp"
#include "daemon/web/diff_html.hpp"
#include "daemon/web/html.hpp"
#include "parsers/diff/diff.hpp"

namespace fw::web {
namespace {

int count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

TEST(WebEscape, EscapesMarkupAndQuotes) {
  EXPECT_EQ(escape("<script>alert(\"x\")</script> & 'y'"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;");
}

TEST(WebEscape, KeepsUtf8AndReplacesIllFormedBytes) {
  EXPECT_EQ(escape("华为 café"), "华为 café");
  EXPECT_EQ(escape(std::string("a\xC3(b")), "a\xEF\xBF\xBD(b");
  EXPECT_EQ(escape(std::string("x\xED\xA0\x80y")), "x\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDy");  // a surrogate
}

TEST(WebEscape, DropsControlCharacters) {
  EXPECT_EQ(escape(std::string("a\x01\x7F"
                               "b\tc\n")),
            "ab\tc\n");
}

TEST(WebUrl, EncodesAndDecodesQueryValues) {
  EXPECT_EQ(url_encode("huawei \"5G\"&x=1/é"), "huawei%20%225G%22%26x%3D1%2F%C3%A9");
  EXPECT_EQ(url_decode("a+b%20c%2"), "a b c%2");
  const Target t = parse_target("/search?q=export+controls&page=2&q=ignored&flag");
  EXPECT_EQ(t.path, "/search");
  EXPECT_EQ(t.param("q"), "export controls");
  EXPECT_EQ(t.param("page"), "2");
  EXPECT_EQ(t.param("flag"), "");
  EXPECT_EQ(t.param("missing"), "");
}

TEST(WebUrl, CutsLongValues) {
  const Target t = parse_target("/search?q=" + std::string(2000, 'a'), 500);
  EXPECT_EQ(t.param("q"), std::string(500, 'a') + "\xE2\x80\xA6");
}

TEST(WebDiffHtml, InlineMarksChangedWords) {
  const diff::Diff d = diff::diff("DeepSeek says its model cost $6 million.\n\nAnalysts were sceptical.",
                                  "DeepSeek says its model cost $60 million.\n\nAnalysts were sceptical.");
  const std::string html = inline_diff_html(d);
  EXPECT_NE(html.find("<del>$6</del>"), std::string::npos) << html;
  EXPECT_NE(html.find("<ins>$60</ins>"), std::string::npos) << html;
  EXPECT_EQ(count(html, "<p class=\"changed\">"), 1) << html;
  EXPECT_NE(html.find("<p>Analysts were sceptical.</p>"), std::string::npos) << html;
}

TEST(WebDiffHtml, ScriptInArticleBodyShowsAsText) {
  const diff::Diff d =
      diff::diff("Safe text.", "Safe text. <script>alert('owned')</script> <b onclick=\"x\">b</b>");
  for (const std::string& html : {inline_diff_html(d), side_by_side_html(d)}) {
    EXPECT_EQ(html.find("<script"), std::string::npos) << html;
    EXPECT_EQ(html.find("<b "), std::string::npos) << html;
    EXPECT_NE(html.find("&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;"), std::string::npos) << html;
    EXPECT_NE(html.find("<ins>"), std::string::npos) << html;
  }
}

TEST(WebDiffHtml, RemovedParagraphStaysWellNested) {
  const diff::Diff d = diff::diff("One.\n\nTwo gone.\n\nThree.", "One.\n\nThree.");
  const std::string html = inline_diff_html(d);
  EXPECT_EQ(count(html, "<p"), count(html, "</p>")) << html;
  EXPECT_EQ(count(html, "<del>"), count(html, "</del>")) << html;
  EXPECT_NE(html.find("<del>Two gone.</del>"), std::string::npos) << html;
  // No <del> spans a paragraph break.
  EXPECT_EQ(html.find("<del>\n"), std::string::npos) << html;
}

TEST(WebDiffHtml, SideBySideAlignsParagraphs) {
  const diff::Diff d =
      diff::diff("First para.\n\nSecond para old.\n\nThird.", "First para.\n\nSecond para new.\n\nThird.");
  const std::string html = side_by_side_html(d);
  EXPECT_EQ(count(html, "<tr"), 3) << html;
  EXPECT_EQ(count(html, "<tr class=\"changed\">"), 1) << html;
  // The old word only on the left, the new only on the right of the changed row.
  const std::size_t row = html.find("<tr class=\"changed\">");
  const std::size_t mid = html.find("</td><td>", row);
  EXPECT_NE(html.find("<del>old</del>", row), std::string::npos);
  EXPECT_LT(html.find("<del>old</del>", row), mid);
  EXPECT_GT(html.find("<ins>new</ins>", row), mid);
}

TEST(WebDiffHtml, IdenticalTextsHaveNoMarks) {
  const diff::Diff d = diff::diff("Same.\n\nText.", "Same.\n\nText.");
  const std::string html = inline_diff_html(d);
  EXPECT_EQ(html.find("<ins>"), std::string::npos);
  EXPECT_EQ(html.find("<del>"), std::string::npos);
  EXPECT_EQ(html, "<div class=\"diff inline\"><p>Same.</p><p>Text.</p></div>");
}

TEST(WebDiffHtml, LineDiffOfTitles) {
  const std::string html =
      line_diff_html(diff::diff("DeepSeek cost <questioned>", "DeepSeek bill <questioned>"));
  EXPECT_NE(html.find("<del>cost</del>"), std::string::npos) << html;
  EXPECT_NE(html.find("<ins>bill</ins>"), std::string::npos) << html;
  EXPECT_NE(html.find("&lt;questioned&gt;"), std::string::npos) << html;
}

TEST(WebConfig, AuthEnvironmentNamesLoad) {
  const config::Config c = config::load_string(
      "web:\n  listen: 127.0.0.1:8080\n  token_env: FEEDWATCH_WEB_TOKEN\n  user_env: FEEDWATCH_WEB_USER\n"
      "  password_env: FEEDWATCH_WEB_PASSWORD\n",
      "f.yaml");
  EXPECT_EQ(c.web_listen.value_or(""), "127.0.0.1:8080");
  EXPECT_EQ(c.web_token_env, "FEEDWATCH_WEB_TOKEN");
  EXPECT_EQ(c.web_user_env, "FEEDWATCH_WEB_USER");
  EXPECT_EQ(c.web_password_env, "FEEDWATCH_WEB_PASSWORD");
}

TEST(WebConfig, UserWithoutPasswordIsAnError) {
  try {
    (void)config::load_string("web:\n  listen: 127.0.0.1:8080\n  user_env: FEEDWATCH_WEB_USER\n", "f.yaml");
    FAIL() << "loaded";
  } catch (const config::ConfigError& e) {
    ASSERT_EQ(e.problems().size(), 1U);
    EXPECT_NE(e.problems()[0].find("f.yaml:2: web: user_env and password_env go together"), std::string::npos)
        << e.problems()[0];
  }
}

}  // namespace
}  // namespace fw::web
