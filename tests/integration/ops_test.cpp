// Operations: /metrics and /healthz, SIGHUP reload (valid and invalid), SIGTERM
// drain, and the systemd watchdog, each against a real `feedwatch run`.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <sstream>
#include <thread>

#include "daemon/db/pg.hpp"
#include "tests/support/http_server.hpp"
#include "tests/support/support.hpp"

namespace fw::test {
namespace {

HttpReply serve_fixture(const HttpRequest&) {
  return HttpReply{200, {}, without_polling_hints(fixture("feeds/cbbc-tech-companies.xml"))};
}

std::string base_yaml(const TempDatabase& db, const TempDir& dir) {
  return "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
         "\"\nhttp:\n  allow_private_networks: true\n";
}

std::string feed_yaml(const std::string& name, const std::string& url) {
  return "  - name: " + name + "\n    url: \"" + url + "\"\n    interval: 15m\n    fetch_articles: false\n";
}

bool stop(Child& daemon) {
  daemon.signal(SIGTERM);
  auto code = daemon.wait_for(30);
  return code.has_value() && *code == 0;
}

TEST(Ops, MetricsAfterACycleAndHealthz) {
  TempDatabase db;
  TempDir dir;
  HttpServer server(serve_fixture);
  std::uint16_t port = free_port();
  std::string cfg =
      dir.write("c.yaml", base_yaml(db, dir) + "metrics:\n  listen: 127.0.0.1:" + std::to_string(port) +
                              "\nfeeds:\n" + feed_yaml("cbbc-tech-companies", server.url("/feed/")));
  Child daemon({"run", "--config", cfg});
  ASSERT_TRUE(eventually([&] { return daemon.err().find("poll feed=") != std::string::npos; }, 30))
      << daemon.err();

  HttpGetResult metrics = http_get(port, "/metrics");
  ASSERT_EQ(metrics.status, 200) << daemon.err();
  for (const char* line :
       {"feedwatch_fetches_total{class=\"2xx\"} 1", "feedwatch_fetches_total{class=\"5xx\"} 0",
        "feedwatch_fetch_duration_seconds_count 1", "feedwatch_articles_total{event=\"new\"} 3",
        "feedwatch_articles_total{event=\"edited\"} 0",
        "feedwatch_source_articles{feed=\"cbbc-tech-companies\"} 3",
        "feedwatch_source_consecutive_errors{feed=\"cbbc-tech-companies\"} 0",
        "feedwatch_source_edited_articles{feed=\"cbbc-tech-companies\"} 0", "feedwatch_leases_held 0",
        "feedwatch_database_up 1", "# TYPE feedwatch_fetch_duration_seconds histogram"}) {
    EXPECT_NE(metrics.body.find(line), std::string::npos) << line << "\n" << metrics.body;
  }
  EXPECT_NE(metrics.body.find("feedwatch_source_seconds_since_success{feed=\"cbbc-tech-companies\"}"),
            std::string::npos);

  HttpGetResult health = http_get(port, "/healthz");
  EXPECT_EQ(health.status, 200) << health.body;
  EXPECT_EQ(http_get(port, "/nope").status, 404);
  EXPECT_TRUE(stop(daemon)) << daemon.err();
}

TEST(Ops, HealthzFailsWhenTheDatabaseIsGone) {
  auto db = std::make_unique<TempDatabase>();
  TempDir dir;
  HttpServer server(serve_fixture);
  std::uint16_t port = free_port();
  std::string cfg =
      dir.write("c.yaml", base_yaml(*db, dir) + "metrics:\n  listen: 127.0.0.1:" + std::to_string(port) +
                              "\nfeeds:\n" + feed_yaml("f", server.url("/feed/")));
  Child daemon({"run", "--config", cfg});
  ASSERT_TRUE(eventually([&] { return http_get(port, "/healthz").status == 200; }, 30)) << daemon.err();
  db.reset();  // DROP DATABASE ... WITH (FORCE): connections are cut and it cannot come back
  HttpGetResult health;
  ASSERT_TRUE(eventually(
      [&] {
        health = http_get(port, "/healthz");
        return health.status == 503;
      },
      20))
      << health.body;
  EXPECT_NE(health.body.find("database: unreachable"), std::string::npos) << health.body;
  EXPECT_FALSE(daemon.wait_for(0.5).has_value()) << "the daemon must keep running";
  EXPECT_TRUE(stop(daemon)) << daemon.err();
}

TEST(Ops, SighupWithAValidConfigAddsTheNewFeed) {
  TempDatabase db;
  TempDir dir;
  HttpServer server(serve_fixture);
  std::string one = base_yaml(db, dir) + "feeds:\n" + feed_yaml("first", server.url("/first/"));
  std::string cfg = dir.write("c.yaml", one);
  Child daemon({"run", "--config", cfg});
  ASSERT_TRUE(eventually([&] { return server.hits("/first/") == 1; }, 30)) << daemon.err();
  dir.write("c.yaml", one + feed_yaml("second", server.url("/second/")));
  daemon.signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return server.hits("/second/") == 1; }, 30)) << daemon.err();
  EXPECT_NE(daemon.err().find("reloaded"), std::string::npos);
  EXPECT_EQ(server.hits("/first/"), 1);  // not due again: the reload dropped no state
  EXPECT_EQ(db.scalar("SELECT string_agg(name, ',' ORDER BY name) FROM feeds"), "first,second");
  EXPECT_TRUE(stop(daemon)) << daemon.err();
}

