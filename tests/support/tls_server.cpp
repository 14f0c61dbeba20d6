#include "tests/support/tls_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/support/support.hpp"

// Boost.Asio's SSL parts, compiled once here (the daemon itself does not use
// them; BOOST_ASIO_SEPARATE_COMPILATION comes with fw_daemon).
#include <boost/asio/ssl/impl/src.hpp>

namespace fw::test {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertDeleter {
  void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using Cert = std::unique_ptr<X509, CertDeleter>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("TlsServer: ") + what + " failed");
}

Key make_key() {
  Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  check(key != nullptr, "key generation");
  return key;
}

void add_extension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
  check(ext != nullptr, "certificate extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for `key` valid from an hour ago for a day, signed by `issuer`
// (self-signed when null): a CA, or a server certificate for 127.0.0.1 and localhost.
Cert make_cert(EVP_PKEY* key, const char* common_name, long serial, X509* issuer, EVP_PKEY* issuer_key) {
  Cert cert(X509_new());
  X509* x = cert.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name),
                             -1, -1, 0);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer ? issuer : x, x, nullptr, nullptr, 0);
  add_extension(x, &ctx, NID_subject_key_identifier, "hash");
  if (!issuer) {
    add_extension(x, &ctx, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(x, &ctx, NID_authority_key_identifier, "keyid:always");
    add_extension(x, &ctx, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(x, &ctx, NID_key_usage, "critical,digitalSignature");
    add_extension(x, &ctx, NID_ext_key_usage, "serverAuth");
    add_extension(x, &ctx, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  }
  check(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0, "signing");
  return cert;
}

class StreamConnection final : public TlsConnection {
 public:
  StreamConnection(ssl::stream<tcp::socket>& stream, std::string head)
      : m_stream(stream), m_head(std::move(head)) {}
  const std::string& head() const override { return m_head; }
  bool send(std::string_view data) override {
    boost::system::error_code ec;
    asio::write(m_stream, asio::buffer(data.data(), data.size()), ec);
    return !ec;
  }
  void close_notify() override {
    // Sends close_notify, then waits for the client's answer or its close.
    boost::system::error_code ec;
    m_stream.shutdown(ec);
  }

 private:
  ssl::stream<tcp::socket>& m_stream;
  std::string m_head;
};

// Reads up to `max` bytes from `fd` (5 s per read); what came before an error.
std::string read_some(int fd, std::size_t max) {
  std::string out;
  char buffer[4096];
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 5000) <= 0) return out;
  const ssize_t n = ::recv(fd, buffer, std::min(sizeof buffer, max), 0);
  if (n > 0) out.append(buffer, static_cast<std::size_t>(n));
  return out;
}

}  // namespace

struct TlsServer::Impl {
  Script script;
  std::size_t cut_flight_bytes = 0;  // 0: complete handshakes
  TempDir dir;
  std::string ca_path;
  asio::io_context io;  // owns the sockets; only synchronous operations are used
  ssl::context context{ssl::context::tls_server};
  int listen_fd = -1;
  std::uint16_t port = 0;
  std::atomic<bool> stopping{false};
  std::atomic<int> accepted{0};
  std::atomic<int> handshakes{0};
  std::thread acceptor;
  std::mutex mutex;
  std::vector<std::thread> workers;

  void make_certificates() {
    Key ca_key = make_key();
    Cert ca = make_cert(ca_key.get(), "feedwatch test CA", 1, nullptr, nullptr);
    Key server_key = make_key();
    Cert server = make_cert(server_key.get(), "127.0.0.1", 2, ca.get(), ca_key.get());
    check(SSL_CTX_use_certificate(context.native_handle(), server.get()) == 1, "loading the certificate");
    check(SSL_CTX_use_PrivateKey(context.native_handle(), server_key.get()) == 1, "loading the key");
    ca_path = dir.path() + "/ca.pem";
    BIO* out = BIO_new_file(ca_path.c_str(), "w");
    check(out != nullptr, "writing the CA file");
    const int written = PEM_write_bio_X509(out, ca.get());
    BIO_free(out);
    check(written == 1, "writing the CA file");
  }

