// Ranked search and the edit log on a real PostgreSQL (sql/004, sql/007,
// sql/011, sql/015). search_articles() is checked after both ways through the
// migrations: as a superuser with the rum extension installed (007 builds a
// RUM index, 015 replaces it) and as a role that cannot create extensions, as
// on a shared server (004's GIN index until 015). Both must end with the same
// indexes and give the same answers: title matches rank first, one row per
// article (its best version), text a later version removed still found,
// max_results honoured, a common term ranked over its newest matches, and the
// windows of 015 finding exactly the newest matches.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "daemon/db/migrate.hpp"
#include "daemon/store/search_index.hpp"
#include "tests/support/support.hpp"

namespace fw::test {
namespace {

// Four articles. 1: Huawei in the title and the body. 2: Huawei once in a long
// body. 3: Huawei in version 1 only (edited out of version 2). 4: no Huawei.
void seed(db::Connection& conn) {
  const char* sql = R"sql(
    INSERT INTO articles (id, article_key, url, title, version_count) VALUES
      (1, 'k1', 'https://news.example/1', 'Huawei unveils a new chip', 1),
      (2, 'k2', 'https://news.example/2', 'Smartphone market review', 1),
      (3, 'k3', 'https://news.example/3', 'Export rules', 2),
      (4, 'k4', 'https://news.example/4', 'Tencent results', 1);
    INSERT INTO article_versions (id, article_id, version, source, title, body_text, text_sha256) VALUES
      (10, 1, 1, 'page', 'Huawei unveils a new chip', 'Huawei said the chip ships next year.', 'a'),
      (20, 2, 1, 'page', 'Smartphone market review',
       'Sales rose in every region. Apple and Samsung gained share. Xiaomi held steady. '
       'Analysts expect growth. Among smaller makers Huawei recovered. Prices fell again.', 'b'),
      (30, 3, 1, 'page', 'Export rules', 'The rules name Huawei and four other firms.', 'c'),
      (31, 3, 2, 'page', 'Export rules', 'The rules name five firms.', 'd'),
      (40, 4, 1, 'page', 'Tencent results', 'Tencent reported higher profit.', 'e');
    UPDATE articles SET current_version_id = CASE id WHEN 3 THEN 31 ELSE id * 10 END;
  )sql";
  ASSERT_TRUE(conn.exec_script(sql)) << conn.last_error().message;
  auto indexed = conn.exec("SELECT feedwatch_index_search(100)");
  ASSERT_TRUE(indexed) << conn.last_error().message;
  ASSERT_EQ(indexed->get_int(0, 0), 5);
}

enum class Path { rum, gin };

class RankedSearch : public ::testing::TestWithParam<Path> {
 protected:
  void SetUp() override {
    if (GetParam() == Path::gin) {
      // The migrations as a role that cannot create extensions: the rum
      // extension is refused and the GIN index of 004 stays.
      ASSERT_TRUE(m_conn.exec_script("CREATE ROLE " + m_owner +
                                     " NOLOGIN NOSUPERUSER; GRANT CREATE ON SCHEMA public TO " + m_owner +
                                     ";"));
      ASSERT_TRUE(m_conn.exec("SET ROLE " + m_owner));
    }
    auto report = db::migrate(m_conn);
    ASSERT_TRUE(report) << report.error().message;
    seed(m_conn);
  }

  void TearDown() override {
    if (GetParam() == Path::gin) {
      (void)m_conn.exec("RESET ROLE");
      (void)m_conn.exec_script("DROP OWNED BY " + m_owner + "; DROP ROLE " + m_owner + ";");
    }
  }

  // "article_id:version_id:is_current" of each result, in order.
  std::vector<std::string> search(const std::string& query, int max_results = 20) {
    auto r = m_conn.exec(
        "SELECT article_id || ':' || version_id || ':' || is_current, rank FROM search_articles($1, $2::int)",
        {query, std::to_string(max_results)});
    EXPECT_TRUE(r) << m_conn.last_error().message;
    std::vector<std::string> out;
    if (!r) return out;
    for (int i = 0; i < r->size(); ++i) {
      out.emplace_back(r->get(i, 0));
      EXPECT_GT(std::stod(std::string(r->get(i, 1))), 0.0) << "rank of " << r->get(i, 0);
    }
    return out;
  }

