// The Feed/Entry fields beyond the parse-feed JSON (issue 3): skipHours and
// skipDays, paging links, Media RSS, entry keys with duplicate guids, the
// WordPress page URL, and ParseOptions::plain_text.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/feed/feed.hpp"

namespace {

using fw::feed::Entry;
using fw::feed::Feed;
using fw::feed::ParseOptions;

constexpr std::string_view k_atom_ns = " xmlns:atom=\"http://www.w3.org/2005/Atom\"";
constexpr std::string_view k_media_ns = " xmlns:media=\"http://search.yahoo.com/mrss/\"";

Feed parse_ok(std::string_view bytes, const ParseOptions& options = {}) {
  fw::Result<Feed> result = fw::feed::parse(bytes, options);
  if (!result) {
    ADD_FAILURE() << "parse failed: " << result.error().message;
    return {};
  }
  return std::move(result).value();
}

std::string rss(std::string_view channel_body, std::string_view namespaces = "") {
  return "<rss version=\"2.0\"" + std::string(namespaces) + "><channel><title>T</title>" +
         std::string(channel_body) + "</channel></rss>";
}

// ---- skipHours / skipDays ---------------------------------------------------------------------

TEST(SkipHints, HoursSortedDeduplicatedAndInRange) {
  const Feed feed =
      parse_ok(rss("<skipHours><hour>23</hour><hour> 0 </hour><hour>5</hour><hour>5</hour><hour>24</hour>"
                   "<hour>25</hour><hour>x</hour></skipHours>"));
  EXPECT_EQ(feed.skip_hours, (std::vector<int>{0, 5, 23}));  // 24 is midnight, 25 and x dropped
}

TEST(SkipHints, DaysInWeekOrderAnyCase) {
  const Feed feed = parse_ok(
      rss("<skipDays><day>sunday</day><day>Monday</day><day>MONDAY</day><day>Funday</day></skipDays>"));
  EXPECT_EQ(feed.skip_days, (std::vector<std::string>{"Monday", "Sunday"}));
}

TEST(SkipHints, AbsentMeansEmpty) {
  const Feed feed = parse_ok(rss(""));
  EXPECT_TRUE(feed.skip_hours.empty());
  EXPECT_TRUE(feed.skip_days.empty());
}

// ---- paging links --------------------------------------------------------------------------------

TEST(PagingLinks, RssAtomLinksByRelResolvedAgainstTheDocument) {
  const Feed feed =
      parse_ok(rss("<atom:link rel=\"self\" href=\"/feed/\"/><atom:link rel=\"next\" href=\"?paged=3\"/>"
                   "<atom:link rel=\"prev\" href=\"/feed/?paged=1\"/>"
                   "<atom:link rel=\"first\" href=\"/feed/\"/><atom:link rel=\"last\" href=\"?paged=9\"/>"
                   "<atom:link rel=\"hub\" href=\"https://hub.example/\"/>",
                   k_atom_ns),
               {"https://ex.org/feed/?paged=2", ""});
  EXPECT_EQ(feed.self_link, "https://ex.org/feed/");
  EXPECT_EQ(feed.next_page, "https://ex.org/feed/?paged=3");
  EXPECT_EQ(feed.previous_page, "https://ex.org/feed/?paged=1");
  EXPECT_EQ(feed.first_page, "https://ex.org/feed/");
  EXPECT_EQ(feed.last_page, "https://ex.org/feed/?paged=9");
  EXPECT_EQ(feed.link, std::nullopt);  // atom:link is never the channel link
}

TEST(PagingLinks, AtomFeedLinksIncludingIanaRelIris) {
  const Feed feed = parse_ok(
      "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>A</title>"
      "<link rel=\"http://www.iana.org/assignments/relation/next\" href=\"/atom/2\"/>"
      "<link rel=\"previous\" href=\"/atom/0\"/><link href=\"/\"/></feed>",
      {"https://ex.org/atom/1", ""});
  EXPECT_EQ(feed.next_page, "https://ex.org/atom/2");
  EXPECT_EQ(feed.previous_page, "https://ex.org/atom/0");
  EXPECT_EQ(feed.link, "https://ex.org/");
  EXPECT_EQ(feed.self_link, std::nullopt);
}

struct PageUrlCase {
  const char* name;
  const char* feed_url;
  int page;
  const char* expected;
};

class WordPressPageUrl : public testing::TestWithParam<PageUrlCase> {};

TEST_P(WordPressPageUrl, SetsOrRemovesPaged) {
  EXPECT_EQ(fw::feed::wordpress_page_url(GetParam().feed_url, GetParam().page), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, WordPressPageUrl,
    testing::Values(
        PageUrlCase{"TagFeed", "https://ex.org/tag/x/feed/", 3, "https://ex.org/tag/x/feed/?paged=3"},
        PageUrlCase{"KeepsOtherParameters", "https://ex.org/?feed=rss2&cat=4", 2,
                    "https://ex.org/?feed=rss2&cat=4&paged=2"},
        PageUrlCase{"ReplacesPaged", "https://ex.org/feed/?paged=7&x=1", 8,
                    "https://ex.org/feed/?x=1&paged=8"},
        PageUrlCase{"PageOneRemovesPaged", "https://ex.org/feed/?paged=7", 1, "https://ex.org/feed/"},
        PageUrlCase{"FragmentStaysLast", "https://ex.org/feed/#top", 2, "https://ex.org/feed/?paged=2#top"},
        PageUrlCase{"SimilarNameKept", "https://ex.org/feed/?pagedx=1", 2,
                    "https://ex.org/feed/?pagedx=1&paged=2"}),
    [](const testing::TestParamInfo<PageUrlCase>& param_info) { return std::string(param_info.param.name); });

// ---- Media RSS ----------------------------------------------------------------------------------------

TEST(MediaRss, ContentAndThumbnailResolvedWithAttributes) {
  const Feed feed =
      parse_ok(rss("<item><title>t</title><media:content url=\"/v.mp4\" type=\"video/mp4\" medium=\"video\" "
                   "fileSize=\"1000\" width=\"640\" height=\"x\"/><media:thumbnail url=\"/t1.jpg\"/>"
                   "<media:thumbnail url=\"/t2.jpg\"/></item>",
                   k_media_ns),
               {"https://ex.org/feed/", ""});
  ASSERT_EQ(feed.entries.size(), 1U);
  const Entry& entry = feed.entries[0];
  ASSERT_EQ(entry.media.size(), 1U);
  EXPECT_EQ(entry.media[0].url, "https://ex.org/v.mp4");
  EXPECT_EQ(entry.media[0].type, "video/mp4");
  EXPECT_EQ(entry.media[0].medium, "video");
  EXPECT_EQ(entry.media[0].length, 1000);
  EXPECT_EQ(entry.media[0].width, 640);
  EXPECT_EQ(entry.media[0].height, std::nullopt);
  EXPECT_EQ(entry.thumbnail, "https://ex.org/t1.jpg");  // the first one
  EXPECT_TRUE(entry.enclosures.empty());                // media:content is not an enclosure (FEED-JSON.md)
}

TEST(MediaRss, GroupContentsCategoriesAndTitleFallback) {
  const Feed feed = parse_ok(
      rss("<item><media:group><media:title>Group title</media:title>"
          "<media:content url=\"https://cdn.ex/a.mp3\"/><media:content url=\"https://cdn.ex/b.mp3\"/>"
          "<media:category>Music</media:category><media:thumbnail url=\"https://cdn.ex/t.jpg\"/>"
          "</media:group></item>",
          k_media_ns));
  ASSERT_EQ(feed.entries.size(), 1U);
  const Entry& entry = feed.entries[0];
  ASSERT_EQ(entry.media.size(), 2U);
  EXPECT_EQ(entry.media[1].url, "https://cdn.ex/b.mp3");
  EXPECT_EQ(entry.title, "Group title");
  EXPECT_EQ(entry.categories, (std::vector<std::string>{"Music"}));
  EXPECT_EQ(entry.thumbnail, "https://cdn.ex/t.jpg");
}

TEST(MediaRss, GroupTitleDoesNotOverrideALaterTitle) {
  const Feed feed = parse_ok(
      rss("<item><media:group><media:title>Group</media:title></media:group><title>Own</title></item>",
          k_media_ns));
  ASSERT_EQ(feed.entries.size(), 1U);
  EXPECT_EQ(feed.entries[0].title, "Own");
}

TEST(MediaRss, InAtomEntries) {
  const Feed feed = parse_ok(
      "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
      "xmlns:media=\"http://search.yahoo.com/mrss/\"><entry><id>1</id>"
      "<media:group><media:thumbnail url=\"https://i.ex/1.jpg\" width=\"480\"/>"
      "<media:content url=\"https://v.ex/1\" "
      "type=\"application/x-shockwave-flash\"/></media:group></entry></feed>");
  ASSERT_EQ(feed.entries.size(), 1U);
  EXPECT_EQ(feed.entries[0].thumbnail, "https://i.ex/1.jpg");
  ASSERT_EQ(feed.entries[0].media.size(), 1U);
  EXPECT_EQ(feed.entries[0].media[0].url, "https://v.ex/1");
}

// ---- entry keys ------------------------------------------------------------------------------------

TEST(EntryKeys, GuidThenLinkThenHash) {
  const Feed feed =
      parse_ok(rss("<item><guid isPermaLink=\"false\">g1</guid><link>https://ex.org/1</link></item>"
                   "<item><link>https://ex.org/2</link></item>"
                   "<item><title>Only a title</title></item>"));
  ASSERT_EQ(feed.entries.size(), 3U);
  EXPECT_EQ(feed.entries[0].key, "g1");
  EXPECT_EQ(feed.entries[1].key, "https://ex.org/2");
  EXPECT_TRUE(feed.entries[2].key.starts_with("sha256:")) << feed.entries[2].key;
  EXPECT_EQ(feed.entries[2].key.size(), 7U + 64U);
}

TEST(EntryKeys, HashDependsOnTitleAndContentOnly) {
  const auto key_of = [](std::string_view item) { return parse_ok(rss(item)).entries.at(0).key; };
  EXPECT_EQ(key_of("<item><title>A</title><description>x</description></item>"),
            key_of("<item><title>A</title><description>x</description><pubDate>bad</pubDate></item>"));
  EXPECT_NE(key_of("<item><title>A</title><description>x</description></item>"),
            key_of("<item><title>A</title><description>y</description></item>"));
}

TEST(EntryKeys, DuplicateGuidsGetDistinctStableKeysAndAWarning) {
  const std::string doc =
      rss("<item><guid isPermaLink=\"false\">dup</guid><title>First</title></item>"
          "<item><guid isPermaLink=\"false\">dup</guid><title>Second</title></item>"
          "<item><guid isPermaLink=\"false\">dup</guid><title>Second</title></item>");
  const Feed feed = parse_ok(doc);
  ASSERT_EQ(feed.entries.size(), 3U);
  EXPECT_EQ(feed.entries[0].key, "dup");
  EXPECT_TRUE(feed.entries[1].key.starts_with("dup#")) << feed.entries[1].key;
  EXPECT_EQ(feed.entries[2].key, feed.entries[1].key + "-2");  // an exact repeat is numbered
  const std::set<std::string> keys{feed.entries[0].key, feed.entries[1].key, feed.entries[2].key};
  EXPECT_EQ(keys.size(), 3U);
  // The JSON id stays the feed's guid (FEED-JSON.md: verbatim).
  EXPECT_EQ(feed.entries[1].id, "dup");
  bool warned = false;
  for (const std::string& w : feed.warnings)
    warned = warned || w.find("repeat an earlier") != std::string::npos;
  EXPECT_TRUE(warned);
  // Stable: the same document gives the same keys.
  EXPECT_EQ(parse_ok(doc).entries[1].key, feed.entries[1].key);
}

TEST(EntryKeys, JsonFeedEntriesHaveKeysToo) {
  const Feed feed = parse_ok(
      R"({"version":"https://jsonfeed.org/version/1.1","items":[{"id":"a"},{"url":"https://ex.org/b"}]})");
  ASSERT_EQ(feed.entries.size(), 2U);
  EXPECT_EQ(feed.entries[0].key, "a");
  EXPECT_EQ(feed.entries[1].key, "https://ex.org/b");
}

// ---- ParseOptions::plain_text ----------------------------------------------------------------------------

TEST(PlainTextOption, FalseKeepsBodyMarkup) {
  const std::string doc =
      rss("<item><description>&lt;p&gt;Sum&lt;/p&gt;</description>"
          "<content:encoded><![CDATA[<p>Body &amp; more</p>]]></content:encoded></item>",
          " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"");
  ParseOptions options;
  options.plain_text = false;
  const Feed raw = parse_ok(doc, options);
  ASSERT_EQ(raw.entries.size(), 1U);
  EXPECT_EQ(raw.entries[0].summary, "<p>Sum</p>");
  EXPECT_EQ(raw.entries[0].content, "<p>Body &amp; more</p>");
  EXPECT_EQ(raw.entries[0].content_html, "<p>Body &amp; more</p>");
  const Feed text = parse_ok(doc);
  EXPECT_EQ(text.entries.at(0).content, "Body & more");
}

}  // namespace
