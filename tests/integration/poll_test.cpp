// End-to-end: `feedwatch once` against a Beast server on 127.0.0.1 and a real
// PostgreSQL database; each test asserts what the database holds afterwards.
#include <gtest/gtest.h>

#include <atomic>

#include "tests/support/http_server.hpp"
#include "tests/support/support.hpp"

namespace fw::test {
namespace {

const char* k_last_modified = "Wed, 23 Apr 2025 09:35:23 GMT";

std::string config_yaml(const TempDatabase& db, const TempDir& dir, const std::string& feed_url) {
  return "database:\n  url: \"" + db.conninfo() + "\"\n" + "state_dir: \"" + dir.path() +
         "\"\n"
         "log_level: debug\n"
         "http:\n  timeout: 10s\n  allow_private_networks: true\n"
         "feeds:\n"
         "  - name: cbbc-tech-companies\n"
         "    url: \"" +
         feed_url +
         "\"\n"
         "    interval: 15m\n"
         "    fetch_articles: false\n";
}

// The fixture with one more item at the top, as WordPress lists a new post.
std::string feed_with_new_item(const std::string& feed) {
  const std::string item =
      "<item><title>Xiaomi opens its first UK flagship store</title>"
      "<link>https://focus.cbbc.org/xiaomi-uk-flagship/</link>"
      "<pubDate>Thu, 24 Apr 2025 08:00:00 +0000</pubDate>"
      "<guid isPermaLink=\"false\">https://focus.cbbc.org/?p=15300</guid>"
      "<description><![CDATA[<p>Xiaomi has opened a store in London.</p>]]></description>"
      "<content:encoded><![CDATA[<p>Xiaomi has opened a store in London.</p>]]></content:encoded>"
      "</item>\n";
  std::string out = feed;
  std::size_t at = out.find("<item>");
  out.insert(at, item);
  return out;
}

class PollTest : public ::testing::Test {
 protected:
  void SetUp() override {
    feed = fixture("feeds/cbbc-tech-companies.xml");
    server = std::make_unique<HttpServer>([this](const HttpRequest& r) { return serve(r); });
    config_path = dir.write("feedwatch.yaml", config_yaml(db, dir, server->url("/tag/tech-companies/feed/")));
  }

  // Serves `feed` with an ETag derived from `version`, answering 304 to a matching If-None-Match.
  HttpReply serve(const HttpRequest& r) {
    if (status.load() != 200) return HttpReply{status.load(), {}, body_override};
    if (!validators.load()) {  // a server that ignores conditional GET and sends no validators
      return HttpReply{200,
                       {{"Content-Type", "application/rss+xml; charset=UTF-8"}},
                       body_override.empty() ? feed : body_override};
    }
    std::string etag = "\"v" + std::to_string(version.load()) + "\"";
    if (r.header("if-none-match") == etag) return HttpReply{304, {{"ETag", etag}}, ""};
    std::string body = body_override.empty() ? feed : body_override;
    return HttpReply{200,
                     {{"ETag", etag},
                      {"Last-Modified", k_last_modified},
                      {"Content-Type", "application/rss+xml; charset=UTF-8"}},
                     body};
  }

  ProcessResult once() { return run_feedwatch({"once", "--config", config_path}); }
  int count(const std::string& table) { return std::stoi(db.scalar("SELECT count(*) FROM " + table)); }

