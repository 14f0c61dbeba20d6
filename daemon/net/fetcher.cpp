// libcurl's multi-socket API on a Boost.Asio io_context.
//
// How it fits together (libcurl's "multi_socket" documentation is the model):
//  - CURLMOPT_SOCKETFUNCTION tells us, per socket, whether libcurl wants to
//    read, write, both, or nothing any more (CURL_POLL_REMOVE). We wrap the fd
//    in an asio::posix::stream_descriptor that never owns it (released, not
//    closed: libcurl closes its own sockets) and keep one async_wait pending
//    per wanted direction. Each wait, when it fires, calls
//    curl_multi_socket_action for that fd and re-arms if libcurl still wants it.
//    (Asio's async_wait re-polls readiness with EPOLL_CTL_MOD, so readiness that
//    arrived before the wait was armed is not lost.)
//  - CURLMOPT_TIMERFUNCTION asks for one timer; when it expires we call
//    curl_multi_socket_action(CURL_SOCKET_TIMEOUT). libcurl may ask for a 0 ms
//    timeout; we post it rather than calling libcurl re-entrantly.
//  - After every action we drain curl_multi_info_read and complete finished
//    transfers. Callbacks to the caller are posted, never run inside libcurl.
//
// Limits live here too: total and connect timeouts, a low-speed abort for
// slow-drip servers, a redirect limit, a body cap counted on decoded bytes (a
// gzip bomb costs one bounded failure), and the SSRF guard, which checks the
// resolved address of every connection libcurl opens (CURLOPT_OPENSOCKETFUNCTION),
// redirects and DNS re-resolution included.
#include "daemon/net/fetcher.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "daemon/net/robots_cache.hpp"
#include "parsers/text/text.hpp"

namespace fw::net {

namespace asio = boost::asio;

namespace {

struct CurlMultiDeleter {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};
struct CurlEasyDeleter {
  void operator()(CURL* e) const { curl_easy_cleanup(e); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct CurlShareDeleter {
  void operator()(CURLSH* s) const { curl_share_cleanup(s); }
};

// libcurl's global init is not thread-safe and must happen once per process.
void ensure_curl_global_init() {
  static const bool k_done = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)k_done;
}

std::string_view trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n')) --e;
  return s.substr(b, e - b);
}

}  // namespace

bool usable_validator(std::string_view value) {
  // An ETag or Last-Modified is sent back verbatim in a request header and
  // stored in a UTF-8 database: a control character (a bare CR would start a
  // header line of the server's choosing) or a byte sequence that is not UTF-8
  // (PostgreSQL would refuse the whole poll's write) makes it unusable, and so
  // does a length no real validator has.
  constexpr std::size_t k_max_validator = 1024;
  if (value.empty() || value.size() > k_max_validator) return false;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7F) return false;
  }
  return text::is_valid_utf8(value);
}

namespace {

// Feeds first, anything else after. Kept short: libcurl writes each byte of
// each request header through its own printf, one call per byte, and the
// 126-byte list this replaces cost a 304 more than 10,000 instructions
// (bench/README.md, "Polling at scale"). Never written to: libcurl only reads
// a header list.
char k_accept_feeds[] = "Accept: application/rss+xml, application/atom+xml, application/feed+json, */*;q=0.8";

// Whether the environment names a proxy libcurl would use for http or https.
bool proxy_in_environment() {
  for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
    const char* value = std::getenv(name);
    if (value && *value) return true;
  }
  return false;
}

