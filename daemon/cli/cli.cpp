#include "daemon/cli/cli.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "daemon/backfill/backfill_command.hpp"
#include "daemon/cli/alerts_command.hpp"
#include "daemon/cli/diff_command.hpp"
#include "daemon/cli/extract_command.hpp"
#include "daemon/cli/history_command.hpp"
#include "daemon/cli/status_command.hpp"
#include "daemon/config/config.hpp"
#include "daemon/db/embedded.hpp"
#include "daemon/db/migrate.hpp"
#include "daemon/db/pg.hpp"
#include "daemon/log/log.hpp"
#include "daemon/sched/poller.hpp"
#include "parsers/feed/feed.hpp"

namespace fw::cli {

namespace {

struct GlobalOptions {
  std::string config_path = "config/feedwatch.yaml";
  std::string log_level;  // empty: from the config
};

// The database a command works on: the configured server, or the embedded
// cluster under state_dir, started for the command's lifetime.
struct Database {
  std::string conninfo;
  std::unique_ptr<db::EmbeddedCluster> embedded;
};

Database open_database(const config::Config& config) {
  Database d;
  if (config.database_url) {
    d.conninfo = *config.database_url;
    return d;
  }
  spdlog::info("database=embedded state_dir={}", config.state_dir);
  d.embedded = std::make_unique<db::EmbeddedCluster>(config.state_dir);
  d.embedded->start();
  d.conninfo = d.embedded->connection_string();
  return d;
}

config::Config load_config(const GlobalOptions& g) {
  config::Config c = config::load_file(g.config_path);
  const std::string& level = g.log_level.empty() ? c.log_level : g.log_level;
  if (!log::set_level(level)) spdlog::warn("unknown log level \"{}\", using info", level);
  return c;
}

Result<std::string> read_input(const std::string& path) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int cmd_check_config(const GlobalOptions& g) {
  try {
    config::Config c = config::load_file(g.config_path);
    std::cout << config::summary(c) << "\n";
    return 0;
  } catch (const config::ConfigError& e) {
    for (const auto& p : e.problems()) std::cerr << p << "\n";
    return 1;
  }
}

int cmd_migrate(const GlobalOptions& g) {
  config::Config c = load_config(g);
  Database d = open_database(c);
  auto conn = db::Connection::open(d.conninfo);
  if (!conn) {
    spdlog::error("{}", conn.error().message);
    return 1;
  }
  auto report = db::migrate(*conn);
  if (!report) {
    spdlog::error("migrate_failed error=\"{}\"", report.error().message);
    return 1;
  }
  for (const auto& name : report->applied) spdlog::info("migration_applied name={}", name);
  spdlog::info("schema_version={} applied={}", report->latest_version, report->applied.size());
  return 0;
}

int cmd_status(const GlobalOptions& g) {
  config::Config c = load_config(g);
  Database d = open_database(c);
  auto conn = db::Connection::open(d.conninfo);
  if (!conn) {
    spdlog::error("{}", conn.error().message);
    return 1;
  }
  if (auto m = db::migrate(*conn); !m) {
    spdlog::error("migrate_failed error=\"{}\"", m.error().message);
    return 1;
  }
  auto text = render_status(*conn);
  if (!text) {
    spdlog::error("status_failed error=\"{}\"", text.error().message);
    return 1;
  }
  std::cout << *text;
  return 0;
}

// Opens the configured database with the schema up to date.
Result<db::Connection> open_migrated(const config::Config& c, Database& d) {
  d = open_database(c);
  auto conn = db::Connection::open(d.conninfo);
  if (!conn) return conn.error();
  if (auto m = db::migrate(*conn); !m) return m.error();
  return conn;
}

int cmd_history(const GlobalOptions& g, const std::string& ref, const std::string& format) {
  config::Config c = load_config(g);
  Database d;
  auto conn = open_migrated(c, d);
  if (!conn) {
    spdlog::error("{}", conn.error().message);
    return 1;
  }
  auto text = render_history(*conn, ref, format, isatty(STDOUT_FILENO) != 0);
  if (!text) {
    std::cerr << "feedwatch history: " << text.error().message << "\n";
    return 1;
  }
  std::cout << *text;
  return 0;
}

int cmd_reextract(const GlobalOptions& g, const std::string& site, const std::string& since) {
  config::Config c = load_config(g);
  Database d;
  auto conn = open_migrated(c, d);
  if (!conn) {
    spdlog::error("{}", conn.error().message);
    return 1;
  }
  auto report = reextract(*conn, c, site.empty() ? std::nullopt : std::optional<std::string>(site),
                          since.empty() ? std::nullopt : std::optional<std::string>(since));
  if (!report) {
    std::cerr << "feedwatch reextract: " << report.error().message << "\n";
    return 1;
  }
  std::cout << "versions " << report->versions << ", texts changed " << report->texts_changed
            << ", changes updated " << report->changes_updated << ", changes dropped "
            << report->changes_dropped << "\n";
  return 0;
}

int cmd_alerts(const GlobalOptions& g, const CLI::App& alerts, const AlertsOptions& o) {
  config::Config c = load_config(g);
  Database d;
  auto conn = open_migrated(c, d);
  if (!conn) {
    spdlog::error("{}", conn.error().message);
    return 1;
  }
  auto text = run_alerts(alerts, o, *conn);
  if (!text) {
    std::cerr << "feedwatch " << text.error().message << "\n";
    return 1;
  }
  std::cout << *text;
  return 0;
}

int cmd_poll(const GlobalOptions& g, bool forever, const std::string& lease = {}) {
  config::Config c = load_config(g);
  sched::PollerOptions options;
  if (!lease.empty()) {
    options.lease = config::parse_duration(lease);
    if (!options.lease || *options.lease <= c.http.timeout) {
      spdlog::error("--lease: expected a duration longer than http.timeout ({}s), got \"{}\"",
                    c.http.timeout.count(), lease);
      return 2;
    }
  }
  Database d = open_database(c);
  options.conninfo = d.conninfo;
  options.config_path = g.config_path;
  options.log_level_from_command_line = !g.log_level.empty();
  sched::Poller poller(std::move(c), options);
  return forever ? poller.run() : poller.once();
}

int cmd_parse_feed(const std::string& path, const std::string& base_url, const std::string& content_type) {
  auto bytes = read_input(path);
  if (!bytes) {
    std::cerr << "feedwatch: " << bytes.error().message << "\n";
    return 1;
  }
  auto parsed = feed::parse(*bytes, feed::ParseOptions{base_url, content_type});
  if (!parsed) {
    std::cerr << "feedwatch: " << parsed.error().message << "\n";
    return 1;
  }
  std::cout << feed::to_json(*parsed) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  log::init("info");
  CLI::App app{"feedwatch: watches news feeds, keeps every version of every article, alerts on topics"};
  app.require_subcommand(1);
  GlobalOptions g;
  app.add_option("-c,--config", g.config_path, "configuration file")->capture_default_str();
  app.add_option("--log-level", g.log_level, "trace|debug|info|warn|error (default: from the config)");

  auto* run = app.add_subcommand("run", "run the daemon until SIGTERM/SIGINT");
  std::string lease;
  run->add_option("--lease", lease,
                  "how long a claimed poll stays this daemon's (default: http.timeout + 2m)");
  auto* once = app.add_subcommand("once", "poll every feed now, then exit");
  auto* migrate = app.add_subcommand("migrate", "apply the database migrations");
  auto* check = app.add_subcommand("check-config", "validate the configuration");
  auto* status = app.add_subcommand("status", "every feed's health and the alert queue, from the database");
  auto* backfill = app.add_subcommand("backfill", "walk a feed's archive pages back in time");
  std::string backfill_feed;
  int backfill_pages = 0;
  backfill->add_option("FEED_NAME", backfill_feed, "the feed's name in the config")->required();
  backfill->add_option("--pages", backfill_pages, "pages to walk at most (default: its backfill.max_pages)")
      ->check(CLI::Range(1, 100000));
  auto* parse = app.add_subcommand("parse-feed", "print a feed document as JSON");
  std::string input;
  std::string base_url;
  std::string content_type;
  parse->add_option("FILE", input, "feed file, or - for standard input")->required();
  parse->add_option("--base-url", base_url, "the document's URL, for relative links");
  parse->add_option("--content-type", content_type, "the HTTP Content-Type it was served with");
  auto* extract = app.add_subcommand("extract", "print the clean body of an article page");
  std::string extract_input;
  std::string extract_url;
  std::string extract_format = "text";
  std::vector<std::string> batch;
  extract->add_option("FILE", extract_input, "HTML file, or - for standard input");
  extract->add_option("--url", extract_url, "the page's URL, against which relative links resolve");
  extract->add_option("--format", extract_format, "text | json | html")
      ->check(CLI::IsMember({"text", "json", "html"}))
      ->capture_default_str();
  extract->add_option("--batch", batch, "IN_DIR OUT_DIR: every IN_DIR/<id>.html to OUT_DIR/<id>.txt")
      ->expected(2)
      ->excludes("FILE");

  auto* diff = app.add_subcommand("diff", "word-level diff of two texts");
  std::string diff_old;
  std::string diff_new;
  std::string diff_format = "text";
  diff->add_option("OLD", diff_old, "the old text (file, or - for standard input)")->required();
  diff->add_option("NEW", diff_new, "the new text (file)")->required();
  diff->add_option("--format", diff_format, "text | json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  auto* history = app.add_subcommand("history", "an article's versions and the changes between them");
  std::string history_ref;
  std::string history_format = "text";
  history->add_option("ARTICLE", history_ref, "article id, URL or key")->required();
  history->add_option("--format", history_format, "text | json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  auto* reextract_cmd =
      app.add_subcommand("reextract", "run extraction again over stored raw pages (after site rules change)");
  std::string reextract_site;
  std::string reextract_since;
  reextract_cmd->add_option("--site", reextract_site, "only pages of this host (subdomains included)");
  reextract_cmd->add_option("--since", reextract_since, "only versions fetched since this date (YYYY-MM-DD)");

  AlertsOptions alerts_options;
  auto* alerts = add_alerts_command(app, alerts_options);

  std::vector<CLI::App*> with_config{run,     once,          migrate,  check, status,
                                     history, reextract_cmd, backfill, alerts};
  for (auto* sub : alerts->get_subcommands({})) with_config.push_back(sub);
  for (auto* sub : with_config) {
    sub->add_option("-c,--config", g.config_path, "configuration file");
    sub->add_option("--log-level", g.log_level, "log level");
  }

  CLI11_PARSE(app, argc, argv);

  try {
    if (*check) return cmd_check_config(g);
    if (*parse) return cmd_parse_feed(input, base_url, content_type);
    if (*extract) {
      if (batch.empty() && extract_input.empty()) {
        std::cerr << "feedwatch extract: give FILE (or -) or --batch IN_DIR OUT_DIR\n";
        return 2;
      }
      return run_extract(extract_input, extract_url, extract_format, batch.empty() ? "" : batch[0],
                         batch.empty() ? "" : batch[1]);
    }
    if (*diff) return run_diff(diff_old, diff_new, diff_format);
    if (*migrate) return cmd_migrate(g);
    if (*status) return cmd_status(g);
    if (*history) return cmd_history(g, history_ref, history_format);
    if (*reextract_cmd) return cmd_reextract(g, reextract_site, reextract_since);
    if (*backfill) {
      config::Config c = load_config(g);
      Database d = open_database(c);
      return backfill::command(c, d.conninfo, backfill_feed, backfill_pages);
    }
    if (*alerts) return cmd_alerts(g, *alerts, alerts_options);
    if (*once) return cmd_poll(g, false);
    if (*run) return cmd_poll(g, true, lease);
  } catch (const config::ConfigError& e) {
    for (const auto& p : e.problems()) spdlog::error("config: {}", p);
    return 1;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  return 0;
}

}  // namespace fw::cli
