// `feedwatch backfill FEED`: a WordPress-like Beast server with a tag feed of
// three posts, older posts on paged feeds (?paged=N) or, where those are
// missing, on tag archive pages (/tag/ai/page/N/), and a REST API.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <mutex>
#include <set>

#include "tests/support/http_server.hpp"
#include "tests/support/support.hpp"

namespace fw::test {
namespace {

// A site with posts 1..k_posts, newest first; three per feed or archive page.
constexpr int k_posts = 9;

struct Site {
  explicit Site(bool paged_feeds)
      : paged(paged_feeds), server([this](const HttpRequest& r) { return answer(r); }) {}

  std::string base() const { return server.url(""); }
  std::string item(int n) const {
    return "<item><title>Post " + std::to_string(n) + "</title><link>" + base() + "/post-" +
           std::to_string(n) + "/</link><guid isPermaLink=\"false\">" + base() + "/?p=" + std::to_string(n) +
           "</guid><pubDate>" + "0" + std::to_string(k_posts + 1 - n) + " Jun 2025 10:00:00 +0000</pubDate>" +
           "<description>Body of post " + std::to_string(n) +
           " with enough words to count.</description></item>";
  }
  // Posts on page `page` (1-based), newest first: page 1 holds 9, 8, 7.
  std::vector<int> posts_on(int page) const {
    std::vector<int> out;
    for (int n = k_posts - (page - 1) * 3; n > k_posts - page * 3 && n >= 1; --n) out.push_back(n);
    return out;
  }
  std::string feed(int page) const {
    std::string items;
    for (int n : posts_on(page)) items += item(n);
    return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>ai</title><link>" + base() +
           "/tag/ai/</link>" + items + "</channel></rss>";
  }
  std::string archive(int page) const {
    std::string body =
        "<html><body><nav><a href=\"/\">Home</a><h2><a href=\"/about/\">About</a></h2></nav><main>";
    for (int n : posts_on(page)) {
      body += "<article><h2 class=\"entry-title\"><a rel=\"bookmark\" href=\"/post-" + std::to_string(n) +
              "/\">Post " + std::to_string(n) + "</a></h2><a href=\"/tag/ai/\">ai</a></article>";
    }
    return body + "<a href=\"/tag/ai/page/" + std::to_string(page + 1) + "/\">Older</a></main></body></html>";
  }
  std::string article(int n) const {
    return "<html><head><title>Post " + std::to_string(n) + " - Site</title><link rel=\"shortlink\" href=\"" +
           base() + "/?p=" + std::to_string(n) +
           "\"/><meta property=\"article:published_time\" content=\"2025-06-0" +
           std::to_string(k_posts + 1 - n) + "T10:00:00+00:00\"/></head><body><article><h1>Post " +
           std::to_string(n) + "</h1><div class=\"entry-content\"><p>The full text of post " +
           std::to_string(n) +
           ", a paragraph long enough for the extractor to keep it as the body of the article.</p>"
           "<p>A second paragraph, so the page reads like an article, with several words in it.</p></div>"
           "</article></body></html>";
  }

  HttpReply answer(const HttpRequest& r) {
    const std::string& t = r.target;
    if (t == "/robots.txt") return HttpReply{200, {}, robots};
    if (t.rfind("/wp-json/wp/v2/posts?modified_after=", 0) == 0) {
      if (rest_json.empty()) return HttpReply{404, {}, "no"};
      return HttpReply{200, {{"Content-Type", "application/json"}}, rest_json};
    }
    if (t == "/tag/ai/feed/") return HttpReply{200, {{"Content-Type", "application/rss+xml"}}, feed(1)};
    if (t.rfind("/tag/ai/feed/?paged=", 0) == 0) {
      int page = std::stoi(t.substr(20));
      if (!paged) return HttpReply{404, {}, "<html>not found</html>"};
      if (page == fail_page.load()) return HttpReply{500, {}, "oops"};
      if (posts_on(page).empty()) return HttpReply{404, {}, "<html>not found</html>"};
      return HttpReply{200, {{"Content-Type", "application/rss+xml"}}, feed(page)};
    }
    if (t.rfind("/tag/ai/page/", 0) == 0) {
      int page = std::stoi(t.substr(13));
      if (posts_on(page).empty()) return HttpReply{404, {}, "<html>not found</html>"};
      return HttpReply{200, {{"Content-Type", "text/html; charset=utf-8"}}, archive(page)};
    }
    if (t.rfind("/post-", 0) == 0) {
      return HttpReply{200, {{"Content-Type", "text/html; charset=utf-8"}}, article(std::stoi(t.substr(6)))};
    }
    return HttpReply{404, {}, "not found"};
  }

