#pragma once

// FakeSmtpServer: an in-memory SMTP server that behaves rather than plays a script, for tests
// where which message goes over which connection is not fixed (a pool, many threads).
//
//   FakeSmtpServer server;
//   server.settings().max_messages_per_connection = 3;  // then 421 and hang up
//   client.connect(server.transport(), "mx.example");
//   ...
//   CHECK(server.accepted().size() == 10);
//
// It answers one command at a time (no PIPELINING offered), each connection on its own, and
// keeps every accepted message. Thread-safe: any number of connections from any threads.
// A read with no reply due fails with Error(timeout) at once (the client waits for nothing).

#include <mailwire/net/transport.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mailwire::test {

class FakeSmtpServer {
 public:
  /// How the server behaves; change before connections are made.
  struct Settings {
    /// After this many messages on one connection, the next MAIL FROM gets 421 and the
    /// connection closes (0: no limit).
    std::size_t max_messages_per_connection = 0;
    /// Recipients containing this text are refused with 550 (empty: none).
    std::string refuse_recipients_containing;
    /// The first this many ends of data get 451 (server-wide).
    std::size_t transient_failures = 0;
    /// The first this many connections are refused in the greeting with 421.
    std::size_t refuse_connections = 0;
    /// The first this many ends of data (server-wide) are accepted (kept) but get no reply:
    /// the connection closes, so the client cannot know (an unknown outcome).
    std::size_t drop_after_data = 0;
    /// Offer PIPELINING (the server always answers command by command, pipelined or not).
    bool pipelining = false;
    /// Offer 8BITMIME in the EHLO reply.
    bool eight_bit_mime = true;
  };
  /// One accepted message.
  struct Message {
    std::string sender;
    std::vector<std::string> recipients;
    std::string data;            ///< as received, dot-stuffed, without the final "."
    std::size_t connection = 0;  ///< which connection (from 1) carried it
  };

  FakeSmtpServer();
  ~FakeSmtpServer();
  FakeSmtpServer(const FakeSmtpServer&) = delete;
  FakeSmtpServer& operator=(const FakeSmtpServer&) = delete;

  /// The behaviour (not thread-safe: set before connecting).
  Settings& settings() noexcept { return settings_; }
  /// A new connection to this server.
  std::unique_ptr<Transport> transport();
  /// Every message accepted so far.
  std::vector<Message> accepted() const;
  /// Connections made so far.
  std::size_t connections() const;
  /// The most connections open at one time.
  std::size_t max_open_connections() const;
  /// Called (under no lock of the server) for each message accepted.
  void on_accept(std::function<void(const Message&)> callback) { on_accept_ = std::move(callback); }

 private:
  friend class FakeSmtpConnection;
  Settings settings_;
  mutable std::mutex mutex_;
  std::vector<Message> accepted_;
  std::size_t connections_ = 0;
  std::size_t open_ = 0;
  std::size_t max_open_ = 0;
  std::size_t transient_left_ = 0;
  std::size_t drop_left_ = 0;
  bool transient_set_ = false;
  std::function<void(const Message&)> on_accept_;
};

/// A FakeSmtpServer on a real TCP port of 127.0.0.1 (for a `mailwire` process): each accepted
/// socket is one FakeSmtpServer connection, served by its own thread. The destructor stops
/// every thread and closes every socket.
class FakeSmtpListener {
 public:
  /// Listens on an ephemeral port of 127.0.0.1; throws std::runtime_error if it cannot.
  explicit FakeSmtpListener(FakeSmtpServer& server);
  ~FakeSmtpListener();
  FakeSmtpListener(const FakeSmtpListener&) = delete;
  FakeSmtpListener& operator=(const FakeSmtpListener&) = delete;
  /// The port.
  std::uint16_t port() const noexcept { return port_; }

 private:
  void run();
  void serve(int fd);
  FakeSmtpServer& server_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::thread> threads_;
  std::thread thread_;
};

}  // namespace mailwire::test
