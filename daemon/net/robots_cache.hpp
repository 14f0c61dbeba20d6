// robots.txt per origin, fetched once and cached, for requests that obey it
// (net::Request::obey_robots: article pages; feed polls do not, as feed
// readers do not).
//
// One entry per origin (scheme, host, port: RFC 9309 §2.3 scopes a robots.txt
// to its origin). The first request for an origin fetches
// `scheme://host:port/robots.txt` through the same fetcher (same limits, same
// SSRF guard, redirects followed); requests arriving meanwhile wait for that
// one fetch instead of starting their own. The outcome is kept for a while:
//
//   robots.txt answer               verdict                       kept for
//   2xx                             its rules for our product     ttl (24 h)
//   4xx but 429, redirect limit     allow all (RFC 9309 §2.3.1.3) ttl
//   429, 5xx, network error,        disallow all (§2.3.1.4)       error_ttl (10 min)
//   timeout, refused, too large
//
// After error_ttl the next request fetches it again. An origin whose robots.txt
// was answered before keeps that last good copy (its rules, or "allow all" for
// a 4xx) while its robots.txt is unreachable (§2.4: a cached copy may be used
// past its day when the file cannot be fetched), fetched again every
// error_ttl, for at most `stale_limit` (30 days, §2.3.1.4) after the last good
// answer; then "disallow all" until it answers again. A restarting site's
// 503 does not stop its article fetches, and its rules still apply. At most `max_hosts`
// origins are kept; past that the entries that expire first are dropped.
// Hosts in `ignored_hosts` (sites[].robots: false; subdomains included) are
// never checked.
//
// The robots.txt fetch itself does not pass through the poller's per-host gate:
// it is one request per origin per day at most.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/net/fetcher.hpp"
#include "parsers/robots/robots.hpp"

namespace fw::net {

struct RobotsVerdict {
  bool allowed = true;
  std::string reason;  // why not, when not allowed
};

class RobotsCache {
 public:
  using Clock = std::chrono::steady_clock;
  using FetchFn = std::function<void(Request, FetchCallback)>;
  using VerdictCallback = std::function<void(RobotsVerdict)>;

  struct Options {
    std::string user_agent;  // its product token picks our group
    std::chrono::seconds ttl{24 * 3600};
    std::chrono::seconds error_ttl{600};
    std::chrono::seconds stale_limit{30 * 24 * 3600};
    std::size_t max_hosts = 10000;
    std::vector<std::string> ignored_hosts;
  };

  // `fetch` starts a request and calls back exactly once, never from inside itself.
  RobotsCache(FetchFn fetch, Options options);

  void set_options(Options options);

  // Calls `done` with the verdict for `url`: at once when the origin's
  // robots.txt is cached (or not needed), otherwise after it has been fetched.
  void check(const std::string& url, VerdictCallback done);

  std::size_t fetches() const { return m_fetches; }  // robots.txt requests started so far

 private:
  struct Waiter {
    std::string path;
    VerdictCallback done;
  };
  enum class Kind { rules, allow_all, disallow_all };
  struct Entry {
    bool fetching = false;
    Kind kind = Kind::allow_all;
    robots::Rules rules;
    std::string why;  // for disallow_all
    Clock::time_point expires{};
    // When the rules or allow_all above were last answered; unset for an
    // origin that has not answered since it entered the cache.
    std::optional<Clock::time_point> answered;
    std::vector<Waiter> waiters;
  };

  RobotsVerdict decide(const std::string& origin, const Entry& entry, const std::string& path) const;
  void on_fetched(const std::string& origin, FetchResult result);
  bool ignored(const std::string& host) const;
  void evict();

  FetchFn m_fetch;
  Options m_options;
  std::string m_token;
  std::unordered_map<std::string, Entry> m_entries;
  std::size_t m_fetches = 0;
  // Callbacks of fetches in flight hold a weak reference: a cache destroyed
  // before its robots.txt answer arrives is simply not called.
  std::shared_ptr<RobotsCache*> m_alive;
};

}  // namespace fw::net
