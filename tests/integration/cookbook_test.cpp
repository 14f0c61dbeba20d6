// Runs every ```sql block of sql/README.md against a database the daemon has
// filled, so the analysts' cookbook stays true to the schema.
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

TEST(SqlCookbook, EveryQueryRunsAndTheFirstOnesFindTheSeedArticles) {
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

  std::vector<std::string> blocks = sql_blocks(read_file(std::string(FW_SOURCE_DIR) + "/sql/README.md"));
  ASSERT_GE(blocks.size(), 5u);
  db::Connection conn = db.connect();
  std::vector<int> rows;
  for (const std::string& sql : blocks) {
    auto result = conn.exec(sql);
    ASSERT_TRUE(result) << sql << "\n" << result.error().message;
    rows.push_back(result->size());
  }
  EXPECT_EQ(rows[0], 3);  // the newest articles
  EXPECT_EQ(rows[1], 1);  // DeepSeek is in one article's text... and only one title
  EXPECT_EQ(rows[3], 1);  // the DeepSeek article has one version so far
}

}  // namespace
}  // namespace fw::test