// The content codings this libcurl decodes, as it would list them itself for
// CURLOPT_ACCEPT_ENCODING "" (empty: none, and no header is sent).
std::string decodable_encodings() {
  const curl_version_info_data* v = curl_version_info(CURLVERSION_NOW);
  std::string out;
  const auto add = [&out](const char* coding) {
    if (!out.empty()) out += ", ";
    out += coding;
  };
  if (v->features & CURL_VERSION_LIBZ) {
    add("deflate");
    add("gzip");
  }
  if (v->features & CURL_VERSION_BROTLI) add("br");
  if (v->features & CURL_VERSION_ZSTD) add("zstd");
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool is_private_v4(std::uint32_t a) {  // host byte order
  auto in = [a](std::uint32_t net, int bits) {
    std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return (a & mask) == (net & mask);
  };
  return in(0x00000000, 8) ||   // 0.0.0.0/8 "this network"
         in(0x0A000000, 8) ||   // 10/8
         in(0x64400000, 10) ||  // 100.64/10 CGNAT
         in(0x7F000000, 8) ||   // loopback
         in(0xA9FE0000, 16) ||  // link-local, cloud metadata 169.254.169.254
         in(0xAC100000, 12) ||  // 172.16/12
         in(0xC0000000, 24) ||  // 192.0.0/24 IETF protocol assignments
         in(0xC0000200, 24) ||  // 192.0.2/24 documentation (TEST-NET-1)
         in(0xC0586300, 24) ||  // 192.88.99/24 6to4 relay anycast (deprecated)
         in(0xC0A80000, 16) ||  // 192.168/16
         in(0xC6120000, 15) ||  // 198.18/15 benchmarking
         in(0xC6336400, 24) ||  // 198.51.100/24 documentation (TEST-NET-2)
         in(0xCB007100, 24) ||  // 203.0.113/24 documentation (TEST-NET-3)
         in(0xE0000000, 4) ||   // multicast
         in(0xF0000000, 4);     // reserved, broadcast
}

std::uint32_t v4_at(const unsigned char* b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

// IANA's special-purpose registry, the blocks not globally reachable, and the
// forms that carry an IPv4 address (which is then judged as IPv4): a
// name that resolves to ::ffff:127.0.0.1 or 2002:7f00:1:: is loopback too.
bool is_private_v6(const unsigned char* b) {
  static const unsigned char k_zero[16] = {};
  if (std::memcmp(b, k_zero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return true;   // :: and ::1
  bool mapped = std::memcmp(b, k_zero, 10) == 0 && b[10] == 0xFF && b[11] == 0xFF;  // ::ffff:a.b.c.d
  bool compat = std::memcmp(b, k_zero, 12) == 0;                                    // ::a.b.c.d
  bool nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B &&      // 64:ff9b::/96
               std::memcmp(b + 4, k_zero, 8) == 0;
  if (mapped || compat || nat64) return is_private_v4(v4_at(b + 12));
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b[4] == 0x00 && b[5] == 0x01) {
    return true;  // 64:ff9b:1::/48 local-use NAT64
  }
  if (b[0] == 0x01 && std::memcmp(b + 1, k_zero, 7) == 0) return true;   // 100::/64 discard-only
  if (b[0] == 0x20 && b[1] == 0x02) return is_private_v4(v4_at(b + 2));  // 2002::/16 6to4 carries a.b.c.d
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00) {    // 2001::/32 Teredo
    const unsigned char client[4] = {static_cast<unsigned char>(~b[12]), static_cast<unsigned char>(~b[13]),
                                     static_cast<unsigned char>(~b[14]), static_cast<unsigned char>(~b[15])};
    return is_private_v4(v4_at(b + 4)) || is_private_v4(v4_at(client));  // its server, its client (inverted)
  }
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) {
    return true;  // 2001:db8::/32 documentation
  }
  if (b[0] == 0x3F && b[1] == 0xFF && (b[2] & 0xF0) == 0x00) return true;  // 3fff::/20 documentation
  if ((b[0] & 0xFE) == 0xFC) return true;                                  // fc00::/7 unique local
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return true;                  // fe80::/10 link-local
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) return true;  // fec0::/10 site-local (deprecated)
  if (b[0] == 0xFF) return true;                           // multicast
  return false;
}

}  // namespace

bool Response::moved_permanently() const {
  return !redirects.empty() &&
         std::all_of(redirects.begin(), redirects.end(), [](long s) { return s == 301 || s == 308; });
}

bool is_private_address(const std::string& address) {
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) return is_private_v4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) return is_private_v6(v6.s6_addr);
  return true;  // not an address we understand: refuse
}

struct Fetcher::Impl {
  // Header lines every request sends, from the options: libcurl's own
  // User-Agent and Accept-Encoding lines go through its printf, one call per
  // byte, twice (built, then copied into the request); a line of our list
  // goes through it once. So they are sent as lines of the list, with
  // CURLOPT_USERAGENT unset. CURLOPT_ACCEPT_ENCODING stays set: libcurl
  // decodes responses only with it.
  struct CommonLines {
    std::string user_agent;
    std::string accept_encoding;  // empty: no coding is decoded, none is asked for
  };

  static std::shared_ptr<const CommonLines> common_lines(const FetchOptions& options) {
    auto lines = std::make_shared<CommonLines>();
    lines->user_agent = "User-Agent: " + options.user_agent;
    const std::string codings = decodable_encodings();
    if (!codings.empty()) lines->accept_encoding = "Accept-Encoding: " + codings;
    return lines;
  }

