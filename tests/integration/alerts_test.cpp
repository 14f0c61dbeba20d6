// Alerts end to end: the feedwatch binary, a real PostgreSQL, the seed feed
// and a Beast webhook receiver on 127.0.0.1 that is down for a while, then
// fails three deliveries, then accepts; the daemon killed between storing a
// version and delivering its alert;
// `once`, `alerts list|retry|replay`, exec hooks, digests; and the outbox
// writer on a real database with edit events.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "daemon/alerts/alerter.hpp"
#include "daemon/config/config.hpp"
#include "daemon/db/migrate.hpp"
#include "tests/support/http_server.hpp"
#include "tests/support/support.hpp"

namespace fw::test {
namespace {

using nlohmann::json;

constexpr const char* k_secret = "test-secret-\xe5\x8d\x8e";  // not ASCII on purpose

HttpReply serve_feed(const HttpRequest&) {
  return HttpReply{200, {}, without_polling_hints(fixture("feeds/cbbc-tech-companies.xml"))};
}

bool signature_verifies(const HttpRequest& r) {
  const std::string message = r.header("x-feedwatch-timestamp") + "." + r.body;
  const std::string secret = k_secret;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  char hex[2 * EVP_MAX_MD_SIZE + 1] = {};
  for (unsigned int i = 0; i < len; ++i) std::snprintf(hex + 2 * i, 3, "%02x", mac[i]);
  return r.header("x-feedwatch-signature") == "sha256=" + std::string(hex);
}

// A config: the seed feed, one hook, a rule on DeepSeek and Lenovo (the
// first two seed articles; the third mentions neither).
std::string alert_config(const TempDatabase& db, const TempDir& dir, const std::string& feed_url,
                         const std::string& hook_yaml, const std::string& interval = "1h") {
  return "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
         "\"\nhttp:\n  allow_private_networks: true\n"
         "feeds:\n  - name: cbbc-tech-companies\n    url: \"" +
         feed_url + "\"\n    interval: " + interval +
         "\n    fetch_articles: false\n"
         "hooks:\n" +
         hook_yaml +
         "rules:\n  - name: china-tech\n    events: [new, edited]\n    any: [DeepSeek, Lenovo]\n"
         "    hooks: [receiver]\n";
}

std::string webhook(std::uint16_t port, const std::string& extra = "") {
  return "  - name: receiver\n    url: \"http://127.0.0.1:" + std::to_string(port) +
         "/hook\"\n    secret_env: FW_TEST_HOOK_SECRET\n    timeout: 2s\n"
         "    retry: {max_attempts: 50, initial: 1s, max: 2s}\n" +
         extra;
}

const std::vector<std::string> k_env{std::string("FW_TEST_HOOK_SECRET=") + k_secret};

TEST(AlertsEndToEnd, DownThenFailingReceiverGetsEachEventOnceSignedAndPollingGoesOn) {
  TempDatabase db;
  TempDir dir;
  HttpServer feed(serve_feed);
  const std::uint16_t port = free_port();
  std::atomic<int> seen{0};
  std::mutex mutex;
  std::vector<HttpRequest> accepted;
  // Fails the first three deliveries with 500.
  auto handler = [&](const HttpRequest& r) {
    if (seen.fetch_add(1) < 3) return HttpReply{500, {}, "try later"};
    std::lock_guard<std::mutex> lock(mutex);
    accepted.push_back(r);
    return HttpReply{200, {{"Content-Type", "text/plain"}}, "ok"};
  };
  // The receiver is down first: connections are refused.
  std::string cfg = dir.write("c.yaml", alert_config(db, dir, feed.url("/feed/"), webhook(port), "1s"));
  Child daemon({"run", "--config", cfg}, k_env);
  ASSERT_TRUE(eventually(
      [&] {
        return db.scalar("SELECT to_regclass('alert_deliveries') IS NOT NULL") == "t" &&
               db.scalar(
                   "SELECT count(*) FROM alert_deliveries WHERE last_status IS NULL AND attempts > 1 "
                   "AND status = 'pending'") == "2";
      },
      30))
      << daemon.err();
  // Polling goes on while deliveries fail (the feed is due every second).
  const int polls_before = feed.hits("/feed/");
  ASSERT_TRUE(eventually([&] { return feed.hits("/feed/") >= polls_before + 2; }, 30)) << daemon.err();
  // It comes up, answers 500 three times, then accepts.
  HttpServer receiver(handler, port);
  ASSERT_TRUE(eventually(
      [&] { return db.scalar("SELECT count(*) FROM alert_deliveries WHERE status = 'delivered'") == "2"; },
      60))
      << daemon.err();
  EXPECT_EQ(seen.load(), 5);
  daemon.signal(SIGTERM);
  ASSERT_TRUE(daemon.wait_for(30).has_value());

  std::lock_guard<std::mutex> lock(mutex);
  ASSERT_EQ(accepted.size(), 2u) << daemon.err();
  std::set<std::string> keys;
  std::set<std::string> titles;
  for (const HttpRequest& r : accepted) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/hook");
    EXPECT_EQ(r.header("content-type"), "application/json");
    EXPECT_TRUE(signature_verifies(r)) << r.body;
    keys.insert(r.header("idempotency-key"));
    json j = json::parse(r.body);
    EXPECT_EQ(j["idempotency_key"], r.header("idempotency-key"));
    EXPECT_EQ(j["event"], "new");
    EXPECT_EQ(j["rule"], "china-tech");
    titles.insert(j["article"]["title"].get<std::string>());
  }
  EXPECT_EQ(keys.size(), 2u);  // each event once per key
  EXPECT_EQ(titles,
            (std::set<std::string>{"What is DeepSeek? The Chinese AI shaking up the global AI landscape",
                                   "How did Zhongguancun become China’s Silicon Valley?"}));
  // The keys in the database are the ones received, and nothing else was queued.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM alert_deliveries"), "2");
  for (const auto& k : keys) {
    EXPECT_EQ(db.scalar("SELECT status FROM alert_deliveries WHERE idempotency_key = $1", {k}), "delivered");
  }
  EXPECT_EQ(db.scalar("SELECT count(*) FROM alert_deliveries d JOIN articles a ON a.id = d.article_id "
                      "WHERE a.title LIKE 'Is China still waging war%'"),
            "0");
}

TEST(AlertsEndToEnd, KilledBeforeDeliveringSendsTheAlertAfterRestartWithTheSameKey) {
  TempDatabase db;
  TempDir dir;
  HttpServer feed(serve_feed);
  const std::uint16_t port = free_port();  // nothing listens yet: the receiver is down
  std::string cfg = dir.write("c.yaml", alert_config(db, dir, feed.url("/feed/"), webhook(port)));
  {
    Child daemon({"run", "--config", cfg}, k_env);
    ASSERT_TRUE(eventually(
        [&] {
          return db.scalar("SELECT to_regclass('alert_deliveries') IS NOT NULL") == "t" &&
                 db.scalar("SELECT count(*) FROM alert_deliveries WHERE attempts > 0") == "2";
        },
        30))
        << daemon.err();
    daemon.signal(SIGKILL);
    daemon.wait_for(10);
  }
  EXPECT_EQ(db.scalar("SELECT count(*) FROM article_versions"), "3");  // the versions were written
  const std::string keys_before =
      db.scalar("SELECT string_agg(idempotency_key, ',' ORDER BY idempotency_key) FROM alert_deliveries");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM alert_deliveries WHERE status = 'pending'"), "2");

  HttpServer receiver([](const HttpRequest&) { return HttpReply{200, {}, "ok"}; }, port);
  Child daemon({"run", "--config", cfg}, k_env);
  ASSERT_TRUE(eventually(
      [&] { return db.scalar("SELECT count(*) FROM alert_deliveries WHERE status = 'delivered'") == "2"; },
      60))
      << daemon.err();
  daemon.signal(SIGTERM);
  daemon.wait_for(30);
  std::vector<std::string> received;
  for (const auto& r : receiver.requests()) {
    EXPECT_TRUE(signature_verifies(r));
    received.push_back(r.header("idempotency-key"));
  }
  std::sort(received.begin(), received.end());
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0] + "," + received[1], keys_before);
}

