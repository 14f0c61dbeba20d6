// A bare TCP server on 127.0.0.1 for answers a well-behaved HTTP library will
// not send: a body cut short, a Content-Length that never arrives, a body with
// no end, one byte at a time. Each connection runs the test's script on its own
// thread after the request head has been read; the script writes raw bytes.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace fw::test {

class RawConnection {
 public:
  RawConnection(int fd, std::string head, const std::atomic<bool>& stopping)
      : m_fd(fd), m_head(std::move(head)), m_stopping(stopping) {}
  const std::string& head() const { return m_head; }  // request line and headers
  std::string target() const;                         // "/feed" from "GET /feed HTTP/1.1"
  // Writes all of `data`; false once the peer has gone or the server stops.
  bool send(std::string_view data);
  bool stopping() const { return m_stopping.load(); }

 private:
  int m_fd;
  std::string m_head;
  const std::atomic<bool>& m_stopping;
};

class RawServer {
 public:
  using Script = std::function<void(RawConnection&)>;
  explicit RawServer(Script script);
  ~RawServer();  // stops accepting, tells scripts to stop, joins every thread
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;

  std::uint16_t port() const;
  std::string url(const std::string& path) const;  // "http://127.0.0.1:PORT" + path
  int connections() const;                         // connections accepted so far

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace fw::test
