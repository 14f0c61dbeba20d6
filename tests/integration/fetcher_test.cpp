// The libcurl-on-Asio fetcher against real loopback servers: headers, validators,
// decompression, limits, time-outs, redirects and many transfers at once.
#include "daemon/net/fetcher.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <mutex>
#include <thread>

#include "tests/support/http_server.hpp"
#include "tests/support/raw_server.hpp"

namespace fw::net {
namespace {

using test::HttpReply;
using test::HttpRequest;
using test::HttpServer;

FetchOptions loopback_options() {
  FetchOptions o;
  o.allow_private_networks = true;
  o.timeout = std::chrono::milliseconds(5000);
  return o;
}

FetchResult fetch_one(const FetchOptions& options, Request request) {
  boost::asio::io_context io;
  Fetcher fetcher(io, options);
  std::optional<FetchResult> out;
  fetcher.fetch(std::move(request), [&](FetchResult r) { out = std::move(r); });
  while (!out) io.run_one();
  return std::move(*out);
}

const Response& response_of(const FetchResult& r) {
  if (const auto* f = std::get_if<FetchFailure>(&r)) ADD_FAILURE() << "fetch failed: " << f->message;
  static const Response k_empty;
  const auto* resp = std::get_if<Response>(&r);
  return resp ? *resp : k_empty;
}

std::string gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST(Fetcher, ReturnsStatusBodyValidatorsAndContentType) {
  HttpServer server([](const HttpRequest&) {
    return HttpReply{200,
                     {{"ETag", "W/\"abc\""},
                      {"Last-Modified", "Tue, 01 Apr 2025 10:00:00 GMT"},
                      {"Content-Type", "application/rss+xml; charset=ISO-8859-1"},
                      {"Cache-Control", "max-age=300"}},
                     "<rss/>"};
  });
  FetchResult r = fetch_one(loopback_options(), {server.url("/feed"), {}, {}});
  const Response& resp = response_of(r);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "<rss/>");
  EXPECT_EQ(resp.etag, "W/\"abc\"");
  EXPECT_EQ(resp.last_modified, "Tue, 01 Apr 2025 10:00:00 GMT");
  EXPECT_EQ(resp.content_type, "application/rss+xml; charset=ISO-8859-1");
  EXPECT_EQ(resp.cache_control, "max-age=300");
  EXPECT_EQ(resp.effective_url, server.url("/feed"));
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_NE(requests[0].header("user-agent").find("feedwatch"), std::string::npos);
  EXPECT_FALSE(requests[0].has_header("if-none-match"));
  EXPECT_FALSE(requests[0].has_header("if-modified-since"));
}

TEST(Fetcher, SendsValidatorsVerbatimAndReports304) {
  HttpServer server([](const HttpRequest& r) {
    return r.header("if-none-match") == "\"v7\"" ? HttpReply{304, {{"ETag", "\"v7\""}}, ""}
                                                 : HttpReply{200, {}, "full"};
  });
  FetchResult r =
      fetch_one(loopback_options(), {server.url("/f"), "\"v7\"", "Wed, 23 Apr 2025 09:35:23 GMT"});
  EXPECT_EQ(response_of(r).status, 304);
  EXPECT_EQ(response_of(r).body, "");
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].header("if-none-match"), "\"v7\"");
  EXPECT_EQ(requests[0].header("if-modified-since"), "Wed, 23 Apr 2025 09:35:23 GMT");
}

// How often a header line named `name` (any case) is in a request head.
int header_lines(const std::string& head, const std::string& name) {
  std::string lower;
  for (char c : head) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  int n = 0;
  for (std::size_t at = lower.find("\r\n" + name + ":"); at != std::string::npos;
       at = lower.find("\r\n" + name + ":", at + 1))
    ++n;
  return n;
}

