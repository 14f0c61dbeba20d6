// An HTTPS server on 127.0.0.1 for tests of TLS failures: Boost.Asio SSL over
// OpenSSL, with a throwaway certificate authority and server certificate
// (for 127.0.0.1 and localhost) made at start-up; the CA certificate is written
// to a PEM file the client is told to trust (http.ca_file). Each connection
// runs the test's script on its own thread, after the TLS handshake and the
// request head, so the script decides how the answer ends: close_notify, a bare
// TCP close, or a body cut short. A server made with `cut_handshake` instead
// answers the ClientHello with only part of its first flight and closes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace fw::test {

class TlsConnection {
 public:
  virtual ~TlsConnection() = default;
  virtual const std::string& head() const = 0;  // request line and headers
  // Writes all of `data` as TLS records; false once the peer has gone.
  virtual bool send(std::string_view data) = 0;
  // Sends close_notify (a clean TLS end). Without it the script's return
  // closes the TCP connection bare, as a cut connection would.
  virtual void close_notify() = 0;
};

class TlsServer {
 public:
  using Script = std::function<void(TlsConnection&)>;
  explicit TlsServer(Script script);
  // Cuts every handshake: reads the ClientHello, sends the first
  // `flight_bytes` bytes of the server's answer (ServerHello, ...) and closes.
  static std::unique_ptr<TlsServer> cut_handshake(std::size_t flight_bytes);
  ~TlsServer();  // stops accepting, joins every thread
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;

  std::uint16_t port() const;
  std::string url(const std::string& path) const;  // "https://127.0.0.1:PORT" + path
  const std::string& ca_file() const;              // PEM of the CA that signed the server's certificate
  int connections() const;                         // TCP connections accepted so far
  int handshakes() const;                          // TLS handshakes completed so far

 private:
  struct Impl;
  TlsServer(Script script, std::size_t cut_flight_bytes);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace fw::test
