// 08_custom_transport: any byte stream can carry mailwire's clients. This one wraps a TCP
// connection and counts the bytes each way (a proxy, a socket handed over by a supervisor, or
// an in-memory test peer plug in the same way). TLS still works on top of it: STARTTLS wraps
// whatever transport the client was given.
//
//   MAILWIRE_PASSWORD=secret 08_custom_transport HOST PORT USER [--ca-file FILE]

#include <mailwire/mailwire.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

class CountingTransport final : public mailwire::Transport {
 public:
  explicit CountingTransport(std::unique_ptr<mailwire::Transport> inner)
      : inner_(std::move(inner)) {}
  ~CountingTransport() override {
    std::printf("transport: %zu bytes received, %zu bytes sent\n", received_, sent_);
  }
  std::size_t read_some(char* buffer, std::size_t size, mailwire::Deadline deadline) override {
    const std::size_t n = inner_->read_some(buffer, size, deadline);
    received_ += n;
    return n;
  }
  void write_all(std::string_view bytes, mailwire::Deadline deadline) override {
    inner_->write_all(bytes, deadline);
    sent_ += bytes.size();
  }
  void close() noexcept override { inner_->close(); }
  void cancel() noexcept override { inner_->cancel(); }

 private:
  std::unique_ptr<mailwire::Transport> inner_;
  std::size_t received_ = 0;
  std::size_t sent_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const char* password = std::getenv("MAILWIRE_PASSWORD");
  if (argc < 4 || password == nullptr) {
    std::fprintf(stderr,
                 "usage: MAILWIRE_PASSWORD=... 08_custom_transport HOST PORT USER "
                 "[--ca-file FILE]\n");
    return 2;
  }
  mailwire::Pop3Options options;
  options.security = mailwire::Security::StartTls;  // STLS over our transport
  if (argc > 5 && std::strcmp(argv[4], "--ca-file") == 0) options.tls.ca_file = argv[5];
  try {
    auto tcp =
        mailwire::TcpTransport::open(argv[1], static_cast<std::uint16_t>(std::atoi(argv[2])));
    mailwire::Pop3Client pop3(options);
    pop3.connect(std::make_unique<CountingTransport>(std::move(tcp)), argv[1]);
    pop3.login(argv[3], password);
    const mailwire::Pop3Stat stat = pop3.stat();
    std::printf("%u messages, %llu bytes; TLS %s\n", stat.count,
                static_cast<unsigned long long>(stat.size), pop3.tls_info()->protocol.c_str());
    pop3.quit();
    return 0;
  } catch (const mailwire::Error& e) {
    std::fprintf(stderr, "08_custom_transport: %s\n", e.what());
    return 1;
  }
}
