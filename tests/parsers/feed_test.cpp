// fw::feed::parse and fw::feed::to_json against FEED-JSON.md.
#include "parsers/feed/feed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/date/date.hpp"

namespace {

using fw::feed::Entry;
using fw::feed::Feed;
using fw::feed::ParseOptions;

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(FW_SOURCE_DIR) + "/tests/fixtures/feeds/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Feed parse_ok(std::string_view bytes, const ParseOptions& options = {}) {
  fw::Result<Feed> result = fw::feed::parse(bytes, options);
  if (!result) {
    ADD_FAILURE() << "parse failed: " << result.error().message;
    return {};
  }
  return std::move(result).value();
}

// The single entry of a feed (fails the test when there is not exactly one).
Entry only_entry(const Feed& feed) {
  if (feed.entries.size() != 1) {
    ADD_FAILURE() << "expected 1 entry, got " << feed.entries.size();
    return {};
  }
  return feed.entries[0];
}

// An RSS 2.0 document with the given channel content.
std::string rss(std::string_view channel_body, std::string_view namespaces = "") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"" + std::string(namespaces) +
         "><channel><title>T</title>" + std::string(channel_body) + "</channel></rss>";
}

// An RSS 2.0 document with one item.
std::string rss_item(std::string_view item_body, std::string_view namespaces = "") {
  return rss("<item>" + std::string(item_body) + "</item>", namespaces);
}

constexpr std::string_view k_content_ns = " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"";
constexpr std::string_view k_dc_ns = " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"";

bool has_warning_containing(const Feed& feed, std::string_view needle) {
  return std::any_of(feed.warnings.begin(), feed.warnings.end(),
                     [&](const std::string& w) { return w.find(needle) != std::string::npos; });
}

fw::feed::UnixTime utc(int y, int mo, int d, int h, int mi, int s) {
  return fw::date::from_civil(y, mo, d, h, mi, s);
}

// Test names of table cases: the case's `name`.
template <class Case>
std::string case_name(const testing::TestParamInfo<Case>& param_info) {
  return param_info.param.name;
}

// ---- The CBBC WordPress tag feed (tests/fixtures/feeds/cbbc-tech-companies.xml) -----

class CbbcFeed : public testing::Test {
 protected:
  void SetUp() override {
    m_bytes = read_fixture("cbbc-tech-companies.xml");
    ASSERT_FALSE(m_bytes.empty()) << "fixture missing";
    ParseOptions options;
    options.base_url = "https://focus.cbbc.org/tag/tech-companies/feed/";
    options.content_type = "application/rss+xml; charset=UTF-8";
    m_feed = parse_ok(m_bytes, options);
    ASSERT_EQ(m_feed.entries.size(), 3U);
  }

  std::string m_bytes;
  Feed m_feed;
};

TEST_F(CbbcFeed, ChannelMetadata) {
  EXPECT_EQ(m_feed.format, "rss2.0");
  EXPECT_EQ(m_feed.title, "tech companies Archives - Focus - China Britain Business Council");
  EXPECT_EQ(m_feed.link, "https://focus.cbbc.org/tag/tech-companies/");
  EXPECT_EQ(m_feed.updated, utc(2025, 4, 23, 9, 35, 23));
  EXPECT_EQ(m_feed.language, "en-gb");
}

TEST_F(CbbcFeed, SyndicationHourlyGivesOneHourTtl) {
  EXPECT_EQ(m_feed.ttl_seconds, 3600);
}

TEST_F(CbbcFeed, WellFormedFeedHasNoWarnings) {
  EXPECT_TRUE(m_feed.warnings.empty()) << m_feed.warnings[0];
}

TEST_F(CbbcFeed, TitlesArePlainTextWithTypographicApostrophesDecoded) {
  EXPECT_EQ(m_feed.entries[0].title, "What is DeepSeek? The Chinese AI shaking up the global AI landscape");
  EXPECT_EQ(m_feed.entries[1].title, "How did Zhongguancun become China\u2019s Silicon Valley?");
  EXPECT_EQ(m_feed.entries[2].title, "Is China still waging war on tech companies?");
}

TEST_F(CbbcFeed, NonPermalinkGuidsAreIdsVerbatim) {
  EXPECT_EQ(m_feed.entries[0].id, "https://focus.cbbc.org/?p=15231");
  EXPECT_EQ(m_feed.entries[1].id, "https://focus.cbbc.org/?p=11560");
  EXPECT_EQ(m_feed.entries[2].id, "https://focus.cbbc.org/?p=11463");
}

TEST_F(CbbcFeed, LinksComeFromLinkNotAtomLink) {
  EXPECT_EQ(m_feed.entries[0].link,
            "https://focus.cbbc.org/what-is-deepseek-the-chinese-ai-shaking-up-the-global-ai-landscape/");
  EXPECT_EQ(m_feed.entries[1].link,
            "https://focus.cbbc.org/how-did-zhongguancun-become-chinas-silicon-valley/");
  EXPECT_EQ(m_feed.entries[2].link, "https://focus.cbbc.org/is-china-still-waging-war-on-tech-companies/");
}

TEST_F(CbbcFeed, PublishedFromPubDateInUtc) {
  EXPECT_EQ(m_feed.entries[0].published, utc(2025, 1, 31, 12, 0, 0));
  EXPECT_EQ(m_feed.entries[1].published, utc(2023, 1, 23, 7, 30, 12));
  EXPECT_EQ(m_feed.entries[2].published, utc(2022, 12, 26, 7, 30, 27));
  EXPECT_EQ(m_feed.entries[0].updated, std::nullopt);
}

TEST_F(CbbcFeed, AuthorFromDcCreator) {
  for (const Entry& entry : m_feed.entries) EXPECT_EQ(entry.author, "Focus Editor");
}

TEST_F(CbbcFeed, CategoriesInDocumentOrder) {
  EXPECT_EQ(m_feed.entries[0].categories, (std::vector<std::string>{"Technology", "AI", "tech companies"}));
  EXPECT_EQ(m_feed.entries[1].categories,
            (std::vector<std::string>{"Interviews", "Technology", "tech companies"}));
}

TEST_F(CbbcFeed, ContentStartsWithTheLead) {
  ASSERT_TRUE(m_feed.entries[0].content);
  EXPECT_EQ(m_feed.entries[0].content->rfind(
                "In January 2025, the emergence of Chinese AI DeepSeek shook the global tech landscape", 0),
            0U);
}

TEST_F(CbbcFeed, ContentHasEntitiesDecodedAndBlocksSeparated) {
  const std::string& content = m_feed.entries[0].content.value();
  EXPECT_NE(content.find("dubbing it a \u201Cwakeup call\u201D for US tech companies Founded in 2023"),
            std::string::npos);
  EXPECT_NE(content.find("Google Gemini. A new AI contender DeepSeek\u2019s chatbot offers"),
            std::string::npos);
  EXPECT_NE(content.find("held on secure servers in China."), std::string::npos);
  EXPECT_EQ(content.find('<'), std::string::npos);
  EXPECT_EQ(content.find("&#"), std::string::npos);
}

