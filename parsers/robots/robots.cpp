// robots.txt parsing and matching (RFC 9309); the header explains the rules.
//
// Matching a pattern with `*` is done greedily, segment by segment: the pattern
// "/a*b*c$" is split at the stars into "/a", "b", "c"; the first must be a
// prefix of the path, each middle one is taken at its earliest occurrence after
// the previous one, and the last (anchored by `$`) must end the path without
// overlapping what came before. Taking the earliest occurrence leaves the most
// room for the rest, so the greedy choice never misses a match, and the cost
// stays near linear in the path for each rule (no backtracking).
#include "parsers/robots/robots.hpp"

#include <algorithm>

namespace fw::robots {

namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool unreserved(unsigned char c) {  // RFC 3986 §2.3
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

void append_escaped(std::string& out, unsigned char c) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  out += '%';
  out += k_hex[c >> 4];
  out += k_hex[c & 0x0F];
}

enum class Key { user_agent, allow, disallow, other };

Key key_of(std::string_view key) {
  // Also the spellings major crawlers accept, so a site's intent is kept.
  if (iequals(key, "user-agent") || iequals(key, "useragent") || iequals(key, "user agent")) {
    return Key::user_agent;
  }
  if (iequals(key, "allow")) return Key::allow;
  if (iequals(key, "disallow") || iequals(key, "dissallow") || iequals(key, "disalow")) return Key::disallow;
  return Key::other;
}

std::string agent_of(std::string_view value) {
  if (!value.empty() && value[0] == '*') return "*";
  return product_token(value);
}

}  // namespace

std::string product_token(std::string_view user_agent) {
  std::size_t n = 0;
  while (n < user_agent.size()) {
    char c = user_agent[n];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_')) break;
    ++n;
  }
  return std::string(user_agent.substr(0, n));
}

std::string normalize_path(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    auto c = static_cast<unsigned char>(path[i]);
    if (c == '%' && i + 2 < path.size() && hex_value(path[i + 1]) >= 0 && hex_value(path[i + 2]) >= 0) {
      auto decoded = static_cast<unsigned char>(hex_value(path[i + 1]) * 16 + hex_value(path[i + 2]));
      if (unreserved(decoded)) {
        out += static_cast<char>(decoded);
      } else {
        append_escaped(out, decoded);
      }
      i += 2;
    } else if (c >= 0x80 || c <= 0x20 || c == 0x7F) {
      append_escaped(out, c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

bool matches(std::string_view pattern, std::string_view path) {
  bool anchored = !pattern.empty() && pattern.back() == '$';
  if (anchored) pattern.remove_suffix(1);
  std::size_t star = pattern.find('*');
  std::string_view first = pattern.substr(0, star);
  if (path.substr(0, first.size()) != first) return false;
  std::size_t pos = first.size();
  if (star == std::string_view::npos) return !anchored || path.size() == pos;
  std::string_view rest = pattern.substr(star + 1);
  while (true) {
    std::size_t next = rest.find('*');
    std::string_view segment = rest.substr(0, next);
    if (next == std::string_view::npos) {  // the last segment
      if (!anchored) return path.find(segment, pos) != std::string_view::npos;
      return path.size() >= pos + segment.size() && path.substr(path.size() - segment.size()) == segment;
    }
    if (!segment.empty()) {
      std::size_t at = path.find(segment, pos);
      if (at == std::string_view::npos) return false;
      pos = at + segment.size();
    }
    rest = rest.substr(next + 1);
  }
}

Robots parse(std::string_view text) {
  Robots robots;
  if (text.size() > k_max_bytes) {
    text = text.substr(0, k_max_bytes);
    robots.truncated = true;
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  bool in_rules = false;  // the current group has had a rule: the next user-agent starts a new one
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find_first_of("\r\n", pos);
    std::string_view line =
        text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    if (std::size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    Key key = key_of(trim(line.substr(0, colon)));
    std::string_view value = trim(line.substr(colon + 1));
    switch (key) {
      case Key::user_agent:
        if (robots.groups.empty() || in_rules) {
          robots.groups.emplace_back();
          in_rules = false;
        }
        robots.groups.back().agents.push_back(agent_of(value));
        break;
      case Key::allow:
      case Key::disallow: {
        if (robots.groups.empty()) break;  // a rule before any user-agent line belongs to no group
        in_rules = true;
        if (value.empty()) break;  // "Disallow:" with no path: no rule
        std::string pattern = normalize_path(value);
        if (pattern[0] != '/' && pattern[0] != '*') pattern.insert(0, 1, '/');
        robots.groups.back().rules.push_back(Rule{key == Key::allow, std::move(pattern)});
        break;
      }
      case Key::other:  // sitemap, crawl-delay, ...: not part of any group
        break;
    }
  }
  return robots;
}

Rules rules_for(const Robots& robots, std::string_view product_token) {
  auto collect = [&robots](auto&& wanted) {
    Rules out;
    for (const Group& g : robots.groups) {
      if (std::any_of(g.agents.begin(), g.agents.end(), wanted)) {
        out.rules.insert(out.rules.end(), g.rules.begin(), g.rules.end());
      }
    }
    return out;
  };
  bool named = false;
  if (!product_token.empty()) {
    for (const Group& g : robots.groups) {
      for (const std::string& a : g.agents) named = named || iequals(a, product_token);
    }
  }
  if (named) return collect([product_token](const std::string& a) { return iequals(a, product_token); });
  return collect([](const std::string& a) { return a == "*"; });
}

bool Rules::allowed(std::string_view path) const {
  std::string normalized = normalize_path(path.empty() ? std::string_view("/") : path);
  if (normalized == "/robots.txt") return true;
  std::size_t best = 0;
  bool found = false;
  bool allow = true;
  for (const Rule& r : rules) {
    if (found && r.pattern.size() < best) continue;
    if (found && r.pattern.size() == best && (allow || !r.allow)) continue;
    if (!matches(r.pattern, normalized)) continue;
    found = true;
    best = r.pattern.size();
    allow = r.allow;
  }
  return allow;
}

}  // namespace fw::robots
