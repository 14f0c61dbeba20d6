#include "daemon/db/migrate.hpp"

namespace fw::db {

namespace {

// pg_advisory_lock key for migrations: the bytes of "fwmigrat" read as an integer.
constexpr const char* k_lock_key = "7383394051131777396";

Result<int> current_version(Connection& conn) {
  auto r = conn.exec("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!r) return r.error();
  return static_cast<int>(r->get_int(0, 0));
}

}  // namespace

Result<MigrateReport> migrate(Connection& conn) {
  return migrate(conn, builtin_migrations());
}

Result<MigrateReport> migrate(Connection& conn, const std::vector<Migration>& migrations) {
  // A session-level lock: held across the per-migration transactions below.
  if (auto r = conn.exec("SELECT pg_advisory_lock($1::bigint)", {k_lock_key}); !r) return r.error();
  struct Unlock {
    Connection& conn;
    ~Unlock() { (void)conn.exec("SELECT pg_advisory_unlock($1::bigint)", {k_lock_key}); }
  } unlock{conn};

  auto created = conn.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version integer PRIMARY KEY,"
      " name text NOT NULL,"
      " applied_at timestamptz NOT NULL DEFAULT now())");
  if (!created) return created.error();

  auto version = current_version(conn);
  if (!version) return version.error();

  MigrateReport report;
  for (const Migration& m : migrations) {
    if (m.version <= *version) continue;
    Transaction tx(conn);
    if (!tx.begun()) return tx.begin_error();
    if (auto r = conn.exec_script(m.sql); !r) {
      return fail("migration " + m.name + " failed: " + r.error().message);
    }
    if (auto r = conn.exec("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                           {std::to_string(m.version), m.name});
        !r) {
      return r.error();
    }
    if (auto r = tx.commit(); !r) return fail("migration " + m.name + " failed: " + r.error().message);
    report.applied.push_back(m.name);
  }
  auto after = current_version(conn);
  if (!after) return after.error();
  report.latest_version = *after;
  return report;
}

}  // namespace fw::db
