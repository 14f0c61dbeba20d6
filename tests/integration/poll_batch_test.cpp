// Many feeds in one `feedwatch once`: more feeds than parallel poll slots are
// all polled exactly once, and unchanged (304) polls, recorded in batches, leave
// the same state as one transaction per poll would.
#include <gtest/gtest.h>

#include <map>

#include "daemon/db/migrate.hpp"
#include "tests/support/http_server.hpp"
#include "tests/support/support.hpp"

namespace fw::test {
namespace {

constexpr int k_feeds = 300;  // more than the 256 feeds the daemon claims at most, and its 64 parallel polls
const char* k_last_modified = "Wed, 23 Apr 2025 09:35:23 GMT";

// Feed N has ETag "eN"; a matching If-None-Match gets a 304 that repeats the
// ETag but not Last-Modified (the stored Last-Modified must survive it).
HttpReply serve(const HttpRequest& r) {
  std::string n = r.target.substr(r.target.rfind('/') + 1);
  std::string etag = "\"e" + n + "\"";
  if (r.header("if-none-match") == etag) return HttpReply{304, {{"ETag", etag}}, ""};
  std::string body = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed " + n +
                     "</title><link>http://x/</link><item><title>a</title><guid>http://x/" + n +
                     "/a</guid></item></channel></rss>";
  return HttpReply{200, {{"ETag", etag}, {"Last-Modified", k_last_modified}}, body};
}

TEST(PollBatch, OncePollsEveryFeedOnceAndRecordsUnchangedPollsLikeSinglePolls) {
  TempDatabase db;
  TempDir dir;
  HttpServer server(serve, /*threads=*/4);
  std::string yaml =
      "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
      "\"\nhttp:\n  allow_private_networks: true\n  per_host: { max_concurrent: 8, min_delay: 0s }\n"
      "feeds:\n";
  for (int i = 0; i < k_feeds; ++i) {
    yaml += "  - name: f" + std::to_string(i) + "\n    url: \"" + server.url("/feed/" + std::to_string(i)) +
            "\"\n    interval: 1h\n";
  }
  std::string cfg = dir.write("c.yaml", yaml);

  ProcessResult first = run_feedwatch({"once", "--config", cfg});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM fetch_log WHERE outcome = 'ok'"), std::to_string(k_feeds));

  ProcessResult second = run_feedwatch({"once", "--config", cfg});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("polls_unchanged count="), std::string::npos) << second.err;

  // Every feed fetched exactly twice: once per run.
  std::map<std::string, int> hits;
  for (const auto& r : server.requests()) ++hits[r.target];
  EXPECT_EQ(hits.size(), static_cast<std::size_t>(k_feeds));
  for (const auto& [target, n] : hits) EXPECT_EQ(n, 2) << target;

