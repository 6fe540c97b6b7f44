// 10_bounce_mailbox: read the bounces, complaints and automatic replies in an IMAP mailbox,
// print the addresses to stop mailing, and move the reports read to another mailbox.
//
//   MAILWIRE_PASSWORD=secret 10_bounce_mailbox imap.example.com 993 me Bounces Processed
//     [--ca-file F] [--verp]   (local test stack: --ca-file DIR/pki/ca.pem)
//
// One line per recipient: "suppress ADDRESS REASON STATUS" (a bad address or a complaint: stop
// mailing it) or "soft ADDRESS REASON STATUS" (transient or sender-side: retry later). With
// --verp, a report that names no recipient is attributed by the VERP address it was sent to
// (bounces+alice=example.org@sender.example).

#include <mailwire/mailwire.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace mailwire;

int main(int argc, char** argv) {
  const char* password = std::getenv("MAILWIRE_PASSWORD");
  if (argc < 6 || password == nullptr) {
    std::fprintf(stderr,
                 "usage: MAILWIRE_PASSWORD=... 10_bounce_mailbox HOST PORT USER MAILBOX "
                 "DONE_MAILBOX [--ca-file F] [--verp]\n");
    return 2;
  }
  ImapOptions options;  // Auto: TLS on 993, STARTTLS required elsewhere
  bool verp = false;
  for (int i = 6; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--verp") verp = true;
    if (arg == "--ca-file" && i + 1 < argc) options.tls.ca_file = argv[++i];
  }
  try {
    ImapClient imap(options);
    imap.connect(argv[1], static_cast<std::uint16_t>(std::atoi(argv[2])));
    imap.login(argv[3], password);
    try {
      imap.create(argv[5]);
    } catch (const Error&) {  // it exists already
    }
    imap.select(argv[4]);
    std::vector<std::uint32_t> processed;
    for (const std::uint32_t uid : imap.search(imap::SearchKey::all()).numbers) {
      std::string bytes;
      imap.fetch_section(uid, "", [&](std::string_view chunk) { bytes.append(chunk); });
      const mime::Message message = mime::Message::parse(std::move(bytes));
      const mime::DeliveryReport report = mime::DeliveryReport::from_message(message);
      if (report.kind == mime::ReportKind::None) continue;  // not a report: left in place
      std::vector<mime::ReportRecipient> recipients = report.recipients;
      const auto to = message.headers().get("To");
      const auto box = to ? mime::parse_mailbox(*to) : std::nullopt;
      if (verp && box) {
        // A report that names no recipient (or a complaint that does not say who complained).
        if (const auto decoded = mime::verp_decode(box->address())) {
          if (recipients.empty()) recipients.emplace_back();
          for (mime::ReportRecipient& r : recipients) {
            if (r.address.empty()) r.address = *decoded;
          }
        }
      }
      for (const mime::ReportRecipient& r : recipients) {
        if (r.reason == mime::BounceReason::AutoReply || r.reason == mime::BounceReason::Delivered)
          continue;                       // the address works
        if (r.address.empty()) continue;  // nobody to attribute it to
        const bool suppress = r.hard || r.reason == mime::BounceReason::Complaint;
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