TEST(AlertsEndToEnd, OnceDeliversPendingAlertsAndTheCliListsRetriesAndReplays) {
  TempDatabase db;
  TempDir dir;
  HttpServer feed(serve_feed);
  const std::uint16_t port = free_port();
  // One attempt only: with the receiver down, `once` leaves both deliveries dead.
  std::string cfg = dir.write(
      "c.yaml", alert_config(db, dir, feed.url("/feed/"),
                             "  - name: receiver\n    url: \"http://127.0.0.1:" + std::to_string(port) +
                                 "/hook\"\n    format: slack\n    retry: {max_attempts: 1}\n"));
  ProcessResult first = run_feedwatch({"once", "--config", cfg});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM alert_deliveries WHERE status = 'dead'"), "2");
  ProcessResult listed = run_feedwatch({"alerts", "list", "--status", "dead", "--config", cfg});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("dead"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("[DeepSeek]"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find(db.scalar("SELECT min(idempotency_key) FROM alert_deliveries")),
            std::string::npos);

  HttpServer receiver([](const HttpRequest&) { return HttpReply{200, {}, "ok"}; }, port);
  ProcessResult nothing = run_feedwatch({"alerts", "retry", "--config", cfg});
  EXPECT_EQ(nothing.exit_code, 1);
  ProcessResult retried = run_feedwatch({"alerts", "retry", "--dead", "--config", cfg});
  ASSERT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_NE(retried.out.find("2 deliveries queued again"), std::string::npos) << retried.out;
  ProcessResult second = run_feedwatch({"once", "--config", cfg});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  ASSERT_EQ(receiver.requests().size(), 2u);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM alert_deliveries WHERE status = 'delivered'"), "2");
  json slack = json::parse(receiver.requests()[0].body);
  ASSERT_TRUE(slack["text"].is_string());
  EXPECT_NE(slack["text"].get<std::string>().find("rule china-tech"), std::string::npos);
  EXPECT_FALSE(receiver.requests()[0].has_header("x-feedwatch-signature"));  // no secret_env: unsigned

  // Replay one delivered alert: sent again, with the same key.
  const std::string id = db.scalar("SELECT min(id) FROM alert_deliveries");
  const std::string key =
      db.scalar("SELECT idempotency_key FROM alert_deliveries WHERE id = $1::bigint", {id});
  ProcessResult replayed = run_feedwatch({"alerts", "replay", id, "--config", cfg});
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_NE(replayed.out.find("1 deliveries queued again"), std::string::npos) << replayed.out;
  ProcessResult third = run_feedwatch({"once", "--config", cfg});
  ASSERT_EQ(third.exit_code, 0) << third.err;
  ASSERT_EQ(receiver.requests().size(), 3u);
  EXPECT_EQ(receiver.requests()[2].header("idempotency-key"), key);
}

TEST(AlertsEndToEnd, ExecHookGetsTheJsonOnStdinAndIsKilledAfterItsTimeout) {
  TempDatabase db;
  TempDir dir;
  HttpServer feed(serve_feed);
  const std::string out = dir.path() + "/out";
  std::filesystem::create_directory(out);
  std::string cfg = dir.write(
      "c.yaml", alert_config(db, dir, feed.url("/feed/"),
                             "  - name: receiver\n    format: exec\n    command: [/bin/sh, -c, 'cat > \"" +
                                 out + "/$FEEDWATCH_IDEMPOTENCY_KEY.json\"; env > \"" + dir.path() +
                                 "/env.txt\"']\n    timeout: 5s\n"));
  // A secret in the daemon's environment (a hook's secret_env, PGPASSWORD) must not reach the command.
  setenv("FW_TEST_EXEC_SECRET", "do-not-leak", 1);
  ProcessResult r = run_feedwatch({"once", "--config", cfg});
  unsetenv("FW_TEST_EXEC_SECRET");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM alert_deliveries WHERE status = 'delivered'"), "2");
  const std::string env = read_file(dir.path() + "/env.txt");
  EXPECT_EQ(env.find("do-not-leak"), std::string::npos) << env;
  EXPECT_EQ(env.find("PGPASSWORD"), std::string::npos) << env;
  EXPECT_NE(env.find("FEEDWATCH_IDEMPOTENCY_KEY="), std::string::npos) << env;
  EXPECT_NE(env.find("PATH="), std::string::npos) << env;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(out)) {
    ++files;
    json j = json::parse(read_file(entry.path().string()));
    EXPECT_EQ(j["idempotency_key"].get<std::string>() + ".json", entry.path().filename().string());
    EXPECT_EQ(j["schema"], "feedwatch.alert/1");
  }
  EXPECT_EQ(files, 2);

  TempDatabase db2;
  std::string slow = dir.write(
      "slow.yaml", alert_config(db2, dir, feed.url("/feed/"),
                                "  - name: receiver\n    format: exec\n    command: [/bin/sleep, '60']\n"
                                "    timeout: 1s\n"));
  ProcessResult s = run_feedwatch({"once", "--config", slow});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(db2.scalar("SELECT count(*) FROM alert_deliveries WHERE status = 'pending' AND attempts = 1 "
                       "AND last_error = 'timed out'"),
            "2");
}

