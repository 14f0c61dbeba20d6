// Numbered SQL migrations from sql/, compiled into the binary, applied in order,
// each in its own transaction, under an advisory lock so that several daemons
// starting at once apply each migration exactly once. Applied versions are
// recorded in schema_migrations; applying again is a no-op.
#pragma once

#include <string>
#include <vector>

#include "daemon/db/pg.hpp"

namespace fw::db {

struct Migration {
  int version;
  std::string name;  // file name, e.g. "001_initial.sql"
  std::string sql;
};

// The migrations built into this binary, by ascending version.
const std::vector<Migration>& builtin_migrations();

struct MigrateReport {
  std::vector<std::string> applied;  // names applied by this call
  int latest_version = 0;            // the database's version afterwards
};

Result<MigrateReport> migrate(Connection& conn);
Result<MigrateReport> migrate(Connection& conn, const std::vector<Migration>& migrations);

}  // namespace fw::db