  TempDatabase db;
  TempDir dir;
  std::string feed;
  std::string body_override;
  std::atomic<int> version{1};
  std::atomic<int> status{200};
  std::atomic<bool> validators{true};
  std::unique_ptr<HttpServer> server;
  std::string config_path;
};

TEST_F(PollTest, OnceStoresExactlyTheThreeArticles) {
  ProcessResult r = once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count("articles"), 3);
  EXPECT_EQ(count("article_versions"), 3);
  EXPECT_EQ(count("article_feeds"), 3);
  EXPECT_EQ(
      db.scalar("SELECT string_agg(guid, ' ' ORDER BY published_at) FROM articles"),
      "https://focus.cbbc.org/?p=11463 https://focus.cbbc.org/?p=11560 https://focus.cbbc.org/?p=15231");
  EXPECT_EQ(db.scalar("SELECT title FROM articles WHERE guid = 'https://focus.cbbc.org/?p=15231'"),
            "What is DeepSeek? The Chinese AI shaking up the global AI landscape");
  EXPECT_EQ(
      db.scalar("SELECT to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM articles "
                "WHERE guid = 'https://focus.cbbc.org/?p=11560'"),
      "2023-01-23 07:30:12");
  // The stored text is the content with its tags stripped, and the hash is of that text.
  std::string body = db.scalar(
      "SELECT body_text FROM article_versions v JOIN articles a ON a.id = v.article_id "
      "WHERE a.guid = 'https://focus.cbbc.org/?p=15231'");
  EXPECT_NE(body.find("Founded in 2023 by Liang Wenfeng and headquartered in Hangzhou"), std::string::npos);
  EXPECT_EQ(body.find("<p>"), std::string::npos);
  EXPECT_EQ(
      db.scalar(
          "SELECT count(DISTINCT text_sha256) FROM article_versions WHERE text_sha256 ~ '^[0-9a-f]{64}$'"),
      "3");
  EXPECT_EQ(db.scalar("SELECT outcome || ' ' || status FROM fetch_log"), "ok 200");
  EXPECT_EQ(db.scalar("SELECT etag FROM feeds"), "\"v1\"");
  EXPECT_EQ(db.scalar("SELECT last_modified FROM feeds"), k_last_modified);
  EXPECT_EQ(db.scalar("SELECT title FROM feeds"),
            "tech companies Archives - Focus - China Britain Business Council");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM latest_articles WHERE state = 'live' AND version_count = 1"),
            "3");
}

TEST_F(PollTest, SecondOnceSendsValidatorsGets304AndWritesNoVersion) {
  ASSERT_EQ(once().exit_code, 0);
  ProcessResult r = once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto requests = server->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_FALSE(requests[0].has_header("if-none-match"));
  EXPECT_EQ(requests[1].header("if-none-match"), "\"v1\"");
  // Last-Modified goes back verbatim, never re-formatted from our clock.
  EXPECT_EQ(requests[1].header("if-modified-since"), k_last_modified);
  EXPECT_EQ(count("article_versions"), 3);
  EXPECT_EQ(db.scalar("SELECT string_agg(outcome, ',' ORDER BY id) FROM fetch_log"), "ok,not_modified");
  EXPECT_EQ(db.scalar("SELECT error_count FROM feeds"), "0");
}

// A server's validators go back in a request header and into a UTF-8
// database: an ETag that is not UTF-8 (PostgreSQL refused the whole poll's
// write, articles included, and the feed was claimed again every minute) and
// a Last-Modified with a bare CR in it (a header line of the server's choosing
// in our next request) are dropped, and the poll is stored without them.
TEST_F(PollTest, UnusableValidatorsAreDroppedAndThePollIsStored) {
  HttpServer hostile([this](const HttpRequest&) {
    return HttpReply{200,
                     {{"ETag", "\"caf\xE9\""},
                      {"Last-Modified", std::string(k_last_modified) + "\rX-Injected: yes"},
                      {"Content-Type", "application/rss+xml; charset=UTF-8"}},
                     feed};
  });
  const std::string config = dir.write("hostile.yaml", config_yaml(db, dir, hostile.url("/feed/")));
  for (int i = 0; i < 2; ++i) {
    ProcessResult r = run_feedwatch({"once", "--config", config});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  EXPECT_EQ(count("articles"), 3);
  EXPECT_EQ(db.scalar("SELECT string_agg(outcome, ',' ORDER BY id) FROM fetch_log"), "ok,ok");
  EXPECT_EQ(
      db.scalar("SELECT (etag IS NULL AND last_modified IS NULL)::text || ' ' || error_count FROM feeds"),
      "true 0");
  const auto requests = hostile.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_FALSE(requests[1].has_header("if-none-match"));
  EXPECT_FALSE(requests[1].has_header("if-modified-since"));
  EXPECT_FALSE(requests[1].has_header("x-injected"));
}

TEST_F(PollTest, ChangedFeedStoresNewEntriesOnly) {
  ASSERT_EQ(once().exit_code, 0);
  body_override = feed_with_new_item(feed);
  version = 2;
  ProcessResult r = once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count("articles"), 4);
  EXPECT_EQ(count("article_versions"), 4);
  EXPECT_EQ(db.scalar("SELECT max(version_count) FROM articles"), "1");
  EXPECT_EQ(db.scalar("SELECT title FROM articles WHERE guid = 'https://focus.cbbc.org/?p=15300'"),
            "Xiaomi opens its first UK flagship store");
  EXPECT_EQ(db.scalar("SELECT etag FROM feeds"), "\"v2\"");
  EXPECT_NE(db.scalar("SELECT last_new_article_at FROM feeds"), "NULL");
}

