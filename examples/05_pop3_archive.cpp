// 05_pop3_archive: download a POP3 maildrop into a Maildir, durably, and optionally delete on
// the server what is safely on disk. Run it again: only new mail is fetched.
//
//   MAILWIRE_PASSWORD=secret 05_pop3_archive pop.example.com 995 me ~/Mail/archive [--delete]
//   (with the local test stack: add --ca-file DIR/pki/ca.pem)

#include <mailwire/mailwire.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr,
                 "usage: 05_pop3_archive HOST PORT USER MAILDIR [--delete] [--ca-file FILE]\n"
                 "       (password in $MAILWIRE_PASSWORD)\n");
    return 2;
  }
  const char* password = std::getenv("MAILWIRE_PASSWORD");
  if (password == nullptr) {
    std::fprintf(stderr, "05_pop3_archive: set MAILWIRE_PASSWORD\n");
    return 2;
  }

  mailwire::Pop3Options options;  // Security::Auto: TLS on 995, STLS required elsewhere
  mailwire::Pop3DownloadOptions download;
  for (int i = 5; i < argc; ++i) {
    if (std::strcmp(argv[i], "--delete") == 0) download.delete_after = true;
    if (std::strcmp(argv[i], "--ca-file") == 0 && i + 1 < argc) options.tls.ca_file = argv[++i];
  }
  download.on_message = [](const mailwire::Pop3DownloadEvent& e) {
    const bool fetched = e.action == mailwire::Pop3DownloadEvent::Action::Downloaded;
    std::printf("%-10s #%u %8llu bytes  %s\n", fetched ? "downloaded" : "known", e.number,
                static_cast<unsigned long long>(e.size), e.uid.c_str());
  };

  try {
    mailwire::Pop3Client pop3(options);
    pop3.connect(argv[1], static_cast<std::uint16_t>(std::atoi(argv[2])));
    pop3.login(argv[3], password);
    mailwire::Maildir maildir(argv[4]);
    const auto result = mailwire::download_to_maildir(pop3, maildir, download);
    std::printf("%zu on server: %zu downloaded, %zu already here, %zu deleted\n", result.on_server,
                result.downloaded, result.known, result.deleted);
    return 0;
  } catch (const mailwire::Error& e) {
    std::fprintf(stderr, "05_pop3_archive: %s\n", e.what());
    return 1;
  }
}
