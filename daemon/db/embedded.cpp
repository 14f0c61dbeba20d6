// The embedded default database: a private PostgreSQL cluster that feedwatch
// creates, starts and (if it started it) stops itself, so that a newcomer who
// configured no database.url needs no setup beyond installing the server
// package (DESIGN.md "Embedded default").
//
// Layout under the state directory (default /var/lib/feedwatch):
//
//   <state_dir>/                     root-owned when run as root, 0755
//     postgresql/                    owned by the server user
//       data/                        the cluster (initdb -D), 0700
//         feedwatch.conf             our settings, rewritten on every start
//       run/.s.PGSQL.5432            the only way in: a Unix socket, dir 0700
//       log/startup.log              initdb/pg_ctl output, early server output
//       log/postgresql-<Day>.log     the server's own log, a weekly ring
//       start.lock                   serialises concurrent start()s
//
// We drive the installed server's own tools (initdb, pg_ctl) rather than
// reimplementing them: they already handle the hard parts (a stale
// postmaster.pid after a crash is detected and removed by the postmaster
// itself; `pg_ctl -w` waits until the server accepts connections).
//
// Why the extra machinery:
//
// * PostgreSQL refuses to run as root. When feedwatch is root, initdb and
//   pg_ctl run as an unprivileged user: the owner of an existing cluster, else
//   `feedwatch` if that system user exists, else `postgres` (created by
//   Debian's server package), else `nobody`. The postgresql/ tree is chowned to
//   it. Root itself still connects through the 0700 socket directory because
//   root bypasses file permissions, and trust authentication lets it in as the
//   database user `feedwatch`. The socket directory's permissions are the
//   access control here: nothing listens on TCP (listen_addresses = '').
//
// * Children are started with fork + setgroups/setgid/setuid + execve, with an
//   argv vector (never a shell or a string-built command), a minimal
//   environment, a reset signal mask, and every inherited descriptor closed,
//   so the long-lived postmaster holds none of the daemon's sockets. Their
//   output goes to log/startup.log, whose tail we quote when they fail.
//
// * The settings live in data/feedwatch.conf, included at the end of
//   postgresql.conf, and are rewritten on each start, so a moved state
//   directory still gets the right socket and log paths. ALTER SYSTEM
//   (postgresql.auto.conf) still overrides them.
//
// * The cluster is created by whichever server version is newest, but an
//   existing cluster is started by the version that created it (PG_VERSION):
//   installing postgresql-16 later must not make feedwatch try to start a 15
//   cluster with 16's binaries.
//
// Example: `feedwatch run` as root with state_dir /var/lib/feedwatch and no
// database.url, on Debian with postgresql-15 installed and no feedwatch user:
// initdb runs as postgres into /var/lib/feedwatch/postgresql/data, pg_ctl
// starts it, database `feedwatch` is created, and the daemon connects with
// "host=/var/lib/feedwatch/postgresql/run port=5432 dbname=feedwatch user=feedwatch".
#include "daemon/db/embedded.hpp"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <clocale>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace fw::db {

