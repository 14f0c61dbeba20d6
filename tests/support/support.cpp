#include "tests/support/support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string_view>
#include <thread>

extern char** environ;

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

std::string without_polling_hints(std::string feed) {
  for (const char* tag : {"sy:updatePeriod", "sy:updateFrequency", "ttl", "pubDate"}) {
    std::string open = std::string("<") + tag + ">";
    std::string close = std::string("</") + tag + ">";
    std::size_t a = 0;
    while ((a = feed.find(open)) != std::string::npos) {
      std::size_t b = feed.find(close, a);
      if (b == std::string::npos) break;
      feed.erase(a, b + close.size() - a);
    }
  }
  return feed;
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
// Starts a child with posix_spawn. Everything (argv, environment, file
// actions) is prepared here, in the parent: the test process has server
// threads, and a forked child that allocated (setenv, std::string) could
// deadlock on an allocator lock another thread held at fork time, which
// AddressSanitizer's allocator does not reset in the child.
int spawn(std::vector<std::string> args, const std::string& in_path, const std::string& out_path,
          const std::string& err_path, const std::vector<std::string>& env = {}) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  // The daemon under test may contact loopback servers and nothing else.
  std::vector<std::string> overrides{"FEEDWATCH_LOOPBACK_ONLY=1"};
  overrides.insert(overrides.end(), env.begin(), env.end());
  auto name_of = [](std::string_view entry) { return entry.substr(0, entry.find('=')); };
  std::vector<std::string> entries;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    bool replaced = std::any_of(overrides.begin(), overrides.end(),
                                [&](const std::string& o) { return name_of(o) == name_of(entry); });
    if (!replaced) entries.emplace_back(entry);
  }
  entries.insert(entries.end(), overrides.begin(), overrides.end());
  std::vector<char*> envp;
  for (auto& e : entries) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(std::string("cannot start ") + argv[0] + ": " + std::strerror(rc));
  return pid;
}

int decode_status(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

Child::Child(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  std::string in = m_io.write("stdin", "");
  m_io.write("stdout", "");  // exist before the child opens them, so err() can always read
  m_io.write("stderr", "");
  m_pid = spawn(binary_argv(args), in, m_io.path() + "/stdout", m_io.path() + "/stderr", env);
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

std::uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

HttpGetResult http_get(std::uint16_t port, const std::string& target) {
  HttpGetResult result;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return result;
  }
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (write(fd, request.data(), request.size()) < 0) {
    close(fd);
    return result;
  }
  std::string response;
  char buf[4096];
  ssize_t n = 0;
  while ((n = read(fd, buf, sizeof buf)) > 0) response.append(buf, static_cast<std::size_t>(n));
  close(fd);
  if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return result;
  result.status = std::stoi(response.substr(9, 3));
  std::size_t body = response.find("\r\n\r\n");
  if (body != std::string::npos) result.body = response.substr(body + 4);
  return result;
}

NotifySocket::NotifySocket() : m_path(m_dir.path() + "/notify") {
  m_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", m_path.c_str());
  if (bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("cannot bind notify socket " + m_path);
  }
}

NotifySocket::~NotifySocket() {
  close(m_fd);
}

std::vector<std::string> NotifySocket::receive() {
  char buf[4096];
  ssize_t n = 0;
  while ((n = recv(m_fd, buf, sizeof buf, 0)) > 0) {
    std::string message(buf, static_cast<std::size_t>(n));
    // One datagram may carry several assignments separated by newlines.
    std::size_t start = 0;
    while (start < message.size()) {
      std::size_t end = message.find('\n', start);
      if (end == std::string::npos) end = message.size();
      if (end > start) m_received.push_back(message.substr(start, end - start));
      start = end + 1;
    }
  }
  return m_received;
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