  void serve_tls(int fd) {
    tcp::socket socket(io);
    boost::system::error_code ec;
    socket.assign(tcp::v4(), fd, ec);
    if (ec) {
      ::close(fd);
      return;
    }
    ssl::stream<tcp::socket> stream(std::move(socket), context);
    stream.handshake(ssl::stream_base::server, ec);
    if (!ec) {
      ++handshakes;
      std::string head;
      char buffer[4096];
      while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
        const std::size_t n = stream.read_some(asio::buffer(buffer), ec);
        if (ec) break;
        head.append(buffer, n);
      }
      if (head.find("\r\n\r\n") != std::string::npos) {
        StreamConnection connection(stream, head.substr(0, head.find("\r\n\r\n")));
        script(connection);
      }
    }
    // Whatever the script did not end cleanly ends here with a bare TCP close.
    stream.next_layer().shutdown(tcp::socket::shutdown_both, ec);
    stream.next_layer().close(ec);
  }

  // Reads the client's first TLS record (its ClientHello), lets OpenSSL answer
  // it into memory, sends the first `cut_flight_bytes` of that answer, closes.
  void serve_cut(int fd) {
    std::string hello;
    std::size_t want = 5;  // record header: type, version, 2-byte length
    while (hello.size() < want) {
      const std::string more = read_some(fd, want - hello.size());
      if (more.empty()) break;
      hello += more;
      if (hello.size() >= 5 && want == 5) {
        want = 5 + ((static_cast<unsigned char>(hello[3]) << 8) | static_cast<unsigned char>(hello[4]));
      }
    }
    if (hello.size() == want && want > 5) {
      SSL* tls = SSL_new(context.native_handle());
      BIO* in = BIO_new(BIO_s_mem());
      BIO* out = BIO_new(BIO_s_mem());
      SSL_set_bio(tls, in, out);  // `tls` owns both
      SSL_set_accept_state(tls);
      BIO_write(in, hello.data(), static_cast<int>(hello.size()));
      SSL_do_handshake(tls);  // wants the client's next flight; the server's first is in `out`
      std::string flight(static_cast<std::size_t>(BIO_ctrl_pending(out)), '\0');
      const int n = BIO_read(out, flight.data(), static_cast<int>(flight.size()));
      flight.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
      SSL_free(tls);
      flight.resize(std::min(flight.size(), cut_flight_bytes));
      std::string_view rest(flight);
      while (!rest.empty()) {
        const ssize_t sent = ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
        if (sent <= 0) break;
        rest.remove_prefix(static_cast<std::size_t>(sent));
      }
    }
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
  }

  void accept_loop() {
    while (!stopping.load()) {
      pollfd p{listen_fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++accepted;
      std::lock_guard lock(mutex);
      workers.emplace_back([this, fd] { cut_flight_bytes > 0 ? serve_cut(fd) : serve_tls(fd); });
    }
  }
};

TlsServer::TlsServer(Script script) : TlsServer(std::move(script), 0) {}

std::unique_ptr<TlsServer> TlsServer::cut_handshake(std::size_t flight_bytes) {
  return std::unique_ptr<TlsServer>(new TlsServer(Script{}, std::max<std::size_t>(flight_bytes, 1)));
}

TlsServer::TlsServer(Script script, std::size_t cut_flight_bytes) : m_impl(std::make_unique<Impl>()) {
  m_impl->script = std::move(script);
  m_impl->cut_flight_bytes = cut_flight_bytes;
  m_impl->make_certificates();
  m_impl->listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (m_impl->listen_fd < 0) throw std::runtime_error("TlsServer: socket failed");
  int one = 1;
  ::setsockopt(m_impl->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(m_impl->listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(m_impl->listen_fd, 64) != 0) {
    ::close(m_impl->listen_fd);
    throw std::runtime_error("TlsServer: bind/listen on 127.0.0.1 failed");
  }
  socklen_t len = sizeof addr;
  ::getsockname(m_impl->listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
  m_impl->port = ntohs(addr.sin_port);
  m_impl->acceptor = std::thread([this] { m_impl->accept_loop(); });
}

TlsServer::~TlsServer() {
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

std::uint16_t TlsServer::port() const {
  return m_impl->port;
}

std::string TlsServer::url(const std::string& path) const {
  return "https://127.0.0.1:" + std::to_string(m_impl->port) + path;
}

const std::string& TlsServer::ca_file() const {
  return m_impl->ca_path;
}

int TlsServer::connections() const {
  return m_impl->accepted.load();
}

int TlsServer::handshakes() const {
  return m_impl->handshakes.load();
}

}  // namespace fw::test
