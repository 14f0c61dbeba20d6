// store::entries_digest: a poll whose digest equals the one of the feed's last
// full store skips storing its entries, so the digest must change with
// anything that store reads, and stay put for what it ignores.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "daemon/store/poll_batch.hpp"

namespace fw::store {
namespace {

feed::Feed sample() {
  feed::Feed f;
  f.title = "tech companies Archives";
  f.link = "https://focus.cbbc.org/tag/tech-companies/";
  f.updated = 1'745'400'923;
  for (int i = 0; i < 3; ++i) {
    feed::Entry e;
    e.key = "https://focus.cbbc.org/?p=" + std::to_string(15231 + i);
    e.id = e.key;
    e.title = "Post " + std::to_string(i);
    e.link = "https://focus.cbbc.org/post-" + std::to_string(i) + "/";
    e.published = 1'745'000'000 + i;
    e.author = "CBBC";
    e.categories = {"Technology", "Tech companies"};
    e.summary = "A summary.";
    e.content = "Founded in 2023 by Liang Wenfeng.";
    e.content_html = "<p>Founded in 2023 by Liang Wenfeng.</p>";
    f.entries.push_back(e);
  }
  return f;
}

FeedRow row() {
  FeedRow r;
  r.id = 7;
  r.name = "cbbc";
  r.url = "https://focus.cbbc.org/tag/tech-companies/feed/";
  return r;
}

TEST(EntriesDigest, SameEntriesSameDigestWhateverTheFeedsOwnDatesAndValidators) {
  const std::string base = entries_digest(row(), sample());
  EXPECT_EQ(base.size(), 64U);
  EXPECT_EQ(entries_digest(row(), sample()), base);
  feed::Feed later = sample();
  later.updated = 1'800'000'000;  // lastBuildDate moved, nothing else
  later.ttl_seconds = 600;
  FeedRow other_state = row();
  other_state.etag = "\"v2\"";
  other_state.error_count = 3;
  EXPECT_EQ(entries_digest(other_state, later), base);
}

TEST(EntriesDigest, ChangesWithEveryFieldTheStoreReads) {
  const std::string base = entries_digest(row(), sample());
  const std::vector<std::pair<const char*, std::function<void(feed::Feed&)>>> edits = {
      {"title", [](feed::Feed& f) { f.entries[1].title = "Post 1, updated"; }},
      {"content", [](feed::Feed& f) { f.entries[0].content = "Founded in 2024 by Liang Wenfeng."; }},
      {"content_html", [](feed::Feed& f) { f.entries[0].content_html = "<p>Founded in 2023.</p>"; }},
      {"summary", [](feed::Feed& f) { f.entries[2].summary = std::nullopt; }},
      {"link", [](feed::Feed& f) { f.entries[2].link = "https://focus.cbbc.org/moved/"; }},
      {"key", [](feed::Feed& f) { f.entries[2].key += "#2"; }},
      {"id", [](feed::Feed& f) { f.entries[2].id = std::nullopt; }},
      {"published", [](feed::Feed& f) { f.entries[0].published = 1'745'000'100; }},
      {"updated", [](feed::Feed& f) { f.entries[0].updated = 1'745'000'100; }},
      {"author", [](feed::Feed& f) { f.entries[0].author = "Someone else"; }},
      {"category", [](feed::Feed& f) { f.entries[0].categories.pop_back(); }},
      {"category moved", [](feed::Feed& f) { f.entries[0].categories = {"TechnologyTech companies"}; }},
      {"order", [](feed::Feed& f) { std::swap(f.entries[0], f.entries[1]); }},
      {"entry dropped", [](feed::Feed& f) { f.entries.pop_back(); }},
      {"feed title", [](feed::Feed& f) { f.title = "Tech"; }},
      {"feed link", [](feed::Feed& f) { f.link = std::nullopt; }},
      // Text moved from one field to the next must not encode alike.
      {"boundary",
       [](feed::Feed& f) {
         f.entries[0].summary = "A summary.Founded";
         f.entries[0].content = " in 2023 by Liang Wenfeng.";
       }},
  };
  for (const auto& [name, edit] : edits) {
    feed::Feed f = sample();
    edit(f);
    EXPECT_NE(entries_digest(row(), f), base) << name;
  }
  FeedRow moved = row();
  moved.url = "https://focus.cbbc.org/feed/";  // keys without guid or link derive from it
  EXPECT_NE(entries_digest(moved, sample()), base);
  FeedRow fetching = row();
  fetching.fetch_articles = true;  // a full store starts page fetches then
  EXPECT_NE(entries_digest(fetching, sample()), base);
}

// The encoding is pinned (digests stored by one release are compared by the
// next): field by field, each "s" + its length as 8 little-endian bytes + its
// bytes, "-" for an absent one, after a versioned prefix. Changing it means a
// new prefix, which makes every feed's next poll a full store. The expected
// values are Python's hashlib.sha256 over those bytes.
TEST(EntriesDigest, EncodingIsPinned) {
  EXPECT_EQ(entries_digest(row(), feed::Feed{}),
            "47e887be0b5cb6b82a453337c4dbfe3657af87b7f1aa53d1f66c6106b0391582");
  feed::Entry only_key;
  only_key.key = "k";
  EXPECT_EQ(entry_digest(only_key), "0492d49dad3e87764d700dde9af2cdc83f22bea470d3d4b611eefdf1a002867b");
}

}  // namespace
}  // namespace fw::store
