#include "daemon/sched/page_checker.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <ctime>
#include <random>

#include "daemon/config/derived.hpp"
#include "daemon/log/log.hpp"
#include "daemon/sched/http_hints.hpp"

namespace fw::sched {

struct PageChecker::Timer {
  explicit Timer(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer;
  std::mt19937_64 rng{std::random_device{}()};
};

PageChecker::PageChecker(Deps deps) : m_deps(std::move(deps)), m_timer(std::make_unique<Timer>(m_deps.io)) {}

PageChecker::~PageChecker() = default;

void PageChecker::configure(const config::Config& config) {
  m_rules.clear();
  for (const config::SiteRule& s : config.sites)
    m_rules.push_back(extract::SiteRule{s.host, s.body, s.remove});
  m_recheck = config.recheck;
  m_lease = std::chrono::duration_cast<std::chrono::seconds>(config.http.timeout) + std::chrono::seconds(120);
}

int PageChecker::check_due(int room) {
  if (m_stopping || room <= 0) return 0;
  auto claimed = m_deps.store.claim_articles(m_deps.owner, room, m_lease);
  if (!claimed) {
    spdlog::error("claim_pages_failed error=\"{}\"", claimed.error().message);
    return 0;
  }
  int n = static_cast<int>(claimed->size());
  for (store::ArticleRow& a : *claimed) m_waiting.push_back(std::move(a));
  dispatch();
  return n;
}

void PageChecker::dispatch() {
  if (m_waiting.empty() || m_stopping) return;
  auto now = HostGate::Clock::now();
  std::optional<HostGate::Clock::duration> next;
  std::deque<store::ArticleRow> still;
  while (!m_waiting.empty()) {
    store::ArticleRow a = std::move(m_waiting.front());
    m_waiting.pop_front();
    std::string host = url_host(a.url);
    if (const auto blocked = m_deps.gate.blocked_for(host, now);
        blocked > HostGate::Clock::duration::zero()) {
      // The host asked us to stay away (Retry-After): the page goes back, due
      // when the block ends, instead of holding its lease until then.
      const auto delay = std::chrono::ceil<std::chrono::seconds>(blocked);
      if (auto r = m_deps.store.release_article(a, m_deps.owner, delay); !r) {
        spdlog::warn("postpone_failed article={} error=\"{}\": its lease runs out instead", a.id,
                     r.error().message);
      } else {
        spdlog::info("page_postponed article={} host={} retry_in_s={} reason=retry_after", a.id, host,
                     delay.count());
      }
      continue;
    }
    auto wait = m_deps.gate.wait_time(host, now);
    if (wait == HostGate::Clock::duration::zero()) {
      m_deps.gate.start(host, now);
      start(std::move(a));
    } else {
      next = next ? std::min(*next, wait) : wait;
      still.push_back(std::move(a));
    }
  }
  m_waiting = std::move(still);
  if (next) {
    m_timer->timer.expires_after(*next);
    m_timer->timer.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) dispatch();
    });
  }
}

void PageChecker::start(store::ArticleRow article) {
  ++m_in_flight;
  net::Request req{article.url, article.etag, article.last_modified};
  req.obey_robots = true;  // pages are crawled; feeds are not (as feed readers do)
  spdlog::debug("page_start article={} url={}", article.id, article.url);
  m_deps.fetcher.fetch(std::move(req), [this, article = std::move(article)](net::FetchResult result) {
    handle(article, std::move(result));
    m_deps.gate.finish(url_host(article.url));
    --m_in_flight;
    dispatch();
    if (m_deps.finished) m_deps.finished();
  });
}

std::chrono::seconds PageChecker::retry_delay(int error_count) {
  // 5 minutes doubling per consecutive failure, ±10 % jitter, up to 6 hours.
  const double base = 300.0 * std::pow(2.0, std::min(error_count, 10));
  std::uniform_real_distribution<double> jitter(0.9, 1.1);
  return std::chrono::seconds(static_cast<std::int64_t>(std::min(base * jitter(m_timer->rng), 6.0 * 3600)));
}

void PageChecker::handle(const store::ArticleRow& article, net::FetchResult result) {
  store::PageFetch fetch;
  if (auto* failure = std::get_if<net::FetchFailure>(&result)) {
    if (m_stopping) {
      (void)m_deps.store.release_article(article, m_deps.owner);  // aborted by shutdown
      return;
    }
    if (failure->kind == net::FetchErrorKind::robots_disallowed) {
      fetch.skipped = true;  // nothing was fetched: the schedule moves on
    } else {
      m_deps.metrics.fetch_done(0, failure->elapsed, 0);
    }
    fetch.error = failure->message;
    fetch.duration_ms = failure->elapsed.count();
  } else {
    auto& response = std::get<net::Response>(result);
    m_deps.metrics.fetch_done(response.status, response.elapsed,
                              static_cast<std::int64_t>(response.body.size()));
    fetch.status = response.status;
    fetch.bytes = static_cast<std::int64_t>(response.body.size());
    fetch.duration_ms = response.elapsed.count();
    fetch.etag = response.etag;
    fetch.last_modified = response.last_modified;
    fetch.final_url = response.effective_url;
    fetch.content_type = response.content_type;
    fetch.body = std::move(response.body);
    if (response.status != 404 && response.status != 410 && response.status != 304 &&
        (response.status < 200 || response.status >= 300)) {
      fetch.error = "HTTP " + std::to_string(response.status) + " from " + response.effective_url;
    }
    if (response.status == 429 || response.status == 503) {
      if (auto d = retry_after(response.retry_after.value_or(""), std::time(nullptr))) {
        // As for a feed poll: the host is left alone until then, by polls and page fetches alike.
        m_deps.gate.block_until(url_host(article.url), HostGate::Clock::now() + *d);
        fetch.retry_after = *d;  // a floor under the next fetch, whatever the retry delay
      }
    }
  }
  fetch.rule = extract::find_site_rule(m_rules, fetch.final_url.empty() ? article.url : fetch.final_url);
  auto counts = m_deps.store.record_page(article, fetch, m_recheck, retry_delay(article.error_count));
  if (!counts) {
    m_deps.metrics.store_failed();
    spdlog::error("store_failed article={} url={} error=\"{}\"", article.id, article.url,
                  counts.error().message);
    return;  // the lease expires and the fetch is retried
  }
  m_deps.metrics.page_checked(counts->edited, counts->removed, counts->restored,
                              fetch.status && *fetch.status >= 200 && *fetch.status < 300, counts->extracted);
  if (fetch.error) {
    spdlog::warn("page_failed article={} url={} error=\"{}\"", article.id, article.url, *fetch.error);
  } else {
    spdlog::info(
        "page article={} url={} status={} outcome={} new_version={} edited={} removed={} restored={} ms={}",
        article.id, article.url, fetch.status.value_or(0), counts->outcome, counts->new_version,
        counts->edited, counts->removed, counts->restored, fetch.duration_ms);
  }
}

void PageChecker::stop() {
  m_stopping = true;
  m_timer->timer.cancel();
  for (const store::ArticleRow& a : m_waiting) (void)m_deps.store.release_article(a, m_deps.owner);
  m_waiting.clear();
}

}  // namespace fw::sched
