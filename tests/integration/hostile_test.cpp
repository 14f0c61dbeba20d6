// Hostile servers against the real daemon (`feedwatch once`, a real
// PostgreSQL): each hostile feed sits beside a good one. The hostile one ends
// in one recorded, logged failure (or is read within the configured limits),
// and the good one is stored as usual: the daemon goes on. Raw answers that
// Beast would not send (a body cut short, a Content-Length that never comes, a
// body without end, one byte at a time) come from RawServer.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/support/http_server.hpp"
#include "tests/support/raw_server.hpp"
#include "tests/support/support.hpp"

namespace fw::test {
namespace {

std::string item(const std::string& guid, const std::string& title, const std::string& link = "") {
  return "<item><title>" + title + "</title><guid isPermaLink=\"false\">" + guid + "</guid><link>" +
         (link.empty() ? "http://127.0.0.1/" + guid : link) + "</link><description>Text of " + guid +
         ".</description></item>";
}

std::string rss(const std::string& items) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>t</title>"
         "<link>http://127.0.0.1/</link>" +
         items + "</channel></rss>";
}

class Hostile : public ::testing::Test {
 protected:
  // Polls `hostile_url` (as feed "hostile") and the good feed once.
  ProcessResult once(const std::string& hostile_url, const std::string& http_extra = "",
                     bool fetch_articles = false, const std::string& timeout = "4s") {
    const std::string cfg = dir.write(
        "c.yaml",
        "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
            "\"\nlog_level: debug\nhttp:\n  allow_private_networks: true\n  timeout: " + timeout + "\n" +
            http_extra + "feeds:\n  - name: hostile\n    url: \"" + hostile_url + "\"\n    interval: 1h\n" +
            "    fetch_articles: " + (fetch_articles ? "true" : "false") + "\n  - name: good\n    url: \"" +
            good.url("/good") + "\"\n    interval: 1h\n    fetch_articles: false\n");
    ProcessResult r = run_feedwatch({"once", "--config", cfg});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    // The good feed is stored whatever the hostile one did.
    EXPECT_EQ(db.scalar("SELECT count(*) FROM article_feeds af JOIN feeds f ON f.id = af.feed_id "
                        "WHERE f.name = 'good'"),
              "2")
        << r.err;
    return r;
  }

  // The hostile feed's one poll: "outcome|error".
  std::string hostile_poll() const {
    return db.scalar(
        "SELECT string_agg(l.outcome || '|' || coalesce(l.error, ''), ';') FROM fetch_log l "
        "JOIN feeds f ON f.id = l.feed_id WHERE f.name = 'hostile'");
  }
  std::string hostile_articles() const {
    return db.scalar(
        "SELECT count(*) FROM article_feeds af JOIN feeds f ON f.id = af.feed_id "
        "WHERE f.name = 'hostile'");
  }
  // A failure: one poll recorded with this outcome and an error naming `what`,
  // counted on the feed, logged, nothing stored for it.
  void expect_one_failure(const ProcessResult& r, const std::string& outcome, const std::string& what) const {
    const std::string poll = hostile_poll();
    EXPECT_EQ(poll.substr(0, poll.find('|')), outcome) << poll;
    EXPECT_NE(poll.find(what), std::string::npos) << poll;
    EXPECT_EQ(db.scalar("SELECT error_count FROM feeds WHERE name = 'hostile'"), "1");
    EXPECT_NE(r.err.find("poll_failed feed=hostile"), std::string::npos) << r.err;
    EXPECT_EQ(hostile_articles(), "0");
  }