// User-Agent and Accept-Encoding are lines of the fetcher's own header list
// (libcurl's are not built): each header goes out once, GET and POST alike.
TEST(Fetcher, EachRequestHeaderIsSentOnce) {
  std::mutex m;
  std::vector<std::string> heads;
  test::RawServer server([&](test::RawConnection& c) {
    {
      std::lock_guard<std::mutex> lock(m);
      heads.push_back(c.head());
    }
    c.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
  });
  FetchOptions options = loopback_options();
  options.user_agent = "feedwatch-test/once (+https://example.org/contact)";
  ASSERT_EQ(
      response_of(fetch_one(options, {server.url("/get"), "\"e\"", "Wed, 23 Apr 2025 09:35:23 GMT"})).body,
      "ok");
  Request post{server.url("/post"), {}, {}};
  post.post_body = "{}";
  post.headers.push_back("Content-Type: application/json");
  ASSERT_EQ(response_of(fetch_one(options, post)).body, "ok");
  std::lock_guard<std::mutex> lock(m);
  ASSERT_EQ(heads.size(), 2u);
  for (const std::string& head : heads) {
    SCOPED_TRACE(head);
    for (const char* name : {"host", "user-agent", "accept", "accept-encoding"}) {
      EXPECT_EQ(header_lines(head, name), 1) << name;
    }
    EXPECT_NE(head.find("\r\nUser-Agent: " + options.user_agent + "\r\n"), std::string::npos);
    EXPECT_EQ(header_lines(head, "expect"), 0);  // no 100-continue round trip for the POST
  }
  EXPECT_EQ(header_lines(heads[0], "if-none-match"), 1);
  EXPECT_EQ(header_lines(heads[0], "if-modified-since"), 1);
  EXPECT_NE(heads[0].find("\r\nAccept: application/rss+xml"), std::string::npos);
  EXPECT_EQ(header_lines(heads[1], "content-type"), 1);
  EXPECT_NE(heads[1].find("\r\nAccept: */*\r\n"), std::string::npos);
}

// A proxy named in the environment when the fetcher starts is used (the
// fetcher tells libcurl "no proxy" only when none is named there).
TEST(Fetcher, ProxyNamedInTheEnvironmentIsUsed) {
  HttpServer origin([](const HttpRequest&) { return HttpReply{200, {}, "direct"}; });
  HttpServer proxy([](const HttpRequest& r) { return HttpReply{200, {}, "via proxy for " + r.target}; });
  const std::string url = origin.url("/feed");
  ::setenv("http_proxy", proxy.url("").c_str(), 1);
  FetchResult through = fetch_one(loopback_options(), {url, {}, {}});
  ::unsetenv("http_proxy");
  EXPECT_EQ(response_of(through).body, "via proxy for " + url);
  EXPECT_EQ(origin.requests().size(), 0u);
  EXPECT_EQ(response_of(fetch_one(loopback_options(), {url, {}, {}})).body, "direct");
  EXPECT_EQ(proxy.requests().size(), 1u);
}

TEST(Fetcher, DecodesGzip) {
  const std::string text(20000, 'x');
  HttpServer server([&](const HttpRequest&) {
    return HttpReply{200, {{"Content-Encoding", "gzip"}}, gzip(text)};
  });
  FetchResult r = fetch_one(loopback_options(), {server.url("/gz"), {}, {}});
  EXPECT_EQ(response_of(r).body, text);
  EXPECT_NE(server.requests().at(0).header("accept-encoding").find("gzip"), std::string::npos);
}

TEST(Fetcher, GzipBombIsOneBoundedFailure) {
  const std::string bomb = gzip(std::string(50 * 1024 * 1024, '\0'));  // 50 MiB of zeros in ~50 KiB
  HttpServer server([&](const HttpRequest&) { return HttpReply{200, {{"Content-Encoding", "gzip"}}, bomb}; });
  FetchOptions o = loopback_options();
  o.max_body_bytes = 1024 * 1024;
  FetchResult r = fetch_one(o, {server.url("/bomb"), {}, {}});
  const auto* f = std::get_if<FetchFailure>(&r);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind, FetchErrorKind::too_large);
  EXPECT_NE(f->message.find("max_body_bytes"), std::string::npos) << f->message;
}

TEST(Fetcher, DeclaredLengthOverTheCapIsRefused) {
  HttpServer server([](const HttpRequest&) { return HttpReply{200, {}, std::string(3 * 1024 * 1024, 'a')}; });
  FetchOptions o = loopback_options();
  o.max_body_bytes = 1024 * 1024;
  FetchResult r = fetch_one(o, {server.url("/big"), {}, {}});
  const auto* f = std::get_if<FetchFailure>(&r);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind, FetchErrorKind::too_large);
}

