// Storing one large feed: Store::record_feed on a real PostgreSQL (the server
// libpq's PG* variables name; bench/README.md, "Storing a 10,000-item feed").
// A fresh database is made, migrated, and one feed's poll is recorded three
// times: every entry new, every entry unchanged, then a tenth of them edited.
//
//   pg_virtualenv -t -v 15 build/bench/store_feed [ITEMS] [ROUNDS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "daemon/db/migrate.hpp"
#include "daemon/db/pg.hpp"
#include "daemon/store/store.hpp"
#include "parsers/diff/canonical.hpp"

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "store_feed: %s\n", what.c_str());
  std::exit(1);
}

// An entry as a WordPress feed gives it: guid, link, title, categories, dates
// and a content:encoded of a few paragraphs (about 1.5 KB).
fw::feed::Entry entry(int i, int edit) {
  fw::feed::Entry e;
  const std::string n = std::to_string(i);
  e.id = "https://news.example.org/?p=" + n;
  e.link = "https://news.example.org/2026/11/story-" + n + "/";
  e.title = "Story " + n + (edit ? " (updated)" : "");
  e.author = "Desk " + std::to_string(i % 17);
  e.categories = {"Tech", "Companies", "Topic " + std::to_string(i % 31)};
  e.published = 1'790'000'000 + i;
  std::string html;
  for (int p = 0; p < 4; ++p) {
    html += "<p>Paragraph " + std::to_string(p) + " of story " + n +
            ": Huawei, Tencent and Alibaba expand their research work in Europe, with new laboratories "
            "in Cambridge, Munich and Paris, according to people familiar with the plans.</p>";
  }
  if (edit) html += "<p>Update " + std::to_string(edit) + ": the company confirmed the plans on Friday.</p>";
  e.content_html = html;
  e.summary = "Summary of story " + n;
  return e;
}

double record(fw::store::Store& store, const fw::store::FeedRow& feed, const fw::feed::Feed& parsed,
              const char* what) {
  fw::store::PollRecord poll;
  poll.status = 200;
  poll.outcome = "ok";
  poll.next_poll_in = std::chrono::seconds(900);
  const auto start = Clock::now();
  auto counts = store.record_feed(feed, poll, parsed);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!counts) die(std::string(what) + ": " + counts.error().message);
  std::printf("%-28s %8.2f s  %7.0f µs/entry  new=%d versions=%d unchanged=%d\n", what, seconds,
              seconds * 1e6 / static_cast<double>(parsed.entries.size()), counts->new_articles,
              counts->new_versions, counts->unchanged);
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  const int items = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 1;
  if (items <= 0 || rounds <= 0) die("usage: store_feed [ITEMS] [ROUNDS]");
  const std::string dbname = "store_feed_" + std::to_string(std::random_device{}() % 1000000);
  {
    auto admin = fw::db::Connection::open("dbname=postgres");
    if (!admin) die(admin.error().message);
    if (auto r = admin->exec("CREATE DATABASE " + dbname); !r) die(r.error().message);
  }
  auto conn = fw::db::Connection::open("dbname=" + dbname);
  if (!conn) die(conn.error().message);
  if (auto m = fw::db::migrate(*conn); !m) die(m.error().message);
  fw::store::Store store(*conn);

  for (int round = 0; round < rounds; ++round) {
    const std::string name = "big" + std::to_string(round);
    fw::config::FeedConfig fc;
    fc.name = name;
    fc.url = "https://news.example.org/feed/" + name;
    fc.fetch_articles = false;
    if (auto r = store.sync_feeds({fc}); !r) die(r.error().message);
    auto id = conn->exec("SELECT id FROM feeds WHERE name = $1", {name});
    if (!id || id->empty()) die("no feed row");
    fw::store::FeedRow feed;
    feed.id = id->get_int(0, 0);
    feed.name = name;
    feed.url = fc.url;

    fw::feed::Feed parsed;
    parsed.title = "Big feed";
    for (int i = 0; i < items; ++i) parsed.entries.push_back(entry(round * items + i, 0));
    std::printf("round %d, %d entries\n", round + 1, items);
    {
      // The daemon's own share, without the database: identity, extraction of
      // each entry's HTML, hash of the canonical text.
      const auto start = Clock::now();
      std::size_t sink = 0;
      for (const fw::feed::Entry& e : parsed.entries) {
        const std::string body = fw::store::entry_body_text(e);
        sink += fw::store::article_key(e, feed.url).size() + fw::diff::canonical_hash(*e.title, body).size();
      }
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      std::printf("%-28s %8.2f s  %7.0f µs/entry  (%zu)\n", "extraction and hashes only", seconds,
                  seconds * 1e6 / static_cast<double>(items), sink);
    }
    record(store, feed, parsed, "all new");
    record(store, feed, parsed, "all unchanged");
    for (int i = 0; i < items; i += 10) parsed.entries[i] = entry(round * items + i, 1);
    record(store, feed, parsed, "a tenth edited");
  }
  *conn = fw::db::Connection();
  auto admin = fw::db::Connection::open("dbname=postgres");
  if (admin) (void)admin->exec("DROP DATABASE " + dbname);
  return 0;
}
