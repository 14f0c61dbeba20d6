#include "tests/support/support.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <thread>

namespace fw::test {

namespace {

db::Connection admin_connection() {
  auto c = db::Connection::open("dbname=postgres");
  if (!c) {
    throw std::runtime_error(
        "the tests need a PostgreSQL server named by PGHOST/PGPORT/PGUSER "
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

TempDatabase::TempDatabase(bool create_now) : m_name("fwtest_" + unique_suffix()) {
  if (create_now) create();
}

void TempDatabase::create() {
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

namespace {

std::vector<std::string> binary_argv(const std::vector<std::string>& args) {
  std::vector<std::string> argv{FW_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// fork + exec with stdin/stdout/stderr redirected to files.
int spawn(std::vector<std::string> args, const std::string& in_path, const std::string& out_path,
          const std::string& err_path) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
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
  return pid;
}

int decode_status(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

Child::Child(const std::vector<std::string>& args) {
  std::string in = m_io.write("stdin", "");
  m_io.write("stdout", "");  // exist before the child opens them, so err() can always read
  m_io.write("stderr", "");
  m_pid = spawn(binary_argv(args), in, m_io.path() + "/stdout", m_io.path() + "/stderr");
}

Child::~Child() {
  if (!m_exit) {
    kill(m_pid, SIGKILL);
    int status = 0;
    waitpid(m_pid, &status, 0);
  }
}

void Child::signal(int sig) const {
  if (!m_exit) kill(m_pid, sig);
}

std::optional<int> Child::wait_for(double seconds) {
  if (m_exit) return m_exit;
  eventually(
      [this] {
        int status = 0;
        if (waitpid(m_pid, &status, WNOHANG) == m_pid) m_exit = decode_status(status);
        return m_exit.has_value();
      },
      seconds);
  return m_exit;
}

std::string Child::err() const {
  return read_file(m_io.path() + "/stderr");
}

bool eventually(const std::function<bool()>& condition, double seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

ProcessResult run_feedwatch(const std::vector<std::string>& args, const std::string& stdin_data) {
  TempDir io;
  std::string in_path = io.write("stdin", stdin_data);
  std::string out_path = io.path() + "/stdout";
  std::string err_path = io.path() + "/stderr";
  int pid = spawn(binary_argv(args), in_path, out_path, err_path);
  int status = 0;
  waitpid(pid, &status, 0);
  ProcessResult r;
  r.exit_code = decode_status(status);
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

}  // namespace fw::test
