// A running daemon keeps the feeds it polls (sql/013_kept_leases.sql): each
// stays leased by it until its next poll is due plus the lease, and is polled
// again from the daemon's own schedule, with no claim; a daemon started later
// gets a share from the others; a dead daemon's kept feeds are taken over once
// their leases run out, and not before.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_server.hpp"
#include "tests/support/support.hpp"

namespace fw::test {
namespace {

std::string rss(const std::string& title) {
  return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>" + title +
         "</title><link>http://x/</link><item><title>a</title><guid>http://x/" + title +
         "</guid></item></channel></rss>";
}

std::string config_yaml(const TempDatabase& db, const TempDir& dir, const HttpServer& server, int feeds,
                        const std::string& interval) {
  std::string yaml = "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
                     "\"\nhttp:\n  allow_private_networks: true\n  timeout: 3s\n"
                     "  per_host: { max_concurrent: 8, min_delay: 0s }\nfeeds:\n";
  for (int i = 0; i < feeds; ++i) {
    yaml += "  - name: f" + std::to_string(i) + "\n    url: \"" + server.url("/feed/" + std::to_string(i)) +
            "\"\n    interval: " + interval + "\n    fetch_articles: false\n";
  }
  return yaml;
}

// A feed server: its first answer a body with ETag "v1", then 304s, with ETag
// "vN" for the Nth answer or "v1" every time.
HttpHandler one_body_then_304s(const std::string& title, bool new_etag_each_time) {
  auto served = std::make_shared<std::atomic<int>>(0);
  return [=](const HttpRequest&) {
    const int n = ++*served;
    if (n == 1) return HttpReply{200, {{"ETag", "\"v1\""}}, rss(title)};
    return HttpReply{304, {{"ETag", "\"v" + std::to_string(new_etag_each_time ? n : 1) + "\""}}, ""};
  };
}

std::string owner_of(const Child& daemon) {
  std::string err = daemon.err();
  std::size_t at = err.find("owner=");
  if (at == std::string::npos) return {};
  return err.substr(at + 6, err.find_first_of(" \n", at) - at - 6);
}

// Between its polls a kept feed is leased by the daemon, so no claim could
// take it (a claim takes only unleased feeds and leases that ran out): polls
// that go on while the row is never free come from the daemon's own
// schedule. Validators a 304 refreshes are used by the next request.
TEST(KeptLeases, RunningDaemonPollsItsKeptFeedsWithoutFreeingThem) {
  TempDatabase db;
  TempDir dir;
  // The first answer has a body and ETag "v1"; then 304s, each with the next ETag.
  HttpServer server(one_body_then_304s("kept", /*new_etag_each_time=*/true));
  std::string cfg = dir.write("c.yaml", config_yaml(db, dir, server, 1, "1s"));
  ASSERT_EQ(run_feedwatch({"migrate", "--config", cfg}).exit_code, 0);
  Child daemon({"run", "--config", cfg, "--lease", "20s"});
  ASSERT_TRUE(eventually([&] { return !owner_of(daemon).empty(); }, 60)) << daemon.err();
  const std::string owner = owner_of(daemon);
  ASSERT_TRUE(eventually([&] { return server.requests().size() >= 2; }, 60)) << daemon.err();

  // From the second poll on, sampled until four more polls have come: the
  // row is leased by the daemon every time, until next_poll_at + the lease.
  const std::size_t before = server.requests().size();
  int samples = 0;
  while (server.requests().size() < before + 4) {
    ASSERT_EQ(
        db.scalar("SELECT lease_owner = $1 AND lease_until > now() "
                  "AND lease_until - next_poll_at BETWEEN interval '19 s' AND interval '21 s' FROM feeds",
                  {owner}),
        "t")
        << daemon.err();
    ++samples;
    ASSERT_LT(samples, 1200) << "the kept feed stopped being polled";
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  // Each request carried the ETag of the answer before it: the kept feed's
  // validators follow the 304s.
  std::vector<HttpRequest> requests = server.requests();
  ASSERT_GE(requests.size(), 6U);
  EXPECT_FALSE(requests[0].has_header("if-none-match"));
  for (std::size_t i = 1; i < requests.size(); ++i)
    EXPECT_EQ(requests[i].header("if-none-match"), "\"v" + std::to_string(i) + "\"") << "request " << i;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pollers WHERE owner = $1", {owner}), "1");

  // A clean stop gives the feed back and leaves the daemons' table.
  daemon.signal(SIGTERM);
  ASSERT_TRUE(daemon.wait_for(30).has_value());
  EXPECT_EQ(db.scalar("SELECT lease_owner IS NULL AND lease_until IS NULL FROM feeds"), "t");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pollers"), "0");
  // The row holds the ETag of the last answer: each 304's batch wrote it.
  EXPECT_EQ(db.scalar("SELECT etag FROM feeds"), "\"v" + std::to_string(server.requests().size()) + "\"");
}

// A kept feed whose polls change nothing (the same 304, the same ETag) has
// its row written once, by the first such poll's batch; each poll after it
// writes only its fetch_log row (sql/014). The row's lease runs out meanwhile
// and the feed stays the daemon's: its heartbeat holds it, so `feedwatch
// once` leaves it alone. The polling state read by analysts follows the
// polls, and a clean stop writes the feed's due time back into its row.
TEST(KeptLeases, UnchangedPollsOfAKeptFeedWriteOnlyTheirLog) {
  TempDatabase db;
  TempDir dir;
  HttpServer server(one_body_then_304s("quiet", /*new_etag_each_time=*/false));
  std::string cfg = dir.write("c.yaml", config_yaml(db, dir, server, 1, "1s"));
  ASSERT_EQ(run_feedwatch({"migrate", "--config", cfg}).exit_code, 0);
  Child daemon({"run", "--config", cfg, "--lease", "4s"});
  ASSERT_TRUE(eventually([&] { return !owner_of(daemon).empty(); }, 60)) << daemon.err();
  const std::string owner = owner_of(daemon);
  const auto logged = [&] { return std::stoi(db.scalar("SELECT count(*) FROM fetch_log")); };
  // Poll 1 stored the feed, poll 2's batch wrote the kept row, poll 3 wrote nothing.
  ASSERT_TRUE(eventually([&] { return logged() >= 3; }, 60)) << daemon.err();
  const std::string row_version = db.scalar("SELECT xmin::text || ' ' || ctid::text FROM feeds");
  const int before = logged();
  // Past the row's lease (written with next_poll_at + 4 s): the feed is polled on.
  ASSERT_TRUE(eventually([&] { return logged() >= before + 7; }, 60)) << daemon.err();
  EXPECT_EQ(db.scalar("SELECT xmin::text || ' ' || ctid::text FROM feeds"), row_version)
      << "an unchanged poll rewrote the kept feed's row";
  EXPECT_EQ(db.scalar("SELECT lease_owner = $1 AND lease_until < now() FROM feeds", {owner}), "t");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM fetch_log WHERE outcome = 'not_modified' AND status = 304"),
            std::to_string(logged() - 1));

  // What analysts read follows the polls, not the row.
  EXPECT_EQ(db.scalar("SELECT ps.last_polled_at > f.last_polled_at + interval '3 s' "
                      "AND ps.last_polled_at > now() - interval '3 s' "
                      "AND ps.last_success_at = ps.last_polled_at AND ps.last_status = 304 "
                      "AND ps.next_poll_at - ps.last_polled_at = f.next_poll_at - f.last_polled_at "
                      "FROM feeds f JOIN feed_poll_state ps ON ps.id = f.id"),
            "t");
  EXPECT_EQ(db.scalar("SELECT last_polled_at > now() - interval '3 s' AND last_success_at > now() - "
                      "interval '3 s' FROM feed_health"),
            "t");
  // `feedwatch status`: "f0  ok  Ns ago ...", N the seconds since the last poll, not since the row's.
  ProcessResult status = run_feedwatch({"status", "--config", cfg});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  std::istringstream line(status.out.substr(status.out.find("\nf0 ") + 1));
  std::string name, state, last_ok;
  line >> name >> state >> last_ok;
  EXPECT_EQ(state, "ok") << status.out;
  ASSERT_TRUE(!last_ok.empty() && last_ok.back() == 's') << status.out;
  EXPECT_LE(std::stoi(last_ok), 3) << status.out;

  // The row's lease ran out, but its daemon is alive: not free for `once`.
  ProcessResult once = run_feedwatch({"once", "--config", cfg});
  EXPECT_EQ(once.exit_code, 0) << once.err;
  EXPECT_EQ(once.err.find("polls_unchanged"), std::string::npos) << once.err;

  daemon.signal(SIGTERM);
  ASSERT_TRUE(daemon.wait_for(30).has_value());
  // Released with the due time the daemon held (within the 1 s interval), not the row's old one.
  EXPECT_EQ(db.scalar("SELECT lease_owner IS NULL AND next_poll_at > now() - interval '2 s' FROM feeds"),
            "t");
}

// A daemon started while another one keeps every feed gets about half of
// them: the first gives back what exceeds its share at its next tick, and the
// second claims those when they are due.
TEST(KeptLeases, DaemonStartedLaterGetsAShare) {
  constexpr int k_feeds = 40;
  TempDatabase db;
  TempDir dir;
  HttpServer server([](const HttpRequest& r) { return HttpReply{200, {}, rss(r.target)}; }, /*threads=*/4);
  std::string cfg = dir.write("c.yaml", config_yaml(db, dir, server, k_feeds, "1h"));
  ASSERT_EQ(run_feedwatch({"migrate", "--config", cfg}).exit_code, 0);
  Child first({"run", "--config", cfg});
  ASSERT_TRUE(eventually([&] { return server.requests().size() == k_feeds; }, 60)) << first.err();
  ASSERT_TRUE(eventually([&] { return !owner_of(first).empty(); }, 10));
  const std::string owner = owner_of(first);
  ASSERT_TRUE(eventually(
      [&] { return db.scalar("SELECT count(*) FROM feeds WHERE lease_owner = $1", {owner}) == "40"; }, 30));

  Child second({"run", "--config", cfg});
  // Within a tick (30 s) of the first daemon: its share is 20, and 20 kept
  // feeds go back, those due last first.
  ASSERT_TRUE(eventually(
      [&] { return db.scalar("SELECT count(*) FROM feeds WHERE lease_owner = $1", {owner}) == "20"; }, 90))
      << first.err();
  EXPECT_NE(first.err().find("feeds_released count=20 share=20 daemons=2"), std::string::npos) << first.err();
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pollers WHERE alive_until > now()"), "2");
  // Two daemons alive on one host: neither takes the other for dead.
  EXPECT_EQ(first.err().find("dead_daemon_feeds_released"), std::string::npos) << first.err();
  EXPECT_EQ(second.err().find("dead_daemon_feeds_released"), std::string::npos) << second.err();

  // Every feed due again: the first daemon's sweep takes back its kept ones,
  // the second claims the rest. Each feed is fetched once more, and both work.
  db.scalar("WITH u AS (UPDATE feeds SET next_poll_at = now() RETURNING 1) SELECT count(*) FROM u");
  ASSERT_TRUE(eventually([&] { return server.requests().size() == 2 * k_feeds; }, 120))
      << first.err() << second.err();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  std::map<std::string, int> hits;
  for (const HttpRequest& r : server.requests()) ++hits[r.target];
  EXPECT_EQ(hits.size(), static_cast<std::size_t>(k_feeds));
  for (const auto& [target, n] : hits) EXPECT_EQ(n, 2) << target;
  const std::string second_owner = owner_of(second);
  EXPECT_GT(std::stoi(db.scalar("SELECT count(*) FROM feeds WHERE lease_owner = $1", {second_owner})), 0);
  EXPECT_GT(std::stoi(db.scalar("SELECT count(*) FROM feeds WHERE lease_owner = $1", {owner})), 0);
  for (Child* d : {&first, &second}) {
    d->signal(SIGTERM);
    ASSERT_TRUE(d->wait_for(30).has_value());
  }
  EXPECT_EQ(db.scalar("SELECT count(*) FROM feeds WHERE lease_owner IS NOT NULL"), "0");
}

// A daemon that died still counts as live until its heartbeat runs out, and
// meanwhile the daemons left have a smaller share. The share bounds only what
// a daemon keeps: every due feed is still polled, and those beyond the share
// are given back after each poll (here a `pollers` row that never runs out
// halves the share for good).
TEST(KeptLeases, FeedsBeyondTheShareArePolledAndGivenBack) {
  constexpr int k_feeds = 4;
  TempDatabase db;
  TempDir dir;
  HttpServer server([](const HttpRequest& r) { return HttpReply{200, {}, rss(r.target)}; });
  std::string cfg = dir.write("c.yaml", config_yaml(db, dir, server, k_feeds, "1s"));
  ASSERT_EQ(run_feedwatch({"migrate", "--config", cfg}).exit_code, 0);
  db.scalar(
      "INSERT INTO pollers (owner, alive_until) VALUES ('gone:1', now() + interval '1 hour') "
      "RETURNING owner");
  Child daemon({"run", "--config", cfg, "--lease", "10s"});
  ASSERT_TRUE(eventually([&] { return !owner_of(daemon).empty(); }, 60)) << daemon.err();
  const std::string owner = owner_of(daemon);
  const auto polls_per_feed = [&] {
    std::map<std::string, int> hits;
    for (const HttpRequest& r : server.requests()) ++hits[r.target];
    return hits;
  };
  // Sampled until every feed has been polled three times: the daemon never
  // keeps more than its share (2 of 4) between polls.
  int samples = 0;
  for (;;) {
    const std::map<std::string, int> hits = polls_per_feed();
    if (hits.size() == k_feeds &&
        std::all_of(hits.begin(), hits.end(), [](const auto& h) { return h.second >= 3; }))
      break;
    EXPECT_LE(std::stoi(db.scalar(
                  "SELECT count(*) FROM feeds WHERE lease_owner = $1 AND next_poll_at > now()", {owner})),
              2);
    ++samples;
    ASSERT_LT(samples, 1200) << "some feeds were not polled: " << server.requests().size() << " requests\n"
                             << daemon.err();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  daemon.signal(SIGTERM);
  ASSERT_TRUE(daemon.wait_for(30).has_value());
}

// Runs a daemon with the lease given until it has polled every one of
// `feeds` twice, then kills it with SIGKILL; its owner id in `owner`.
void run_then_kill(const std::string& cfg, const HttpServer& server, int feeds, const std::string& lease,
                   std::string& owner) {
  Child victim({"run", "--config", cfg, "--lease", lease});
  ASSERT_TRUE(eventually([&] { return server.requests().size() >= 2 * static_cast<std::size_t>(feeds); }, 60))
      << victim.err();
  ASSERT_TRUE(eventually([&] { return !owner_of(victim).empty(); }, 10));
  owner = owner_of(victim);
  victim.signal(SIGKILL);
  ASSERT_TRUE(victim.wait_for(10).has_value());
}

// A daemon on another host killed while it keeps feeds: no one polls them
// until next_poll_at + the lease (the dead daemon's lease_until) and its
// heartbeat have both run out, then another daemon does.
TEST(KeptLeases, DeadDaemonsKeptFeedsAreTakenOverWhenTheirLeasesRunOut) {
  constexpr int k_feeds = 5;
  TempDatabase db;
  TempDir dir;
  HttpServer server([](const HttpRequest& r) { return HttpReply{200, {}, rss(r.target)}; });
  std::string cfg = dir.write("c.yaml", config_yaml(db, dir, server, k_feeds, "2s"));
  ASSERT_EQ(run_feedwatch({"migrate", "--config", cfg}).exit_code, 0);
  std::string victim_owner;
  ASSERT_NO_FATAL_FAILURE(run_then_kill(cfg, server, k_feeds, "6s", victim_owner));
  const auto killed_at = std::chrono::steady_clock::now();
  const std::size_t served_at_kill = server.requests().size();
  // An heir on the victim's machine would see at once that it died (the next
  // test): renamed as a daemon on another host, it leaves its feeds to their leases.
  const std::string owner = "elsewhere.example:" + victim_owner.substr(victim_owner.rfind(':') + 1);
  ASSERT_EQ(db.scalar("WITH f AS (UPDATE feeds SET lease_owner = $2 WHERE lease_owner = $1 RETURNING 1), "
                      // (its last beat as if made 80 of its 90 s before the kill: the test waits less)
                      "p AS (UPDATE pollers SET owner = $2, alive_until = least(alive_until, now() + "
                      "interval '10 s') WHERE owner = $1 RETURNING 1) "
                      "SELECT (SELECT count(*) FROM f) || '/' || (SELECT count(*) FROM p)",
                      {victim_owner, owner}),
            std::to_string(k_feeds) + "/1");

  // Each feed's lease as the dead daemon left it: until its row's lease ran
  // out and its heartbeat too (sql/014: a kept row is not written by polls
  // that change nothing, so its lease_until may have passed already).
  std::map<std::string, std::chrono::steady_clock::time_point> lease_end;
  db::Connection conn = db.connect();
  auto rows = conn.exec(
      "SELECT '/feed/' || substr(f.name, 2), "
      "       (extract(epoch FROM greatest(f.lease_until, p.alive_until) - now()) * 1000)::bigint "
      "FROM feeds f JOIN pollers p ON p.owner = f.lease_owner WHERE f.lease_owner = $1",
      {owner});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), k_feeds) << "every feed was kept by the daemon";
  for (int i = 0; i < rows->size(); ++i)
    lease_end[std::string(rows->get(i, 0))] = killed_at + std::chrono::milliseconds(rows->get_int(i, 1));