TEST(AlertsEndToEnd, DigestHookSendsOneRequestPerWindow) {
  TempDatabase db;
  TempDir dir;
  HttpServer feed(serve_feed);
  HttpServer receiver([](const HttpRequest&) { return HttpReply{204, {}, ""}; });
  setenv("FW_TEST_HOOK_SECRET", k_secret, 1);  // inherited by the feedwatch processes
  std::string cfg = dir.write(
      "c.yaml", alert_config(db, dir, feed.url("/feed/"), webhook(receiver.port(), "    digest: 1h\n")));
  ProcessResult r = run_feedwatch({"once", "--config", cfg}, {});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(receiver.requests().size(), 1u);
  const std::vector<HttpRequest> requests = receiver.requests();
  const HttpRequest& req = requests[0];
  EXPECT_EQ(req.header("x-feedwatch-event"), "digest");
  json j = json::parse(req.body);
  EXPECT_EQ(j["schema"], "feedwatch.digest/1");
  EXPECT_EQ(j["count"], 2);
  EXPECT_EQ(j["idempotency_key"], req.header("idempotency-key"));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM alert_deliveries WHERE status = 'delivered'"), "2");
  // A new event inside the window waits for the next one.
  db.scalar(
      "UPDATE alert_deliveries SET status = 'pending' WHERE id = (SELECT min(id) FROM alert_deliveries) "
      "RETURNING id");
  ProcessResult again = run_feedwatch({"once", "--config", cfg});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(receiver.requests().size(), 1u);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM alert_deliveries WHERE status = 'pending'"), "1");
}

