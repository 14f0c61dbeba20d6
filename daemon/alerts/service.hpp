// Alerting in the daemon: the outbox writer (Alerter, the store's event sink)
// and the delivery worker, on the poller's io_context.
//
// The worker sends what the outbox holds, independently of polling: it has its
// own libcurl multi handle, so a receiver that is down, slow or failing never
// delays a feed fetch. Each pass claims due rows with a lease (SKIP LOCKED, as
// feeds are claimed: several daemons never send the same row at once), sends
// them, and records the outcome:
//  - success (2xx, or exit status 0 for exec hooks): `delivered`;
//  - failure: the attempt is counted and the row waits
//        min(retry.max, retry.initial * 2^(attempts-1)) * uniform(0.8, 1.2)
//    (exponential backoff with jitter, so receivers coming back are not hit by
//    every daemon at the same instant); after retry.max_attempts it is `dead`
//    (`feedwatch alerts retry` sends it again).
// A daemon killed mid-send leaves a lease that expires after the hook's
// timeout plus a margin; the row is then sent again with the same idempotency
// key (at least once; receivers deduplicate on the key).
//
// Digest hooks send at most one request per window: the window is claimed in
// the alert_digests table (row lock), then up to k_max_digest due rows go out
// in one request whose own key is derived from theirs.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "daemon/config/config.hpp"
#include "daemon/store/events.hpp"

namespace boost::asio {
class io_context;
}
namespace fw::db {
class Connection;
}
namespace fw::ops {
class Metrics;
}

namespace fw::alerts {

class AlertService {
 public:
  AlertService(boost::asio::io_context& io, db::Connection& conn, ops::Metrics& metrics,
               const config::Config& config, std::string owner);
  ~AlertService();
  AlertService(const AlertService&) = delete;
  AlertService& operator=(const AlertService&) = delete;

  // For Store::set_event_sink: writes deliveries inside the store's transaction.
  store::EventSink sink();

  // New rules and hooks (SIGHUP). Deliveries in flight finish with their old hook settings.
  void reload(const config::Config& config);

  // run(): passes every few seconds from now on.
  void start();
  // New rows may be due: a pass soon.
  void kick();
  // once(): one attempt at every due delivery; returns when all have finished.
  void deliver_pending();

  // SIGTERM: no new attempts; `idle` is called once nothing is in flight.
  void stop(std::function<void()> idle);
  bool idle() const;
  // Drain time-out: abandon attempts in flight (their leases are released or expire).
  void cancel_all();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace fw::alerts
