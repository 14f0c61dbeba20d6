// The analyst web view end to end: a Beast server on 127.0.0.1 serves a feed
// and its article page; `feedwatch once` stores the article, the page then
// changes (a figure changes, a sentence is removed, a quoted "<script>" is
// added) and a second `once` records the edit. Then `feedwatch run` with
// web.listen on a free loopback port and a bearer token from the environment
// serves the pages, which are checked over HTTP: the edits page lists the edit
// (and its filters select it or not), the article page marks the changed words
// with <del>/<ins>, search finds the removed sentence, article text is escaped,
// every answer has the CSP header, requests without the token are refused,
// and /edits.atom parses with our own feed parser as Atom 1.0.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "parsers/feed/feed.hpp"
#include "tests/support/http_server.hpp"
#include "tests/support/support.hpp"

namespace fw::test {
namespace {

constexpr const char* k_token = "s3cret-web-token";

const char* k_body_v1 =
    "<p>DeepSeek, the Hangzhou start-up, says its latest model cost $6 million to train.</p>"
    "<p>Analysts in London were sceptical of the figure.</p>"
    "<p>The company did not respond to a request for comment.</p>";

const char* k_body_v2 =
    "<p>DeepSeek, the Hangzhou start-up, says its latest model cost $60 million to train.</p>"
    "<p>The company did not respond to a request for comment. A spokesman wrote "
    "&lt;script&gt;alert(1)&lt;/script&gt; in an email.</p>";

struct Answer {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// One HTTP/1.1 GET to 127.0.0.1:port with extra request header lines.
Answer get(std::uint16_t port, const std::string& target, const std::string& extra_headers) {
  Answer a;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return a;
  }
  const std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                              "\r\n" + extra_headers + "Connection: close\r\n\r\n";
  if (write(fd, request.data(), request.size()) < 0) {
    close(fd);
    return a;
  }
  std::string response;
  char buf[8192];
  ssize_t n = 0;
  while ((n = read(fd, buf, sizeof buf)) > 0) response.append(buf, static_cast<std::size_t>(n));
  close(fd);
  if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return a;
  a.status = std::stoi(response.substr(9, 3));
  const std::size_t end = response.find("\r\n\r\n");
  std::size_t line = response.find("\r\n") + 2;
  while (line < end) {
    const std::size_t next = response.find("\r\n", line);
    const std::string h = response.substr(line, next - line);
    const std::size_t colon = h.find(':');
    std::string name = h.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    a.headers[name] = h.substr(h.find_first_not_of(' ', colon + 1));
    line = next + 2;
  }
  a.body = response.substr(end + 4);
  return a;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class WebTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { s = new Scenario(); }
  static void TearDownTestSuite() {
    delete s;
    s = nullptr;
  }

  // The change scenario, then the daemon with the web view; shared by the tests.
  struct Scenario {
    TempDatabase db;
    TempDir dir;
    std::mutex mutex;
    std::string body = k_body_v1;
    std::unique_ptr<HttpServer> server;
    std::string config_path;
    std::uint16_t port = 0;
    std::unique_ptr<Child> daemon;
    std::string article_id;

