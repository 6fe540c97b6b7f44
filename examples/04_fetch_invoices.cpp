// 04_fetch_invoices: save the PDF attachments of matching messages from an IMAP mailbox, then
// mark those messages \Seen or move them to an archive mailbox.
//
//   MAILWIRE_PASSWORD=secret 04_fetch_invoices imap.example.com 993 me INBOX ./invoices
//     [--since 2026-11-01] [--from billing@shop.example] [--unseen] [--move-to Archive]
//   (with the local test stack: add --ca-file DIR/pki/ca.pem)

#include <mailwire/mailwire.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

using namespace mailwire;

int main(int argc, char** argv) {
  const char* password = std::getenv("MAILWIRE_PASSWORD");
  if (argc < 6 || password == nullptr) {
    std::fprintf(stderr,
                 "usage: MAILWIRE_PASSWORD=... 04_fetch_invoices HOST PORT USER MAILBOX "
                 "OUT_DIR [--ca-file F] [--since Y-M-D] [--from A] [--unseen] "
                 "[--move-to MAILBOX]\n");
    return 2;
  }
  ImapOptions options;  // Auto: TLS on 993, STARTTLS required elsewhere
  std::vector<imap::SearchKey> query{imap::SearchKey::all()};
  std::string move_to;
  for (int i = 6; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--unseen") query.push_back(imap::SearchKey::unseen());
    if (arg == "--unseen" || i + 1 == argc) continue;
    const char* value = argv[++i];
    if (arg == "--ca-file") options.tls.ca_file = value;
    if (arg == "--from") query.push_back(imap::SearchKey::from(value));
    if (arg == "--move-to") move_to = value;
    if (arg == "--since") {
      imap::SearchDate d;
      std::sscanf(value, "%d-%d-%d", &d.year, &d.month, &d.day);
      query.push_back(imap::SearchKey::since(d));
    }
  }
  try {
    ImapClient imap(options);
    imap.connect(argv[1], static_cast<std::uint16_t>(std::atoi(argv[2])));
    imap.login(argv[3], password);
    imap.select(argv[4]);
    // BODYSTRUCTURE first: only messages with a PDF are downloaded, and only that part.
    const auto found = imap.search(imap::SearchKey::all_of(query));
    std::vector<std::uint32_t> done;  // each message once, however many PDFs it has
    for (const auto& message : imap.uid_fetch(found.numbers, "(UID BODYSTRUCTURE)")) {
      if (!message.uid) continue;
      bool saved = false;
      // The attachments at a glance: section, type, decoded file name, size.
      for (const imap::Attachment& part : message.attachments()) {
        if (part.mime_type != "application/pdf") continue;
        // The sender chose the name: made safe, and never overwriting an earlier file.
        const std::string path =
            mime::unique_file_path(argv[5], mime::safe_file_name(part.file_name, "invoice.pdf"));
        std::ofstream out(path, std::ios::binary);
        if (!out) throw Error(Errc::io, "cannot create " + path);
        // The part's original bytes (the server decodes with BINARY, else mailwire does).
        imap.fetch_part(*message.uid, part.section, part.encoding, [&](std::string_view chunk) {
          out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        });
        out.close();
        // A full disk must not mark the message done: it would never be fetched again.
        if (!out) throw Error(Errc::io, "cannot write " + path);
        std::printf("%s\n", path.c_str());
        saved = true;
      }
      if (saved) done.push_back(*message.uid);
    }
    if (!done.empty() && move_to.empty()) imap.uid_store_flags(done, {"\\Seen"});
    if (!done.empty() && !move_to.empty()) imap.uid_move(done, move_to, true);
    imap.logout();
  } catch (const Error& e) {
    std::fprintf(stderr, "04_fetch_invoices: %s\n", e.what());
    return 1;
  }
  return 0;
}
