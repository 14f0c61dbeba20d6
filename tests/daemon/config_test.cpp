// Tests of daemon/config: each kind of mistake gives its exact
// "FILE:LINE: key.path: message", all problems are reported at once, defaults
// apply, and the shipped config/feedwatch.yaml loads.
#include "daemon/config/config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "daemon/config/checks.hpp"

namespace fw::config {
namespace {

using namespace std::chrono_literals;

// The problems load_string reports, or an empty list when it loads.
std::vector<std::string> problems_of(const std::string& yaml) {
  try {
    (void)load_string(yaml, "f.yaml");
  } catch (const ConfigError& e) {
    return e.problems();
  }
  return {};
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// ----------------------------------------------------------- one mistake each

struct MistakeCase {
  const char* name;
  const char* yaml;
  const char* expected;  // the single problem reported
};

std::ostream& operator<<(std::ostream& os, const MistakeCase& c) {
  return os << c.name;
}

// clang-format off
const MistakeCase k_mistakes[] = {
    {"unknown_key_with_suggestion",
     "feeds:\n  - name: a\n    url: https://example.org/feed\n    intervl: 15m\n",
     "f.yaml:4: feeds[0].intervl: unknown key; did you mean 'interval'?"},
    {"unknown_top_level_key_with_suggestion",
     "feed:\n  - name: a\n",
     "f.yaml:1: feed: unknown key; did you mean 'feeds'?"},
    {"unknown_key_no_suggestion",
     "http:\n  colour: blue\n",
     "f.yaml:2: http.colour: unknown key (expected one of: user_agent, timeout, connect_timeout, "
     "max_body_bytes, max_redirects, allow_private_networks, ca_file, per_host)"},
    {"unknown_key_case_typo",
     "http:\n  Timeout: 30s\n",
     "f.yaml:2: http.Timeout: unknown key; did you mean 'timeout'?"},
    {"duplicate_key",
     "state_dir: /a\nstate_dir: /b\n",
     "f.yaml:2: state_dir: duplicate key (first set at line 1)"},
    {"wrong_type_string_got_list",
     "state_dir: [a, b]\n",
     "f.yaml:1: state_dir: expected a string, got a list"},
    {"wrong_type_bool",
     "http:\n  allow_private_networks: yes\n",
     "f.yaml:2: http.allow_private_networks: expected true or false, got \"yes\""},
    {"missing_ca_file",
     "http:\n  ca_file: /nonexistent/ca.pem\n",
     "f.yaml:2: http.ca_file: no such file: \"/nonexistent/ca.pem\" (a PEM file of CA certificates)"},
    {"wrong_type_int",
     "http:\n  max_body_bytes: ten\n",
     "f.yaml:2: http.max_body_bytes: expected an integer, got \"ten\""},
    {"wrong_type_section",
     "http: fast\n",
     "f.yaml:1: http: expected a mapping (key: value), got \"fast\""},
    {"wrong_type_feeds",
     "feeds: {name: a}\n",
     "f.yaml:1: feeds: expected a list of feeds, got a mapping"},
    {"missing_value",
     "feeds:\n  - name: a\n    url:\n",
     "f.yaml:3: feeds[0].url: missing value (expected a string)"},
    {"missing_required_key",
     "feeds:\n  - name: a\n",
     "f.yaml:2: feeds[0].url: required key is missing"},
    {"bad_duration",
     "http:\n  timeout: 30 seconds\n",
     "f.yaml:2: http.timeout: expected a duration like \"90s\", \"15m\", \"6h\", \"3d\" or \"1h30m\", "
     "got \"30 seconds\""},
    {"duration_without_unit",
     "http:\n  timeout: 30\n",
     "f.yaml:2: http.timeout: a duration needs a unit: write \"30s\" for seconds (or m, h, d)"},
    {"zero_duration",
     "feeds:\n  - {name: a, url: 'https://example.org/', interval: 0m}\n",
     "f.yaml:2: feeds[0].interval: must be a positive duration, got \"0m\""},
    {"duration_past_ten_years",
     "feeds:\n  - {name: a, url: 'https://example.org/', interval: 30000d}\n",
     "f.yaml:2: feeds[0].interval: must be at most 3660d (ten years), got \"30000d\""},
    {"bad_feed_url",
     "feeds:\n  - name: a\n    url: ftp://example.org/feed\n",
     "f.yaml:3: feeds[0].url: not an http(s) URL: \"ftp://example.org/feed\""},
    {"feed_url_without_host",
     "feeds:\n  - name: a\n    url: https:///feed\n",
     "f.yaml:3: feeds[0].url: not an http(s) URL: \"https:///feed\" (no host)"},
    {"bad_hook_url",
     "hooks:\n  - name: h\n    url: example.org/hook\n",
     "f.yaml:3: hooks[0].url: not an http(s) URL: \"example.org/hook\""},
    {"duplicate_feed_name",
     "feeds:\n  - {name: a, url: 'https://example.org/1'}\n  - {name: a, url: 'https://example.org/2'}\n",
     "f.yaml:3: feeds[1].name: duplicate feed name 'a' (first used at line 2)"},
    {"bad_feed_name",
     "feeds:\n  - {name: my feed, url: 'https://example.org/1'}\n",
     "f.yaml:2: feeds[0].name: may only contain letters, digits, '.', '_' and '-': \"my feed\""},
    {"bad_feed_name_reported_once",
     "feeds:\n  - {name: 'my feed', url: 'https://example.org/1'}\n"
     "rules:\n  - {name: r, events: [new], feeds: [my feed]}\n",
     "f.yaml:2: feeds[0].name: may only contain letters, digits, '.', '_' and '-': \"my feed\""},
    {"empty_feed_name",
     "feeds:\n  - {name: '', url: 'https://example.org/1'}\n",
     "f.yaml:2: feeds[0].name: must not be empty"},
    {"duplicate_feed_url",
     "feeds:\n  - {name: a, url: 'https://example.org/1'}\n  - {name: b, url: 'https://example.org/1'}\n",
     "f.yaml:3: feeds[1].url: the same url as the feed at line 2"},
    {"unknown_hook_in_rule",
     "hooks:\n  - {name: analysts, url: 'https://example.org/h'}\n"
     "rules:\n  - name: r\n    events: [new]\n    hooks: [analyst]\n",
     "f.yaml:6: rules[0].hooks[0]: no hook named 'analyst'; did you mean 'analysts'?"},
    {"unknown_hook_none_defined",
     "rules:\n  - name: r\n    events: [new]\n    hooks:\n      - slack\n",
     "f.yaml:5: rules[0].hooks[0]: no hook named 'slack' (no hooks are defined)"},
    {"unknown_feed_in_rule",
     "feeds:\n  - {name: alpha, url: 'https://example.org/1'}\n"
     "rules:\n  - {name: r, events: [new], feeds: [zulu]}\n",
     "f.yaml:4: rules[0].feeds[0]: no feed named 'zulu' (defined: alpha)"},
    {"bad_event",
     "rules:\n  - name: r\n    events: [new, edit]\n",
     "f.yaml:3: rules[0].events[1]: expected one of new, edited, title_changed, removed, restored, "
     "got \"edit\"; did you mean 'edited'?"},
    {"rule_without_events",
     "rules:\n  - name: r\n    any: [x]\n",
     "f.yaml:2: rules[0].events: required key is missing"},
    {"duplicate_rule_name",
     "rules:\n  - {name: r, events: [new]}\n  - {name: r, events: [new]}\n",
     "f.yaml:3: rules[1].name: duplicate rule name 'r' (first used at line 2)"},
    {"duplicate_hook_name",
     "hooks:\n  - {name: h, url: 'https://a.example/'}\n  - {name: h, url: 'https://b.example/'}\n",
     "f.yaml:3: hooks[1].name: duplicate hook name 'h' (first used at line 2)"},
    {"bad_hook_format",
     "hooks:\n  - {name: h, url: 'https://a.example/', format: xml}\n",
     "f.yaml:2: hooks[0].format: expected one of json, slack, discord, exec, got \"xml\""},
    {"secret_in_secret_env",
     "hooks:\n  - {name: h, url: 'https://a.example/', secret_env: 's3cr3t-value!'}\n",
     "f.yaml:2: hooks[0].secret_env: not an environment variable name ([A-Za-z_][A-Za-z0-9_]*): "
     "\"s3cr3t-value!\"; secret_env names the variable that holds the secret (like FEEDWATCH_HOOK_SECRET), "
     "never the secret itself"},
    {"bad_listen_port",
     "metrics:\n  listen: 127.0.0.1:99999\n",
     "f.yaml:2: metrics.listen: expected host:port with port 1-65535 (like 127.0.0.1:9464), got "
     "\"127.0.0.1:99999\""},
    {"bad_listen_no_port",
     "web: {listen: localhost}\n",
     "f.yaml:1: web.listen: expected host:port with port 1-65535 (like 127.0.0.1:9464), got \"localhost\""},
    {"listen_section_without_listen",
     "metrics: {}\n",
     "f.yaml:1: metrics.listen: required key is missing"},
    {"max_concurrent_zero",
     "http:\n  per_host: {max_concurrent: 0, min_delay: 1s}\n",
     "f.yaml:2: http.per_host.max_concurrent: must be at least 1, got 0"},
    {"bad_min_delay",
     "http:\n  per_host:\n    min_delay: soon\n",
     "f.yaml:3: http.per_host.min_delay: expected a duration like \"90s\", \"15m\", \"6h\", \"3d\" or "
     "\"1h30m\", got \"soon\""},
    {"max_body_bytes_zero",
     "http:\n  max_body_bytes: 0\n",
     "f.yaml:2: http.max_body_bytes: must be at least 1, got 0"},
    {"recheck_not_increasing",
     "recheck: [1h, 6h, 3h]\n",
     "f.yaml:1: recheck[2]: must be longer than the one before it (6h): the list is increasing"},
    {"recheck_zero",
     "recheck:\n  - 0s\n",
     "f.yaml:2: recheck[0]: must be a positive duration, got \"0s\""},
    {"site_without_host",
     "sites:\n  - body: .content\n",
     "f.yaml:2: sites[0].host: required key is missing"},
    {"site_host_is_url",
     "sites:\n  - host: https://focus.cbbc.org/\n",
     "f.yaml:2: sites[0].host: a host name, not a URL: write \"focus.cbbc.org\""},
    {"site_empty_host",
     "sites:\n  - host: ''\n",
     "f.yaml:2: sites[0].host: must not be empty"},
    {"fetch_log_keep_without_unit",
     "database:\n  fetch_log_keep: 30\n",
     "f.yaml:2: database.fetch_log_keep: a duration needs a unit: write \"30s\" for seconds (or m, h, d)"},
    {"bad_database_url",
     "database:\n  url: mysql://localhost/db\n",
     "f.yaml:2: database.url: not a PostgreSQL URL (postgresql://...) or libpq conninfo (host=... dbname=...): "
     "\"mysql://localhost/db\""},
    {"bad_conninfo",
     "database:\n  url: \"host=localhost bogus=1\"\n",
     "f.yaml:2: database.url: invalid PostgreSQL connection string: invalid connection option \"bogus\""},
    {"bad_log_level",
     "log_level: verbose\n",
     "f.yaml:1: log_level: expected one of trace, debug, info, warn, error, got \"verbose\""},
    {"log_level_typo",
     "log_level: eror\n",
     "f.yaml:1: log_level: expected one of trace, debug, info, warn, error, got \"eror\"; did you mean 'error'?"},
    {"max_pages_zero",
     "feeds:\n  - name: a\n    url: https://example.org/\n    backfill: {paged: true, max_pages: 0}\n",
     "f.yaml:4: feeds[0].backfill.max_pages: must be between 1 and 100000, got 0"},
    {"top_level_not_a_mapping",
     "- a\n- b\n",
     "f.yaml:1: the file must be a mapping of keys (database, http, feeds, ...), got a list"},
    {"yaml_syntax_error_flow",
     "state_dir: /x\nfeeds: [a, b\nrecheck: [1h]\n",
     "f.yaml:3: YAML syntax error: end of sequence flow not found (column 8); is a ']' missing before this line?"},
    {"yaml_syntax_error_map",
     "state_dir: /x\nhttp:\n  timeout: a: b\n",
     "f.yaml:3: YAML syntax error: illegal map value (column 13)"},
    {"yaml_syntax_error_tab",
     "http:\n\ttimeout: 30s\n",
     "f.yaml:2: YAML syntax error: illegal map value (column 9); YAML does not allow tabs for indentation, use spaces"},
};
// clang-format on

class ConfigMistake : public ::testing::TestWithParam<MistakeCase> {};

TEST_P(ConfigMistake, ReportsExactProblem) {
  const MistakeCase& c = GetParam();
  const auto problems = problems_of(c.yaml);
  ASSERT_EQ(problems.size(), 1u) << joined(problems);
  EXPECT_EQ(problems[0], c.expected);
}

INSTANTIATE_TEST_SUITE_P(Config, ConfigMistake, ::testing::ValuesIn(k_mistakes),
                         [](const ::testing::TestParamInfo<MistakeCase>& param_info) {
                           return std::string(param_info.param.name);
                         });

// ------------------------------------------------------------ many at once

TEST(Config, ReportsEveryProblemSortedByLine) {
  const std::string yaml =
      "rules:\n"                         // 1
      "  - name: r\n"                    // 2
      "    events: [new, bogus]\n"       // 3
      "    hooks: [nobody]\n"            // 4
      "http:\n"                          // 5
      "  timeout: forever\n"             // 6
      "  max_redirects: -1\n"            // 7
      "feeds:\n"                         // 8
      "  - name: a\n"                    // 9
      "    url: gopher://x\n"            // 10
      "    intervl: 5m\n"                // 11
      "metrics: {listen: 'nowhere'}\n";  // 12
  try {
    (void)load_string(yaml, "f.yaml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    // NOLINTBEGIN(bugprone-suspicious-missing-comma): long messages are split on purpose
    const std::vector<std::string> expected = {
        "f.yaml:3: rules[0].events[1]: expected one of new, edited, title_changed, removed, restored, got "
        "\"bogus\"",
        "f.yaml:4: rules[0].hooks[0]: no hook named 'nobody' (no hooks are defined)",
        "f.yaml:6: http.timeout: expected a duration like \"90s\", \"15m\", \"6h\", \"3d\" or \"1h30m\", got "
        "\"forever\"",
        "f.yaml:7: http.max_redirects: must be between 0 and 100, got -1",
        "f.yaml:10: feeds[0].url: not an http(s) URL: \"gopher://x\"",
        "f.yaml:11: feeds[0].intervl: unknown key; did you mean 'interval'?",
        "f.yaml:12: metrics.listen: expected host:port with port 1-65535 (like 127.0.0.1:9464), got "
        "\"nowhere\"",
    };
    // NOLINTEND(bugprone-suspicious-missing-comma)
    EXPECT_EQ(e.problems(), expected);
    EXPECT_EQ(std::string(e.what()), joined(expected).substr(0, joined(expected).size() - 1));
  }
}

// ---------------------------------------------------------------- defaults

TEST(Config, EmptyFileGivesDefaults) {
  const Config c = load_string("", "empty.yaml");
  EXPECT_EQ(c.path, "empty.yaml");
  EXPECT_FALSE(c.database_url.has_value());
  EXPECT_EQ(c.state_dir, "/var/lib/feedwatch");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.http.timeout, 30s);
  EXPECT_EQ(c.http.connect_timeout, 10s);
  EXPECT_EQ(c.http.max_body_bytes, 10 * 1024 * 1024);
  EXPECT_EQ(c.http.max_redirects, 5);
  EXPECT_FALSE(c.http.allow_private_networks);
  EXPECT_TRUE(c.http.ca_file.empty());  // the system's store
  EXPECT_EQ(c.http.per_host.max_concurrent, 2);
  EXPECT_EQ(c.http.per_host.min_delay, 1s);
  EXPECT_TRUE(c.feeds.empty());
  EXPECT_TRUE(c.hooks.empty());
  EXPECT_TRUE(c.rules.empty());
  const std::vector<Seconds> recheck = {1h, 6h, 24h, 72h, 168h, 720h};
  EXPECT_EQ(c.recheck, recheck);
  EXPECT_FALSE(c.metrics_listen.has_value());
  EXPECT_FALSE(c.web_listen.has_value());
  EXPECT_EQ(c.fetch_log_keep, 720h);
  EXPECT_EQ(
      summary(c),
      "empty.yaml: ok: 0 feeds, 0 site rules, 0 rules, 0 hooks, database: embedded (/var/lib/feedwatch)");
}

TEST(Config, FeedDefaults) {
  const Config c = load_string("feeds:\n  - {name: a, url: 'http://example.org/feed'}\n", "f.yaml");
  ASSERT_EQ(c.feeds.size(), 1u);
  EXPECT_EQ(c.feeds[0].interval, 15min);
  EXPECT_TRUE(c.feeds[0].fetch_articles);
  EXPECT_FALSE(c.feeds[0].backfill.paged);
  EXPECT_EQ(c.feeds[0].backfill.max_pages, 50);
}

TEST(Config, HookAndRuleDefaults) {
  const Config c = load_string(
      "hooks:\n  - {name: h, url: 'https://example.org/h'}\nrules:\n  - {name: r, events: [removed]}\n",
      "f.yaml");
  ASSERT_EQ(c.hooks.size(), 1u);
  EXPECT_EQ(c.hooks[0].format, "json");
  EXPECT_EQ(c.hooks[0].secret_env, "");
  ASSERT_EQ(c.rules.size(), 1u);
  EXPECT_TRUE(c.rules[0].feeds.empty());
  EXPECT_TRUE(c.rules[0].hooks.empty());
}

TEST(Config, EmptySectionsAndExplicitEmptyRecheck) {
  const Config c = load_string("http:\nfeeds:\nhooks:\nrules: []\nrecheck: []\n", "f.yaml");
  EXPECT_TRUE(c.feeds.empty());
  EXPECT_TRUE(c.recheck.empty());
  EXPECT_EQ(c.http.timeout, 30s);
}

TEST(Config, EveryKeyBlockStyle) {
  const std::string yaml = R"yaml(
database:
  url: postgresql://feedwatch:hunter2@db.example.org:5433/feedwatch
state_dir: /srv/feedwatch
log_level: debug
http:
  user_agent: "ua/1"
  timeout: 1m
  connect_timeout: 5s
  max_body_bytes: 1000
  max_redirects: 0
  allow_private_networks: true
  per_host:
    max_concurrent: 4
    min_delay: 0s
feeds:
  - name: one
    url: https://example.org/feed/
    interval: 1h30m
    fetch_articles: false
    backfill:
      paged: true
      max_pages: 7
sites:
  - host: example.org
    body: article
    remove: [".ad", ".share"]
recheck: [2h, 1d]
hooks:
  - name: slack
    url: https://hooks.example.org/x
    secret_env: HOOK_KEY
    format: slack
rules:
  - name: r1
    events: [new, edited, title_changed, removed, restored]
    feeds: [one]
    categories: [Tech]
    any: [Alibaba, 阿里巴巴]
    all: [China]
    none: [sponsored]
    hooks: [slack]
metrics:
  listen: "[::1]:9464"
web:
  listen: 0.0.0.0:8080
)yaml";
  const Config c = load_string(yaml, "full.yaml");
  EXPECT_EQ(c.database_url, "postgresql://feedwatch:hunter2@db.example.org:5433/feedwatch");
  EXPECT_EQ(c.state_dir, "/srv/feedwatch");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.http.user_agent, "ua/1");
  EXPECT_EQ(c.http.timeout, 60s);
  EXPECT_EQ(c.http.connect_timeout, 5s);
  EXPECT_EQ(c.http.max_body_bytes, 1000);
  EXPECT_EQ(c.http.max_redirects, 0);
  EXPECT_TRUE(c.http.allow_private_networks);
  EXPECT_EQ(c.http.per_host.max_concurrent, 4);
  EXPECT_EQ(c.http.per_host.min_delay, 0s);
  ASSERT_EQ(c.feeds.size(), 1u);
  EXPECT_EQ(c.feeds[0].name, "one");
  EXPECT_EQ(c.feeds[0].interval, 90min);
  EXPECT_FALSE(c.feeds[0].fetch_articles);
  EXPECT_TRUE(c.feeds[0].backfill.paged);
  EXPECT_EQ(c.feeds[0].backfill.max_pages, 7);
  ASSERT_EQ(c.sites.size(), 1u);
  EXPECT_EQ(c.sites[0].body, "article");
  EXPECT_EQ(c.sites[0].remove, (std::vector<std::string>{".ad", ".share"}));
  EXPECT_EQ(c.recheck, (std::vector<Seconds>{2h, 24h}));
  ASSERT_EQ(c.hooks.size(), 1u);
  EXPECT_EQ(c.hooks[0].secret_env, "HOOK_KEY");
  EXPECT_EQ(c.hooks[0].format, "slack");
  ASSERT_EQ(c.rules.size(), 1u);
  EXPECT_EQ(c.rules[0].events.size(), 5u);
  EXPECT_EQ(c.rules[0].any, (std::vector<std::string>{"Alibaba", "阿里巴巴"}));
  EXPECT_EQ(c.rules[0].all, (std::vector<std::string>{"China"}));
  EXPECT_EQ(c.rules[0].none, (std::vector<std::string>{"sponsored"}));
  EXPECT_EQ(c.rules[0].categories, (std::vector<std::string>{"Tech"}));
  EXPECT_EQ(c.rules[0].hooks, (std::vector<std::string>{"slack"}));
  EXPECT_EQ(c.metrics_listen, "[::1]:9464");
  EXPECT_EQ(c.web_listen, "0.0.0.0:8080");
  // The password never reaches the summary.
  const std::string s = summary(c);
  EXPECT_EQ(s.find("hunter2"), std::string::npos) << s;
  EXPECT_EQ(s.rfind("full.yaml: ok: 1 feed, 1 site rule, 1 rule, 1 hook, database: ", 0), 0u) << s;
}

TEST(Config, DesignExampleFlowStyle) {
  // DESIGN.md's example, with its flow-style mappings.
  const std::string yaml = R"yaml(
database:
  url: postgresql://feedwatch@localhost/feedwatch
state_dir: /var/lib/feedwatch
http:
  user_agent: "feedwatch/1.0 (+https://example.org/contact)"
  timeout: 30s
  max_body_bytes: 10485760
  allow_private_networks: false
  per_host: { max_concurrent: 2, min_delay: 1s }
feeds:
  - name: cbbc-tech-companies
    url: https://focus.cbbc.org/tag/tech-companies/feed/
    interval: 15m
    fetch_articles: true
    backfill: { paged: true, max_pages: 50 }
sites:
  - host: focus.cbbc.org
    body: ".entry-content"
    remove: [".read-also", ".post-footer"]
recheck: [1h, 6h, 24h, 3d, 7d, 30d]
hooks:
  - name: analysts
    url: https://hooks.example.org/feedwatch
    secret_env: FEEDWATCH_HOOK_SECRET
    format: json
rules:
  - name: china-tech
    events: [new, edited]
    feeds: [cbbc-tech-companies]
    any: [Alibaba, Tencent, DeepSeek, Huawei, ByteDance, 阿里巴巴, 腾讯]
    hooks: [analysts]
metrics: { listen: 127.0.0.1:9464 }
web: { listen: 127.0.0.1:8080 }
)yaml";
  const Config c = load_string(yaml, "design.yaml");
  EXPECT_EQ(c.http.per_host.max_concurrent, 2);
  EXPECT_TRUE(c.feeds.at(0).backfill.paged);
  EXPECT_EQ(c.rules.at(0).hooks.at(0), "analysts");
  const std::string s = summary(c);
  EXPECT_EQ(s.rfind("design.yaml: ok: 1 feed, 1 site rule, 1 rule, 1 hook, database: external (", 0), 0u)
      << s;
  EXPECT_NE(s.find("host=localhost"), std::string::npos) << s;
  EXPECT_NE(s.find("dbname=feedwatch"), std::string::npos) << s;
}

