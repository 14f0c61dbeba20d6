// Per-host politeness, Retry-After and feed-provided intervals, end to end:
// `feedwatch once` against loopback servers that time and count requests.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/support/http_server.hpp"
#include "tests/support/support.hpp"

namespace fw::test {
namespace {

std::string config(const TempDatabase& db, const TempDir& dir, const std::string& per_host,
                   const std::vector<std::string>& urls) {
  std::string yaml = "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
                     "\"\nhttp:\n  allow_private_networks: true\n  per_host: " + per_host + "\nfeeds:\n";
  for (std::size_t i = 0; i < urls.size(); ++i) {
    yaml += "  - name: f" + std::to_string(i) + "\n    url: \"" + urls[i] + "\"\n    interval: 15m\n";
  }
  return dir.write("c.yaml", yaml);
}

std::string rss(const std::string& channel_extra) {
  return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>http://x/</link>" +
         channel_extra + "<item><title>a</title><guid>http://x/a</guid></item></channel></rss>";
}

TEST(Politeness, MinDelaySpacesRequestsToOneHost) {
  TempDatabase db;
  TempDir dir;
  HttpServer server([](const HttpRequest&) { return HttpReply{200, {}, rss("")}; });
  std::string cfg = config(db, dir, "{ max_concurrent: 2, min_delay: 1s }",
                           {server.url("/a"), server.url("/b"), server.url("/c")});
  ProcessResult r = run_feedwatch({"once", "--config", cfg});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (std::size_t i = 1; i < requests.size(); ++i) {
    auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(requests[i].received -
                                                                     requests[i - 1].received);
    EXPECT_GE(gap.count(), 900) << "request " << i << " came " << gap.count() << " ms after the one before";
  }
  EXPECT_EQ(db.scalar("SELECT count(*) FROM fetch_log WHERE outcome = 'ok'"), "3");
}

// Polls `feeds` feeds of one host with `per_host`; every request takes 400 ms.
// The most requests the server saw at once.
int peak_concurrency(const std::string& per_host, int feeds) {
  TempDatabase db;
  TempDir dir;
  std::atomic<int> now{0};
  std::atomic<int> peak{0};
  HttpServer server(
      [&](const HttpRequest&) {
        int n = ++now;
        int p = peak.load();
        while (n > p && !peak.compare_exchange_weak(p, n)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        --now;
        return HttpReply{200, {}, rss("")};
      },
      /*threads=*/feeds);
  std::vector<std::string> urls;
  for (int i = 0; i < feeds; ++i) urls.push_back(server.url("/feed" + std::to_string(i)));
  std::string cfg = config(db, dir, per_host, urls);
  ProcessResult r = run_feedwatch({"once", "--config", cfg});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server.requests().size(), static_cast<std::size_t>(feeds));
  return peak.load();
}

TEST(Politeness, MaxConcurrentIsNeverExceeded) {
  EXPECT_EQ(peak_concurrency("{ max_concurrent: 2, min_delay: 0s }", 6), 2);
}

// libcurl's own limit of connections per host follows max_concurrent: it was
// 4 whatever the config said, so a fifth request went out only when one of
// the first four finished.
TEST(Politeness, MaxConcurrentAboveFourIsReached) {
  EXPECT_EQ(peak_concurrency("{ max_concurrent: 6, min_delay: 0s }", 12), 6);
}

TEST(Politeness, RetryAfterSecondsPostponesTheNextPoll) {
  TempDatabase db;
  TempDir dir;
  HttpServer server([](const HttpRequest&) {
    return HttpReply{429, {{"Retry-After", "7200"}}, "slow down"};
  });
  std::string cfg = config(db, dir, "{ max_concurrent: 2, min_delay: 1s }", {server.url("/feed")});
  ASSERT_EQ(run_feedwatch({"once", "--config", cfg}).exit_code, 0);
  EXPECT_EQ(
      db.scalar(
          "SELECT next_poll_at BETWEEN now() + interval '7190 seconds' AND now() + interval '7210 seconds' "
          "FROM feeds"),
      "t");
}

TEST(Politeness, RetryAfterHttpDatePostponesTheNextPoll) {
  TempDatabase db;
  TempDir dir;
  std::string when = db.scalar(
      "SELECT to_char((now() + interval '3 hours') AT TIME ZONE 'UTC', 'Dy, DD Mon YYYY HH24:MI:SS') || ' "
      "GMT'");
  HttpServer server([&](const HttpRequest&) {
    return HttpReply{503, {{"Retry-After", when}}, "maintenance"};
  });
  std::string cfg = config(db, dir, "{ max_concurrent: 2, min_delay: 1s }", {server.url("/feed")});
  ASSERT_EQ(run_feedwatch({"once", "--config", cfg}).exit_code, 0);
  EXPECT_EQ(
      db.scalar(
          "SELECT next_poll_at BETWEEN now() + interval '170 minutes' AND now() + interval '181 minutes' "
          "FROM feeds"),
      "t")
      << when;
}

// A 429 with Retry-After blocks its host: the host's other claimed feeds are
// not fetched, and rather than waiting out their leases (and being claimed
// again at every sweep while the block lasts) they go back, due when it ends.
TEST(Politeness, RetryAfterGivesTheHostsWaitingFeedsBackDueWhenItEnds) {
  TempDatabase db;
  TempDir dir;
  HttpServer server([](const HttpRequest& r) {
    if (r.target == "/a") return HttpReply{429, {{"Retry-After", "3600"}}, "slow down"};
    return HttpReply{200, {}, rss("")};
  });
  std::string cfg = config(db, dir, "{ max_concurrent: 1, min_delay: 0s }",
                           {server.url("/a"), server.url("/b"), server.url("/c")});
  ProcessResult r = run_feedwatch({"once", "--config", cfg});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server.hits("/a"), 1);
  EXPECT_EQ(server.hits("/b") + server.hits("/c"), 0);
  EXPECT_NE(r.err.find("polls_postponed host=127.0.0.1 feeds=2"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("poll_skipped"), std::string::npos) << r.err;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM feeds WHERE name IN ('f1', 'f2') AND lease_owner IS NULL "
                      "AND next_poll_at BETWEEN now() + interval '3590 s' AND now() + interval '3610 s'"),
            "2");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM fetch_log"), "1");  // only the poll that was made
}

