// The read-only analyst web view on web.listen (DESIGN.md "Configuration"):
// an HTTP/1.1 server (Boost.Beast) on its own thread and io_context with its
// own read-only database connection, so slow pages never hold up polling and
// polling never holds up pages. Pages: daemon/web/pages.hpp.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fw::config {
struct Config;
}

namespace fw::web {

struct ServerOptions {
  std::string listen;    // "127.0.0.1:8080", "[::1]:8080", "localhost:8080"
  std::string conninfo;  // the database; the connection is made read-only (and feedwatch_analyst if allowed)
  std::vector<std::string> feeds;  // filter choices
  std::vector<std::string> rules;
  // Authentication: when set, every request needs "Authorization: Bearer <token>"
  // or Basic with user and password (either one that is configured).
  std::string token;
  std::string user;
  std::string password;

  bool operator==(const ServerOptions&) const = default;
};

// Options from the config: web.listen, feeds and rules, and the credentials
// read from the environment variables that web.token_env / user_env /
// password_env name. Throws std::runtime_error when a named variable is unset
// or empty (the view never starts open when the operator asked for a login).
ServerOptions options_from_config(const config::Config& config, const std::string& conninfo);

class Server {
 public:
  // Binds and starts serving; throws std::runtime_error when the address cannot be bound.
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace fw::web
