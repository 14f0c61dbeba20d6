// Tests of the embedded default database (daemon/db/embedded.cpp) against the
// real installed PostgreSQL server: each test gets a fresh temporary state
// directory, starts real clusters in it, connects through libpq, and the
// fixture's TearDown stops every server and removes the directory even when an
// assertion failed. No mocks: what matters here is how initdb, pg_ctl, the
// postmaster, file ownership and the socket behave together, as root (CI) and
// as an ordinary user.
#include "daemon/db/embedded.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace fw::db {
namespace {

namespace fs = std::filesystem;

struct PgConnDeleter {
  void operator()(PGconn* conn) const noexcept { PQfinish(conn); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnDeleter>;

struct PgResultDeleter {
  void operator()(PGresult* result) const noexcept { PQclear(result); }
};
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

PgConnPtr connect(const std::string& conninfo) {
  return PgConnPtr(PQconnectdb(conninfo.c_str()));
}

bool can_connect(const std::string& conninfo) {
  return PQstatus(connect(conninfo).get()) == CONNECTION_OK;
}

// The single value `sql` returns; throws on any failure.
std::string query_value(const std::string& conninfo, const std::string& sql) {
  PgConnPtr conn = connect(conninfo);
  if (PQstatus(conn.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn.get()));
  PgResultPtr result(PQexec(conn.get(), sql.c_str()));
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK)
    throw std::runtime_error(PQresultErrorMessage(result.get()));
  if (PQntuples(result.get()) != 1 || PQnfields(result.get()) != 1)
    throw std::runtime_error("not one value: " + sql);
  return PQgetvalue(result.get(), 0, 0);
}

void execute(const std::string& conninfo, const std::string& sql) {
  PgConnPtr conn = connect(conninfo);
  if (PQstatus(conn.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn.get()));
  PgResultPtr result(PQexec(conn.get(), sql.c_str()));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK)
    throw std::runtime_error(PQresultErrorMessage(result.get()));
}

std::optional<pid_t> postmaster_pid(const fs::path& data_dir) {
  std::ifstream in(data_dir / "postmaster.pid");
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  return static_cast<pid_t>(pid);
}

bool wait_until(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

// Whether a process exists and is not a zombie.
bool process_alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
}

std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const auto paren = line.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream rest(line.substr(paren + 2));
    char state = 0;
    long ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) children.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return children;
}

class EmbeddedClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "fw-embedded-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr) << "mkdtemp " << pattern;
    m_tmp = pattern;
    // As root the server runs as another user, who must traverse this directory.
    if (geteuid() == 0) {
      ASSERT_EQ(chmod(m_tmp.c_str(), 0755), 0);
    }
    m_state_dir = (m_tmp / "state").string();
  }

  void TearDown() override {
    m_clusters.clear();  // each destructor stops what it started
    // Safety net for servers a failed test left behind: immediate shutdown.
    for (const auto& data : m_data_dirs) {
      if (auto pid = postmaster_pid(data); pid && process_alive(*pid)) {
        kill(*pid, SIGQUIT);
        wait_until([&] { return !process_alive(*pid); });
      }
    }
    std::error_code ec;
    fs::remove_all(m_tmp, ec);
  }

  EmbeddedCluster& make_cluster(const std::string& state_dir) {
    m_clusters.push_back(std::make_unique<EmbeddedCluster>(state_dir));
    m_data_dirs.push_back(m_clusters.back()->data_dir());
    return *m_clusters.back();
  }
  EmbeddedCluster& make_cluster() { return make_cluster(m_state_dir); }

  fs::path m_tmp;
  std::string m_state_dir;
  std::vector<std::unique_ptr<EmbeddedCluster>> m_clusters;
  std::vector<std::string> m_data_dirs;
};

TEST_F(EmbeddedClusterTest, StartCreatesAClusterReachableOnlyThroughItsSocket) {
  EmbeddedCluster& cluster = make_cluster();
  cluster.start();
  EXPECT_TRUE(cluster.started_by_us());
  EXPECT_EQ(cluster.data_dir(), m_state_dir + "/postgresql/data");
  EXPECT_TRUE(fs::exists(cluster.data_dir() + "/PG_VERSION"));

  const std::string conninfo = cluster.connection_string();
  EXPECT_EQ(query_value(conninfo, "SELECT current_database()"), "feedwatch");
  EXPECT_EQ(query_value(conninfo, "SELECT current_user"), "feedwatch");
  EXPECT_EQ(query_value(conninfo, "SHOW listen_addresses"), "");
  EXPECT_EQ(query_value(conninfo, "SHOW default_toast_compression"), "lz4");
  EXPECT_EQ(query_value(conninfo, "SHOW server_encoding"), "UTF8");
  EXPECT_EQ(query_value(conninfo, "SHOW unix_socket_permissions"), "0700");
  EXPECT_TRUE(fs::exists(m_state_dir + "/postgresql/run/.s.PGSQL.5432"));
  EXPECT_EQ(query_value(conninfo, "SELECT pg_current_logfile() LIKE '" + m_state_dir + "/postgresql/log/%'"),
            "t");

  if (geteuid() == 0) {
    // PostgreSQL refuses root: the server runs as another user, who owns the
    // cluster, while the state directory stays root's and traversable.
    auto pid = postmaster_pid(cluster.data_dir());
    ASSERT_TRUE(pid);
    struct stat proc {};
    ASSERT_EQ(stat(("/proc/" + std::to_string(*pid)).c_str(), &proc), 0);
    EXPECT_NE(proc.st_uid, 0u);
    struct stat data {};
    ASSERT_EQ(stat(cluster.data_dir().c_str(), &data), 0);
    EXPECT_EQ(data.st_uid, proc.st_uid);
    struct stat state {};
    ASSERT_EQ(stat(m_state_dir.c_str(), &state), 0);
    EXPECT_EQ(state.st_uid, 0u);
    EXPECT_EQ(state.st_mode & 07777, 0755u);
  }
}