    Scenario() {
      server = std::make_unique<HttpServer>([this](const HttpRequest& r) { return serve(r); });
      port = free_port();
      config_path =
          dir.write("feedwatch.yaml",
                    "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
                        "\"\nlog_level: debug\nhttp:\n  timeout: 10s\n  allow_private_networks: true\n"
                        "  per_host: { max_concurrent: 2, min_delay: 0s }\n"
                        "feeds:\n  - name: focus\n    url: \"" +
                        server->url("/feed/") +
                        "\"\n    interval: 1h\n"
                        "sites:\n  - host: 127.0.0.1\n    body: \".entry-content\"\n"
                        "recheck: [1h]\n"
                        "hooks:\n  - name: analysts\n    url: \"" +
                        server->url("/hook") +
                        "\"\n"
                        "rules:\n  - name: china-tech\n    events: [new, edited]\n    any: [DeepSeek]\n    "
                        "hooks: [analysts]\n"
                        "web:\n  listen: 127.0.0.1:" +
                        std::to_string(port) +
                        "\n  token_env: FEEDWATCH_WEB_TOKEN\n  user_env: FEEDWATCH_WEB_USER\n"
                        "  password_env: FEEDWATCH_WEB_PASSWORD\n");
      ProcessResult first = run_feedwatch({"once", "--config", config_path});
      EXPECT_EQ(first.exit_code, 0) << first.err;
      {
        std::lock_guard lock(mutex);
        body = k_body_v2;
      }
      db.scalar("UPDATE articles SET next_check_at = now() RETURNING 1");
      ProcessResult second = run_feedwatch({"once", "--config", config_path});
      EXPECT_EQ(second.exit_code, 0) << second.err;
      article_id = db.scalar("SELECT id FROM articles");
      daemon = std::make_unique<Child>(
          std::vector<std::string>{"run", "--config", config_path},
          std::vector<std::string>{std::string("FEEDWATCH_WEB_TOKEN=") + k_token,
                                   "FEEDWATCH_WEB_USER=analyst", "FEEDWATCH_WEB_PASSWORD=pa:ss word",
                                   "FEEDWATCH_LOOPBACK_ONLY=1"});
      const bool up = eventually([this] { return get(port, "/style.css", "").status != 0; }, 20);
      EXPECT_TRUE(up) << daemon->err();
    }

    ~Scenario() {
      daemon->signal(SIGTERM);
      daemon->wait_for(20);
    }

    HttpReply serve(const HttpRequest& r) {
      std::lock_guard lock(mutex);
      if (r.target == "/feed/") {
        return HttpReply{
            200,
            {{"Content-Type", "application/rss+xml; charset=UTF-8"}},
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Focus</title><link>" +
                server->url("/") + "</link><item><title>DeepSeek model cost questioned</title><link>" +
                server->url("/deepseek-cost/") +
                "</link><guid>deepseek-cost</guid><pubDate>Fri, 31 Jan 2025 12:00:00 +0000</pubDate>"
                "<description>DeepSeek cost</description></item></channel></rss>"};
      }
      if (r.target == "/deepseek-cost/") {
        return HttpReply{
            200,
            {{"Content-Type", "text/html; charset=UTF-8"}},
            "<!DOCTYPE html><html><head><title>DeepSeek model cost questioned</title></head><body>"
            "<article><h1>DeepSeek model cost questioned</h1><div class=\"entry-content\">" +
                body + "</div></article></body></html>"};
      }
      if (r.target == "/hook") return HttpReply{200, {}, "ok"};
      return HttpReply{404, {}, "not found"};
    }
  };

  static Answer page(const std::string& target) {
    return get(s->port, target, std::string("Authorization: Bearer ") + k_token + "\r\n");
  }