// The same for article pages: after one page's 429, the host's other due
// page is not fetched but goes back, due when the block ends, and `once`
// returns instead of waiting the block out.
TEST(Politeness, RetryAfterOnAPageGivesTheHostsWaitingPagesBack) {
  TempDatabase db;
  TempDir dir;
  HttpServer server([&](const HttpRequest& r) {
    if (r.target == "/feed") {
      return HttpReply{200,
                       {},
                       "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>" +
                           server.url("/") + "</link><item><title>one</title><link>" + server.url("/p1") +
                           "</link></item><item><title>two</title><link>" + server.url("/p2") +
                           "</link></item></channel></rss>"};
    }
    if (r.target == "/robots.txt") return HttpReply{404, {}, ""};
    return HttpReply{429, {{"Retry-After", "20"}}, "slow down"};
  });
  const std::string cfg = dir.write(
      "c.yaml",
      "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
          "\"\nhttp:\n  allow_private_networks: true\n  per_host: { max_concurrent: 1, min_delay: 0s }\n"
          "feeds:\n  - name: f\n    url: \"" +
          server.url("/feed") + "\"\n    fetch_articles: true\n");
  ProcessResult r = run_feedwatch({"once", "--config", cfg});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(server.hits("/p1") + server.hits("/p2"), 1);
  EXPECT_NE(r.err.find("page_postponed"), std::string::npos) << r.err;
  // The postponed page is due when the block ends; the one fetched retries no sooner either.
  EXPECT_EQ(
      db.scalar("SELECT count(*) FILTER (WHERE next_check_at BETWEEN now() + interval '10 s' AND now() + "
                "interval '21 s') || ' ' || count(*) FILTER (WHERE next_check_at > now() + interval '10 s') "
                "FROM articles WHERE lease_owner IS NULL"),
      "1 2")
      << db.scalar("SELECT string_agg((next_check_at - now())::text, ', ') FROM articles");
}

