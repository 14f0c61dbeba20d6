// A real HTTP/1.1 server on 127.0.0.1 (port chosen by the kernel) for tests:
// Boost.Beast on its own thread. Each test gives a handler that answers requests;
// the server records every request (method, target, headers) so tests can assert
// what the client sent, e.g. If-None-Match on a second poll.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace fw::test {

struct HttpRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::chrono::steady_clock::time_point received;
  std::string body;
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  bool has_header(const std::string& lower_name) const { return headers.count(lower_name) != 0; }
};

struct HttpReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

using HttpHandler = std::function<HttpReply(const HttpRequest&)>;

class HttpServer {
 public:
  // `threads` > 1 runs handlers concurrently (for tests of client concurrency).
  explicit HttpServer(HttpHandler handler, int threads = 1);
  // On a given port of 127.0.0.1 (a receiver that comes back where it was).
  HttpServer(HttpHandler handler, std::uint16_t port);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;
  std::string url(const std::string& path) const;  // "http://127.0.0.1:PORT" + path

  std::vector<HttpRequest> requests() const;
  int hits(const std::string& target) const;
  int connections() const;  // TCP connections accepted so far
  void set_handler(HttpHandler handler);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace fw::test
