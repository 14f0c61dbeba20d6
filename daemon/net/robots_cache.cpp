#include "daemon/net/robots_cache.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <memory>
#include <optional>

namespace fw::net {

namespace {

struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlStringDeleter {
  void operator()(char* s) const { curl_free(s); }
};

struct Target {
  std::string origin;  // "https://host:443"
  std::string host;    // lower-case
  std::string path;    // path and query
};

std::optional<std::string> part(CURLU* u, CURLUPart what, unsigned flags) {
  char* raw = nullptr;
  if (curl_url_get(u, what, &raw, flags) != CURLUE_OK || raw == nullptr) return std::nullopt;
  std::unique_ptr<char, CurlStringDeleter> owned(raw);
  return std::string(raw);
}

std::optional<Target> target_of(const std::string& url) {
  std::unique_ptr<CURLU, CurlUrlDeleter> u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return std::nullopt;
  auto scheme = part(u.get(), CURLUPART_SCHEME, 0);
  auto host = part(u.get(), CURLUPART_HOST, 0);
  auto port = part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  auto path = part(u.get(), CURLUPART_PATH, 0);
  auto query = part(u.get(), CURLUPART_QUERY, 0);
  if (!scheme || !host || !port || !path) return std::nullopt;
  Target t;
  t.host = *host;
  std::transform(t.host.begin(), t.host.end(), t.host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  t.origin = *scheme + "://" + t.host + ":" + *port;
  t.path = *path;
  if (query) t.path += "?" + *query;
  return t;
}

}  // namespace

RobotsCache::RobotsCache(FetchFn fetch, Options options)
    : m_fetch(std::move(fetch)), m_alive(std::make_shared<RobotsCache*>(this)) {
  set_options(std::move(options));
}

void RobotsCache::set_options(Options options) {
  m_options = std::move(options);
  m_token = robots::product_token(m_options.user_agent);
  for (std::string& h : m_options.ignored_hosts) {
    std::transform(h.begin(), h.end(), h.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
}

bool RobotsCache::ignored(const std::string& host) const {
  return std::any_of(m_options.ignored_hosts.begin(), m_options.ignored_hosts.end(), [&host](const auto& h) {
    if (h.empty()) return false;
    if (host == h) return true;
    return host.size() > h.size() && host.compare(host.size() - h.size(), std::string::npos, h) == 0 &&
           host[host.size() - h.size() - 1] == '.';
  });
}

void RobotsCache::check(const std::string& url, VerdictCallback done) {
  std::optional<Target> t = target_of(url);
  // A URL we cannot read is left to the fetch, which fails it with bad_url.
  if (!t || ignored(t->host)) {
    done(RobotsVerdict{});
    return;
  }
  auto now = Clock::now();
  auto it = m_entries.find(t->origin);
  if (it != m_entries.end() && !it->second.fetching && now < it->second.expires) {
    done(decide(t->origin, it->second, t->path));
    return;
  }
  if (it != m_entries.end() && it->second.fetching) {
    it->second.waiters.push_back(Waiter{t->path, std::move(done)});
    return;
  }
  if (it == m_entries.end()) {
    evict();
    it = m_entries.emplace(t->origin, Entry{}).first;
  }
  it->second.fetching = true;
  it->second.waiters.push_back(Waiter{t->path, std::move(done)});
  ++m_fetches;
  Request robots_request;
  robots_request.url = t->origin + "/robots.txt";
  m_fetch(std::move(robots_request),
          [alive = std::weak_ptr<RobotsCache*>(m_alive), origin = t->origin](FetchResult result) {
            if (auto self = alive.lock()) (*self)->on_fetched(origin, std::move(result));
          });
}

void RobotsCache::on_fetched(const std::string& origin, FetchResult result) {
  auto it = m_entries.find(origin);
  if (it == m_entries.end()) return;
  Entry& e = it->second;
  auto now = Clock::now();
  e.fetching = false;
  std::string unreachable;  // why, when the answer is "disallow all"
  if (const auto* failure = std::get_if<FetchFailure>(&result)) {
    unreachable = "robots.txt of " + origin + " unavailable (" + failure->message + ")";
  } else {
    const auto& r = std::get<Response>(result);
    if (r.status >= 200 && r.status < 300) {
      e.kind = Kind::rules;
      e.rules = robots::rules_for(robots::parse(r.body), m_token);
    } else if (r.status == 429 || r.status >= 500 || r.status < 200) {
      unreachable = "robots.txt of " + origin + " answered HTTP " + std::to_string(r.status);
    } else {  // 3xx left unfollowed, 4xx: no robots.txt, no restriction
      e.kind = Kind::allow_all;
      e.rules = {};
    }
  }
  if (unreachable.empty()) {
    e.why.clear();
    e.answered = now;
    e.expires = now + m_options.ttl;
  } else {
    // The last good copy stands in while it is not too old; tried again soon either way.
    bool keep_copy = e.answered && e.kind != Kind::disallow_all && now - *e.answered < m_options.stale_limit;
    if (!keep_copy) {
      e.kind = Kind::disallow_all;
      e.rules = {};
      e.why = std::move(unreachable);
    }
    e.expires = now + m_options.error_ttl;
  }
  std::vector<Waiter> waiters = std::move(e.waiters);
  e.waiters.clear();
  // Verdicts first, calls second: a callback may start a check that changes the map.
  std::vector<std::pair<VerdictCallback, RobotsVerdict>> calls;
  calls.reserve(waiters.size());
  for (Waiter& w : waiters) calls.emplace_back(std::move(w.done), decide(origin, e, w.path));
  for (auto& [done, verdict] : calls) done(std::move(verdict));
}

RobotsVerdict RobotsCache::decide(const std::string& origin, const Entry& entry,
                                  const std::string& path) const {
  switch (entry.kind) {
    case Kind::allow_all:
      return {};
    case Kind::disallow_all:
      return RobotsVerdict{false, entry.why + "; trying again later"};
    case Kind::rules:
      if (entry.rules.allowed(path)) return {};
      return RobotsVerdict{false, "disallowed by " + origin + "/robots.txt for " +
                                      (m_token.empty() ? std::string("*") : m_token) + ": " + path};
  }
  return {};
}

void RobotsCache::evict() {
  if (m_entries.size() < m_options.max_hosts) return;
  auto now = Clock::now();
  for (auto it = m_entries.begin(); it != m_entries.end();) {
    it = (!it->second.fetching && it->second.expires <= now) ? m_entries.erase(it) : std::next(it);
  }
  while (m_entries.size() >= m_options.max_hosts) {
    auto oldest = m_entries.end();
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
      if (it->second.fetching) continue;
      if (oldest == m_entries.end() || it->second.expires < oldest->second.expires) oldest = it;
    }
    if (oldest == m_entries.end()) return;  // all in flight: let the map grow past the cap for now
    m_entries.erase(oldest);
  }
}

}  // namespace fw::net
