// `feedwatch alerts list|retry|replay`: the alert outbox for an operator.
//   list    the newest deliveries (status, hook, event, attempts, key, error)
//   retry   send again now what has not been delivered (dead ones, or by id)
//   replay  send again what was already delivered (by id, or since a time);
//           the idempotency key stays the same, so a receiver that already
//           has the event may ignore it
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/db/pg.hpp"

namespace CLI {
class App;
}

namespace fw::cli {

struct AlertsOptions {
  std::string status;  // list: pending | delivered | dead
  std::string hook;
  int limit = 50;
  std::vector<std::int64_t> ids;
  bool dead = false;  // retry: every dead delivery
  std::string since;  // replay: a duration back from now ("2h", "3d")
};

// Adds the `alerts` subcommand with list, retry and replay under it; `opts` receives the options.
CLI::App* add_alerts_command(CLI::App& app, AlertsOptions& opts);

// Runs the chosen action of `alerts` (its parsed subcommand) on `conn`: what to print, or an error.
Result<std::string> run_alerts(const CLI::App& alerts, const AlertsOptions& opts, db::Connection& conn);

}  // namespace fw::cli
