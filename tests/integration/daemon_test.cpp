// `feedwatch run` as a real process: it polls again when feeds fall due, stops
// cleanly on SIGTERM; and the embedded default database (no database.url).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>

#include "daemon/db/embedded.hpp"
#include "tests/support/http_server.hpp"
#include "tests/support/support.hpp"

namespace fw::test {
namespace {

HttpReply serve_fixture(const HttpRequest& r) {
  if (r.header("if-none-match") == "\"fixture\"") return HttpReply{304, {{"ETag", "\"fixture\""}}, ""};
  return HttpReply{
      200, {{"ETag", "\"fixture\""}}, without_polling_hints(fixture("feeds/cbbc-tech-companies.xml"))};
}

std::string feeds_yaml(const std::string& url, const std::string& interval) {
  return "http:\n  allow_private_networks: true\n"
         "feeds:\n  - name: cbbc-tech-companies\n    url: \"" +
         url + "\"\n    interval: " + interval + "\n    fetch_articles: false\n";
}

TEST(Run, PollsAgainWhenDueAndStopsCleanlyOnSigterm) {
  TempDatabase db;
  TempDir dir;
  HttpServer server(serve_fixture);
  std::string cfg = dir.write("c.yaml", "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" +
                                            dir.path() + "\"\n" + feeds_yaml(server.url("/feed/"), "1s"));
  Child daemon({"run", "--config", cfg});
  // The first poll is due at once; the next ones one interval after each.
  ASSERT_TRUE(eventually([&] { return server.hits("/feed/") >= 3; }, 30)) << daemon.err();
  daemon.signal(SIGTERM);
  std::optional<int> code = daemon.wait_for(30);
  ASSERT_TRUE(code.has_value()) << "feedwatch run did not stop on SIGTERM\n" << daemon.err();
  EXPECT_EQ(*code, 0) << daemon.err();
  EXPECT_NE(daemon.err().find("stopped"), std::string::npos) << daemon.err();
  EXPECT_EQ(db.scalar("SELECT count(*) FROM articles"), "3");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM article_versions"), "3");
  auto requests = server.requests();
  EXPECT_EQ(requests.back().header("if-none-match"), "\"fixture\"");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM fetch_log WHERE outcome = 'not_modified'"),
            std::to_string(std::stoi(db.scalar("SELECT count(*) FROM fetch_log")) - 1));
  EXPECT_EQ(db.scalar("SELECT lease_owner IS NULL FROM feeds"), "t");
}

TEST(Run, WaitsForTheDatabaseAndStartsPollingWhenItAppears) {
  TempDatabase db(/*create_now=*/false);
  TempDir dir;
  HttpServer server(serve_fixture);
  std::string cfg = dir.write("c.yaml", "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" +
                                            dir.path() + "\"\n" + feeds_yaml(server.url("/feed/"), "15m"));
  Child daemon({"run", "--config", cfg});
  ASSERT_TRUE(eventually([&] { return daemon.err().find("database_unavailable") != std::string::npos; }, 20))
      << daemon.err();
  EXPECT_EQ(server.hits("/feed/"), 0);
  db.create();
  ASSERT_TRUE(eventually([&] { return daemon.err().find("poll feed=") != std::string::npos; }, 30))
      << daemon.err();
  EXPECT_EQ(db.scalar("SELECT count(*) FROM articles"), "3");
  daemon.signal(SIGTERM);
  std::optional<int> code = daemon.wait_for(30);
  ASSERT_TRUE(code.has_value()) << daemon.err();
  EXPECT_EQ(*code, 0);
}

TEST(Run, KeepsRunningWhileTheDatabaseIsUnreachable) {
  TempDir dir;
  HttpServer server(serve_fixture);
  // Port 1 on loopback: nothing listens there.
  std::string cfg = dir.write("c.yaml",
                              "database:\n  url: \"host=127.0.0.1 port=1 dbname=none connect_timeout=2\"\n"
                              "state_dir: \"" +
                                  dir.path() + "\"\n" + feeds_yaml(server.url("/feed/"), "1s"));
  Child daemon({"run", "--config", cfg});
  ASSERT_TRUE(eventually([&] { return daemon.err().find("database_unavailable") != std::string::npos; }, 20));
  EXPECT_FALSE(daemon.wait_for(1).has_value()) << "the daemon exited instead of retrying\n" << daemon.err();
  daemon.signal(SIGTERM);
  std::optional<int> code = daemon.wait_for(30);
  ASSERT_TRUE(code.has_value()) << daemon.err();
  EXPECT_EQ(*code, 0);
  EXPECT_EQ(server.hits("/feed/"), 0);
}

class EmbeddedDefault : public ::testing::Test {
 protected:
  void SetUp() override {
    // The cluster runs as an unprivileged user when the tests run as root: it must reach the state dir.
    chmod(dir.path().c_str(), 0755);
    state_dir = dir.path() + "/state";
    cfg = dir.write("c.yaml", "state_dir: \"" + state_dir + "\"\n" + feeds_yaml(server.url("/feed/"), "15m"));
  }
  std::string pid_file() const { return state_dir + "/postgresql/data/postmaster.pid"; }

  TempDir dir;
  HttpServer server{serve_fixture};
  std::string state_dir;
  std::string cfg;
};

TEST_F(EmbeddedDefault, CreatedOnFirstUseReusedOnTheSecondAndStoppedAfterwards) {
  ProcessResult first = run_feedwatch({"once", "--config", cfg});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("database=embedded"), std::string::npos) << first.err;
  EXPECT_TRUE(std::filesystem::exists(state_dir + "/postgresql/data/PG_VERSION"));
  EXPECT_FALSE(std::filesystem::exists(pid_file())) << "the cluster was left running";

  ProcessResult second = run_feedwatch({"once", "--config", cfg});
  ASSERT_EQ(second.exit_code, 0) << second.err;

  // What the two runs stored is in the one cluster: it was reused, not re-created.
  db::EmbeddedCluster cluster(state_dir);
  cluster.start();
  auto conn = db::Connection::open(cluster.connection_string());
  ASSERT_TRUE(conn) << conn.error().message;
  auto articles = conn->exec("SELECT count(*) FROM articles");
  ASSERT_TRUE(articles);
  EXPECT_EQ(articles->get_int(0, 0), 3);
  auto polls = conn->exec("SELECT string_agg(outcome, ',' ORDER BY id) FROM fetch_log");
  ASSERT_TRUE(polls);
  EXPECT_EQ(polls->get(0, 0), "ok,not_modified");
  cluster.stop();
}

TEST_F(EmbeddedDefault, RunStopsTheClusterOnSigterm) {
  Child daemon({"run", "--config", cfg});
  ASSERT_TRUE(eventually([&] { return daemon.err().find("poll feed=") != std::string::npos; }, 60))
      << daemon.err();
  EXPECT_TRUE(std::filesystem::exists(pid_file()));
  daemon.signal(SIGTERM);
  std::optional<int> code = daemon.wait_for(60);
  ASSERT_TRUE(code.has_value()) << daemon.err();
  EXPECT_EQ(*code, 0) << daemon.err();
  EXPECT_FALSE(std::filesystem::exists(pid_file())) << "the cluster was left running\n" << daemon.err();
}

}  // namespace
}  // namespace fw::test