TEST_F(EmbeddedClusterTest, StopMakesItUnreachableAndIsIdempotent) {
  EmbeddedCluster& cluster = make_cluster();
  cluster.start();
  ASSERT_TRUE(can_connect(cluster.connection_string()));
  cluster.stop();
  EXPECT_FALSE(cluster.started_by_us());
  EXPECT_FALSE(can_connect(cluster.connection_string()));
  EXPECT_FALSE(fs::exists(cluster.data_dir() + "/postmaster.pid"));
  EXPECT_NO_THROW(cluster.stop());
}

TEST_F(EmbeddedClusterTest, SecondStartReusesTheClusterWithoutInitdb) {
  {
    EmbeddedCluster first(m_state_dir);
    m_data_dirs.push_back(first.data_dir());
    first.start();
    execute(first.connection_string(), "CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)");
  }  // the destructor stops the server
  EmbeddedCluster& second = make_cluster();
  ASSERT_FALSE(can_connect(second.connection_string()));
  second.start();
  EXPECT_TRUE(second.started_by_us());
  EXPECT_EQ(query_value(second.connection_string(), "SELECT id FROM kept"), "42");

  // initdb ran once: it reports success once in the startup log.
  std::ifstream log(m_state_dir + "/postgresql/log/startup.log");
  std::string line;
  int initdb_successes = 0;
  while (std::getline(log, line))
    initdb_successes += line.find("Success. You can now start") != std::string::npos;
  EXPECT_EQ(initdb_successes, 1);
}

TEST_F(EmbeddedClusterTest, SecondObjectReusesARunningClusterAndLeavesItRunning) {
  EmbeddedCluster& first = make_cluster();
  first.start();
  ASSERT_TRUE(first.started_by_us());
  {
    EmbeddedCluster second(m_state_dir);
    second.start();
    EXPECT_FALSE(second.started_by_us());
    EXPECT_EQ(second.connection_string(), first.connection_string());
    EXPECT_EQ(query_value(second.connection_string(), "SELECT current_database()"), "feedwatch");
    second.stop();
    EXPECT_TRUE(can_connect(first.connection_string()));
  }
  EXPECT_TRUE(can_connect(first.connection_string()));
}

TEST_F(EmbeddedClusterTest, StartsAgainAfterTheServerCrashed) {
  EmbeddedCluster& first = make_cluster();
  first.start();
  execute(first.connection_string(), "CREATE TABLE survived (id int); INSERT INTO survived VALUES (7)");
  auto pid = postmaster_pid(first.data_dir());
  ASSERT_TRUE(pid);
  // Simulate a crash: SIGKILL the postmaster and its children, leaving a stale
  // postmaster.pid and socket lock file behind.
  std::vector<pid_t> victims = children_of(*pid);
  kill(*pid, SIGKILL);
  for (pid_t child : victims) kill(child, SIGKILL);
  ASSERT_TRUE(wait_until([&] { return !process_alive(*pid); }));
  for (pid_t child : victims) ASSERT_TRUE(wait_until([&] { return !process_alive(child); }));
  ASSERT_TRUE(fs::exists(first.data_dir() + "/postmaster.pid"));

  EmbeddedCluster& second = make_cluster();
  second.start();
  EXPECT_TRUE(second.started_by_us());
  EXPECT_EQ(query_value(second.connection_string(), "SELECT id FROM survived"), "7");
}

TEST_F(EmbeddedClusterTest, HandlesSpacesAndQuotesInTheStateDirectory) {
  const std::string state_dir = (m_tmp / "my state's dir").string();
  EmbeddedCluster& cluster = make_cluster(state_dir);
  EXPECT_EQ(cluster.connection_string(), "host='" + state_dir.substr(0, state_dir.find('\'')) +
                                             "\\'s dir/postgresql/run' port=5432 "
                                             "dbname=feedwatch user=feedwatch");
  cluster.start();
  EXPECT_EQ(query_value(cluster.connection_string(), "SELECT current_database()"), "feedwatch");
}