TEST_F(PollTest, SameEntriesUnderANewEtagWriteNothing) {
  ASSERT_EQ(once().exit_code, 0);
  std::string before =
      db.scalar("SELECT string_agg(id || ':' || version_count || ':' || last_seen_at, ',') FROM articles");
  version = 2;  // the server lost its ETag cache: a full 200 with identical entries
  ASSERT_EQ(once().exit_code, 0);
  EXPECT_EQ(count("article_versions"), 3);
  EXPECT_EQ(
      db.scalar("SELECT string_agg(id || ':' || version_count || ':' || last_seen_at, ',') FROM articles"),
      before);
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

const char* k_feed_links_seen =
    "SELECT string_agg(article_id || ':' || last_seen_at, ',' ORDER BY article_id) FROM article_feeds";

// A server that ignores conditional GET answers every poll with the whole
// feed: the same entries as the last full store are recorded like a 304
// (outcome ok, no new entries) without touching the articles, and an edit is
// still stored as one.
TEST_F(PollTest, WithoutConditionalGetSameEntriesAreRecordedWithoutStoringThem) {
  validators = false;
  ASSERT_EQ(once().exit_code, 0);
  const std::string seen = db.scalar(k_feed_links_seen);
  const std::string stored_at = db.scalar("SELECT entries_stored_at FROM feeds");
  const std::string polled_at = db.scalar("SELECT last_polled_at FROM feeds");
  EXPECT_NE(stored_at, "NULL");
  EXPECT_EQ(db.scalar("SELECT entries_digest ~ '^[0-9a-f]{64}$' FROM feeds"), "t");
  // The feed's own date moved, its entries did not.
  body_override = replace_all(feed, "<lastBuildDate>Wed, 23 Apr 2025 09:35:23 +0000</lastBuildDate>",
                              "<lastBuildDate>Thu, 24 Apr 2025 10:00:00 +0000</lastBuildDate>");
  ASSERT_NE(body_override, feed);
  ProcessResult r = once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(server->requests().size(), 2U);
  EXPECT_FALSE(server->requests()[1].has_header("if-none-match"));
  EXPECT_EQ(
      db.scalar("SELECT string_agg(outcome || ' ' || status || ' ' || coalesce(new_entries::text, '-'), "
                "',' ORDER BY id) FROM fetch_log"),
      "ok 200 3,ok 200 0");
  EXPECT_EQ(db.scalar(k_feed_links_seen), seen);
  EXPECT_EQ(db.scalar("SELECT entries_stored_at FROM feeds"), stored_at);
  EXPECT_NE(db.scalar("SELECT last_polled_at FROM feeds"), polled_at);
  EXPECT_EQ(count("article_versions"), 3);

  // One sentence of one entry edited: a full store, which records the edit.
  body_override =
      replace_all(body_override, "Founded in 2023 by Liang Wenfeng", "Founded in 2022 by Liang Wenfeng");
  r = once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count("article_versions"), 4);
  EXPECT_EQ(count("article_changes"), 1);
  EXPECT_NE(db.scalar("SELECT entries_stored_at FROM feeds"), stored_at);
  EXPECT_NE(db.scalar(k_feed_links_seen), seen);
  EXPECT_EQ(db.scalar("SELECT body_text ~ 'Founded in 2022' FROM article_versions ORDER BY id DESC LIMIT 1"),
            "t");
}