// A poll under way when a reload reorders the feeds finishes with its own
// feed's new settings, not with those of the feed now where it was.
TEST(Ops, APollUnderWayAtAReloadTakesItsFeedsNewSettings) {
  TempDatabase db;
  TempDir dir;
  HttpServer server([](const HttpRequest& r) {
    if (r.target == "/a/") std::this_thread::sleep_for(std::chrono::milliseconds(3000));
    return serve_fixture(r);
  });
  const auto feed = [&](const std::string& name, const std::string& interval) {
    return "  - name: " + name + "\n    url: \"" + server.url("/" + name + "/") +
           "\"\n    interval: " + interval + "\n    fetch_articles: false\n";
  };
  std::string cfg =
      dir.write("c.yaml", base_yaml(db, dir) + "feeds:\n" + feed("a", "15m") + feed("b", "10m"));
  Child daemon({"run", "--config", cfg});
  ASSERT_TRUE(eventually([&] { return server.hits("/a/") == 1; }, 30)) << daemon.err();  // 3 s to answer
  dir.write("c.yaml", base_yaml(db, dir) + "feeds:\n" + feed("b", "10m") + feed("a", "3h"));
  daemon.signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return daemon.err().find("reloaded") != std::string::npos; }, 20))
      << daemon.err();
  ASSERT_TRUE(eventually(
      [&] {
        return db.scalar(
                   "SELECT count(*) FROM fetch_log l JOIN feeds f ON f.id = l.feed_id WHERE f.name = 'a'") ==
               "1";
      },
      20))
      << daemon.err();
  EXPECT_EQ(server.hits("/a/"), 1);
  // 3 h, or more from the feed's posting rate; b's 10 minutes would be 40 at most.
  EXPECT_EQ(db.scalar("SELECT next_poll_at > now() + interval '2 hours' FROM feeds WHERE name = 'a'"), "t")
      << db.scalar("SELECT next_poll_at - now() FROM feeds WHERE name = 'a'") << "\n"
      << daemon.err();
  EXPECT_TRUE(stop(daemon)) << daemon.err();
}

TEST(Ops, SighupWithAnInvalidConfigKeepsTheRunningOne) {
  TempDatabase db;
  TempDir dir;
  HttpServer server(serve_fixture);
  std::string cfg =
      dir.write("c.yaml", base_yaml(db, dir) + "feeds:\n" + feed_yaml("first", server.url("/first/")));
  Child daemon({"run", "--config", cfg});
  ASSERT_TRUE(eventually([&] { return server.hits("/first/") == 1; }, 30)) << daemon.err();
  dir.write("c.yaml",
            base_yaml(db, dir) + "feeds:\n  - name: broken\n    url: ftp://nowhere\n    intervl: 5m\n");
  daemon.signal(SIGHUP);
  ASSERT_TRUE(eventually(
      [&] { return daemon.err().find("keeping the running configuration") != std::string::npos; }, 20))
      << daemon.err();
  std::string err = daemon.err();
  EXPECT_NE(err.find(cfg + ":8: feeds[0].url: not an http(s) URL"), std::string::npos) << err;
  EXPECT_NE(err.find("did you mean 'interval'"), std::string::npos) << err;
  EXPECT_FALSE(daemon.wait_for(0.5).has_value()) << "an invalid reload must not stop the daemon";
  EXPECT_EQ(db.scalar("SELECT string_agg(name, ',') FROM feeds"), "first");
  EXPECT_TRUE(stop(daemon)) << daemon.err();
}

