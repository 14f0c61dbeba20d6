// Loading and validating the configuration (DESIGN.md "Configuration").
//
// The file is read with yaml-cpp into a node tree, then walked once by a
// Loader that knows the schema. The walk never stops at the first mistake: each
// problem is recorded as "FILE:LINE: key.path: what is wrong" and the walk
// goes on with the next key, so an operator fixes everything in one round.
// Only when the whole tree has been seen, and the cross references (rules ->
// feeds, rules -> hooks) have been resolved, does load throw ConfigError with
// all problems, sorted by line.
//
// Lines: yaml-cpp marks are 0-based; we print 1-based. A null value ("url:"
// followed by nothing) carries the mark of the *next* token, so for nulls we
// use the line of the key instead. Key paths use 0-based list indexes, like
// jq: "feeds[2].url" is the third feed.
//
// Types are strict: a duration is a string with a unit ("30s", not 30); a
// boolean is true or false (not YAML 1.1's yes/no/on/off, which surprise
// people: "no" is also the country code of Norway); an integer is digits.
// Unknown keys are errors, with a "did you mean" suggestion when the key is
// within a small edit distance of a known one ("intervl" -> "interval").
//
// Example: with
//     feeds:
//       - name: a
//         url: ftp://x
//         intervl: 15m
// load reports
//     f.yaml:3: feeds[0].url: not an http(s) URL: "ftp://x"
//     f.yaml:4: feeds[0].intervl: unknown key; did you mean 'interval'?
#include "daemon/config/config.hpp"

#include <yaml-cpp/exceptions.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <span>
#include <sstream>
#include <string_view>
#include <utility>

#include "daemon/config/checks.hpp"
#include "daemon/config/yaml_tree.hpp"
#include "parsers/extract/selector.hpp"
#include "parsers/rules/rules.hpp"

