// The embedded default database (DESIGN.md "Embedded default"): with no
// database.url in the config, feedwatch runs a private PostgreSQL cluster under
// its state directory, created with the installed server's own initdb/pg_ctl on
// first use and reused afterwards. It listens on a Unix socket only (no TCP).
// When feedwatch runs as root, the cluster runs as an unprivileged user
// (PostgreSQL refuses to run as root).
#pragma once

#include <string>

namespace fw::db {

class EmbeddedCluster {
 public:
  // `state_dir` holds the cluster in `<state_dir>/postgresql/`.
  explicit EmbeddedCluster(std::string state_dir);
  ~EmbeddedCluster();  // stops the cluster if this object started it
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

  // Creates the cluster if missing (initdb), starts it if not running (pg_ctl),
  // creates the `feedwatch` database if missing. Throws std::runtime_error with a
  // message saying what failed and what to do (e.g. the server is not installed).
  void start();
  // Stops the cluster (fast shutdown) if this object started it. Idempotent.
  void stop();

  // A libpq connection string for the running cluster ("host=<socket dir> dbname=feedwatch ...").
  std::string connection_string() const;
  const std::string& data_dir() const { return m_data_dir; }
  bool started_by_us() const { return m_started_by_us; }

 private:
  std::string m_state_dir;
  std::string m_data_dir;
  std::string m_socket_dir;
  bool m_started_by_us = false;
};

// The directory holding initdb/pg_ctl of the newest installed PostgreSQL server
// (Debian: /usr/lib/postgresql/<N>/bin), or throws with an install hint.
std::string find_postgres_bindir();

}  // namespace fw::db