// The digest is trusted for a day, and only when it is the one of this feed's
// last full store (another daemon may have stored other entries since).
TEST_F(PollTest, StaleOrForeignEntriesDigestRunsAFullStore) {
  validators = false;
  ASSERT_EQ(once().exit_code, 0);
  const std::string digest = db.scalar("SELECT entries_digest FROM feeds");
  std::string seen = db.scalar(k_feed_links_seen);
  db.scalar("UPDATE feeds SET entries_stored_at = now() - interval '25 hours' RETURNING 1");
  ASSERT_EQ(once().exit_code, 0);
  EXPECT_NE(db.scalar(k_feed_links_seen), seen);  // every listed article seen again
  EXPECT_EQ(db.scalar("SELECT entries_stored_at > now() - interval '1 hour' FROM feeds"), "t");
  EXPECT_EQ(db.scalar("SELECT entries_digest FROM feeds"), digest);

  seen = db.scalar(k_feed_links_seen);
  db.scalar("UPDATE feeds SET entries_digest = repeat('0', 64) RETURNING 1");
  ASSERT_EQ(once().exit_code, 0);
  EXPECT_NE(db.scalar(k_feed_links_seen), seen);
  EXPECT_EQ(db.scalar("SELECT entries_digest FROM feeds"), digest);
  EXPECT_EQ(count("article_versions"), 3);
}

// A feed that changed is stored in full, but only its new and changed entries
// are extracted again: an entry listed exactly as before
// (article_feeds.entry_digest) is not read again. Made bogus here, the stored
// hashes of the untouched entries stay bogus; an entry that was extracted and
// compared would have its hash rewritten (or an edit recorded).
TEST_F(PollTest, ChangedFeedExtractsOnlyTheEntriesThatChanged) {
  ASSERT_EQ(once().exit_code, 0);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM article_feeds WHERE entry_digest ~ '^[0-9a-f]{64}$'"), "3");
  EXPECT_EQ(db.scalar("WITH u AS (UPDATE article_versions SET text_sha256 = repeat('0', 64) RETURNING 1) "
                      "SELECT count(*) FROM u"),
            "3");
  body_override = replace_all(feed_with_new_item(feed), "Founded in 2023 by Liang Wenfeng",
                              "Founded in 2022 by Liang Wenfeng");
  version = 2;
  ProcessResult r = once();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count("articles"), 4);
  EXPECT_EQ(count("article_versions"), 5);  // the new item, and the edited one's second version
  EXPECT_EQ(count("article_changes"), 1);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM article_versions WHERE text_sha256 = repeat('0', 64)"), "3");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM article_feeds WHERE entry_digest ~ '^[0-9a-f]{64}$'"), "4");
}

TEST_F(PollTest, ServerErrorLeavesArticlesAsTheyWereAndExitsZero) {
  ASSERT_EQ(once().exit_code, 0);
  status = 500;
  body_override = "internal error";
  ProcessResult r = once();
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("poll_failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("status=500"), std::string::npos) << r.err;
  EXPECT_EQ(count("articles"), 3);
  EXPECT_EQ(count("article_versions"), 3);
  EXPECT_EQ(db.scalar("SELECT error_count || ' ' || last_error FROM feeds"),
            "1 HTTP 500 from " + server->url("/tag/tech-companies/feed/"));
  EXPECT_EQ(db.scalar("SELECT etag FROM feeds"), "\"v1\"");  // validators of the last good response kept
}

TEST_F(PollTest, GarbageBodyIsAParseErrorAndStoresNothing) {
  body_override = "\x89PNG\r\n\x1a\n not a feed at all <<<>>>";
  ProcessResult r = once();
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("poll_failed"), std::string::npos) << r.err;
  EXPECT_EQ(count("articles"), 0);
  EXPECT_EQ(count("article_versions"), 0);
  EXPECT_EQ(db.scalar("SELECT outcome FROM fetch_log"), "parse_error");
  EXPECT_EQ(db.scalar("SELECT error_count FROM feeds"), "1");
  EXPECT_EQ(db.scalar("SELECT next_poll_at > now() + interval '10 minutes' FROM feeds"), "t");
}

