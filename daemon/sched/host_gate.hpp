// Per-host politeness shared by every request the daemon makes to a host:
// at most `max_concurrent` requests in flight, at least `min_delay` between the
// starts of two requests, and none before a server's Retry-After has passed.
//
// The gate is plain bookkeeping with the time passed in, so it is tested
// without clocks or sockets. The poller asks `wait_time` before starting a
// fetch, calls `start` when it does and `finish` when the fetch completes; a
// fetch that must wait is retried when the returned time has passed.
//
// Example: max_concurrent 2, min_delay 1 s. Fetches A and B to one host at t=0:
// A starts at 0; B waits 1 s (min_delay), starts at 1; C asked at 1.5 waits
// until A or B finishes and 1 s after B's start (t=2), whichever is later.
#pragma once

#include <chrono>
#include <string>
#include <unordered_map>

namespace fw::sched {

class HostGate {
 public:
  using Clock = std::chrono::steady_clock;

  HostGate(int max_concurrent, Clock::duration min_delay);
  void configure(int max_concurrent, Clock::duration min_delay);

  // Zero when a request to `host` may start at `now`; otherwise how long to
  // wait (when all slots are busy: min_delay, to be asked again).
  Clock::duration wait_time(const std::string& host, Clock::time_point now) const;
  void start(const std::string& host, Clock::time_point now);
  void finish(const std::string& host);
  // The server asked us to stay away until `until` (Retry-After on 429/503).
  void block_until(const std::string& host, Clock::time_point until);
  // How long `host` stays blocked by such a request from `now`; zero when it is not.
  Clock::duration blocked_for(const std::string& host, Clock::time_point now) const;

  int in_flight(const std::string& host) const;

 private:
  struct Host {
    int in_flight = 0;
    Clock::time_point last_start{};
    Clock::time_point blocked_until{};
    bool started_once = false;
  };
  int m_max_concurrent;
  Clock::duration m_min_delay;
  std::unordered_map<std::string, Host> m_hosts;
};

// The host part of an http(s) URL, lower-cased, without port or credentials.
std::string url_host(const std::string& url);

}  // namespace fw::sched
