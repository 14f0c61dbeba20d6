#include "daemon/sched/host_gate.hpp"

#include <algorithm>
#include <cctype>

namespace fw::sched {

HostGate::HostGate(int max_concurrent, Clock::duration min_delay)
    : m_max_concurrent(std::max(1, max_concurrent)), m_min_delay(min_delay) {}

void HostGate::configure(int max_concurrent, Clock::duration min_delay) {
  m_max_concurrent = std::max(1, max_concurrent);
  m_min_delay = min_delay;
}

HostGate::Clock::duration HostGate::wait_time(const std::string& host, Clock::time_point now) const {
  auto it = m_hosts.find(host);
  if (it == m_hosts.end()) return Clock::duration::zero();
  const Host& h = it->second;
  Clock::time_point ready = now;
  if (h.blocked_until > ready) ready = h.blocked_until;
  if (h.started_once && h.last_start + m_min_delay > ready) ready = h.last_start + m_min_delay;
  if (ready > now) return ready - now;
  if (h.in_flight >= m_max_concurrent) {
    // Busy: ask again a little later (a finishing fetch does not wake us).
    return std::max<Clock::duration>(m_min_delay, std::chrono::milliseconds(100));
  }
  return Clock::duration::zero();
}

void HostGate::start(const std::string& host, Clock::time_point now) {
  Host& h = m_hosts[host];
  ++h.in_flight;
  h.last_start = now;
  h.started_once = true;
}

void HostGate::finish(const std::string& host) {
  auto it = m_hosts.find(host);
  if (it == m_hosts.end()) return;
  Host& h = it->second;
  if (h.in_flight > 0) --h.in_flight;
}

void HostGate::block_until(const std::string& host, Clock::time_point until) {
  Host& h = m_hosts[host];
  h.blocked_until = std::max(h.blocked_until, until);
}

HostGate::Clock::duration HostGate::blocked_for(const std::string& host, Clock::time_point now) const {
  auto it = m_hosts.find(host);
  if (it == m_hosts.end() || it->second.blocked_until <= now) return Clock::duration::zero();
  return it->second.blocked_until - now;
}

int HostGate::in_flight(const std::string& host) const {
  auto it = m_hosts.find(host);
  return it == m_hosts.end() ? 0 : it->second.in_flight;
}

std::string url_host(const std::string& url) {
  std::size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  std::size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  std::size_t at = authority.rfind('@');
  if (at != std::string::npos) authority = authority.substr(at + 1);
  std::string host;
  if (!authority.empty() && authority[0] == '[') {
    std::size_t close = authority.find(']');
    host = authority.substr(0, close == std::string::npos ? std::string::npos : close + 1);
  } else {
    host = authority.substr(0, authority.find(':'));
  }
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return host;
}

}  // namespace fw::sched