  Child heir({"run", "--config", cfg, "--lease", "6s"});
  // Every feed polled again (the heir finds run-out leases by its sweep, about once a minute).
  const auto feeds_polled_since_kill = [&] {
    std::set<std::string> targets;
    const std::vector<HttpRequest> all = server.requests();
    for (std::size_t i = served_at_kill; i < all.size(); ++i) targets.insert(all[i].target);
    return targets.size();
  };
  ASSERT_TRUE(eventually([&] { return feeds_polled_since_kill() == k_feeds; }, 150)) << heir.err();
  std::map<std::string, bool> taken;
  const std::vector<HttpRequest> requests = server.requests();
  for (std::size_t i = served_at_kill; i < requests.size(); ++i) {
    const HttpRequest& r = requests[i];
    if (taken[r.target]) continue;
    taken[r.target] = true;
    // 100 ms for the slack of reading the clock on both sides.
    EXPECT_GE(r.received, lease_end.at(r.target) - std::chrono::milliseconds(100)) << r.target;
  }
  EXPECT_EQ(taken.size(), static_cast<std::size_t>(k_feeds));
  heir.signal(SIGTERM);
  ASSERT_TRUE(heir.wait_for(30).has_value());
}

// A daemon on this host killed while it keeps feeds (systemd restarting a
// crashed service): the heir sees that its pid is gone and takes the feeds
// at once, long before their leases would run out, and removes its row
// from `pollers`.
TEST(KeptLeases, DeadDaemonOnThisHostIsReplacedAtOnce) {
  constexpr int k_feeds = 5;
  TempDatabase db;
  TempDir dir;
  HttpServer server([](const HttpRequest& r) { return HttpReply{200, {}, rss(r.target)}; });
  std::string cfg = dir.write("c.yaml", config_yaml(db, dir, server, k_feeds, "2s"));
  ASSERT_EQ(run_feedwatch({"migrate", "--config", cfg}).exit_code, 0);
  std::string victim_owner;
  ASSERT_NO_FATAL_FAILURE(run_then_kill(cfg, server, k_feeds, "120s", victim_owner));
  ASSERT_EQ(db.scalar("SELECT count(*) FROM feeds WHERE lease_owner = $1 AND lease_until > now() + "
                      "interval '100 s'",
                      {victim_owner}),
            std::to_string(k_feeds))
      << "every feed was kept by the victim for two more minutes";
  const std::size_t served_at_kill = server.requests().size();
  const auto killed_at = std::chrono::steady_clock::now();

  Child heir({"run", "--config", cfg, "--lease", "120s"});
  ASSERT_TRUE(eventually(
      [&] {
        std::set<std::string> targets;
        const std::vector<HttpRequest> all = server.requests();
        for (std::size_t i = served_at_kill; i < all.size(); ++i) targets.insert(all[i].target);
        return targets.size() == k_feeds;
      },
      60))
      << heir.err();
  // Each feed at its next due time, not after the lease (100 s and more).
  EXPECT_LT(std::chrono::steady_clock::now() - killed_at, std::chrono::seconds(60));
  EXPECT_NE(heir.err().find("dead_daemon_feeds_released owner=" + victim_owner + " feeds=5"),
            std::string::npos)
      << heir.err();
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pollers WHERE owner = $1", {victim_owner}), "0");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM feeds WHERE lease_owner = $1", {victim_owner}), "0");
  heir.signal(SIGTERM);
  ASSERT_TRUE(heir.wait_for(30).has_value());
}

