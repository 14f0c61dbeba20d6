// The feedwatch_analyst role (sql/004_search.sql) on a real PostgreSQL: it reads
// the analyst views and search_articles(), and nothing else. The session takes
// the role with SET ROLE, so PostgreSQL's own privilege checks are exercised.
// Also: full-text search finds text that a later version removed, and the
// migration succeeds without CREATEROLE (it skips the role with a notice).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/db/migrate.hpp"
#include "tests/support/support.hpp"

namespace fw::test {
namespace {

constexpr const char* k_insufficient_privilege = "42501";

// One article in two versions: "Huawei cut its 5G forecast" was edited out of the second.
void seed(db::Connection& conn) {
  const char* sql = R"sql(
    INSERT INTO articles (id, article_key, url, title, version_count) VALUES
      (1, 'k1', 'https://news.example/huawei-forecast', 'Huawei forecast', 2);
    INSERT INTO article_versions (id, article_id, version, source, title, body_text, text_sha256) VALUES
      (10, 1, 1, 'page', 'Huawei forecast', E'Huawei cut its 5G forecast.\n\nShares fell sharply.', 'a'),
      (11, 1, 2, 'page', 'Huawei forecast', 'Shares fell sharply.', 'b');
    UPDATE articles SET current_version_id = 11 WHERE id = 1;
    INSERT INTO article_changes (article_id, old_version_id, new_version_id, source, kinds, words_removed,
                                 paragraphs_removed, diff_text)
      VALUES (1, 10, 11, 'page', ARRAY['substantive', 'paragraphs_removed'], 5, 1,
              '[-Huawei cut its 5G forecast.-]');
  )sql";
  ASSERT_TRUE(conn.exec_script(sql)) << conn.last_error().message;
}

class AnalystRole : public ::testing::Test {
 protected:
  void SetUp() override {
    auto report = db::migrate(m_conn);
    ASSERT_TRUE(report) << report.error().message;
    seed(m_conn);
    auto indexed = m_conn.exec("SELECT feedwatch_index_search(100)");
    ASSERT_TRUE(indexed) << indexed.error().message;
    ASSERT_EQ(indexed->get_int(0, 0), 2);  // both versions, once the daemon's indexer ran
    ASSERT_TRUE(m_conn.exec("SET ROLE feedwatch_analyst"));
  }

  // The number of rows `sql` returns as the analyst; -1 and the SQLSTATE on failure.
  int rows(const std::string& sql) {
    auto r = m_conn.exec(sql);
    if (!r) {
      m_sqlstate = m_conn.last_error().sqlstate;
      return -1;
    }
    return r->size();
  }

