// fetch_log retention: rows older than database.fetch_log_keep are deleted by
// the daemon (`once` deletes all of them; `run` a bounded batch a minute),
// younger rows stay, and a keep of 0s keeps everything.
#include <gtest/gtest.h>

#include "tests/support/http_server.hpp"
#include "tests/support/support.hpp"

namespace fw::test {
namespace {

const char* k_feed =
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>F</title><link>http://x/</link>"
    "<item><title>a</title><guid>http://x/a</guid></item></channel></rss>";

std::string config(const TempDatabase& db, const TempDir& dir, const HttpServer& server,
                   const std::string& keep) {
  return "database:\n  url: \"" + db.conninfo() + "\"\n" +
         (keep.empty() ? "" : "  fetch_log_keep: " + keep + "\n") + "state_dir: \"" + dir.path() +
         "\"\nhttp:\n  allow_private_networks: true\nfeeds:\n  - name: f\n    url: \"" + server.url("/feed") +
         "\"\n";
}

// Logged fetches of another feed, `count` of them `days` ago.
void add_old_fetches(const TempDatabase& db, int count, int days) {
  db.scalar(
      "WITH i AS (INSERT INTO fetch_log (feed_id, url, started_at, status, outcome) "
      "  SELECT NULL, 'http://127.0.0.1/old', now() - make_interval(days => $2::int), 304, 'not_modified' "
      "  FROM generate_series(1, $1::int) RETURNING 1) SELECT count(*) FROM i",
      {std::to_string(count), std::to_string(days)});
}

TEST(Retention, OnceDeletesFetchLogRowsOlderThanTheKeepAndNothingYounger) {
  TempDatabase db;
  TempDir dir;
  HttpServer server([](const HttpRequest&) { return HttpReply{200, {}, k_feed}; });
  const std::string cfg = dir.write("c.yaml", config(db, dir, server, ""));  // default: 30 days
  ASSERT_EQ(run_feedwatch({"migrate", "--config", cfg}).exit_code, 0);
  add_old_fetches(db, 12000, 40);  // more than one delete batch
  add_old_fetches(db, 3, 31);
  add_old_fetches(db, 2, 29);
  add_old_fetches(db, 1, 1);

  ProcessResult r = run_feedwatch({"once", "--config", cfg});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("fetch_log_pruned rows=12003 keep=2592000s"), std::string::npos) << r.err;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM fetch_log WHERE started_at < now() - interval '30 days'"), "0");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM fetch_log WHERE url = 'http://127.0.0.1/old'"), "3");
  // This run's own poll is logged.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM fetch_log WHERE feed_id IS NOT NULL AND outcome = 'ok'"), "1");

  // A shorter keep deletes the rest of the old rows at the next run.
  const std::string cfg7 = dir.write("c7.yaml", config(db, dir, server, "7d"));
  ASSERT_EQ(run_feedwatch({"once", "--config", cfg7}).exit_code, 0);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM fetch_log WHERE url = 'http://127.0.0.1/old'"), "1");
}

TEST(Retention, KeepOfZeroKeepsEveryRow) {
  TempDatabase db;
  TempDir dir;
  HttpServer server([](const HttpRequest&) { return HttpReply{200, {}, k_feed}; });
  const std::string cfg = dir.write("c.yaml", config(db, dir, server, "0s"));
  ASSERT_EQ(run_feedwatch({"migrate", "--config", cfg}).exit_code, 0);
  add_old_fetches(db, 5, 400);
  ProcessResult r = run_feedwatch({"once", "--config", cfg});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("fetch_log_pruned"), std::string::npos) << r.err;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM fetch_log WHERE url = 'http://127.0.0.1/old'"), "5");
}

}  // namespace
}  // namespace fw::test