// The outbox writer on a real database, with edit events built by hand.
TEST(AlertOutbox, EditEventsCarryTermsAddedAndRemovedAndAreWrittenOncePerKey) {
  TempDatabase db;
  db::Connection conn = db.connect();
  ASSERT_TRUE(db::migrate(conn));
  auto art = conn.exec(
      "INSERT INTO articles (article_key, url, title) VALUES ('k', 'https://x.example/a', 'T') RETURNING id");
  ASSERT_TRUE(art) << art.error().message;
  const std::int64_t article_id = art->get_int(0, 0);
  config::Config c = config::load_string(
      "hooks:\n  - {name: analysts, url: 'https://hooks.example.org/'}\n"
      "rules:\n"
      "  - name: removals\n    events: [edited]\n    any: [Huawei, Tencent]\n    aliases: {Huawei: [华为]}\n"
      "    on_terms_change: true\n    hooks: [analysts]\n"
      "  - name: everything\n    events: [removed]\n    hooks: [analysts]\n",
      "c.yaml");
  alerts::Alerter alerter(c);
  store::ArticleEvent e;
  e.kind = "edited";
  e.article_id = article_id;
  e.version_id = 2;
  e.change_id = 5;
  e.url = "https://x.example/a";
  e.title = "Phones";
  e.old_title = "Phones";
  e.old_body_text = "华为 and Tencent made phones.";
  e.body_text = "Tencent made phones.";
  e.change_kinds = {"substantive"};
  e.words_removed = 2;
  e.diff_text = "[-华为 and-] Tencent made phones.";
  ASSERT_TRUE(alerter.on_event(conn, e));
  ASSERT_TRUE(alerter.on_event(conn, e));  // the same event again: one row
  EXPECT_EQ(db.scalar("SELECT count(*) FROM alert_deliveries"), "1");
  EXPECT_EQ(db.scalar("SELECT payload->>'terms_removed' FROM alert_deliveries"), "[\"Huawei\"]");
  EXPECT_EQ(db.scalar("SELECT payload->'edit'->>'diff' FROM alert_deliveries"),
            "[-华为 and-] Tencent made phones.");
  EXPECT_EQ(db.scalar("SELECT event_key FROM alert_deliveries"),
            "edited:a" + std::to_string(article_id) + ":c5");

  // An edit that leaves the tracked terms as they were: no alert from an on_terms_change rule.
  store::ArticleEvent quiet = e;
  quiet.change_id = 6;
  quiet.old_body_text = "Tencent made phones.";
  quiet.body_text = "Tencent made many phones.";
  ASSERT_TRUE(alerter.on_event(conn, quiet));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM alert_deliveries"), "1");

  // A removal matches the rule without terms.
  store::ArticleEvent removed;
  removed.kind = "removed";
  removed.article_id = article_id;
  removed.change_id = 7;
  removed.title = "Phones";
  ASSERT_TRUE(alerter.on_event(conn, removed));
  EXPECT_EQ(db.scalar("SELECT rules::text FROM alert_deliveries WHERE event = 'removed'"), "{everything}");
}

}  // namespace
}  // namespace fw::test
