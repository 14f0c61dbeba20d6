// Truncated TLS against the real daemon (`feedwatch once`, a real PostgreSQL):
// an HTTPS feed on 127.0.0.1 (TlsServer: a CA and certificate made for the
// test, trusted through http.ca_file) that ends badly, beside a good plain
// feed. Each cut is one recorded, logged failure with nothing stored for the
// cut feed, and the good feed is stored as usual: the daemon goes on.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/http_server.hpp"
#include "tests/support/support.hpp"
#include "tests/support/tls_server.hpp"

namespace fw::test {
namespace {

std::string item(const std::string& guid, const std::string& title) {
  return "<item><title>" + title + "</title><guid isPermaLink=\"false\">" + guid +
         "</guid><link>http://127.0.0.1/" + guid + "</link><description>Text of " + guid +
         ".</description></item>";
}

std::string rss(const std::string& items) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>t</title>"
         "<link>http://127.0.0.1/</link>" +
         items + "</channel></rss>";
}

const std::string k_body = rss(item("tls-1", "Secure one") + item("tls-2", "Secure two"));

std::string head(const std::string& extra) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n" + extra + "\r\n";
}

std::string content_length() {
  return "Content-Length: " + std::to_string(k_body.size()) + "\r\n";
}

class HostileTls : public ::testing::Test {
 protected:
  // Polls `url` (feed "secure", trusting `ca_file` when given) and the good feed once.
  ProcessResult once(const std::string& url, const std::string& ca_file) {
    const std::string cfg = dir.write(
        "c.yaml", "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
                      "\"\nlog_level: debug\nhttp:\n  allow_private_networks: true\n  timeout: 4s\n" +
                      (ca_file.empty() ? "" : "  ca_file: \"" + ca_file + "\"\n") +
                      "feeds:\n  - name: secure\n    url: \"" + url +
                      "\"\n    interval: 1h\n    fetch_articles: false\n  - name: good\n    url: \"" +
                      good.url("/good") + "\"\n    interval: 1h\n    fetch_articles: false\n");
    ProcessResult r = run_feedwatch({"once", "--config", cfg});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    // The good feed is stored whatever the TLS one did.
    EXPECT_EQ(db.scalar("SELECT count(*) FROM article_feeds af JOIN feeds f ON f.id = af.feed_id "
                        "WHERE f.name = 'good'"),
              "2")
        << r.err;
    return r;
  }

  // The secure feed's polls: "outcome|error;...".
  std::string secure_polls() const {
    return db.scalar(
        "SELECT string_agg(l.outcome || '|' || coalesce(l.error, ''), ';') FROM fetch_log l "
        "JOIN feeds f ON f.id = l.feed_id WHERE f.name = 'secure'");
  }

  // One failure: one poll recorded as a network error whose text names
  // `what`, counted on the feed with its error, logged, nothing stored.
  void expect_one_failure(const ProcessResult& r, const std::string& what) const {
    const std::string polls = secure_polls();
    EXPECT_EQ(polls.substr(0, polls.find('|')), "network_error") << polls;
    EXPECT_EQ(polls.find(';'), std::string::npos) << "more than one poll: " << polls;
    EXPECT_NE(polls.find(what), std::string::npos) << polls;
    EXPECT_GT(polls.size(), std::string("network_error|").size()) << "no error text";
    EXPECT_EQ(
        db.scalar("SELECT error_count || ' ' || (last_error IS NOT NULL) FROM feeds WHERE name = 'secure'"),
        "1 true");
    EXPECT_NE(r.err.find("poll_failed feed=secure"), std::string::npos) << r.err;
    EXPECT_EQ(db.scalar("SELECT count(*) FROM article_feeds af JOIN feeds f ON f.id = af.feed_id "
                        "WHERE f.name = 'secure'"),
              "0");
    EXPECT_EQ(db.scalar("SELECT count(*) FROM articles WHERE guid LIKE 'tls-%'"), "0");
  }

  TempDatabase db;
  TempDir dir;
  HttpServer good{[](const HttpRequest&) {
    return HttpReply{
        200, {{"Content-Type", "application/rss+xml"}}, rss(item("good-1", "One") + item("good-2", "Two"))};
  }};
};

