// Several `feedwatch run` processes on one database share the work: each due
// feed is claimed by exactly one of them (FOR UPDATE SKIP LOCKED plus a lease).
#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <mutex>
#include <thread>

#include "tests/support/http_server.hpp"
#include "tests/support/support.hpp"

namespace fw::test {
namespace {

TEST(MultiDaemon, ThreeDaemonsFetchEachDueFeedExactlyOnce) {
  constexpr int k_feeds = 150;
  TempDatabase db;
  TempDir dir;
  HttpServer server(
      [](const HttpRequest& r) {
        std::string body = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>" + r.target +
                           "</title><link>http://x/</link><item><title>a</title><guid>http://x" + r.target +
                           "</guid></item></channel></rss>";
        return HttpReply{200, {}, body};
      },
      /*threads=*/4);
  std::string yaml =
      "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
      "\"\nhttp:\n  allow_private_networks: true\n  per_host: { max_concurrent: 8, min_delay: 0s }\n"
      "feeds:\n";
  for (int i = 0; i < k_feeds; ++i) {
    yaml += "  - name: f" + std::to_string(i) + "\n    url: \"" + server.url("/feed/" + std::to_string(i)) +
            "\"\n    interval: 1h\n";
  }
  std::string cfg = dir.write("c.yaml", yaml);
  // The schema first, so the three do not all wait on the migration lock at once.
  ASSERT_EQ(run_feedwatch({"migrate", "--config", cfg}).exit_code, 0);

  std::vector<std::unique_ptr<Child>> daemons;
  for (int i = 0; i < 3; ++i)
    daemons.push_back(std::make_unique<Child>(std::vector<std::string>{"run", "--config", cfg}));
  ASSERT_TRUE(eventually(
      [&] {
        return db.scalar("SELECT count(*) FROM feeds WHERE last_success_at IS NOT NULL") ==
               std::to_string(k_feeds);
      },
      90))
      << daemons[0]->err();
  std::this_thread::sleep_for(std::chrono::seconds(2));  // any duplicate fetch would have arrived by now
  for (auto& d : daemons) {
    d->signal(SIGTERM);
    auto code = d->wait_for(30);
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 0) << d->err();
  }

  std::map<std::string, int> hits;
  for (const auto& r : server.requests()) ++hits[r.target];
  EXPECT_EQ(hits.size(), static_cast<std::size_t>(k_feeds));
  for (const auto& [target, n] : hits) EXPECT_EQ(n, 1) << target << " was fetched " << n << " times";
  EXPECT_EQ(db.scalar("SELECT count(*) FROM articles"), std::to_string(k_feeds));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM fetch_log WHERE feed_id IS NOT NULL"), std::to_string(k_feeds));
  // The work was shared: more than one daemon polled.
  int daemons_that_polled = 0;
  for (auto& d : daemons) daemons_that_polled += d->err().find("poll feed=") != std::string::npos ? 1 : 0;
  EXPECT_GE(daemons_that_polled, 2);
}

}  // namespace
}  // namespace fw::test