namespace {

namespace fs = std::filesystem;

constexpr int k_port = 5432;
constexpr const char* k_database = "feedwatch";
constexpr const char* k_db_user = "feedwatch";
constexpr const char* k_pg_bindir_env = "FEEDWATCH_PG_BINDIR";
constexpr const char* k_debian_pg_root = "/usr/lib/postgresql";
constexpr const char* k_install_hint =
    "run scripts/install-deps (or apt-get install postgresql-15), or set database.url in the "
    "config to use an existing server";
constexpr std::size_t k_log_tail_lines = 15;
constexpr std::uintmax_t k_startup_log_max_bytes = std::uintmax_t{1} << 20;  // 1 MiB
// sizeof(sockaddr_un::sun_path) on Linux; PostgreSQL needs the path plus its NUL to fit.
constexpr std::size_t k_max_socket_path = 107;
constexpr const char* k_include_line = "include_if_exists = 'feedwatch.conf'\t# added by feedwatch";

// ---- libpq RAII ------------------------------------------------------------

struct PgConnDeleter {
  void operator()(PGconn* conn) const noexcept { PQfinish(conn); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnDeleter>;

struct PgResultDeleter {
  void operator()(PGresult* result) const noexcept { PQclear(result); }
};
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

// ---- small helpers -----------------------------------------------------------

std::string errno_text(int err) {
  return std::error_code(err, std::generic_category()).message();
}

bool is_root() {
  return geteuid() == 0;
}

bool is_executable_file(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && access(path.c_str(), X_OK) == 0;
}

bool has_server_tools(const fs::path& bindir) {
  return is_executable_file(bindir / "initdb") && is_executable_file(bindir / "pg_ctl");
}

// The last `count` lines of a text file from byte `from` on, for error
// messages ("" if unreadable).
std::string tail_lines(const fs::path& path, std::size_t count, std::streamoff from = 0) {
  std::ifstream in(path);
  in.seekg(from);
  std::deque<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(std::move(line));
    if (lines.size() > count) lines.pop_front();
  }
  std::string out;
  for (const auto& kept : lines) out += "\n  " + kept;
  return out;
}

// A value for postgresql.conf: single-quoted, with ' doubled and \ escaped
// (the GUC file parser processes backslash escapes inside quotes).
std::string conf_quote(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'')
      out += "''";
    else if (c == '\\')
      out += "\\\\";
    else
      out += c;
  }
  return out + "'";
}

// A value for a libpq keyword/value connection string: bare if it is safe,
// else single-quoted with ' and \ backslash-escaped.
std::string conninfo_quote(std::string_view value) {
  bool bare = !value.empty() && std::none_of(value.begin(), value.end(), [](char c) {
    return c == ' ' || c == '\'' || c == '\\' || c == '\t' || c == '\n' || c == '\r' || c == '=';
  });
  if (bare) return std::string(value);
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "ended with wait status " + std::to_string(status);
}

// The user the server runs as. `switch_user` is false when feedwatch is not
// root: the server then simply runs as the current user.
struct ServerUser {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
  std::vector<gid_t> groups;  // supplementary groups, looked up before fork()
};

std::optional<ServerUser> lookup_user(const char* name) {
  struct passwd* pw = getpwnam(name);
  if (pw == nullptr) return std::nullopt;
  ServerUser user;
  user.switch_user = true;
  user.uid = pw->pw_uid;
  user.gid = pw->pw_gid;
  user.name = pw->pw_name;
  int count = 32;
  user.groups.resize(static_cast<std::size_t>(count));
  if (getgrouplist(pw->pw_name, pw->pw_gid, user.groups.data(), &count) < 0) {
    user.groups.resize(static_cast<std::size_t>(count));
    if (getgrouplist(pw->pw_name, pw->pw_gid, user.groups.data(), &count) < 0) count = 0;
  }
  user.groups.resize(static_cast<std::size_t>(std::max(count, 0)));
  if (user.groups.empty()) user.groups.push_back(pw->pw_gid);
  return user;
}

ServerUser choose_server_user(const fs::path& data_dir) {
  if (!is_root()) {
    ServerUser self;
    self.uid = geteuid();
    self.gid = getegid();
    struct passwd* pw = getpwuid(self.uid);
    self.name = pw != nullptr ? pw->pw_name : std::to_string(self.uid);
    return self;
  }
  // An existing cluster keeps its owner (PostgreSQL insists on it).
  struct stat st {};
  if (stat(data_dir.c_str(), &st) == 0 && st.st_uid != 0) {
    if (struct passwd* pw = getpwuid(st.st_uid); pw != nullptr) {
      if (auto user = lookup_user(pw->pw_name)) return *user;
    }
    ServerUser anonymous;
    anonymous.switch_user = true;
    anonymous.uid = st.st_uid;
    anonymous.gid = st.st_gid;
    anonymous.name = std::to_string(st.st_uid);
    anonymous.groups = {st.st_gid};
    return anonymous;
  }
  for (const char* name : {"feedwatch", "postgres", "nobody"}) {
    if (auto user = lookup_user(name)) return *user;
  }
  throw std::runtime_error(
      "embedded database: feedwatch runs as root but PostgreSQL must not, and none of the users "
      "feedwatch, postgres, nobody exists to run it; create a system user `feedwatch` "
      "(adduser --system --group feedwatch)");
}

