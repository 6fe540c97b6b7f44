#pragma once

/// \file
/// Plain TCP connections: name resolution, IPv6 and IPv4, deadlines, cancellation.

#include <mailwire/export.hpp>
#include <mailwire/net/transport.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace mailwire {

/// Which address families TcpTransport::connect may use.
enum class AddressFamily {
  Any,   ///< every address getaddrinfo() returns, in its order (RFC 6724, /etc/gai.conf)
  Ipv4,  ///< IPv4 addresses only
  Ipv6,  ///< IPv6 addresses only
};

/// Settings for TcpTransport::connect.
struct ConnectOptions {
  /// Gives up connecting after this long (resolution plus all addresses tried).
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  /// Address families to try; default: any.
  AddressFamily family = AddressFamily::Any;
  /// Disable Nagle's algorithm (small commands are sent at once).
  bool no_delay = true;
};

/// A TCP connection on a non-blocking socket; every wait is a poll() bounded by the call's
/// deadline, and cancel() from another thread wakes it.
class MAILWIRE_API TcpTransport final : public Transport {
 public:
  /// An unconnected transport (cancel() already works on it).
  TcpTransport();
  /// Adopts a connected socket (any stream socket); the transport owns and closes it.
  explicit TcpTransport(int connected_fd);
  /// Closes the socket.
  ~TcpTransport() override;

  /// Resolves `host` (getaddrinfo, on a helper thread so that the deadline and cancel() bound
  /// the lookup too; address literals directly) and tries each address in order until one
  /// connects.
  /// Throws Error(connect) naming the host and the last failure, Error(timeout), Error(cancelled).
  void connect(const std::string& host, std::uint16_t port, const ConnectOptions& options = {});

  /// Convenience: a new transport connected to host:port.
  static std::unique_ptr<TcpTransport> open(const std::string& host, std::uint16_t port,
                                            const ConnectOptions& options = {});

  std::size_t read_some(char* buffer, std::size_t size, Deadline deadline) override;
  void write_all(std::string_view bytes, Deadline deadline) override;
  void close() noexcept override;
  void cancel() noexcept override;

  /// "127.0.0.1:25" or "[::1]:25" once connected.
  const std::string& peer_address() const noexcept { return peer_address_; }

 private:
  void wait(short events, Deadline deadline, const char* what);
  void throw_if_cancelled() const;

  int fd_ = -1;
  int wake_fd_ = -1;  // eventfd: cancel() writes to it, waits poll it
  std::atomic<bool> cancelled_{false};
  std::string peer_address_;
};

}  // namespace mailwire