TEST(Ops, SigtermLetsTheFetchInFlightFinish) {
  TempDatabase db;
  TempDir dir;
  std::atomic<bool> answered{false};
  HttpServer server([&](const HttpRequest& r) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    answered = true;
    return serve_fixture(r);
  });
  std::string cfg =
      dir.write("c.yaml", base_yaml(db, dir) + "feeds:\n" + feed_yaml("slow", server.url("/slow/")));
  Child daemon({"run", "--config", cfg});
  ASSERT_TRUE(eventually([&] { return server.hits("/slow/") == 1; }, 30)) << daemon.err();
  daemon.signal(SIGTERM);
  auto code = daemon.wait_for(30);
  ASSERT_TRUE(code.has_value()) << daemon.err();
  EXPECT_EQ(*code, 0);
  EXPECT_TRUE(answered.load());
  // The poll that was in flight was completed and stored, then the daemon stopped.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM articles"), "3");
  EXPECT_EQ(db.scalar("SELECT outcome FROM fetch_log"), "ok");
  EXPECT_EQ(db.scalar("SELECT lease_owner IS NULL FROM feeds"), "t");
  EXPECT_NE(daemon.err().find("stopping signal=15 in_flight=1"), std::string::npos) << daemon.err();
}

TEST(Ops, WatchdogPingsStopWhileTheLoopIsStuckAndResumeAfter) {
  TempDatabase db;
  TempDir dir;
  HttpServer server(serve_fixture);
  NotifySocket notify;
  std::uint16_t port = free_port();
  std::string cfg = dir.write(
      "c.yaml", base_yaml(db, dir) + "metrics:\n  listen: 127.0.0.1:" + std::to_string(port) +
                    "\nfeeds:\n  - name: f\n    url: \"" + server.url("/f/") + "\"\n    interval: 1s\n");
  Child daemon({"run", "--config", cfg}, {"NOTIFY_SOCKET=" + notify.path(), "WATCHDOG_USEC=3000000"});
  ASSERT_TRUE(eventually([&] { return server.hits("/f/") >= 1; }, 30)) << daemon.err();
  auto count_pings = [&] {
    auto m = notify.receive();
    return std::count(m.begin(), m.end(), "WATCHDOG=1");
  };
  ASSERT_TRUE(eventually([&] { return count_pings() >= 2; }, 10));
  EXPECT_EQ(notify.receive().front(), "READY=1");

  // Hold a lock the daemon's next poll needs: its (synchronous) database call blocks the loop.
  db::Connection blocker = db.connect();
  ASSERT_TRUE(blocker.exec("BEGIN"));
  ASSERT_TRUE(blocker.exec("LOCK TABLE feeds IN ACCESS EXCLUSIVE MODE"));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // the daemon reaches the lock and blocks
  long before = count_pings();
  std::this_thread::sleep_for(std::chrono::milliseconds(4000));
  EXPECT_EQ(count_pings(), before) << "pings went on while the loop was stuck";
  HttpGetResult health = http_get(port, "/healthz");
  EXPECT_EQ(health.status, 503) << health.body;
  EXPECT_NE(health.body.find("loop: stuck"), std::string::npos) << health.body;

  ASSERT_TRUE(blocker.exec("ROLLBACK"));
  ASSERT_TRUE(eventually([&] { return count_pings() > before; }, 10)) << "pings did not resume";
  EXPECT_TRUE(eventually([&] { return http_get(port, "/healthz").status == 200; }, 10));
  EXPECT_TRUE(stop(daemon)) << daemon.err();
  auto messages = notify.receive();
  EXPECT_NE(std::find(messages.begin(), messages.end(), "STOPPING=1"), messages.end());
}

}  // namespace
}  // namespace fw::test

namespace fw::test {
namespace {

TEST(Status, ShowsEachFeedsHealthAndTheAlertQueue) {
  TempDatabase db;
  TempDir dir;
  HttpServer server([](const HttpRequest& r) {
    if (r.target == "/bad/") return HttpReply{500, {}, "down"};
    return serve_fixture(r);
  });
  std::string cfg =
      dir.write("c.yaml", base_yaml(db, dir) + "feeds:\n" + feed_yaml("good", server.url("/good/")) +
                              feed_yaml("bad", server.url("/bad/")));
  ASSERT_EQ(run_feedwatch({"once", "--config", cfg}).exit_code, 0);
  ProcessResult r = run_feedwatch({"status", "--config", cfg});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string header;
  std::string bad;
  std::string good;
  std::getline(lines, header);
  std::getline(lines, bad);  // sorted by name
  std::getline(lines, good);
  EXPECT_EQ(header.rfind("FEED", 0), 0u) << r.out;
  EXPECT_EQ(bad.rfind("bad ", 0), 0u) << r.out;
  EXPECT_NE(bad.find(" error "), std::string::npos) << r.out;
  EXPECT_NE(bad.find("HTTP 500 from"), std::string::npos) << r.out;
  EXPECT_EQ(good.rfind("good ", 0), 0u) << r.out;
  EXPECT_NE(good.find(" ok "), std::string::npos) << r.out;
  EXPECT_TRUE(good.find(" in 14m ") != std::string::npos || good.find(" in 15m ") != std::string::npos)
      << r.out;  // the 15 m interval, rounded down
  EXPECT_NE(r.out.find("2 feeds, 1 failing"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("alert queue:"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace fw::test
