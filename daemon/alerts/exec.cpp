#include "daemon/alerts/exec.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string_view>

extern char** environ;

namespace fw::alerts {

namespace asio = boost::asio;

namespace {

constexpr std::size_t k_output_tail = 4096;

// The daemon's variables a hook command gets: what a program needs to run
// (search path, home, user, locale, time zone, temporary directory), nothing
// else. The daemon's environment also holds PGPASSWORD and every hook's
// secret_env; a command sees none of them (it gets its event in FEEDWATCH_*
// variables and on stdin).
bool inherited(std::string_view entry) {
  std::string_view name = entry.substr(0, entry.find('='));
  static constexpr std::string_view k_names[] = {"PATH", "HOME",     "USER", "LOGNAME",
                                                 "LANG", "LANGUAGE", "TZ",   "TMPDIR"};
  for (std::string_view n : k_names) {
    if (name == n) return true;
  }
  return name.starts_with("LC_");
}

struct Run : std::enable_shared_from_this<Run> {
  Run(asio::io_context& io_, pid_t pid_, int pidfd, int in_fd, int out_fd)
      : io(io_), pid(pid_), process(io_, pidfd), in(io_, in_fd), out(io_, out_fd), timer(io_) {}

  void start(std::chrono::milliseconds timeout) {
    auto self = shared_from_this();
    asio::async_write(in, asio::buffer(input), [self](const boost::system::error_code&, std::size_t) {
      boost::system::error_code ignored;
      self->in.close(ignored);  // EOF for the command (or it stopped reading: EPIPE, fine)
    });
    read_output();
    process.async_wait(asio::posix::stream_descriptor::wait_read,
                       [self](const boost::system::error_code& ec) { self->exited(ec); });
    timer.expires_after(timeout);
    timer.async_wait([self](const boost::system::error_code& ec) {
      if (ec || self->finished) return;
      self->result.timed_out = true;
      ::kill(self->pid, SIGKILL);
    });
  }

  void read_output() {
    auto self = shared_from_this();
    out.async_read_some(asio::buffer(chunk), [self](const boost::system::error_code& ec, std::size_t n) {
      if (ec) return;
      self->result.output.append(self->chunk.data(), n);
      if (self->result.output.size() > k_output_tail) {
        self->result.output.erase(0, self->result.output.size() - k_output_tail);
      }
      self->read_output();
    });
  }

  void exited(const boost::system::error_code& ec) {
    if (ec) return;
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == 0) {  // not yet: wait again
      auto self = shared_from_this();
      process.async_wait(asio::posix::stream_descriptor::wait_read,
                         [self](const boost::system::error_code& e) { self->exited(e); });
      return;
    }
    finished = true;
    timer.cancel();
    if (WIFEXITED(status) && !result.timed_out) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status) && !result.timed_out)
      result.error = "killed by signal " + std::to_string(WTERMSIG(status));
    boost::system::error_code ignored;
    in.close(ignored);
    out.close(ignored);  // output still buffered in the pipe is dropped: the exit decides
    process.close(ignored);
    auto d = std::move(done);
    asio::post(io, [d = std::move(d), r = std::move(result)]() mutable { d(std::move(r)); });
  }

  asio::io_context& io;
  pid_t pid;
  asio::posix::stream_descriptor process;
  asio::posix::stream_descriptor in;
  asio::posix::stream_descriptor out;
  asio::steady_timer timer;
  std::string input;
  std::array<char, 4096> chunk{};
  ExecResult result;
  bool finished = false;
  std::function<void(ExecResult)> done;
};

void fail_now(asio::io_context& io, std::function<void(ExecResult)> done, std::string why) {
  ExecResult r;
  r.error = std::move(why);
  asio::post(io, [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
}

}  // namespace

void run_command(asio::io_context& io, const std::vector<std::string>& argv, std::string input,
                 const std::vector<std::string>& env, std::chrono::milliseconds timeout,
                 std::function<void(ExecResult)> done) {
  // A command that exits without reading all of its stdin must not kill the
  // daemon with SIGPIPE: the write fails with EPIPE instead.
  static const bool k_ignore_sigpipe = [] {
    ::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)k_ignore_sigpipe;
  if (argv.empty()) return fail_now(io, std::move(done), "no command");
  int in_pipe[2];
  int out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return fail_now(io, std::move(done), std::strerror(errno));
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    return fail_now(io, std::move(done), std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (inherited(*e)) env_strings.emplace_back(*e);
  }
  for (const auto& e : env) env_strings.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  if (rc != 0) {
    ::close(in_pipe[1]);
    ::close(out_pipe[0]);
    return fail_now(io, std::move(done), "cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    ::close(in_pipe[1]);
    ::close(out_pipe[0]);
    return fail_now(io, std::move(done), std::string("pidfd_open: ") + std::strerror(errno));
  }
  ::fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
  ::fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
  auto run = std::make_shared<Run>(io, pid, pidfd, in_pipe[1], out_pipe[0]);
  run->input = std::move(input);
  run->done = std::move(done);
  run->start(timeout);
}

}  // namespace fw::alerts