TEST(Fetcher, HangingServerTimesOut) {
  HttpServer server([](const HttpRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    return HttpReply{200, {}, "late"};
  });
  FetchOptions o = loopback_options();
  o.timeout = std::chrono::milliseconds(300);
  FetchResult r = fetch_one(o, {server.url("/slow"), {}, {}});
  const auto* f = std::get_if<FetchFailure>(&r);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind, FetchErrorKind::timeout);
  EXPECT_LT(f->elapsed.count(), 1400);
}

TEST(Fetcher, FollowsRedirectsAndReportsTheFinalUrl) {
  HttpServer server([](const HttpRequest& r) {
    if (r.target == "/old") return HttpReply{301, {{"Location", "/new"}}, ""};
    return HttpReply{200, {}, "moved here"};
  });
  FetchResult r = fetch_one(loopback_options(), {server.url("/old"), {}, {}});
  EXPECT_EQ(response_of(r).body, "moved here");
  EXPECT_EQ(response_of(r).effective_url, server.url("/new"));
}

TEST(Fetcher, RedirectLoopStopsAtTheLimit) {
  HttpServer server([](const HttpRequest& r) {
    return HttpReply{302, {{"Location", r.target == "/a" ? "/b" : "/a"}}, ""};
  });
  FetchOptions o = loopback_options();
  o.max_redirects = 4;
  FetchResult r = fetch_one(o, {server.url("/a"), {}, {}});
  const auto* f = std::get_if<FetchFailure>(&r);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(server.requests().size(), 5u);  // the first request and four redirects
}

TEST(Fetcher, RefusesLoopbackUnlessAllowed) {
  HttpServer server([](const HttpRequest&) { return HttpReply{200, {}, "secret"}; });
  FetchOptions o = loopback_options();
  o.allow_private_networks = false;
  FetchResult r = fetch_one(o, {server.url("/"), {}, {}});
  const auto* f = std::get_if<FetchFailure>(&r);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind, FetchErrorKind::refused);
  EXPECT_EQ(server.requests().size(), 0u);
}

TEST(Fetcher, RefusesNonHttpSchemes) {
  FetchResult r = fetch_one(loopback_options(), {"file:///etc/passwd", {}, {}});
  const auto* f = std::get_if<FetchFailure>(&r);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind, FetchErrorKind::bad_url);
}

TEST(Fetcher, ManyTransfersAtOnceAllComplete) {
  HttpServer server([](const HttpRequest& r) { return HttpReply{200, {}, "body of " + r.target}; });
  boost::asio::io_context io;
  Fetcher fetcher(io, loopback_options());
  constexpr int k_count = 60;
  int done = 0;
  int correct = 0;
  for (int i = 0; i < k_count; ++i) {
    std::string target = "/feed/" + std::to_string(i);
    fetcher.fetch({server.url(target), {}, {}}, [&, target](FetchResult r) {
      ++done;
      if (auto* resp = std::get_if<Response>(&r); resp && resp->body == "body of " + target) ++correct;
    });
  }
  EXPECT_EQ(fetcher.in_flight(), static_cast<std::size_t>(k_count));
  while (done < k_count) io.run_one();
  EXPECT_EQ(correct, k_count);
  EXPECT_EQ(fetcher.in_flight(), 0u);
}

