#pragma once

// TestServer: a real TCP server on 127.0.0.1 (or ::1) on an ephemeral port, playing a
// ScriptedPeer script for each connection it accepts, in its own thread. Implicit TLS is a
// script that starts with "!starttls". The destructor stops the thread and closes every socket.
//
// Also: NeverAccepts, a listening socket whose accept queue is full, so that connect() to it
// hangs until the client's deadline (no traffic leaves the machine).

#include "support/scripted_peer.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mailwire::test {

class TestServer {
 public:
  /// Makes the script for each accepted connection.
  using ScriptFactory = std::function<std::shared_ptr<ScriptedPeer>()>;

  /// Listens on `address` ("127.0.0.1" or "::1"); throws std::runtime_error if it cannot.
  explicit TestServer(ScriptFactory factory, const std::string& address = "127.0.0.1");
  /// Same script text for every connection.
  explicit TestServer(const std::string& script, const std::string& address = "127.0.0.1");
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  /// The scripts played so far (one per connection), for their received() and error().
  std::vector<std::shared_ptr<ScriptedPeer>> peers() const;
  /// Connections accepted so far.
  std::size_t connections() const;

 private:
  void run();
  void serve(int fd, const std::shared_ptr<ScriptedPeer>& peer);

  ScriptFactory factory_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<ScriptedPeer>> peers_;
  std::thread thread_;
};

/// A listener on 127.0.0.1 whose backlog is full: connecting to port() does not complete.
class NeverAccepts {
 public:
  NeverAccepts();
  ~NeverAccepts();
  std::uint16_t port() const noexcept { return port_; }

 private:
  int listen_fd_ = -1;
  std::vector<int> fillers_;
  std::uint16_t port_ = 0;
};

/// A temporary directory removed (recursively) by the destructor.
struct TempDir {
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path;
};

}  // namespace mailwire::test
