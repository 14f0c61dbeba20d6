// Set-based storage of a feed's entries (daemon/store/ingest.cpp) through the
// real daemon: a feed longer than one chunk (500 entries), with a repeated
// guid, new entries and edits on both sides of a chunk boundary. What is
// stored, the counts logged and the alerts queued (in the feed's order) must
// be what storing the entries one at a time gives.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/http_server.hpp"
#include "tests/support/support.hpp"

namespace fw::test {
namespace {

std::string item(const std::string& guid, const std::string& title, const std::string& text) {
  return "<item><title>" + title + "</title><guid isPermaLink=\"false\">" + guid +
         "</guid><link>http://127.0.0.1/" + guid + "</link><description>" + text + "</description></item>";
}

// 1,200 stories (a few of them flagged for the alert rule) and, at 600, a
// repeat of story 5's guid; `fresh` adds a new story on top, `edited` changes
// story 3's text and story 700's headline.
std::string feed(bool fresh, bool edited) {
  auto flagged = [](int i) { return i == 2 || i == 499 || i == 500 || i == 501 || i == 1100; };
  std::string items;
  if (fresh) items += item("i-new", "Fresh Flagged story", "Text of the fresh story.");
  for (int i = 0; i < 1200; ++i) {
    const std::string n = std::to_string(i);
    std::string title = "Story " + n + (flagged(i) ? " Flagged" : "");
    std::string text = "Text of story " + n + ".";
    if (edited && i == 3) text += " Flagged: a new paragraph with many more words about what happened next.";
    if (edited && i == 700) title = "Story 700 Flagged after all";
    items += item("i-" + n, title, text);
    if (i == 600) items += item("i-5", "Story 5 repeated", "Another text under story 5's guid.");
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>big</title>"
         "<link>http://127.0.0.1/</link>" +
         items + "</channel></rss>";
}

TEST(Ingest, ChunkedStorageKeepsCountsVersionsChangesAndAlertOrder) {
  TempDatabase db;
  TempDir dir;
  std::string body = feed(false, false);
  HttpServer server([&](const HttpRequest& req) {
    if (req.method == "POST") return HttpReply{200, {}, "ok"};  // the webhook receiver
    return HttpReply{200, {{"Content-Type", "application/rss+xml"}}, body};
  });
  const std::string cfg = dir.write(
      "c.yaml",
      "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
          "\"\nlog_level: debug\nhttp:\n  allow_private_networks: true\n"
          "feeds:\n  - name: big\n    url: \"" +
          server.url("/feed") +
          "\"\n    interval: 1h\n    fetch_articles: false\n"
          "hooks:\n  - name: desk\n    url: \"" +
          server.url("/hook") +
          "\"\n"
          "rules:\n  - name: flagged\n    events: [new, edited]\n    any: [Flagged]\n    hooks: [desk]\n");
  const std::string deliveries =
      "SELECT string_agg(d.event || ':' || a.guid, ',' ORDER BY d.id) FROM alert_deliveries d "
      "JOIN articles a ON a.id = d.article_id";

  ProcessResult first = run_feedwatch({"once", "--config", cfg});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("entries=1201 new=1200 changed=0 unchanged=0 duplicates=1"), std::string::npos)
      << first.err.substr(0, 4000);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM articles"), "1200");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM article_versions"), "1200");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM article_feeds"), "1200");
  // The first occurrence of a repeated guid is the one kept.
  EXPECT_EQ(db.scalar("SELECT title FROM articles WHERE guid = 'i-5'"), "Story 5");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM articles WHERE current_version_id IS NULL OR version_count <> 1"),
            "0");
  EXPECT_EQ(db.scalar(deliveries), "new:i-2,new:i-499,new:i-500,new:i-501,new:i-1100");
  EXPECT_EQ(db.scalar("SELECT new_entries FROM fetch_log"), "1200");

  body = feed(true, true);
  ProcessResult second = run_feedwatch({"once", "--config", cfg});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("entries=1202 new=1 changed=2 unchanged=1198 duplicates=1"), std::string::npos)
      << second.err.substr(0, 4000);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM articles"), "1201");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM article_versions"), "1203");
  EXPECT_EQ(
      db.scalar("SELECT string_agg(a.guid || ' v' || a.version_count || ' ' || a.title, ',' ORDER BY a.guid) "
                "FROM articles a WHERE a.guid IN ('i-3', 'i-700', 'i-new')"),
      "i-3 v2 Story 3,i-700 v2 Story 700 Flagged after all,i-new v1 Fresh Flagged story");
  EXPECT_EQ(db.scalar("SELECT string_agg(a.guid, ',' ORDER BY a.guid) FROM article_changes c "
                      "JOIN articles a ON a.id = c.article_id"),
            "i-3,i-700");
  // Each article's current version is its newest.
  EXPECT_EQ(
      db.scalar("SELECT count(*) FROM articles a JOIN article_versions v ON v.id = a.current_version_id "
                "WHERE v.version <> a.version_count"),
      "0");
  EXPECT_EQ(db.scalar(deliveries),
            "new:i-2,new:i-499,new:i-500,new:i-501,new:i-1100,new:i-new,edited:i-3,edited:i-700");
  EXPECT_EQ(db.scalar("SELECT string_agg(new_entries::text, ',' ORDER BY id) FROM fetch_log"), "1200,1");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM article_feeds"), "1201");
}

}  // namespace
}  // namespace fw::test