// A child process description, fully prepared before fork() so the child only
// makes async-signal-safe calls.
struct ChildSpec {
  std::vector<std::string> argv;
  const ServerUser* user = nullptr;
  std::string cwd;
  int output_fd = -1;  // stdout and stderr; -1: /dev/null
  // If not empty: do not exec, but exit with 0 if the user may search all
  // these directories, else with 1 + the index of the first it may not.
  std::vector<std::string> access_probes;
};

// Runs a child to completion and returns its wait status. Throws only if the
// child cannot be created.
int run_child(const ChildSpec& spec) {
  std::vector<char*> argv;
  for (const auto& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::string env_path = "PATH=/usr/local/bin:/usr/bin:/bin";
  std::string env_lang = "LANG=C.UTF-8";
  std::vector<char*> envp = {env_path.data(), env_lang.data(), nullptr};
  int dev_null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (dev_null < 0)
    throw std::runtime_error("embedded database: cannot open /dev/null: " + errno_text(errno));
  int out_fd = spec.output_fd >= 0 ? spec.output_fd : dev_null;

  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(dev_null);
    throw std::runtime_error("embedded database: fork failed: " + errno_text(err));
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2})
      sigaction(sig, &dfl, nullptr);
    if (dup2(dev_null, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
        dup2(out_fd, STDERR_FILENO) < 0)
      _exit(126);
    // The postmaster outlives us: it must not hold any of our descriptors.
    if (close_range(3, ~0U, 0) != 0) {
      for (int fd = 3; fd < 65536; ++fd) close(fd);
    }
    // Failures are explained in the log (write() is async-signal-safe), whose tail the parent quotes.
    auto die = [](int code, const char* what, const char* path) {
      const char* parts[] = {"feedwatch: ", what, path, "\n"};
      for (const char* part : parts) {
        if (write(STDERR_FILENO, part, std::char_traits<char>::length(part)) < 0) break;
      }
      _exit(code);
    };
    if (spec.user != nullptr && spec.user->switch_user) {
      if (setgroups(spec.user->groups.size(), spec.user->groups.data()) != 0 || setgid(spec.user->gid) != 0 ||
          setuid(spec.user->uid) != 0) {
        die(125, "cannot switch to the server user ", spec.user->name.c_str());
      }
    }
    if (!spec.access_probes.empty()) {
      for (std::size_t i = 0; i < spec.access_probes.size() && i < 100; ++i) {
        if (access(spec.access_probes[i].c_str(), X_OK) != 0) _exit(static_cast<int>(i) + 1);
      }
      _exit(0);
    }
    if (!spec.cwd.empty() && chdir(spec.cwd.c_str()) != 0) die(124, "cannot enter ", spec.cwd.c_str());
    execve(argv[0], argv.data(), envp.data());
    die(127, "cannot execute ", argv[0]);
  }
  close(dev_null);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error("embedded database: waitpid failed: " + errno_text(errno));
  }
  return status;
}

// Changes a path's owner to the server user (root only), without following symlinks.
void give_to(const fs::path& path, const ServerUser& user) {
  if (!user.switch_user) return;
  if (lchown(path.c_str(), user.uid, user.gid) != 0) {
    throw std::runtime_error("embedded database: cannot chown " + path.string() + " to " + user.name + ": " +
                             errno_text(errno));
  }
}

void give_tree_to(const fs::path& root, const ServerUser& user) {
  if (!user.switch_user) return;
  give_to(root, user);
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    give_to(it->path(), user);
  }
  if (ec) throw std::runtime_error("embedded database: cannot walk " + root.string() + ": " + ec.message());
}

bool owned_by(const fs::path& path, const ServerUser& user) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0 && st.st_uid == user.uid;
}

// Creates a directory (and its parents) if missing; a clear error otherwise.
void make_dir(const fs::path& dir, mode_t mode) {
  std::error_code ec;
  bool created = fs::create_directories(dir, ec);
  if (ec) {
    throw std::runtime_error(
        "embedded database: cannot create directory " + dir.string() + ": " + ec.message() +
        "; run feedwatch as root or set state_dir in the config to a writable directory");
  }
  if (created && chmod(dir.c_str(), mode) != 0) {
    throw std::runtime_error("embedded database: cannot chmod " + dir.string() + ": " + errno_text(errno));
  }
}