// GETs one after another on one fetcher reuse the handle of the one before
// (set_common_options / give_back): nothing of a transfer may reach the next,
// neither its validators and extra headers, nor its body, nor its failure.
TEST(Fetcher, EachRequestOnAReusedHandleIsItsOwn) {
  HttpServer server([](const HttpRequest& r) {
    if (r.target == "/gone") return HttpReply{404, {}, ""};
    if (r.target == "/old") return HttpReply{301, {{"Location", "/typed"}}, ""};
    if (r.target == "/typed") {
      return HttpReply{200,
                       {{"Content-Type", "text/xml"},
                        {"ETag", "\"t\""},
                        {"Last-Modified", "Wed, 23 Apr 2025 09:35:23 GMT"},
                        {"Cache-Control", "max-age=600"},
                        {"Retry-After", "5"}},
                       "typed"};
    }
    if (r.header("if-none-match") == "\"v1\"") return HttpReply{304, {{"ETag", "\"v1\""}}, ""};
    return HttpReply{200, {}, "body of " + r.target};
  });
  boost::asio::io_context io;
  Fetcher fetcher(io, loopback_options());
  auto fetch = [&](Request request) {
    std::optional<FetchResult> out;
    fetcher.fetch(std::move(request), [&](FetchResult r) { out = std::move(r); });
    while (!out) io.run_one();
    return std::move(*out);
  };
  Request conditional{server.url("/a"), "\"v1\"", "Wed, 23 Apr 2025 09:35:23 GMT"};
  conditional.headers.push_back("X-Probe: one");
  EXPECT_EQ(response_of(fetch(conditional)).status, 304);
  const Response second = response_of(fetch({server.url("/b"), {}, {}}));
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, "body of /b");
  EXPECT_EQ(second.effective_url, server.url("/b"));
  EXPECT_TRUE(second.redirects.empty());  // the 304 before was no redirect of this request
  EXPECT_EQ(response_of(fetch({server.url("/gone"), {}, {}})).status, 404);
  FetchResult refused = fetch({"ftp://127.0.0.1/x", {}, {}});
  ASSERT_TRUE(std::holds_alternative<FetchFailure>(refused));
  const Response last = response_of(fetch({server.url("/c"), {}, {}}));
  EXPECT_EQ(last.status, 200);
  EXPECT_EQ(last.body, "body of /c");
  // A response's headers, type and redirects do not reach the next response
  // either (a 304 has no Content-Type of its own).
  const Response moved = response_of(fetch({server.url("/old"), {}, {}}));
  EXPECT_EQ(moved.status, 200);
  EXPECT_EQ(moved.redirects, std::vector<long>{301});
  EXPECT_EQ(moved.content_type, "text/xml");
  EXPECT_EQ(moved.cache_control, "max-age=600");
  const Response after = response_of(fetch({server.url("/a"), "\"v1\"", {}}));
  EXPECT_EQ(after.status, 304);
  EXPECT_EQ(after.effective_url, server.url("/a"));
  EXPECT_TRUE(after.redirects.empty());
  EXPECT_FALSE(after.moved_permanently());
  EXPECT_EQ(after.content_type, "");
  EXPECT_EQ(after.etag, "\"v1\"");
  EXPECT_FALSE(after.last_modified);
  EXPECT_FALSE(after.cache_control);
  EXPECT_FALSE(after.retry_after);
  EXPECT_EQ(after.body, "");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 7u);
  EXPECT_EQ(requests[0].header("x-probe"), "one");
  for (std::size_t i = 1; i < 6; ++i) {
    EXPECT_FALSE(requests[i].has_header("if-none-match")) << requests[i].target;
    EXPECT_FALSE(requests[i].has_header("if-modified-since")) << requests[i].target;
    EXPECT_FALSE(requests[i].has_header("x-probe")) << requests[i].target;
    EXPECT_NE(requests[i].header("accept").find("application/rss+xml"), std::string::npos);
  }
}

// A reload (set_options) applies to every request started after it, also on
// handles of requests that were in flight when it came.
TEST(Fetcher, NewOptionsReachRequestsAfterAReloadOnReusedHandles) {
  HttpServer server([](const HttpRequest& r) {
    if (r.target == "/slow") std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return HttpReply{200, {}, "ok"};
  });
  boost::asio::io_context io;
  FetchOptions before = loopback_options();
  before.user_agent = "feedwatch-test/before";
  Fetcher fetcher(io, before);
  int done = 0;
  fetcher.fetch({server.url("/slow"), {}, {}}, [&](FetchResult) { ++done; });
  FetchOptions after = loopback_options();
  after.user_agent = "feedwatch-test/after";
  fetcher.set_options(after);
  while (done < 1) io.run_one();
  fetcher.fetch({server.url("/next"), {}, {}}, [&](FetchResult) { ++done; });
  while (done < 2) io.run_one();
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("user-agent"), "feedwatch-test/before");
  EXPECT_EQ(requests[1].header("user-agent"), "feedwatch-test/after");
}

