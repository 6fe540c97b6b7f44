// mailwire's driver for the IMAP fetch benchmark of ../shared/bench (see its README):
//   mailwire_imap_fetch --port P [--host H] [--tls] [--mode meta|bodies|big] [--chunk N]
//                       [--user U] [--password PW]
// meta: EXAMINE INBOX, FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE), every response
// parsed into typed data; bodies: FETCH a:b (BODY.PEEK[]) in chunks of N messages, bodies
// streamed to a counting sink; big: the same on mailbox "big". Like the peers' drivers it skips
// certificate verification with --tls (the server's certificate is self-signed), and, without
// TLS, allows LOGIN in plaintext (the benchmark's server accepts it).

#include <mailwire/mailwire.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  std::string host = "127.0.0.1", mode = "meta", user = "bench", password = "benchpass";
  int port = 0;
  std::uint32_t chunk = 1000;
  bool tls = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool more = i + 1 < argc;
    if (a == "--port" && more)
      port = std::atoi(argv[++i]);
    else if (a == "--host" && more)
      host = argv[++i];
    else if (a == "--mode" && more)
      mode = argv[++i];
    else if (a == "--chunk" && more)
      chunk = static_cast<std::uint32_t>(std::atoi(argv[++i]));
    else if (a == "--user" && more)
      user = argv[++i];
    else if (a == "--password" && more)
      password = argv[++i];
    else if (a == "--tls")
      tls = true;
  }
  if (port == 0 || chunk == 0) {
    std::fprintf(stderr, "usage: %s --port P [--tls] [--mode meta|bodies|big] [--chunk N]\n",
                 argv[0]);
    return 2;
  }
  mailwire::ImapOptions options;
  options.security = tls ? mailwire::Security::Tls : mailwire::Security::None;
  options.tls.insecure = true;
  options.tls.on_warning = [](std::string_view) {};
  options.allow_plaintext_auth = !tls;
  try {
    mailwire::ImapClient client(options);
    client.connect(host, static_cast<std::uint16_t>(port));
    client.login(user, password);
    const std::uint32_t exists = client.examine(mode == "big" ? "big" : "INBOX").exists;
    std::uint64_t messages = 0, bytes = 0, checksum = 0;
    const auto t0 = std::chrono::steady_clock::now();
    if (mode == "meta") {
      client.fetch("1:*", "(UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE)", false,
                   [&](const mailwire::imap::FetchData& f) {
                     ++messages;
                     checksum += f.size.value_or(0) +
                                 (f.envelope ? f.envelope->subject.size() : 0) +
                                 (f.body_structure ? f.body_structure->parts.size() : 0);
                   });
    } else {
      const std::uint32_t step = mode == "bodies" ? chunk : 1;
      for (std::uint32_t s = 1; s <= exists; s += step) {
        const std::uint32_t last = std::min(exists, s + step - 1);
        client.fetch(
            std::to_string(s) + ":" + std::to_string(last), "(BODY.PEEK[])", false,
            [&](const mailwire::imap::FetchData&) { ++messages; },
            [&](std::string_view body) { bytes += body.size(); });
      }
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    client.logout();
    std::printf(
        "mailwire mode=%s tls=%s messages=%llu bytes=%llu seconds=%.4f msgs_per_s=%.1f "
        "MBps=%.1f\n",
        mode.c_str(), tls ? "tls" : "plain", static_cast<unsigned long long>(messages),
        static_cast<unsigned long long>(bytes), secs, static_cast<double>(messages) / secs,
        static_cast<double>(bytes) / secs / 1e6);
    return checksum == 0xffffffffffffffffULL ? 1 : 0;
  } catch (const mailwire::Error& e) {
    std::fprintf(stderr, "mailwire_imap_fetch: %s\n", e.what());
    return 1;
  }
}