void write_file_atomically(const fs::path& path, const std::string& content, const ServerUser& user) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content;
    out.close();
    if (!out) throw std::runtime_error("embedded database: cannot write " + tmp.string());
  }
  give_to(tmp, user);
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw std::runtime_error("embedded database: cannot write " + path.string() + ": " + ec.message());
}

// Characters pg_ctl cannot pass through the `sh -c "exec postgres -D \"...\""`
// it builds internally, and that would break our config quoting.
void check_path_characters(const std::string& path) {
  for (char c : path) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\' || c == '$' || c == '`' || u < 0x20 || u == 0x7f) {
      throw std::runtime_error(
          "embedded database: state_dir " + path +
          " contains a character PostgreSQL's pg_ctl cannot handle (\" \\ $ ` or a control "
          "character); set state_dir in the config to a plainer path");
    }
  }
}

std::string read_pg_version(const fs::path& data_dir) {
  std::ifstream in(data_dir / "PG_VERSION");
  std::string version;
  std::getline(in, version);
  return version;
}

// The bindir to run an existing cluster of `version`: the environment override,
// else that version's Debian bindir; throws if that version is not installed.
std::string bindir_for_version(const std::string& version, const fs::path& data_dir) {
  if (const char* env = std::getenv(k_pg_bindir_env); env != nullptr && *env != '\0')
    return find_postgres_bindir();
  fs::path bindir = fs::path(k_debian_pg_root) / version / "bin";
  if (has_server_tools(bindir)) return bindir.string();
  throw std::runtime_error("embedded database: the cluster in " + data_dir.string() +
                           " was created by PostgreSQL " + version + ", whose server is not installed (no " +
                           bindir.string() + "); install postgresql-" + version +
                           ", or upgrade the cluster with pg_upgrade");
}

std::string settings_file(const fs::path& socket_dir, const fs::path& log_dir) {
  // unix_socket_directories is a comma-separated list; double quotes protect
  // commas and spaces in our path ("" would stand for a quote, but we reject those).
  std::ostringstream out;
  out << "# Written by feedwatch on every start of its embedded cluster; edits here are lost.\n"
         "# To override a setting, use ALTER SYSTEM (postgresql.auto.conf).\n"
      << "listen_addresses = ''\n"
      << "port = " << k_port << "\n"
      << "unix_socket_directories = " << conf_quote("\"" + socket_dir.string() + "\"") << "\n"
      << "unix_socket_permissions = 0700\n"
      << "shared_buffers = 128MB\n"
      << "max_connections = 50\n"
      << "default_toast_compression = lz4\n"
      // LLVM's JIT maps writable memory executable, which the systemd unit's
      // MemoryDenyWriteExecute=yes forbids; feedwatch's queries gain nothing from it.
      << "jit = off\n"
      << "logging_collector = on\n"
      << "log_directory = " << conf_quote(log_dir.string()) << "\n"
      << "log_filename = 'postgresql-%a.log'\n"
      << "log_truncate_on_rotation = on\n"
      << "log_rotation_age = 1d\n"
      << "log_rotation_size = 0\n";
  return out.str();
}

// An exclusive flock on a file, released on destruction.
class StartLock {
 public:
  explicit StartLock(const fs::path& path) : m_fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (m_fd < 0)
      throw std::runtime_error("embedded database: cannot open " + path.string() + ": " + errno_text(errno));
    while (flock(m_fd, LOCK_EX) != 0) {
      if (errno != EINTR) {
        int err = errno;
        close(m_fd);
        throw std::runtime_error("embedded database: cannot lock " + path.string() + ": " + errno_text(err));
      }
    }
  }
  ~StartLock() { close(m_fd); }
  StartLock(const StartLock&) = delete;
  StartLock& operator=(const StartLock&) = delete;

 private:
  int m_fd;
};

