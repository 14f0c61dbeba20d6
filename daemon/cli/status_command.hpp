// `feedwatch status`: every source's health and the alert queue, read from the
// database, as a table for a terminal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "daemon/db/pg.hpp"

namespace fw::cli {

// Renders the status table; an error when the database cannot be read.
Result<std::string> render_status(db::Connection& conn);

// "45s", "12m", "3h", "2d"; negative values are rendered as their magnitude.
std::string human_duration(std::int64_t seconds);

}  // namespace fw::cli
