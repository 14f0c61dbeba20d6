// The outbox writer: the store's EventSink. For each article event it asks
// every rule, groups the matches by hook, and inserts one alert_deliveries row
// per (hook, event) on the store's connection, inside the transaction that
// wrote the version: commit both or neither. The delivery worker sends them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "daemon/config/config.hpp"
#include "daemon/store/events.hpp"
#include "parsers/rules/rules.hpp"

namespace fw::alerts {

class Alerter {
 public:
  // Compiles the config's rules (validated at load; throws std::runtime_error
  // on one that does not compile).
  explicit Alerter(const config::Config& config);

  // The EventSink: writes the deliveries this event causes. A database error
  // fails the store's transaction (retried with the next poll).
  Result<void> on_event(db::Connection& conn, const store::ArticleEvent& event);

  // Deliveries written by this process (not counting duplicates of a key).
  std::uint64_t queued() const { return m_queued; }

 private:
  struct Rule {
    rules::CompiledRule compiled;
    std::vector<std::string> hooks;
  };
  std::vector<Rule> m_rules;
  std::vector<std::string> m_hooks;  // configured hook names
  std::uint64_t m_queued = 0;
};

// The pure rule spec of a configured rule.
rules::RuleSpec to_spec(const config::Rule& rule);

}  // namespace fw::alerts
