// robots.txt (RFC 9309, the Robots Exclusion Protocol): a pure parser and matcher.
//
// A file is a list of groups. A group starts with one or more `user-agent:`
// lines and holds the `allow:` and `disallow:` rules that follow, up to the next
// `user-agent:` line that comes after a rule. A crawler obeys the rules of every
// group naming its product token (case-insensitively, "feedwatch" for the
// User-Agent "feedwatch/1.0 (+https://...)"), combined; when no group names it,
// the groups for `*`; when there are none, everything is allowed (§2.2.1).
//
// Of the rules whose pattern matches a URL's path (with its query), the one
// with the longest pattern wins; on a tie `allow` wins, the least restrictive
// (§2.2.2). Patterns may hold `*` (any run of characters) and end with `$`
// (the path ends there) (§2.2.3). Both sides are compared after the same
// percent-encoding normalization: escapes of unreserved characters are decoded,
// other escapes upper-cased, octets outside ASCII escaped (§2.2.2).
//
// Example: for
//     User-agent: *
//     Disallow: /tag/
//     Allow: /tag/tech-companies/
//     Disallow: /*.pdf$
// `/tag/tech-companies/feed/` is allowed (the allow pattern is longer),
// `/tag/other/` disallowed, `/report.pdf` disallowed, `/report.pdf?x=1` allowed.
//
// Only the first 500 KiB of a file are parsed (the RFC's minimum, §2.5);
// `/robots.txt` itself is always allowed (§2.2.2). Bytes in, values out: no
// network and no clock here (the cache with its expiry lives in daemon/net/).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fw::robots {

inline constexpr std::size_t k_max_bytes = 500 * 1024;

struct Rule {
  bool allow = false;
  std::string pattern;  // normalized; never empty
};

struct Group {
  std::vector<std::string> agents;  // product tokens as written, or "*"
  std::vector<Rule> rules;
};

struct Robots {
  std::vector<Group> groups;
  bool truncated = false;  // the input was longer than k_max_bytes
};

// The rules one crawler obeys (the matching groups, combined).
struct Rules {
  std::vector<Rule> rules;
  // `path` is the URL's path and query ("/a/b?c=d"); an empty path means "/".
  bool allowed(std::string_view path) const;
};

Robots parse(std::string_view text);

// The rules for the crawler `product_token` (see product_token()).
Rules rules_for(const Robots& robots, std::string_view product_token);

// "feedwatch" for "feedwatch/1.0 (+https://example.org/contact)": the leading
// run of letters, '-' and '_' (RFC 9309 §2.2.1).
std::string product_token(std::string_view user_agent);

// True when `pattern` (normalized, as in Rule) matches `path` (normalized).
bool matches(std::string_view pattern, std::string_view path);

// Percent-encoding normalization applied to patterns and paths before matching.
std::string normalize_path(std::string_view path);

}  // namespace fw::robots
