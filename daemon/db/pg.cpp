#include "daemon/db/pg.hpp"

#include <charconv>

namespace fw::db {

std::int64_t Rows::get_int(int row, int col) const {
  std::string_view s = get(row, col);
  std::int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

int Rows::affected() const {
  if (!m_result) return 0;
  const char* n = PQcmdTuples(m_result.get());
  return (n && *n) ? std::atoi(n) : 0;
}

Result<Connection> Connection::open(const std::string& conninfo) {
  PGconn* raw = PQconnectdb(conninfo.c_str());
  Connection conn(raw);
  if (raw == nullptr) return fail("cannot allocate a PostgreSQL connection");
  if (PQstatus(raw) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(raw);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return fail("cannot connect to PostgreSQL: " + msg);
  }
  // Quiet NOTICEs (e.g. "relation already exists, skipping") that libpq prints to stderr.
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  return conn;
}

Result<Rows> Connection::check(PGresult* r) {
  Rows rows(r);
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return rows;
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  m_last_error.sqlstate = state ? state : "";
  m_last_error.message = r ? PQresultErrorMessage(r) : PQerrorMessage(m_conn.get());
  while (!m_last_error.message.empty() &&
         (m_last_error.message.back() == '\n' || m_last_error.message.back() == ' ')) {
    m_last_error.message.pop_back();
  }
  if (m_last_error.message.empty()) m_last_error.message = "connection to the database lost";
  std::string prefix = m_last_error.sqlstate.empty() ? "" : m_last_error.sqlstate + ": ";
  return fail(prefix + m_last_error.message);
}

Result<Rows> Connection::exec(std::string_view sql, const std::vector<Param>& params) {
  if (!m_conn) return fail("no database connection");
  std::string query(sql);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p ? p->c_str() : nullptr);
  PGresult* r = PQexecParams(m_conn.get(), query.c_str(), static_cast<int>(params.size()), nullptr,
                             values.data(), nullptr, nullptr, 0);
  return check(r);
}

Result<Rows> Connection::exec_prepared(const std::string& name, std::string_view sql,
                                       const std::vector<Param>& params) {
  if (!m_conn) return fail("no database connection");
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p ? p->c_str() : nullptr);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!m_prepared.contains(name)) {
      std::string query(sql);
      auto prepared = check(
          PQprepare(m_conn.get(), name.c_str(), query.c_str(), static_cast<int>(params.size()), nullptr));
      if (!prepared) return prepared.error();
      m_prepared.insert(name);
    }
    PGresult* r = PQexecPrepared(m_conn.get(), name.c_str(), static_cast<int>(params.size()), values.data(),
                                 nullptr, nullptr, 0);
    auto rows = check(r);
    // 26000 (invalid_sql_statement_name): the session lost it (e.g. DISCARD ALL).
    if (rows || m_last_error.sqlstate != "26000") return rows;
    m_prepared.erase(name);
  }
  return fail("prepared statement " + name + " could not be run");
}

Result<void> Connection::exec_script(std::string_view sql) {
  if (!m_conn) return fail("no database connection");
  std::string query(sql);
  auto r = check(PQexec(m_conn.get(), query.c_str()));
  if (!r) return r.error();
  return {};
}

bool Connection::reset() {
  if (!m_conn) return false;
  PQreset(m_conn.get());
  m_prepared.clear();  // a new session
  return PQstatus(m_conn.get()) == CONNECTION_OK;
}

Transaction::Transaction(Connection& conn) : m_conn(conn) {
  auto r = m_conn.exec("BEGIN");
  m_begun = r.has_value();
  if (!m_begun) m_begin_error = r.error();
}

Transaction::~Transaction() {
  if (m_begun && !m_done) (void)m_conn.exec("ROLLBACK");
}

Result<void> Transaction::commit() {
  m_done = true;
  auto r = m_conn.exec("COMMIT");
  if (!r) return r.error();
  return {};
}

}  // namespace fw::db