TEST_F(PollTest, UnreachableServerIsANetworkErrorAndExitsZero) {
  std::string url = server->url("/feed/");
  server.reset();  // nothing listens on that port any more
  dir.write("feedwatch.yaml", config_yaml(db, dir, url));
  ProcessResult r = once();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(db.scalar("SELECT outcome FROM fetch_log"), "network_error");
  EXPECT_EQ(count("articles"), 0);
}

TEST_F(PollTest, PrivateAddressIsRefusedUnlessAllowed) {
  std::string yaml = config_yaml(db, dir, server->url("/feed/"));
  yaml.replace(yaml.find("allow_private_networks: true"), 28, "allow_private_networks: false");
  dir.write("feedwatch.yaml", yaml);
  ProcessResult r = once();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server->requests().size(), 0u);
  EXPECT_EQ(db.scalar("SELECT outcome FROM fetch_log"), "refused");
  EXPECT_NE(db.scalar("SELECT last_error FROM feeds").find("127.0.0.1"), std::string::npos);
}

}  // namespace
}  // namespace fw::test

namespace fw::test {
namespace {

TEST_F(PollTest, DuplicateGuidInOneFeedIsOneArticleWithOneVersion) {
  // The DeepSeek item again at the end, with a different body: the first occurrence wins.
  std::size_t start = feed.find("<item>");
  std::size_t end = feed.find("</item>", start) + 7;
  std::string copy = feed.substr(start, end - start);
  std::size_t body = copy.find("<content:encoded>");
  copy.insert(body + 17, "<![CDATA[<p>A different body.</p>]]>");
  body_override = feed;
  body_override.insert(body_override.rfind("</channel>"), copy);
  for (int poll = 0; poll < 2; ++poll) {
    version = poll + 1;
    // Both polls store every entry: the same entries would otherwise skip the
    // second store (entries_digest), and the point is that storing them again
    // finds the duplicate again and records no phantom edit.
    if (poll > 0) db.scalar("UPDATE feeds SET entries_digest = NULL RETURNING 1");
    ProcessResult r = once();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("duplicates=1"), std::string::npos) << r.err;
  }
  EXPECT_EQ(count("articles"), 3);
  EXPECT_EQ(count("article_versions"), 3);
  EXPECT_EQ(
      db.scalar("SELECT position('A different body' IN body_text) FROM article_versions v "
                "JOIN articles a ON a.id = v.article_id WHERE a.guid = 'https://focus.cbbc.org/?p=15231'"),
      "0");
}

}  // namespace
}  // namespace fw::test

namespace fw::test {
namespace {

TEST_F(PollTest, StoredBodyIsTheExtractedTextWithoutWordPressBoilerplate) {
  ASSERT_EQ(once().exit_code, 0);
  std::string body = db.scalar(
      "SELECT body_text FROM article_versions v JOIN articles a ON a.id = v.article_id "
      "WHERE a.guid = 'https://focus.cbbc.org/?p=11560'");
  EXPECT_NE(body.find("Zhongguancun is the birthplace"), std::string::npos) << body.substr(0, 200);
  EXPECT_NE(body.find("\n\n"), std::string::npos) << "paragraphs were not kept";
  EXPECT_EQ(body.find("appeared first on"), std::string::npos);
  EXPECT_EQ(body.find("Read Also"), std::string::npos);
  EXPECT_EQ(body.find("launchpad"), std::string::npos);
}

}  // namespace
}  // namespace fw::test
