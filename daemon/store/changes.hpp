// Change records: the database side of change detection, shared by feed polls
// (a changed content:encoded) and page fetches (re-checks). Every function runs
// on the caller's connection inside the caller's transaction.
//
// Lineages. An article's versions come from its feed entries (source 'feed')
// and, when its feed has fetch_articles, from its page (source 'page'). The two
// texts differ in form (a feed's content is not the page's extraction), so a
// version is only ever compared with the newest version of the same source.
// Once an article has a page version, the page is authoritative: its versions
// carry the article's changes and events; a changed feed entry is still stored
// as a version, at once, and queues an immediate page re-check, which records
// the change if the page shows it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/db/pg.hpp"
#include "daemon/store/events.hpp"
#include "parsers/diff/classify.hpp"

namespace fw::store {

struct StoredVersion {
  std::int64_t id = 0;
  int version = 0;
  std::string title;
  std::string body;
  std::string text_sha256;
  std::optional<std::int64_t> modified;  // the source's own modified time, epoch seconds
};

// The newest version of `article_id` from `source` ("feed" or "page").
Result<std::optional<StoredVersion>> latest_version(db::Connection& conn, std::int64_t article_id,
                                                    const std::string& source);

struct ChangeRecord {
  std::int64_t article_id = 0;
  std::optional<std::int64_t> old_version_id;
  std::optional<std::int64_t> new_version_id;
  std::string source;  // feed | page
  diff::Classification classification;
  std::optional<std::string> old_title;
  std::optional<std::string> new_title;
  std::string old_body;  // for the stored diff; both empty for removals
  std::string new_body;
  std::optional<int> http_status;
  std::optional<std::string> removal_reason;
  std::string diff_text;  // filled by insert_change
};

// Inserts the article_changes row (with the word diff as text and JSON; the
// text is left in change.diff_text) and returns its id.
Result<std::int64_t> insert_change(db::Connection& conn, ChangeRecord& change);

// The event for a change of an article, with the article's URL, current title,
// feeds, categories and published time read from the database; `kind` is
// edited, title_changed, removed or restored.
Result<ArticleEvent> change_event(db::Connection& conn, const ChangeRecord& change, std::int64_t change_id,
                                  const std::string& kind, const std::string& body_text);

// Events for one change: removed or restored when the change is one, else
// edited; plus title_changed when the headline changed.
std::vector<std::string> event_kinds(const diff::Classification& classification);

// "removed", "redirect_home", ... for a removal; nullopt for none.
std::optional<std::string> removal_reason(diff::Removal removal);

}  // namespace fw::store
