// Change detection end to end: `feedwatch once` against a Beast server on
// 127.0.0.1 serving a feed and its article page, and a real PostgreSQL. The page
// changes a sentence, then its headline, then answers 410, then comes back; the
// database must end with exactly the versions and change kinds expected.
#include <gtest/gtest.h>

#include <mutex>

#include "tests/support/http_server.hpp"
#include "tests/support/support.hpp"

namespace fw::test {
namespace {

const char* k_body_v1 =
    "<p>DeepSeek, the Hangzhou start-up, says its latest model cost $6 million to train.</p>"
    "<p>Analysts in London were sceptical of the figure.</p>"
    "<p>The company did not respond to a request for comment.</p>";

class ChangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<HttpServer>([this](const HttpRequest& r) { return serve(r); });
    write_config("\".read-also\"");
  }

  void write_config(const std::string& remove) {
    config_path = dir.write(
        "feedwatch.yaml", "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
                              "\"\nlog_level: debug\nhttp:\n  timeout: 10s\n  allow_private_networks: true\n"
                              "  per_host: { max_concurrent: 2, min_delay: 0s }\n"
                              "feeds:\n  - name: focus\n    url: \"" +
                              server->url("/tag/tech-companies/feed/") +
                              "\"\n    interval: 15m\n    fetch_articles: true\n"
                              "sites:\n  - host: 127.0.0.1\n    body: \".entry-content\"\n    remove: [" +
                              remove + "]\nrecheck: [1h, 6h, 24h]\n");
  }

  std::string feed_xml() const {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>"
           "<title>Focus</title><link>" +
           server->url("/") +
           "</link><item><title>DeepSeek model cost questioned</title>"
           "<link>" +
           server->url("/2025/01/deepseek-cost/") + "</link><guid isPermaLink=\"false\">" +
           server->url("/?p=15231") +
           "</guid><pubDate>Fri, 31 Jan 2025 12:00:00 +0000</pubDate>"
           "<category>DeepSeek</category>"
           "<content:encoded><![CDATA[" +
           feed_body() + "]]></content:encoded></item></channel></rss>";
  }

  std::string page_html() const {
    std::lock_guard lock(mutex);
    return "<!DOCTYPE html><html lang=\"en-GB\"><head><title>" + title +
           " - Focus</title><meta property=\"og:title\" content=\"" + title +
           "\"><meta property=\"article:modified_time\" content=\"" + modified +
           "\"></head><body><header><nav><a href=\"/\">Home</a> <a href=\"/tag/ai/\">AI</a></nav></header>"
           "<article><h1 class=\"entry-title\">" +
           title + "</h1><div class=\"entry-content\">" + body +
           "<p class=\"standfirst\">Focus is the magazine of the China-Britain Business Council.</p>" +
           "<div class=\"read-also\"><p>Read Also: Huawei opens a lab in Cambridge and hires forty "
           "engineers</p></div></div></article><footer><p>China-Britain Business "
           "Council</p></footer></body></html>";
  }

  std::string feed_body() const {
    std::lock_guard lock(mutex);
    return feed_content;
  }

  HttpReply serve(const HttpRequest& r) {
    if (r.target == "/tag/tech-companies/feed/") {
      return HttpReply{200, {{"Content-Type", "application/rss+xml; charset=UTF-8"}}, feed_xml()};
    }
    if (r.target == "/2025/01/deepseek-cost/") {
      int s = page_status.load();
      if (s != 200) return HttpReply{s, {{"Content-Type", "text/html"}}, "<html><body>Gone</body></html>"};
      return HttpReply{200, {{"Content-Type", "text/html; charset=UTF-8"}}, page_html()};
    }
    return HttpReply{404, {}, "not found"};
  }

  void set_page(const std::string& new_title, const std::string& new_body, const std::string& new_modified) {
    std::lock_guard lock(mutex);
    title = new_title;
    body = new_body;
    modified = new_modified;
  }