TEST(Config, WholeFileInFlowStyle) {
  const Config c = load_string(
      "{feeds: [{name: a, url: 'https://example.org/f', interval: 1h}], rules: [{name: r, events: [new], "
      "feeds: [a], any: [x]}], metrics: {listen: 'localhost:1'}}",
      "flow.yaml");
  ASSERT_EQ(c.feeds.size(), 1u);
  EXPECT_EQ(c.feeds[0].interval, 1h);
  EXPECT_EQ(c.rules.at(0).feeds.at(0), "a");
  EXPECT_EQ(c.metrics_listen, "localhost:1");
}

TEST(Config, FetchLogKeep) {
  EXPECT_EQ(load_string("database:\n  fetch_log_keep: 7d\n", "f.yaml").fetch_log_keep, 168h);
  EXPECT_EQ(load_string("database:\n  fetch_log_keep: 0s\n", "f.yaml").fetch_log_keep, 0s);  // keep all
}

// Anchors and aliases work as in any YAML file: the alias is the anchored node.
TEST(Config, AliasesRepeatAnAnchoredNode) {
  const Config c = load_string(
      "feeds:\n  - name: a\n    url: https://example.org/a\n    interval: &often 5m\n"
      "  - name: b\n    url: https://example.org/b\n    interval: *often\n"
      "rules:\n  - name: r\n    events: [new]\n    any: &words [huawei, zte]\n"
      "  - name: s\n    events: [edited]\n    any: *words\n",
      "f.yaml");
  ASSERT_EQ(c.feeds.size(), 2u);
  EXPECT_EQ(c.feeds[1].interval, 5min);
  ASSERT_EQ(c.rules.size(), 2u);
  EXPECT_EQ(c.rules[1].any, (std::vector<std::string>{"huawei", "zte"}));
}