TEST_F(EmbeddedClusterTest, ConnectionStringNamesTheSocketDirectory) {
  EmbeddedCluster cluster("/var/lib/feedwatch");
  EXPECT_EQ(cluster.connection_string(),
            "host=/var/lib/feedwatch/postgresql/run port=5432 dbname=feedwatch user=feedwatch");
  EXPECT_EQ(cluster.data_dir(), "/var/lib/feedwatch/postgresql/data");
  EXPECT_FALSE(cluster.started_by_us());
}

TEST_F(EmbeddedClusterTest, UnusableStateDirectoryIsReportedWithItsPath) {
  // A regular file where a parent directory should be: fails as root too.
  const fs::path blocker = m_tmp / "not-a-directory";
  std::ofstream(blocker) << "x";
  const std::string state_dir = (blocker / "state").string();
  EmbeddedCluster& cluster = make_cluster(state_dir);
  try {
    cluster.start();
    FAIL() << "start() succeeded in " << state_dir;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(state_dir), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("state_dir"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(cluster.started_by_us());
}

TEST_F(EmbeddedClusterTest, InitdbFailureReportsTheStatusAndTheLogTail) {
  // A non-empty data directory without PG_VERSION: initdb refuses to touch it.
  fs::create_directories(m_state_dir + "/postgresql/data");
  std::ofstream(m_state_dir + "/postgresql/data/leftover") << "x";
  EmbeddedCluster& cluster = make_cluster();
  try {
    cluster.start();
    FAIL() << "start() succeeded over a non-empty data directory";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("initdb"), std::string::npos) << message;
    EXPECT_NE(message.find("exited with status"), std::string::npos) << message;
    EXPECT_NE(message.find("is not empty"), std::string::npos) << message;  // from initdb's own output
  }
  EXPECT_FALSE(cluster.started_by_us());
}

TEST_F(EmbeddedClusterTest, SocketInUseByAnotherServerIsReported) {
  EmbeddedCluster& first = make_cluster();
  first.start();
  // A second cluster whose socket directory is (through a symlink) the first's.
  const std::string other_state = (m_tmp / "other").string();
  fs::create_directories(other_state + "/postgresql");
  fs::create_directory_symlink(m_state_dir + "/postgresql/run", other_state + "/postgresql/run");
  EmbeddedCluster& second = make_cluster(other_state);
  try {
    second.start();
    FAIL() << "a second server started on the first one's socket";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("in use by another server"), std::string::npos) << message;
    EXPECT_NE(message.find(other_state + "/postgresql/run/.s.PGSQL.5432"), std::string::npos) << message;
  }
  EXPECT_FALSE(second.started_by_us());
  EXPECT_TRUE(can_connect(first.connection_string()));
}

TEST_F(EmbeddedClusterTest, TooLongSocketPathIsRejectedBeforeCreatingAnything) {
  const std::string state_dir = (m_tmp / std::string(100, 'd')).string();
  EmbeddedCluster& cluster = make_cluster(state_dir);
  try {
    cluster.start();
    FAIL() << "start() succeeded in " << state_dir;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("too long"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(state_dir));
}

TEST_F(EmbeddedClusterTest, RelativeStateDirectoryIsRejected) {
  EmbeddedCluster& cluster = make_cluster("relative/state");
  EXPECT_THROW(cluster.start(), std::runtime_error);
  EXPECT_FALSE(fs::exists("relative"));
}

// Sets or unsets FEEDWATCH_PG_BINDIR for one test, restoring it afterwards.
class PgBindirEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* value = std::getenv("FEEDWATCH_PG_BINDIR")) m_saved = value;
  }
  void TearDown() override {
    if (m_saved)
      setenv("FEEDWATCH_PG_BINDIR", m_saved->c_str(), 1);
    else
      unsetenv("FEEDWATCH_PG_BINDIR");
  }
  std::optional<std::string> m_saved;
};

TEST_F(PgBindirEnvTest, FindsTheNewestInstalledServer) {
  unsetenv("FEEDWATCH_PG_BINDIR");
  const std::string bindir = find_postgres_bindir();
  EXPECT_TRUE(fs::exists(bindir + "/initdb")) << bindir;
  EXPECT_TRUE(fs::exists(bindir + "/pg_ctl")) << bindir;
  EXPECT_EQ(bindir.rfind("/usr/lib/postgresql/", 0), 0u) << bindir;
}

TEST_F(PgBindirEnvTest, HonoursTheEnvironmentOverride) {
  unsetenv("FEEDWATCH_PG_BINDIR");
  const std::string installed = find_postgres_bindir();
  setenv("FEEDWATCH_PG_BINDIR", installed.c_str(), 1);
  EXPECT_EQ(find_postgres_bindir(), installed);
}

TEST_F(PgBindirEnvTest, OverrideWithoutTheToolsThrowsWithAnInstallHint) {
  setenv("FEEDWATCH_PG_BINDIR", "/nonexistent/feedwatch/bin", 1);
  try {
    find_postgres_bindir();
    FAIL() << "find_postgres_bindir() accepted a directory without initdb";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/feedwatch/bin"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("scripts/install-deps"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace fw::db
