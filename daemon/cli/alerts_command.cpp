#include "daemon/cli/alerts_command.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "daemon/cli/status_command.hpp"
#include "daemon/config/config.hpp"
#include "daemon/store/store.hpp"

namespace fw::cli {

namespace {

std::string ids_array(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "}";
}

std::string shorten(std::string text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t cut = max - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

Result<std::string> list(const AlertsOptions& o, db::Connection& conn) {
  auto rows = conn.exec(
      "SELECT d.id, d.status, d.hook, d.event, d.attempts, d.idempotency_key, "
      "       extract(epoch FROM now() - d.created_at)::bigint, "
      "       CASE WHEN d.status = 'pending' THEN extract(epoch FROM d.next_attempt_at - now())::bigint END, "
      "       array_to_string(d.matched_terms, ', '), coalesce(d.payload->'article'->>'title', ''), "
      "       coalesce(d.last_error, '') "
      "FROM alert_deliveries d "
      "WHERE ($1::text IS NULL OR d.status = $1) AND ($2::text IS NULL OR d.hook = $2) "
      "ORDER BY d.id DESC LIMIT $3",
      {o.status.empty() ? db::Param() : o.status, o.hook.empty() ? db::Param() : o.hook,
       std::to_string(o.limit)});
  if (!rows) return rows.error();
  if (rows->empty()) return std::string("no alert deliveries\n");
  std::string out =
      fmt::format("{:>6}  {:<9}  {:<12}  {:<13}  {:>3}  {:<7}  {:<8}  {:<44}  {}\n", "ID", "STATUS", "HOOK",
                  "EVENT", "TRY", "AGE", "NEXT", "KEY", "TITLE / TERMS / ERROR");
  for (int i = 0; i < rows->size(); ++i) {
    std::string next =
        rows->is_null(i, 7) ? "-" : "in " + human_duration(std::max<std::int64_t>(0, rows->get_int(i, 7)));
    std::string detail = shorten(std::string(rows->get(i, 9)), 50);
    if (!rows->get(i, 8).empty()) detail += " [" + shorten(std::string(rows->get(i, 8)), 60) + "]";
    if (!rows->get(i, 10).empty()) detail += " error: " + shorten(std::string(rows->get(i, 10)), 80);
    out += fmt::format("{:>6}  {:<9}  {:<12}  {:<13}  {:>3}  {:<7}  {:<8}  {:<44}  {}\n", rows->get(i, 0),
                       rows->get(i, 1), shorten(std::string(rows->get(i, 2)), 12), rows->get(i, 3),
                       rows->get(i, 4), human_duration(rows->get_int(i, 6)), next, rows->get(i, 5), detail);
  }
  return out;
}

Result<std::string> requeue(const std::string& sql, const std::vector<db::Param>& params,
                            db::Connection& conn, const std::string& what) {
  auto r = conn.exec(sql, params);
  if (!r) return r.error();
  return fmt::format(
      "{} {} queued again; a running daemon sends them within seconds (`feedwatch once` now)\n",
      r->affected(), what);
}

}  // namespace

CLI::App* add_alerts_command(CLI::App& app, AlertsOptions& o) {
  auto* alerts = app.add_subcommand("alerts", "the alert outbox: list, retry or replay deliveries");
  alerts->require_subcommand(1);
  auto* list_cmd = alerts->add_subcommand("list", "the newest deliveries, newest first");
  list_cmd->add_option("--status", o.status, "pending | delivered | dead")
      ->check(CLI::IsMember({"pending", "delivered", "dead"}));
  list_cmd->add_option("--hook", o.hook, "only this hook");
  list_cmd->add_option("--limit", o.limit, "at most this many rows")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  auto* retry =
      alerts->add_subcommand("retry", "send again now deliveries not yet delivered (by ID, or --dead)");
  retry->add_option("ID", o.ids, "delivery ids (from `alerts list`)");
  retry->add_flag("--dead", o.dead, "every dead delivery");
  retry->add_option("--hook", o.hook, "only this hook");
  auto* replay = alerts->add_subcommand("replay", "send again deliveries already made (by ID, or --since)");
  replay->add_option("ID", o.ids, "delivery ids (from `alerts list`)");
  replay->add_option("--since", o.since, "every delivery created in this last period: 2h, 3d");
  replay->add_option("--hook", o.hook, "only this hook");
  return alerts;
}

Result<std::string> run_alerts(const CLI::App& alerts, const AlertsOptions& o, db::Connection& conn) {
  const db::Param hook = o.hook.empty() ? db::Param() : o.hook;
  if (alerts.got_subcommand("list")) return list(o, conn);
  if (alerts.got_subcommand("retry")) {
    if (o.ids.empty() && !o.dead)
      return fail("alerts retry: give delivery IDs, or --dead for every dead one");
    return requeue(
        "UPDATE alert_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), "
        "  lease_owner = NULL, lease_until = NULL "
        "WHERE status <> 'delivered' AND ($1::bigint[] = '{}' OR id = ANY($1::bigint[])) "
        "  AND ($2::bool IS NOT TRUE OR status = 'dead') AND ($3::text IS NULL OR hook = $3)",
        {ids_array(o.ids), o.dead ? "true" : "false", hook}, conn, "deliveries");
  }
  if (alerts.got_subcommand("replay")) {
    if (o.ids.empty() && o.since.empty())
      return fail("alerts replay: give delivery IDs, or --since DURATION");
    std::optional<std::int64_t> since_seconds;
    if (!o.since.empty()) {
      auto d = config::parse_duration(o.since);
      if (!d) return fail("alerts replay: --since expects a duration like 2h or 3d, got \"" + o.since + "\"");
      since_seconds = d->count();
    }
    return requeue(
        "UPDATE alert_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), "
        "  delivered_at = NULL, lease_owner = NULL, lease_until = NULL "
        "WHERE status <> 'pending' AND ($1::bigint[] = '{}' OR id = ANY($1::bigint[])) "
        "  AND ($2::bigint IS NULL OR created_at >= now() - make_interval(secs => $2::bigint)) "
        "  AND ($3::text IS NULL OR hook = $3)",
        {ids_array(o.ids), since_seconds ? db::Param(std::to_string(*since_seconds)) : std::nullopt, hook},
        conn, "deliveries");
  }
  return fail("alerts: give list, retry or replay");
}

}  // namespace fw::cli
