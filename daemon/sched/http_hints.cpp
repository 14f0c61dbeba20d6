#include "daemon/sched/http_hints.hpp"

#include <algorithm>
#include <limits>

#include "parsers/date/date.hpp"

namespace fw::sched {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A run of ASCII digits as a number, the largest int64 when it does not fit.
std::optional<std::int64_t> digits_saturating(std::string_view s) {
  if (s.empty()) return std::nullopt;
  constexpr std::int64_t k_max = std::numeric_limits<std::int64_t>::max();
  std::int64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const int d = c - '0';
    n = n > (k_max - d) / 10 ? k_max : n * 10 + d;
  }
  return n;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

}  // namespace

std::optional<std::int64_t> cache_max_age(std::string_view cache_control) {
  std::optional<std::int64_t> found;
  while (!cache_control.empty()) {
    const std::size_t comma = cache_control.find(',');
    std::string_view directive = trim(cache_control.substr(0, comma));
    cache_control = comma == std::string_view::npos ? std::string_view{} : cache_control.substr(comma + 1);
    const std::size_t eq = directive.find('=');
    if (eq == std::string_view::npos || !iequals(trim(directive.substr(0, eq)), "max-age")) continue;
    std::string_view value = trim(directive.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    // RFC 9111 §4.2.1: with several, the first that parses counts.
    if (auto n = digits_saturating(value); n && !found) found = n;
  }
  return found;
}

std::optional<std::chrono::seconds> retry_after(std::string_view value, std::int64_t now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (auto n = digits_saturating(value)) return std::min(std::chrono::seconds(*n), k_max_retry_after);
  auto when = date::parse(value);
  if (!when) return std::nullopt;
  const std::int64_t delay = *when > now ? *when - now : 0;
  return std::min(std::chrono::seconds(delay), k_max_retry_after);
}

}  // namespace fw::sched
