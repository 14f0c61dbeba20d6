// Logging: one line per event, a snake_case event name first and stable
// key=value fields after it (feed=, url=, status=, ms=, error="..."). Under
// systemd (stderr connected to the journal) lines go to journald with their
// priority and each key=value as a structured field (FEED=, STATUS=, ...);
// otherwise to stderr with UTC timestamps.
#pragma once

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fw::log {

// Sets up the process-wide logger. `level`: trace|debug|info|warn|error|off.
// Returns false (and keeps "info") when the level name is unknown.
bool init(const std::string& level);
bool set_level(const std::string& level);

// True when stderr is the journal stream systemd gave us ($JOURNAL_STREAM).
bool stderr_is_journal();

// The journald fields of one log line: EVENT= (the first word) and each
// key=value or key="quoted value" as KEY=value. Keys that are not
// [a-z0-9_]+ are skipped.
std::vector<std::pair<std::string, std::string>> journal_fields(std::string_view message);

}  // namespace fw::log
