// The store: every database write of the polling pipeline. One feed poll is one
// transaction: the feed's state, its fetch_log row, and every article and
// version it produced commit together or not at all.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "daemon/config/config.hpp"
#include "daemon/db/pg.hpp"
#include "daemon/store/events.hpp"
#include "parsers/extract/extract.hpp"
#include "parsers/feed/feed.hpp"

namespace fw::diff {
struct Classification;
}

namespace fw::store {

struct StoredVersion;

// A feed document's own polling hints, unbounded (the poller bounds them by
// the configured interval when it uses them): feeds.hint_ttl_s and
// feeds.hint_posting_s (sql/017).
struct IntervalHints {
  std::optional<std::chrono::seconds> ttl;      // <ttl>, sy:updatePeriod/updateFrequency
  std::optional<std::chrono::seconds> posting;  // posting_rate_suggestion
};

struct FeedRow {
  std::int64_t id = 0;
  std::string name;
  std::string url;
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
  int error_count = 0;
  bool fetch_articles = false;  // from the config: new articles get their pages fetched
  // Where the poller found the feed's config entry, and in which version of
  // the config (it counts reloads): a poll finds it again without a lookup
  // by name while the config is the same.
  std::size_t config_index = 0;
  std::uint64_t config_generation = 0;
  // The entries_digest of the feed's last full store while it is trusted (a
  // day), else nullopt: a poll whose entries give the same digest stores nothing.
  std::optional<std::string> entries_digest;
  // Until when entries_digest may be trusted (kept feeds carry it from poll to poll).
  std::chrono::steady_clock::time_point entries_digest_until{};
  // What the feed's document said at its last full store (sql/017): a 304
  // is scheduled by it too.
  IntervalHints hints;
  // A kept feed whose row a batch of unchanged polls wrote last (sql/014):
  // the row holds this status, these validators, no error, and a schedule of
  // row_next_in with a lease of row_keep, all owned by this daemon. An
  // unchanged poll that would write the same again writes only its fetch_log
  // row. Cleared by every other record.
  struct KeptRow {
    long status = 0;
    std::int64_t next_in = 0;  // seconds
    std::int64_t keep = 0;     // seconds
  };
  std::optional<KeptRow> kept_row;
};

// What one poll brought back, as the store records it.
struct PollRecord {
  std::optional<long> status;  // HTTP status; nullopt when there was no response
  std::string outcome;         // ok | not_modified | http_error | network_error | parse_error | refused
  std::optional<std::string> error;
  std::int64_t bytes = 0;
  std::int64_t duration_ms = 0;
  std::optional<std::string> etag;  // validators of a 200 or 304 response
  std::optional<std::string> last_modified;
  std::chrono::seconds next_poll_in{0};
  // The final URL when every redirect on the way was permanent (301/308).
  std::optional<std::string> moved_to;
  // A parsed feed's entries_digest (feed rows keep the one of their last full
  // store); nullopt when nothing was parsed.
  std::optional<std::string> entries_digest;
  // What the parsed document says of its polling (written with a full store).
  IntervalHints hints;
  // Set by a running daemon that keeps the feed (sql/013_kept_leases.sql): the
  // row stays leased by its owner until next_poll_at plus this. Unset: the
  // lease is released.
  std::optional<std::chrono::seconds> keep_lease;
  // The daemon that polled (its lease owner id). The record keeps or releases
  // the row's lease only when the lease is this daemon's or nobody's: a feed
  // that another daemon took over meanwhile (this one stalled past its lease)
  // stays that daemon's.
  std::string owner;
};

struct StoreCounts {
  int new_articles = 0;
  int new_versions = 0;  // versions of articles already known (edits seen in the feed)
  int unchanged = 0;
  int duplicates = 0;  // entries repeating an earlier entry's identity in the same document
  bool kept = false;   // the feed stays leased to PollRecord::owner (keep_lease, the lease still its own)
};

// An article whose page is due to be fetched (claimed with a lease).
struct ArticleRow {
  std::int64_t id = 0;
  std::string url;
  std::optional<std::string> etag;  // the page's validators, verbatim
  std::optional<std::string> last_modified;
  std::string state;  // live | removed
  int recheck_step = 0;
  std::int64_t first_seen = 0;  // epoch seconds
  int error_count = 0;
};

// One fetch of an article page, as the store records it.
struct PageFetch {
  std::optional<long> status;        // final HTTP status; nullopt when there was no response
  std::optional<std::string> error;  // why there was no usable response
  bool skipped = false;              // not fetched (robots.txt): the schedule moves on
  // The server's Retry-After (429, 503): the next fetch is no sooner, even
  // when a re-check of the schedule falls due before it.
  std::optional<std::chrono::seconds> retry_after;
  std::int64_t bytes = 0;
  std::int64_t duration_ms = 0;
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
  std::string final_url;
  std::string content_type;
  std::string body;  // raw bytes
  const extract::SiteRule* rule = nullptr;
};

struct PageCounts {
  bool new_version = false;
  bool edited = false;  // a change other than removal or restoration
  bool removed = false;
  bool restored = false;
  bool extracted = false;  // a 2xx page gave a non-empty body
  std::string outcome;     // ok | unchanged | not_modified | removed | http_error | network_error | skipped
};

// When the next re-check is due: the smallest schedule point (first sight plus
// the sum of the first k+1 gaps) later than `now`, with k >= `step`; its new
// step is k + 1. Nullopt when the schedule is over.
std::optional<std::pair<int, std::int64_t>> next_recheck(std::int64_t first_seen, int step,
                                                         const std::vector<std::chrono::seconds>& gaps,
                                                         std::int64_t now);

// The stable identity of an entry across polls and feeds: its guid/id (scoped by
// the feed's host unless it is already a global URI), else its link, else a hash
// of its title and content.
std::string article_key(const feed::Entry& entry, const std::string& feed_url);

// The plain text stored for an entry's version: its full content (HTML run through
// the extractor), else its plain-text content, else its summary.
std::string entry_body_text(const feed::Entry& entry);

class Store {
 public:
  explicit Store(db::Connection& conn) : m_conn(conn) {}

