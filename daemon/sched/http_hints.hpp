// What a response's headers say about when to ask again: Cache-Control's
// max-age (a feed may be polled less often, poller.cpp) and Retry-After on
// 429/503 (the host is left alone until then, HostGate). Values come from
// servers: any case, quoted or not, absurdly large, or several at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace fw::sched {

// The longest a server's Retry-After may make us stay away from a host.
inline constexpr std::chrono::seconds k_max_retry_after{7 * 86400};

// Cache-Control's max-age directive (RFC 9111 §5.2.2.1) in seconds: its name
// in any case, its value as digits or a quoted string of digits; a value too
// large for 64 bits is read as the largest. nullopt when there is none or it
// is malformed. `s-maxage` and other directives are not max-age.
std::optional<std::int64_t> cache_max_age(std::string_view cache_control);

// Retry-After (RFC 9110 §10.2.3) as a delay from `now` (Unix seconds):
// delay-seconds or an HTTP-date (IMF-fixdate, RFC 850 or asctime); a date in
// the past is 0; at most k_max_retry_after, also for a number too large for
// 64 bits. nullopt when it is neither.
std::optional<std::chrono::seconds> retry_after(std::string_view value, std::int64_t now);

}  // namespace fw::sched
