#include "daemon/config/checks.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace fw::config::checks {

namespace {

char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), to_lower);
  return out;
}

std::string quote_value(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

// Port text 1-65535, digits only.
bool valid_port(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  int value = 0;
  for (char c : port) {
    if (!is_digit(c)) return false;
    value = value * 10 + (c - '0');
  }
  return value >= 1 && value <= 65535;
}

// A host name or IPv4 address: letters, digits, '-', '.', '_' (no empty labels).
bool valid_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253 || host.front() == '.' || host.back() == '-') return false;
  if (host.find("..") != std::string_view::npos) return false;
  return std::all_of(host.begin(), host.end(),
                     [](char c) { return is_alnum(c) || c == '-' || c == '.' || c == '_'; });
}

bool valid_ipv6_literal(std::string_view host) {  // including the brackets
  if (host.size() < 4 || host.front() != '[' || host.back() != ']') return false;
  const std::string_view inner = host.substr(1, host.size() - 2);
  return std::all_of(inner.begin(), inner.end(), [](char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
  });
}

struct ConninfoFree {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
using ConninfoPtr = std::unique_ptr<PQconninfoOption, ConninfoFree>;

struct PqFree {
  void operator()(char* p) const { PQfreemem(p); }
};

ConninfoPtr parse_conninfo(const std::string& text, std::string& error) {
  char* raw_error = nullptr;
  ConninfoPtr options(PQconninfoParse(text.c_str(), &raw_error));
  const std::unique_ptr<char, PqFree> owned_error(raw_error);
  if (!options) {
    error = raw_error != nullptr ? std::string(raw_error) : std::string("invalid connection string");
    while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
  }
  return options;
}

bool starts_with_postgres_scheme(std::string_view url) {
  const std::string low = lower(url.substr(0, std::min<std::size_t>(url.size(), 14)));
  return low.starts_with("postgresql://") || low.starts_with("postgres://");
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> suggest(std::string_view word, std::span<const std::string_view> candidates) {
  const std::string low = lower(word);
  // Allow roughly one typo per three characters, at most 3: "intervl" -> "interval",
  // "url" is not a typo of "body".
  const std::size_t limit = std::min<std::size_t>(3, std::max<std::size_t>(1, low.size() / 3));
  std::optional<std::string> best;
  std::size_t best_distance = limit + 1;
  for (std::string_view candidate : candidates) {
    const std::string cand = lower(candidate);
    // A clipped word ("edit" for "edited", "warning" for "warn") counts as a close typo.
    const bool clipped =
        std::min(low.size(), cand.size()) >= 3 && (cand.starts_with(low) || low.starts_with(cand));
    const std::size_t d =
        clipped ? std::min<std::size_t>(edit_distance(low, cand), limit) : edit_distance(low, cand);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(candidate);
    }
  }
  return best;
}

std::string check_http_url(std::string_view url) {
  std::string bad = "not an http(s) URL: " + quote_value(url);
  const std::string low = lower(url);
  std::size_t rest_at = 0;
  if (low.starts_with("https://")) {
    rest_at = 8;
  } else if (low.starts_with("http://")) {
    rest_at = 7;
  } else {
    return bad;
  }
  if (std::any_of(url.begin(), url.end(),
                  [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; })) {
    return "URL contains whitespace: " + quote_value(url);
  }
  std::string_view authority = url.substr(rest_at);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad + " (unclosed '[' in host)";
    host = authority.substr(0, close + 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad;
      port = after.substr(1);
      if (!valid_port(port)) return bad + " (port must be 1-65535)";
    }
    if (!valid_ipv6_literal(host)) return bad + " (bad IPv6 address)";
    return "";
  }
  if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (!valid_port(port)) return bad + " (port must be 1-65535)";
  }
  if (host.empty()) return bad + " (no host)";
  if (!valid_host_name(host)) return bad + " (bad host " + quote_value(host) + ")";
  return "";
}

std::string check_database_url(const std::string& url) {
  if (url.empty()) return "empty; remove the key to use the embedded database under state_dir";
  const bool uri = starts_with_postgres_scheme(url);
  if (!uri && url.find("://") != std::string::npos) {
    return "not a PostgreSQL URL (postgresql://...) or libpq conninfo (host=... dbname=...): " +
           quote_value(url);
  }
  if (!uri && url.find('=') == std::string::npos) {
    return "not a PostgreSQL URL (postgresql://...) or libpq conninfo (host=... dbname=...): " +
           quote_value(url);
  }
  std::string error;
  if (!parse_conninfo(url, error)) return "invalid PostgreSQL connection string: " + error;
  return "";
}

std::string check_listen(std::string_view listen) {
  std::string bad = "expected host:port with port 1-65535 (like 127.0.0.1:9464), got " + quote_value(listen);
  const auto colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad;
  const std::string_view host = listen.substr(0, colon);
  const std::string_view port = listen.substr(colon + 1);
  if (!valid_port(port)) return bad;
  if (host.front() == '[') {
    if (!valid_ipv6_literal(host)) return bad;
  } else if (!valid_host_name(host)) {
    return bad;
  }
  return "";
}

std::string check_env_name(std::string_view name) {
  const bool ok = !name.empty() && !is_digit(name.front()) &&
                  std::all_of(name.begin(), name.end(), [](char c) { return is_alnum(c) || c == '_'; });
  if (ok) return "";
  return "not an environment variable name ([A-Za-z_][A-Za-z0-9_]*): " + quote_value(name) +
         "; secret_env names the variable that holds the secret (like FEEDWATCH_HOOK_SECRET), never the "
         "secret itself";
}

std::string check_feed_name(std::string_view name) {
  if (name.empty()) return "must not be empty";
  const bool ok = std::all_of(name.begin(), name.end(),
                              [](char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; });
  if (ok) return "";
  return "may only contain letters, digits, '.', '_' and '-': " + quote_value(name);
}

std::string check_site_host(std::string_view host) {
  if (host.empty()) return "must not be empty";
  if (const auto scheme = host.find("://"); scheme != std::string_view::npos) {
    std::string_view bare = host.substr(scheme + 3);
    bare = bare.substr(0, bare.find_first_of("/:?#"));
    return "a host name, not a URL: write " + quote_value(bare);
  }
  if (host.find('/') != std::string_view::npos) return "a host name, without a path: " + quote_value(host);
  std::string_view name = host;
  if (const auto colon = name.rfind(':'); colon != std::string_view::npos && name.front() != '[') {
    name = name.substr(0, colon);  // the port is ignored when matching
  }
  if (!valid_host_name(name) && !valid_ipv6_literal(name)) return "not a host name: " + quote_value(host);
  return "";
}

std::string redact_database_url(const std::string& url) {
  std::string error;
  const ConninfoPtr options = parse_conninfo(url, error);
  if (!options) return "(invalid)";
  std::string out;
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr || o->val[0] == '\0') continue;
    const std::string_view keyword(o->keyword);
    if (!out.empty()) out += ' ';
    out += keyword;
    out += '=';
    out += (keyword == "password") ? std::string("***") : std::string(o->val);
  }
  return out;
}

}  // namespace fw::config::checks
