// Article events: what the store tells the alerter, inside the transaction that
// wrote the article's state (the transactional outbox). A sink that fails makes
// the whole transaction roll back, so an event is never lost nor written without
// the version that caused it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "parsers/common/result.hpp"

namespace fw::db {
class Connection;
}

namespace fw::store {

struct ArticleEvent {
  std::string kind;  // new | edited | title_changed | removed | restored
  std::int64_t article_id = 0;
  std::optional<std::int64_t> version_id;  // the version that caused it (none for removals)
  std::optional<std::int64_t> change_id;   // its article_changes row, for edits, removals, restores
  std::vector<std::string> feeds;          // names of the feeds the article appears in
  std::string url;
  std::string title;
  std::string body_text;
  std::vector<std::string> categories;
  std::optional<std::string> published;  // ISO-8601 UTC
  // Edits: the previous version and what changed.
  std::optional<std::string> old_title;
  std::optional<std::string> old_body_text;
  std::vector<std::string> change_kinds;  // title_changed, minor, substantive, paragraphs_added, ...
  bool stealth = false;
  int words_added = 0;
  int words_removed = 0;
  std::string diff_text;  // plain-text word diff: [-removed-] {+added+}
};

// Called inside the store's transaction, on its connection.
using EventSink = std::function<Result<void>(db::Connection&, const ArticleEvent&)>;

}  // namespace fw::store
