#include "tests/support/raw_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace fw::test {

std::string RawConnection::target() const {
  const std::size_t first = m_head.find(' ');
  if (first == std::string::npos) return {};
  const std::size_t second = m_head.find(' ', first + 1);
  return m_head.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
}

bool RawConnection::send(std::string_view data) {
  while (!data.empty()) {
    if (m_stopping.load()) return false;
    pollfd p{m_fd, POLLOUT, 0};
    if (::poll(&p, 1, 100) <= 0) continue;  // a full socket buffer: check `stopping` and wait again
    const ssize_t n = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

struct RawServer::Impl {
  Script script;
  int listen_fd = -1;
  std::uint16_t port = 0;
  std::atomic<bool> stopping{false};
  std::atomic<int> accepted{0};
  std::thread acceptor;
  std::mutex mutex;
  std::vector<std::thread> workers;

  void serve(int fd) {
    // Read the request head (up to 64 KiB, 5 s), then hand the socket to the script.
    std::string head;
    char buffer[4096];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536 && !stopping.load()) {
      pollfd p{fd, POLLIN, 0};
      const int ready = ::poll(&p, 1, 5000);
      if (ready <= 0) break;
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      head.append(buffer, static_cast<std::size_t>(n));
    }
    if (head.find("\r\n\r\n") != std::string::npos) {
      RawConnection connection(fd, head.substr(0, head.find("\r\n\r\n")), stopping);
      script(connection);
    }
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
  }

  void accept_loop() {
    while (!stopping.load()) {
      pollfd p{listen_fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const int fd = ::accept(listen_fd, nullptr, nullptr);
      if (fd < 0) continue;
      ++accepted;
      std::lock_guard lock(mutex);
      workers.emplace_back([this, fd] { serve(fd); });
    }
  }
};

RawServer::RawServer(Script script) : m_impl(std::make_unique<Impl>()) {
  m_impl->script = std::move(script);
  m_impl->listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (m_impl->listen_fd < 0) throw std::runtime_error("RawServer: socket failed");
  int one = 1;
  ::setsockopt(m_impl->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(m_impl->listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(m_impl->listen_fd, 64) != 0) {
    ::close(m_impl->listen_fd);
    throw std::runtime_error("RawServer: bind/listen on 127.0.0.1 failed");
  }
  socklen_t len = sizeof addr;
  ::getsockname(m_impl->listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
  m_impl->port = ntohs(addr.sin_port);
  m_impl->acceptor = std::thread([this] { m_impl->accept_loop(); });
}

RawServer::~RawServer() {
  m_impl->stopping.store(true);
  m_impl->acceptor.join();
  ::close(m_impl->listen_fd);
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(m_impl->mutex);
    workers.swap(m_impl->workers);
  }
  for (std::thread& t : workers) t.join();
}

std::uint16_t RawServer::port() const {
  return m_impl->port;
}

std::string RawServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(m_impl->port) + path;
}

int RawServer::connections() const {
  return m_impl->accepted.load();
}

}  // namespace fw::test