// The set-up works: a whole answer ended with close_notify is read and stored.
TEST_F(HostileTls, CompleteAnswerOverTlsIsStored) {
  TlsServer server([](TlsConnection& c) {
    if (c.send(head(content_length()) + k_body)) c.close_notify();
  });
  ProcessResult r = once(server.url("/feed"), server.ca_file());
  EXPECT_EQ(secure_polls(), "ok|") << r.err;
  EXPECT_GE(server.handshakes(), 1);
  EXPECT_EQ(
      db.scalar("SELECT string_agg(a.title, ',' ORDER BY a.guid) FROM articles a JOIN article_feeds af ON "
                "af.article_id = a.id JOIN feeds f ON f.id = af.feed_id WHERE f.name = 'secure'"),
      "Secure one,Secure two");
  EXPECT_EQ(db.scalar("SELECT error_count FROM feeds WHERE name = 'secure'"), "0");
}

// Without http.ca_file the test CA is unknown: the certificate is refused
// (verification is on), whatever the server would have sent.
TEST_F(HostileTls, CertificateFromAnUnknownAuthorityIsRefused) {
  TlsServer server([](TlsConnection& c) {
    if (c.send(head(content_length()) + k_body)) c.close_notify();
  });
  ProcessResult r = once(server.url("/feed"), "");
  expect_one_failure(r, "certificate");
  EXPECT_EQ(server.handshakes(), 0);
}

TEST_F(HostileTls, TcpCloseInsideTheBodyWithoutCloseNotifyIsANetworkError) {
  TlsServer server([](TlsConnection& c) {
    c.send(head(content_length()) + k_body.substr(0, k_body.size() / 2));
    // and the TCP connection closes, no close_notify
  });
  ProcessResult r = once(server.url("/feed"), server.ca_file());
  EXPECT_GE(server.handshakes(), 1);
  expect_one_failure(r, "");
}

// A known limit, pinned down: a body delimited by the connection's end (no
// Content-Length, not chunked) that ends without close_notify is taken as
// complete, as over plain HTTP (libcurl ignores OpenSSL's unexpected-EOF
// error). A cut on the path cannot be told from the end of such a body; a
// truncated document is then a parse error or read up to the cut, as a cut
// plain HTTP one is.
TEST_F(HostileTls, CloseDelimitedBodyEndingWithoutCloseNotifyIsReadAsOverPlainHttp) {
  TlsServer server([](TlsConnection& c) { c.send(head("Connection: close\r\n") + k_body); });
  ProcessResult r = once(server.url("/feed"), server.ca_file());
  EXPECT_GE(server.handshakes(), 1);
  EXPECT_EQ(secure_polls(), "ok|") << r.err;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM articles WHERE guid LIKE 'tls-%'"), "2");
}

TEST_F(HostileTls, ContentLengthBodyCutShortThenCloseNotifyIsANetworkError) {
  TlsServer server([](TlsConnection& c) {
    if (c.send(head(content_length()) + k_body.substr(0, k_body.size() - 40))) c.close_notify();
  });
  ProcessResult r = once(server.url("/feed"), server.ca_file());
  EXPECT_GE(server.handshakes(), 1);
  expect_one_failure(r, "");
}

// The server answers the ClientHello with only the first bytes of its flight
// and closes: inside the ServerHello, and inside the encrypted certificate.
class HostileTlsHandshake : public HostileTls, public ::testing::WithParamInterface<std::size_t> {};

TEST_P(HostileTlsHandshake, ConnectionCutDuringTheHandshakeIsANetworkError) {
  std::unique_ptr<TlsServer> server = TlsServer::cut_handshake(GetParam());
  ProcessResult r = once(server->url("/feed"), server->ca_file());
  EXPECT_GE(server->connections(), 1);
  EXPECT_EQ(server->handshakes(), 0);
  expect_one_failure(r, "");
}

INSTANTIATE_TEST_SUITE_P(CutPoints, HostileTlsHandshake, ::testing::Values(std::size_t{40}, std::size_t{400}),
                         [](const ::testing::TestParamInfo<std::size_t>& cut) {
                           return "After" + std::to_string(cut.param) + "Bytes";
                         });

}  // namespace
}  // namespace fw::test