  struct Transfer {
    std::unique_ptr<CURL, CurlEasyDeleter> easy;
    std::unique_ptr<curl_slist, CurlSlistDeleter> headers;
    FetchCallback done;
    Response response;
    Impl* owner = nullptr;
    bool too_large = false;
    long last_status = 0;        // of the response whose headers are being read
    bool headers_ended = false;  // the blank line after the last response's headers arrived
    std::string refused;         // why the SSRF guard refused a connection
    std::chrono::steady_clock::time_point started;
    bool reusable = false;         // a GET with the common options only: it may serve the next one
    std::uint64_t generation = 0;  // of the options its handle was set up with
    char errbuf[CURL_ERROR_SIZE] = {};
    // The request's header list (header_list()). libcurl only reads a list
    // (CURLOPT_HTTPHEADER), so its nodes and lines are ours, and a reused
    // transfer keeps their memory: a poll's list costs no allocation.
    std::array<curl_slist, 5> nodes{};
    std::string if_none_match;
    std::string if_modified_since;
    std::shared_ptr<const CommonLines> common;  // the lines the nodes point to, alive until the transfer ends
  };

  struct Socket {
    explicit Socket(asio::io_context& io, curl_socket_t fd) : sd(io, fd) {}
    asio::posix::stream_descriptor sd;
    int wanted = 0;  // CURL_POLL_IN / OUT / INOUT
    bool read_pending = false;
    bool write_pending = false;
    // Bumped when libcurl stops watching the socket (parked, removed, closed):
    // waits started before then are stale.
    std::uint64_t epoch = 0;
  };