  TempDatabase db;
  TempDir dir;
  HttpServer good{[](const HttpRequest&) {
    return HttpReply{
        200, {{"Content-Type", "application/rss+xml"}}, rss(item("good-1", "One") + item("good-2", "Two"))};
  }};
};

TEST_F(Hostile, EndlessBodyIsCutAtMaxBodyBytes) {
  RawServer server([](RawConnection& c) {
    if (!c.send("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n"
                "<rss version=\"2.0\"><channel><title>endless</title>"))
      return;
    const std::string chunk = [] {
      std::string s;
      for (int i = 0; i < 500; ++i) s += item("e", "again");
      return s;
    }();
    while (c.send(chunk)) {
    }
  });
  ProcessResult r = once(server.url("/endless"), "  max_body_bytes: 2097152\n");
  expect_one_failure(r, "network_error", "max_body_bytes");
}

TEST_F(Hostile, EndlessChunkedBodyIsCutAtMaxBodyBytes) {
  RawServer server([](RawConnection& c) {
    if (!c.send("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nTransfer-Encoding: chunked\r\n\r\n"))
      return;
    const std::string data(16384, 'x');
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    const std::string chunk = size + data + "\r\n";
    while (c.send(chunk)) {
    }
  });
  ProcessResult r = once(server.url("/endless"), "  max_body_bytes: 2097152\n");
  expect_one_failure(r, "network_error", "max_body_bytes");
}

TEST_F(Hostile, TwoGigabyteContentLengthThatNeverComesIsRefusedUpFront) {
  RawServer server([](RawConnection& c) {
    if (!c.send("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 2147483648\r\n\r\n"
                "<rss version=\"2.0\"><channel>"))
      return;
    while (!c.stopping()) std::this_thread::sleep_for(std::chrono::milliseconds(50));  // and nothing more
  });
  ProcessResult r = once(server.url("/huge"));
  expect_one_failure(r, "network_error", "max_body_bytes");
}

TEST_F(Hostile, ContentLengthWithinTheCapThatNeverComesTimesOut) {
  RawServer server([](RawConnection& c) {
    if (!c.send("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 5000\r\n\r\n<rss>"))
      return;
    while (!c.stopping()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  });
  ProcessResult r = once(server.url("/stalled"));
  expect_one_failure(r, "network_error", "timed out");
}

TEST_F(Hostile, SlowDripOfOneByteASecondTimesOut) {
  RawServer server([](RawConnection& c) {
    const std::string answer =
        "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n" +
        rss(item("drip", "Drip"));
    for (char ch : answer) {
      if (!c.send(std::string(1, ch))) return;
      for (int i = 0; i < 20 && !c.stopping(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  ProcessResult r = once(server.url("/drip"));
  expect_one_failure(r, "network_error", "timed out");
}

TEST_F(Hostile, BodyCutShortOfItsContentLengthIsANetworkError) {
  const std::string body = rss(item("cut-1", "Cut one") + item("cut-2", "Cut two"));
  RawServer server([&](RawConnection& c) {
    c.send("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, body.size() / 2));
    // and the connection closes
  });
  ProcessResult r = once(server.url("/cut"));
  expect_one_failure(r, "network_error", "");
  EXPECT_NE(hostile_poll().find("network_error|"), std::string::npos);
  EXPECT_GT(hostile_poll().size(), std::string("network_error|").size()) << "no error text";
}

TEST_F(Hostile, ResponseCutInsideItsHeadersIsANetworkError) {
  // libcurl takes this for a complete, empty 200 response; the fetcher does not.
  RawServer server([](RawConnection& c) { c.send("HTTP/1.1 200 OK\r\nContent-Ty"); });
  ProcessResult r = once(server.url("/cut"));
  expect_one_failure(r, "network_error", "connection closed inside the response headers");
}

TEST_F(Hostile, GarbageInsteadOfHttpIsANetworkError) {
  RawServer server([](RawConnection& c) { c.send(std::string(100000, '\x7f')); });
  ProcessResult r = once(server.url("/garbage"));
  const std::string poll = hostile_poll();
  EXPECT_EQ(hostile_articles(), "0");
  EXPECT_EQ(db.scalar("SELECT error_count FROM feeds WHERE name = 'hostile'"), "1") << poll;
  EXPECT_NE(r.err.find("poll_failed feed=hostile"), std::string::npos) << r.err;
}

TEST_F(Hostile, TenThousandLevelsOfNestedXmlStopTheParserAndKeepTheItemsBefore) {
  std::string body = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>deep</title>" +
                     item("deep-1", "Before the nesting");
  for (int i = 0; i < 10000; ++i) body += "<x>";
  for (int i = 0; i < 10000; ++i) body += "</x>";
  body += item("deep-2", "After the nesting") + "</channel></rss>";
  HttpServer server([&](const HttpRequest&) {
    return HttpReply{200, {{"Content-Type", "application/rss+xml"}}, body};
  });
  ProcessResult r = once(server.url("/deep"));
  // Read up to the depth limit (256), with a warning; what came before is kept, nothing is recursed into.
  EXPECT_EQ(hostile_poll().substr(0, 3), "ok|") << hostile_poll();
  EXPECT_EQ(
      db.scalar("SELECT string_agg(a.guid, ',') FROM articles a JOIN article_feeds af ON af.article_id = "
                "a.id JOIN feeds f ON f.id = af.feed_id WHERE f.name = 'hostile'"),
      "deep-1");
  EXPECT_NE(r.err.find("feed_warning feed=hostile"), std::string::npos) << r.err;
}

TEST_F(Hostile, BillionLaughsIsBoundedAndTheFeedStillRead) {
  std::string doc = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY e0 \"lollollollol\">";
  for (int level = 1; level <= 9; ++level) {
    doc += "<!ENTITY e" + std::to_string(level) + " \"";
    for (int i = 0; i < 10; ++i) doc += "&e" + std::to_string(level - 1) + ";";
    doc += "\">";
  }
  doc += "]><rss version=\"2.0\"><channel><title>&e9;</title>" + item("laughs-1", "Laughs &e9;") +
         item("laughs-2", "Plain") + "</channel></rss>";
  HttpServer server([&](const HttpRequest&) {
    return HttpReply{200, {{"Content-Type", "application/rss+xml"}}, doc};
  });
  ProcessResult r = once(server.url("/laughs"));
  const std::string poll = hostile_poll();
  // Either refused as a parse error or read with the expansion cut: never 10^9 copies.
  if (poll.substr(0, 3) == "ok|") {
    EXPECT_LE(std::stoll(db.scalar("SELECT coalesce(max(length(v.title)), 0) FROM article_versions v JOIN "
                                   "article_feeds af ON af.article_id = v.article_id JOIN feeds f ON f.id = "
                                   "af.feed_id WHERE f.name = 'hostile'")),
              1 << 20);
  } else {
    expect_one_failure(r, "parse_error", "");
  }
  EXPECT_EQ(std::stoll(db.scalar("SELECT coalesce(sum(length(v.title) + length(v.body_text)), 0) FROM "
                                 "article_versions v")) < (4LL << 20),
            true);
}

TEST_F(Hostile, LyingContentTypeAndCharsetDoNotStopAWellFormedFeed) {
  // UTF-8 with its XML declaration, served as a PNG in Shift_JIS.
  const std::string body =
      rss(item("lie-1", "华为 opens a lab in Cambridge") + item("lie-2", "Caf\xc3\xa9 culture"));
  HttpServer server([&](const HttpRequest&) {
    return HttpReply{200, {{"Content-Type", "image/png; charset=shift_jis"}}, body};
  });
  ProcessResult r = once(server.url("/lie"));
  EXPECT_EQ(hostile_poll().substr(0, 3), "ok|") << hostile_poll() << r.err;
  EXPECT_EQ(hostile_articles(), "2");
  // Whatever the header said, what is stored is valid text (PostgreSQL rejects invalid UTF-8).
  EXPECT_EQ(db.scalar("SELECT count(*) FROM articles WHERE guid LIKE 'lie-%' AND title IS NOT NULL"), "2");
}

TEST_F(Hostile, CharsetHeaderNamingUtf16ForAUtf8BodyIsOneBoundedOutcome) {
  const std::string body = rss(item("u16-1", "Huawei") + item("u16-2", "Tencent"));
  HttpServer server([&](const HttpRequest&) {
    return HttpReply{200, {{"Content-Type", "application/rss+xml; charset=utf-16"}}, body};
  });
  ProcessResult r = once(server.url("/u16"));
  const std::string poll = hostile_poll();
  if (poll.substr(0, 3) == "ok|") {
    EXPECT_EQ(db.scalar("SELECT string_agg(title, ',' ORDER BY guid) FROM articles WHERE guid LIKE 'u16-%'"),
              "Huawei,Tencent");
  } else {
    expect_one_failure(r, "parse_error", "");
  }
}

TEST_F(Hostile, TenThousandItemFeedIsStoredWhole) {
  std::string items;
  for (int i = 0; i < 10000; ++i) items += item("big-" + std::to_string(i), "Story " + std::to_string(i));
  const std::string body = rss(items);
  HttpServer server([&](const HttpRequest&) {
    return HttpReply{200, {{"Content-Type", "application/rss+xml"}}, body};
  });
  // Storing 10,000 new articles is set-based (daemon/store/ingest.cpp): 10-20 s
  // on the busy 2-core development machine (bench/README.md); the long timeout
  // keeps the good feed waiting behind it within its lease (http.timeout +
  // 2 min) on a slower machine too.
  ProcessResult r = once(server.url("/big"), "", false, "10m");
  EXPECT_EQ(hostile_poll().substr(0, 3), "ok|") << hostile_poll();
  EXPECT_EQ(hostile_articles(), "10000") << r.err;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM article_versions v JOIN articles a ON a.id = v.article_id "
                      "WHERE a.guid LIKE 'big-%'"),
            "10000");
}

TEST_F(Hostile, TenMegabyteArticlePageIsExtractedWithinTheLimits) {
  std::string page =
      "<!DOCTYPE html><html><head><title>Huge page</title></head><body><article><h1>Huge "
      "page</h1>";
  std::string paragraph = "<p>";
  for (int i = 0; i < 20; ++i) paragraph += "Huawei and Tencent expand their research work in Europe. ";
  paragraph += "</p>\n";
  while (page.size() < 10'000'000) page += paragraph;
  page += "</article></body></html>";
  std::string page_url;  // set before the first request
  HttpServer server([&](const HttpRequest& req) {
    if (req.target == "/page") return HttpReply{200, {{"Content-Type", "text/html; charset=utf-8"}}, page};
    return HttpReply{
        200, {{"Content-Type", "application/rss+xml"}}, rss(item("huge-1", "Huge page", page_url))};
  });
  page_url = server.url("/page");
  ProcessResult r = once(server.url("/feed"), "", /*fetch_articles=*/true);
  EXPECT_EQ(hostile_poll().substr(0, 3), "ok|") << hostile_poll();
  EXPECT_EQ(server.hits("/page"), 1);
  // The page is read (under max_body_bytes, 10 MiB) and its text extracted up to
  // the extractor's input limit (8 MiB), with a warning: one page version.
  const std::string page_version_size =
      db.scalar("SELECT coalesce(max(length(body_text)), 0) FROM article_versions WHERE source = 'page'");
  EXPECT_GT(std::stoll(page_version_size), 1'000'000) << r.err;
  EXPECT_LE(std::stoll(page_version_size), 8 * 1024 * 1024);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM article_versions WHERE source = 'page'"), "1");
}

}  // namespace
}  // namespace fw::test
