// Settings derived from the configuration for the parts that use them: the
// fetcher's options and the extractor's site rules. One place, so the poller,
// the page checker, backfill and reextract agree.
#pragma once

#include <vector>

#include "daemon/config/config.hpp"
#include "daemon/net/fetcher.hpp"
#include "parsers/extract/extract.hpp"

namespace fw::config {

// http.* and sites[].robots; FEEDWATCH_LOOPBACK_ONLY=1 in the environment sets loopback_only.
net::FetchOptions fetch_options(const Config& config);

// sites[] as the extractor's rules.
std::vector<extract::SiteRule> extract_rules(const Config& config);

}  // namespace fw::config