// An alias bomb (each level nine aliases of the one before: 9^9 nodes) is
// refused at the node limit, within bounded memory and time, not expanded.
TEST(Config, AliasBombIsRefused) {
  std::string yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 9; ++level) {
    const std::string prev = "*a" + std::to_string(level - 1);
    yaml += "a" + std::to_string(level) + ": &a" + std::to_string(level) + " [" + prev;
    for (int i = 1; i < 9; ++i) yaml += ", " + prev;
    yaml += "]\n";
  }
  const auto problems = problems_of(yaml);
  ASSERT_EQ(problems.size(), 1u) << joined(problems);
  EXPECT_NE(problems[0].find("more than 2000000 nodes"), std::string::npos) << problems[0];
  EXPECT_EQ(problems[0].rfind("f.yaml:", 0), 0u) << problems[0];
}

TEST(Config, AliasInsideItsOwnAnchorIsRefused) {
  const auto problems = problems_of("feeds: &loop [*loop]\n");
  ASSERT_EQ(problems.size(), 1u) << joined(problems);
  EXPECT_EQ(problems[0], "f.yaml:1: YAML error: an alias is used inside the node its anchor names");
}

TEST(Config, ConninfoDatabaseUrl) {
  const Config c = load_string("database:\n  url: \"host=/run/postgresql dbname=fw password=x\"\n", "f.yaml");
  EXPECT_EQ(c.database_url, "host=/run/postgresql dbname=fw password=x");
  EXPECT_NE(summary(c).find("password=***"), std::string::npos) << summary(c);
}

