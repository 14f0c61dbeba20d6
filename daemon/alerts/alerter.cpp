#include "daemon/alerts/alerter.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <stdexcept>

#include "daemon/alerts/payload.hpp"
#include "daemon/db/pg.hpp"
#include "daemon/store/store.hpp"

namespace fw::alerts {

namespace {

std::string now_iso8601() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void add_unique(std::vector<std::string>& to, const std::vector<std::string>& items) {
  for (const auto& i : items) {
    if (std::find(to.begin(), to.end(), i) == to.end()) to.push_back(i);
  }
}

}  // namespace

rules::RuleSpec to_spec(const config::Rule& rule) {
  rules::RuleSpec s;
  s.name = rule.name;
  s.events = rule.events;
  s.feeds = rule.feeds;
  s.categories = rule.categories;
  s.any = rule.any;
  s.all = rule.all;
  s.none = rule.none;
  s.regex = rule.regex;
  for (const auto& [term, spellings] : rule.aliases) s.aliases[term] = spellings;
  s.on_terms_change = rule.on_terms_change;
  return s;
}

Alerter::Alerter(const config::Config& config) {
  for (const auto& h : config.hooks) m_hooks.push_back(h.name);
  for (const auto& r : config.rules) {
    auto compiled = rules::CompiledRule::compile(to_spec(r));
    if (!compiled) throw std::runtime_error("rule " + r.name + ": " + compiled.error().message);
    m_rules.push_back(Rule{std::move(*compiled), r.hooks});
  }
}

Result<void> Alerter::on_event(db::Connection& conn, const store::ArticleEvent& event) {
  rules::Event e;
  e.kind = event.kind;
  e.feeds = &event.feeds;
  e.categories = &event.categories;
  e.now = rules::Text{event.title, event.body_text, &event.categories};
  if (event.old_title || event.old_body_text) {
    e.before = rules::Text{
        event.old_title ? std::string_view(*event.old_title) : std::string_view(event.title),
        event.old_body_text ? std::string_view(*event.old_body_text) : std::string_view(event.body_text),
        &event.categories};
  }
  std::map<std::string, Reasons> by_hook;  // one delivery per hook, whatever number of rules matched
  for (const Rule& rule : m_rules) {
    if (rule.hooks.empty()) continue;
    auto m = rule.compiled.match(e);
    if (!m) continue;
    for (const auto& hook : rule.hooks) {
      if (std::find(m_hooks.begin(), m_hooks.end(), hook) == m_hooks.end()) continue;
      Reasons& r = by_hook[hook];
      r.rules.push_back(rule.compiled.spec().name);
      add_unique(r.matched_terms, m->matched_terms);
      add_unique(r.terms_added, m->terms_added);
      add_unique(r.terms_removed, m->terms_removed);
    }
  }
  if (by_hook.empty()) return {};
  const std::string ekey = event_key(event);
  const std::string detected = now_iso8601();
  for (const auto& [hook, reasons] : by_hook) {
    const std::string key = idempotency_key(hook, ekey);
    const std::string payload = event_payload(event, reasons, hook, key, detected);
    // A key already written (the same event seen again) is not written twice.
    auto r = conn.exec(
        "INSERT INTO alert_deliveries (hook, idempotency_key, event_key, event, rules, matched_terms, "
        "  article_id, version_id, payload) "
        "VALUES ($1, $2, $3, $4, $5::text[], $6::text[], $7, $8, $9::jsonb) "
        "ON CONFLICT (idempotency_key) DO NOTHING",
        {hook, key, ekey, event.kind, store::to_pg_text_array(reasons.rules),
         store::to_pg_text_array(reasons.matched_terms), std::to_string(event.article_id),
         event.version_id ? db::Param(std::to_string(*event.version_id)) : std::nullopt, payload});
    if (!r) return r.error();
    if (r->affected() > 0) {
      ++m_queued;
      spdlog::info("alert_queued hook={} event={} article={} rules={} key={}", hook, event.kind,
                   event.article_id, reasons.rules.front(), key);
    }
  }
  return {};
}

}  // namespace fw::alerts