  static Scenario* s;
};

WebTest::Scenario* WebTest::s = nullptr;

TEST_F(WebTest, EditsPageListsTheEdit) {
  const Answer a = page("/");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_TRUE(contains(a.header("content-type"), "text/html")) << a.header("content-type");
  EXPECT_TRUE(contains(a.body, "DeepSeek model cost questioned")) << a.body;
  EXPECT_TRUE(contains(a.body, "href=\"/article/" + s->article_id + "?a=")) << a.body;
  EXPECT_TRUE(contains(a.body, "class=\"badge k-")) << a.body;
  EXPECT_TRUE(contains(a.body, "<del>")) << a.body;
}

TEST_F(WebTest, EditFiltersSelectTheEditOrNot) {
  const std::string listed = "DeepSeek model cost questioned</a>";
  for (const std::string target :
       {"/?feed=focus", "/?rule=china-tech", "/?since=2000-01-01", "/?kind=substantive&feed=focus",
        "/?feed=focus&since=2000-01-01&rule=china-tech"}) {
    const Answer a = page(target);
    EXPECT_EQ(a.status, 200) << target;
    EXPECT_TRUE(contains(a.body, listed)) << target << "\n" << a.body;
  }
  const std::string first_change = s->db.scalar("SELECT min(id) FROM article_changes");
  for (const std::string& target :
       {std::string("/?feed=other"), std::string("/?rule=no-such-rule"), std::string("/?kind=removed"),
        std::string("/?since=2000-01-01&until=2000-01-02"), "/?feed=focus&before=" + first_change,
        std::string("/?feed=focus&until=2000-01-02"), std::string("/?feed=focus&kind=removed")}) {
    const Answer a = page(target);
    EXPECT_EQ(a.status, 200) << target;
    EXPECT_FALSE(contains(a.body, listed)) << target << "\n" << a.body;
    EXPECT_TRUE(contains(a.body, "No edits match.")) << target;
  }
}

TEST_F(WebTest, ArticlePageHighlightsChangedWords) {
  const Answer a = page("/article/" + s->article_id);
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_TRUE(contains(a.body, "<del>$6</del>") || contains(a.body, "<del>$6 </del>")) << a.body;
  EXPECT_TRUE(contains(a.body, "<ins>$60</ins>") || contains(a.body, "<ins>$60 </ins>")) << a.body;
  EXPECT_TRUE(contains(a.body, "<del>Analysts in London were sceptical of the figure.</del>")) << a.body;
  EXPECT_TRUE(contains(a.body, "class=\"versions\"")) << a.body;
  const Answer side = page("/article/" + s->article_id + "?view=side");
  ASSERT_EQ(side.status, 200);
  EXPECT_TRUE(contains(side.body, "<table class=\"diff side\">")) << side.body;
  EXPECT_TRUE(contains(side.body, "<tr class=\"changed\">")) << side.body;
}

TEST_F(WebTest, ArticleTextIsEscaped) {
  const Answer a = page("/article/" + s->article_id);
  ASSERT_EQ(a.status, 200);
  EXPECT_TRUE(contains(a.body, "&lt;script&gt;alert(1)&lt;/script&gt;")) << a.body;
  EXPECT_FALSE(contains(a.body, "<script")) << a.body;
}

TEST_F(WebTest, SearchFindsTextThatWasLaterRemoved) {
  ASSERT_TRUE(eventually([] { return contains(page("/search?q=sceptical").body, "<mark>"); }, 10))
      << s->db.scalar(
             "SELECT count(*) || ' unindexed of ' || (SELECT count(*) FROM article_versions) || ' ' || "
             "(SELECT string_agg(coalesce(search::text, 'NULL'), ' | ') FROM article_versions) FROM "
             "article_versions WHERE search IS NULL");
  const Answer a = page("/search?q=sceptical");
  ASSERT_EQ(a.status, 200);
  EXPECT_TRUE(contains(a.body, "DeepSeek model cost questioned")) << a.body;
  EXPECT_TRUE(contains(a.body, "<mark>sceptical</mark>")) << a.body;
  EXPECT_TRUE(contains(a.body, "not in the current text")) << a.body;
  EXPECT_TRUE(contains(page("/search?q=nonexistentword").body, "No results"));
}

// Snippets come from 1,000 characters around the first occurrence of a query
// word, so a match deep in a long text is still shown highlighted; a word
// whose stem is not a prefix of it as written ("quarry": 'quarri') is found
// in the whole text as before.
TEST_F(WebTest, SearchSnippetShowsAMatchDeepInALongText) {
  const std::string stored = s->db.scalar(R"sql(
    WITH a AS (
      INSERT INTO articles (article_key, url, title) VALUES ('long-read', 'https://news.example/long', 'A long read')
      RETURNING id),
    v AS (
      INSERT INTO article_versions (article_id, version, source, title, body_text, text_sha256)
      SELECT a.id, 1, 'page', 'A long read',
             repeat('Markets were calm and traders waited for the data. ', 80) ||
             'Then zirconium prices jumped. ' || repeat('Nothing else happened that week. ', 80) ||
             'The quarry closed. ' || repeat('Analysts went home. ', 20),
             'long-read-1'
      FROM a RETURNING id)
    SELECT id FROM v)sql");
  ASSERT_EQ(s->db.scalar("UPDATE articles SET current_version_id = " + stored +
                         " WHERE article_key = 'long-read' RETURNING 1"),
            "1");
  s->db.scalar("SELECT feedwatch_index_search(100)");
  ASSERT_TRUE(eventually([] { return contains(page("/search?q=zirconium").body, "<mark>"); }, 10));
  const Answer deep = page("/search?q=zirconium");
  EXPECT_TRUE(contains(deep.body, "Then <mark>zirconium</mark> prices jumped")) << deep.body;
  const Answer stem = page("/search?q=quarry");
  EXPECT_TRUE(contains(stem.body, "The <mark>quarry</mark> closed")) << stem.body;
}

TEST_F(WebTest, DownloadsCleanAndRawText) {
  const Answer v1 = page("/article/" + s->article_id + "/v1.txt");
  ASSERT_EQ(v1.status, 200);
  EXPECT_TRUE(contains(v1.header("content-type"), "text/plain")) << v1.header("content-type");
  EXPECT_TRUE(contains(v1.header("content-disposition"), "attachment")) << v1.header("content-disposition");
  const std::string last = s->db.scalar("SELECT max(version) FROM article_versions");
  const Answer text = page("/article/" + s->article_id + "/v" + last + ".txt");
  EXPECT_TRUE(contains(text.body, "$60 million")) << text.body;
  const Answer raw = page("/article/" + s->article_id + "/v" + last + ".html");
  ASSERT_EQ(raw.status, 200);
  EXPECT_EQ(raw.header("content-type"), "application/octet-stream");
  EXPECT_TRUE(contains(raw.body, "<div class=\"entry-content\">")) << raw.body;
  EXPECT_EQ(page("/article/" + s->article_id + "/v999.txt").status, 404);
  EXPECT_EQ(page("/article/999999").status, 404);
}

TEST_F(WebTest, EveryAnswerCarriesTheSecurityHeaders) {
  const std::vector<std::string> targets{
      "/",           "/search?q=deepseek", "/sources", "/article/" + s->article_id,
      "/edits.atom", "/style.css",         "/nope"};
  for (const std::string& target : targets) {
    const Answer a = page(target);
    EXPECT_NE(a.status, 0) << target;
    EXPECT_TRUE(contains(a.header("content-security-policy"), "default-src 'none'")) << target;
    EXPECT_TRUE(contains(a.header("content-security-policy"), "style-src 'self'")) << target;
    EXPECT_FALSE(contains(a.header("content-security-policy"), "script-src")) << target;
    EXPECT_EQ(a.header("x-content-type-options"), "nosniff") << target;
    EXPECT_FALSE(contains(a.body, "<script")) << target;
  }
}

TEST_F(WebTest, RefusesRequestsWithoutTheTokenOrPassword) {
  const Answer none = get(s->port, "/", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_TRUE(contains(none.header("www-authenticate"), "Basic realm=")) << none.header("www-authenticate");
  EXPECT_FALSE(contains(none.body, "DeepSeek"));
  EXPECT_EQ(get(s->port, "/", "Authorization: Bearer wrong\r\n").status, 401);
  EXPECT_EQ(get(s->port, "/edits.atom", "").status, 401);
  EXPECT_EQ(
      get(s->port, "/article/" + s->article_id + "/v1.txt", "Authorization: Basic dXNlcjpwYXNz\r\n").status,
      401);
  EXPECT_EQ(page("/sources").status, 200);
  // Basic authentication: "analyst:pa:ss word" (the password may hold a colon).
  EXPECT_EQ(get(s->port, "/sources", "Authorization: Basic YW5hbHlzdDpwYTpzcyB3b3Jk\r\n").status, 200);
  EXPECT_EQ(get(s->port, "/sources", "Authorization: Basic YW5hbHlzdDp3cm9uZw==\r\n").status,
            401);  // analyst:wrong
  EXPECT_EQ(get(s->port, "/sources", "Authorization: Basic !!!!\r\n").status, 401);
  // The secrets are never logged.
  EXPECT_FALSE(contains(s->daemon->err(), k_token));
  EXPECT_FALSE(contains(s->daemon->err(), "pa:ss word"));
}

TEST_F(WebTest, DatabaseSessionIsReadOnlyAnalyst) {
  ASSERT_EQ(page("/").status, 200);
  EXPECT_TRUE(contains(s->daemon->err(), "web_database role=feedwatch_analyst read_only=true"))
      << s->daemon->err();
}

TEST_F(WebTest, DaemonRefusesToStartWithoutTheNamedSecret) {
  TempDir dir;
  const std::string config = dir.write(
      "feedwatch.yaml", "database:\n  url: \"" + s->db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
                            "\"\nweb:\n  listen: 127.0.0.1:" + std::to_string(free_port()) +
                            "\n  token_env: FEEDWATCH_WEB_TOKEN_UNSET_IN_TEST\n");
  Child daemon({"run", "--config", config}, {"FEEDWATCH_LOOPBACK_ONLY=1"});
  const std::optional<int> code = daemon.wait_for(20);
  ASSERT_TRUE(code.has_value()) << "still running";
  EXPECT_EQ(*code, 1);
  EXPECT_TRUE(contains(daemon.err(), "FEEDWATCH_WEB_TOKEN_UNSET_IN_TEST is not set")) << daemon.err();
}

TEST_F(WebTest, SourcesPageShowsTheFeed) {
  const Answer a = page("/sources");
  ASSERT_EQ(a.status, 200);
  EXPECT_TRUE(contains(a.body, ">focus</a>")) << a.body;
  EXPECT_TRUE(contains(a.body, "<span class=\"badge ok\">ok</span>")) << a.body;
}

TEST_F(WebTest, AtomFeedParsesAsAtom10) {
  const Answer a = page("/edits.atom?feed=focus");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_TRUE(contains(a.header("content-type"), "application/atom+xml")) << a.header("content-type");
  feed::ParseOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(s->port) + "/edits.atom";
  options.content_type = a.header("content-type");
  auto parsed = feed::parse(a.body, options);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->format.value_or(""), "atom1.0");
  EXPECT_TRUE(parsed->warnings.empty()) << parsed->warnings.front();
  EXPECT_TRUE(parsed->updated.has_value());
  EXPECT_EQ(parsed->self_link.value_or(""), options.base_url + "?feed=focus");
  ASSERT_EQ(parsed->entries.size(), 1U) << a.body;
  const feed::Entry& e = parsed->entries[0];
  EXPECT_TRUE(contains(e.title.value_or(""), "DeepSeek model cost questioned")) << a.body;
  EXPECT_EQ(e.link.value_or(""), "http://127.0.0.1:" + std::to_string(s->port) + "/article/" + s->article_id +
                                     "?a=" +
                                     s->db.scalar("SELECT ov.version FROM article_changes c JOIN "
                                                  "article_versions ov ON ov.id = c.old_version_id") +
                                     "&b=" + s->db.scalar("SELECT max(version) FROM article_versions"));
  EXPECT_TRUE(e.id.has_value());
  EXPECT_TRUE(e.updated.has_value());
  EXPECT_TRUE(contains(e.content.value_or(""), "$60")) << e.content.value_or("");
  // Filtered out: an empty but valid feed.
  auto empty = feed::parse(page("/edits.atom?kind=removed").body, options);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->format.value_or(""), "atom1.0");
  EXPECT_TRUE(empty->entries.empty());
}

// SIGHUP applies web changes: the view moves to its new address, its filter
// choices follow the reloaded feeds, and a config without `web` stops it.
TEST(WebReload, SighupMovesTheViewAndFollowsTheFeeds) {
  TempDatabase db;
  TempDir dir;
  HttpServer feeds([](const HttpRequest&) {
    return HttpReply{200,
                     {{"Content-Type", "application/rss+xml"}},
                     "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title></channel></rss>"};
  });
  const std::uint16_t first_port = free_port();
  std::uint16_t second_port = free_port();
  while (second_port == first_port) second_port = free_port();
  const auto config = [&](std::optional<std::uint16_t> port, bool second_feed) {
    std::string yaml = "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
                       "\"\nhttp:\n  allow_private_networks: true\nfeeds:\n"
                       "  - name: first-feed\n    url: \"" +
                       feeds.url("/first/") + "\"\n    interval: 1h\n";
    if (second_feed)
      yaml += "  - name: second-feed\n    url: \"" + feeds.url("/second/") + "\"\n    interval: 1h\n";
    if (port) yaml += "web:\n  listen: 127.0.0.1:" + std::to_string(*port) + "\n";
    return dir.write("feedwatch.yaml", yaml);
  };
  const std::string path = config(first_port, false);
  Child daemon({"run", "--config", path}, {"FEEDWATCH_LOOPBACK_ONLY=1"});
  ASSERT_TRUE(eventually([&] { return get(first_port, "/", "").status == 200; }, 20)) << daemon.err();
  EXPECT_TRUE(contains(get(first_port, "/", "").body, ">first-feed</option>"));
  EXPECT_FALSE(contains(get(first_port, "/", "").body, ">second-feed</option>"));

  config(second_port, true);
  daemon.signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return get(second_port, "/", "").status == 200; }, 20)) << daemon.err();
  EXPECT_TRUE(contains(get(second_port, "/", "").body, ">second-feed</option>"));
  EXPECT_EQ(get(first_port, "/", "").status, 0) << "the old address must be closed";

  // The same address, a feed fewer: the view restarts there with the new choices.
  config(second_port, false);
  daemon.signal(SIGHUP);
  ASSERT_TRUE(eventually(
      [&] {
        const Answer a = get(second_port, "/", "");
        return a.status == 200 && !contains(a.body, ">second-feed</option>");
      },
      20))
      << daemon.err();

  // A login whose variable is not set: the whole reload is refused, the view stays open as it was.
  dir.write("feedwatch.yaml", "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
                                  "\"\nfeeds: []\nweb:\n  listen: 127.0.0.1:" + std::to_string(second_port) +
                                  "\n  token_env: FEEDWATCH_TEST_UNSET_TOKEN\n");
  daemon.signal(SIGHUP);
  ASSERT_TRUE(eventually(
      [&] {
        return contains(daemon.err(), "FEEDWATCH_TEST_UNSET_TOKEN") &&
               contains(daemon.err(), "keeping the running configuration");
      },
      20))
      << daemon.err();
  EXPECT_EQ(get(second_port, "/", "").status, 200);

  config(std::nullopt, false);
  daemon.signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return get(second_port, "/", "").status == 0; }, 20)) << daemon.err();
  EXPECT_TRUE(contains(daemon.err(), "web_stopped")) << daemon.err();
  EXPECT_FALSE(daemon.wait_for(0.5).has_value()) << "the daemon must keep running";
  daemon.signal(SIGTERM);
  EXPECT_TRUE(daemon.wait_for(20).has_value()) << daemon.err();
}

}  // namespace
}  // namespace fw::test