// ------------------------------------------------------------ files

TEST(Config, ShippedConfigLoads) {
  const std::string path = std::string(FW_SOURCE_DIR) + "/config/feedwatch.yaml";
  Config c;
  try {
    c = load_file(path);
  } catch (const ConfigError& e) {
    FAIL() << e.what();
  }
  EXPECT_FALSE(c.database_url.has_value());
  EXPECT_EQ(c.state_dir, "/var/lib/feedwatch");
  ASSERT_EQ(c.feeds.size(), 1u);
  EXPECT_EQ(c.feeds[0].name, "cbbc-tech-companies");
  EXPECT_EQ(c.feeds[0].url, "https://focus.cbbc.org/tag/tech-companies/feed/");
  EXPECT_EQ(c.feeds[0].interval, 15min);
  EXPECT_TRUE(c.feeds[0].fetch_articles);
  EXPECT_TRUE(c.feeds[0].backfill.paged);
  EXPECT_EQ(c.feeds[0].backfill.max_pages, 50);
  ASSERT_EQ(c.sites.size(), 1u);
  EXPECT_EQ(c.sites[0].host, "focus.cbbc.org");
  EXPECT_EQ(c.sites[0].body, ".entry-content");
  EXPECT_EQ(c.recheck, (std::vector<Seconds>{1h, 6h, 24h, 72h, 168h, 720h}));
  EXPECT_TRUE(c.hooks.empty());
  ASSERT_EQ(c.rules.size(), 1u);
  EXPECT_EQ(c.rules[0].name, "china-tech");
  EXPECT_EQ(c.rules[0].events, (std::vector<std::string>{"new", "edited"}));
  EXPECT_EQ(c.rules[0].feeds, (std::vector<std::string>{"cbbc-tech-companies"}));
  EXPECT_TRUE(c.rules[0].hooks.empty());
  for (const char* word :
       {"Alibaba", "阿里巴巴", "Tencent", "腾讯", "DeepSeek", "深度求索", "字节跳动", "华为", "SMIC"}) {
    bool found = std::find(c.rules[0].any.begin(), c.rules[0].any.end(), word) != c.rules[0].any.end();
    for (const auto& [term, spellings] : c.rules[0].aliases) {
      found = found || std::find(spellings.begin(), spellings.end(), word) != spellings.end();
    }
    EXPECT_TRUE(found) << word;  // a term, or an alias of one
  }
  EXPECT_EQ(c.metrics_listen, "127.0.0.1:9464");
  EXPECT_EQ(summary(c),
            path + ": ok: 1 feed, 1 site rule, 1 rule, 0 hooks, database: embedded (/var/lib/feedwatch)");
}

