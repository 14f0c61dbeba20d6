// The SSRF guard on redirects: with the guard on (only the test's own server
// exempted, by exact address and port), a redirect to the cloud metadata
// address or to another loopback port is refused when libcurl asks to open the
// socket, before any connection is attempted.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "daemon/net/fetcher.hpp"
#include "tests/support/http_server.hpp"

namespace fw::net {
namespace {

using test::HttpReply;
using test::HttpRequest;
using test::HttpServer;

FetchResult fetch_guarded(const HttpServer& origin, const std::string& path) {
  FetchOptions o;
  o.allow_private_networks = false;  // the guard is on
  o.guard_exempt = {"127.0.0.1:" + std::to_string(origin.port())};
  o.timeout = std::chrono::milliseconds(5000);
  boost::asio::io_context io;
  Fetcher fetcher(io, o);
  std::optional<FetchResult> out;
  Request r;
  r.url = origin.url(path);
  fetcher.fetch(std::move(r), [&](FetchResult result) { out = std::move(result); });
  while (!out) io.run_one();
  return std::move(*out);
}

void expect_refused(const FetchResult& r, const std::string& address) {
  const auto* f = std::get_if<FetchFailure>(&r);
  ASSERT_NE(f, nullptr) << "the redirect was followed";
  EXPECT_EQ(f->kind, FetchErrorKind::refused) << f->message;
  EXPECT_NE(f->message.find("address " + address + " is private"), std::string::npos) << f->message;
}

TEST(Ssrf, ExemptOriginIsReachedWithTheGuardOn) {
  HttpServer origin([](const HttpRequest&) { return HttpReply{200, {}, "ok"}; });
  FetchResult r = fetch_guarded(origin, "/");
  const auto* resp = std::get_if<Response>(&r);
  ASSERT_NE(resp, nullptr);
  EXPECT_EQ(resp->body, "ok");
}

TEST(Ssrf, RedirectToCloudMetadataIsRefusedBeforeConnecting) {
  HttpServer origin([](const HttpRequest&) {
    return HttpReply{302, {{"Location", "http://169.254.169.254/latest/meta-data/"}}, ""};
  });
  // Refused in the open-socket callback: no socket is created for 169.254.169.254,
  // so the failure is the guard's, never a connect time-out or error.
  expect_refused(fetch_guarded(origin, "/feed"), "169.254.169.254");
  EXPECT_EQ(origin.hits("/feed"), 1);
}

TEST(Ssrf, RedirectToAnotherLoopbackPortIsRefused) {
  HttpServer internal([](const HttpRequest&) { return HttpReply{200, {}, "internal secret"}; });
  std::string target = "http://127.0.0.1:" + std::to_string(internal.port()) + "/admin";
  HttpServer origin([target](const HttpRequest&) { return HttpReply{301, {{"Location", target}}, ""}; });
  expect_refused(fetch_guarded(origin, "/feed"), "127.0.0.1");
  EXPECT_EQ(internal.requests().size(), 0u);  // never contacted
}

TEST(Ssrf, RedirectToLoopbackByNameIsRefused) {
  HttpServer internal([](const HttpRequest&) { return HttpReply{200, {}, "internal secret"}; });
  std::string target = "http://localhost:" + std::to_string(internal.port()) + "/admin";
  HttpServer origin([target](const HttpRequest&) { return HttpReply{307, {{"Location", target}}, ""}; });
  FetchResult r = fetch_guarded(origin, "/feed");
  const auto* f = std::get_if<FetchFailure>(&r);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind, FetchErrorKind::refused) << f->message;  // checked on the resolved address
  EXPECT_EQ(internal.requests().size(), 0u);
}

}  // namespace
}  // namespace fw::net