namespace fw::config {

namespace {

using Keys = std::span<const std::string_view>;

constexpr std::array<std::string_view, 11> k_top_keys{"database", "state_dir", "log_level", "http",
                                                      "feeds",    "sites",     "recheck",   "hooks",
                                                      "rules",    "metrics",   "web"};
constexpr std::array<std::string_view, 2> k_database_keys{"url", "fetch_log_keep"};
constexpr std::array<std::string_view, 8> k_http_keys{
    "user_agent", "timeout", "connect_timeout", "max_body_bytes", "max_redirects", "allow_private_networks",
    "ca_file",    "per_host"};
constexpr std::array<std::string_view, 2> k_per_host_keys{"max_concurrent", "min_delay"};
constexpr std::array<std::string_view, 5> k_feed_keys{"name", "url", "interval", "fetch_articles",
                                                      "backfill"};
constexpr std::array<std::string_view, 2> k_backfill_keys{"paged", "max_pages"};
constexpr std::array<std::string_view, 4> k_site_keys{"host", "body", "remove", "robots"};
constexpr std::array<std::string_view, 8> k_hook_keys{"name",    "url",     "secret_env", "format",
                                                      "command", "timeout", "digest",     "retry"};
constexpr std::array<std::string_view, 3> k_retry_keys{"max_attempts", "initial", "max"};
constexpr std::array<std::string_view, 11> k_rule_keys{
    "name", "events", "feeds",   "categories",      "any",  "all",
    "none", "regex",  "aliases", "on_terms_change", "hooks"};
constexpr std::array<std::string_view, 1> k_listen_keys{"listen"};
constexpr std::array<std::string_view, 4> k_web_keys{"listen", "token_env", "user_env", "password_env"};
constexpr std::array<std::string_view, 5> k_log_levels{"trace", "debug", "info", "warn", "error"};
constexpr std::array<std::string_view, 5> k_events{"new", "edited", "title_changed", "removed", "restored"};
constexpr std::array<std::string_view, 4> k_hook_formats{"json", "slack", "discord", "exec"};

// Used when `recheck` is absent (an explicit `recheck: []` turns re-checks off).
const std::vector<Seconds> k_default_recheck{Seconds{3600},      Seconds{6 * 3600},  Seconds{24 * 3600},
                                             Seconds{3 * 86400}, Seconds{7 * 86400}, Seconds{30 * 86400}};

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) {
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

std::string quote_value(std::string_view s) {
  constexpr std::size_t k_max = 60;
  if (s.size() > k_max) return "\"" + std::string(s.substr(0, k_max)) + "...\"";
  return "\"" + std::string(s) + "\"";
}

std::string one_of(Keys allowed) {
  std::string out;
  for (std::string_view a : allowed) {
    if (!out.empty()) out += ", ";
    out += a;
  }
  return out;
}

bool contains(Keys set, std::string_view value) {
  return std::find(set.begin(), set.end(), value) != set.end();
}

std::string describe(const yaml::Node& node) {
  switch (node.type) {
    case yaml::Type::scalar:
      return quote_value(node.scalar);
    case yaml::Type::sequence:
      return "a list";
    case yaml::Type::map:
      return "a mapping";
    default:
      return "nothing";
  }
}

std::string plural(std::size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// A node with where it is: the 1-based line and the key path.
struct Value {
  const yaml::Node* node = nullptr;  // in the document's tree, which outlives every Value
  int line = 1;
  std::string path;
};

// A name used in a rule that must be defined elsewhere in the file.
struct Reference {
  int line;
  std::string path;
  std::string name;
};

class Loader {
 public:
  explicit Loader(std::string file) : m_file(std::move(file)) {}

  void report(int line, const std::string& path, const std::string& what) {
    std::string text = m_file + ":" + std::to_string(line) + ": ";
    if (!path.empty()) text += path + ": ";
    text += what;
    m_problems.emplace_back(line, std::move(text));
  }
  void report(const Value& v, const std::string& what) { report(v.line, v.path, what); }

  std::vector<std::string> problems() {
    std::stable_sort(m_problems.begin(), m_problems.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> out;
    out.reserve(m_problems.size());
    for (auto& p : m_problems) out.push_back(std::move(p.second));
    return out;
  }

  Config load(const yaml::Node& root);

 private:
  // The known keys of a mapping; unknown and duplicate keys are reported.
  class MapView {
   public:
    const Value* find(std::string_view key) const {
      const auto it = m_entries.find(std::string(key));
      return it == m_entries.end() ? nullptr : &it->second;
    }
    std::map<std::string, Value> m_entries;
    bool m_is_map = false;
  };

  static int line_of(const yaml::Node& node, int fallback) {
    if (node.is_null() || node.line == 0) return fallback;
    return node.line;
  }

  MapView open_map(const Value& v, Keys keys);
  std::vector<Value> open_list(const Value& v, const std::string& what);

  std::optional<std::string> read_string(const Value& v);
  std::optional<std::string> read_nonempty_string(const Value& v);
  std::optional<bool> read_bool(const Value& v);
  std::optional<std::int64_t> read_int(const Value& v, std::int64_t min, std::int64_t max);
  std::optional<Seconds> read_duration(const Value& v, bool allow_zero);
  std::optional<std::vector<std::string>> read_string_list(const Value& v);
  std::optional<std::string> read_listen(const Value& v);
  std::optional<std::string> read_choice(const Value& v, Keys choices);

  void missing(const Value& map, const std::string& key) {
    report(map.line, map.path + "." + key, "required key is missing");
  }

  void load_http(const Value& v, Http& http);
  void load_feeds(const Value& v, Config& config);
  void load_sites(const Value& v, Config& config);
  void load_recheck(const Value& v, Config& config);
  void load_hooks(const Value& v, Config& config);
  void load_rules(const Value& v, Config& config);
  void load_hook_delivery(const Value& item, const MapView& m, Hook& hook);
  void load_rule_terms(const Value& item, const MapView& m, Rule& rule);
  std::optional<std::string> load_listen_section(const Value& v);
  void load_web(const Value& v, Config& config);
  void resolve(const std::vector<Reference>& refs, const std::vector<std::string>& names,
               const std::string& kind);

  std::string m_file;
  std::vector<std::pair<int, std::string>> m_problems;
  std::vector<std::string> m_feed_names;
  std::vector<Reference> m_feed_refs;
  std::vector<Reference> m_hook_refs;
};

Loader::MapView Loader::open_map(const Value& v, Keys keys) {
  MapView view;
  if (v.node->is_null()) return view;  // "http:" with nothing under it: all defaults
  if (!v.node->is_map()) {
    report(v, "expected a mapping (key: value), got " + describe(*v.node));
    return view;
  }
  view.m_is_map = true;
  std::map<std::string, int> first_line;
  for (const yaml::Entry& entry : v.node->entries) {
    const yaml::Node& key_node = entry.key;
    const yaml::Node& value_node = entry.value;
    const int key_line = line_of(key_node, v.line);
    if (!key_node.is_scalar()) {
      report(key_line, v.path, "keys must be plain names, got " + describe(key_node));
      continue;
    }
    const std::string& key = key_node.scalar;
    const std::string path = v.path.empty() ? key : v.path + "." + key;
    if (!contains(keys, key)) {
      std::string what = "unknown key";
      if (const auto guess = checks::suggest(key, keys)) {
        what += "; did you mean '" + *guess + "'?";
      } else {
        what += " (expected one of: " + one_of(keys) + ")";
      }
      report(key_line, path, what);
      continue;
    }
    if (const auto seen = first_line.find(key); seen != first_line.end()) {
      report(key_line, path, "duplicate key (first set at line " + std::to_string(seen->second) + ")");
      continue;
    }
    first_line.emplace(key, key_line);
    view.m_entries.emplace(key, Value{&value_node, line_of(value_node, key_line), path});
  }
  return view;
}

std::vector<Value> Loader::open_list(const Value& v, const std::string& what) {
  std::vector<Value> items;
  if (v.node->is_null()) return items;  // "hooks:" with every entry commented out
  if (!v.node->is_sequence()) {
    report(v, "expected a list of " + what + ", got " + describe(*v.node));
    return items;
  }
  int previous_line = v.line;
  std::size_t index = 0;
  items.reserve(v.node->items.size());
  for (const yaml::Node& item : v.node->items) {
    const int line = line_of(item, previous_line);
    items.push_back(Value{&item, line, v.path + "[" + std::to_string(index) + "]"});
    previous_line = line;
    ++index;
  }
  return items;
}

std::optional<std::string> Loader::read_string(const Value& v) {
  if (v.node->is_scalar()) return v.node->scalar;
  report(v, v.node->is_null() ? std::string("missing value (expected a string)")
                              : "expected a string, got " + describe(*v.node));
  return std::nullopt;
}

std::optional<std::string> Loader::read_nonempty_string(const Value& v) {
  auto s = read_string(v);
  if (s && s->empty()) {
    report(v, "must not be empty");
    return std::nullopt;
  }
  return s;
}

std::optional<bool> Loader::read_bool(const Value& v) {
  if (v.node->is_scalar()) {
    const std::string& s = v.node->scalar;
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  report(v, "expected true or false, got " + describe(*v.node));
  return std::nullopt;
}

std::optional<std::int64_t> Loader::read_int(const Value& v, std::int64_t min, std::int64_t max) {
  std::optional<std::int64_t> value;
  if (v.node->is_scalar()) {
    const std::string& s = v.node->scalar;
    const bool negative = !s.empty() && s[0] == '-';
    const std::string_view digits = std::string_view(s).substr(negative ? 1 : 0);
    if (!digits.empty() && digits.size() <= 18 &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      std::int64_t n = 0;
      for (char c : digits) n = n * 10 + (c - '0');
      value = negative ? -n : n;
    }
  }
  if (!value) {
    report(v, "expected an integer, got " + describe(*v.node));
    return std::nullopt;
  }
  if (*value < min || *value > max) {
    std::string range = max >= std::numeric_limits<int>::max()
                            ? "at least " + std::to_string(min)
                            : "between " + std::to_string(min) + " and " + std::to_string(max);
    report(v, "must be " + range + ", got " + std::to_string(*value));
    return std::nullopt;
  }
  return value;
}

std::optional<Seconds> Loader::read_duration(const Value& v, bool allow_zero) {
  if (v.node->is_scalar()) {
    const std::string& s = v.node->scalar;
    if (const auto d = parse_duration(s)) {
      if (d->count() == 0 && !allow_zero) {
        report(v, "must be a positive duration, got " + quote_value(s));
        return std::nullopt;
      }
      // The database schedules in whole seconds of a 32-bit int, sums included.
      constexpr Seconds k_max_duration{std::int64_t{3660} * 86400};
      if (*d > k_max_duration) {
        report(v, "must be at most 3660d (ten years), got " + quote_value(s));
        return std::nullopt;
      }
      return d;
    }
    if (!s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      report(v, "a duration needs a unit: write \"" + s + "s\" for seconds (or m, h, d)");
      return std::nullopt;
    }
  }
  report(v,
         "expected a duration like \"90s\", \"15m\", \"6h\", \"3d\" or \"1h30m\", got " + describe(*v.node));
  return std::nullopt;
}

std::optional<std::vector<std::string>> Loader::read_string_list(const Value& v) {
  if (v.node->is_null()) return std::vector<std::string>{};
  if (!v.node->is_sequence()) {
    report(v, "expected a list like [a, b], got " + describe(*v.node));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const Value& item : open_list(v, "strings")) {
    if (auto s = read_nonempty_string(item)) {
      out.push_back(std::move(*s));
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::string> Loader::read_listen(const Value& v) {
  auto s = read_string(v);
  if (!s) return std::nullopt;
  if (const std::string error = checks::check_listen(*s); !error.empty()) {
    report(v, error);
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> Loader::read_choice(const Value& v, Keys choices) {
  auto s = read_string(v);
  if (!s) return std::nullopt;
  if (contains(choices, *s)) return s;
  std::string what = "expected one of " + one_of(choices) + ", got " + quote_value(*s);
  if (const auto guess = checks::suggest(*s, choices)) what += "; did you mean '" + *guess + "'?";
  report(v, what);
  return std::nullopt;
}

void Loader::load_http(const Value& v, Http& http) {
  const MapView m = open_map(v, k_http_keys);
  constexpr std::int64_t k_int_max = std::numeric_limits<int>::max();
  if (const Value* f = m.find("user_agent")) {
    if (auto s = read_nonempty_string(*f)) http.user_agent = *s;
  }
  if (const Value* f = m.find("timeout")) {
    if (auto d = read_duration(*f, false)) http.timeout = *d;
  }
  if (const Value* f = m.find("connect_timeout")) {
    if (auto d = read_duration(*f, false)) http.connect_timeout = *d;
  }
  if (const Value* f = m.find("max_body_bytes")) {
    if (auto n = read_int(*f, 1, std::numeric_limits<std::int64_t>::max())) http.max_body_bytes = *n;
  }
  if (const Value* f = m.find("max_redirects")) {
    if (auto n = read_int(*f, 0, 100)) http.max_redirects = static_cast<int>(*n);
  }
  if (const Value* f = m.find("allow_private_networks")) {
    if (auto b = read_bool(*f)) http.allow_private_networks = *b;
  }
  if (const Value* f = m.find("ca_file")) {
    if (auto s = read_nonempty_string(*f)) {
      std::error_code ec;
      if (std::filesystem::is_regular_file(*s, ec)) {
        http.ca_file = *s;
      } else {
        report(*f, "no such file: " + quote_value(*s) + " (a PEM file of CA certificates)");
      }
    }
  }
  if (const Value* f = m.find("per_host")) {
    const MapView p = open_map(*f, k_per_host_keys);
    if (const Value* g = p.find("max_concurrent")) {
      if (auto n = read_int(*g, 1, k_int_max)) http.per_host.max_concurrent = static_cast<int>(*n);
    }
    if (const Value* g = p.find("min_delay")) {
      if (auto d = read_duration(*g, true)) http.per_host.min_delay = *d;
    }
  }
}

void Loader::load_feeds(const Value& v, Config& config) {
  std::map<std::string, int> name_lines;
  std::map<std::string, int> url_lines;
  for (const Value& item : open_list(v, "feeds")) {
    if (!item.node->is_map()) {
      report(item, "expected a feed (a mapping with name and url), got " + describe(*item.node));
      continue;
    }
    const MapView m = open_map(item, k_feed_keys);
    FeedConfig feed;
    bool ok = true;
    if (const Value* f = m.find("name")) {
      auto s = read_string(*f);
      if (s) {
        m_feed_names.push_back(*s);  // even if invalid: rules naming it are not reported twice
        if (const std::string error = checks::check_feed_name(*s); !error.empty()) {
          report(*f, error);
          ok = false;
        } else if (const auto seen = name_lines.find(*s); seen != name_lines.end()) {
          report(*f, "duplicate feed name '" + *s + "' (first used at line " + std::to_string(seen->second) +
                         ")");
          ok = false;
        } else {
          name_lines.emplace(*s, f->line);
          feed.name = *s;
        }
      } else {
        ok = false;
      }
    } else {
      missing(item, "name");
      ok = false;
    }
    if (const Value* f = m.find("url")) {
      auto s = read_string(*f);
      if (s) {
        if (const std::string error = checks::check_http_url(*s); !error.empty()) {
          report(*f, error);
          ok = false;
        } else if (const auto seen = url_lines.find(*s); seen != url_lines.end()) {
          report(*f, "the same url as the feed at line " + std::to_string(seen->second));
          ok = false;
        } else {
          url_lines.emplace(*s, f->line);
          feed.url = *s;
        }
      } else {
        ok = false;
      }
    } else {
      missing(item, "url");
      ok = false;
    }
    if (const Value* f = m.find("interval")) {
      if (auto d = read_duration(*f, false)) feed.interval = *d;
    }
    if (const Value* f = m.find("fetch_articles")) {
      if (auto b = read_bool(*f)) feed.fetch_articles = *b;
    }
    if (const Value* f = m.find("backfill")) {
      const MapView b = open_map(*f, k_backfill_keys);
      if (const Value* g = b.find("paged")) {
        if (auto x = read_bool(*g)) feed.backfill.paged = *x;
      }
      if (const Value* g = b.find("max_pages")) {
        if (auto n = read_int(*g, 1, 100000)) feed.backfill.max_pages = static_cast<int>(*n);
      }
    }
    if (ok) config.feeds.push_back(std::move(feed));
  }
}

void Loader::load_sites(const Value& v, Config& config) {
  std::map<std::string, int> host_lines;
  for (const Value& item : open_list(v, "site rules")) {
    if (!item.node->is_map()) {
      report(item,
             "expected a site rule (a mapping with host, body, remove, robots), got " + describe(*item.node));
      continue;
    }
    const MapView m = open_map(item, k_site_keys);
    SiteRule site;
    if (const Value* f = m.find("host")) {
      if (auto s = read_string(*f)) {
        if (const std::string error = checks::check_site_host(*s); !error.empty()) {
          report(*f, error);
        } else if (const auto seen = host_lines.find(*s); seen != host_lines.end()) {
          report(*f, "duplicate site host '" + *s + "' (first at line " + std::to_string(seen->second) + ")");
        } else {
          host_lines.emplace(*s, f->line);
          site.host = *s;
        }
      }
    } else {
      missing(item, "host");
    }
    // Selectors are parsed here, so an unsupported one is a config error with
    // its line rather than a rule that silently matches nothing.
    if (const Value* f = m.find("body")) {
      if (auto s = read_nonempty_string(*f)) {
        if (auto sel = extract::parse_selector(*s); !sel) {
          report(*f, "bad CSS selector \"" + *s + "\": " + sel.error().message);
        } else {
          site.body = *s;
        }
      }
    }
    if (const Value* f = m.find("remove")) {
      if (auto list = read_string_list(*f)) {
        for (std::size_t i = 0; i < list->size(); ++i) {
          if (auto sel = extract::parse_selector((*list)[i]); !sel) {
            report(f->line, f->path + "[" + std::to_string(i) + "]",
                   "bad CSS selector \"" + (*list)[i] + "\": " + sel.error().message);
          }
        }
        site.remove = std::move(*list);
      }
    }
    if (const Value* f = m.find("robots")) {
      if (auto b = read_bool(*f)) site.robots = *b;
    }
    config.sites.push_back(std::move(site));
  }
}

void Loader::load_recheck(const Value& v, Config& config) {
  config.recheck.clear();
  std::optional<Seconds> previous;
  std::string previous_text;
  for (const Value& item : open_list(v, "durations")) {
    const auto d = read_duration(item, false);
    if (!d) continue;
    if (previous && *d <= *previous) {
      report(item, "must be longer than the one before it (" + previous_text + "): the list is increasing");
    }
    previous = d;
    previous_text = item.node->scalar;
    config.recheck.push_back(*d);
  }
}

void Loader::load_hooks(const Value& v, Config& config) {
  std::map<std::string, int> name_lines;
  for (const Value& item : open_list(v, "hooks")) {
    if (!item.node->is_map()) {
      report(item, "expected a hook (a mapping with name and url), got " + describe(*item.node));
      continue;
    }
    const MapView m = open_map(item, k_hook_keys);
    Hook hook;
    if (const Value* f = m.find("name")) {
      if (auto s = read_nonempty_string(*f)) {
        if (const auto seen = name_lines.find(*s); seen != name_lines.end()) {
          report(*f, "duplicate hook name '" + *s + "' (first used at line " + std::to_string(seen->second) +
                         ")");
        } else {
          name_lines.emplace(*s, f->line);
        }
        hook.name = *s;
      }
    } else {
      missing(item, "name");
    }
    if (const Value* f = m.find("url")) {
      if (auto s = read_string(*f)) {
        if (const std::string error = checks::check_http_url(*s); !error.empty()) {
          report(*f, error);
        } else {
          hook.url = *s;
        }
      }
    }
    if (const Value* f = m.find("secret_env")) {
      if (auto s = read_string(*f)) {
        if (const std::string error = checks::check_env_name(*s); !error.empty()) {
          report(*f, error);
        } else {
          hook.secret_env = *s;
        }
      }
    }
    if (const Value* f = m.find("format")) {
      if (auto s = read_choice(*f, k_hook_formats)) hook.format = *s;
    }
    load_hook_delivery(item, m, hook);
    config.hooks.push_back(std::move(hook));
  }
}

void Loader::load_rules(const Value& v, Config& config) {
  std::map<std::string, int> name_lines;
  for (const Value& item : open_list(v, "rules")) {
    if (!item.node->is_map()) {
      report(item, "expected a rule (a mapping with name and events), got " + describe(*item.node));
      continue;
    }
    const MapView m = open_map(item, k_rule_keys);
    Rule rule;
    if (const Value* f = m.find("name")) {
      if (auto s = read_nonempty_string(*f)) {
        if (const auto seen = name_lines.find(*s); seen != name_lines.end()) {
          report(*f, "duplicate rule name '" + *s + "' (first used at line " + std::to_string(seen->second) +
                         ")");
        } else {
          name_lines.emplace(*s, f->line);
        }
        rule.name = *s;
      }
    } else {
      missing(item, "name");
    }
    if (const Value* f = m.find("events")) {
      if (f->node->is_sequence() && f->node->size() == 0)
        report(*f, "must list at least one event (" + one_of(k_events) + ")");
      for (const Value& e : open_list(*f, "events")) {
        if (auto s = read_choice(e, k_events)) rule.events.push_back(*s);
      }
    } else {
      missing(item, "events");
    }
    // Lists whose items name feeds or hooks keep their lines for resolve().
    const auto names = [&](const char* key, std::vector<std::string>& out, std::vector<Reference>* refs) {
      const Value* f = m.find(key);
      if (f == nullptr) return;
      if (!f->node->is_null() && !f->node->is_sequence()) {
        report(*f, "expected a list like [a, b], got " + describe(*f->node));
        return;
      }
      for (const Value& e : open_list(*f, key)) {
        if (auto s = read_nonempty_string(e)) {
          if (refs != nullptr) refs->push_back(Reference{e.line, e.path, *s});
          out.push_back(std::move(*s));
        }
      }
    };
    names("feeds", rule.feeds, &m_feed_refs);
    names("hooks", rule.hooks, &m_hook_refs);
    names("categories", rule.categories, nullptr);
    names("any", rule.any, nullptr);
    names("all", rule.all, nullptr);
    names("none", rule.none, nullptr);
    load_rule_terms(item, m, rule);
    config.rules.push_back(std::move(rule));
  }
}

// Delivery settings of a hook: where (url or command), how long, how often, how many tries.
void Loader::load_hook_delivery(const Value& item, const MapView& m, Hook& hook) {
  const bool exec = hook.format == "exec";
  const Value* url = m.find("url");
  const Value* command = m.find("command");
  if (exec) {
    if (url != nullptr) report(*url, "an exec hook runs `command`; it has no url");
    if (command == nullptr) {
      missing(item, "command");
    } else if (auto list = read_string_list(*command)) {
      if (list->empty()) {
        report(*command, "must name the program to run, like [/usr/local/bin/on-alert, --flag]");
      } else {
        hook.command = std::move(*list);
      }
    }
  } else {
    if (url == nullptr && m.m_is_map) missing(item, "url");
    if (command != nullptr) report(*command, "only exec hooks run a command (format: exec)");
  }
  if (const Value* f = m.find("timeout")) {
    if (auto d = read_duration(*f, false)) {
      if (*d > Seconds{600}) {
        report(*f, "must be at most 10m");
      } else {
        hook.timeout = *d;
      }
    }
  }
  if (const Value* f = m.find("digest")) {
    if (auto d = read_duration(*f, false)) hook.digest = *d;
  }
  if (const Value* f = m.find("retry")) {
    const MapView r = open_map(*f, k_retry_keys);
    if (const Value* g = r.find("max_attempts")) {
      if (auto n = read_int(*g, 1, 1000)) hook.retry.max_attempts = static_cast<int>(*n);
    }
    if (const Value* g = r.find("initial")) {
      if (auto d = read_duration(*g, false)) hook.retry.initial = *d;
    }
    if (const Value* g = r.find("max")) {
      if (auto d = read_duration(*g, false)) hook.retry.max = *d;
    }
    if (hook.retry.max < hook.retry.initial) {
      report(*f, "retry.max must not be shorter than retry.initial");
    }
  }
}

// regex, aliases and on_terms_change; then the whole rule is compiled the way the
// daemon will, so every remaining mistake is reported here with its line.
void Loader::load_rule_terms(const Value& item, const MapView& m, Rule& rule) {
  bool ok = true;
  if (const Value* f = m.find("regex")) {
    if (!f->node->is_null() && !f->node->is_sequence()) {
      report(*f, "expected a list of RE2 patterns, got " + describe(*f->node));
      ok = false;
    }
    for (const Value& e : open_list(*f, "patterns")) {
      if (auto s = read_nonempty_string(e)) {
        if (const std::string error = rules::check_regex(*s); !error.empty()) {
          report(e, "bad regular expression (RE2 syntax): " + error);
          ok = false;
        } else {
          rule.regex.push_back(std::move(*s));
        }
      } else {
        ok = false;
      }
    }
  }
  if (const Value* f = m.find("aliases")) {
    if (!f->node->is_null() && !f->node->is_map()) {
      report(*f, "expected a mapping of term: [other spellings], got " + describe(*f->node));
      ok = false;
    } else if (f->node->is_map()) {
      std::vector<std::string> terms = rule.any;
      terms.insert(terms.end(), rule.all.begin(), rule.all.end());
      terms.insert(terms.end(), rule.none.begin(), rule.none.end());
      for (const yaml::Entry& entry : f->node->entries) {
        const yaml::Node& term_node = entry.key;
        const yaml::Node& spellings_node = entry.value;
        const int line = line_of(term_node, f->line);
        if (!term_node.is_scalar()) {
          report(line, f->path, "keys must be terms, got " + describe(term_node));
          ok = false;
          continue;
        }
        const std::string term = term_node.scalar;
        const Value list{&spellings_node, line_of(spellings_node, line), f->path + "." + term};
        if (std::find(terms.begin(), terms.end(), term) == terms.end()) {
          report(line, list.path, "not a term of this rule: add it to any, all or none first");
          ok = false;
          continue;
        }
        if (auto spellings = read_string_list(list)) {
          rule.aliases.emplace_back(term, std::move(*spellings));
        } else {
          ok = false;
        }
      }
    }
  }
  if (const Value* f = m.find("on_terms_change")) {
    if (auto b = read_bool(*f)) rule.on_terms_change = *b;
  }
  if (!ok) return;
  rules::RuleSpec spec;
  spec.name = rule.name;
  spec.any = rule.any;
  spec.all = rule.all;
  spec.none = rule.none;
  spec.regex = rule.regex;
  for (const auto& [term, spellings] : rule.aliases) spec.aliases[term] = spellings;
  if (auto compiled = rules::CompiledRule::compile(std::move(spec)); !compiled) {
    report(item, compiled.error().message);
  }
}

std::optional<std::string> Loader::load_listen_section(const Value& v) {
  const MapView m = open_map(v, k_listen_keys);
  if (const Value* f = m.find("listen")) return read_listen(*f);
  if (m.m_is_map) missing(v, "listen");
  return std::nullopt;
}

// web: { listen, token_env, user_env, password_env }: the analyst view (daemon/web).
void Loader::load_web(const Value& v, Config& config) {
  const MapView m = open_map(v, k_web_keys);
  if (const Value* f = m.find("listen")) {
    config.web_listen = read_listen(*f);
  } else if (m.m_is_map) {
    missing(v, "listen");
  }
  for (auto [key, field] :
       {std::pair{"token_env", &config.web_token_env}, std::pair{"user_env", &config.web_user_env},
        std::pair{"password_env", &config.web_password_env}}) {
    const Value* f = m.find(key);
    if (!f) continue;
    if (auto s = read_string(*f)) {
      if (const std::string error = checks::check_env_name(*s); !error.empty()) {
        report(*f, error);
      } else {
        *field = *s;
      }
    }
  }
  if (config.web_user_env.empty() != config.web_password_env.empty()) {
    report(v, "user_env and password_env go together (basic authentication needs both)");
  }
}

void Loader::resolve(const std::vector<Reference>& refs, const std::vector<std::string>& names,
                     const std::string& kind) {
  std::vector<std::string_view> known(names.begin(), names.end());
  for (const Reference& ref : refs) {
    if (contains(known, ref.name)) continue;
    std::string what = "no " + kind + " named '" + ref.name + "'";
    if (const auto guess = checks::suggest(ref.name, known)) {
      what += "; did you mean '" + *guess + "'?";
    } else if (known.empty()) {
      what += " (no " + kind + "s are defined)";
    } else {
      what += " (defined: " + one_of(known) + ")";
    }
    report(ref.line, ref.path, what);
  }
}

Config Loader::load(const yaml::Node& root) {
  Config config;
  config.path = m_file;
  config.recheck = k_default_recheck;
  const Value top{&root, 1, ""};
  if (!root.is_null() && !root.is_map()) {
    report(line_of(root, 1), "",
           "the file must be a mapping of keys (database, http, feeds, ...), got " + describe(root));
    return config;
  }
  const MapView m = open_map(top, k_top_keys);

  if (const Value* f = m.find("database")) {
    const MapView d = open_map(*f, k_database_keys);
    if (const Value* u = d.find("url")) {
      if (auto s = read_string(*u)) {
        if (const std::string error = checks::check_database_url(*s); !error.empty()) {
          report(*u, error);
        } else {
          config.database_url = *s;
        }
      }
    }
    if (const Value* k = d.find("fetch_log_keep")) {
      if (auto keep = read_duration(*k, true)) config.fetch_log_keep = *keep;
    }
  }
  if (const Value* f = m.find("state_dir")) {
    if (auto s = read_nonempty_string(*f)) config.state_dir = *s;
  }
  if (const Value* f = m.find("log_level")) {
    if (auto s = read_choice(*f, k_log_levels)) config.log_level = *s;
  }
  if (const Value* f = m.find("http")) load_http(*f, config.http);
  if (const Value* f = m.find("feeds")) load_feeds(*f, config);
  if (const Value* f = m.find("sites")) load_sites(*f, config);
  if (const Value* f = m.find("recheck")) load_recheck(*f, config);
  if (const Value* f = m.find("hooks")) load_hooks(*f, config);
  if (const Value* f = m.find("rules")) load_rules(*f, config);
  if (const Value* f = m.find("metrics")) config.metrics_listen = load_listen_section(*f);
  if (const Value* f = m.find("web")) load_web(*f, config);

  std::vector<std::string> hook_names;
  for (const auto& hook : config.hooks) {
    if (!hook.name.empty()) hook_names.push_back(hook.name);
  }
  resolve(m_feed_refs, m_feed_names, "feed");
  resolve(m_hook_refs, hook_names, "hook");
  return config;
}

// yaml-cpp's messages name the symptom; say the likely cause too.
std::string syntax_hint(const std::string& yaml, const std::string& message, int line) {
  std::istringstream lines(yaml);
  std::string text;
  for (int i = 0; i < line && std::getline(lines, text); ++i) {
  }
  const std::string indent = text.substr(0, text.find_first_not_of(" \t"));
  if (indent.find('\t') != std::string::npos) return "; YAML does not allow tabs for indentation, use spaces";
  if (message.find("end of sequence flow") != std::string::npos)
    return "; is a ']' missing before this line?";
  if (message.find("end of map flow") != std::string::npos) return "; is a '}' missing before this line?";
  return "";
}

}  // namespace

ConfigError::ConfigError(std::vector<std::string> problems)
    : std::runtime_error(join(problems)), m_problems(std::move(problems)) {}

std::optional<Seconds> parse_duration(const std::string& text) {
  // One or more <digits><unit> groups, units in decreasing order, each at most
  // once: "90s", "15m", "1h30m", "3d12h". No spaces, signs or fractions.
  constexpr std::array<std::pair<char, std::int64_t>, 4> k_units{
      {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}}};
  constexpr std::int64_t k_max_seconds = std::int64_t{100} * 366 * 86400;  // a century is plenty
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  std::size_t next_unit = 0;  // index into k_units of the smallest unit still allowed
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = pos;
    std::int64_t n = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (pos - start >= 9) return std::nullopt;
      n = n * 10 + (text[pos] - '0');
      ++pos;
    }
    if (pos == start || pos == text.size()) return std::nullopt;
    const char unit = text[pos++];
    std::size_t u = next_unit;
    while (u < k_units.size() && k_units[u].first != unit) ++u;
    if (u == k_units.size()) return std::nullopt;  // unknown unit, or out of order / repeated
    total += n * k_units[u].second;
    if (total > k_max_seconds) return std::nullopt;
    next_unit = u + 1;
  }
  return Seconds{total};
}

Config load_string(const std::string& yaml, const std::string& name) {
  Loader loader(name);
  yaml::Node root;
  try {
    root = yaml::parse(yaml);
  } catch (const yaml::DocumentError& e) {
    loader.report(e.line() == 0 ? 1 : e.line(), "", std::string("YAML error: ") + e.what());
    throw ConfigError(loader.problems());
  } catch (const YAML::ParserException& e) {
    const int line = e.mark.is_null() ? 1 : e.mark.line + 1;
    std::string what = "YAML syntax error: " + e.msg;
    if (!e.mark.is_null()) what += " (column " + std::to_string(e.mark.column + 1) + ")";
    what += syntax_hint(yaml, e.msg, line);
    loader.report(line, "", what);
    throw ConfigError(loader.problems());
  } catch (const YAML::Exception& e) {
    loader.report(1, "", std::string("YAML error: ") + e.what());
    throw ConfigError(loader.problems());
  }
  Config config = loader.load(root);
  auto problems = loader.problems();
  if (!problems.empty()) throw ConfigError(std::move(problems));
  return config;
}

Config load_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw ConfigError({path + ": config file not found"});
  }
  if (std::filesystem::is_directory(path, ec)) {
    throw ConfigError({path + ": is a directory, not a config file"});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError({path + ": cannot read config file: " + std::strerror(errno)});
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError({path + ": cannot read config file: " + std::strerror(errno)});
  return load_string(text.str(), path);
}

std::string summary(const Config& config) {
  std::string out = config.path + ": ok: " + plural(config.feeds.size(), "feed") + ", " +
                    plural(config.sites.size(), "site rule") + ", " + plural(config.rules.size(), "rule") +
                    ", " + plural(config.hooks.size(), "hook") + ", database: ";
  if (config.database_url) {
    out += "external (" + checks::redact_database_url(*config.database_url) + ")";
  } else {
    out += "embedded (" + config.state_dir + ")";
  }
  return out;
}

}  // namespace fw::config
