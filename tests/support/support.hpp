// Test support: a temporary PostgreSQL database per test, temporary
// directories, running the feedwatch binary as a child process, fixtures.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "daemon/db/pg.hpp"

namespace fw::test {

// A fresh database on the server that libpq's PG* environment variables name
// (the test command starts a throwaway server and sets them). Dropped on
// destruction. A missing server fails the test: it never silently skips.
class TempDatabase {
 public:
  // `create_now` false: only the name is reserved; create() makes it later.
  explicit TempDatabase(bool create_now = true);
  ~TempDatabase();
  void create();
  TempDatabase(const TempDatabase&) = delete;
  TempDatabase& operator=(const TempDatabase&) = delete;

  const std::string& name() const { return m_name; }
  std::string conninfo() const { return "dbname=" + m_name; }
  db::Connection connect() const;
  // Runs a query that returns one value; fails the test on error.
  std::string scalar(const std::string& sql, const std::vector<db::Param>& params = {}) const;

 private:
  std::string m_name;
};

// A temporary directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return m_path; }
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string m_path;
};

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// The built feedwatch binary running in the background; killed (SIGKILL) on
// destruction if still running.
class Child {
 public:
  // `env`: extra "NAME=value" entries for the child's environment.
  explicit Child(const std::vector<std::string>& args, const std::vector<std::string>& env = {});
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  void signal(int sig) const;
  // Waits up to `seconds` for the process to exit; its exit code, or nullopt on time-out.
  std::optional<int> wait_for(double seconds);
  std::string err() const;  // what it wrote to stderr so far

 private:
  TempDir m_io;
  int m_pid = -1;
  std::optional<int> m_exit;
};

// A free TCP port on 127.0.0.1 (bound and released; good enough for tests).
std::uint16_t free_port();

struct HttpGetResult {
  int status = 0;  // 0: no answer
  std::string body;
};
// A plain HTTP/1.1 GET to 127.0.0.1:port, with a time-out.
HttpGetResult http_get(std::uint16_t port, const std::string& target);

// A Unix datagram socket standing in for systemd's $NOTIFY_SOCKET: records
// every sd_notify message the daemon sends.
class NotifySocket {
 public:
  NotifySocket();
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;
  const std::string& path() const { return m_path; }
  // Messages received so far (each "READY=1", "WATCHDOG=1", ... as sent).
  std::vector<std::string> receive();

 private:
  TempDir m_dir;
  std::string m_path;
  int m_fd = -1;
  std::vector<std::string> m_received;
};

// Polls `condition` every 50 ms for up to `seconds`; true once it holds.
bool eventually(const std::function<bool()>& condition, double seconds);

// Runs the built feedwatch binary with `args`; waits for it.
ProcessResult run_feedwatch(const std::vector<std::string>& args, const std::string& stdin_data = {});

std::string read_file(const std::string& path);
std::string fixture(const std::string& relative);  // contents of tests/fixtures/<relative>
std::string fixture_path(const std::string& relative);
// A feed with its polling hints (<ttl>, sy:updatePeriod/Frequency, and the
// <pubDate>s its posting rate is measured from) removed, for tests that need the
// configured interval to rule.
std::string without_polling_hints(std::string feed);

}  // namespace fw::test