TEST(Config, ExampleConfigsLoad) {
  const std::filesystem::path dir = std::filesystem::path(FW_SOURCE_DIR) / "config" / "examples";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no config/examples";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    try {
      (void)load_file(entry.path().string());
    } catch (const ConfigError& e) {
      ADD_FAILURE() << e.what();
    }
  }
}

TEST(Config, MissingFileNamesThePath) {
  const std::string path = "/nonexistent/dir/feedwatch.yaml";
  try {
    (void)load_file(path);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/dir/feedwatch.yaml: config file not found");
  }
}

TEST(Config, FileErrorsCarryThePath) {
  // A unique name: several people run the suite on one machine.
  const auto path = std::filesystem::temp_directory_path() /
                    ("fw_config_test_" + std::to_string(std::random_device{}()) + ".yaml");
  {
    std::ofstream out(path);
    out << "state_dir: /x\nlog_level: loud\n";
  }
  try {
    (void)load_file(path.string());
    ADD_FAILURE() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              path.string() + ":2: log_level: expected one of trace, debug, info, warn, error, got \"loud\"");
  }
  std::filesystem::remove(path);
}

// ------------------------------------------------------------ durations

struct DurationCase {
  const char* name;
  const char* text;
  std::optional<std::int64_t> seconds;
};

