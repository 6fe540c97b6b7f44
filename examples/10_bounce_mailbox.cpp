// 10_bounce_mailbox: read the bounces, complaints and automatic replies that arrived in an IMAP
// mailbox, print the addresses a sender should stop mailing, and move the reports that were
// read to another mailbox (created when missing).
//
//   MAILWIRE_PASSWORD=secret 10_bounce_mailbox imap.example.com 993 me Bounces Processed
//     [--ca-file F] [--return-path bounces@sender.example]
//   (with the local test stack: add --ca-file DIR/pki/ca.pem)
//
// Output, one line per recipient of each report:
//   suppress ADDRESS REASON STATUS      the address is bad (hard) or complained: stop mailing it
//   soft ADDRESS REASON STATUS          a temporary or sender-side failure: retry later
// With --return-path, a report that names no recipient is attributed by the VERP address it
// was sent to (bounces+alice=example.org@sender.example).

#include <mailwire/mailwire.hpp>
#include <mailwire/mime/delivery_report.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace mailwire;

int main(int argc, char** argv) {
  const char* password = std::getenv("MAILWIRE_PASSWORD");
  if (argc < 6 || password == nullptr) {
    std::fprintf(stderr,
                 "usage: MAILWIRE_PASSWORD=... 10_bounce_mailbox HOST PORT USER MAILBOX "
                 "DONE_MAILBOX [--ca-file F] [--return-path ADDRESS]\n");
    return 2;
  }
  ImapOptions options;  // Auto: TLS on 993, STARTTLS required elsewhere
  std::string return_path;
  for (int i = 6; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg == "--ca-file") options.tls.ca_file = argv[i + 1];
    if (arg == "--return-path") return_path = argv[i + 1];
  }
  try {
    ImapClient imap(options);
    imap.connect(argv[1], static_cast<std::uint16_t>(std::atoi(argv[2])));
    imap.login(argv[3], password);
    try {
      imap.create(argv[5]);
    } catch (const Error&) {
      // It exists already.
    }
    imap.select(argv[4]);
    const auto found = imap.search(imap::SearchKey::all());
    std::vector<std::uint32_t> processed;
    for (const std::uint32_t uid : found.numbers) {
      std::string bytes;
      imap.fetch_section(uid, "", [&](std::string_view chunk) { bytes.append(chunk); });
      const mime::Message message = mime::Message::parse(std::move(bytes));
      const mime::DeliveryReport report = mime::DeliveryReport::from_message(message);
      if (report.kind == mime::ReportKind::None) continue;  // not a report: left in place
      std::vector<mime::ReportRecipient> recipients = report.recipients;
      if (recipients.empty() && !return_path.empty()) {
        // A VERP return path names the recipient even when the report does not.
        for (const char* field : {"To", "Delivered-To", "X-Original-To"}) {
          const auto value = message.headers().get(field);
          const auto box = value ? mime::parse_mailbox(*value) : std::nullopt;
          const auto decoded = box ? mime::verp_decode(box->address()) : std::nullopt;
          if (decoded) {
            mime::ReportRecipient r;
            r.address = *decoded;
            recipients.push_back(r);
            break;
          }
        }
      }
      for (const mime::ReportRecipient& r : recipients) {
        const bool suppress = r.hard || r.reason == mime::BounceReason::Complaint;
        if (r.reason == mime::BounceReason::AutoReply || r.reason == mime::BounceReason::Delivered)
          continue;  // the address works
        std::printf("%s %s %s %s\n", suppress ? "suppress" : "soft", r.address.c_str(),
                    mime::to_string(r.reason), r.status.empty() ? "-" : r.status.c_str());
      }
      processed.push_back(uid);
    }
    if (!processed.empty()) imap.uid_move(processed, argv[5]);
    std::fprintf(stderr, "10_bounce_mailbox: %zu reports moved to %s\n", processed.size(), argv[5]);
    imap.logout();
  } catch (const Error& e) {
    std::fprintf(stderr, "10_bounce_mailbox: %s\n", e.what());
    return 1;
  }
  return 0;
}
