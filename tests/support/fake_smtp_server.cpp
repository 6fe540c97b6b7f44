#include "support/fake_smtp_server.hpp"

#include <mailwire/error.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace mailwire::test {

class FakeSmtpConnection final : public Transport {
 public:
  FakeSmtpConnection(FakeSmtpServer& server, std::size_t id, bool refuse)
      : server_(server), id_(id) {
    if (refuse) {
      out_ = "421 4.3.2 mx.example busy, try later\r\n";
      closing_ = true;
    } else {
      out_ = "220 mx.example ESMTP fake\r\n";
    }
  }
  ~FakeSmtpConnection() override { close(); }

  std::size_t read_some(char* buffer, std::size_t size, Deadline) override {
    if (out_.empty()) {
      if (closing_ || closed_) return 0;
      throw Error(Errc::timeout, "fake smtp server: no reply due");
    }
    const std::size_t n = std::min(size, out_.size());
    std::memcpy(buffer, out_.data(), n);
    out_.erase(0, n);
    return n;
  }

  void write_all(std::string_view bytes, Deadline) override {
    if (closing_ || closed_) throw Error(Errc::connect, "fake smtp server: connection closed");
    in_.append(bytes);
    for (;;) {
      if (in_data_) {
        const std::size_t end = in_.find("\r\n.\r\n");
        if (end == std::string::npos) return;
        message_.data = in_.substr(0, end + 2);
        in_.erase(0, end + 5);
        in_data_ = false;
        end_of_data();
        continue;
      }
      const std::size_t eol = in_.find("\r\n");
      if (eol == std::string::npos) return;
      const std::string line = in_.substr(0, eol);
      in_.erase(0, eol + 2);
      command(line);
    }
  }

  void close() noexcept override {
    if (closed_) return;
    closed_ = true;
    std::lock_guard<std::mutex> lock(server_.mutex_);
    --server_.open_;
  }

 private:
  static std::string address(const std::string& line) {
    const std::size_t open = line.find('<');
    const std::size_t close = line.find('>', open);
    if (open == std::string::npos || close == std::string::npos) return {};
    return line.substr(open + 1, close - open - 1);
  }

  void reply(const std::string& text) { out_ += text + "\r\n"; }

  void command(const std::string& line) {
    const std::string verb = line.substr(0, 4);
    if (verb == "EHLO" || verb == "HELO") {
      reply("250-mx.example");
      if (server_.settings_.eight_bit_mime) reply("250-8BITMIME");
      if (server_.settings_.pipelining) reply("250-PIPELINING");
      reply("250 ENHANCEDSTATUSCODES");
    } else if (verb == "MAIL") {
      if (server_.settings_.max_messages_per_connection != 0 &&
          messages_ >= server_.settings_.max_messages_per_connection) {
        reply("421 4.7.0 too many messages on one connection");
        closing_ = true;
        return;
      }
      message_ = {};
      message_.sender = address(line);
      message_.connection = id_;
      reply("250 2.1.0 Ok");
    } else if (verb == "RCPT") {
      const std::string rcpt = address(line);
      const std::string& refuse = server_.settings_.refuse_recipients_containing;
      if (!refuse.empty() && rcpt.find(refuse) != std::string::npos) {
        reply("550 5.1.1 <" + rcpt + ">: user unknown");
        return;
      }
      message_.recipients.push_back(rcpt);
      reply("250 2.1.5 Ok");
    } else if (verb == "DATA") {
      if (message_.recipients.empty()) {
        reply("554 5.5.1 no valid recipients");
        return;
      }
      in_data_ = true;
      reply("354 go ahead");
    } else if (verb == "RSET") {
      message_ = {};
      reply("250 2.0.0 Ok");
    } else if (verb == "NOOP") {
      reply("250 2.0.0 Ok");
    } else if (verb == "QUIT") {
      reply("221 2.0.0 Bye");
      closing_ = true;
    } else {
      reply("500 5.5.2 unknown command");
    }
  }

  void end_of_data() {
    ++messages_;
    {
      std::lock_guard<std::mutex> lock(server_.mutex_);
      if (server_.transient_left_ > 0) {
        --server_.transient_left_;
        reply("451 4.3.0 try again later");
        return;
      }
      server_.accepted_.push_back(message_);
      if (server_.drop_left_ > 0) {
        --server_.drop_left_;
        closing_ = true;  // kept, but no reply: the client cannot know
        in_.clear();
        return;
      }
    }
    if (server_.on_accept_) server_.on_accept_(message_);
    reply("250 2.0.0 Ok: queued");
  }

  FakeSmtpServer& server_;
  std::size_t id_;
  std::string in_;
  std::string out_;
  bool in_data_ = false;
  bool closing_ = false;
  bool closed_ = false;
  std::size_t messages_ = 0;
  FakeSmtpServer::Message message_;
};

FakeSmtpServer::FakeSmtpServer() = default;
FakeSmtpServer::~FakeSmtpServer() = default;

std::unique_ptr<Transport> FakeSmtpServer::transport() {
  std::size_t id = 0;
  bool refuse = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!transient_set_) {
      transient_left_ = settings_.transient_failures;
      drop_left_ = settings_.drop_after_data;
      transient_set_ = true;
    }
    id = ++connections_;
    refuse = id <= settings_.refuse_connections;
    max_open_ = std::max(max_open_, ++open_);
  }
  return std::make_unique<FakeSmtpConnection>(*this, id, refuse);
}

std::vector<FakeSmtpServer::Message> FakeSmtpServer::accepted() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return accepted_;
}

std::size_t FakeSmtpServer::connections() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return connections_;
}

std::size_t FakeSmtpServer::max_open_connections() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return max_open_;
}

FakeSmtpListener::FakeSmtpListener(FakeSmtpServer& server) : server_(server) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("fake smtp listener: socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("fake smtp listener: bind/listen");
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { run(); });
}

FakeSmtpListener::~FakeSmtpListener() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  ::close(listen_fd_);
}

void FakeSmtpListener::run() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mutex_);
    threads_.emplace_back([this, fd] { serve(fd); });
  }
}

void FakeSmtpListener::serve(int fd) {
  std::unique_ptr<Transport> conn = server_.transport();
  const auto flush = [&]() -> bool {  // the replies due, to the socket; false: closing
    char buf[16 * 1024];
    for (;;) {
      std::size_t n = 0;
      try {
        n = conn->read_some(buf, sizeof buf, Deadline::max());
      } catch (const Error&) {
        return true;  // no reply due
      }
      if (n == 0) return false;
      for (std::size_t done = 0; done < n;) {
        const ssize_t w = ::send(fd, buf + done, n - done, MSG_NOSIGNAL);
        if (w <= 0) return false;
        done += static_cast<std::size_t>(w);
      }
    }
  };
  bool open = flush();
  char buf[64 * 1024];
  while (open && !stop_) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    try {
      conn->write_all(std::string_view(buf, static_cast<std::size_t>(n)), Deadline::max());
    } catch (const Error&) {
      break;
    }
    open = flush();
  }
  conn->close();
  ::close(fd);
}

}  // namespace mailwire::test
