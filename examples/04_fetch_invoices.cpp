// 04_fetch_invoices: save the PDF attachments of recent messages from an IMAP mailbox.
//
//   MAILWIRE_PASSWORD=secret 04_fetch_invoices imap.example.com 993 me INBOX ./invoices
//   (with the local test stack: add --ca-file DIR/pki/ca.pem)

#include <mailwire/mailwire.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

int main(int argc, char** argv) {
  const char* password = std::getenv("MAILWIRE_PASSWORD");
  if (argc < 6 || password == nullptr) {
    std::fprintf(stderr,
                 "usage: MAILWIRE_PASSWORD=... 04_fetch_invoices HOST PORT USER MAILBOX "
                 "OUT_DIR [--ca-file FILE]\n");
    return 2;
  }
  mailwire::ImapOptions options;  // Auto: TLS on 993, STARTTLS required elsewhere
  if (argc > 7 && std::strcmp(argv[6], "--ca-file") == 0) options.tls.ca_file = argv[7];
  try {
    mailwire::ImapClient imap(options);
    imap.connect(argv[1], static_cast<std::uint16_t>(std::atoi(argv[2])));
    imap.login(argv[3], password);
    imap.examine(argv[4]);
    // BODYSTRUCTURE first: only messages with a PDF are downloaded, and only that part.
    const auto uids = imap.uid_search("ALL");
    for (const auto& message : imap.uid_fetch(uids, "(UID BODYSTRUCTURE)")) {
      if (!message.body_structure || !message.uid) continue;
      mailwire::imap::for_each_part(
          *message.body_structure, [&](const std::string& section, const auto& part) {
            if (part.type != "application" || part.subtype != "pdf") return;
            // The part arrives transfer-encoded; decode it on the fly into the file.
            // The sender chose the file name: made safe, and never overwriting an earlier file.
            const std::string name = mailwire::mime::unique_file_path(
                argv[5], mailwire::mime::safe_file_name(part.file_name(), "invoice.pdf"));
            std::ofstream out(name, std::ios::binary);
            mailwire::mime::Base64Decoder base64;
            std::string decoded;
            imap.fetch_section(*message.uid, section, [&](std::string_view chunk) {
              decoded.clear();
              base64.feed(chunk, decoded);
              out.write(decoded.data(), static_cast<std::streamsize>(decoded.size()));
            });
            decoded.clear();
            base64.finish(decoded);
            out.write(decoded.data(), static_cast<std::streamsize>(decoded.size()));
            std::printf("%s\n", name.c_str());
          });
    }
    imap.logout();
    return 0;
  } catch (const mailwire::Error& e) {
    std::fprintf(stderr, "04_fetch_invoices: %s\n", e.what());
    return 1;
  }
}