  // Runs `once` after making the article's re-check due now.
  void recheck() {
    db.scalar("UPDATE articles SET next_check_at = now() RETURNING 1");
    ProcessResult r = run_feedwatch({"once", "--config", config_path});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  int count(const std::string& sql) { return std::stoi(db.scalar(sql)); }

  // kinds of the changes, oldest first: "{minor}|{title_changed}|..."
  std::string kinds() {
    return db.scalar("SELECT coalesce(string_agg(kinds::text, '|' ORDER BY id), '') FROM article_changes");
  }

  TempDatabase db;
  TempDir dir;
  std::unique_ptr<HttpServer> server;
  std::string config_path;
  mutable std::mutex mutex;
  std::string title = "DeepSeek model cost questioned";
  std::string body = k_body_v1;
  std::string feed_content = k_body_v1;
  std::string modified = "2025-01-31T12:00:00+00:00";
  std::atomic<int> page_status{200};
};

TEST_F(ChangeTest, SentenceHeadlineRemovalAndRestoreAreRecordedExactly) {
  ProcessResult first = run_feedwatch({"once", "--config", config_path});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  // The feed's version and the page's baseline; no change between sources.
  EXPECT_EQ(count("SELECT count(*) FROM articles"), 1);
  EXPECT_EQ(db.scalar("SELECT string_agg(source, ',' ORDER BY version) FROM article_versions"), "feed,page");
  EXPECT_EQ(count("SELECT count(*) FROM article_changes"), 0);
  EXPECT_EQ(server->hits("/2025/01/deepseek-cost/"), 1);
  // The page text is the rule's body without the Read Also box.
  std::string text = db.scalar("SELECT body_text FROM article_versions WHERE source = 'page'");
  EXPECT_NE(text.find("$6 million"), std::string::npos);
  EXPECT_EQ(text.find("Read Also"), std::string::npos);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM raw_pages"), "1");
  // The first re-check is due an hour after first sight.
  EXPECT_EQ(db.scalar("SELECT recheck_step || ' ' || "
                      "  (abs(extract(epoch FROM next_check_at - first_seen_at) - 3600) < 5) FROM articles"),
            "1 true");

  // 1. A figure changed, the page's modified time not: a minor, stealth edit.
  set_page("DeepSeek model cost questioned",
           "<p>DeepSeek, the Hangzhou start-up, says its latest model cost $60 million to train.</p>"
           "<p>Analysts in London were sceptical of the figure.</p>"
           "<p>The company did not respond to a request for comment.</p>",
           "2025-01-31T12:00:00+00:00");
  recheck();
  EXPECT_EQ(kinds(), "{minor}");
  EXPECT_EQ(db.scalar("SELECT stealth::text || ' ' || words_changed FROM article_changes"), "true 1");
  EXPECT_NE(db.scalar("SELECT diff_text FROM article_changes").find("{+$60+}"), std::string::npos);

  // 2. The headline changed (and the modified time with it).
  set_page("DeepSeek's $60m training bill questioned",
           "<p>DeepSeek, the Hangzhou start-up, says its latest model cost $60 million to train.</p>"
           "<p>Analysts in London were sceptical of the figure.</p>"
           "<p>The company did not respond to a request for comment.</p>",
           "2025-02-01T09:00:00+00:00");
  recheck();
  EXPECT_EQ(kinds(), "{minor}|{title_changed}");
  EXPECT_EQ(db.scalar("SELECT old_title || ' -> ' || new_title FROM article_edits WHERE title_changed"),
            "DeepSeek model cost questioned -> DeepSeek's $60m training bill questioned");
  EXPECT_EQ(db.scalar("SELECT title FROM latest_articles"), "DeepSeek's $60m training bill questioned");

  // 3. Gone.
  page_status = 410;
  recheck();
  EXPECT_EQ(kinds(), "{minor}|{title_changed}|{removed}");
  EXPECT_EQ(db.scalar("SELECT state FROM articles"), "removed");
  EXPECT_EQ(db.scalar("SELECT removal_reason || ' ' || http_status FROM article_changes "
                      "WHERE 'removed' = ANY (kinds)"),
            "http_gone 410");

  // 4. Back, with the same text: restored, and no new version.
  page_status = 200;
  recheck();
  EXPECT_EQ(kinds(), "{minor}|{title_changed}|{removed}|{restored}");
  EXPECT_EQ(db.scalar("SELECT state FROM articles"), "live");
  EXPECT_EQ(db.scalar("SELECT string_agg(source, ',' ORDER BY version) FROM article_versions"),
            "feed,page,page,page");
  EXPECT_EQ(db.scalar("SELECT new_version FROM article_edits WHERE 'restored' = ANY (kinds)"), "4");

  // 5. The same page again: nothing is written.
  recheck();
  EXPECT_EQ(count("SELECT count(*) FROM article_versions"), 4);
  EXPECT_EQ(count("SELECT count(*) FROM article_changes"), 4);
  EXPECT_EQ(count("SELECT count(*) FROM raw_pages"), 3);

  // The history command shows the versions and the changes.
  ProcessResult history =
      run_feedwatch({"history", server->url("/2025/01/deepseek-cost/"), "--config", config_path});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_NE(history.out.find("[minor, stealth]"), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("[title_changed]"), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("(http_gone, HTTP 410)"), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("{+$60+}"), std::string::npos) << history.out;
  ProcessResult json = run_feedwatch({"history", "1", "--format", "json", "--config", config_path});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"kinds\": [\n        \"restored\""), std::string::npos) << json.out;
}