// An owned file descriptor for the children's output.
class LogFile {
 public:
  explicit LogFile(const fs::path& path)
      : m_path(path), m_fd(open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) {
    if (m_fd < 0)
      throw std::runtime_error("embedded database: cannot open " + path.string() + ": " + errno_text(errno));
  }
  ~LogFile() { close(m_fd); }
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;
  int fd() const { return m_fd; }
  const fs::path& path() const { return m_path; }
  // The current end of the file: where the next child's output will start.
  std::streamoff end() const {
    const off_t end = lseek(m_fd, 0, SEEK_END);
    return end < 0 ? 0 : static_cast<std::streamoff>(end);
  }

 private:
  fs::path m_path;
  int m_fd;
};

// The postmaster's PID from the first line of postmaster.pid, if there is one.
std::optional<pid_t> read_postmaster_pid(const fs::path& data_dir) {
  std::ifstream in(data_dir / "postmaster.pid");
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  return static_cast<pid_t>(pid);
}

// Whether a process has exited but not been waited for (state Z in /proc).
bool is_zombie(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  const auto paren = line.rfind(')');  // the command name may contain anything
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

// The server's current log file in `log_dir` (log_filename postgresql-%a.log),
// i.e. the most recently written one.
std::optional<fs::path> newest_server_log(const fs::path& log_dir) {
  std::optional<fs::path> newest;
  fs::file_time_type newest_time{};
  std::error_code ec;
  for (auto it = fs::directory_iterator(log_dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("postgresql-", 0) != 0 || !name.ends_with(".log")) continue;
    std::error_code time_ec;
    const auto time = fs::last_write_time(it->path(), time_ec);
    if (!time_ec && (!newest || time > newest_time)) {
      newest = it->path();
      newest_time = time;
    }
  }
  return newest;
}

struct Layout {
  fs::path pg_root;
  fs::path data;
  fs::path socket_dir;
  fs::path log_dir;
  fs::path startup_log;
};

Layout layout_of(const std::string& state_dir) {
  Layout layout;
  layout.pg_root = fs::path(state_dir) / "postgresql";
  layout.data = layout.pg_root / "data";
  layout.socket_dir = layout.pg_root / "run";
  layout.log_dir = layout.pg_root / "log";
  layout.startup_log = layout.log_dir / "startup.log";
  return layout;
}

// Connects (or pings, `ping` set) through the socket directory. On a failed
// connection, `*ping` tells whether the server is merely not ready yet.
PgConnPtr connect_socket(const std::string& socket_dir, const char* dbname, PGPing* ping) {
  const std::string port = std::to_string(k_port);
  const char* keywords[] = {"host", "port", "dbname", "user", "connect_timeout", "application_name", nullptr};
  const char* values[] = {socket_dir.c_str(),   port.c_str(), dbname, k_db_user, "10",
                          "feedwatch-embedded", nullptr};
  PgConnPtr conn(PQconnectdbParams(keywords, values, 0));
  if (PQstatus(conn.get()) != CONNECTION_OK) *ping = PQpingParams(keywords, values, 0);
  return conn;
}

}  // namespace

