// robots.txt through the fetcher: a request with obey_robots is checked against
// its origin's robots.txt (fetched once, shared by concurrent requests, cached);
// a disallowed URL is never contacted; feed polls (no flag) are not affected.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>

#include "daemon/net/fetcher.hpp"
#include "tests/support/http_server.hpp"
#include "tests/support/support.hpp"

namespace fw::net {
namespace {

using test::HttpReply;
using test::HttpRequest;
using test::HttpServer;

FetchOptions loopback_options() {
  FetchOptions o;
  o.allow_private_networks = true;
  o.user_agent = "feedwatch/1.0 (+https://example.org/contact)";
  o.timeout = std::chrono::milliseconds(5000);
  return o;
}

Request article(const std::string& url) {
  Request r;
  r.url = url;
  r.obey_robots = true;
  return r;
}

// Runs the fetches one after the other on one fetcher (one robots cache).
struct Session {
  explicit Session(FetchOptions options = loopback_options()) : fetcher(io, std::move(options)) {}
  FetchResult fetch(Request r) {
    std::optional<FetchResult> out;
    fetcher.fetch(std::move(r), [&](FetchResult result) { out = std::move(result); });
    io.restart();  // a loop that ran out of work stays stopped until restarted
    while (!out) io.run_one();
    return std::move(*out);
  }
  boost::asio::io_context io;
  Fetcher fetcher;
};

const char* k_robots =
    "User-agent: *\nDisallow: /\n\n"
    "User-agent: feedwatch\nDisallow: /private/\nAllow: /private/open/\n";

HttpReply site(const HttpRequest& r, int robots_status = 200) {
  if (r.target == "/robots.txt") return HttpReply{robots_status, {}, robots_status == 200 ? k_robots : "no"};
  return HttpReply{200, {}, "page " + r.target};
}

bool disallowed(const FetchResult& r) {
  const auto* f = std::get_if<FetchFailure>(&r);
  return f && f->kind == FetchErrorKind::robots_disallowed;
}

long status_of(const FetchResult& r) {
  const auto* resp = std::get_if<Response>(&r);
  return resp ? resp->status : -1;
}

TEST(RobotsFetch, DisallowedPageIsNeverRequested) {
  HttpServer server([](const HttpRequest& r) { return site(r); });
  Session s;
  FetchResult r = s.fetch(article(server.url("/private/a")));
  ASSERT_TRUE(disallowed(r));
  EXPECT_NE(std::get<FetchFailure>(r).message.find("robots.txt"), std::string::npos);
  EXPECT_EQ(server.hits("/private/a"), 0);
  EXPECT_EQ(status_of(s.fetch(article(server.url("/private/open/b")))), 200);  // the longer allow wins
  EXPECT_EQ(status_of(s.fetch(article(server.url("/news/c")))), 200);
  EXPECT_EQ(server.hits("/robots.txt"), 1);  // cached for the later requests
  // The robots.txt request itself carries our User-Agent.
  for (const auto& req : server.requests()) {
    if (req.target == "/robots.txt") {
      EXPECT_EQ(req.header("user-agent"), loopback_options().user_agent);
    }
  }
}

TEST(RobotsFetch, RequestsWithoutTheFlagIgnoreRobots) {
  HttpServer server([](const HttpRequest& r) { return site(r); });
  Session s;
  Request feed_poll;
  feed_poll.url = server.url("/private/feed");
  EXPECT_EQ(status_of(s.fetch(feed_poll)), 200);
  EXPECT_EQ(server.hits("/robots.txt"), 0);
}

TEST(RobotsFetch, MissingRobotsTxtAllowsEverything) {
  HttpServer server([](const HttpRequest& r) { return site(r, 404); });
  Session s;
  EXPECT_EQ(status_of(s.fetch(article(server.url("/private/a")))), 200);
  EXPECT_EQ(status_of(s.fetch(article(server.url("/private/b")))), 200);
  EXPECT_EQ(server.hits("/robots.txt"), 1);
}

TEST(RobotsFetch, ServerErrorDisallowsForAWhileThenTriesAgain) {
  std::atomic<int> robots_status{503};
  HttpServer server([&](const HttpRequest& r) { return site(r, robots_status.load()); });
  FetchOptions o = loopback_options();
  o.robots_error_ttl = std::chrono::seconds(1);
  Session s(o);
  EXPECT_TRUE(disallowed(s.fetch(article(server.url("/news/a")))));
  EXPECT_TRUE(disallowed(s.fetch(article(server.url("/news/b")))));
  EXPECT_EQ(server.hits("/robots.txt"), 1);  // the failure is remembered, not retried at once
  EXPECT_EQ(server.hits("/news/a") + server.hits("/news/b"), 0);
  robots_status = 200;
  // Once error_ttl has passed, robots.txt is fetched again and its rules apply.
  EXPECT_TRUE(
      test::eventually([&] { return status_of(s.fetch(article(server.url("/news/c")))) == 200; }, 10));
  EXPECT_EQ(server.hits("/robots.txt"), 2);
  EXPECT_TRUE(disallowed(s.fetch(article(server.url("/private/x")))));
}

// RFC 9309 §2.4: once a site has answered, a robots.txt that later cannot be
// fetched leaves its last good copy in force (rules included), asked again
// every error_ttl, until the copy is older than the stale limit.
TEST(RobotsFetch, LastGoodCopyStandsInWhileRobotsTxtIsUnreachable) {
  std::atomic<int> robots_status{200};
  HttpServer server([&](const HttpRequest& r) { return site(r, robots_status.load()); });
  FetchOptions o = loopback_options();
  o.robots_ttl = std::chrono::seconds(1);
  o.robots_error_ttl = std::chrono::seconds(1);
  o.robots_stale_limit = std::chrono::seconds(4);
  Session s(o);
  EXPECT_EQ(status_of(s.fetch(article(server.url("/news/a")))), 200);
  EXPECT_EQ(server.hits("/robots.txt"), 1);
  robots_status = 503;
  // The copy's day (here 1 s) runs out; the new fetch answers 503.
  EXPECT_TRUE(test::eventually(
      [&] {
        s.fetch(article(server.url("/news/poll")));
        return server.hits("/robots.txt") >= 2;
      },
      10));
  EXPECT_EQ(status_of(s.fetch(article(server.url("/news/b")))), 200);
  EXPECT_TRUE(disallowed(s.fetch(article(server.url("/private/x")))));  // its rules still apply
  EXPECT_EQ(server.hits("/private/x"), 0);
  // Asked again after error_ttl, still with the copy in force.
  const int before = server.hits("/robots.txt");
  EXPECT_TRUE(test::eventually(
      [&] {
        s.fetch(article(server.url("/news/poll")));
        return server.hits("/robots.txt") > before;
      },
      10));
  EXPECT_EQ(status_of(s.fetch(article(server.url("/news/c")))), 200);
  // Past the stale limit (4 s after the last good answer) the site is disallowed.
  EXPECT_TRUE(test::eventually([&] { return disallowed(s.fetch(article(server.url("/news/poll")))); }, 15));
  EXPECT_TRUE(disallowed(s.fetch(article(server.url("/news/d")))));
  EXPECT_EQ(server.hits("/news/d"), 0);
}

TEST(RobotsFetch, UnreachableHostDisallows) {
  std::uint16_t closed = test::free_port();
  Session s;
  FetchResult r = s.fetch(article("http://127.0.0.1:" + std::to_string(closed) + "/a"));
  ASSERT_TRUE(disallowed(r));
  EXPECT_NE(std::get<FetchFailure>(r).message.find("unavailable"), std::string::npos);
}

TEST(RobotsFetch, ConcurrentRequestsShareOneRobotsFetch) {
  HttpServer server([](const HttpRequest& r) { return site(r); }, /*threads=*/4);
  boost::asio::io_context io;
  Fetcher fetcher(io, loopback_options());
  constexpr int k_count = 20;
  int done = 0;
  int ok = 0;
  int refused = 0;
  for (int i = 0; i < k_count; ++i) {
    std::string path = (i % 2 ? "/news/" : "/private/") + std::to_string(i);
    fetcher.fetch(article(server.url(path)), [&](FetchResult r) {
      ++done;
      ok += status_of(r) == 200 ? 1 : 0;
      refused += disallowed(r) ? 1 : 0;
    });
  }
  while (done < k_count) io.run_one();
  EXPECT_EQ(server.hits("/robots.txt"), 1);
  EXPECT_EQ(ok, k_count / 2);
  EXPECT_EQ(refused, k_count / 2);
}

TEST(RobotsFetch, IgnoredHostIsNotChecked) {
  HttpServer server([](const HttpRequest& r) { return site(r); });
  FetchOptions o = loopback_options();
  o.robots_ignored_hosts = {"127.0.0.1"};
  Session s(o);
  EXPECT_EQ(status_of(s.fetch(article(server.url("/private/a")))), 200);
  EXPECT_EQ(server.hits("/robots.txt"), 0);
}

TEST(RobotsFetch, EachOriginHasItsOwnRobots) {
  HttpServer strict([](const HttpRequest& r) { return site(r); });
  HttpServer open([](const HttpRequest& r) { return site(r, 404); });
  Session s;
  EXPECT_TRUE(disallowed(s.fetch(article(strict.url("/private/a")))));
  EXPECT_EQ(status_of(s.fetch(article(open.url("/private/a")))), 200);
  EXPECT_EQ(strict.hits("/robots.txt"), 1);
  EXPECT_EQ(open.hits("/robots.txt"), 1);
}

// The robots.txt request and the page requests after it reuse one connection
// (libcurl's share handle keeps connections, TLS sessions and DNS answers).
TEST(RobotsFetch, RobotsAndPagesShareOneConnection) {
  HttpServer server([](const HttpRequest& r) { return site(r); });
  Session s;
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(status_of(s.fetch(article(server.url("/news/" + std::to_string(i))))), 200);
  EXPECT_EQ(server.requests().size(), 6u);
  EXPECT_EQ(server.connections(), 1);
}

}  // namespace
}  // namespace fw::net
