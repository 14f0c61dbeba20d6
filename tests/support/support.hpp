// Test support: a temporary PostgreSQL database per test, temporary
// directories, running the feedwatch binary as a child process, fixtures.
#pragma once

#include <string>
#include <vector>

#include "daemon/db/pg.hpp"

namespace fw::test {

// A fresh database on the server that libpq's PG* environment variables name
// (the test command starts a throwaway server and sets them). Dropped on
// destruction. A missing server fails the test: it never silently skips.
class TempDatabase {
public:
  TempDatabase();
  ~TempDatabase();
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

// Runs the built feedwatch binary with `args`; waits for it.
ProcessResult run_feedwatch(const std::vector<std::string>& args, const std::string& stdin_data = {});

std::string read_file(const std::string& path);
std::string fixture(const std::string& relative);  // contents of tests/fixtures/<relative>
std::string fixture_path(const std::string& relative);

}  // namespace fw::test
