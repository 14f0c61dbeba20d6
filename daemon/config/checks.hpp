// Private helpers of daemon/config: pure checks on configuration values.
// Each returns an empty string when the value is fine, otherwise what is wrong
// (the text that follows "FILE:LINE: key.path: " in a problem report).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace fw::config::checks {

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The closest of `candidates` to `word` when it is close enough to be a likely
// typo (case differences count as typos too); nullopt otherwise.
std::optional<std::string> suggest(std::string_view word, std::span<const std::string_view> candidates);

// http:// or https:// with a non-empty host and, if given, a port 1-65535.
std::string check_http_url(std::string_view url);

// A PostgreSQL URI (postgres:// or postgresql://) or a libpq key=value
// conninfo string, as libpq itself parses it.
std::string check_database_url(const std::string& url);

// "host:port", host a name, IPv4 address or [IPv6], port 1-65535.
std::string check_listen(std::string_view listen);

// A POSIX environment variable name: [A-Za-z_][A-Za-z0-9_]*.
std::string check_env_name(std::string_view name);

// A feed name: [A-Za-z0-9._-]+ (used in logs, metrics labels and the database).
std::string check_feed_name(std::string_view name);

// A bare host name for a site rule ("focus.cbbc.org"), not a URL.
std::string check_site_host(std::string_view host);

// The database URL with any password removed, for logs and `check-config`.
std::string redact_database_url(const std::string& url);

}  // namespace fw::config::checks
