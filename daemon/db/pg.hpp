// Small RAII types around libpq: a connection, a result, and exec helpers that
// only ever send parameterized SQL (PQexecParams); values are never spliced into
// query text. Failures that happen in normal operation (server restarted, a
// constraint violated) come back as fw::Result errors carrying the SQLSTATE.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "parsers/common/result.hpp"

namespace fw::db {

struct PGconnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct PGresultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};

// A query parameter: text, or SQL NULL.
using Param = std::optional<std::string>;

class Rows {
 public:
  Rows() = default;
  explicit Rows(PGresult* r) : m_result(r) {}
  int size() const { return m_result ? PQntuples(m_result.get()) : 0; }
  bool empty() const { return size() == 0; }
  bool is_null(int row, int col) const { return PQgetisnull(m_result.get(), row, col) != 0; }
  std::string_view get(int row, int col) const {
    return {PQgetvalue(m_result.get(), row, col),
            static_cast<std::size_t>(PQgetlength(m_result.get(), row, col))};
  }
  std::optional<std::string> get_opt(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return std::string(get(row, col));
  }
  std::int64_t get_int(int row, int col) const;
  int affected() const;

 private:
  std::unique_ptr<PGresult, PGresultDeleter> m_result;
};

struct DbError {
  std::string sqlstate;  // e.g. "23505"; empty when the connection itself failed
  std::string message;
};

class Connection {
 public:
  // Connects with a libpq connection string or URL; error message on failure.
  static Result<Connection> open(const std::string& conninfo);

  Connection() = default;
  bool ok() const { return m_conn && PQstatus(m_conn.get()) == CONNECTION_OK; }
  PGconn* raw() const { return m_conn.get(); }

  // Runs one parameterized statement. On failure the error message is
  // "SQLSTATE: message" and last_error() has the parts.
  Result<Rows> exec(std::string_view sql, const std::vector<Param>& params = {});
  // Runs `sql` as the prepared statement `name`: prepared on first use in the
  // session (and again after a reset, or if the server lost it), then only
  // executed, which saves the parse and plan of a statement run many times a
  // minute. One `name` must always be given the same `sql`.
  Result<Rows> exec_prepared(const std::string& name, std::string_view sql,
                             const std::vector<Param>& params = {});
  // Runs a script of several statements without parameters (migrations only).
  Result<void> exec_script(std::string_view sql);

  const DbError& last_error() const { return m_last_error; }

  // Re-establishes a broken connection (after a server restart).
  bool reset();

 private:
  explicit Connection(PGconn* c) : m_conn(c) {}
  Result<Rows> check(PGresult* r);

  std::unique_ptr<PGconn, PGconnDeleter> m_conn;
  DbError m_last_error;
  std::unordered_set<std::string> m_prepared;  // statement names prepared in this session
};

// BEGIN ... COMMIT with ROLLBACK on scope exit unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& conn);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  bool begun() const { return m_begun; }
  const Error& begin_error() const { return m_begin_error; }
  Result<void> commit();

 private:
  Connection& m_conn;
  bool m_begun = false;
  bool m_done = false;
  Error m_begin_error;
};

}  // namespace fw::db