std::ostream& operator<<(std::ostream& os, const DurationCase& c) {
  return os << c.name;
}

const DurationCase k_durations[] = {
    {"seconds", "90s", 90},
    {"minutes", "15m", 900},
    {"hours", "6h", 21600},
    {"days", "3d", 259200},
    {"hours_minutes", "1h30m", 5400},
    {"all_units", "1d2h3m4s", 93784},
    {"zero", "0s", 0},
    {"leading_zero", "05m", 300},
    {"empty", "", std::nullopt},
    {"no_unit", "30", std::nullopt},
    {"unit_only", "s", std::nullopt},
    {"unknown_unit", "2w", std::nullopt},
    {"upper_case_unit", "15M", std::nullopt},
    {"space", "1h 30m", std::nullopt},
    {"negative", "-5m", std::nullopt},
    {"fraction", "1.5h", std::nullopt},
    {"wrong_order", "30m1h", std::nullopt},
    {"repeated_unit", "1h1h", std::nullopt},
    {"trailing_digits", "1h30", std::nullopt},
    {"too_large", "999999999d", std::nullopt},
    {"word", "forever", std::nullopt},
};

class DurationTable : public ::testing::TestWithParam<DurationCase> {};

TEST_P(DurationTable, Parses) {
  const DurationCase& c = GetParam();
  const auto got = parse_duration(c.text);
  if (c.seconds) {
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->count(), *c.seconds);
  } else {
    EXPECT_FALSE(got.has_value()) << got->count();
  }
}