  Impl(asio::io_context& io_, FetchOptions options_)
      : io(io_), options(std::move(options_)), common(common_lines(options)), timer(io_) {
    ensure_curl_global_init();
    multi.reset(curl_multi_init());
    share.reset(curl_share_init());
    // One process-wide cache for DNS answers, TLS sessions and connections, so
    // polls of the same host reuse them.
    curl_share_setopt(share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_multi_setopt(multi.get(), CURLMOPT_SOCKETFUNCTION, &Impl::on_socket);
    curl_multi_setopt(multi.get(), CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi.get(), CURLMOPT_TIMERFUNCTION, &Impl::on_timer);
    curl_multi_setopt(multi.get(), CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi.get(), CURLMOPT_MAX_HOST_CONNECTIONS, options.max_host_connections);
  }

  ~Impl() {
    // Easy handles must leave the multi before either is destroyed; their
    // callbacks are dropped (the io_context is going away with us).
    for (auto& [easy, t] : transfers) curl_multi_remove_handle(multi.get(), easy);
    transfers.clear();
    for (auto& [fd, s] : sockets) {
      ++s->epoch;
      s->sd.cancel();
      s->sd.release();
    }
    sockets.clear();
    closing = true;
  }

  // --- libcurl callbacks -------------------------------------------------

  static int on_socket(CURL* /*easy*/, curl_socket_t fd, int what, void* userp, void* /*socketp*/) {
    auto* self = static_cast<Impl*>(userp);
    if (what == CURL_POLL_REMOVE) {
      if (self->opened.contains(fd)) {
        self->park(fd);
      } else {
        self->remove_socket(fd);
      }
      return 0;
    }
    auto it = self->sockets.find(fd);
    if (it == self->sockets.end()) {
      it = self->sockets.emplace(fd, std::make_shared<Socket>(self->io, fd)).first;
    }
    it->second->wanted = what;
    self->arm(fd, it->second);
    return 0;
  }

  // libcurl moves its timeout at nearly every step of every transfer, most
  // often to a later time. Re-arming the Asio timer each time costs a
  // timerfd_settime and a cancelled handler (8% of a polling daemon's CPU), so
  // the timer is moved only when libcurl wants it earlier than it is set; when
  // it fires before libcurl's current time, it is set again for that time.
  // A timeout of 0 ms (libcurl asks for one whenever a transfer is added, to
  // start it) is posted to the loop rather than set on the timer: arming the
  // timer for "now" and again for the next time after it fires cost two
  // timerfd_settime calls per poll.
  static int on_timer(CURLM* /*multi*/, long timeout_ms, void* userp) {
    auto* self = static_cast<Impl*>(userp);
    if (timeout_ms < 0) {
      self->timeout_due.reset();  // a wait still set wakes up to nothing
      return 0;
    }
    const auto due = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    self->timeout_due = due;
    if (timeout_ms == 0) {
      self->post_timeout();
      return 0;
    }
    if (!self->timer_set || due < self->timer.expiry()) self->set_timer(due);
    return 0;
  }

  void post_timeout() {
    if (timeout_posted) return;
    timeout_posted = true;
    asio::post(io, [this, alive = std::weak_ptr<const bool>(life)] {
      if (alive.expired()) return;
      timeout_posted = false;
      if (!timeout_due || std::chrono::steady_clock::now() < *timeout_due) return;  // moved since
      timeout_due.reset();
      action(CURL_SOCKET_TIMEOUT, 0);
    });
  }

  void set_timer(std::chrono::steady_clock::time_point due) {
    timer_set = true;
    timer.expires_at(due);  // a wait already set completes as cancelled
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;  // cancelled: a newer wait is set
      timer_set = false;
      if (!timeout_due) return;
      if (std::chrono::steady_clock::now() < *timeout_due) {
        set_timer(*timeout_due);
        return;
      }
      timeout_due.reset();
      action(CURL_SOCKET_TIMEOUT, 0);
    });
  }

  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* userp) {
    auto* t = static_cast<Transfer*>(userp);
    std::size_t bytes = size * n;
    if (static_cast<std::int64_t>(t->response.body.size() + bytes) > t->owner->options.max_body_bytes) {
      t->too_large = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    t->response.body.append(data, bytes);
    return bytes;
  }

  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* userp) {
    auto* t = static_cast<Transfer*>(userp);
    std::string_view line(data, size * n);
    if (line == "\r\n" || line == "\n") {
      t->headers_ended = true;
      return size * n;
    }
    if (line.rfind("HTTP/", 0) == 0) {
      t->headers_ended = false;
      // A new response begins (after a redirect or a 100 Continue): forget the old headers.
      std::size_t space = line.find(' ');
      long code =
          space == std::string_view::npos ? 0 : std::atol(std::string(line.substr(space + 1, 3)).c_str());
      if (code >= 100 && code < 200) return size * n;  // interim response
      if (t->last_status >= 300 && t->last_status < 400) t->response.redirects.push_back(t->last_status);
      t->last_status = code;
      t->response.etag.reset();
      t->response.last_modified.reset();
      t->response.retry_after.reset();
      t->response.cache_control.reset();
      return size * n;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return size * n;
    std::string_view name = line.substr(0, colon);
    std::optional<std::string>* kept = nullptr;  // headers we do not keep cost no copy
    if (iequals(name, "ETag")) {
      kept = &t->response.etag;
    } else if (iequals(name, "Last-Modified")) {
      kept = &t->response.last_modified;
    } else if (iequals(name, "Retry-After")) {
      kept = &t->response.retry_after;
    } else if (iequals(name, "Cache-Control")) {
      kept = &t->response.cache_control;
    }
    if (!kept) return size * n;
    std::string_view value = trim(line.substr(colon + 1));
    if (kept == &t->response.cache_control) {
      // Several Cache-Control lines are one list (RFC 9110 §5.3).
      if (kept->has_value() && !(*kept)->empty()) {
        if (!value.empty()) (*kept)->append(", ").append(value);
      } else {
        *kept = std::string(value);
      }
    } else if (kept == &t->response.retry_after || usable_validator(value)) {
      *kept = std::string(value);
    } else {
      kept->reset();  // sent back in the next request's headers and stored: never a bad one
    }
    return size * n;
  }

  static curl_socket_t on_open_socket(void* userp, curlsocktype purpose, curl_sockaddr* address) {
    auto* t = static_cast<Transfer*>(userp);
    if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
    if (t->owner->options.loopback_only && !is_loopback(*address)) {
      t->refused = "only loopback addresses may be contacted (FEEDWATCH_LOOPBACK_ONLY)";
      return CURL_SOCKET_BAD;
    }
    if (!t->owner->options.allow_private_networks) {
      char text[INET6_ADDRSTRLEN] = {};
      bool refuse = true;
      std::string exempt_key;
      if (address->family == AF_INET) {
        sockaddr_in sin{};
        std::memcpy(&sin, &address->addr, sizeof sin);
        inet_ntop(AF_INET, &sin.sin_addr, text, sizeof text);
        refuse = is_private_v4(ntohl(sin.sin_addr.s_addr));
        exempt_key = std::string(text) + ":" + std::to_string(ntohs(sin.sin_port));
      } else if (address->family == AF_INET6) {
        sockaddr_in6 sin6{};
        std::memcpy(&sin6, &address->addr, sizeof sin6);
        inet_ntop(AF_INET6, &sin6.sin6_addr, text, sizeof text);
        refuse = is_private_v6(sin6.sin6_addr.s6_addr);
        exempt_key = "[" + std::string(text) + "]:" + std::to_string(ntohs(sin6.sin6_port));
      }
      const auto& exempt = t->owner->options.guard_exempt;
      if (refuse && std::find(exempt.begin(), exempt.end(), exempt_key) != exempt.end()) refuse = false;
      if (refuse) {
        t->refused = std::string("address ") + text +
                     " is private, loopback or link-local (set http.allow_private_networks to allow)";
        return CURL_SOCKET_BAD;
      }
    }
    curl_socket_t fd = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
    if (fd != CURL_SOCKET_BAD) t->owner->opened.insert(fd);
    return fd;
  }

  static int on_close_socket(void* clientp, curl_socket_t fd) {
    auto* self = static_cast<Impl*>(clientp);
    if (!self->closing) {
      self->opened.erase(fd);
      auto it = self->sockets.find(fd);
      if (it != self->sockets.end()) {
        std::shared_ptr<Socket> s = it->second;
        self->sockets.erase(it);
        ++s->epoch;
        boost::system::error_code ec;
        s->sd.close(ec);  // closes fd; epoll forgets it with the close
        return ec ? -1 : 0;
      }
    }
    return ::close(fd);
  }

  // libcurl let go of a socket it opened through us but keeps its connection:
  // its waits are cancelled and it stays registered with the loop until
  // on_close_socket.
  void park(curl_socket_t fd) {
    auto it = sockets.find(fd);
    if (it == sockets.end()) return;
    Socket& s = *it->second;
    s.wanted = 0;
    ++s.epoch;
    s.read_pending = false;
    s.write_pending = false;
    boost::system::error_code ignored;
    s.sd.cancel(ignored);
  }

  // --- the event loop side ----------------------------------------------

  void arm(curl_socket_t fd, const std::shared_ptr<Socket>& s) {
    if ((s->wanted & CURL_POLL_IN) && !s->read_pending) {
      wait(fd, s, asio::posix::stream_descriptor::wait_read, &Socket::read_pending, CURL_CSELECT_IN);
    }
    if ((s->wanted & CURL_POLL_OUT) && !s->write_pending) {
      wait(fd, s, asio::posix::stream_descriptor::wait_write, &Socket::write_pending, CURL_CSELECT_OUT);
    }
  }

  // One wait for readiness in one direction; when it comes, libcurl acts on
  // the socket. A wait started before the socket was parked, removed or closed
  // (its epoch moved on since) does nothing.
  void wait(curl_socket_t fd, const std::shared_ptr<Socket>& s,
            asio::posix::stream_descriptor::wait_type type, bool Socket::*pending, int select) {
    (*s).*pending = true;
    s->sd.async_wait(type, [this, fd, pending, select, weak = std::weak_ptr<Socket>(s),
                            epoch = s->epoch](const boost::system::error_code& ec) {
      auto sock = weak.lock();
      if (!sock || sock->epoch != epoch) return;
      (*sock).*pending = false;
      if (ec) return;
      action(fd, select);
      rearm(fd, sock);
    });
  }

  // After an action, keep watching the socket if it is still the same one.
  void rearm(curl_socket_t fd, const std::shared_ptr<Socket>& s) {
    auto it = sockets.find(fd);
    if (it != sockets.end() && it->second == s) arm(fd, s);
  }

  void remove_socket(curl_socket_t fd) {
    auto it = sockets.find(fd);
    if (it == sockets.end()) return;
    std::shared_ptr<Socket> s = it->second;
    sockets.erase(it);
    ++s->epoch;
    boost::system::error_code ignored;
    s->sd.cancel(ignored);
    s->sd.release();  // libcurl owns and closes the fd
  }

  void action(curl_socket_t fd, int flags) {
    int running = 0;
    curl_multi_socket_action(multi.get(), fd, flags, &running);
    drain();
  }

  void drain() {
    int pending = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi.get(), &pending)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      CURLcode code = msg->data.result;
      auto it = transfers.find(easy);
      if (it == transfers.end()) continue;
      std::unique_ptr<Transfer> t = std::move(it->second);
      transfers.erase(it);
      curl_multi_remove_handle(multi.get(), easy);
      finish(std::move(t), code);
    }
  }

  void finish(std::unique_ptr<Transfer> t, CURLcode code) {
    FetchCallback done = std::move(t->done);  // `t` may go back to `idle` below
    auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t->started);
    FetchResult result;
    if (code == CURLE_OK && !t->headers_ended) {
      // libcurl accepts a connection closed inside the headers as a complete
      // (empty) response; it is a broken one.
      result =
          FetchFailure{FetchErrorKind::network, "connection closed inside the response headers", elapsed};
    } else if (code == CURLE_OK) {
      Response& r = t->response;
      curl_easy_getinfo(t->easy.get(), CURLINFO_RESPONSE_CODE, &r.status);
      char* url = nullptr;
      if (curl_easy_getinfo(t->easy.get(), CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK && url)
        r.effective_url = url;
      char* type = nullptr;
      if (curl_easy_getinfo(t->easy.get(), CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type)
        r.content_type = type;
      r.elapsed = elapsed;
      result = std::move(r);
      if (t->reusable && t->generation == options_generation) give_back(std::move(t));
    } else {
      FetchFailure f{FetchErrorKind::network, {}, elapsed};
      std::string detail = t->errbuf[0] ? t->errbuf : curl_easy_strerror(code);
      if (t->too_large) {
        f.kind = FetchErrorKind::too_large;
        f.message =
            "body larger than " + std::to_string(options.max_body_bytes) + " bytes (http.max_body_bytes)";
      } else if (code == CURLE_FILESIZE_EXCEEDED) {
        f.kind = FetchErrorKind::too_large;
        f.message = "declared Content-Length over " + std::to_string(options.max_body_bytes) +
                    " bytes (http.max_body_bytes)";
      } else if (!t->refused.empty()) {
        f.kind = FetchErrorKind::refused;
        f.message = "refused: " + t->refused;
      } else if (code == CURLE_OPERATION_TIMEDOUT) {
        f.kind = FetchErrorKind::timeout;
        f.message = "timed out: " + detail;
      } else if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) {
        f.kind = FetchErrorKind::bad_url;
        f.message = detail;
      } else {
        f.message = detail;
      }
      result = std::move(f);
    }
    // Deliver outside libcurl's call stack.
    asio::post(io,
               [done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
  }

  static bool is_loopback(const curl_sockaddr& address) {
    if (address.family == AF_INET) {
      sockaddr_in sin{};
      std::memcpy(&sin, &address.addr, sizeof sin);
      return (ntohl(sin.sin_addr.s_addr) >> 24) == 127;
    }
    if (address.family == AF_INET6) {
      sockaddr_in6 sin6{};
      std::memcpy(&sin6, &address.addr, sizeof sin6);
      return IN6_IS_ADDR_LOOPBACK(&sin6.sin6_addr) != 0;
    }
    return false;
  }

  // The URL's host is a loopback name or literal (checked before any DNS lookup).
  static bool loopback_host(const std::string& url) {
    std::size_t start = url.find("://");
    start = start == std::string::npos ? 0 : start + 3;
    std::size_t end = url.find_first_of("/?#", start);
    std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (std::size_t at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
    return authority.rfind("127.", 0) == 0 || authority.rfind("[::1]", 0) == 0 || authority == "localhost" ||
           authority.rfind("localhost:", 0) == 0;
  }

  void start(Request request, FetchCallback done) {
    if (options.loopback_only && !loopback_host(request.url)) {
      FetchFailure f{FetchErrorKind::refused,
                     "only loopback addresses may be contacted (FEEDWATCH_LOOPBACK_ONLY): " + request.url,
                     {}};
      asio::post(io, [done = std::move(done), f = std::move(f)]() mutable { done(std::move(f)); });
      return;
    }
    // GETs with the common options reuse a finished one's transfer, handle
    // included: a new handle (curl_easy_init, every option set,
    // curl_easy_cleanup) cost about a sixth of libcurl's instructions per poll.
    const bool reusable = !request.post_body && !request.timeout;
    std::unique_ptr<Transfer> t;
    if (reusable && !idle.empty()) {
      t = std::move(idle.back());
      idle.pop_back();
    } else {
      t = std::make_unique<Transfer>();
      t->owner = this;
      t->easy.reset(curl_easy_init());
      set_common_options(t->easy.get());
    }
    t->done = std::move(done);
    t->started = std::chrono::steady_clock::now();
    t->reusable = reusable;
    t->generation = options_generation;
    CURL* e = t->easy.get();
    curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t.get());
    curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());

    curl_slist* extra = nullptr;
    for (const auto& h : request.headers) extra = curl_slist_append(extra, h.c_str());
    if (request.timeout) curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout->count()));
    if (request.post_body) {
      curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
      // Deliveries are sparse: no connection is kept open to a receiver between them.
      curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.post_body->size()));
      curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, request.post_body->c_str());
      extra = curl_slist_append(extra, "Expect:");  // no 100-continue round trip
    }
    t->headers.reset(extra);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, header_list(*t, request));

    CURLMcode mc = curl_multi_add_handle(multi.get(), e);
    if (mc != CURLM_OK) {
      FetchFailure f{
          FetchErrorKind::network, std::string("cannot start transfer: ") + curl_multi_strerror(mc), {}};
      asio::post(io, [done = std::move(t->done), f = std::move(f)]() mutable { done(std::move(f)); });
      return;
    }
    transfers.emplace(e, std::move(t));
  }

  // Options every transfer shares (FetchOptions); set once per handle.
  void set_common_options(CURL* e) const {
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(options.max_redirects));
    // User-Agent and Accept-Encoding go in the header list (CommonLines);
    // this makes libcurl decode every coding it can.
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, options.low_speed_bytes);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.low_speed_time.count()));
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_body_bytes));
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_SHARE, share.get());
    // Unless a proxy is set, libcurl looks for one in the environment for
    // every transfer: five getenv() calls over the whole environment, 2% of
    // a poll's instructions. A daemon's environment does not change: with
    // none in it at start, "no proxy" is said once.
    if (!proxy_from_environment) curl_easy_setopt(e, CURLOPT_PROXY, "");
    // The CA bundle is parsed once a day, not per connection. libcurl caches
    // the parsed store only when no CA directory is set, and Debian's libcurl
    // sets one by default (/etc/ssl/certs, besides the bundle made from the
    // same certificates): with it, every new TLS connection re-read the whole
    // store, about 50 ms of CPU (bench/tls_ca_cache.sh). So the directory is
    // unset and the bundle alone is used: the default one, or http.ca_file.
    curl_easy_setopt(e, CURLOPT_CA_CACHE_TIMEOUT, 24L * 3600L);
    curl_easy_setopt(e, CURLOPT_CAPATH, nullptr);
    if (!options.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options.ca_file.c_str());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Impl::on_body);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Impl::on_header);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Impl::on_open_socket);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, &Impl::on_close_socket);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, this);
  }

  // The request's header list (Transfer::nodes): for a GET the Accept line,
  // then User-Agent and Accept-Encoding (CommonLines), the validators, and
  // the extra lines (Transfer::headers). RFC 9110 §13.1: the validators are
  // sent exactly as the server gave them.
  curl_slist* header_list(Transfer& t, const Request& request) const {
    t.common = common;
    std::size_t used = 0;
    const auto link = [&t, &used](char* line) {
      curl_slist& node = t.nodes[used];
      node.data = line;
      node.next = nullptr;
      if (used > 0) t.nodes[used - 1].next = &node;
      ++used;
    };
    if (!request.post_body) link(k_accept_feeds);
    // Never written to (libcurl only reads a list); curl_slist holds char*.
    link(const_cast<char*>(t.common->user_agent.c_str()));
    if (!t.common->accept_encoding.empty()) link(const_cast<char*>(t.common->accept_encoding.c_str()));
    if (request.etag) {
      t.if_none_match.assign("If-None-Match: ").append(*request.etag);
      link(t.if_none_match.data());
    }
    if (request.last_modified) {
      t.if_modified_since.assign("If-Modified-Since: ").append(*request.last_modified);
      link(t.if_modified_since.data());
    }
    t.nodes[used - 1].next = t.headers.get();
    return &t.nodes[0];
  }

  // A finished GET's transfer, handle included, for the next GET: nothing in
  // it points into the request that is going away, and nothing of that
  // request's answer is left in it.
  void give_back(std::unique_ptr<Transfer> t) {
    if (idle.size() >= k_idle_transfers) return;
    CURL* e = t->easy.get();
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, nullptr);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, nullptr);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, nullptr);
    curl_easy_setopt(e, CURLOPT_PRIVATE, nullptr);
    t->headers.reset();
    t->common.reset();
    t->done = nullptr;
    t->response = Response{};
    t->too_large = false;
    t->last_status = 0;
    t->headers_ended = false;
    t->refused.clear();
    t->errbuf[0] = '\0';
    idle.push_back(std::move(t));
  }

  void cancel_all() {
    std::vector<std::unique_ptr<Transfer>> aborted;
    for (auto& [easy, t] : transfers) {
      curl_multi_remove_handle(multi.get(), easy);
      aborted.push_back(std::move(t));
    }
    transfers.clear();
    for (auto& t : aborted) finish(std::move(t), CURLE_ABORTED_BY_CALLBACK);
  }

  asio::io_context& io;
  FetchOptions options;
  std::shared_ptr<const CommonLines> common;  // from `options`; transfers in flight hold theirs
  const bool proxy_from_environment = proxy_in_environment();
  asio::steady_timer timer;
  bool timer_set = false;  // a wait on `timer` is pending
  // When libcurl wants curl_multi_socket_action(CURL_SOCKET_TIMEOUT); none: no timeout.
  std::optional<std::chrono::steady_clock::time_point> timeout_due;
  // Set once the destructor let go of every socket: libcurl's cleanup of
  // `multi` and `share` below then closes its connections with plain close().
  bool closing = false;
  std::unordered_set<curl_socket_t> opened;  // sockets on_open_socket made, until on_close_socket
  // Declared before `multi`, so destroyed after it: handles using the share go first.
  std::unique_ptr<CURLSH, CurlShareDeleter> share;
  std::unique_ptr<CURLM, CurlMultiDeleter> multi;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers;
  std::map<curl_socket_t, std::shared_ptr<Socket>> sockets;
  // Finished GETs' transfers and their handles (give_back), for the next
  // ones; after `multi` and `share`, so cleaned up before them.
  static constexpr std::size_t k_idle_transfers = 64;
  std::vector<std::unique_ptr<Transfer>> idle;
  // set_options() counts up: handles set up before are not given back.
  std::uint64_t options_generation = 0;
  bool timeout_posted = false;  // a post_timeout() handler is pending
  // Handlers posted to the loop hold a weak_ptr to it: once the fetcher is gone they do nothing.
  std::shared_ptr<const bool> life = std::make_shared<const bool>(true);
};