  bool paged;
  std::atomic<int> fail_page{0};
  std::string robots = "User-agent: *\nDisallow:\n";
  std::string rest_json;
  HttpServer server;
};

struct Backfill {
  explicit Backfill(bool paged, const std::string& robots = "User-agent: *\nDisallow:\n") : site(paged) {
    site.robots = robots;
    cfg = dir.write("c.yaml", "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
                                  "\"\nhttp:\n  allow_private_networks: true\n"
                                  "  per_host: { max_concurrent: 2, min_delay: 0s }\n"
                                  "feeds:\n  - name: ai\n    url: \"" +
                                  site.server.url("/tag/ai/feed/") +
                                  "\"\n    fetch_articles: false\n    backfill: { max_pages: 10 }\n");
  }
  void poll() { ASSERT_EQ(run_feedwatch({"once", "--config", cfg}).exit_code, 0); }
  ProcessResult backfill(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"backfill", "ai", "--config", cfg};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_feedwatch(args);
  }
  std::string count(const std::string& table) { return db.scalar("SELECT count(*) FROM " + table); }

  TempDatabase db;
  TempDir dir;
  Site site;
  std::string cfg;
};

TEST(Backfill, WalksPagedFeedsToTheEnd) {
  Backfill b(/*paged=*/true);
  b.poll();
  ASSERT_EQ(b.count("articles"), "3");
  ProcessResult r = b.backfill();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("mode=paged"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pages=2 new=6 stop=end"), std::string::npos) << r.out;
  EXPECT_EQ(b.count("articles"), std::to_string(k_posts));
  // Stored like polled articles: one version each, linked to the feed.
  EXPECT_EQ(b.count("article_versions"), std::to_string(k_posts));
  EXPECT_EQ(b.count("article_feeds"), std::to_string(k_posts));
  EXPECT_EQ(b.db.scalar("SELECT count(*) FROM latest_articles WHERE body_text LIKE 'Body of post 1 %'"), "1");
  EXPECT_EQ(b.db.scalar("SELECT status || ' ' || stop_reason || ' ' || pages_walked || ' ' || articles_found "
                        "FROM backfill_state"),
            "done end 2 6");
  // The poll state of the feed is the poll's, not the backfill's.
  EXPECT_EQ(b.count("fetch_log"), "1");
}

TEST(Backfill, StopsAtTheFirstPageOfKnownArticles) {
  Backfill b(true);
  b.poll();
  ASSERT_EQ(b.backfill().exit_code, 0);
  int page3 = b.site.server.hits("/tag/ai/feed/?paged=3");
  ProcessResult again = b.backfill();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("pages=1 new=0 stop=known"), std::string::npos) << again.out;
  EXPECT_EQ(b.site.server.hits("/tag/ai/feed/?paged=3"), page3);  // not walked further
  EXPECT_EQ(b.count("article_versions"), std::to_string(k_posts));
}

TEST(Backfill, PagesOptionLimitsTheWalk) {
  Backfill b(true);
  b.poll();
  ProcessResult r = b.backfill({"--pages", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("pages=1 new=3 stop=max_pages"), std::string::npos) << r.out;
  EXPECT_EQ(b.count("articles"), "6");
  EXPECT_EQ(b.site.server.hits("/tag/ai/feed/?paged=3"), 0);
}

TEST(Backfill, ResumesAfterAFailureWhereItStopped) {
  Backfill b(true);
  b.poll();
  b.site.fail_page = 3;
  ProcessResult failed = b.backfill();
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.err.find("resumable"), std::string::npos) << failed.err;
  EXPECT_EQ(b.count("articles"), "6");  // page 2 was stored
  EXPECT_EQ(b.db.scalar("SELECT status || ' ' || next_page FROM backfill_state"), "running 3");
  EXPECT_NE(b.db.scalar("SELECT last_error FROM backfill_state").find("HTTP 500"), std::string::npos);

  b.site.fail_page = 0;
  ProcessResult resumed = b.backfill();
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("first_page=3 pages=1 new=3 stop=end"), std::string::npos) << resumed.out;
  EXPECT_EQ(b.site.server.hits("/tag/ai/feed/?paged=2"), 1);  // not fetched again
  EXPECT_EQ(b.count("articles"), std::to_string(k_posts));
}

