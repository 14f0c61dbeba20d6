// `feedwatch history URL|ID`: an article's versions and the changes between
// them. `feedwatch reextract`: extraction re-run over stored raw pages.
#pragma once

#include <optional>
#include <string>

#include "daemon/config/config.hpp"
#include "daemon/db/pg.hpp"

namespace fw::cli {

// The article given by its id, URL or article key: its versions (newest last)
// and each change with its kinds and word diff. `format`: text | json.
Result<std::string> render_history(db::Connection& conn, const std::string& ref, const std::string& format,
                                   bool color);

struct ReextractReport {
  int versions = 0;  // page versions whose raw page was run through the extractor again
  int texts_changed = 0;
  int changes_updated = 0;  // changes whose kinds or diff changed with the new texts
  int changes_dropped = 0;  // changes that were extraction artefacts: no change remains
};

// Runs the extractor (with the configured site rules) over the raw page of every
// page version, optionally only for one host (subdomains included) and versions
// fetched since `since` (ISO-8601 or YYYY-MM-DD). A text that differs is updated
// in place with the extractor version; the changes between page versions are
// recomputed. No version, change or alert is created.
Result<ReextractReport> reextract(db::Connection& conn, const config::Config& config,
                                  const std::optional<std::string>& site,
                                  const std::optional<std::string>& since);

}  // namespace fw::cli
