// fw::feed::parse on hostile input: every ParseLimits bound holds, is reported,
// and what came before the bound is still returned (issue 3 "Limits").
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "parsers/feed/feed.hpp"

namespace {

using fw::feed::Feed;
using fw::feed::ParseOptions;

bool has_warning(const Feed& feed, std::string_view part) {
  return std::any_of(feed.warnings.begin(), feed.warnings.end(),
                     [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

std::string rss_items(int count) {
  std::string doc = "<rss version=\"2.0\"><channel><title>T</title>";
  for (int i = 0; i < count; ++i) doc += "<item><guid>g" + std::to_string(i) + "</guid></item>";
  return doc + "</channel></rss>";
}

TEST(Limits, DocumentOverTheSizeLimitIsAClearError) {
  ParseOptions options;
  options.limits.max_document_bytes = 100;
  const std::string doc = rss_items(10);
  ASSERT_GT(doc.size(), 100U);
  const fw::Result<Feed> result = fw::feed::parse(doc, options);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("too large"), std::string::npos) << result.error().message;
  EXPECT_NE(result.error().message.find(std::to_string(doc.size())), std::string::npos);
}

TEST(Limits, DocumentAtTheSizeLimitIsRead) {
  const std::string doc = rss_items(2);
  ParseOptions options;
  options.limits.max_document_bytes = doc.size();
  const fw::Result<Feed> result = fw::feed::parse(doc, options);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->entries.size(), 2U);
}

TEST(Limits, DeepNestingStopsTheParserWithAWarning) {
  std::string doc = "<rss version=\"2.0\"><channel><title>T</title><item><title>kept</title></item><item>";
  for (int i = 0; i < 100000; ++i) doc += "<x>";
  doc += "</item></channel></rss>";
  const fw::Result<Feed> result = fw::feed::parse(doc, {});
  ASSERT_TRUE(result);
  ASSERT_FALSE(result->entries.empty());
  EXPECT_EQ(result->entries[0].title, "kept");
  EXPECT_TRUE(has_warning(*result, "deeper than 256")) << fw::feed::to_json(*result);
}

TEST(Limits, DepthLimitIsConfigurable) {
  ParseOptions options;
  options.limits.max_depth = 4;  // rss > channel > item > title is 4 deep
  const std::string doc =
      "<rss version=\"2.0\"><channel><item><title>ok</title><description><p>x</p></description></item>"
      "</channel></rss>";
  const fw::Result<Feed> result = fw::feed::parse(doc, options);
  ASSERT_TRUE(result);
  EXPECT_TRUE(has_warning(*result, "deeper than 4"));
  ASSERT_EQ(result->entries.size(), 1U);
  EXPECT_EQ(result->entries[0].title, "ok");
}

TEST(Limits, ElementCountStopsTheParserWithAWarning) {
  ParseOptions options;
  options.limits.max_elements = 3 + 2 * 5;  // rss, channel, title + 5 items of item/guid
  const fw::Result<Feed> result = fw::feed::parse(rss_items(50), options);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->entries.size(), 5U);
  EXPECT_TRUE(has_warning(*result, "more than 13 elements"));
}

TEST(Limits, EntriesPastTheLimitAreDroppedWithAWarning) {
  ParseOptions options;
  options.limits.max_entries = 7;
  const fw::Result<Feed> result = fw::feed::parse(rss_items(20), options);
  ASSERT_TRUE(result);
  ASSERT_EQ(result->entries.size(), 7U);
  EXPECT_EQ(result->entries[6].id, "g6");
  EXPECT_TRUE(has_warning(*result, "only the first 7"));
}

TEST(Limits, JsonFeedEntriesAreLimitedToo) {
  ParseOptions options;
  options.limits.max_entries = 2;
  const fw::Result<Feed> result = fw::feed::parse(
      R"({"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1"},{"id":"2"},{"id":"3"}]})",
      options);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->entries.size(), 2U);
}

TEST(Limits, DeeplyNestedJsonIsRejectedNotRecursedInto) {
  std::string doc = R"({"version":"https://jsonfeed.org/version/1.1","items":[],"x":)";
  doc += std::string(100000, '[') + std::string(100000, ']') + "}";
  const fw::Result<Feed> result = fw::feed::parse(doc, {});
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("nested deeper"), std::string::npos) << result.error().message;
}