TEST_F(CbbcFeed, NbspInsideCdataBecomesASpace) {
  EXPECT_NE(m_feed.entries[1].content->find("visited Zhongguancun, the major technology hub"),
            std::string::npos);
}

TEST_F(CbbcFeed, ReadAlsoBoxesAreTextButPromoImagesAreNot) {
  const std::string& content = m_feed.entries[1].content.value();
  EXPECT_NE(content.find("nearby. Read Also The best China fiction novels of 2022 Zhongguancun seems"),
            std::string::npos);
  EXPECT_EQ(content.find("launchpad"), std::string::npos);
  EXPECT_NE(m_feed.entries[2].content->find("Read Also China's future after the 20th Party Congress"),
            std::string::npos);
}

TEST_F(CbbcFeed, ContentEndsWithTheWordPressFooter) {
  const std::string& content = m_feed.entries[2].content.value();
  const std::string footer =
      "The post Is China still waging war on tech companies? appeared first on Focus - China Britain "
      "Business "
      "Council.";
  ASSERT_GE(content.size(), footer.size());
  EXPECT_EQ(content.substr(content.size() - footer.size()), footer);
}

TEST_F(CbbcFeed, ContentHtmlKeepsTheRawMarkup) {
  const std::string& html = m_feed.entries[0].content_html.value();
  EXPECT_EQ(html.rfind("<p><strong>In January 2025", 0), 0U);
  EXPECT_NE(html.find("<h2>A new AI contender</h2>"), std::string::npos);
  EXPECT_NE(html.find("alt=\"launchpad CBBC\""), std::string::npos);
}

TEST_F(CbbcFeed, SummaryIsTheDescriptionExcerpt) {
  EXPECT_EQ(
      m_feed.entries[1].summary,
      "Zhongguancun is the birthplace of some of China\u2019s (and the world\u2019s) biggest tech companies, "
      "including Lenovo, Bytedance \u2013 the company behind Tiktok \u2013 and Didi. But what role does "
      "\u2018China\u2019s Silicon Valley\u2019 have to play in the future of the country\u2019s tech sector? "
      "Anyone involved in tech in China has probably visited Zhongguancun, the major technology hub in "
      "Beijing\u2019s Haidian District that\u2019s been dubbed \u2018China\u2019s Silicon Valley\u2019. The "
      "area\u2019s scientific\u2026 The post How did Zhongguancun become China\u2019s Silicon Valley? "
      "appeared "
      "first on Focus - China Britain Business Council.");
}

TEST_F(CbbcFeed, NoEnclosures) {
  for (const Entry& entry : m_feed.entries) EXPECT_TRUE(entry.enclosures.empty());
}

TEST_F(CbbcFeed, JsonHeadMatchesTheContract) {
  const std::string json = fw::feed::to_json(m_feed);
  EXPECT_EQ(
      json.rfind("{\"format\":\"rss2.0\",\"title\":\"tech companies Archives - Focus - China Britain "
                 "Business Council\",\"link\":\"https://focus.cbbc.org/tag/tech-companies/\",\"updated\":"
                 "\"2025-04-23T09:35:23Z\",\"language\":\"en-gb\",\"entries\":[{\"id\":"
                 "\"https://focus.cbbc.org/?p=15231\",",
                 0),
      0U)
      << json.substr(0, 400);
  EXPECT_NE(
      json.find("\"published\":\"2025-01-31T12:00:00Z\",\"updated\":null,\"author\":\"Focus Editor\","
                "\"categories\":[\"Technology\",\"AI\",\"tech companies\"],\"summary\":\"In January 2025"),
      std::string::npos);
  EXPECT_EQ(json.find("content_html"), std::string::npos);
  EXPECT_EQ(json.find("warnings"), std::string::npos);
  EXPECT_EQ(json.find("ttl_seconds"), std::string::npos);
}

// ---- to_json ----------------------------------------------------------------------

TEST(ToJson, EmptyFeedHasEveryKeyWithNulls) {
  EXPECT_EQ(
      fw::feed::to_json(Feed{}),
      "{\"format\":null,\"title\":null,\"link\":null,\"updated\":null,\"language\":null,\"entries\":[]}");
}

TEST(ToJson, EmptyEntryHasEveryKeyWithNullsAndEmptyLists) {
  Feed feed;
  feed.entries.emplace_back();
  EXPECT_EQ(fw::feed::to_json(feed),
            "{\"format\":null,\"title\":null,\"link\":null,\"updated\":null,\"language\":null,\"entries\":[{"
            "\"id\":null,\"title\":null,\"link\":null,\"published\":null,\"updated\":null,\"author\":null,"
            "\"categories\":[],\"summary\":null,\"content\":null,\"enclosures\":[]}]}");
}

TEST(ToJson, FullEntryWithEnclosureAndDates) {
  Feed feed;
  feed.format = "rss2.0";
  feed.ttl_seconds = 60;
  feed.warnings.emplace_back("not serialized");
  Entry entry;
  entry.id = "id-1";
  entry.title = "Caf\u00E9 \"quoted\"";
  entry.published = utc(2025, 1, 31, 12, 0, 59);
  entry.categories = {"a", "b"};
  entry.content = "body";
  entry.content_html = "<p>body</p>";
  entry.enclosures.push_back({"https://x/a.mp3", "audio/mpeg", 12345});
  entry.enclosures.push_back({"https://x/b", std::nullopt, std::nullopt});
  feed.entries.push_back(entry);
  EXPECT_EQ(
      fw::feed::to_json(feed),
      "{\"format\":\"rss2.0\",\"title\":null,\"link\":null,\"updated\":null,\"language\":null,\"entries\":[{"
      "\"id\":\"id-1\",\"title\":\"Caf\u00E9 \\\"quoted\\\"\",\"link\":null,\"published\":"
      "\"2025-01-31T12:00:59Z\",\"updated\":null,\"author\":null,\"categories\":[\"a\",\"b\"],\"summary\":"
      "null,"
      "\"content\":\"body\",\"enclosures\":[{\"url\":\"https://x/a.mp3\",\"type\":\"audio/mpeg\",\"length\":"
      "12345},{\"url\":\"https://x/b\",\"type\":null,\"length\":null}]}]}");
}

// ---- Format detection -----------------------------------------------------------------

struct FormatCase {
  const char* name;
  std::string document;
  std::optional<std::string> format;
};

class FormatDetection : public testing::TestWithParam<FormatCase> {};

