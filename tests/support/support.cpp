#include "tests/support/support.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>

namespace fw::test {

namespace {

db::Connection admin_connection() {
  auto c = db::Connection::open("dbname=postgres");
  if (!c) {
    throw std::runtime_error("the tests need a PostgreSQL server named by PGHOST/PGPORT/PGUSER "
                             "(run them with scripts/test): " +
                             c.error().message);
  }
  return std::move(*c);
}

std::string unique_suffix() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(rd() % 100000);
}

}  // namespace

TempDatabase::TempDatabase() : m_name("fwtest_" + unique_suffix()) {
  db::Connection admin = admin_connection();
  // Identifiers cannot be parameters; the name is ours and contains [a-z0-9_] only.
  auto r = admin.exec("CREATE DATABASE " + m_name);
  if (!r) throw std::runtime_error("cannot create test database: " + r.error().message);
}

TempDatabase::~TempDatabase() {
  try {
    db::Connection admin = admin_connection();
    (void)admin.exec("DROP DATABASE IF EXISTS " + m_name + " WITH (FORCE)");
  } catch (...) {
    // best effort: the throwaway server goes away anyway
  }
}

db::Connection TempDatabase::connect() const {
  auto c = db::Connection::open(conninfo());
  if (!c) throw std::runtime_error(c.error().message);
  return std::move(*c);
}

std::string TempDatabase::scalar(const std::string& sql, const std::vector<db::Param>& params) const {
  db::Connection c = connect();
  auto r = c.exec(sql, params);
  if (!r) {
    ADD_FAILURE() << "query failed: " << sql << ": " << r.error().message;
    return {};
  }
  if (r->empty() || r->is_null(0, 0)) return "NULL";
  return std::string(r->get(0, 0));
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "feedwatch-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  m_path = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(m_path, ec);
}

std::string TempDir::write(const std::string& name, const std::string& content) const {
  std::string path = m_path + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string fixture_path(const std::string& relative) {
  return std::string(FW_SOURCE_DIR) + "/tests/fixtures/" + relative;
}

std::string fixture(const std::string& relative) {
  return read_file(fixture_path(relative));
}

ProcessResult run_feedwatch(const std::vector<std::string>& args, const std::string& stdin_data) {
  TempDir io;
  std::string in_path = io.write("stdin", stdin_data);
  std::string out_path = io.path() + "/stdout";
  std::string err_path = io.path() + "/stderr";
  std::vector<std::string> argv_storage{FW_BINARY};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int in = open(in_path.c_str(), O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

}  // namespace fw::test
