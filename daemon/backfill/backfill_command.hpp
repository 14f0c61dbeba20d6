// `feedwatch backfill FEED_NAME [--pages N]`: walks one feed's archive now
// (backfill.hpp), prints one summary line, exits 0 when the walk ended (or
// stopped at its page limit), 1 on an error (the walk resumes next time).
#pragma once

#include <string>

#include "daemon/config/config.hpp"

namespace fw::backfill {

// `pages` <= 0: the feed's backfill.max_pages.
int command(const config::Config& config, const std::string& conninfo, const std::string& feed_name,
            int pages);

}  // namespace fw::backfill