  // Receives every article event inside the transaction that caused it.
  void set_event_sink(EventSink sink) { m_sink = std::move(sink); }

  // Makes the feeds table match the config: inserts new feeds, updates changed
  // URLs (forgetting their validators). Feeds no longer configured are left as they are.
  Result<void> sync_feeds(const std::vector<config::FeedConfig>& feeds);

  // Which feeds a claim takes (all of them among `names`, never one leased by
  // another daemon whose lease still runs):
  enum class Claim {
    all,       // every feed (`once`), in id order after `after_id`
    unleased,  // due feeds with no lease at all (an index of unleased feeds)
    sweep,     // due feeds whose lease is free (ran out, and its owner's
               // heartbeat too), and this daemon's own due feeds outside
               // `busy` that are not in `kept`, or are but were made due by
               // hand: a scan of every feed, run about once a minute
  };
  // Claims up to `limit` feeds, each with a lease of `lease`. SKIP LOCKED:
  // several daemons never claim the same feed. Unleased feeds come most
  // overdue first, or in id order after `after_id` when it is given, so that
  // repeated claims of a backlog walk the table once. Feeds in `busy` (this
  // daemon's polls under way, leased by it) are never claimed again. `kept`:
  // the feeds this daemon keeps (sweep only), leased with `lease` too.
  Result<std::vector<FeedRow>> claim_feeds(const std::string& owner, const std::vector<std::string>& names,
                                           Claim kind, int limit, std::chrono::seconds lease,
                                           std::optional<std::int64_t> after_id = std::nullopt,
                                           const std::vector<std::int64_t>& busy = {},
                                           const std::vector<std::int64_t>& kept = {});

  // Seconds until the earliest unleased configured feed is due (0 when one is
  // due now); nullopt when every feed is leased (kept by running daemons).
  Result<std::optional<std::int64_t>> seconds_until_next_due(const std::vector<std::string>& names);

  // Gives up this daemon's leases of `ids` (kept feeds, claims not started).
  // `due_in` (seconds, one per id, or empty): when each feed is due, written
  // into next_poll_at, as a kept feed's row may hold an old schedule (sql/014),
  // unless the row's next_poll_at was changed by hand since it was kept with
  // `lease` (it no longer equals lease_until - lease).
  Result<void> release_feeds(const std::string& owner, const std::vector<std::int64_t>& ids,
                             const std::vector<std::int64_t>& due_in = {}, std::chrono::seconds lease = {});

