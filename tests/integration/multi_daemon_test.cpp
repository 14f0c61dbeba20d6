// Several `feedwatch run` processes on one database share the work: each due
// feed is claimed by exactly one of them (FOR UPDATE SKIP LOCKED plus a lease),
// and the feeds leased by a process that dies are taken over once its lease expires.
#include <gtest/gtest.h>

#include <csignal>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/http_server.hpp"
#include "tests/support/support.hpp"

namespace fw::test {
namespace {

constexpr int k_feeds = 500;

HttpReply feed_reply(const HttpRequest& r) {
  std::string body = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>" + r.target +
                     "</title><link>http://x/</link><item><title>a</title><guid>http://x" + r.target +
                     "</guid></item></channel></rss>";
  return HttpReply{200, {}, body};
}

std::string config_yaml(const TempDatabase& db, const TempDir& dir, const HttpServer& server) {
  std::string yaml = "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
                     "\"\nhttp:\n  allow_private_networks: true\n  timeout: 3s\n"
                     "  per_host: { max_concurrent: 8, min_delay: 0s }\nfeeds:\n";
  for (int i = 0; i < k_feeds; ++i) {
    yaml += "  - name: f" + std::to_string(i) + "\n    url: \"" + server.url("/feed/" + std::to_string(i)) +
            "\"\n    interval: 1h\n    fetch_articles: false\n";
  }
  return yaml;
}

std::map<std::string, int> hits_by_target(const HttpServer& server) {
  std::map<std::string, int> hits;
  for (const auto& r : server.requests()) ++hits[r.target];
  return hits;
}

bool all_succeeded(const TempDatabase& db, int polls_each) {
  return db.scalar(
             "SELECT count(*) FROM feeds f WHERE (SELECT count(*) FROM fetch_log l WHERE l.feed_id = f.id "
             "AND l.outcome = 'ok') >= " +
             std::to_string(polls_each)) == std::to_string(k_feeds);
}

void stop_all(std::vector<std::unique_ptr<Child>>& daemons) {
  for (auto& d : daemons) {
    if (!d) continue;
    d->signal(SIGTERM);
    auto code = d->wait_for(30);
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 0) << d->err();
  }
}

TEST(MultiDaemon, ThreeDaemonsFetchEachDueFeedExactlyOncePerInterval) {
  TempDatabase db;
  TempDir dir;
  HttpServer server(feed_reply, /*threads=*/4);
  std::string cfg = dir.write("c.yaml", config_yaml(db, dir, server));
  // The schema first, so the three do not all wait on the migration lock at once.
  ASSERT_EQ(run_feedwatch({"migrate", "--config", cfg}).exit_code, 0);

  std::vector<std::unique_ptr<Child>> daemons;
  for (int i = 0; i < 3; ++i)
    daemons.push_back(std::make_unique<Child>(std::vector<std::string>{"run", "--config", cfg}));
  ASSERT_TRUE(eventually([&] { return all_succeeded(db, 1); }, 240)) << daemons[0]->err();
  // The next interval: every feed is due again (as if an hour had passed).
  db.scalar("WITH u AS (UPDATE feeds SET next_poll_at = now() RETURNING 1) SELECT count(*) FROM u");
  ASSERT_TRUE(eventually([&] { return all_succeeded(db, 2); }, 240)) << daemons[0]->err();
  std::this_thread::sleep_for(std::chrono::seconds(2));  // any duplicate fetch would have arrived by now
  stop_all(daemons);

  std::map<std::string, int> hits = hits_by_target(server);
  EXPECT_EQ(hits.size(), static_cast<std::size_t>(k_feeds));
  for (const auto& [target, n] : hits)
    EXPECT_EQ(n, 2) << target << " was fetched " << n << " times in 2 intervals";
  EXPECT_EQ(db.scalar("SELECT count(*) FROM articles"), std::to_string(k_feeds));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM fetch_log WHERE feed_id IS NOT NULL"),
            std::to_string(2 * k_feeds));
  // The work was shared: more than one daemon polled.
  int daemons_that_polled = 0;
  for (auto& d : daemons) daemons_that_polled += d->err().find("poll feed=") != std::string::npos ? 1 : 0;
  EXPECT_GE(daemons_that_polled, 2);
}

