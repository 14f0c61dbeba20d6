#include "parsers/archive/archive.hpp"

#include <gtest/gtest.h>

namespace fw::archive {
namespace {

using Links = std::vector<std::string>;

TEST(ArchiveUrls, PagedFeed) {
  EXPECT_EQ(paged_feed_url("https://focus.cbbc.org/tag/tech-companies/feed/", 2),
            "https://focus.cbbc.org/tag/tech-companies/feed/?paged=2");
  EXPECT_EQ(paged_feed_url("https://x.org/?feed=rss2&tag=a", 3), "https://x.org/?feed=rss2&tag=a&paged=3");
}

TEST(ArchiveUrls, TagArchivePage) {
  EXPECT_EQ(archive_page_url("https://focus.cbbc.org/tag/tech-companies/feed/", 2),
            "https://focus.cbbc.org/tag/tech-companies/page/2/");
  EXPECT_EQ(archive_page_url("https://x.org/tag/ai/feed", 7), "https://x.org/tag/ai/page/7/");
  EXPECT_EQ(archive_page_url("https://x.org/tag/ai/feed/?x=1", 2), "https://x.org/tag/ai/page/2/");
  EXPECT_EQ(archive_page_url("https://x.org/feed/", 2), std::nullopt);
  EXPECT_EQ(archive_page_url("https://x.org/rss.xml", 2), std::nullopt);
}

const char* k_page = "https://focus.cbbc.org/tag/tech-companies/page/2/";

TEST(ArticleLinks, RelBookmarkWins) {
  std::string html =
      "<html><body><nav><h2><a href=\"/about/\">About</a></h2></nav>"
      "<article><h2 class=\"entry-title\"><a href=\"/one/\" rel=\"bookmark\">One</a></h2>"
      "<a href=\"/one/#comments\">3 comments</a></article>"
      "<article><h2><a rel=\"nofollow bookmark\" href=\"https://focus.cbbc.org/two/\">Two</a></h2></article>"
      "<a href=\"/one/\" rel=\"bookmark\">One again</a>"
      "</body></html>";
  EXPECT_EQ(article_links(html, k_page),
            (Links{"https://focus.cbbc.org/one/", "https://focus.cbbc.org/two/"}));
}

TEST(ArticleLinks, HeadingsInsideArticles) {
  std::string html =
      "<body><h2><a href=\"/sidebar-post/\">Popular</a></h2>"
      "<article class=\"post\"><header><h3><a href=\"/a/\">A</a></h3></header><p><a "
      "href=\"/x/\">x</a></p></article>"
      "<article class=\"post\"><h1><a href=\"/b/\">B</a></h1></article></body>";
  EXPECT_EQ(article_links(html, k_page), (Links{"https://focus.cbbc.org/a/", "https://focus.cbbc.org/b/"}));
}

TEST(ArticleLinks, PlainHeadingsAsALastResort) {
  std::string html =
      "<body><div class=\"post\"><h2><a href=\"/a/\">A</a></h2></div>"
      "<div class=\"post\"><h3><a href=\"/b/\">B</a></h3></div><p><a href=\"/c/\">C</a></p></body>";
  EXPECT_EQ(article_links(html, k_page), (Links{"https://focus.cbbc.org/a/", "https://focus.cbbc.org/b/"}));
}

TEST(ArticleLinks, ListingsOtherHostsAndSelfAreDropped) {
  std::string html =
      "<body>"
      "<h2><a href=\"/tag/ai/\">tag</a></h2><h2><a href=\"/category/news/\">cat</a></h2>"
      "<h2><a href=\"/author/jo/\">author</a></h2><h2><a href=\"/tag/tech-companies/page/3/\">next</a></h2>"
      "<h2><a href=\"https://elsewhere.org/post/\">other host</a></h2><h2><a href=\"/\">home</a></h2>"
      "<h2><a href=\"/feed/\">feed</a></h2><h2><a href=\"javascript:void(0)\">js</a></h2>"
      "<h2><a href=\"" +
      std::string(k_page) +
      "\">self</a></h2>"
      "<h2><a href=\"/kept/\">kept</a></h2></body>";
  EXPECT_EQ(article_links(html, k_page), (Links{"https://focus.cbbc.org/kept/"}));
}

TEST(ArticleLinks, EmptyPageHasNoLinks) {
  EXPECT_TRUE(article_links("<html><body><p>Nothing found</p></body></html>", k_page).empty());
  EXPECT_TRUE(article_links("", k_page).empty());
}

TEST(ArticleLinks, DeepNestingIsSafe) {
  std::string html = "<body>";
  for (int i = 0; i < 20000; ++i) html += "<div>";
  html += "<h2><a href=\"/deep/\">deep</a></h2></body>";
  EXPECT_EQ(article_links(html, k_page), (Links{"https://focus.cbbc.org/deep/"}));
}

TEST(Shortlink, FoundInHead) {
  std::string html =
      "<html><head><link rel=\"shortlink\" href=\"https://focus.cbbc.org/?p=15231\" "
      "/></head><body></body></html>";
  EXPECT_EQ(shortlink(html, "https://focus.cbbc.org/x/"), "https://focus.cbbc.org/?p=15231");
  EXPECT_EQ(shortlink("<html><head></head></html>", "https://focus.cbbc.org/x/"), std::nullopt);
}

}  // namespace
}  // namespace fw::archive
