// Runs every ```sql block of sql/README.md against a database the daemon has
// filled, plus edits of the kinds change detection records, so the analysts'
// cookbook stays true to the schema: every query must return rows.
#include <gtest/gtest.h>

#include "tests/support/http_server.hpp"
#include "tests/support/support.hpp"

namespace fw::test {
namespace {

std::vector<std::string> sql_blocks(const std::string& markdown) {
  std::vector<std::string> blocks;
  std::size_t at = 0;
  while ((at = markdown.find("```sql\n", at)) != std::string::npos) {
    std::size_t start = at + 7;
    std::size_t end = markdown.find("```", start);
    if (end == std::string::npos) break;
    blocks.push_back(markdown.substr(start, end - start));
    at = end + 3;
  }
  return blocks;
}

// Edits of the fixture's articles, as change detection records them: the
// article that mentions Huawei loses that paragraph and gains a correction
// (a stealth edit), then changes its headline; the DeepSeek article is taken down.
constexpr const char* k_edits = R"sql(
  WITH a AS (SELECT id FROM articles WHERE url LIKE '%is-china-still-waging-war-on-tech-companies/'),
       v1 AS (SELECT v.* FROM article_versions v JOIN a ON v.article_id = a.id WHERE v.version = 1)
  INSERT INTO article_versions (article_id, version, source, title, body_text, text_sha256)
  SELECT article_id, 2, 'page', title,
         regexp_replace(body_text, '[^
]*Huawei[^
]*', '') || E'

Correction: an earlier version misnamed a company.',
         'v2'
  FROM v1
  UNION ALL
  SELECT article_id, 3, 'page', 'Is China still at war with its tech companies?',
         regexp_replace(body_text, '[^
]*Huawei[^
]*', '') || E'

Correction: an earlier version misnamed a company.',
         'v3'
  FROM v1;

  INSERT INTO article_changes (article_id, old_version_id, new_version_id, source, kinds, stealth, old_title,
                               new_title, words_added, words_removed, paragraphs_added, paragraphs_removed,
                               diff_text, diff_json)
  SELECT o.article_id, o.id, n.id, 'page',
         CASE WHEN n.version = 2 THEN ARRAY['substantive', 'paragraphs_removed', 'correction_notice']
              ELSE ARRAY['title_changed'] END,
         n.version = 2, o.title, n.title, CASE WHEN n.version = 2 THEN 8 ELSE 0 END,
         CASE WHEN n.version = 2 THEN 30 ELSE 0 END, CASE WHEN n.version = 2 THEN 1 ELSE 0 END,
         CASE WHEN n.version = 2 THEN 1 ELSE 0 END,
         CASE WHEN n.version = 2 THEN '[-' || (regexp_match(o.body_text, '[^
]*Huawei[^
]*'))[1] || '-]' END,
         CASE WHEN n.version = 2 THEN jsonb_build_object('changes', jsonb_build_array(jsonb_build_object(
              'removed', (regexp_match(o.body_text, '[^
]*Huawei[^
]*'))[1], 'inserted', '',
              'old_context', (regexp_match(o.body_text, '[^
]*Huawei[^
]*'))[1])))
              ELSE '{"changes": []}'::jsonb END
  FROM article_versions o
  JOIN article_versions n ON n.article_id = o.article_id AND n.version = o.version + 1
  JOIN articles a ON a.id = o.article_id
  WHERE a.url LIKE '%is-china-still-waging-war-on-tech-companies/';

  UPDATE articles a SET version_count = 3, current_version_id = v.id
  FROM article_versions v
  WHERE v.article_id = a.id AND v.version = 3 AND a.url LIKE '%is-china-still-waging-war-on-tech-companies/';

  UPDATE articles SET state = 'removed' WHERE url LIKE '%what-is-deepseek%';
  INSERT INTO article_changes (article_id, old_version_id, source, kinds, http_status, removal_reason)
  SELECT id, current_version_id, 'page', ARRAY['removed'], 410, 'http_gone'
  FROM articles WHERE url LIKE '%what-is-deepseek%';
)sql";

TEST(SqlCookbook, EveryQueryReturnsRows) {
  TempDatabase db;
  TempDir dir;
  HttpServer server([](const HttpRequest&) {
    return HttpReply{200, {}, fixture("feeds/cbbc-tech-companies.xml")};
  });
  std::string cfg =
      dir.write("c.yaml", "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
                              "\"\nhttp:\n  allow_private_networks: true\nfeeds:\n  - name: t\n"
                              "    url: \"" +
                              server.url("/feed/") + "\"\n");
  ProcessResult r = run_feedwatch({"once", "--config", cfg});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The daemon indexed what it stored for full-text search.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM article_versions WHERE search IS NULL"), "0");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM article_versions"), "3");

  std::vector<std::string> blocks = sql_blocks(read_file(std::string(FW_SOURCE_DIR) + "/sql/README.md"));
  ASSERT_GE(blocks.size(), 14u);
  db::Connection conn = db.connect();
  ASSERT_TRUE(conn.exec_script(k_edits)) << conn.last_error().message;
  auto indexed = conn.exec("SELECT feedwatch_index_search(100)");
  ASSERT_TRUE(indexed) << indexed.error().message;
  EXPECT_EQ(indexed->get_int(0, 0), 2);  // the two new versions
  std::vector<int> rows;
  for (const std::string& sql : blocks) {
    auto result = conn.exec(sql);
    ASSERT_TRUE(result) << sql << "\n" << result.error().message;
    rows.push_back(result->size());
    EXPECT_GT(result->size(), 0) << "no rows from:\n" << sql;
  }
  EXPECT_EQ(rows[0], 3);  // the newest articles
  EXPECT_EQ(rows[1], 1);  // DeepSeek is in one article's text... and only one title
  EXPECT_EQ(rows[2], 1);  // one article has more than one version
  EXPECT_EQ(rows[3], 3);  // its three versions
  EXPECT_EQ(rows[5], 1);  // Huawei was removed from one article, in one earlier version
}

}  // namespace
}  // namespace fw::test