  EXPECT_EQ(db.scalar("SELECT count(*) FROM fetch_log WHERE outcome = 'not_modified' AND status = 304 "
                      "AND new_entries IS NULL AND error IS NULL AND url LIKE 'http://127.0.0.1:%'"),
            std::to_string(k_feeds));
  // The state each 304 leaves: validators verbatim (Last-Modified kept though the
  // 304 omitted it), lease released, healthy, scheduled an interval ahead.
  EXPECT_EQ(
      db.scalar("SELECT count(*) FROM feeds WHERE etag = '\"e' || substr(name, 2) || '\"' "
                "AND last_modified = $1 AND last_status = 304 AND error_count = 0 AND last_error IS NULL "
                "AND lease_owner IS NULL AND lease_until IS NULL AND moved_count = 0 "
                "AND last_success_at >= last_polled_at - interval '1 second' "
                "AND next_poll_at > now() + interval '50 minutes'",
                {std::string(k_last_modified)}),
      std::to_string(k_feeds));
  // One article per feed, stored by the first run only.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM article_versions"), std::to_string(k_feeds));
}

// The batch statement is prepared once per session (Connection::exec_prepared):
// each run takes its own parameters, and a session that lost the statement
// (DEALLOCATE, or a reset to a new session) prepares it again.
TEST(PreparedStatements, PreparedOnceAndAgainWhenTheSessionLostThem) {
  TempDatabase db;
  db::Connection conn = db.connect();
  const auto twice = [&](const std::string& n) {
    auto r = conn.exec_prepared("fw_test_twice", "SELECT $1::int * 2", {n});
    EXPECT_TRUE(r) << conn.last_error().message;
    return r ? std::string(r->get(0, 0)) : std::string();
  };
  const auto prepared = [&] {
    auto r = conn.exec("SELECT count(*) FROM pg_prepared_statements WHERE name = 'fw_test_twice'");
    return r ? std::string(r->get(0, 0)) : std::string("?");
  };
  EXPECT_EQ(prepared(), "0");
  EXPECT_EQ(twice("2"), "4");
  EXPECT_EQ(twice("21"), "42");
  EXPECT_EQ(prepared(), "1");
  ASSERT_TRUE(conn.exec("DEALLOCATE ALL"));
  EXPECT_EQ(prepared(), "0");
  EXPECT_EQ(twice("5"), "10");
  EXPECT_EQ(prepared(), "1");
  ASSERT_TRUE(conn.reset());
  EXPECT_EQ(prepared(), "0");
  EXPECT_EQ(twice("7"), "14");
  EXPECT_EQ(prepared(), "1");
  auto bad = conn.exec_prepared("fw_test_bad", "SELECT FROM nowhere_at_all", {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(conn.last_error().sqlstate, "42P01");
}

// A logged poll checks no foreign key (sql/009, sql/016): each one cost every
// row, a feed's 304 included. What their ON DELETE SET NULL did, the triggers
// do when feeds or articles are deleted by hand.
TEST(FetchLogKeys, NoneIsCheckedAndDeletedFeedsAndArticlesAreForgotten) {
  TempDatabase db;
  db::Connection conn = db.connect();
  ASSERT_TRUE(db::migrate(conn)) << conn.last_error().message;
  EXPECT_EQ(
      db.scalar(
          "SELECT count(*) FROM pg_constraint WHERE conrelid = 'fetch_log'::regclass AND contype = 'f'"),
      "0");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'fetch_log'::regclass"), "0");
  ASSERT_TRUE(conn.exec_script(
      "INSERT INTO feeds (id, name, url, config_url) VALUES (1, 'a', 'http://x/a', 'http://x/a'), "
      "  (2, 'b', 'http://x/b', 'http://x/b');"
      "INSERT INTO articles (id, article_key, url) SELECT i, 'k' || i, 'http://x/p' || i FROM "
      "generate_series(1, 4) i;"
      "INSERT INTO fetch_log (feed_id, article_id, url, outcome) VALUES "
      "  (1, NULL, 'http://x/a', 'not_modified'), (2, NULL, 'http://x/b', 'ok'), "
      "  (NULL, 1, 'http://x/p1', 'ok'), (NULL, 2, 'http://x/p2', 'ok'), (NULL, 3, 'http://x/p3', 'ok'),"
      "  (NULL, 3, 'http://x/p3', 'not_modified');"))
      << conn.last_error().message;
  // A row may name an article or feed that is not there: nothing checks it.
  ASSERT_TRUE(
      conn.exec_script("INSERT INTO fetch_log (feed_id, article_id, url, outcome) "
                       "VALUES (99, 99, 'http://x/gone', 'ok')"))
      << conn.last_error().message;
  ASSERT_TRUE(conn.exec_script("DELETE FROM articles WHERE id IN (1, 3)")) << conn.last_error().message;
  EXPECT_EQ(db.scalar("SELECT string_agg(coalesce(article_id::text, '-'), ',' ORDER BY id) FROM fetch_log "
                      "WHERE feed_id IS NULL"),
            "-,2,-,-");
  ASSERT_TRUE(conn.exec_script("DELETE FROM feeds WHERE id = 2")) << conn.last_error().message;
  EXPECT_EQ(db.scalar("SELECT string_agg(coalesce(feed_id::text, '-'), ',' ORDER BY id) FROM fetch_log "
                      "WHERE article_id IS NULL AND url LIKE 'http://x/_'"),
            "1,-");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM fetch_log"), "7");  // nothing deleted with them
}

}  // namespace
}  // namespace fw::test