namespace {

RobotsCache::Options robots_options(const FetchOptions& o) {
  RobotsCache::Options out;
  out.user_agent = o.user_agent;
  out.ttl = o.robots_ttl;
  out.error_ttl = o.robots_error_ttl;
  out.stale_limit = o.robots_stale_limit;
  out.ignored_hosts = o.robots_ignored_hosts;
  return out;
}

}  // namespace

Fetcher::Fetcher(asio::io_context& io, FetchOptions options)
    : m_impl(std::make_unique<Impl>(io, std::move(options))),
      m_robots(std::make_unique<RobotsCache>(
          [impl = m_impl.get()](Request r, FetchCallback done) {
            impl->start(std::move(r), std::move(done));
          },
          robots_options(m_impl->options))) {}

Fetcher::~Fetcher() = default;

void Fetcher::fetch(Request request, FetchCallback done) {
  if (!request.obey_robots) {
    m_impl->start(std::move(request), std::move(done));
    return;
  }
  std::string url = request.url;
  m_robots->check(url, [impl = m_impl.get(), request = std::move(request),
                        done = std::move(done)](RobotsVerdict verdict) mutable {
    if (verdict.allowed) {
      impl->start(std::move(request), std::move(done));
      return;
    }
    FetchFailure f{FetchErrorKind::robots_disallowed, std::move(verdict.reason), {}};
    asio::post(impl->io, [done = std::move(done), f = std::move(f)]() mutable { done(std::move(f)); });
  });
}

std::size_t Fetcher::in_flight() const {
  return m_impl->transfers.size();
}

void Fetcher::set_options(FetchOptions options) {
  m_robots->set_options(robots_options(options));
  m_impl->options = std::move(options);
  m_impl->common = Impl::common_lines(m_impl->options);
  m_impl->idle.clear();  // set up with the old options, as are the handles in flight
  ++m_impl->options_generation;
  curl_multi_setopt(m_impl->multi.get(), CURLMOPT_MAX_HOST_CONNECTIONS, m_impl->options.max_host_connections);
}

void Fetcher::cancel_all() {
  m_impl->cancel_all();
}

}  // namespace fw::net