  // Gives up this daemon's leases of `ids`, claimed but not polled, none of
  // them to be polled for `delay` (their host's Retry-After): next_poll_at
  // moves to at least now + delay, and any daemon may claim them then.
  Result<void> postpone_feeds(const std::string& owner, const std::vector<std::int64_t>& ids,
                              std::chrono::seconds delay);

  // This daemon's heartbeat in `pollers` (alive for `alive_for` more); returns
  // how many daemons are alive, itself included.
  Result<int> heartbeat(const std::string& owner, std::chrono::seconds alive_for);
  // Removes this daemon's `pollers` row (a clean stop).
  Result<void> forget_poller(const std::string& owner);
  // The owners in `pollers` of daemons on `host` (owner ids "host:pid").
  Result<std::vector<std::string>> pollers_on_host(const std::string& host);
  // A daemon known to be dead: its feeds' leases (kept or claimed) are given
  // back and its `pollers` row removed, in one statement. Returns how many
  // feeds it held.
  Result<std::int64_t> bury_poller(const std::string& owner);

  // A successful poll with a parsed feed: articles, versions, feed state, log.
  Result<StoreCounts> record_feed(const FeedRow& feed, const PollRecord& poll, const feed::Feed& parsed);
  // A poll that stored no entries (304, HTTP error, network or parse failure).
  // True when the feed stays leased to poll.owner (StoreCounts::kept).
  Result<bool> record_poll(const FeedRow& feed, const PollRecord& poll);
  // Entries found outside a poll (archive backfill), stored as a poll's are,
  // in one transaction together with `also` (the caller's own bookkeeping);
  // the feed's poll state and the fetch log are left alone.
  Result<StoreCounts> store_entries(
      const FeedRow& feed, const std::vector<feed::Entry>& entries,
      const std::function<Result<void>(db::Connection&, const StoreCounts&)>& also = {});

  // Claims articles whose page is due (next_check_at passed) and not leased.
  Result<std::vector<ArticleRow>> claim_articles(const std::string& owner, int limit,
                                                 std::chrono::seconds lease);

  // One page fetch of an article, in one transaction: raw page, version,
  // change with its kinds and diff, events, state and next re-check.
  // `retry_in` is when a failed fetch is tried again.
  Result<PageCounts> record_page(const ArticleRow& article, const PageFetch& fetch,
                                 const std::vector<std::chrono::seconds>& recheck,
                                 std::chrono::seconds retry_in);

  // Gives up a claimed article's lease without fetching it (shutdown); with
  // `delay`, its next fetch is no sooner than that (its host's Retry-After).
  Result<void> release_article(const ArticleRow& article, const std::string& owner,
                               std::chrono::seconds delay = {});

 private:
  // True when the feed stays leased to poll.owner.
  Result<bool> write_poll_state(const FeedRow& feed, const PollRecord& poll, const feed::Feed* parsed,
                                const StoreCounts& counts);
  // Entries, set-based in chunks (ingest.cpp): duplicates dropped, the rest in
  // a few statements per chunk; changed entries one by one (store_changed).
  Result<void> store_all(const FeedRow& feed, const std::vector<feed::Entry>& entries, StoreCounts& counts);
  Result<void> store_chunk(const FeedRow& feed, std::span<const feed::Entry* const> entries,
                           StoreCounts& counts);
  Result<void> store_changed(std::int64_t article_id, std::int64_t version_count, bool page_rules,
                             const StoredVersion& previous, const diff::Classification& change,
                             const feed::Entry& entry, const std::string& title, const std::string& body,
                             const std::string& hash);

  Result<void> emit(const ArticleEvent& event);
  // The configured feed names as a temporary table of this connection
  // (fw_scope), so claims filter by a join instead of a 10,000-element array
  // parsed in every statement. Refilled when the names or the backend change.
  Result<void> ensure_scope(const std::vector<std::string>& names);

  db::Connection& m_conn;
  std::vector<std::string> m_scope_names;
  int m_scope_backend = 0;  // PQbackendPID of the session holding fw_scope; 0: none
  EventSink m_sink;
  std::string m_moved_feed;

 public:
  static constexpr int k_moves_to_follow = 3;
  // "name old -> new" when the last recorded poll moved its feed to a new URL, once.
  std::string take_moved_feed() { return std::exchange(m_moved_feed, {}); }
};

// "{a,b}" in PostgreSQL's array input syntax, every element quoted and escaped.
std::string to_pg_text_array(const std::vector<std::string>& items);

}  // namespace fw::store
