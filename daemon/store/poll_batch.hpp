// Bookkeeping of unchanged polls, many at a time.
//
// At scale almost every poll is a 304: nothing to parse, nothing to store but
// the feed's new schedule and validators and a fetch_log row. Written one poll
// per transaction (BEGIN, two UPDATEs, an INSERT, COMMIT), that bookkeeping
// costs PostgreSQL several times what the HTTP request costs the daemon. Here a
// whole batch of them is one statement: the feeds' UPDATE and the fetch_log
// INSERT in one data-modifying WITH, over arrays (unnest), so one round trip,
// one parse and one commit serve the batch, and the batch is atomic.
//
// A kept feed's poll that would write its row as it is (row_unchanged_by:
// the same validators, status, schedule and lease as the batch before wrote)
// writes only its fetch_log row; the row's timestamps stay those of that
// batch, and the views read the last poll from fetch_log (sql/014).
//
// What is written for each other poll is what Store::record_poll writes for a 304
// without a permanent redirect: validators refreshed (coalesce: a header the
// 304 did not repeat keeps the stored value, verbatim), error state cleared,
// moved_to/moved_count reset, next_poll_at = now() + next_poll_in, lease released
// (or, with keep_lease, kept until next_poll_at + keep_lease),
// one fetch_log row with outcome not_modified. A 200 whose entries give the
// digest of the feed's last full store (entries_digest, below) is recorded the
// same way, with outcome ok and new_entries 0: that store already holds every
// entry as it is now. Polls with new content, errors or permanent redirects
// keep their own transaction (Store::record_feed/record_poll).
#pragma once

#include <string>
#include <vector>

#include "daemon/db/pg.hpp"
#include "daemon/store/store.hpp"

namespace fw::store {

struct UnchangedPoll {
  FeedRow feed;
  PollRecord poll;  // outcome not_modified (a 304) or ok (same entries), no moved_to
};

// SHA-256 (hex) over everything a full store of `parsed` reads from it for this
// feed: the feed's URL (entry keys may derive from it), its fetch_articles
// setting, title and link, each entry's fields in order, and the extractor
// version that turns entry HTML into text. Not the feed's own dates
// (lastBuildDate, updated), which change when nothing else does. The poller
// digests a parse with plain_text = false (bodies as the feed gave them), so
// that an unchanged feed costs no HTML-to-text.
std::string entries_digest(const FeedRow& feed, const feed::Feed& parsed);

// The same over one entry (and the extractor version): what
// article_feeds.entry_digest holds for the entry as its feed last listed it.
// A full store extracts the text only of entries whose digest changed.
std::string entry_digest(const feed::Entry& entry);

// Whether recording `p` would write into its feed's row what the row already
// holds (FeedRow::kept_row: the same status, validators, schedule and lease,
// no error). Such a poll writes its fetch_log row only (sql/014).
bool row_unchanged_by(const UnchangedPoll& p);

// Records every poll of `polls` in one statement (nothing when it is empty).
// Returns the ids of the feeds that stay leased to their polls' owner (each
// poll's PollRecord::owner: one daemon's batch), in no order: those with
// keep_lease whose lease was still that daemon's or nobody's.
Result<std::vector<std::int64_t>> record_unchanged(db::Connection& conn,
                                                   const std::vector<UnchangedPoll>& polls);

// "{1,2}" / "{\"a\",NULL}" in PostgreSQL's array input syntax.
std::string to_pg_int_array(const std::vector<std::int64_t>& items);
std::string to_pg_opt_text_array(const std::vector<std::optional<std::string>>& items);

}  // namespace fw::store