  TempDatabase m_db;
  db::Connection m_conn = m_db.connect();
  std::string m_owner = m_db.name() + "_owner";
};

TEST_P(RankedSearch, UsesTheExpectedIndexes) {
  // Both ways through the migrations end with the same index (sql/015): a
  // partial GIN index on the vectors and their word pairs; 007's RUM index
  // and the extension are gone where they were made.
  EXPECT_EQ(m_db.scalar("SELECT am.amname || ' ' || pg_get_indexdef(c.oid) FROM pg_class c "
                        "JOIN pg_am am ON am.oid = c.relam WHERE c.relname = 'article_versions_search'"),
            "gin CREATE INDEX article_versions_search ON public.article_versions USING gin (search, "
            "feedwatch_search_pairs(search)) WITH (fastupdate='on', gin_pending_list_limit='1024') "
            "WHERE (search IS NOT NULL)");
  EXPECT_EQ(m_db.scalar("SELECT count(*) FROM pg_extension WHERE extname = 'rum'"), "0");
}

TEST_P(RankedSearch, TitleMatchFirstOneRowPerArticleRemovedTextFound) {
  std::vector<std::string> found = search("huawei");
  ASSERT_EQ(found.size(), 3U);
  EXPECT_EQ(found[0], "1:10:true");  // in the title (weight A) and the body
  // Articles 2 and 3 each mention it once in the body; 3 only in its old version.
  EXPECT_NE(std::find(found.begin(), found.end(), "2:20:true"), found.end());
  EXPECT_NE(std::find(found.begin(), found.end(), "3:30:false"), found.end());
  EXPECT_EQ(search("tencent"), std::vector<std::string>{"4:40:true"});
  EXPECT_TRUE(search("nokia").empty());
  EXPECT_EQ(search("huawei", 1), std::vector<std::string>{"1:10:true"});
  EXPECT_EQ(search("huawei -chip").size(), 2U);  // web-search syntax
}

TEST_P(RankedSearch, NewVersionsAreFoundOnceIndexed) {
  ASSERT_TRUE(m_conn.exec_script(
      "INSERT INTO article_versions (id, article_id, version, source, title, body_text, text_sha256) "
      "VALUES (41, 4, 2, 'page', 'Tencent results', 'Tencent and Huawei reported higher profit.', 'f');"
      "UPDATE articles SET current_version_id = 41 WHERE id = 4;"));
  EXPECT_EQ(search("huawei").size(), 3U);  // not yet indexed
  ASSERT_EQ(m_db.scalar("SELECT feedwatch_index_search(100)"), "1");
  std::vector<std::string> found = search("huawei");
  EXPECT_EQ(found.size(), 4U);
  EXPECT_NE(std::find(found.begin(), found.end(), "4:41:true"), found.end());
}

// A common term: its `candidates` newest matching versions are ranked. With
// candidates = 2 the newest two of Huawei's three matching versions (ids 30,
// 20) are ranked, so article 1 (older, title match) is left out; with at least
// as many candidates as matches the answer is the exhaustive one.
TEST_P(RankedSearch, CommonTermRanksItsNewestMatches) {
  const std::vector<std::string> exhaustive = search("huawei");
  auto r = m_conn.exec(
      "SELECT string_agg(article_id || ':' || version_id, ',' ORDER BY article_id) "
      "FROM search_articles('huawei', 20, 2)");
  ASSERT_TRUE(r) << m_conn.last_error().message;
  EXPECT_EQ(r->get(0, 0), "2:20,3:30");
  auto three = m_conn.exec(
      "SELECT article_id || ':' || version_id || ':' || is_current FROM "
      "search_articles('huawei', 20, 3)");
  ASSERT_TRUE(three) << m_conn.last_error().message;
  std::vector<std::string> found;
  for (int i = 0; i < three->size(); ++i) found.emplace_back(three->get(i, 0));
  EXPECT_EQ(found, exhaustive);
  EXPECT_EQ(search("huawei -chip").size(), 2U);
  EXPECT_EQ(search("tencent"), std::vector<std::string>{"4:40:true"});
  EXPECT_TRUE(search("nokia").empty());
  EXPECT_TRUE(search("the").empty());  // only a stop word: no lexeme, nothing matches
  // Everything but article 4 (a negation alone ranks nothing: rank 0).
  auto rest = m_conn.exec(
      "SELECT string_agg(article_id::text, ',' ORDER BY article_id) FROM "
      "search_articles('-tencent')");
  ASSERT_TRUE(rest) << m_conn.last_error().message;
  EXPECT_EQ(rest->get(0, 0), "1,2,3");
}

// The word pairs a phrase needs (sql/015): those of its required `a <-> b`,
// never of a negated or optional phrase, with lexemes unescaped exactly as
// feedwatch_search_pairs() stores them.
TEST_P(RankedSearch, PhrasePairsAreThoseEveryMatchHolds) {
  const auto shape = [&](const std::string& tsquery) {
    return m_db.scalar("SELECT (s).pairs::text || ' ' || (s).positive FROM (SELECT feedwatch_search_shape(" +
                       tsquery + ") AS s) x");
  };
  const auto pair = [&](const std::string& a, const std::string& b) {
    return m_db.scalar("SELECT feedwatch_search_pair(" + a + ", " + b + ")");
  };
  EXPECT_EQ(shape("websearch_to_tsquery('english', 'huawei chip')"), "{} true");
  EXPECT_EQ(shape("websearch_to_tsquery('english', '\"export controls\" huawei')"),
            "{" + pair("'export'", "'control'") + "} true");
  EXPECT_EQ(shape("websearch_to_tsquery('english', '\"made in china 2025\"')"),
            "{" + pair("'china'", "'2025'") + "} true");  // 'made' <2> 'china': no pair
  EXPECT_EQ(shape("websearch_to_tsquery('english', 'huawei -\"export controls\"')"), "{} true");
  EXPECT_EQ(shape("websearch_to_tsquery('english', '\"export controls\" or huawei')"), "{} true");
  EXPECT_EQ(shape("websearch_to_tsquery('english', '-tencent')"), "{} false");
  EXPECT_EQ(shape("websearch_to_tsquery('english', 'huawei or -chip')"), "{} false");
  EXPECT_EQ(shape("$$'a':* <-> 'b'$$::tsquery"), "{} true");  // a prefix: no pair
  // A quote and a backslash in lexemes (tsquery's text doubles both).
  const std::string odd = R"($$'o''b' <-> 'c\\d' <-> 'e'$$::tsquery)";
  EXPECT_EQ(shape(odd), "{" + pair("$$o'b$$", R"($$c\d$$)") + "," + pair(R"($$c\d$$)", "'e'") + "} true");
  EXPECT_EQ(m_db.scalar(R"(SELECT feedwatch_search_pairs($$'o''b':1 'c\\d':2 'e':3 'f':9$$::tsvector) @> )"
                        "(feedwatch_search_shape(" +
                        odd + ")).pairs"),
            "t");
}

// The newest matches through windows of ids (sql/015) are exactly the newest
// matches: 3,000 generated versions, with gaps in their ids, whose words thin
// out towards the newest (so the first window, sized from the estimate, finds
// too few and the next ones grow), queried with words, conjunctions, phrases,
// negations and OR, against a plain scan.
TEST_P(RankedSearch, WindowsFindExactlyTheNewestMatches) {
  ASSERT_TRUE(m_conn.exec_script(R"sql(
    INSERT INTO articles (id, article_key, url, title)
      SELECT 100 + i, 'g' || i, 'https://news.example/g' || i, 'Market wrap ' || i FROM generate_series(1, 3000) i;
    INSERT INTO article_versions (id, article_id, version, source, title, body_text, text_sha256)
      SELECT 1000 + 3 * i, 100 + i, 1, 'page', 'Market wrap ' || i,
             CASE WHEN i % (1 + i / 300) = 0 THEN 'Shares moved in Shenzhen trading. ' ELSE 'Quiet day. ' END
             || CASE WHEN i % 7 = 0 THEN 'Export controls on chips. ' ELSE 'Chips and export data. ' END
             || CASE WHEN i % 11 = 0 THEN 'Controls export nothing. ' ELSE '' END
             || CASE WHEN i % 13 = 0 THEN 'Huawei chip output rose. ' ELSE '' END,
             'g' || i
      FROM generate_series(1, 3000) i;
    UPDATE articles SET current_version_id = 1000 + 3 * (id - 100) WHERE id > 100;
  )sql"))
      << m_conn.last_error().message;
  ASSERT_EQ(m_db.scalar("SELECT feedwatch_index_search(5000)"), "3000");
  ASSERT_TRUE(m_conn.exec_script("ANALYZE article_versions"));
  for (const char* q : {"shenzhen", "shenzhen trading", "\"export controls\"", "\"controls export\"",
                        "huawei chip", "\"huawei chip\" shenzhen", "export -shenzhen", "-shenzhen",
                        "\"export controls\" or huawei", "shenzhen -\"export controls\"", "nokia"}) {
    for (int n : {1, 10, 100, 5000}) {
      const std::string tsq = "websearch_to_tsquery('english', '" + std::string(q) + "')";
      EXPECT_EQ(
          m_db.scalar("SELECT feedwatch_search_newest(" + tsq + ", " + std::to_string(n) + ")::text"),
          m_db.scalar("SELECT coalesce(array_agg(id ORDER BY id DESC), '{}')::text FROM (SELECT id FROM "
                      "article_versions WHERE search @@ " +
                      tsq + " ORDER BY id DESC LIMIT " + std::to_string(n) + ") x"))
          << q << ", " << n;
    }
  }
  // The ten newest matches of a common word, ranked.
  EXPECT_EQ(m_db.scalar("SELECT min(version_id) || '-' || max(version_id) || ' ' || count(*) "
                        "FROM search_articles('export', 20, 10)"),
            "9973-10000 10");
  EXPECT_EQ(search("huawei", 1000).size(), 3U + 230U);
}

INSTANTIATE_TEST_SUITE_P(Paths, RankedSearch, ::testing::Values(Path::rum, Path::gin),
                         [](const ::testing::TestParamInfo<Path>& p) {
                           return std::string(p.param == Path::rum ? "Rum" : "Gin");
                         });

// The daemon's indexer: batches until nothing is left, or stops once its time
// budget is spent and says that versions may be waiting.
TEST(SearchIndexer, DrainsTheBacklogOrStopsAtItsBudget) {
  TempDatabase db;
  db::Connection conn = db.connect();
  ASSERT_TRUE(db::migrate(conn));
  ASSERT_TRUE(conn.exec_script(R"sql(
    INSERT INTO articles (id, article_key, url, title) VALUES (1, 'k1', 'https://news.example/1', 'Huawei');
    INSERT INTO article_versions (article_id, version, source, title, body_text, text_sha256)
      SELECT 1, v, 'page', 'Huawei', 'Version ' || v || ' of the Huawei story.', 'h' || v FROM generate_series(1, 7) v;
  )sql"))
      << conn.last_error().message;
  store::SearchIndexLimits one_batch{.batch = 3, .budget = std::chrono::nanoseconds(1)};
  auto first = store::index_search_backlog(conn, one_batch);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->indexed, 3);  // one statement, then the budget was spent
  EXPECT_TRUE(first->more);
  auto rest = store::index_search_backlog(conn, {.batch = 3, .budget = {}});
  ASSERT_TRUE(rest) << rest.error().message;
  EXPECT_EQ(rest->indexed, 4);
  EXPECT_FALSE(rest->more);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM article_versions WHERE search @@ 'huawei'::tsquery"), "7");
}

// The edit log carries the article's URL and title itself (a trigger fills
// them), so "edits in the last 7 days" never looks up articles.
TEST(EditLog, UrlAndTitleAreCopiedAndTheRecentEditsQueryReadsNoArticles) {
  TempDatabase db;
  db::Connection conn = db.connect();
  ASSERT_TRUE(db::migrate(conn));
  seed(conn);
  ASSERT_TRUE(conn.exec_script(R"sql(
    INSERT INTO article_changes (article_id, old_version_id, new_version_id, source, kinds, words_removed)
      VALUES (3, 30, 31, 'page', ARRAY['substantive'], 4);
    INSERT INTO article_changes (article_id, old_version_id, new_version_id, source, kinds, old_title, new_title)
      VALUES (1, 10, 10, 'page', ARRAY['title_changed'], 'Huawei unveils a chip', 'Huawei unveils a new chip');
    UPDATE articles SET title = 'Export rules (updated)' WHERE id = 3;
  )sql"))
      << conn.last_error().message;
  EXPECT_EQ(db.scalar("SELECT string_agg(url || ' ' || title, ' | ' ORDER BY change_id) FROM article_edits"),
            "https://news.example/3 Export rules | https://news.example/1 Huawei unveils a new chip");
  EXPECT_EQ(db.scalar("SELECT old_version || '->' || new_version FROM article_edits WHERE article_id = 3"),
            "1->2");
  auto plan = conn.exec(
      "EXPLAIN SELECT change_id, url, title, detected_at, kinds, words_added, words_removed FROM "
      "article_edits "
      "WHERE detected_at > now() - interval '7 days' ORDER BY detected_at DESC");
  ASSERT_TRUE(plan);
  std::string text;
  for (int i = 0; i < plan->size(); ++i) text.append(plan->get(i, 0)).append("\n");
  EXPECT_EQ(text.find("articles"), std::string::npos) << text;
  EXPECT_EQ(text.find("article_versions"), std::string::npos) << text;
}

// The feeds of each edit (sql/011): article_edit_feeds holds exactly the
// (feed, change) pairs of article_changes x article_feeds, whichever comes
// first, and follows links removed, feeds renamed or deleted and changes
// deleted; a feed's edits, newest first, are read from its primary key.
TEST(EditFeeds, FeedOfEachEditFollowsLinksAndIsReadInTimeOrder) {
  TempDatabase db;
  db::Connection conn = db.connect();
  ASSERT_TRUE(db::migrate(conn));
  seed(conn);
  // What the table must hold: the definition, against the table.
  const auto mismatches = [&] {
    return db.scalar(R"sql(
      WITH want AS (SELECT f.name AS feed, c.detected_at, c.id AS change_id
                    FROM article_changes c JOIN article_feeds af ON af.article_id = c.article_id
                    JOIN feeds f ON f.id = af.feed_id),
           have AS (SELECT feed, detected_at, change_id FROM article_edit_feeds)
      SELECT (SELECT count(*) FROM (TABLE want EXCEPT ALL TABLE have) x)
           + (SELECT count(*) FROM (TABLE have EXCEPT ALL TABLE want) y))sql");
  };
  // The edits of one feed as the web view reads them: "change_id,..." newest first.
  const auto edits_of = [&](const std::string& feed) {
    auto r = conn.exec(
        "SELECT coalesce(string_agg(change_id::text, ',' ORDER BY detected_at DESC, change_id DESC), '') "
        "FROM article_edit_feeds WHERE feed = $1",
        {feed});
    EXPECT_TRUE(r) << conn.last_error().message;
    return r ? std::string(r->get(0, 0)) : std::string();
  };
  ASSERT_TRUE(conn.exec_script(R"sql(
    INSERT INTO feeds (id, name, url, config_url) VALUES
      (1, 'tech', 'https://news.example/tech/feed/', 'https://news.example/tech/feed/'),
      (2, 'policy', 'https://news.example/policy/feed/', 'https://news.example/policy/feed/'),
      (3, 'wire', 'https://wire.example/feed/', 'https://wire.example/feed/');
    INSERT INTO article_feeds (article_id, feed_id) VALUES (1, 1), (3, 1), (3, 2);
    INSERT INTO article_changes (id, article_id, old_version_id, new_version_id, source, kinds, detected_at)
      VALUES (100, 3, 30, 31, 'page', ARRAY['substantive'], '2026-11-01 10:00Z'),
             (101, 1, 10, 10, 'page', ARRAY['title_changed'], '2026-11-02 10:00Z'),
             (102, 3, 30, 31, 'page', ARRAY['minor'], '2026-11-02 10:00Z'),
             (103, 4, 40, 40, 'page', ARRAY['minor'], '2026-11-03 10:00Z');
  )sql"))
      << conn.last_error().message;
  EXPECT_EQ(mismatches(), "0");
  EXPECT_EQ(edits_of("tech"), "102,101,100");  // same time: the higher change id first
  EXPECT_EQ(edits_of("policy"), "102,100");
  EXPECT_EQ(edits_of("wire"), "");  // article 4 is in no feed yet

  // Article 4 shows up in a feed after its edit: the edit is that feed's too.
  ASSERT_TRUE(conn.exec_script("INSERT INTO article_feeds (article_id, feed_id) VALUES (4, 3)"));
  EXPECT_EQ(edits_of("wire"), "103");
  // Seen again (the daemon's upsert): nothing changes.
  ASSERT_TRUE(
      conn.exec_script("INSERT INTO article_feeds (article_id, feed_id) VALUES (4, 3) "
                       "ON CONFLICT (article_id, feed_id) DO UPDATE SET last_seen_at = now()"));
  EXPECT_EQ(edits_of("wire"), "103");
  EXPECT_EQ(mismatches(), "0");

  // A link removed, a feed renamed, a change deleted, a change moved in time, a feed deleted.
  ASSERT_TRUE(conn.exec_script("DELETE FROM article_feeds WHERE article_id = 3 AND feed_id = 2"));
  EXPECT_EQ(edits_of("policy"), "");
  EXPECT_EQ(edits_of("tech"), "102,101,100");
  ASSERT_TRUE(conn.exec_script("UPDATE feeds SET name = 'technology' WHERE id = 1"));
  EXPECT_EQ(edits_of("tech"), "");
  EXPECT_EQ(edits_of("technology"), "102,101,100");
  ASSERT_TRUE(conn.exec_script("DELETE FROM article_changes WHERE id = 101"));
  ASSERT_TRUE(conn.exec_script("UPDATE article_changes SET detected_at = '2026-10-01Z' WHERE id = 102"));
  EXPECT_EQ(edits_of("technology"), "100,102");
  EXPECT_EQ(mismatches(), "0");
  ASSERT_TRUE(conn.exec_script("DELETE FROM feeds WHERE id = 1"));
  EXPECT_EQ(edits_of("technology"), "");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM article_edit_feeds"), "1");  // wire's
  EXPECT_EQ(mismatches(), "0");

  // The web view's feed filter: the feed's own index in time order, no probe of
  // article_feeds per edit, no sort (the tables here are tiny: with a few rows
  // a scan and a sort cost less, so those are turned off).
  ASSERT_TRUE(conn.exec_script("SET enable_seqscan = off; SET enable_bitmapscan = off;"));
  auto plan = conn.exec(
      "EXPLAIN SELECT e.change_id, e.url, e.title FROM article_edit_feeds f "
      "JOIN article_edits e ON e.change_id = f.change_id WHERE f.feed = 'wire' "
      "ORDER BY f.detected_at DESC, f.change_id DESC LIMIT 51");
  ASSERT_TRUE(plan) << conn.last_error().message;
  std::string text;
  for (int i = 0; i < plan->size(); ++i) text.append(plan->get(i, 0)).append("\n");
  EXPECT_NE(text.find("Scan Backward using article_change_feeds_pkey"), std::string::npos) << text;
  EXPECT_EQ(text.find("Sort"), std::string::npos) << text;
  EXPECT_EQ(text.find("article_feeds"), std::string::npos) << text;
}

}  // namespace
}  // namespace fw::test