// A daemon that stalled past its lease while another daemon's sweep took its
// feed over: its next record (from its own schedule, with no claim) leaves
// the other daemon's lease alone, and it stops polling the feed, or both
// daemons would go on polling it. (The feed answers the same entries every
// time, so the loss is seen by the batch of unchanged polls.)
TEST(KeptLeases, DaemonGivesUpAKeptFeedThatAnotherDaemonTookOver) {
  TempDatabase db;
  TempDir dir;
  HttpServer server([](const HttpRequest&) { return HttpReply{200, {}, rss("taken")}; });
  std::string cfg = dir.write("c.yaml", config_yaml(db, dir, server, 1, "1s"));
  ASSERT_EQ(run_feedwatch({"migrate", "--config", cfg}).exit_code, 0);
  Child daemon({"run", "--config", cfg, "--lease", "20s"});
  ASSERT_TRUE(eventually([&] { return !owner_of(daemon).empty(); }, 60)) << daemon.err();
  const std::string owner = owner_of(daemon);
  ASSERT_TRUE(eventually([&] { return server.requests().size() >= 2; }, 60)) << daemon.err();
  ASSERT_TRUE(eventually([&] { return db.scalar("SELECT lease_owner FROM feeds") == owner; }, 10))
      << daemon.err();

  // Another daemon's sweep takes the feed (its lease as this daemon left it would have to have run out).
  db.scalar(
      "WITH t AS (UPDATE feeds SET lease_owner = 'elsewhere.example:7', "
      "lease_until = now() + interval '1 hour' RETURNING 1) SELECT count(*) FROM t");
  ASSERT_TRUE(eventually([&] { return daemon.err().find("lease_lost feed=f0") != std::string::npos; }, 30))
      << daemon.err();
  const std::size_t after_loss = server.requests().size();
  std::this_thread::sleep_for(std::chrono::seconds(4));  // four intervals
  EXPECT_LE(server.requests().size(), after_loss + 1) << "the daemon still polls a feed it lost";
  EXPECT_EQ(
      db.scalar("SELECT lease_owner || ' ' || (lease_until > now() + interval '50 minutes') FROM feeds"),
      "elsewhere.example:7 true");
  daemon.signal(SIGTERM);
  ASSERT_TRUE(daemon.wait_for(30).has_value());
  EXPECT_EQ(db.scalar("SELECT lease_owner FROM feeds"), "elsewhere.example:7");
}

}  // namespace
}  // namespace fw::test