TEST(Fetcher, UsableValidators) {
  EXPECT_TRUE(usable_validator("\"v1\""));
  EXPECT_TRUE(usable_validator("W/\"5f3a-1c\""));
  EXPECT_TRUE(usable_validator("Wed, 23 Apr 2025 09:35:23 GMT"));
  EXPECT_TRUE(usable_validator("\"caf\xC3\xA9\"\t1"));  // UTF-8 and a tab are fine
  EXPECT_TRUE(usable_validator(std::string(1024, 'a')));
  EXPECT_FALSE(usable_validator(""));
  EXPECT_FALSE(usable_validator(std::string(1025, 'a')));
  EXPECT_FALSE(usable_validator("\"caf\xE9\""));             // Latin-1, not UTF-8
  EXPECT_FALSE(usable_validator("\"\xC0\xAF\""));            // overlong
  EXPECT_FALSE(usable_validator("\"a\"\rX-Injected: yes"));  // a bare CR
  EXPECT_FALSE(usable_validator("\"a\"\nX: y"));
  EXPECT_FALSE(usable_validator(std::string("\"a\0b\"", 5)));
  EXPECT_FALSE(usable_validator("\"a\x7F\""));
}

struct AddressCase {
  const char* address;
  bool is_private;
};

class PrivateAddress : public ::testing::TestWithParam<AddressCase> {};

TEST_P(PrivateAddress, Table) {
  EXPECT_EQ(is_private_address(GetParam().address), GetParam().is_private) << GetParam().address;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PrivateAddress,
    ::testing::Values(AddressCase{"127.0.0.1", true}, AddressCase{"127.255.0.9", true},
                      AddressCase{"10.1.2.3", true}, AddressCase{"172.16.0.1", true},
                      AddressCase{"172.31.255.255", true}, AddressCase{"172.32.0.1", false},
                      AddressCase{"192.168.1.1", true}, AddressCase{"169.254.169.254", true},
                      AddressCase{"100.64.0.1", true}, AddressCase{"0.0.0.0", true},
                      AddressCase{"224.0.0.1", true}, AddressCase{"255.255.255.255", true},
                      AddressCase{"8.8.8.8", false}, AddressCase{"93.184.216.34", false},
                      AddressCase{"::1", true}, AddressCase{"::", true}, AddressCase{"fe80::1", true},
                      AddressCase{"fd00::1", true}, AddressCase{"ff02::1", true},
                      AddressCase{"::ffff:127.0.0.1", true}, AddressCase{"::ffff:10.0.0.1", true},
                      AddressCase{"::ffff:8.8.8.8", false}, AddressCase{"64:ff9b::a9fe:a9fe", true},
                      AddressCase{"2001:4860:4860::8888", false}, AddressCase{"not-an-address", true},
                      // Documentation and relay blocks, and IPv6 forms that carry an IPv4 address.
                      AddressCase{"192.0.2.10", true}, AddressCase{"198.51.100.7", true},
                      AddressCase{"203.0.113.200", true}, AddressCase{"192.88.99.1", true},
                      AddressCase{"203.0.114.1", false}, AddressCase{"2002:7f00:1::", true},
                      AddressCase{"2002:a9fe:a9fe::1", true}, AddressCase{"2002:808:808::", false},
                      AddressCase{"2001:0:4136:e378:8000:63bf:80ff:fffe", true},  // Teredo, client 127.0.0.1
                      AddressCase{"2001:0:a9fe:a9fe::1", true},  // Teredo, server 169.254.169.254
                      AddressCase{"2001:0:4136:e378:8000:63bf:f7f7:f7f7", false},  // client 8.8.8.8
                      AddressCase{"64:ff9b:1::a00:1", true}, AddressCase{"64:ff9b::808:808", false},
                      AddressCase{"100::1", true}, AddressCase{"2001:db8::1", true},
                      AddressCase{"3fff::1", true}, AddressCase{"2606:4700::6810:84e5", false}));

}  // namespace
}  // namespace fw::net

