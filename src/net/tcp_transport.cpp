// TcpTransport: a non-blocking socket where every wait is one poll() on the socket and an
// eventfd. The deadline of the call bounds the poll; cancel() writes to the eventfd from any
// thread, which wakes the poll and makes this and every later call fail with Errc::cancelled.

#include <mailwire/error.hpp>
#include <mailwire/net/tcp_transport.hpp>

#include "net/resolve.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace mailwire {
namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

// Milliseconds until `deadline` for poll(): rounded up so we never wake a hair early,
// capped to int, -1 for "no deadline".
int poll_timeout(Deadline deadline) {
  if (deadline == no_deadline) return -1;
  const auto now = Clock::now();
  if (deadline <= now) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
  return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

std::string format_address(const sockaddr* addr, socklen_t len) {
  char host[NI_MAXHOST];
  char port[NI_MAXSERV];
  if (getnameinfo(addr, len, host, sizeof host, port, sizeof port,
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return "?";
  }
  if (addr->sa_family == AF_INET6) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

}  // namespace

TcpTransport::TcpTransport() : wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (wake_fd_ < 0) throw Error(Errc::io, "eventfd: " + errno_text(errno));
}

TcpTransport::TcpTransport(int connected_fd) : TcpTransport() {
  fd_ = connected_fd;
  const int flags = fcntl(fd_, F_GETFL, 0);
  if (flags >= 0) fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    peer_address_ = format_address(reinterpret_cast<sockaddr*>(&addr), len);
  }
}

TcpTransport::~TcpTransport() {
  close();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

std::unique_ptr<TcpTransport> TcpTransport::open(const std::string& host, std::uint16_t port,
                                                 const ConnectOptions& options) {
  auto transport = std::make_unique<TcpTransport>();
  transport->connect(host, port, options);
  return transport;
}

void TcpTransport::connect(const std::string& host, std::uint16_t port,
                           const ConnectOptions& options) {
  if (fd_ >= 0) throw Error(Errc::usage, "connect: transport is already connected");
  if (host.empty() || host.find('\0') != std::string::npos) {
    throw Error(Errc::usage, "connect: invalid host name");
  }
  const Deadline deadline = deadline_after(options.timeout);

  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  hints.ai_flags = AI_NUMERICSERV;
  hints.ai_family = options.family == AddressFamily::Ipv4   ? AF_INET
                    : options.family == AddressFamily::Ipv6 ? AF_INET6
                                                            : AF_UNSPEC;
  // Brackets are how users write IPv6 literals in host:port; getaddrinfo wants them bare.
  std::string name = host;
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);
  }
  // The deadline and cancel() cover the lookup too (it runs on a helper thread).
  const detail::AddrinfoList list =
      detail::resolve(name, std::to_string(port), hints, deadline, wake_fd_, host);

  std::string last_error = "no address";
  for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
    throw_if_cancelled();
    const std::string where = format_address(ai->ai_addr, ai->ai_addrlen);
    fd_ = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd_ < 0) {
      last_error = fmt::format("{}: {}", where, errno_text(errno));
      continue;
    }
    int err = 0;
    if (::connect(fd_, ai->ai_addr, ai->ai_addrlen) != 0) {
      err = errno;
      if (err == EINPROGRESS) {
        try {
          wait(POLLOUT, deadline, "connect");
        } catch (const Error& e) {
          close();
          if (e.kind() == Errc::timeout) {
            throw Error(Errc::timeout,
                        fmt::format("connect: timed out connecting to {} ({})", host, where));
          }
          throw;
        }
        socklen_t len = sizeof err;
        if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      }
    }
    if (err == 0) {
      if (options.no_delay) {
        const int one = 1;
        setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      }
      peer_address_ = where;
      return;
    }
    last_error = fmt::format("{}: {}", where, errno_text(err));
    close();
  }
  throw Error(Errc::connect, fmt::format("connect: cannot connect to {}: {}", host, last_error));
}

void TcpTransport::throw_if_cancelled() const {
  if (cancelled_.load(std::memory_order_acquire)) {
    throw Error(Errc::cancelled, "operation cancelled");
  }
}

void TcpTransport::wait(short events, Deadline deadline, const char* what) {
  for (;;) {
    throw_if_cancelled();
    pollfd fds[2] = {{fd_, events, 0}, {wake_fd_, POLLIN, 0}};
    const int rc = ::poll(fds, 2, poll_timeout(deadline));
    if (rc < 0) {
      if (errno == EINTR) continue;
      throw Error(Errc::io, fmt::format("poll: {}", errno_text(errno)));
    }
    throw_if_cancelled();
    if (rc == 0) {
      throw Error(Errc::timeout, fmt::format("timed out waiting to {} {}", what,
                                             peer_address_.empty() ? "" : peer_address_));
    }
    // Errors and hang-ups are reported by the recv/send/getsockopt that follows.
    if (fds[0].revents != 0) return;
  }
}

std::size_t TcpTransport::read_some(char* buffer, std::size_t size, Deadline deadline) {
  if (fd_ < 0) throw Error(Errc::usage, "read: transport is not connected");
  if (size == 0) return 0;
  for (;;) {
    throw_if_cancelled();
    const ssize_t n = ::recv(fd_, buffer, size, 0);
    if (n >= 0) return static_cast<std::size_t>(n);
    const int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      wait(POLLIN, deadline, "read from");
      continue;
    }
    throw Error(Errc::connect, fmt::format("read from {}: {}", peer_address_, errno_text(err)),
                Diagnostics::broken(Reason::connection_lost).with_transient());
  }
}

void TcpTransport::write_all(std::string_view bytes, Deadline deadline) {
  if (fd_ < 0) throw Error(Errc::usage, "write: transport is not connected");
  while (!bytes.empty()) {
    throw_if_cancelled();
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    const int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      wait(POLLOUT, deadline, "write to");
      continue;
    }
    throw Error(Errc::connect, fmt::format("write to {}: {}", peer_address_, errno_text(err)),
                Diagnostics::broken(Reason::connection_lost).with_transient());
  }
}

void TcpTransport::close() noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

void TcpTransport::cancel() noexcept {
  cancelled_.store(true, std::memory_order_release);
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

}  // namespace mailwire