TEST_P(FormatDetection, FromRootAndVersion) {
  EXPECT_EQ(parse_ok(GetParam().document).format, GetParam().format);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, FormatDetection,
    testing::Values(
        FormatCase{"Rss20", "<rss version=\"2.0\"><channel/></rss>", "rss2.0"},
        FormatCase{"Rss201", "<rss version=\"2.01\"><channel/></rss>", "rss2.0"},
        FormatCase{"Rss091", "<rss version=\"0.91\"><channel/></rss>", "rss0.91"},
        FormatCase{"Rss092", "<rss version=\"0.92\"><channel/></rss>", "rss0.92"},
        FormatCase{"Rss094", "<rss version=\"0.94\"><channel/></rss>", "rss0.94"},
        FormatCase{"RssWithoutVersion", "<rss><channel/></rss>", "rss"},
        FormatCase{"RssOtherVersion", "<rss version=\"3.0\"><channel/></rss>", "rss"},
        FormatCase{"Rss10",
                   "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
                   "xmlns=\"http://purl.org/rss/1.0/\"><channel rdf:about=\"x\"/></rdf:RDF>",
                   "rss1.0"},
        FormatCase{"Rss090",
                   "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
                   "xmlns=\"http://my.netscape.com/rdf/simple/0.9/\"><channel/></rdf:RDF>",
                   "rss0.90"},
        FormatCase{"Atom10", "<feed xmlns=\"http://www.w3.org/2005/Atom\"/>", "atom1.0"},
        FormatCase{"Atom03", "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"/>", "atom0.3"},
        FormatCase{"AtomWithoutNamespace", "<feed/>", "atom"},
        FormatCase{"JsonFeed10", "{\"version\":\"https://jsonfeed.org/version/1\",\"items\":[]}", "json1.0"},
        FormatCase{"JsonFeed11", "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[]}",
                   "json1.1"}),
    case_name<FormatCase>);

// ---- Not a feed ---------------------------------------------------------------------------

struct ErrorCase {
  const char* name;
  std::string document;
};

class NotAFeed : public testing::TestWithParam<ErrorCase> {};

TEST_P(NotAFeed, IsAnErrorWithAReason) {
  const fw::Result<Feed> result = fw::feed::parse(GetParam().document, {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message.rfind("not a feed: ", 0), 0U) << result.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, NotAFeed,
    testing::Values(ErrorCase{"Empty", ""}, ErrorCase{"OnlyWhitespace", " \n\t "},
                    ErrorCase{"OnlyBom", "\xEF\xBB\xBF"}, ErrorCase{"PlainText", "hello, world"},
                    ErrorCase{"BinaryGarbage", std::string("\x00\x01\x02\xFF\xFE\x7F", 6)},
                    ErrorCase{"HtmlPage", "<!DOCTYPE html><html><body><p>Hi</p></body></html>"},
                    ErrorCase{"OtherXml", "<?xml version=\"1.0\"?><config><a/></config>"},
                    ErrorCase{"OnlyXmlDeclaration", "<?xml version=\"1.0\"?>"},
                    ErrorCase{"InvalidJson", "{\"version\": "}, ErrorCase{"JsonArray", "[1, 2]"},
                    ErrorCase{"JsonWithoutFeedShape", "{\"hello\": \"world\"}"}),
    case_name<ErrorCase>);

TEST(NotAFeed, NamesTheRootElement) {
  const fw::Result<Feed> result = fw::feed::parse("<html><body/></html>", {});
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("<html>"), std::string::npos);
}

// ---- RSS 2.0: guid and isPermaLink (RSS 2.0 "guid") -----------------------------------------

struct GuidCase {
  const char* name;
  std::string item;
  std::string base_url;
  std::optional<std::string> id;
  std::optional<std::string> link;
};

class RssGuid : public testing::TestWithParam<GuidCase> {};

TEST_P(RssGuid, IdAndLink) {
  ParseOptions options;
  options.base_url = GetParam().base_url;
  const Entry entry = only_entry(parse_ok(rss_item(GetParam().item), options));
  EXPECT_EQ(entry.id, GetParam().id);
  EXPECT_EQ(entry.link, GetParam().link);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RssGuid,
    testing::Values(
        GuidCase{"PermalinkByDefaultIsTheLink", "<guid>https://ex.org/a</guid>", "", "https://ex.org/a",
                 "https://ex.org/a"},
        GuidCase{"PermalinkTrueIsTheLink", "<guid isPermaLink=\"true\">https://ex.org/a</guid>", "",
                 "https://ex.org/a", "https://ex.org/a"},
        GuidCase{"NotPermalinkIsNoLink", "<guid isPermaLink=\"false\">https://ex.org/?p=1</guid>", "",
                 "https://ex.org/?p=1", std::nullopt},
        GuidCase{"NotPermalinkRelativeIsVerbatim", "<guid isPermaLink=\"false\"> post-17 </guid>",
                 "https://ex.org/feed/", "post-17", std::nullopt},
        GuidCase{"RelativePermalinkResolved", "<guid>/2025/a.html</guid>", "https://ex.org/feed/",
                 "https://ex.org/2025/a.html", "https://ex.org/2025/a.html"},
        GuidCase{"LinkWinsOverPermalinkGuid", "<link>https://ex.org/b</link><guid>https://ex.org/a</guid>",
                 "", "https://ex.org/a", "https://ex.org/b"},
        GuidCase{"NoGuidMeansNoId", "<link>https://ex.org/b</link>", "", std::nullopt, "https://ex.org/b"},
        GuidCase{"EmptyGuidIgnored", "<guid>  </guid>", "", std::nullopt, std::nullopt}),
    case_name<GuidCase>);

TEST(RssLinks, AtomLinkIsNotTheEntryLink) {
  const Entry entry = only_entry(parse_ok(rss_item("<atom:link href=\"https://ex.org/self\" rel=\"self\"/>",
                                                   " xmlns:atom=\"http://www.w3.org/2005/Atom\"")));
  EXPECT_EQ(entry.link, std::nullopt);
}

// ---- Relative URLs: xml:base and the document URL -------------------------------------------

struct UrlCase {
  const char* name;
  std::string document;
  std::string base_url;
  std::optional<std::string> link;
};

class RelativeUrls : public testing::TestWithParam<UrlCase> {};

TEST_P(RelativeUrls, ResolvedAgainstTheBase) {
  ParseOptions options;
  options.base_url = GetParam().base_url;
  EXPECT_EQ(only_entry(parse_ok(GetParam().document, options)).link, GetParam().link);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RelativeUrls,
    testing::Values(
        UrlCase{"AgainstDocumentUrl", rss_item("<link>/posts/1</link>"), "https://ex.org/blog/feed/",
                "https://ex.org/posts/1"},
        UrlCase{"PathRelative", rss_item("<link>posts/1</link>"), "https://ex.org/blog/feed/",
                "https://ex.org/blog/feed/posts/1"},
        UrlCase{
            "AgainstChannelXmlBase",
            "<rss version=\"2.0\"><channel xml:base=\"https://cdn.ex.org/blog/\"><item><link>posts/1</link>"
            "</item></channel></rss>",
            "https://ex.org/feed/", "https://cdn.ex.org/blog/posts/1"},
        UrlCase{"NestedXmlBaseIsRelativeToOuter",
                "<rss version=\"2.0\"><channel xml:base=\"https://ex.org/a/\"><item xml:base=\"b/\">"
                "<link>c</link></item></channel></rss>",
                "", "https://ex.org/a/b/c"},
        UrlCase{"AbsoluteUntouched", rss_item("<link> https://other.org/x?y=1&amp;z=2 </link>"),
                "https://ex.org/", "https://other.org/x?y=1&z=2"},
        UrlCase{"RelativeWithoutAnyBaseKept", rss_item("<link>/posts/1</link>"), "", "/posts/1"}),
    case_name<UrlCase>);

TEST(RelativeUrls, EnclosureUrlResolved) {
  ParseOptions options;
  options.base_url = "https://ex.org/podcast/feed.xml";
  const Entry entry = only_entry(
      parse_ok(rss_item("<enclosure url=\"media/ep1.mp3\" type=\"audio/mpeg\" length=\"12345\"/>"), options));
  ASSERT_EQ(entry.enclosures.size(), 1U);
  EXPECT_EQ(entry.enclosures[0].url, "https://ex.org/podcast/media/ep1.mp3");
  EXPECT_EQ(entry.enclosures[0].type, "audio/mpeg");
  EXPECT_EQ(entry.enclosures[0].length, 12345);
}

TEST(RssEnclosures, BadLengthIsNullAndMissingUrlSkipped) {
  const Entry entry = only_entry(parse_ok(rss_item(
      "<enclosure url=\"https://ex.org/a.mp3\" length=\"unknown\"/><enclosure type=\"audio/mpeg\"/>")));
  ASSERT_EQ(entry.enclosures.size(), 1U);
  EXPECT_EQ(entry.enclosures[0].length, std::nullopt);
  EXPECT_EQ(entry.enclosures[0].type, std::nullopt);
}

// ---- Text: markup or literal (FEED-JSON.md "Text") --------------------------------------------

struct TextFieldCase {
  const char* name;
  std::string item;
  std::optional<std::string> title;
  std::optional<std::string> summary;
};

class RssText : public testing::TestWithParam<TextFieldCase> {};

TEST_P(RssText, PlainText) {
  const Entry entry = only_entry(parse_ok(rss_item(GetParam().item)));
  EXPECT_EQ(entry.title, GetParam().title);
  EXPECT_EQ(entry.summary, GetParam().summary);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RssText,
    testing::Values(
        TextFieldCase{"CdataDescriptionIsHtml",
                      "<description><![CDATA[<p>Hello <b>world</b></p><p>Again</p>]]>"
                      "</description>",
                      std::nullopt, "Hello world Again"},
        TextFieldCase{"EscapedDescriptionIsHtml",
                      "<description>&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Again&lt;/p&gt;"
                      "</description>",
                      std::nullopt, "Hello world Again"},
        TextFieldCase{"DoubleEscapedEntityInDescription", "<description>Fish &amp;amp; Chips</description>",
                      std::nullopt, "Fish & Chips"},
        TextFieldCase{"UnescapedHtmlChildElements",
                      "<description><p>Hello <b>world</b></p><p>Again</p></description>", std::nullopt,
                      "Hello world Again"},
        TextFieldCase{"TitleIsLiteralText", "<title>I &lt;3 feeds &amp; a &lt; b</title>",
                      "I <3 feeds & a < b", std::nullopt},
        TextFieldCase{"TitleThatLooksLikeHtml", "<title>&lt;b&gt;Bold&lt;/b&gt; move</title>", "Bold move",
                      std::nullopt},
        TextFieldCase{"TitleWithEscapedEntity", "<title>Caf&amp;eacute; culture</title>", "Caf\u00E9 culture",
                      std::nullopt},
        TextFieldCase{"TitleWithNonHtmlTagStaysLiteral", "<title>Use &lt;foo&gt;x&lt;/foo&gt;</title>",
                      "Use <foo>x</foo>", std::nullopt},
        TextFieldCase{"TitleWhitespaceCollapsed", "<title>\n  A \t title\n</title>", "A title", std::nullopt},
        TextFieldCase{"TitleInCdata", "<title><![CDATA[Q&A: what's <new>]]></title>", "Q&A: what's <new>",
                      std::nullopt},
        TextFieldCase{"EmptyTitleIsNull", "<title>  </title>", std::nullopt, std::nullopt},
        TextFieldCase{"MediaTitleFallback",
                      "<media:title xmlns:media=\"http://search.yahoo.com/mrss/\">From media</media:title>",
                      "From media", std::nullopt}),
    case_name<TextFieldCase>);

TEST(RssContent, ContentEncodedIsContentAndKeepsHtml) {
  const Entry entry = only_entry(
      parse_ok(rss_item("<description>Short</description><content:encoded><![CDATA[<p>Full <em>body</em></p>"
                        "<script>x()</script>]]></content:encoded>",
                        k_content_ns)));
  EXPECT_EQ(entry.summary, "Short");
  EXPECT_EQ(entry.content, "Full body");
  EXPECT_EQ(entry.content_html, "<p>Full <em>body</em></p><script>x()</script>");
}

TEST(RssContent, SummaryFallsBackToContentWithoutDescription) {
  const Entry entry = only_entry(
      parse_ok(rss_item("<content:encoded>&lt;p&gt;Body&lt;/p&gt;</content:encoded>", k_content_ns)));
  EXPECT_EQ(entry.content, "Body");
  EXPECT_EQ(entry.summary, "Body");
}

TEST(RssContent, EmptyDescriptionIsNullNotContent) {
  const Entry entry = only_entry(
      parse_ok(rss_item("<description></description><content:encoded>Body</content:encoded>", k_content_ns)));
  EXPECT_EQ(entry.summary, std::nullopt);
  EXPECT_EQ(entry.content, "Body");
}

TEST(RssContent, NoContentElementMeansNullContent) {
  const Entry entry = only_entry(parse_ok(rss_item("<description>Only a summary</description>")));
  EXPECT_EQ(entry.content, std::nullopt);
  EXPECT_EQ(entry.content_html, std::nullopt);
}

// ---- Undeclared HTML entities ---------------------------------------------------------------------

struct EntityCase {
  const char* name;
  std::string title_xml;
  std::string title;
};

class UndeclaredEntities : public testing::TestWithParam<EntityCase> {};

TEST_P(UndeclaredEntities, AreDecodedNotDropped) {
  const Feed feed = parse_ok(rss_item("<title>" + GetParam().title_xml + "</title>"));
  EXPECT_EQ(only_entry(feed).title, GetParam().title);
}

INSTANTIATE_TEST_SUITE_P(Cases, UndeclaredEntities,
                         testing::Values(EntityCase{"Nbsp", "a&nbsp;b", "a b"},
                                         EntityCase{"Eacute", "caf&eacute;", "caf\u00E9"},
                                         EntityCase{"TypographicQuotes",
                                                    "&lsquo;x&rsquo; &ldquo;y&rdquo;&hellip;",
                                                    "\u2018x\u2019 \u201Cy\u201D\u2026"},
                                         EntityCase{"Html5Name", "&bigstar;", "\u2605"},
                                         EntityCase{"UnknownNameKeptAsText", "a &bogus; b", "a &bogus; b"},
                                         EntityCase{"BareAmpersandKept", "AT&T & friends", "AT&T & friends"},
                                         EntityCase{"XmlPredefinedStillWork", "&lt;&amp;&gt;", "<&>"}),
                         case_name<EntityCase>);

TEST(UndeclaredEntities, InChannelTitleAndAttributes) {
  const Feed feed = parse_ok(
      "<rss version=\"2.0\"><channel><title>Caf&eacute;&nbsp;News</title>"
      "<item><enclosure url=\"https://ex.org/a?x=1&amp;y=&eacute;\"/></item></channel></rss>");
  EXPECT_EQ(feed.title, "Caf\u00E9 News");
  EXPECT_EQ(only_entry(feed).enclosures.at(0).url, "https://ex.org/a?x=1&y=\u00E9");
}

TEST(UndeclaredEntities, RecordedAsWarning) {
  const Feed feed = parse_ok(rss_item("<title>a&nbsp;b</title>"));
  EXPECT_TRUE(has_warning_containing(feed, "undeclared HTML entity"));
}

TEST(UndeclaredEntities, InsideCdataLeftForTheHtmlDecoder) {
  const Entry entry = only_entry(parse_ok(
      rss_item("<content:encoded><![CDATA[<p>a&nbsp;b &eacute;</p>]]></content:encoded>", k_content_ns)));
  EXPECT_EQ(entry.content_html, "<p>a&nbsp;b &eacute;</p>");
  EXPECT_EQ(entry.content, "a b \u00E9");
}

// ---- Authors and categories -------------------------------------------------------------------------

struct AuthorCase {
  const char* name;
  std::string item;
  std::optional<std::string> author;
};

class RssAuthor : public testing::TestWithParam<AuthorCase> {};

TEST_P(RssAuthor, FirstAuthorsName) {
  EXPECT_EQ(only_entry(parse_ok(rss_item(GetParam().item, k_dc_ns))).author, GetParam().author);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RssAuthor,
    testing::Values(
        AuthorCase{"EmailThenNameInParentheses", "<author>jane@ex.org (Jane Doe)</author>", "Jane Doe"},
        AuthorCase{"NameThenEmailInAngles", "<author>Jane Doe &lt;jane@ex.org&gt;</author>", "Jane Doe"},
        AuthorCase{"EmailOnly", "<author>jane@ex.org</author>", "jane@ex.org"},
        AuthorCase{"DcCreator", "<dc:creator><![CDATA[Focus Editor]]></dc:creator>", "Focus Editor"},
        AuthorCase{"DcCreatorPreferredOverAuthor",
                   "<author>jane@ex.org (Jane)</author><dc:creator>John</dc:creator>", "John"},
        AuthorCase{"FirstOfSeveralCreators", "<dc:creator>A</dc:creator><dc:creator>B</dc:creator>", "A"},
        AuthorCase{"NoAuthor", "<title>x</title>", std::nullopt}),
    case_name<AuthorCase>);

TEST(RssCategories, CollapsedDeduplicatedAndFromEverySource) {
  const Entry entry = only_entry(parse_ok(
      rss_item("<category domain=\"x\">  Tech\n news </category><category>Tech news</category>"
               "<dc:subject>China</dc:subject><media:category>Video</media:category><category> </category>",
               std::string(k_dc_ns) + " xmlns:media=\"http://search.yahoo.com/mrss/\"")));
  EXPECT_EQ(entry.categories, (std::vector<std::string>{"Tech news", "China", "Video"}));
}

TEST(RssCategories, UndeclaredNamespacePrefixStillRecognized) {
  // A frequent generator bug: dc: used without xmlns:dc. libxml2 recovers it.
  const Feed feed = parse_ok(rss_item("<dc:creator>Ann</dc:creator><dc:subject>Tag</dc:subject>"));
  EXPECT_EQ(only_entry(feed).author, "Ann");
  EXPECT_EQ(only_entry(feed).categories, (std::vector<std::string>{"Tag"}));
}

// ---- Dates -----------------------------------------------------------------------------------------

TEST(RssDates, UnparsableDateIsNullWithAWarning) {
  const Feed feed = parse_ok(rss_item("<pubDate>sometime last week</pubDate>"));
  EXPECT_EQ(only_entry(feed).published, std::nullopt);
  EXPECT_TRUE(has_warning_containing(feed, "sometime last week"));
}

TEST(RssDates, DcDateIsTheUpdatedTime) {
  const Entry entry = only_entry(parse_ok(rss_item(
      "<pubDate>Fri, 31 Jan 2025 12:00:00 +0100</pubDate><dc:date>2025-02-01T08:00:00Z</dc:date>", k_dc_ns)));
  EXPECT_EQ(entry.published, utc(2025, 1, 31, 11, 0, 0));
  EXPECT_EQ(entry.updated, utc(2025, 2, 1, 8, 0, 0));
}

// Atom's date elements in RSS (Blogger's RSS gives every item an atom:updated):
// read where the RSS and Dublin Core ones are missing.
TEST(RssDates, AtomDateElementsInRssAreRead) {
  constexpr std::string_view k_atom_ns = " xmlns:atom=\"http://www.w3.org/2005/Atom\"";
  const Feed feed =
      parse_ok(rss("<atom:updated>2025-02-03T00:00:00Z</atom:updated>"
                   "<item><guid>a</guid><atom:published>2025-01-30T10:00:00+01:00</atom:published>"
                   "<atom:updated>2025-02-01T08:00:00Z</atom:updated></item>"
                   "<item><guid>b</guid><pubDate>Fri, 31 Jan 2025 12:00:00 GMT</pubDate><atom:published>"
                   "2025-01-01T00:00:00Z</atom:published></item>",
                   k_atom_ns));
  EXPECT_EQ(feed.updated, utc(2025, 2, 3, 0, 0, 0));
  ASSERT_EQ(feed.entries.size(), 2U);
  EXPECT_EQ(feed.entries[0].published, utc(2025, 1, 30, 9, 0, 0));
  EXPECT_EQ(feed.entries[0].updated, utc(2025, 2, 1, 8, 0, 0));
  EXPECT_EQ(feed.entries[1].published, utc(2025, 1, 31, 12, 0, 0));  // pubDate came first
}

TEST(RssDates, ChannelUpdatedIsLastBuildDateNotPubDate) {
  const Feed feed = parse_ok(
      rss("<pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate><lastBuildDate>Tue, 02 Jan 2024 00:00:00 GMT"
          "</lastBuildDate>"));
  EXPECT_EQ(feed.updated, utc(2024, 1, 2, 0, 0, 0));
}

TEST(RssDates, ChannelWithOnlyPubDateHasNoUpdated) {
  EXPECT_EQ(parse_ok(rss("<pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate>")).updated, std::nullopt);
}

// ---- Language and polling hints ----------------------------------------------------------------------

TEST(RssLanguage, LowerCasedWithHyphen) {
  EXPECT_EQ(parse_ok(rss("<language>EN_us</language>")).language, "en-us");
}

TEST(RssLanguage, XmlLangOnRootAsFallback) {
  EXPECT_EQ(parse_ok("<rss version=\"2.0\" xml:lang=\"fr-FR\"><channel/></rss>").language, "fr-fr");
}

struct TtlCase {
  const char* name;
  std::string channel;
  std::optional<std::int64_t> seconds;
};

class PollingHints : public testing::TestWithParam<TtlCase> {};

TEST_P(PollingHints, TtlSeconds) {
  EXPECT_EQ(parse_ok(rss(GetParam().channel, " xmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\""))
                .ttl_seconds,
            GetParam().seconds);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PollingHints,
    testing::Values(
        TtlCase{"TtlMinutes", "<ttl>60</ttl>", 3600},
        TtlCase{"SyHourly", "<sy:updatePeriod>hourly</sy:updatePeriod>", 3600},
        TtlCase{"SyDailyTwice",
                "<sy:updatePeriod> daily </sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>",
                43200},
        TtlCase{"SyFrequencyAloneMeansDaily", "<sy:updateFrequency>4</sy:updateFrequency>", 21600},
        TtlCase{"LargerOfTtlAndSy", "<ttl>180</ttl><sy:updatePeriod>hourly</sy:updatePeriod>", 10800},
        TtlCase{"GarbageTtlIgnored", "<ttl>soon</ttl>", std::nullopt}, TtlCase{"NoHints", "", std::nullopt}),
    case_name<TtlCase>);

// ---- Encodings (RFC 7303, WHATWG Encoding) -----------------------------------------------------------

struct EncodingCase {
  const char* name;
  std::string bytes;
  std::string content_type;
  std::string title;
};

class Encodings : public testing::TestWithParam<EncodingCase> {};

TEST_P(Encodings, TitleDecodedToUtf8) {
  ParseOptions options;
  options.content_type = GetParam().content_type;
  EXPECT_EQ(parse_ok(GetParam().bytes, options).title, GetParam().title);
}

std::string utf16le(std::string_view ascii) {
  std::string out;
  for (const char c : ascii) {
    out += c;
    out += '\0';
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Encodings,
    testing::Values(
        EncodingCase{"Utf8Default",
                     "<rss version=\"2.0\"><channel><title>caf\xC3\xA9</title></channel></rss>", "",
                     "caf\u00E9"},
        EncodingCase{
            "Iso88591Declared",
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>caf\xE9"
            "</title></channel></rss>",
            "", "caf\u00E9"},
        EncodingCase{
            "Iso88591MeansWindows1252",
            "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss version=\"2.0\"><channel><title>\x93q\x94"
            "</title></channel></rss>",
            "", "\u201Cq\u201D"},
        EncodingCase{"Utf8Bom",
                     "\xEF\xBB\xBF<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>\xC3\xA9"
                     "</title></channel></rss>",
                     "", "\u00E9"},
        EncodingCase{"HttpCharsetOverridesDeclaration",
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>caf\xE9"
                     "</title></channel></rss>",
                     "application/rss+xml; charset=ISO-8859-1", "caf\u00E9"},
        EncodingCase{"QuotedHttpCharset",
                     "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>"
                     "caf\xC3\xA9</title></channel></rss>",
                     "text/xml; charset=\"utf-8\"", "caf\u00E9"},
        EncodingCase{"BomOverridesHttpCharset",
                     "\xEF\xBB\xBF<rss version=\"2.0\"><channel><title>\xC3\xA9</title></channel></rss>",
                     "text/xml; charset=iso-8859-1", "\u00E9"},
        EncodingCase{
            "MisdeclaredUtf8WithCp1252Bytes",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>\x93It\x92s "
            "caf\xE9\x94</title></channel></rss>",
            "", "\u201CIt\u2019s caf\u00E9\u201D"},
        EncodingCase{"MixedUtf8AndCp1252",
                     "<rss version=\"2.0\"><channel><title>\xE2\x80\x9Cok\xE2\x80\x9D \x96 "
                     "fine</title></channel></rss>",
                     "", "\u201Cok\u201D \u2013 fine"},
        EncodingCase{
            "Utf16LeWithBom",
            "\xFF\xFE" + utf16le("<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel>"
                                 "<title>wide</title></channel></rss>"),
            "", "wide"},
        EncodingCase{
            "Utf16LeWithoutBom",
            utf16le("<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel><title>"
                    "sniffed</title></channel></rss>"),
            "", "sniffed"},
        EncodingCase{
            "Koi8r",
            "<?xml version=\"1.0\" encoding=\"KOI8-R\"?><rss version=\"2.0\"><channel><title>\xF0\xD2\xC9"
            "\xD7\xC5\xD4</title></channel></rss>",
            "", "\u041F\u0440\u0438\u0432\u0435\u0442"},
        EncodingCase{
            "LeadingWhitespaceBeforeDeclaration",
            "\n\n  <?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>ok</title></channel></rss>",
            "", "ok"}),
    case_name<EncodingCase>);

TEST(Encodings, MisdeclaredUtf8IsReportedAsWarning) {
  const Feed feed = parse_ok("<rss version=\"2.0\"><channel><title>caf\xE9</title></channel></rss>");
  EXPECT_TRUE(has_warning_containing(feed, "windows-1252"));
}

TEST(Encodings, UnknownEncodingReadAsUtf8WithWarning) {
  const Feed feed = parse_ok(
      "<?xml version=\"1.0\" encoding=\"x-no-such-charset\"?><rss version=\"2.0\"><channel><title>ok</title>"
      "</channel></rss>");
  EXPECT_EQ(feed.title, "ok");
  EXPECT_TRUE(has_warning_containing(feed, "x-no-such-charset"));
}

TEST(Encodings, ControlCharactersRemoved) {
  const Feed feed = parse_ok(
      "<rss version=\"2.0\"><channel><title>a\x0B"
      "b\x01</title></channel></rss>");
  EXPECT_EQ(feed.title, "ab");
}

// ---- Ill-formed input -------------------------------------------------------------------------------

TEST(Recovery, TruncatedDocumentKeepsWhatItHas) {
  const Feed feed = parse_ok(
      "<rss version=\"2.0\"><channel><title>T</title><item><title>One</title></item><item><title>Tw");
  ASSERT_EQ(feed.entries.size(), 2U);
  EXPECT_EQ(feed.entries[0].title, "One");
  EXPECT_EQ(feed.entries[1].title, "Tw");
  EXPECT_TRUE(has_warning_containing(feed, "xml: line 1"));
}

TEST(Recovery, UnclosedElementRecoveredWithWarning) {
  const Feed feed = parse_ok(rss("<item><title>One</title><br></item><item><title>Two</title></item>"));
  EXPECT_FALSE(feed.warnings.empty());
  EXPECT_FALSE(feed.entries.empty());
  EXPECT_EQ(feed.entries[0].title, "One");
}

TEST(Recovery, ItemsOutsideChannelAreRead) {
  const Feed feed = parse_ok(
      "<rss version=\"0.91\"><channel><title>T</title></channel><item><title>X</title>"
      "</item></rss>");
  EXPECT_EQ(only_entry(feed).title, "X");
}

TEST(Recovery, BillionLaughsIsBounded) {
  std::string doc = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"aaaaaaaaaa\">";
  std::string previous = "a";
  for (int level = 1; level <= 9; ++level) {
    const std::string name = "e" + std::to_string(level);
    doc += "<!ENTITY " + name + " \"" + [&] {
      std::string refs;
      for (int i = 0; i < 10; ++i) refs += "&" + previous + ";";
      return refs;
    }() + "\">";
    previous = name;
  }
  doc += "]><rss version=\"2.0\"><channel><title>&" + previous + ";</title></channel></rss>";
  const fw::Result<Feed> result = fw::feed::parse(doc, {});
  if (result && result->title) {
    EXPECT_LE(result->title->size(), std::size_t{16} << 20U);
  }
}

TEST(Recovery, ExternalEntitiesAreNeverLoaded) {
  const Feed feed = parse_ok(
      "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
      "<rss version=\"2.0\"><channel><title>a&x;b</title></channel></rss>");
  EXPECT_EQ(feed.title, "ab");
}

TEST(Recovery, InternalEntitiesAreExpanded) {
  const Feed feed = parse_ok(
      "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY site \"Focus\">]>"
      "<rss version=\"2.0\"><channel><title>&site; news</title></channel></rss>");
  EXPECT_EQ(feed.title, "Focus news");
}

// ---- RSS 1.0 (RDF) ------------------------------------------------------------------------------------

TEST(Rdf, ChannelAndItemsAsSiblings) {
  const Feed feed = parse_ok(
      "<?xml version=\"1.0\"?><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
      "xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
      "<channel rdf:about=\"https://ex.org/\"><title>RDF</title><link>https://ex.org/</link>"
      "<dc:language>de</dc:language><dc:date>2024-05-01T10:00:00+02:00</dc:date></channel>"
      "<item rdf:about=\"https://ex.org/1\"><title>First</title><link>https://ex.org/1</link>"
      "<description>&lt;p&gt;Hi&lt;/p&gt;</description><dc:creator>Max</dc:creator>"
      "<dc:date>2024-05-01</dc:date><dc:subject>Tag</dc:subject></item></rdf:RDF>");
  EXPECT_EQ(feed.format, "rss1.0");
  EXPECT_EQ(feed.title, "RDF");
  EXPECT_EQ(feed.link, "https://ex.org/");
  EXPECT_EQ(feed.language, "de");
  EXPECT_EQ(feed.updated, utc(2024, 5, 1, 8, 0, 0));
  const Entry entry = only_entry(feed);
  EXPECT_EQ(entry.id, "https://ex.org/1");
  EXPECT_EQ(entry.title, "First");
  EXPECT_EQ(entry.summary, "Hi");
  EXPECT_EQ(entry.author, "Max");
  EXPECT_EQ(entry.updated, utc(2024, 5, 1, 0, 0, 0));
  EXPECT_EQ(entry.published, std::nullopt);
  EXPECT_EQ(entry.categories, (std::vector<std::string>{"Tag"}));
}

// ---- Atom ---------------------------------------------------------------------------------------------

TEST(Atom, Rfc4287Entry) {
  ParseOptions options;
  options.base_url = "https://ex.org/feed.atom";
  const Feed feed = parse_ok(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\" "
      "xml:lang=\"en-GB\">"
      "<title type=\"html\">A &lt;i&gt;feed&lt;/i&gt;</title>"
      "<link rel=\"self\" href=\"/feed.atom\"/><link href=\"/\"/>"
      "<updated>2025-01-31T12:00:00Z</updated>"
      "<entry><id>/posts/1</id><title>Post &amp; more</title>"
      "<link rel=\"alternate\" type=\"text/html\" href=\"posts/1\"/>"
      "<link rel=\"enclosure\" href=\"a.mp3\" type=\"audio/mpeg\" length=\"99\"/>"
      "<published>2025-01-30T10:00:00+01:00</published><updated>2025-01-31T10:00:00Z</updated>"
      "<author><name>Ann</name><email>ann@ex.org</email></author>"
      "<category term=\"tech\"/><category term=\"tech\"/><category term=\"china\" label=\"China\"/>"
      "<summary>Plain &lt;b&gt; summary</summary>"
      "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Hello</p><p>world</p></div>"
      "</content></entry></feed>",
      options);
  EXPECT_EQ(feed.format, "atom1.0");
  EXPECT_EQ(feed.title, "A feed");
  EXPECT_EQ(feed.link, "https://ex.org/");
  EXPECT_EQ(feed.updated, utc(2025, 1, 31, 12, 0, 0));
  EXPECT_EQ(feed.language, "en-gb");
  const Entry entry = only_entry(feed);
  EXPECT_EQ(entry.id, "https://ex.org/posts/1");
  EXPECT_EQ(entry.title, "Post & more");
  EXPECT_EQ(entry.link, "https://ex.org/posts/1");
  EXPECT_EQ(entry.published, utc(2025, 1, 30, 9, 0, 0));
  EXPECT_EQ(entry.updated, utc(2025, 1, 31, 10, 0, 0));
  EXPECT_EQ(entry.author, "Ann");
  EXPECT_EQ(entry.categories, (std::vector<std::string>{"tech", "china"}));
  EXPECT_EQ(entry.summary, "Plain <b> summary");
  EXPECT_EQ(entry.content, "Hello world");
  ASSERT_EQ(entry.enclosures.size(), 1U);
  EXPECT_EQ(entry.enclosures[0].url, "https://ex.org/a.mp3");
  EXPECT_EQ(entry.enclosures[0].length, 99);
}

TEST(Atom, OutOfLineAndBinaryContentHaveNoText) {
  const Feed feed = parse_ok(
      "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><content src=\"https://ex.org/x\"/></entry>"
      "<entry><content type=\"image/png\">iVBORw0KGgo=</content></entry></feed>");
  ASSERT_EQ(feed.entries.size(), 2U);
  EXPECT_EQ(feed.entries[0].content, std::nullopt);
  EXPECT_EQ(feed.entries[1].content, std::nullopt);
}

TEST(Atom, AuthorEmailWhenNoName) {
  const Feed feed = parse_ok(
      "<feed "
      "xmlns=\"http://www.w3.org/2005/Atom\"><entry><author><email>a@ex.org</email></author></entry></feed>");
  EXPECT_EQ(only_entry(feed).author, "a@ex.org");
}

// The Dublin Core and content-module elements RSS uses, met in Atom feeds:
// each only where the Atom element is missing.
TEST(Atom, DublinCoreAndContentModuleElementsFillWhatAtomLacks) {
  const Feed feed = parse_ok(
      "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
      "xmlns:dcterms=\"http://purl.org/dc/terms/\" "
      "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
      "<dc:title>Only &lt;b&gt;DC</dc:title><dc:date>2025-02-01T08:00:00Z</dc:date>"
      "<entry><id>e1</id><dc:date>2025-02-01T09:00:00Z</dc:date><dcterms:issued>2025-01-31T09:00:00Z"
      "</dcterms:issued><content:encoded><![CDATA[<p>Encoded <b>body</b></p>]]></content:encoded></entry>"
      "<entry><id>e2</id><dcterms:modified>2025-02-02T10:00:00Z</dcterms:modified></entry>"
      "<entry><id>e3</id><updated>2025-03-01T00:00:00Z</updated><dc:date>2025-02-01T00:00:00Z</dc:date>"
      "<content type=\"text\">Atom text</content><content:encoded>&lt;p&gt;Not this&lt;/p&gt;"
      "</content:encoded></entry></feed>");
  EXPECT_EQ(feed.title, "Only <b>DC");  // literal text, as an Atom text with no type
  EXPECT_EQ(feed.updated, utc(2025, 2, 1, 8, 0, 0));
  ASSERT_EQ(feed.entries.size(), 3U);
  EXPECT_EQ(feed.entries[0].updated, utc(2025, 2, 1, 9, 0, 0));
  EXPECT_EQ(feed.entries[0].published, utc(2025, 1, 31, 9, 0, 0));
  EXPECT_EQ(feed.entries[0].content, "Encoded body");
  EXPECT_EQ(feed.entries[0].content_html, "<p>Encoded <b>body</b></p>");
  EXPECT_EQ(feed.entries[0].summary, "Encoded body");
  EXPECT_EQ(feed.entries[1].updated, utc(2025, 2, 2, 10, 0, 0));
  EXPECT_EQ(feed.entries[2].updated, utc(2025, 3, 1, 0, 0, 0));
  EXPECT_EQ(feed.entries[2].content, "Atom text");
}

TEST(Atom, AnAtomTitleWinsOverDcTitle) {
  const Feed feed = parse_ok(
      "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
      "<dc:title>DC</dc:title><title>Atom</title></feed>");
  EXPECT_EQ(feed.title, "Atom");
}

TEST(Atom, Version03DatesAndEscapedMode) {
  const Feed feed = parse_ok(
      "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><title>Old</title>"
      "<modified>2004-01-02T03:04:05Z</modified><link rel=\"alternate\" type=\"text/html\" "
      "href=\"https://ex.org/\"/><entry><title>E</title><issued>2004-01-01T00:00:00Z</issued>"
      "<modified>2004-01-02T00:00:00Z</modified><content type=\"text/html\" mode=\"escaped\">"
      "&lt;p&gt;Body&lt;/p&gt;</content><content type=\"image/gif\" "
      "mode=\"base64\">R0lG</content></entry></feed>");
  EXPECT_EQ(feed.format, "atom0.3");
  EXPECT_EQ(feed.updated, utc(2004, 1, 2, 3, 4, 5));
  EXPECT_EQ(feed.link, "https://ex.org/");
  const Entry entry = only_entry(feed);
  EXPECT_EQ(entry.published, utc(2004, 1, 1, 0, 0, 0));
  EXPECT_EQ(entry.updated, utc(2004, 1, 2, 0, 0, 0));
  EXPECT_EQ(entry.content, "Body");
  EXPECT_EQ(entry.summary, "Body");
}

// ---- JSON Feed -------------------------------------------------------------------------------------------

TEST(JsonFeed, Version11Item) {
  ParseOptions options;
  options.base_url = "https://ex.org/feed.json";
  const Feed feed = parse_ok(
      R"({"version": "https://jsonfeed.org/version/1.1", "title": "J", "home_page_url": "https://ex.org/",
          "language": "en_US",
          "items": [{"id": 42, "url": "/p/42", "title": " T ", "content_html": "<p>Hi &amp; bye</p>",
                     "date_published": "2025-01-31T12:00:00Z", "date_modified": "2025-02-01T00:00:00+01:00",
                     "authors": [{"name": "Ann"}], "tags": ["a", "a", "b"],
                     "attachments": [{"url": "a.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 7}]}]})",
      options);
  EXPECT_EQ(feed.format, "json1.1");
  EXPECT_EQ(feed.title, "J");
  EXPECT_EQ(feed.link, "https://ex.org/");
  EXPECT_EQ(feed.language, "en-us");
  const Entry entry = only_entry(feed);
  EXPECT_EQ(entry.id, "42");
  EXPECT_EQ(entry.link, "https://ex.org/p/42");
  EXPECT_EQ(entry.title, "T");
  EXPECT_EQ(entry.content, "Hi & bye");
  EXPECT_EQ(entry.summary, "Hi & bye");
  EXPECT_EQ(entry.published, utc(2025, 1, 31, 12, 0, 0));
  EXPECT_EQ(entry.updated, utc(2025, 1, 31, 23, 0, 0));
  EXPECT_EQ(entry.author, "Ann");
  EXPECT_EQ(entry.categories, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(entry.enclosures.size(), 1U);
  EXPECT_EQ(entry.enclosures[0].url, "https://ex.org/a.mp3");
  EXPECT_EQ(entry.enclosures[0].length, 7);
}

TEST(JsonFeed, Version10AuthorAndContentText) {
  const Feed feed = parse_ok(
      R"({"version": "https://jsonfeed.org/version/1", "items": [{"id": "x", "author": {"name": "Bo"},
          "summary": "Sum", "content_text": "  plain\n text "}]})");
  const Entry entry = only_entry(feed);
  EXPECT_EQ(entry.author, "Bo");
  EXPECT_EQ(entry.summary, "Sum");
  EXPECT_EQ(entry.content, "plain text");
}

}  // namespace