INSTANTIATE_TEST_SUITE_P(Config, DurationTable, ::testing::ValuesIn(k_durations),
                         [](const ::testing::TestParamInfo<DurationCase>& param_info) {
                           return std::string(param_info.param.name);
                         });

// ------------------------------------------------------------ helpers

TEST(ConfigChecks, Suggest) {
  constexpr std::string_view k_keys[] = {"name", "url", "interval", "fetch_articles", "backfill"};
  EXPECT_EQ(checks::suggest("intervl", k_keys), "interval");
  EXPECT_EQ(checks::suggest("fetch_article", k_keys), "fetch_articles");
  EXPECT_EQ(checks::suggest("URL", k_keys), "url");
  EXPECT_EQ(checks::suggest("colour", k_keys), std::nullopt);
  EXPECT_EQ(checks::edit_distance("kitten", "sitting"), 3u);
}

TEST(ConfigChecks, Urls) {
  EXPECT_EQ(checks::check_http_url("https://example.org"), "");
  EXPECT_EQ(checks::check_http_url("HTTP://example.org:8080/x?y#z"), "");
  EXPECT_EQ(checks::check_http_url("http://[::1]:8080/"), "");
  EXPECT_EQ(checks::check_http_url("http://user:pw@example.org/"), "");
  EXPECT_NE(checks::check_http_url("http://example.org:0/"), "");
  EXPECT_NE(checks::check_http_url("http://exa mple.org/"), "");
  EXPECT_NE(checks::check_http_url("mailto:x@example.org"), "");
}

}  // namespace
}  // namespace fw::config