// `levels` levels of entities, each referencing the previous ten times:
// 10^levels copies of the 12-byte innermost text if expanded (9: "billion laughs").
std::string billion_laughs(int levels, std::string_view body) {
  std::string doc = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY e0 \"lollollollol\">";
  for (int level = 1; level <= levels; ++level) {
    doc += "<!ENTITY e" + std::to_string(level) + " \"";
    for (int i = 0; i < 10; ++i) doc += "&e" + std::to_string(level - 1) + ";";
    doc += "\">";
  }
  return doc + "]><rss version=\"2.0\"><channel>" + std::string(body) + "</channel></rss>";
}

TEST(Limits, BillionLaughsIsBoundedAndReported) {
  // libxml2's own amplification check or our entity budget stops it, whichever first.
  const fw::Result<Feed> result =
      fw::feed::parse(billion_laughs(9, "<title>&e9;</title><item><title>&e9;</title></item>"), {});
  ASSERT_TRUE(result);
  const std::size_t total = result->title.value_or("").size() +
                            (result->entries.empty() ? 0 : result->entries[0].title.value_or("").size());
  EXPECT_LE(total, ParseOptions{}.limits.max_entity_bytes);
  EXPECT_FALSE(result->warnings.empty());
}

TEST(Limits, EntityExpansionPastTheBudgetIsCutWithAWarning) {
  // 30 references to a 4000-byte entity: 120 000 bytes, over this budget
  // (the padding keeps it under libxml2's own amplification limit).
  ParseOptions options;
  options.limits.max_entity_bytes = 64 * 1024;
  std::string doc = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY x \"" + std::string(4000, 'x') +
                    "\">]><rss version=\"2.0\"><channel><!--" + std::string(50000, ' ') + "--><title>";
  for (int i = 0; i < 30; ++i) doc += "&x;";
  doc += "</title></channel></rss>";
  const fw::Result<Feed> result = fw::feed::parse(doc, options);
  ASSERT_TRUE(result);
  ASSERT_TRUE(result->title);
  EXPECT_EQ(result->title->size(), 16U * 4000U);  // the references that fit
  EXPECT_TRUE(has_warning(*result, "entity references expand to more than 65536 bytes"));
}

TEST(Limits, SmallEntityExpansionIsUnaffected) {
  const fw::Result<Feed> result = fw::feed::parse(billion_laughs(1, "<title>&e1;</title>"), {});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->title->size(), 10U * 12U);
  EXPECT_FALSE(has_warning(*result, "entity references expand"));
}

TEST(Limits, ExternalParameterEntitiesAndDtdsAreNotLoaded) {
  // Would read a local file if DTDs or external entities were loaded (XXE).
  const fw::Result<Feed> result = fw::feed::parse(
      "<?xml version=\"1.0\"?><!DOCTYPE rss SYSTEM \"file:///etc/hostname\" [<!ENTITY % p SYSTEM "
      "\"file:///etc/passwd\"> %p;<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
      "<rss version=\"2.0\"><channel><title>a&x;b</title></channel></rss>",
      {});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->title, "ab");
}

}  // namespace

namespace {

TEST(HostileRecovery, GarbageAfterTheRootIsIgnoredWithAWarning) {
  const fw::Result<Feed> result = fw::feed::parse(
      "<rss version=\"2.0\"><channel><title>T</title><item><title>kept</title></item></channel></rss>"
      "<rss><channel><item><title>second root</title></item></channel></rss> trailing <junk & text",
      {});
  ASSERT_TRUE(result);
  ASSERT_EQ(result->entries.size(), 1U);
  EXPECT_EQ(result->entries[0].title, "kept");
  EXPECT_TRUE(has_warning(*result, "xml:"));
}

TEST(HostileRecovery, MismatchedTagsInsideAnItemKeepTheFollowingItems) {
  const fw::Result<Feed> result = fw::feed::parse(
      "<rss version=\"2.0\"><channel><item><title>a</title><description>x</b></description></item>"
      "<item><title>b</title></item></channel></rss>",
      {});
  ASSERT_TRUE(result);
  ASSERT_FALSE(result->entries.empty());
  EXPECT_EQ(result->entries[0].title, "a");
  EXPECT_FALSE(result->warnings.empty());
}

}  // namespace
