// 06_watch_inbox_idle: print the subject of each new message as it arrives (IMAP IDLE), and
// reconnect with a growing pause when the connection drops.
//
//   MAILWIRE_PASSWORD=... 06_watch_inbox_idle HOST PORT USER [--ca-file F] [--for SECONDS]

#include <mailwire/mailwire.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

int main(int argc, char** argv) {
  const char* password = std::getenv("MAILWIRE_PASSWORD");
  if (argc < 4 || password == nullptr) {
    std::fprintf(stderr,
                 "usage: MAILWIRE_PASSWORD=... 06_watch_inbox_idle HOST PORT USER "
                 "[--ca-file F] [--for SECONDS]\n");
    return 2;
  }
  mailwire::ImapOptions options;
  int seconds = 3600;
  for (int i = 4; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--ca-file") == 0) options.tls.ca_file = argv[i + 1];
    if (std::strcmp(argv[i], "--for") == 0) seconds = std::atoi(argv[i + 1]);
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  auto pause = std::chrono::seconds(1);
  while (std::chrono::steady_clock::now() < until) {
    try {
      mailwire::ImapClient imap(options);
      imap.connect(argv[1], static_cast<std::uint16_t>(std::atoi(argv[2])));
      imap.login(argv[3], password);
      std::uint32_t next_uid = imap.select("INBOX").uid_next;
      std::printf("watching INBOX of %s\n", argv[3]);
      std::fflush(stdout);
      pause = std::chrono::seconds(1);
      while (std::chrono::steady_clock::now() < until) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        imap.idle(left, [](const mailwire::ImapClient::IdleEvent& e) {
          return e.kind != mailwire::ImapClient::IdleEvent::Kind::Exists;  // stop on new mail
        });
        const auto uids = imap.uid_search("UID " + std::to_string(next_uid) + ":*");
        for (const auto& m : imap.uid_fetch(uids, "(UID ENVELOPE)")) {
          if (!m.uid || *m.uid < next_uid) continue;  // "n:*" includes the last one
          std::printf("new: %s\n", m.envelope ? m.envelope->subject.c_str() : "?");
          std::fflush(stdout);
          next_uid = *m.uid + 1;
        }
      }
      imap.logout();
    } catch (const mailwire::Error& e) {
      if (!e.is_fatal() && e.kind() != mailwire::Errc::connect &&
          e.kind() != mailwire::Errc::timeout) {
        std::fprintf(stderr, "06_watch_inbox_idle: %s\n", e.what());
        return 1;
      }
      std::fprintf(stderr, "connection lost (%s); reconnecting in %lld s\n", e.what(),
                   static_cast<long long>(pause.count()));
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::seconds(60));
    }
  }
  return 0;
}
