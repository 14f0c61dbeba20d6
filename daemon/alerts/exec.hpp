// Runs an exec hook's command without blocking the event loop: posix_spawn,
// the payload written to its stdin through a pipe, its output (last few KiB)
// read back, its exit seen through a pidfd, all as Asio waits. A command that
// outlives its timeout is killed (SIGKILL).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace fw::alerts {

struct ExecResult {
  int exit_code = -1;  // -1: did not run, was killed, or timed out
  bool timed_out = false;
  std::string output;  // the tail of stdout and stderr
  std::string error;   // why it did not run
};

// `env` adds "NAME=value" entries to the daemon's environment. `done` runs on
// the io_context, never inside this call.
void run_command(boost::asio::io_context& io, const std::vector<std::string>& argv, std::string input,
                 const std::vector<std::string>& env, std::chrono::milliseconds timeout,
                 std::function<void(ExecResult)> done);

}  // namespace fw::alerts