TEST(Backfill, FallsBackToTagArchivePagesAndObeysRobots) {
  Backfill b(/*paged=*/false, "User-agent: *\nDisallow: /post-5/\n");
  b.poll();
  ProcessResult r = b.backfill();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("mode=archive"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stop=end"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("robots_skipped=1"), std::string::npos) << r.out;
  EXPECT_EQ(b.site.server.hits("/post-5/"), 0);  // disallowed: never requested
  EXPECT_EQ(b.site.server.hits("/tag/ai/page/2/"), 1);
  EXPECT_EQ(b.site.server.hits("/tag/ai/page/3/"), 1);
  // 3 from the feed, 4, 6 from page 2, 1-3 from page 3; 5 skipped.
  EXPECT_EQ(b.count("articles"), "8");
  EXPECT_EQ(b.count("article_versions"), "8");
  // Identified by their shortlink, like the feed's guids; the text is the page's body.
  EXPECT_EQ(b.db.scalar("SELECT article_key FROM articles WHERE url = $1", {b.site.base() + "/post-4/"}),
            b.site.base() + "/?p=4");
  EXPECT_NE(b.db.scalar("SELECT body_text FROM latest_articles WHERE url = $1", {b.site.base() + "/post-4/"})
                .find("The full text of post 4"),
            std::string::npos);
  EXPECT_EQ(b.site.server.hits("/about/"), 0);

  // Again: page 2's articles are known (or disallowed), nothing is fetched twice.
  ProcessResult again = b.backfill();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(b.site.server.hits("/post-4/"), 1);
  EXPECT_EQ(b.count("articles"), "8");
}

TEST(Backfill, EditedPostsFromTheRestApiAreQueuedForARecheck) {
  Backfill b(true);
  b.poll();
  b.site.rest_json = "[{\"id\": 8, \"link\": \"" + b.site.base() + "/post-8/\"}, {\"id\": 99, \"link\": \"" +
                     b.site.base() + "/unknown/\"}]";
  ProcessResult r = b.backfill();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("rest_api=yes rechecks_queued=1"), std::string::npos) << r.out;
  EXPECT_EQ(b.db.scalar("SELECT string_agg(url, ' ') FROM articles WHERE next_check_at <= now()"),
            b.site.base() + "/post-8/");
  std::string first_after;
  for (const auto& req : b.site.server.requests()) {
    if (req.target.rfind("/wp-json/", 0) == 0) first_after = req.target.substr(req.target.find('=') + 1);
  }
  ASSERT_FALSE(first_after.empty());
  // The next check asks only for edits since this one.
  ASSERT_EQ(b.backfill().exit_code, 0);
  std::vector<std::string> afters;
  for (const auto& req : b.site.server.requests()) {
    if (req.target.rfind("/wp-json/", 0) == 0) afters.push_back(req.target.substr(req.target.find('=') + 1));
  }
  ASSERT_EQ(afters.size(), 2u);
  EXPECT_LT(afters[0].substr(0, 20), afters[1].substr(0, 20));
}

TEST(Backfill, DaemonBackfillsFeedsThatAskForIt) {
  Backfill b(true);
  std::string cfg = b.dir.write(
      "paged.yaml",
      "database:\n  url: \"" + b.db.conninfo() + "\"\nstate_dir: \"" + b.dir.path() +
          "\"\nhttp:\n  allow_private_networks: true\n  per_host: { max_concurrent: 2, min_delay: 0s }\n"
          "feeds:\n  - name: ai\n    url: \"" +
          b.site.server.url("/tag/ai/feed/") +
          "\"\n    fetch_articles: false\n    backfill: { paged: true, max_pages: 10 }\n");
  {
    Child daemon({"run", "--config", cfg});
    ASSERT_TRUE(eventually([&] { return daemon.err().find("running feeds=") != std::string::npos; }, 60))
        << daemon.err();
    ASSERT_TRUE(eventually(
        [&] { return b.db.scalar("SELECT count(*) FROM backfill_state WHERE status = 'done'") == "1"; }, 60))
        << daemon.err();
    daemon.signal(SIGTERM);
    ASSERT_EQ(daemon.wait_for(30), std::optional<int>(0)) << daemon.err();
    EXPECT_NE(daemon.err().find("backfill feed=ai mode=paged"), std::string::npos) << daemon.err();
  }
  EXPECT_EQ(b.count("articles"), std::to_string(k_posts));
  // Finished: the next start does not walk again.
  int page2 = b.site.server.hits("/tag/ai/feed/?paged=2");
  {
    Child daemon({"run", "--config", cfg});
    ASSERT_TRUE(eventually(
        [&] {
          return daemon.err().find("backfill_skipped feed=ai reason=finished_before") != std::string::npos;
        },
        30))
        << daemon.err();
    daemon.signal(SIGTERM);
    ASSERT_EQ(daemon.wait_for(30), std::optional<int>(0)) << daemon.err();
  }
  EXPECT_EQ(b.site.server.hits("/tag/ai/feed/?paged=2"), page2);
}

TEST(Backfill, UnknownFeedIsAnError) {
  Backfill b(true);
  ProcessResult r = run_feedwatch({"backfill", "nope", "--config", b.cfg});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no feed named \"nope\""), std::string::npos) << r.err;
}

}  // namespace
}  // namespace fw::test
