// Feeds that move: a permanent redirect (301/308) repeated on three polls moves
// the stored URL; a temporary one (302/307) never does; the config's URL wins again
// when the config changes it.
#include <gtest/gtest.h>

#include "tests/support/http_server.hpp"
#include "tests/support/support.hpp"
#include "tests/support/tls_server.hpp"

namespace fw::test {
namespace {

const char* k_feed =
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>http://x/</link>"
    "<item><title>a</title><guid>http://x/a</guid></item></channel></rss>";

struct Moving {
  explicit Moving(int code)
      : server([code](const HttpRequest& r) {
          if (r.target == "/old") return HttpReply{code, {{"Location", "/new"}}, ""};
          return HttpReply{200, {}, k_feed};
        }) {
    cfg = dir.write("c.yaml",
                    "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
                        "\"\nhttp:\n  allow_private_networks: true\nfeeds:\n  - name: f\n    url: \"" +
                        server.url("/old") + "\"\n");
  }
  void poll() {
    ProcessResult r = run_feedwatch({"once", "--config", cfg});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    last_err = r.err;
  }
  std::string url() { return db.scalar("SELECT url FROM feeds"); }

  TempDatabase db;
  TempDir dir;
  HttpServer server;
  std::string cfg;
  std::string last_err;
};

TEST(FeedMoves, PermanentRedirectIsFollowedAfterThreePolls) {
  Moving m(301);
  m.poll();
  m.poll();
  EXPECT_EQ(m.url(), m.server.url("/old"));
  EXPECT_EQ(m.db.scalar("SELECT moved_count FROM feeds"), "2");
  m.poll();
  EXPECT_EQ(m.url(), m.server.url("/new"));
  EXPECT_NE(m.last_err.find("feed_moved f " + m.server.url("/old") + " -> " + m.server.url("/new")),
            std::string::npos)
      << m.last_err;
  m.poll();
  EXPECT_EQ(m.server.hits("/old"), 3);  // the fourth poll went straight to the new URL
  EXPECT_EQ(m.server.hits("/new"), 4);
  EXPECT_EQ(m.db.scalar("SELECT config_url FROM feeds"), m.server.url("/old"));
}

TEST(FeedMoves, TemporaryRedirectNeverMovesTheFeed) {
  Moving m(302);
  for (int i = 0; i < 4; ++i) m.poll();
  EXPECT_EQ(m.url(), m.server.url("/old"));
  EXPECT_EQ(m.db.scalar("SELECT moved_count FROM feeds"), "0");
  EXPECT_EQ(m.server.hits("/old"), 4);
}

TEST(FeedMoves, Status308CountsAsPermanent) {
  Moving m(308);
  for (int i = 0; i < 3; ++i) m.poll();
  EXPECT_EQ(m.url(), m.server.url("/new"));
}

// An HTTPS feed permanently redirected to plain HTTP is read there (the
// redirect is followed), but its stored URL stays HTTPS however often the
// redirect repeats: a move must not drop TLS for good.
TEST(FeedMoves, PermanentRedirectFromHttpsToHttpNeverMovesTheFeed) {
  TempDatabase db;
  TempDir dir;
  HttpServer plain([](const HttpRequest&) { return HttpReply{200, {}, k_feed}; });
  const std::string target = plain.url("/new");
  TlsServer secure([&target](TlsConnection& c) {
    if (c.send("HTTP/1.1 301 Moved Permanently\r\nLocation: " + target + "\r\nContent-Length: 0\r\n\r\n")) {
      c.close_notify();
    }
  });
  const std::string cfg =
      dir.write("c.yaml", "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
                              "\"\nhttp:\n  allow_private_networks: true\n  ca_file: \"" + secure.ca_file() +
                              "\"\nfeeds:\n  - name: f\n    url: \"" + secure.url("/old") + "\"\n");
  std::string err;
  for (int i = 0; i < 4; ++i) {
    ProcessResult r = run_feedwatch({"once", "--config", cfg});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    err = r.err;
  }
  EXPECT_EQ(db.scalar("SELECT url || ' ' || moved_count FROM feeds"), secure.url("/old") + " 0");
  EXPECT_EQ(plain.hits("/new"), 4);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM articles"), "1");
  EXPECT_NE(err.find("feed_move_refused feed=f"), std::string::npos) << err;
}

}  // namespace
}  // namespace fw::test
