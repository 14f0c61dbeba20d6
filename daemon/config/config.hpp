// The daemon's configuration: loaded from YAML (DESIGN.md "Configuration"),
// validated in full before use. Every problem is reported as
// "FILE:LINE: key.path: what is wrong"; unknown keys are errors.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace fw::config {

using Seconds = std::chrono::seconds;

struct PerHost {
  int max_concurrent = 2;
  Seconds min_delay{1};
};

struct Http {
  std::string user_agent = "feedwatch/0.1 (+https://example.org/contact)";
  Seconds timeout{30};
  Seconds connect_timeout{10};
  std::int64_t max_body_bytes = 10 * 1024 * 1024;
  int max_redirects = 5;
  bool allow_private_networks = false;
  // PEM file of the certificate authorities HTTPS servers are checked against;
  // empty: the system's store.
  std::string ca_file;
  PerHost per_host;
};

struct Backfill {
  bool paged = false;
  int max_pages = 50;
};

struct FeedConfig {
  std::string name;
  std::string url;
  Seconds interval{15 * 60};
  bool fetch_articles = true;
  Backfill backfill;
};

struct SiteRule {
  std::string host;
  std::string body;                 // CSS selector
  std::vector<std::string> remove;  // CSS selectors
  bool robots = true;               // obey the host's robots.txt for article pages
};

struct HookRetry {
  int max_attempts = 12;  // then the delivery is marked dead
  Seconds initial{30};    // the first retry's delay; doubled each time, with jitter
  Seconds max{3600};      // the longest delay between two attempts
};

struct Hook {
  std::string name;
  std::string url;                   // json, slack, discord
  std::string secret_env;            // name of the environment variable holding the HMAC key
  std::string format = "json";       // json | slack | discord | exec
  std::vector<std::string> command;  // exec: argv, the JSON on stdin
  Seconds timeout{10};               // one attempt: the HTTP request or the command
  std::optional<Seconds> digest;     // at most one request per window, batching events
  HookRetry retry;
};

struct Rule {
  std::string name;
  std::vector<std::string> events;  // new, edited, title_changed, removed, restored
  std::vector<std::string> feeds;   // empty: every feed
  std::vector<std::string> categories;
  std::vector<std::string> any;
  std::vector<std::string> all;
  std::vector<std::string> none;
  std::vector<std::string> regex;  // RE2 patterns, alternatives to `any`
  std::vector<std::pair<std::string, std::vector<std::string>>> aliases;  // term -> other spellings
  bool on_terms_change = false;  // edits fire only when they add or remove a tracked term
  std::vector<std::string> hooks;
};

struct Config {
  std::string path;                         // the file it was loaded from
  std::optional<std::string> database_url;  // absent: embedded cluster under state_dir
  Seconds fetch_log_keep{30 * 86400};  // database.fetch_log_keep: fetch_log rows older are deleted (0: never)
  std::string state_dir = "/var/lib/feedwatch";
  std::string log_level = "info";
  Http http;
  std::vector<FeedConfig> feeds;
  std::vector<SiteRule> sites;
  std::vector<Seconds> recheck;  // gaps between re-fetches, from first sight
  std::vector<Hook> hooks;
  std::vector<Rule> rules;
  std::optional<std::string> metrics_listen;  // host:port
  std::optional<std::string> web_listen;      // host:port
  // web.token_env, web.user_env + web.password_env: names of the environment
  // variables holding the web view's bearer token / basic-auth credentials (empty: none).
  std::string web_token_env;
  std::string web_user_env;
  std::string web_password_env;
};

// Thrown by load(); holds every problem found, one "FILE:LINE: key.path: message" each.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return m_problems; }

 private:
  std::vector<std::string> m_problems;
};

// Loads and validates a config file. Throws ConfigError listing all problems.
Config load_file(const std::string& path);
// Same, from text; `name` is used as FILE in messages.
Config load_string(const std::string& yaml, const std::string& name);

// Parses "90s", "15m", "6h", "3d" (and combinations like "1h30m"); nullopt if malformed.
std::optional<Seconds> parse_duration(const std::string& text);

// One line for `check-config`: "config/feedwatch.yaml: ok: 1 feed, 1 site rule, ...".
std::string summary(const Config& config);

}  // namespace fw::config
