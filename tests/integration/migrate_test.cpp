#include "daemon/db/migrate.hpp"

#include <gtest/gtest.h>

#include "tests/support/support.hpp"

namespace fw::test {
namespace {

TEST(Migrate, FreshDatabaseReachesTheLatestVersion) {
  TempDatabase db;
  db::Connection conn = db.connect();
  auto report = db::migrate(conn);
  ASSERT_TRUE(report) << report.error().message;
  const auto& all = db::builtin_migrations();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(report->applied.size(), all.size());
  EXPECT_EQ(report->latest_version, all.back().version);
  EXPECT_EQ(db.scalar("SELECT max(version) FROM schema_migrations"), std::to_string(all.back().version));
  for (const char* table : {"feeds", "articles", "article_versions", "article_feeds", "fetch_log"}) {
    EXPECT_EQ(db.scalar("SELECT to_regclass($1) IS NOT NULL", {std::string(table)}), "t") << table;
  }
  EXPECT_EQ(db.scalar("SELECT to_regclass('latest_articles') IS NOT NULL"), "t");
}

TEST(Migrate, ApplyingTwiceIsANoOp) {
  TempDatabase db;
  db::Connection conn = db.connect();
  ASSERT_TRUE(db::migrate(conn));
  std::string tables = db.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");
  auto again = db::migrate(conn);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(db.scalar("SELECT count(*) FROM schema_migrations"),
            std::to_string(db::builtin_migrations().size()));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), tables);
}

// Each migration commits on its own: a daemon killed between two leaves the ones before
// applied, and the next start applies the rest, each once.
TEST(Migrate, APartlyMigratedDatabaseIsCarriedOnFromWhereItStopped) {
  TempDatabase db;
  db::Connection conn = db.connect();
  const std::vector<db::Migration>& all = db::builtin_migrations();
  ASSERT_GE(all.size(), 6u);
  const std::vector<db::Migration> first(all.begin(), all.begin() + 4);
  ASSERT_TRUE(db::migrate(conn, first));
  EXPECT_EQ(db.scalar("SELECT to_regclass('alert_deliveries') IS NULL"), "t");  // 005's table
  auto rest = db::migrate(conn);
  ASSERT_TRUE(rest) << rest.error().message;
  ASSERT_EQ(rest->applied.size(), all.size() - first.size());
  EXPECT_EQ(rest->applied.front(), all[first.size()].name);
  EXPECT_EQ(rest->latest_version, all.back().version);
  EXPECT_EQ(db.scalar("SELECT to_regclass('alert_deliveries') IS NOT NULL"), "t");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM schema_migrations"), std::to_string(all.size()));
}

TEST(Migrate, LargeTextColumnsUseLz4) {
  TempDatabase db;
  db::Connection conn = db.connect();
  ASSERT_TRUE(db::migrate(conn));
  EXPECT_EQ(db.scalar("SELECT attcompression FROM pg_attribute WHERE attrelid = 'article_versions'::regclass "
                      "AND attname = 'body_text'"),
            "l");
}

TEST(Migrate, AFailingMigrationRollsBackAndIsNotRecorded) {
  TempDatabase db;
  db::Connection conn = db.connect();
  std::vector<db::Migration> ms = db::builtin_migrations();
  ms.push_back(
      {ms.back().version + 1, "999_broken.sql", "CREATE TABLE half_done (x int); SELECT * FROM nowhere;"});
  auto r = db::migrate(conn, ms);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("999_broken.sql"), std::string::npos);
  EXPECT_EQ(db.scalar("SELECT to_regclass('half_done') IS NULL"), "t");
  EXPECT_EQ(db.scalar("SELECT max(version) FROM schema_migrations"),
            std::to_string(ms[ms.size() - 2].version));
}

TEST(Migrate, CommandLineMigrateIsIdempotent) {
  TempDatabase db;
  TempDir dir;
  std::string cfg = dir.write("c.yaml", "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" +
                                            dir.path() + "\"\nfeeds: []\n");
  ProcessResult first = run_feedwatch({"migrate", "--config", cfg});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("migration_applied name=001_initial.sql"), std::string::npos) << first.err;
  ProcessResult second = run_feedwatch({"migrate", "--config", cfg});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.err.find("migration_applied"), std::string::npos) << second.err;
}

}  // namespace
}  // namespace fw::test
