// HTTP fetcher: libcurl's multi-socket API driven by a Boost.Asio io_context.
// No thread per request and no blocking call: libcurl tells us which sockets to
// watch and when to wake it (socket and timer callbacks); Asio waits for them.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "parsers/common/result.hpp"

namespace boost::asio {
class io_context;
}

namespace fw::net {

class RobotsCache;

struct FetchOptions {
  std::string user_agent = "feedwatch/0.1";
  std::chrono::milliseconds timeout{30000};
  std::chrono::milliseconds connect_timeout{10000};
  std::int64_t max_body_bytes = 10 * 1024 * 1024;  // applied after decompression
  int max_redirects = 5;
  // Connections libcurl opens to one host at most; transfers beyond it wait
  // inside libcurl ("pending"), which re-runs its connection set-up for each
  // of them whenever a connection frees up. Set from http.per_host.max_concurrent
  // (at least 4), so that requests the host gate lets through never wait there.
  long max_host_connections = 4;
  // Refuse connections to loopback, private, link-local, multicast and
  // unspecified addresses (checked on every resolved address, redirects included).
  bool allow_private_networks = false;
  // Exact "address:port" pairs the guard lets through even so ("127.0.0.1:8080",
  // "[::1]:8080"): tests reach their loopback server with the guard on.
  std::vector<std::string> guard_exempt;
  // Refuse every host but loopback, before any DNS lookup and on every resolved
  // address. Set by FEEDWATCH_LOOPBACK_ONLY=1 in the environment: the test
  // suite and offline demos run with it, so they can never reach the internet.
  bool loopback_only = false;
  // PEM file of trusted certificate authorities (CURLOPT_CAINFO); empty: the
  // system's store. Either way parsed once a day, not per connection.
  std::string ca_file;
  // Abort when slower than `low_speed_bytes` per second for `low_speed_time`.
  long low_speed_bytes = 64;
  std::chrono::seconds low_speed_time{30};
  // robots.txt, for requests with obey_robots (see robots_cache.hpp): how long
  // an answer is kept, how long an unreachable one means "disallow all" (or
  // its last good copy, for at most robots_stale_limit) before it is fetched
  // again, and the hosts (subdomains included) whose robots.txt is not consulted.
  std::chrono::seconds robots_ttl{24 * 3600};
  std::chrono::seconds robots_error_ttl{600};
  std::chrono::seconds robots_stale_limit{30 * 24 * 3600};
  std::vector<std::string> robots_ignored_hosts;
};

struct Request {
  std::string url;
  std::optional<std::string> etag;           // sent as If-None-Match, verbatim
  std::optional<std::string> last_modified;  // sent as If-Modified-Since, verbatim (RFC 9110 §13.1.3)
  // Check the origin's robots.txt first (article pages; feed polls do not);
  // a disallowed URL fails with FetchErrorKind::robots_disallowed, uncontacted.
  bool obey_robots = false;
  // Webhooks: a POST of this body instead of a GET; redirects are not followed.
  std::optional<std::string> post_body{};
  std::vector<std::string> headers{};                  // extra "Name: value" lines
  std::optional<std::chrono::milliseconds> timeout{};  // instead of FetchOptions::timeout
};

struct Response {
  long status = 0;
  std::string effective_url;  // after redirects
  std::string content_type;
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
  std::optional<std::string> retry_after;
  std::optional<std::string> cache_control;
  std::string body;  // decoded (gzip/deflate removed)
  // Status codes of the redirects followed on the way, in order (empty: none).
  std::vector<long> redirects;
  // Every redirect followed was permanent (301 or 308): the resource has moved.
  bool moved_permanently() const;
  std::chrono::milliseconds elapsed{0};
};

enum class FetchErrorKind { network, timeout, too_large, refused, bad_url, robots_disallowed };

// A failed fetch: no HTTP response could be had (or it broke a limit).
struct FetchFailure {
  FetchErrorKind kind;
  std::string message;
  std::chrono::milliseconds elapsed{0};
};

using FetchResult = std::variant<Response, FetchFailure>;
using FetchCallback = std::function<void(FetchResult)>;

class Fetcher {
 public:
  Fetcher(boost::asio::io_context& io, FetchOptions options);
  ~Fetcher();
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // Starts a transfer; `done` is called exactly once, from the io_context, never
  // from inside fetch() itself.
  void fetch(Request request, FetchCallback done);

  // Transfers started and not yet completed.
  std::size_t in_flight() const;

  // New options apply to transfers started from now on (configuration reload).
  void set_options(FetchOptions options);

  // Aborts every transfer in flight; their callbacks run with a network error.
  void cancel_all();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
  std::unique_ptr<RobotsCache> m_robots;  // for requests with obey_robots
};

// True when `address` (numeric IPv4 or IPv6) must not be contacted unless
// private networks are allowed: loopback, RFC 1918, CGNAT, link-local (cloud
// metadata), multicast, unspecified, IPv6 ULA/link-local, IPv4-mapped forms of these.
bool is_private_address(const std::string& address);

// Whether a response's ETag or Last-Modified value may be kept: sent back in
// the next request and stored. No control characters, valid UTF-8, at most
// 1 KiB; a response whose validator is not usable is treated as having none.
bool usable_validator(std::string_view value);

}  // namespace fw::net
