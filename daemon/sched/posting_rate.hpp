// The observed posting rate of a feed as a polling hint: a feed that posts once
// a week need not be polled every 15 minutes.
//
// From the published times of the entries in the fetched document (the newest
// `k_sample` of them, at most one per distinct second, none in the future) the
// mean gap between posts is measured; polling `k_polls_per_post` times per gap
// is enough to see a new post well before the next one, so the rate suggests
// gap / k_polls_per_post. The result is bounded: never below the configured
// interval (a floor), never above `k_max_stretch` times it (the operator's
// interval says how fresh the feed should be; the rate only relaxes that) nor
// above `k_max_interval`. With fewer than three dated entries the configured
// interval stands.
//
// Example, configured 15 m: ten posts spread evenly over nine days (one a day)
// suggest 24 h / 4 = 6 h, bounded to 4 x 15 m = 1 h; posts every 10 minutes
// suggest 2.5 m, so the 15 m floor stands. Configured 3 h: daily posts give 6 h.
// Weekly posts with 6 h configured give 42 h, capped at 12 h.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace fw::sched {

inline constexpr std::size_t k_sample = 20;
inline constexpr int k_polls_per_post = 4;
inline constexpr int k_max_stretch = 4;
inline constexpr std::chrono::seconds k_max_interval{12 * 3600};

// `published`: Unix times of the entries (any order); `now`: the current Unix time.
std::chrono::seconds posting_rate_interval(std::chrono::seconds configured,
                                           std::vector<std::int64_t> published, std::int64_t now);

// The two halves of posting_rate_interval, for a suggestion kept between
// polls apart from the configured interval it is bounded by (a 304 has no
// entries to measure; the config may change meanwhile):
// the mean gap over k_polls_per_post, unbounded; nullopt with fewer than
// three dated entries.
std::optional<std::chrono::seconds> posting_rate_suggestion(std::vector<std::int64_t> published,
                                                            std::int64_t now);
// A suggestion bounded by `configured` (a floor), k_max_stretch times it and k_max_interval.
std::chrono::seconds bounded_posting_interval(std::chrono::seconds configured,
                                              std::chrono::seconds suggestion);

}  // namespace fw::sched