namespace fw::net {
namespace {

TEST(Fetcher, RecordsRedirectCodesOnTheWay) {
  HttpServer server([](const HttpRequest& r) {
    if (r.target == "/a") return HttpReply{301, {{"Location", "/b"}}, ""};
    if (r.target == "/b") return HttpReply{308, {{"Location", "/c"}}, ""};
    if (r.target == "/t") return HttpReply{302, {{"Location", "/c"}}, ""};
    return HttpReply{200, {}, "here"};
  });
  FetchResult permanent = fetch_one(loopback_options(), {server.url("/a"), {}, {}});
  EXPECT_EQ(response_of(permanent).redirects, (std::vector<long>{301, 308}));
  EXPECT_TRUE(response_of(permanent).moved_permanently());
  FetchResult temporary = fetch_one(loopback_options(), {server.url("/t"), {}, {}});
  EXPECT_EQ(response_of(temporary).redirects, (std::vector<long>{302}));
  EXPECT_FALSE(response_of(temporary).moved_permanently());
  FetchResult direct = fetch_one(loopback_options(), {server.url("/c"), {}, {}});
  EXPECT_TRUE(response_of(direct).redirects.empty());
  EXPECT_FALSE(response_of(direct).moved_permanently());
}

// Runs one fetch to its end, at most 15 s. The loop is restarted when it ran
// out of work (between fetches of a test), and a fetch that never completes is
// a failure, not a test that hangs.
FetchResult fetch_on(boost::asio::io_context& io, Fetcher& fetcher, Request request) {
  std::optional<FetchResult> out;
  fetcher.fetch(std::move(request), [&](FetchResult r) { out = std::move(r); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!out && std::chrono::steady_clock::now() < deadline) {
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(100));
  }
  if (!out) return FetchFailure{FetchErrorKind::timeout, "the fetch never completed"};
  return std::move(*out);
}

// The process's open sockets, from /proc/self/fd.
std::size_t open_sockets() {
  std::size_t n = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    std::error_code link_ec;
    if (std::filesystem::read_symlink(entry.path(), link_ec).string().starts_with("socket:")) ++n;
  }
  return n;
}

// Between transfers libcurl keeps a connection and the fetcher keeps its socket
// registered with the loop, until libcurl closes it. A server that closes each
// connection after its answer (without "Connection: close") makes libcurl find
// the kept one dead at the next fetch, close it and open another, which the
// kernel gives the lowest free number: often the one just closed, or one the
// server used. Had the fetcher kept its registration of a closed socket, the
// new socket's waits would land on it and never wake: the fetch would move
// only on libcurl's own timers, 1.2 s later, past the 1 s time-out set here (a
// loopback fetch takes a few milliseconds). Every fetch must complete, on a
// connection of its own, and leave no socket behind.
TEST(Fetcher, ConnectionsTheServerClosedBetweenFetchesAreReplaced) {
  test::RawServer server([](test::RawConnection& c) {
    const std::string body = c.target();
    c.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body);
  });
  boost::asio::io_context io;
  FetchOptions options = loopback_options();
  options.timeout = std::chrono::milliseconds(1000);
  Fetcher fetcher(io, options);
  constexpr int k_rounds = 30;
  std::size_t sockets_after_first = 0;
  for (int i = 0; i < k_rounds; ++i) {
    const std::string target = "/feed/" + std::to_string(i);
    const FetchResult result = fetch_on(io, fetcher, {server.url(target), {}, {}});
    const Response& r = response_of(result);
    if (r.status != 200) break;  // response_of reported the failure
    EXPECT_EQ(r.body, target);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the server's close arrives
    if (i == 0) sockets_after_first = open_sockets();
  }
  EXPECT_EQ(server.connections(), k_rounds);
  // One more may be the server's side of the last connection, still closing.
  EXPECT_LE(open_sockets(), sockets_after_first + 1);
  EXPECT_EQ(fetcher.in_flight(), 0u);
}

// A connection the server keeps serves every fetch, also after idle pauses in
// which its socket is parked: its waits cancelled, still registered. The 1 s
// time-out makes a fetch that waits on libcurl's own timers fail.
TEST(Fetcher, AKeptConnectionServesFetchesAfterIdlePauses) {
  HttpServer server([](const HttpRequest& r) { return HttpReply{200, {}, "body of " + r.target}; });
  boost::asio::io_context io;
  FetchOptions options = loopback_options();
  options.timeout = std::chrono::milliseconds(1000);
  Fetcher fetcher(io, options);
  for (int i = 0; i < 10; ++i) {
    const std::string target = "/feed/" + std::to_string(i);
    const FetchResult result = fetch_on(io, fetcher, {server.url(target), {}, {}});
    if (!std::holds_alternative<Response>(result)) {
      ADD_FAILURE() << "fetch " << i << " failed: " << std::get<FetchFailure>(result).message;
      break;
    }
    EXPECT_EQ(response_of(result).body, "body of " + target);
    // The connection idles; then the loop runs what became ready meanwhile.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    io.restart();
    io.poll();
  }
  EXPECT_EQ(server.connections(), 1);
}

}  // namespace
}  // namespace fw::net