// One of three daemons is killed (SIGKILL: no drain, no lease released) in the
// middle of the cycle. The feeds it had claimed and not finished are fetched by
// the others once its lease has expired, and by then only, or earlier when a
// survivor's sweep sees that the dead daemon's pid is gone; every other feed
// is still fetched exactly once; nothing is lost.
TEST(MultiDaemon, KilledDaemonsLeasedFeedsAreTakenOverAndNothingIsLost) {
  TempDatabase db;
  TempDir dir;
  // Slow answers, so each daemon always has polls in flight and claimed feeds waiting.
  HttpServer server(
      [](const HttpRequest& r) {
        std::this_thread::sleep_for(std::chrono::milliseconds(40));
        return feed_reply(r);
      },
      /*threads=*/8);
  std::string cfg = dir.write("c.yaml", config_yaml(db, dir, server));
  ASSERT_EQ(run_feedwatch({"migrate", "--config", cfg}).exit_code, 0);

  std::vector<std::unique_ptr<Child>> daemons;
  for (int i = 0; i < 3; ++i) {
    daemons.push_back(
        std::make_unique<Child>(std::vector<std::string>{"run", "--config", cfg, "--lease", "12s"}));
  }
  // Each daemon's owner id, from its start-up line.
  std::vector<std::string> owners(daemons.size());
  ASSERT_TRUE(eventually(
      [&] {
        for (std::size_t i = 0; i < daemons.size(); ++i) {
          std::string err = daemons[i]->err();
          std::size_t at = err.find("owner=");
          if (at == std::string::npos) return false;
          owners[i] = err.substr(at + 6, err.find_first_of(" \n", at) - at - 6);
        }
        return true;
      },
      60));
  // Mid-cycle: some polls are finished and a daemon holds leases on others;
  // that one is the victim (a daemon may claim up to 256 of the 500 feeds, so
  // the one started first need not be the one holding leases).
  std::size_t victim = 0;
  ASSERT_TRUE(eventually(
      [&] {
        if (std::stoi(db.scalar("SELECT count(*) FROM fetch_log l JOIN feeds f ON f.id = l.feed_id "
                                "WHERE l.outcome = 'ok'")) < 60)
          return false;
        for (std::size_t i = 0; i < owners.size(); ++i) {
          if (db.scalar("SELECT count(*) > 0 FROM feeds WHERE lease_owner = $1 AND lease_until > now()",
                        {owners[i]}) == "t") {
            victim = i;
            return true;
          }
        }
        return false;
      },
      120))
      << daemons[0]->err();
  const std::string victim_owner = owners[victim];
  daemons[victim]->signal(SIGKILL);
  ASSERT_TRUE(daemons[victim]->wait_for(10).has_value());
  auto killed_at = std::chrono::steady_clock::now();
  daemons.erase(daemons.begin() + static_cast<std::ptrdiff_t>(victim));

  // What the dead daemon left: feeds it had claimed, not recorded, leased until when.
  auto orphans_text = db.scalar(
      "SELECT coalesce(string_agg('/feed/' || substr(name, 2) || '=' || "
      "  (extract(epoch FROM lease_until - now()) * 1000)::bigint, ' '), '') "
      "FROM feeds WHERE lease_owner = $1",
      {victim_owner});
  std::map<std::string, std::chrono::steady_clock::time_point> orphans;  // target -> lease expiry
  std::istringstream in(orphans_text);
  std::string item;
  while (in >> item) {
    std::size_t eq = item.find('=');
    orphans[item.substr(0, eq)] = killed_at + std::chrono::milliseconds(std::stoll(item.substr(eq + 1)));
  }
  ASSERT_FALSE(orphans.empty()) << "the daemon held no lease when killed";

  ASSERT_TRUE(eventually([&] { return all_succeeded(db, 1); }, 240)) << daemons[0]->err();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  stop_all(daemons);

  EXPECT_EQ(db.scalar("SELECT count(*) FROM fetch_log WHERE feed_id IS NOT NULL"),
            std::to_string(k_feeds));  // each recorded once
  EXPECT_EQ(db.scalar("SELECT count(*) FROM articles"), std::to_string(k_feeds));
  std::map<std::string, int> hits = hits_by_target(server);
  EXPECT_EQ(hits.size(), static_cast<std::size_t>(k_feeds));
  for (const auto& [target, n] : hits) {
    if (orphans.count(target)) {
      EXPECT_LE(n, 2) << target;  // at most the dead daemon's unanswered request and the takeover
    } else {
      EXPECT_EQ(n, 1) << target << " was fetched " << n << " times";
    }
  }
  // Taken over only once the dead daemon's lease had run out (100 ms for clock
  // reading slack), unless a survivor's sweep found first that the victim's pid
  // was gone (all three run on this host) and gave its feeds back.
  bool buried = false;
  for (const auto& d : daemons)
    buried |= d->err().find("dead_daemon_feeds_released owner=" + victim_owner) != std::string::npos;
  std::cout << "[ takeover ] " << (buried ? "the victim's death was seen by a sweep" : "by lease expiry")
            << "\n";
  if (buried) return;
  for (const auto& r : server.requests()) {
    auto it = orphans.find(r.target);
    if (it == orphans.end() || r.received < killed_at) continue;
    EXPECT_GE(r.received, it->second - std::chrono::milliseconds(100)) << r.target;
  }
}

}  // namespace
}  // namespace fw::test
