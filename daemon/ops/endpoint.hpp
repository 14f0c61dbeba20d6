// The operations endpoint on metrics.listen: GET /metrics (Prometheus text
// format) and GET /healthz. It runs on its own thread with its own io_context
// and database connection, so a stuck event loop cannot silence it: /healthz
// then answers 503, which is the point.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "daemon/ops/metrics.hpp"

namespace fw::ops {

struct EndpointOptions {
  std::string listen;                     // "127.0.0.1:9464", "[::1]:9464", "localhost:9464"
  std::string conninfo;                   // the database to report on
  std::chrono::seconds stuck_after{120};  // /healthz fails when the loop has not ticked for this long
};

class Endpoint {
 public:
  // Binds and starts serving; throws std::runtime_error when the address cannot be bound.
  Endpoint(EndpointOptions options, const Metrics& metrics);
  ~Endpoint();
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// Per-source health and lease counts from the database, in the exposition format.
// Empty with an error when the database cannot be read.
std::string render_source_health(const std::string& conninfo, std::string* error);

}  // namespace fw::ops
