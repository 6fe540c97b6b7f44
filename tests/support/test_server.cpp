#include "support/test_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace mailwire::test {
namespace {

int listen_on(const std::string& address, std::uint16_t& port, int backlog) {
  const bool v6 = address.find(':') != std::string::npos;
  const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("test server: socket failed");
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    inet_pton(AF_INET6, address.c_str(), &a->sin6_addr);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    inet_pton(AF_INET, address.c_str(), &a->sin_addr);
    len = sizeof *a;
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, backlog) != 0) {
    ::close(fd);
    throw std::runtime_error("test server: cannot listen on " + address);
  }
  len = sizeof ss;
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  port = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                  : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  return fd;
}

}  // namespace

TestServer::TestServer(ScriptFactory factory, const std::string& address)
    : factory_(std::move(factory)) {
  listen_fd_ = listen_on(address, port_, 16);
  if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("test server: pipe");
  thread_ = std::thread([this] { run(); });
}

TestServer::TestServer(const std::string& script, const std::string& address)
    : TestServer([script] { return ScriptedPeer::parse(script); }, address) {}

TestServer::~TestServer() {
  stop_ = true;
  [[maybe_unused]] const ssize_t n = ::write(wake_[1], "x", 1);
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

std::vector<std::shared_ptr<ScriptedPeer>> TestServer::peers() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return peers_;
}

std::size_t TestServer::connections() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return peers_.size();
}

void TestServer::run() {
  while (!stop_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, 1000) <= 0 || stop_) continue;
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    auto peer = factory_();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      peers_.push_back(peer);
    }
    serve(fd, peer);  // one connection at a time: tests are sequential
  }
}

void TestServer::serve(int fd, const std::shared_ptr<ScriptedPeer>& peer) {
  char buf[16384];
  bool stalled = false;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!stop_ && std::chrono::steady_clock::now() < give_up) {
    if (!stalled) {
      ScriptedPeer::Output out{ScriptedPeer::OutputKind::NeedInput, 0, {}};
      try {
        out = peer->next_output(buf, sizeof buf);
      } catch (const std::exception&) {
        break;
      }
      if (out.kind == ScriptedPeer::OutputKind::Data) {
        if (::send(fd, buf, out.size, MSG_NOSIGNAL) < 0) break;
        continue;
      }
      if (out.kind == ScriptedPeer::OutputKind::Eof) break;
      if (out.kind == ScriptedPeer::OutputKind::Reset) {
        const linger hard{1, 0};  // close with RST
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
        break;
      }
      if (out.kind == ScriptedPeer::OutputKind::Stall) stalled = true;
    }
    // Wait for the client (or, stalled, just hold the connection open and read what comes).
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, 200) <= 0) continue;
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      peer->on_close();
      break;
    }
    if (stalled) continue;  // a stalled server reads what comes (a ClientHello) and says nothing
    try {
      peer->on_write(std::string_view(buf, static_cast<std::size_t>(n)));
    } catch (const std::exception&) {
      break;  // the mismatch is in peer->error()
    }
  }
  ::close(fd);
}

NeverAccepts::NeverAccepts() {
  listen_fd_ = listen_on("127.0.0.1", port_, 0);
  // Fill the accept queue; further SYNs are dropped, so a connect hangs.
  for (int i = 0; i < 8; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port_);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    fillers_.push_back(fd);
  }
  ::usleep(100 * 1000);
}

NeverAccepts::~NeverAccepts() {
  for (const int fd : fillers_)
    ::close(fd);
  ::close(listen_fd_);
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/mailwire-test-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  path = tmpl;
}

TempDir::~TempDir() {
  std::system(("rm -rf '" + path + "'").c_str());
}

}  // namespace mailwire::test
