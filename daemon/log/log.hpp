// Logging: spdlog to stderr, one line per event, UTC timestamps, stable
// snake_case key=value fields (feed=, url=, status=, ms=) that journald and
// grep both read well.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace fw::log {

// Sets up the process-wide logger. `level`: trace|debug|info|warn|error|off.
// Returns false (and keeps "info") when the level name is unknown.
bool init(const std::string& level);
bool set_level(const std::string& level);

}  // namespace fw::log