std::string find_postgres_bindir() {
  if (const char* env = std::getenv(k_pg_bindir_env); env != nullptr && *env != '\0') {
    if (has_server_tools(env)) return env;
    throw std::runtime_error(std::string("embedded database: ") + k_pg_bindir_env + "=" + env +
                             " does not contain PostgreSQL's initdb and pg_ctl; point it at the server's bin "
                             "directory, or unset it and " +
                             k_install_hint);
  }
  std::optional<std::pair<int, fs::path>> best;
  std::error_code ec;
  for (auto it = fs::directory_iterator(k_debian_pg_root, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    if (name.size() > 6) continue;
    int version = std::stoi(name);
    fs::path bindir = it->path() / "bin";
    if (has_server_tools(bindir) && (!best || version > best->first)) best = {version, bindir};
  }
  if (!best) {
    throw std::runtime_error(std::string("embedded database: the PostgreSQL server is not installed (no ") +
                             k_debian_pg_root + "/<version>/bin with initdb and pg_ctl); " + k_install_hint);
  }
  return best->second.string();
}

EmbeddedCluster::EmbeddedCluster(std::string state_dir)
    : m_state_dir(std::move(state_dir)),
      m_data_dir(layout_of(m_state_dir).data.string()),
      m_socket_dir(layout_of(m_state_dir).socket_dir.string()) {}

EmbeddedCluster::~EmbeddedCluster() {
  try {
    stop();
  } catch (...) {
    // A destructor must not throw; stop() is called explicitly where errors matter.
  }
}

void EmbeddedCluster::start() {
  if (m_started_by_us) return;
  const Layout layout = layout_of(m_state_dir);

  // Checks that need no side effects first.
  if (fs::path(m_state_dir).is_relative()) {
    throw std::runtime_error("embedded database: state_dir " + m_state_dir + " must be an absolute path");
  }
  check_path_characters(m_state_dir);
  const std::string socket_path = (layout.socket_dir / (".s.PGSQL." + std::to_string(k_port))).string();
  if (socket_path.size() > k_max_socket_path) {
    throw std::runtime_error("embedded database: the socket path " + socket_path +
                             " is too long for a Unix socket (" + std::to_string(socket_path.size()) +
                             " bytes, at most " + std::to_string(k_max_socket_path) +
                             "); set state_dir in the config to a shorter path");
  }

  make_dir(m_state_dir, 0755);
  make_dir(layout.pg_root, 0700);
  {
    // Probe writability up front, so the error names the directory rather than
    // surfacing later as an initdb failure.
    fs::path probe = layout.pg_root / ".write-test";
    int fd = open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
      throw std::runtime_error(
          "embedded database: directory " + layout.pg_root.string() +
          " is not writable: " + errno_text(errno) +
          "; run feedwatch as root or set state_dir in the config to a writable directory");
    }
    close(fd);
    unlink(probe.c_str());
  }
  StartLock lock(layout.pg_root / "start.lock");
  make_dir(layout.socket_dir, 0700);
  make_dir(layout.log_dir, 0700);

  const ServerUser user = choose_server_user(layout.data);
  if (user.switch_user) {
    if (!owned_by(layout.pg_root, user)) give_tree_to(layout.pg_root, user);
    // The state directory stays root's, but the server user must reach through
    // it and every directory above it. Ask the kernel, as that user, rather
    // than second-guess modes, groups and ACLs.
    ChildSpec probe;
    probe.user = &user;
    for (fs::path dir = layout.pg_root;; dir = dir.parent_path()) {
      probe.access_probes.insert(probe.access_probes.begin(), dir.string());
      if (dir == dir.parent_path()) break;
    }
    const int status = run_child(probe);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      const auto index = static_cast<std::size_t>(WIFEXITED(status) ? WEXITSTATUS(status) : 0);
      const std::string blocker =
          index >= 1 && index <= probe.access_probes.size() ? probe.access_probes[index - 1] : m_state_dir;
      throw std::runtime_error("embedded database: the PostgreSQL server runs as user " + user.name +
                               ", who cannot reach " + layout.pg_root.string() +
                               " because it may not enter " + blocker +
                               "; make that directory traversable (chmod o+x " + blocker +
                               ") or set state_dir in the config elsewhere, e.g. /var/lib/feedwatch");
    }
  }

  // Keep the startup log from growing without bound over many restarts.
  std::error_code ec;
  if (fs::file_size(layout.startup_log, ec) > k_startup_log_max_bytes && !ec) {
    fs::path old = layout.startup_log;
    old += ".old";
    fs::rename(layout.startup_log, old, ec);
  }
  LogFile log(layout.startup_log);
  give_to(layout.startup_log, user);

  const bool initialised = fs::exists(layout.data / "PG_VERSION", ec);
  const std::string bindir =
      initialised ? bindir_for_version(read_pg_version(layout.data), layout.data) : find_postgres_bindir();

  std::streamoff output_start = 0;  // where the last tool's output begins in the log
  auto run_tool = [&](std::vector<std::string> argv) {
    output_start = log.end();
    ChildSpec spec;
    spec.argv = std::move(argv);
    spec.user = &user;
    spec.cwd = layout.pg_root.string();
    spec.output_fd = log.fd();
    return run_child(spec);
  };
  auto fail = [&](const std::string& what, int status, const std::string& hint) -> std::runtime_error {
    return std::runtime_error("embedded database: " + what + " " + describe_wait_status(status) + hint +
                              "; its last output in " + log.path().string() + ":" +
                              tail_lines(log.path(), k_log_tail_lines, output_start));
  };

  if (!initialised) {
    // C.UTF-8 gives a stable code-point collation and UTF-8 classification;
    // fall back to the C locale where it is not available.
    bool have_c_utf8 = false;
    if (locale_t loc = newlocale(LC_ALL_MASK, "C.UTF-8", nullptr); loc != nullptr) {
      have_c_utf8 = true;
      freelocale(loc);
    }
    std::vector<std::string> argv = {bindir + "/initdb", "-D",           layout.data.string(), "-U",
                                     k_db_user,          "--auth=trust", "--encoding=UTF8"};
    argv.push_back(have_c_utf8 ? "--locale=C.UTF-8" : "--no-locale");
    const int status = run_tool(std::move(argv));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      throw fail("initdb for " + layout.data.string(), status,
                 " (if the directory is left over from an interrupted setup, remove it to start over)");
    }
  }

  // Our settings, included last from postgresql.conf.
  write_file_atomically(layout.data / "feedwatch.conf", settings_file(layout.socket_dir, layout.log_dir),
                        user);
  {
    const fs::path conf = layout.data / "postgresql.conf";
    std::ifstream in(conf);
    std::string line;
    bool included = false;
    while (std::getline(in, line)) included = included || line == k_include_line;
    if (!in.eof()) throw std::runtime_error("embedded database: cannot read " + conf.string());
    if (!included) {
      std::ofstream out(conf, std::ios::app);
      out << "\n" << k_include_line << "\n";
      out.close();
      if (!out) throw std::runtime_error("embedded database: cannot append to " + conf.string());
    }
  }
  give_to(layout.socket_dir, user);
  give_to(layout.log_dir, user);

  // pg_ctl status: 0 running, 3 not running, 4 no accessible data directory.
  auto server_running = [&] {
    const int rc = run_tool({bindir + "/pg_ctl", "-D", layout.data.string(), "status"});
    return WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
  };
  bool running = server_running();
  if (running) {
    // After a crash the postmaster removes a stale postmaster.pid itself, but
    // only once its PID is gone: a dead postmaster that init has not reaped yet
    // (a zombie) still counts as running for pg_ctl and for that check. Some
    // container inits reap lazily; give them time.
    const auto pid = read_postmaster_pid(layout.data);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (pid && is_zombie(*pid) && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (pid && is_zombie(*pid)) {
      throw std::runtime_error(
          "embedded database: the server recorded in " + (layout.data / "postmaster.pid").string() +
          " (PID " + std::to_string(*pid) +
          ") has died but was never reaped (a zombie process); run feedwatch under an init "
          "that reaps orphaned processes (systemd, or docker run --init)");
    }
    if (pid) running = server_running();
  }
  if (!running) {
    // Once the logging collector runs, the server's complaints (a socket in
    // use, a bad setting) go to its own log, not to startup.log: remember
    // where that log ends now, to quote what this start adds to it.
    const std::optional<fs::path> server_log_before = newest_server_log(layout.log_dir);
    std::error_code size_ec;
    const auto server_log_size = server_log_before ? fs::file_size(*server_log_before, size_ec) : 0;
    const int start_rc = run_tool({bindir + "/pg_ctl", "-D", layout.data.string(), "-l",
                                   layout.startup_log.string(), "-w", "-t", "60", "start"});
    if (!WIFEXITED(start_rc) || WEXITSTATUS(start_rc) != 0) {
      // The logging collector writes the server's FATAL line on its own time,
      // and pg_ctl may report the failure before it did (on a busy machine):
      // wait up to 3 s for the line.
      std::string server_tail;
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(3);
      for (;;) {
        if (const auto server_log = newest_server_log(layout.log_dir)) {
          const bool same = server_log == server_log_before && !size_ec;
          server_tail = tail_lines(*server_log, k_log_tail_lines,
                                   same ? static_cast<std::streamoff>(server_log_size) : 0);
          if (!server_tail.empty()) server_tail = "\nand in " + server_log->string() + ":" + server_tail;
        }
        if (server_tail.find("FATAL") != std::string::npos || std::chrono::steady_clock::now() >= give_up)
          break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      const std::string tail = tail_lines(log.path(), k_log_tail_lines, output_start) + server_tail;
      std::string hint;
      if (tail.find("Is another postmaster") != std::string::npos ||
          tail.find("already in use") != std::string::npos) {
        hint = " (the socket " + socket_path +
               " or the data directory is in use by another server; stop it first)";
      }
      throw std::runtime_error("embedded database: pg_ctl start for " + layout.data.string() + " " +
                               describe_wait_status(start_rc) + hint + "; its last output in " +
                               log.path().string() + ":" + tail);
    }
    m_started_by_us = true;
  }

  // Create the database. A server started by another process may still be
  // starting up: retry while it rejects connections.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  PgConnPtr conn;
  for (;;) {
    PGPing ping = PQPING_OK;
    conn = connect_socket(m_socket_dir, "postgres", &ping);
    if (PQstatus(conn.get()) == CONNECTION_OK) break;
    std::string error = PQerrorMessage(conn.get());
    if (ping != PQPING_REJECT || std::chrono::steady_clock::now() > deadline) {
      while (!error.empty() && error.back() == '\n') error.pop_back();
      throw std::runtime_error("embedded database: cannot connect to the cluster in " + layout.data.string() +
                               " through " + m_socket_dir + ": " + error + "; see the logs in " +
                               layout.log_dir.string());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const char* params[] = {k_database};
  PgResultPtr exists(PQexecParams(conn.get(), "SELECT 1 FROM pg_database WHERE datname = $1", 1, nullptr,
                                  params, nullptr, nullptr, 0));
  if (PQresultStatus(exists.get()) != PGRES_TUPLES_OK) {
    throw std::runtime_error(std::string("embedded database: cannot query pg_database: ") +
                             PQresultErrorMessage(exists.get()));
  }
  if (PQntuples(exists.get()) == 0) {
    PgResultPtr created(PQexec(conn.get(), "CREATE DATABASE feedwatch"));
    if (PQresultStatus(created.get()) != PGRES_COMMAND_OK) {
      const char* sqlstate = PQresultErrorField(created.get(), PG_DIAG_SQLSTATE);
      // 42P04 duplicate_database: another process created it meanwhile.
      if (sqlstate == nullptr || std::string_view(sqlstate) != "42P04") {
        throw std::runtime_error(std::string("embedded database: CREATE DATABASE feedwatch failed: ") +
                                 PQresultErrorMessage(created.get()));
      }
    }
  }
}

void EmbeddedCluster::stop() {
  if (!m_started_by_us) return;
  const Layout layout = layout_of(m_state_dir);
  const ServerUser user = choose_server_user(layout.data);
  const std::string bindir = bindir_for_version(read_pg_version(layout.data), layout.data);
  LogFile log(layout.startup_log);
  ChildSpec spec;
  spec.argv = {bindir + "/pg_ctl", "-D", layout.data.string(), "-m", "fast", "-w", "-t", "60", "stop"};
  spec.user = &user;
  spec.cwd = layout.pg_root.string();
  spec.output_fd = log.fd();
  const std::streamoff output_start = log.end();
  const int status = run_child(spec);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    // Exit status 1 with no PID file means it is already stopped.
    if (!fs::exists(layout.data / "postmaster.pid")) {
      m_started_by_us = false;
      return;
    }
    throw std::runtime_error("embedded database: pg_ctl stop for " + layout.data.string() + " " +
                             describe_wait_status(status) + "; its last output in " + log.path().string() +
                             ":" + tail_lines(log.path(), k_log_tail_lines, output_start));
  }
  m_started_by_us = false;
}

std::string EmbeddedCluster::connection_string() const {
  return "host=" + conninfo_quote(m_socket_dir) + " port=" + std::to_string(k_port) +
         " dbname=" + k_database + " user=" + k_db_user;
}

}  // namespace fw::db
