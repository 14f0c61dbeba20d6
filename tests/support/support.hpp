// Test support: a temporary PostgreSQL database per test, temporary
// directories, running the feedwatch binary as a child process, fixtures.
#pragma once

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
  explicit Child(const std::vector<std::string>& args);
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

// Polls `condition` every 50 ms for up to `seconds`; true once it holds.
bool eventually(const std::function<bool()>& condition, double seconds);

// Runs the built feedwatch binary with `args`; waits for it.
ProcessResult run_feedwatch(const std::vector<std::string>& args, const std::string& stdin_data = {});

std::string read_file(const std::string& path);
std::string fixture(const std::string& relative);  // contents of tests/fixtures/<relative>
std::string fixture_path(const std::string& relative);

}  // namespace fw::test