TEST_F(ChangeTest, ReextractAfterARuleChangeUpdatesTextsWithoutNewEdits) {
  ASSERT_EQ(run_feedwatch({"once", "--config", config_path}).exit_code, 0);
  set_page("DeepSeek model cost questioned",
           "<p>DeepSeek, the Hangzhou start-up, says its latest model cost $60 million to train.</p>"
           "<p>Analysts in London were sceptical of the figure.</p>",
           "2025-02-01T09:00:00+00:00");
  recheck();
  ASSERT_EQ(count("SELECT count(*) FROM article_changes"), 1);
  std::string diff_before = db.scalar("SELECT diff_text FROM article_changes");

  // The rule now also removes the standfirst: both page texts lose it.
  ASSERT_EQ(count("SELECT count(*) FROM article_versions WHERE body_text LIKE '%magazine of the%'"), 2);
  write_config("\".read-also\", \".standfirst\"");
  ProcessResult r = run_feedwatch({"reextract", "--site", "127.0.0.1", "--config", config_path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("versions 2, texts changed 2"), std::string::npos) << r.out;
  EXPECT_EQ(count("SELECT count(*) FROM article_versions"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM article_changes"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM article_versions WHERE body_text LIKE '%magazine of the%'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM article_versions WHERE extractor LIKE '%reextract'"), 2);
  // The diff between them is the same edit, recomputed over the new texts.
  std::string diff_after = db.scalar("SELECT diff_text FROM article_changes");
  for (const char* piece : {"[-$6-]{+$60+}", "[-The company did not respond to a request for comment.-]"}) {
    EXPECT_NE(diff_before.find(piece), std::string::npos) << diff_before;
    EXPECT_NE(diff_after.find(piece), std::string::npos) << diff_after;
  }
  EXPECT_EQ(db.scalar("SELECT kinds::text FROM article_changes"), "{substantive,paragraphs_removed}");

  // A host without pages: nothing touched.
  ProcessResult other = run_feedwatch({"reextract", "--site", "example.org", "--config", config_path});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_NE(other.out.find("versions 0, texts changed 0"), std::string::npos) << other.out;
}

TEST_F(ChangeTest, AChangedFeedEntryIsAVersionAtOnceAndMakesThePageDue) {
  ASSERT_EQ(run_feedwatch({"once", "--config", config_path}).exit_code, 0);
  ASSERT_EQ(server->hits("/2025/01/deepseek-cost/"), 1);
  // The site edits the article: the feed and the page both show it.
  const std::string edited =
      "<p>DeepSeek, the Hangzhou start-up, says its latest model cost $6 million to train.</p>"
      "<p>Analysts in London and New York were sceptical of the figure.</p>"
      "<p>The company did not respond to a request for comment.</p>";
  {
    std::lock_guard lock(mutex);
    feed_content = edited;
    body = edited;
  }
  // No re-check is due: the feed's change alone brings the page fetch.
  ASSERT_EQ(run_feedwatch({"once", "--config", config_path}).exit_code, 0);
  EXPECT_EQ(server->hits("/2025/01/deepseek-cost/"), 2);
  EXPECT_EQ(db.scalar("SELECT string_agg(source, ',' ORDER BY version) FROM article_versions"),
            "feed,page,feed,page");
  // One change, from the page (the reference); the feed's version is kept without one.
  EXPECT_EQ(db.scalar("SELECT source || ' ' || kinds::text FROM article_changes"), "page {minor}");
  std::string diff = db.scalar("SELECT diff_text FROM article_changes");
  EXPECT_NE(diff.find("New York+}"), std::string::npos) << diff;
}

TEST_F(ChangeTest, WithoutPageFetchingTheFeedEntryIsTheReference) {
  std::string yaml = read_file(config_path);
  yaml.replace(yaml.find("fetch_articles: true"), 20, "fetch_articles: false");
  config_path = dir.write("feedwatch.yaml", yaml);
  ASSERT_EQ(run_feedwatch({"once", "--config", config_path}).exit_code, 0);
  {
    std::lock_guard lock(mutex);
    feed_content = std::string(k_body_v1) + "<p>Correction: the model cost $6 million, not $6 billion.</p>";
  }
  ASSERT_EQ(run_feedwatch({"once", "--config", config_path}).exit_code, 0);
  EXPECT_EQ(server->hits("/2025/01/deepseek-cost/"), 0);
  EXPECT_EQ(db.scalar("SELECT string_agg(source, ',' ORDER BY version) FROM article_versions"), "feed,feed");
  EXPECT_EQ(db.scalar("SELECT source || ' ' || kinds::text FROM article_changes"),
            "feed {substantive,paragraphs_added,correction_notice}");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM articles WHERE next_check_at IS NOT NULL"), "0");
}

TEST_F(ChangeTest, PagesDisallowedByRobotsTxtAreNotFetched) {
  server->set_handler([this](const HttpRequest& r) {
    if (r.target == "/robots.txt")
      return HttpReply{200, {{"Content-Type", "text/plain"}}, "User-agent: *\nDisallow: /2025/\n"};
    return serve(r);
  });
  ProcessResult r = run_feedwatch({"once", "--config", config_path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server->hits("/robots.txt"), 1);
  EXPECT_EQ(server->hits("/2025/01/deepseek-cost/"), 0);
  EXPECT_EQ(db.scalar("SELECT string_agg(source, ',') FROM article_versions"), "feed");
  EXPECT_NE(db.scalar("SELECT page_last_error FROM articles").find("robots.txt"), std::string::npos);
  // The schedule moved on: the next try is the first re-check, not a retry loop.
  EXPECT_EQ(db.scalar("SELECT recheck_step FROM articles"), "1");
}

// An article page answering 429 with Retry-After is tried again no sooner
// than the server asked (it was the five-minute error backoff), like a feed.
TEST_F(ChangeTest, RetryAfterOnAnArticlePagePostponesItsNextFetch) {
  server->set_handler([this](const HttpRequest& r) {
    if (r.target == "/2025/01/deepseek-cost/") return HttpReply{429, {{"Retry-After", "7200"}}, "slow down"};
    return serve(r);
  });
  ProcessResult r = run_feedwatch({"once", "--config", config_path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server->hits("/2025/01/deepseek-cost/"), 1);
  EXPECT_EQ(db.scalar("SELECT next_check_at BETWEEN now() + interval '7190 seconds' AND now() + interval "
                      "'7210 seconds' FROM articles"),
            "t")
      << db.scalar("SELECT next_check_at - now() FROM articles");
  EXPECT_NE(db.scalar("SELECT page_last_error FROM articles").find("HTTP 429"), std::string::npos);
}

TEST_F(ChangeTest, RedirectToTheHomePageIsARemoval) {
  ASSERT_EQ(run_feedwatch({"once", "--config", config_path}).exit_code, 0);
  server->set_handler([this](const HttpRequest& r) {
    if (r.target == "/2025/01/deepseek-cost/") return HttpReply{301, {{"Location", server->url("/")}}, ""};
    if (r.target == "/") {
      return HttpReply{200,
                       {{"Content-Type", "text/html"}},
                       "<html><body><h1>Focus</h1><p>Latest news from the China-Britain Business Council, "
                       "with many stories about trade and technology and more.</p></body></html>"};
    }
    return serve(r);
  });
  recheck();
  EXPECT_EQ(kinds(), "{removed}");
  EXPECT_EQ(db.scalar("SELECT removal_reason FROM article_changes"), "redirect_home");
  EXPECT_EQ(db.scalar("SELECT state FROM articles"), "removed");
}

}  // namespace
}  // namespace fw::test
