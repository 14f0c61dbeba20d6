#include "daemon/cli/status_command.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <vector>

namespace fw::cli {

std::string human_duration(std::int64_t seconds) {
  std::int64_t s = std::llabs(seconds);
  if (s < 120) return fmt::format("{}s", s);
  if (s < 2 * 3600) return fmt::format("{}m", s / 60);
  if (s < 2 * 86400) return fmt::format("{}h", s / 3600);
  return fmt::format("{}d", s / 86400);
}

namespace {

std::string ago(const std::optional<std::string>& seconds) {
  if (!seconds) return "never";
  return human_duration(std::stoll(*seconds)) + " ago";
}

std::string shorten(std::string text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t cut = max - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
  return text.substr(0, cut) + "...";
}

}  // namespace

Result<std::string> render_status(db::Connection& conn) {
  auto feeds = conn.exec(
      "SELECT f.name, "
      "       extract(epoch FROM now() - ps.last_success_at)::bigint, "
      "       extract(epoch FROM now() - f.last_new_article_at)::bigint, "
      "       extract(epoch FROM ps.next_poll_at - now())::bigint, "
      "       f.error_count, f.last_error, "
      "       (SELECT count(*) FROM article_feeds af WHERE af.feed_id = f.id), "
      "       (SELECT count(DISTINCT c.article_id) FROM article_feeds af "
      "         JOIN article_changes c ON c.article_id = af.article_id "
      "         WHERE af.feed_id = f.id AND NOT ('removed' = ANY (c.kinds))), "
      "       f.lease_until > now() AND f.next_poll_at <= now(), ps.last_status "
      "FROM feeds f JOIN feed_poll_state ps ON ps.id = f.id ORDER BY f.name");
  if (!feeds) return feeds.error();

  std::vector<std::vector<std::string>> rows;
  rows.push_back({"FEED", "STATE", "LAST OK", "LAST NEW", "NEXT POLL", "HTTP", "ERRORS", "ARTICLES", "EDITED",
                  "LAST ERROR"});
  int failing = 0;
  for (int i = 0; i < feeds->size(); ++i) {
    std::int64_t errors = feeds->get_int(i, 4);
    bool polling = feeds->get(i, 8) == "t";
    std::string state = polling ? "polling" : errors > 0 ? "error" : feeds->is_null(i, 1) ? "new" : "ok";
    failing += errors > 0 ? 1 : 0;
    std::int64_t next = feeds->get_int(i, 3);
    rows.push_back({std::string(feeds->get(i, 0)), state, ago(feeds->get_opt(i, 1)),
                    ago(feeds->get_opt(i, 2)), next <= 0 ? "due" : "in " + human_duration(next),
                    feeds->get_opt(i, 9).value_or("-"), std::to_string(errors), std::string(feeds->get(i, 6)),
                    std::string(feeds->get(i, 7)), shorten(feeds->get_opt(i, 5).value_or(""), 60)});
  }
  std::vector<std::size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  out += fmt::format("\n{} feeds, {} failing\n", feeds->size(), failing);

  // The alert queue, once the alerting schema exists.
  auto has_alerts = conn.exec("SELECT to_regclass('alert_deliveries') IS NOT NULL");
  if (has_alerts && has_alerts->get(0, 0) == "t") {
    auto queue = conn.exec("SELECT status, count(*) FROM alert_deliveries GROUP BY status ORDER BY status");
    if (queue) {
      std::string parts;
      for (int i = 0; i < queue->size(); ++i) {
        parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", queue->get(i, 1), queue->get(i, 0));
      }
      out += "alert queue: " + (parts.empty() ? std::string("empty") : parts) + "\n";
    }
  } else {
    out += "alert queue: alerting is not set up in this database yet\n";
  }
  return out;
}

}  // namespace fw::cli