  TempDatabase m_db;
  db::Connection m_conn = m_db.connect();
  std::string m_sqlstate;
};

TEST_F(AnalystRole, ReadsTheViewsAndSearch) {
  EXPECT_EQ(rows("SELECT * FROM latest_articles"), 1);
  EXPECT_EQ(rows("SELECT * FROM article_edits WHERE 'paragraphs_removed' = ANY (kinds)"), 1);
  // Text removed by the edit is still found, in the version that had it.
  EXPECT_EQ(rows("SELECT * FROM article_search WHERE search @@ websearch_to_tsquery('english', '5G')"), 1);
  auto found = m_conn.exec("SELECT article_id, version_id, is_current FROM search_articles('5G forecast')");
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_EQ(found->size(), 1);
  EXPECT_EQ(found->get(0, 1), "10");
  EXPECT_EQ(found->get(0, 2), "f");
  // English stemming: "share" finds "Shares".
  EXPECT_EQ(rows("SELECT * FROM search_articles('share')"), 1);
  EXPECT_EQ(rows("SELECT * FROM search_articles('tencent')"), 0);
  // Polling state (no feed in this database: readable, and empty).
  EXPECT_EQ(rows("SELECT * FROM feed_poll_state"), 0) << m_sqlstate;
  EXPECT_EQ(rows("SELECT * FROM feed_health"), 0) << m_sqlstate;
}

TEST_F(AnalystRole, CannotReadBaseTables) {
  for (const char* table : {"articles", "article_versions", "article_changes", "feeds", "fetch_log",
                            "article_feeds", "raw_pages", "schema_migrations"}) {
    EXPECT_EQ(rows(std::string("SELECT 1 FROM ") + table + " LIMIT 1"), -1) << table;
    EXPECT_EQ(m_sqlstate, k_insufficient_privilege) << table;
  }
}

TEST_F(AnalystRole, CannotWrite) {
  // Base tables, a function that writes, and DDL: permission denied.
  for (const char* sql : {
           "INSERT INTO articles (article_key, url) VALUES ('x', 'https://x.example/')",
           "UPDATE article_versions SET title = 'x'",
           "DELETE FROM article_changes",
           "SELECT feedwatch_index_search(10)",
           "CREATE TABLE notes (x int)",
       }) {
    EXPECT_EQ(rows(sql), -1) << sql;
    EXPECT_EQ(m_sqlstate, k_insufficient_privilege) << sql;
  }
  // The views: refused too (as not permitted, or as views that cannot be written).
  for (const char* sql : {
           "UPDATE latest_articles SET title = 'x'",
           "DELETE FROM article_edits",
           "UPDATE article_search SET title = 'x'",
           "INSERT INTO latest_articles (url) VALUES ('https://x.example/')",
       }) {
    EXPECT_EQ(rows(sql), -1) << sql;
    EXPECT_TRUE(m_sqlstate == k_insufficient_privilege || m_sqlstate == "55000") << sql << ": " << m_sqlstate;
  }
  ASSERT_TRUE(m_conn.exec("RESET ROLE"));
  EXPECT_EQ(m_db.scalar("SELECT count(*) FROM articles"), "1");
  EXPECT_EQ(m_db.scalar("SELECT count(*) FROM article_changes"), "1");
  EXPECT_EQ(m_db.scalar("SELECT title FROM article_versions WHERE id = 11"), "Huawei forecast");
}

// A daemon user without CREATEROLE (production on a shared server): the
// migration still applies, with a notice, and creates no role. The role
// already exists cluster-wide once any test ran, so this applies the 004
// script with its role renamed to one that does not.
TEST(AnalystRoleMigration, WithoutCreateroleTheMigrationSucceedsAndCreatesNoRole) {
  TempDatabase db;
  const std::string owner = db.name() + "_owner";
  const std::string analyst = db.name() + "_analyst";
  db::Connection conn = db.connect();
  ASSERT_TRUE(conn.exec_script("CREATE ROLE " + owner +
                               " NOLOGIN NOCREATEROLE NOSUPERUSER; GRANT CREATE ON "
                               "SCHEMA public TO " +
                               owner + ";"));
  std::vector<db::Migration> ms = db::builtin_migrations();
  for (db::Migration& m : ms) {
    for (std::size_t at = 0; (at = m.sql.find("feedwatch_analyst", at)) != std::string::npos;
         at += analyst.size()) {
      m.sql.replace(at, std::string("feedwatch_analyst").size(), analyst);
    }
  }
  ASSERT_TRUE(conn.exec("SET ROLE " + owner));
  auto report = db::migrate(conn, ms);
  EXPECT_TRUE(report) << (report ? "" : report.error().message);
  ASSERT_TRUE(conn.exec("RESET ROLE"));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pg_roles WHERE rolname = $1", {analyst}), "0");
  EXPECT_EQ(db.scalar("SELECT max(version) FROM schema_migrations"), std::to_string(ms.back().version));
  EXPECT_EQ(db.scalar("SELECT to_regprocedure('search_articles(text, integer, integer)') IS NOT NULL"), "t");
  // Cleanup: the objects belong to the temporary role, which is cluster-wide.
  ASSERT_TRUE(conn.exec_script("DROP OWNED BY " + owner + "; DROP ROLE " + owner + ";"));
}

}  // namespace
}  // namespace fw::test