TEST(Politeness, FeedTtlLengthensTheInterval) {
  TempDatabase db;
  TempDir dir;
  HttpServer server([](const HttpRequest&) { return HttpReply{200, {}, rss("<ttl>180</ttl>")}; });
  std::string cfg = config(db, dir, "{ max_concurrent: 2, min_delay: 1s }", {server.url("/feed")});
  ASSERT_EQ(run_feedwatch({"once", "--config", cfg}).exit_code, 0);
  // <ttl> is in minutes (RSS 2.0): three hours, longer than the 15 m floor.
  EXPECT_EQ(
      db.scalar(
          "SELECT next_poll_at BETWEEN now() + interval '179 minutes' AND now() + interval '181 minutes' "
          "FROM feeds"),
      "t");
}

// A 304 has no document to read a <ttl> from: the hint the last full store
// saw still holds (the document is unchanged), and a 304's own max-age counts.
TEST(Politeness, FeedTtlStillLengthensTheIntervalAfterA304) {
  TempDatabase db;
  TempDir dir;
  std::atomic<int> max_age{0};
  HttpServer server([&](const HttpRequest& r) {
    std::vector<std::pair<std::string, std::string>> headers{{"ETag", "\"t1\""}};
    if (max_age.load() > 0)
      headers.emplace_back("Cache-Control", "max-age=" + std::to_string(max_age.load()));
    if (r.header("if-none-match") == "\"t1\"") return HttpReply{304, headers, ""};
    return HttpReply{200, headers, rss("<ttl>180</ttl>")};
  });
  std::string cfg = config(db, dir, "{ max_concurrent: 2, min_delay: 1s }", {server.url("/feed")});
  const std::string next = "SELECT round(extract(epoch FROM next_poll_at - last_polled_at) / 60) FROM feeds";
  ASSERT_EQ(run_feedwatch({"once", "--config", cfg}).exit_code, 0);
  EXPECT_EQ(db.scalar(next), "180");
  EXPECT_EQ(db.scalar("SELECT hint_ttl_s FROM feeds"), "10800");
  ASSERT_EQ(run_feedwatch({"once", "--config", cfg}).exit_code, 0);
  EXPECT_EQ(db.scalar("SELECT string_agg(outcome, ',' ORDER BY id) FROM fetch_log"), "ok,not_modified");
  EXPECT_EQ(db.scalar(next), "180");  // it was the configured 15 m
  max_age = 5 * 3600;
  ASSERT_EQ(run_feedwatch({"once", "--config", cfg}).exit_code, 0);
  EXPECT_EQ(db.scalar(next), "300");  // the 304's max-age, longer than the hint
}

// The posting rate kept for 304s is bounded by the interval configured at
// the time of each poll, not at the time it was measured: a lowered interval
// applies at once (a kept bound would have held it at 4 x the old one).
TEST(Politeness, KeptPostingRateFollowsAChangedInterval) {
  TempDatabase db;
  TempDir dir;
  std::string items;
  for (int day = 1; day <= 5; ++day) {
    items += "<item><title>p" + std::to_string(day) + "</title><guid>http://x/p" + std::to_string(day) +
             "</guid><pubDate>0" + std::to_string(day) + " Jan 2025 10:00:00 GMT</pubDate></item>";
  }
  HttpServer server([&](const HttpRequest& r) {
    if (r.header("if-none-match") == "\"p1\"") return HttpReply{304, {{"ETag", "\"p1\""}}, ""};
    return HttpReply{200, {{"ETag", "\"p1\""}}, rss(items)};
  });
  std::string cfg = config(db, dir, "{ max_concurrent: 2, min_delay: 1s }", {server.url("/feed")});
  const std::string next = "SELECT round(extract(epoch FROM next_poll_at - last_polled_at) / 60) FROM feeds";
  ASSERT_EQ(run_feedwatch({"once", "--config", cfg}).exit_code, 0);
  EXPECT_EQ(db.scalar("SELECT hint_posting_s FROM feeds"), "21600");  // a post a day, polled 4 times a day
  EXPECT_EQ(db.scalar(next), "60");                                   // bounded by 4 x 15 m
  ASSERT_EQ(run_feedwatch({"once", "--config", cfg}).exit_code, 0);
  EXPECT_EQ(db.scalar(next), "60");  // the 304 too
  std::string text = read_file(cfg);
  text.replace(text.find("interval: 15m"), 13, "interval: 2m");
  dir.write("c.yaml", text);
  ASSERT_EQ(run_feedwatch({"once", "--config", cfg}).exit_code, 0);
  EXPECT_EQ(db.scalar("SELECT string_agg(outcome, ',' ORDER BY id) FROM fetch_log"),
            "ok,not_modified,not_modified");
  EXPECT_EQ(db.scalar(next), "8");  // 4 x 2 m
}

TEST(Politeness, ShortCacheMaxAgeDoesNotShortenTheInterval) {
  TempDatabase db;
  TempDir dir;
  HttpServer server([](const HttpRequest&) {
    return HttpReply{200, {{"Cache-Control", "max-age=60"}}, rss("")};
  });
  std::string cfg = config(db, dir, "{ max_concurrent: 2, min_delay: 1s }", {server.url("/feed")});
  ASSERT_EQ(run_feedwatch({"once", "--config", cfg}).exit_code, 0);
  EXPECT_EQ(
      db.scalar("SELECT next_poll_at BETWEEN now() + interval '14 minutes' AND now() + interval '16 minutes' "
                "FROM feeds"),
      "t");
}

// A failing feed is polled again after its interval doubled per failure in a
// row (±10 % jitter), up to a day, and never given up: the tenth and the
// fortieth failure are both a day away, no more. A feed whose interval is
// longer than a day is not polled more often for failing.
TEST(Politeness, BackoffDoublesFromTheIntervalUpToADayAndNeverGivesUp) {
  TempDatabase db;
  TempDir dir;
  HttpServer server([](const HttpRequest&) { return HttpReply{500, {}, "down"}; });
  std::string yaml = "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
                     "\"\nhttp:\n  allow_private_networks: true\nfeeds:\n"
                     "  - name: often\n    url: \"" +
                     server.url("/often") +
                     "\"\n    interval: 15m\n"
                     "  - name: rarely\n    url: \"" +
                     server.url("/rarely") + "\"\n    interval: 3d\n";
  const std::string cfg = dir.write("c.yaml", yaml);
  // Seconds until the next poll of `name`, just after `once`.
  auto delay = [&](const std::string& name) {
    return std::stod(db.scalar(
        "SELECT extract(epoch FROM next_poll_at - last_polled_at) FROM feeds WHERE name = '" + name + "'"));
  };
  const double day = 86400;
  for (int failures = 1; failures <= 9; ++failures) {
    ASSERT_EQ(run_feedwatch({"once", "--config", cfg}).exit_code, 0);
    ASSERT_EQ(db.scalar("SELECT error_count FROM feeds WHERE name = 'often'"), std::to_string(failures));
    const double expected = std::min(900.0 * (1 << (failures - 1)), day);
    EXPECT_GE(delay("often"), expected * 0.9 - 1) << failures << " failures";
    EXPECT_LE(delay("often"), std::min(expected * 1.1, day) + 1) << failures << " failures";
    EXPECT_GE(delay("rarely"), 3 * day * 0.9 - 1) << failures << " failures";
    EXPECT_LE(delay("rarely"), 3 * day + 1) << failures << " failures";
  }
  db.scalar("UPDATE feeds SET error_count = 40 RETURNING 1");
  ASSERT_EQ(run_feedwatch({"once", "--config", cfg}).exit_code, 0);
  EXPECT_EQ(db.scalar("SELECT error_count FROM feeds WHERE name = 'often'"), "41");
  EXPECT_GE(delay("often"), day * 0.9 - 1);
  EXPECT_LE(delay("often"), day + 1);
  EXPECT_EQ(server.hits("/often"), 10);
}

}  // namespace
}  // namespace fw::test
