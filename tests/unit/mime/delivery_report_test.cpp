// Delivery reports: RFC 3464 DSNs, RFC 5965 complaints, RFC 3834 automatic replies, the
// non-standard bounces of common servers, broken reports, and VERP.

#include <mailwire/error.hpp>
#include <mailwire/mime/delivery_report.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace mailwire;
using namespace mailwire::mime;

namespace {

// In the shape of RFC 3464 section 10.1: one recipient, the original's header returned.
const char* const kSimpleDsn =
    "Date: Thu, 7 Jul 1994 17:16:05 -0400\r\n"
    "From: Mail Delivery Subsystem <MAILER-DAEMON@cs.example.edu>\r\n"
    "Message-Id: <199407072116.RAA14128@cs.example.edu>\r\n"
    "Subject: Returned mail: Cannot send message for 5 days\r\n"
    "To: <owner-ups-mib@cs.example.edu>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status;\r\n"
    "    boundary=\"RAA14128.773615765/cs.example.edu\"\r\n"
    "\r\n"
    "--RAA14128.773615765/cs.example.edu\r\n"
    "\r\n"
    "The original message was received at Sat, 2 Jul 1994 17:10:28 -0400\r\n"
    "   ----- The following addresses had delivery problems -----\r\n"
    "<louisl@larry.slip.example.edu>  (unrecoverable error)\r\n"
    "\r\n"
    "--RAA14128.773615765/cs.example.edu\r\n"
    "content-type: message/delivery-status\r\n"
    "\r\n"
    "Reporting-MTA: dns; cs.example.edu\r\n"
    "\r\n"
    "Original-Recipient: rfc822;louisl@larry.slip.example.edu\r\n"
    "Final-Recipient: rfc822;louisl@larry.slip.example.edu\r\n"
    "Action: failed\r\n"
    "Status: 4.0.0\r\n"
    "Diagnostic-Code: smtp; 426 connection timed out\r\n"
    "Last-Attempt-Date: Thu, 7 Jul 1994 17:15:49 -0400\r\n"
    "\r\n"
    "--RAA14128.773615765/cs.example.edu\r\n"
    "content-type: message/rfc822\r\n"
    "\r\n"
    "Message-Id: <original-1@cs.example.edu>\r\n"
    "From: owner-ups-mib@cs.example.edu\r\n"
    "To: louisl@larry.slip.example.edu\r\n"
    "Subject: ups-mib\r\n"
    "\r\n"
    "body\r\n"
    "--RAA14128.773615765/cs.example.edu--\r\n";

// In the shape of RFC 3464 section 10.2/10.3: several recipients, each with its own outcome;
// the original returned as text/rfc822-headers.
const char* const kMultiDsn =
    "From: Mail Delivery Subsystem <mailer-daemon@mx.example.net>\r\n"
    "To: sender@example.com\r\n"
    "Subject: Delivery Status Notification\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n"
    "\r\n"
    "--b\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "Some recipients could not be reached.\r\n"
    "--b\r\n"
    "Content-Type: message/delivery-status\r\n"
    "\r\n"
    "Reporting-MTA: dns; mx.example.net\r\n"
    "Arrival-Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
    "\r\n"
    "Final-Recipient: rfc822; gone@example.org\r\n"
    "Action: failed\r\n"
    "Status: 5.0.0\r\n"
    "Remote-MTA: dns; mx.example.org\r\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <gone@example.org>: Recipient address rejected:\r\n"
    " User unknown in local recipient table\r\n"
    "\r\n"
    "Final-Recipient: rfc822; full@example.org\r\n"
    "Action: failed\r\n"
    "Status: 5.2.2\r\n"
    "Diagnostic-Code: smtp; 552 5.2.2 Mailbox full\r\n"
    "\r\n"
    "Final-Recipient: rfc822; slow@example.net\r\n"
    "Action: delayed\r\n"
    "Status: 4.4.7\r\n"
    "\r\n"
    "Final-Recipient: rfc822; fine@example.net\r\n"
    "Action: delivered\r\n"
    "Status: 2.0.0\r\n"
    "\r\n"
    "--b\r\n"
    "Content-Type: text/rfc822-headers\r\n"
    "\r\n"
    "Message-ID: <multi@example.com>\r\n"
    "From: sender@example.com\r\n"
    "Subject: hello\r\n"
    "\r\n"
    "--b--\r\n";

// In the shape of RFC 5965 appendix B.
const char* const kArf =
    "From: <abusedesk@example.com>\r\n"
    "Date: Thu, 8 Mar 2005 17:40:36 EDT\r\n"
    "Subject: FW: Earn money\r\n"
    "To: <abuse@example.net>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=feedback-report;\r\n"
    "     boundary=\"part1_13d.2e68ed54_boundary\"\r\n"
    "\r\n"
    "--part1_13d.2e68ed54_boundary\r\n"
    "Content-Type: text/plain; charset=\"US-ASCII\"\r\n"
    "Content-Transfer-Encoding: 7bit\r\n"
    "\r\n"
    "This is an email abuse report for an email message received from IP\r\n"
    "192.0.2.1 on Thu, 8 Mar 2005 14:00:00 EDT.\r\n"
    "\r\n"
    "--part1_13d.2e68ed54_boundary\r\n"
    "Content-Type: message/feedback-report\r\n"
    "\r\n"
    "Feedback-Type: abuse\r\n"
    "User-Agent: SomeGenerator/1.0\r\n"
    "Version: 1\r\n"
    "Original-Mail-From: <somespammer@example.net>\r\n"
    "Original-Rcpt-To: <user@example.com>\r\n"
    "Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT\r\n"
    "Reporting-MTA: dns; mail.example.com\r\n"
    "Source-IP: 192.0.2.1\r\n"
    "\r\n"
    "--part1_13d.2e68ed54_boundary\r\n"
    "Content-Type: message/rfc822\r\n"
    "Content-Disposition: inline\r\n"
    "\r\n"
    "From: <somespammer@example.net>\r\n"
    "Received: from mailserver.example.net (mailserver.example.net [192.0.2.1])\r\n"
    "        by example.com with ESMTP id M63d4137594e46;\r\n"
    "        Thu, 08 Mar 2005 14:00:00 -0400\r\n"
    "To: <Undisclosed Recipients>\r\n"
    "Subject: Earn money\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-type: text/plain\r\n"
    "Message-ID: 8787KJKJ3K4J3K4J3K4J3.mail@example.net\r\n"
    "Date: Thu, 02 Sep 2004 12:31:03 -0500\r\n"
    "\r\n"
    "Spam Spam Spam\r\n"
    "--part1_13d.2e68ed54_boundary--\r\n";

// In the shape of RFC 3834 section 3.1: an automatic reply.
const char* const kAutoReply =
    "From: Alice <alice@example.org>\r\n"
    "To: bob@example.com\r\n"
    "Subject: Auto: your message\r\n"
    "Auto-Submitted: auto-replied\r\n"
    "In-Reply-To: <q@example.com>\r\n"
    "\r\n"
    "I am away until Monday.\r\n";

const char* const kOrdinary =
    "From: Carol <carol@example.org>\r\n"
    "To: dave@example.com\r\n"
    "Subject: Lunch on Friday?\r\n"
    "Message-ID: <lunch@example.org>\r\n"
    "\r\n"
    "Shall we meet at noon? My old address carol@old.example.org no longer works.\r\n";

const char* const kQmail =
    "From: MAILER-DAEMON@mx.example.jp\r\n"
    "To: sender@example.com\r\n"
    "Subject: failure notice\r\n"
    "\r\n"
    "Hi. This is the qmail-send program at mx.example.jp.\r\n"
    "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
    "This is a permanent error; I've given up. Sorry it didn't work out.\r\n"
    "\r\n"
    "<nobody@example.jp>:\r\n"
    "192.0.2.1 does not like recipient.\r\n"
    "Remote host said: 550 5.1.1 <nobody@example.jp>... User Unknown\r\n"
    "Giving up on 192.0.2.1.\r\n"
    "\r\n"
    "<full@example.jp>:\r\n"
    "Remote host said: 452 4.2.2 Mailbox full\r\n"
    "\r\n"
    "--- Below this line is a copy of the message.\r\n"
    "\r\n"
    "Message-ID: <q1@example.com>\r\n"
    "From: sender@example.com\r\n"
    "To: nobody@example.jp, full@example.jp\r\n"
    "Subject: hi\r\n"
    "\r\n"
    "hi\r\n";

const char* const kExim =
    "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\r\n"
    "To: sender@example.com\r\n"
    "Subject: Mail delivery failed: returning message to sender\r\n"
    "X-Failed-Recipients: nosuch@example.org\r\n"
    "Auto-Submitted: auto-replied\r\n"
    "\r\n"
    "This message was created automatically by mail delivery software.\r\n"
    "\r\n"
    "A message that you sent could not be delivered to one or more of its\r\n"
    "recipients. This is a permanent error. The following address(es) failed:\r\n"
    "\r\n"
    "  nosuch@example.org\r\n"
    "    Unrouteable address\r\n"
    "\r\n"
    "------ This is a copy of the message, including all the headers. ------\r\n"
    "\r\n"
    "Message-Id: <e1@example.com>\r\n"
    "From: sender@example.com\r\n"
    "\r\n"
    "x\r\n";

const ReportRecipient& only(const DeliveryReport& r) {
  REQUIRE(r.recipients.size() == 1);
  return r.recipients.front();
}

}  // namespace

TEST_CASE("An RFC 3464 DSN gives its recipient, status, remote MTA and the original id",
          "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(kSimpleDsn);
  CHECK(r.kind == ReportKind::Dsn);
  CHECK(r.reporting_mta == "cs.example.edu");
  CHECK(r.original_message_id == "<original-1@cs.example.edu>");
  const ReportRecipient& x = only(r);
  CHECK(x.address == "louisl@larry.slip.example.edu");
  CHECK(x.original_address == "louisl@larry.slip.example.edu");
  CHECK(x.action == "failed");
  CHECK(x.status == "4.0.0");
  CHECK(x.reply_code == "426");
  CHECK(x.diagnostic == "426 connection timed out");
  CHECK(x.reason == BounceReason::Network);
  CHECK_FALSE(x.hard);
}

TEST_CASE("A DSN with several recipients gives each its own outcome", "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(kMultiDsn);
  CHECK(r.kind == ReportKind::Dsn);
  CHECK(r.original_message_id == "<multi@example.com>");
  REQUIRE(r.recipients.size() == 4);
  CHECK(r.recipients[0].address == "gone@example.org");
  CHECK(r.recipients[0].status == "5.1.1");  // the precise code of the diagnostic
  CHECK(r.recipients[0].reply_code == "550");
  CHECK(r.recipients[0].remote_mta == "mx.example.org");
  CHECK(r.recipients[0].reason == BounceReason::UserUnknown);
  CHECK(r.recipients[0].hard);
  CHECK(r.recipients[1].reason == BounceReason::MailboxFull);
  CHECK_FALSE(r.recipients[1].hard);
  CHECK(r.recipients[2].action == "delayed");
  CHECK(r.recipients[2].reason == BounceReason::Expired);
  CHECK_FALSE(r.recipients[2].hard);
  CHECK(r.recipients[3].reason == BounceReason::Delivered);
  CHECK_FALSE(r.recipients[3].hard);
}

TEST_CASE("An RFC 5965 feedback report is a complaint about its Original-Rcpt-To", "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(kArf);
  CHECK(r.kind == ReportKind::Arf);
  CHECK(r.feedback_type == "abuse");
  CHECK(r.reporting_mta == "mail.example.com");
  CHECK(r.original_message_id == "8787KJKJ3K4J3K4J3K4J3.mail@example.net");
  const ReportRecipient& x = only(r);
  CHECK(x.address == "user@example.com");
  CHECK(x.reason == BounceReason::Complaint);
  CHECK(x.status.empty());
  CHECK_FALSE(x.hard);
}

TEST_CASE("An RFC 3834 automatic reply names its sender and is not a failure", "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(kAutoReply);
  CHECK(r.kind == ReportKind::AutoReply);
  const ReportRecipient& x = only(r);
  CHECK(x.address == "alice@example.org");
  CHECK(x.reason == BounceReason::AutoReply);
  CHECK_FALSE(x.hard);
}

TEST_CASE("An ordinary message is not a report even when it mentions addresses", "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(kOrdinary);
  CHECK(r.kind == ReportKind::None);
  CHECK(r.recipients.empty());
}

TEST_CASE("A subject that talks about bounces or rejections does not make a report", "[bounce]") {
  // Found by the example 10 test: "bounce" and "rejected" in a subject were taken as signs.
  for (const char* subject : {"not a bounce", "Your proposal was rejected", "Bounce house"}) {
    const std::string m = std::string("From: dave@example.test\r\nTo: carol@example.test\r\n") +
                          "Subject: " + subject + "\r\n\r\nSee dave@example.test.\r\n";
    CHECK(DeliveryReport::from_bytes(m).kind == ReportKind::None);
  }
}

TEST_CASE("A qmail bounce names each recipient with its own reply", "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(kQmail);
  CHECK(r.kind == ReportKind::Heuristic);
  CHECK(r.format == "qmail");
  CHECK(r.original_message_id == "<q1@example.com>");
  REQUIRE(r.recipients.size() == 2);
  CHECK(r.recipients[0].address == "nobody@example.jp");
  CHECK(r.recipients[0].status == "5.1.1");
  CHECK(r.recipients[0].reply_code == "550");
  CHECK(r.recipients[0].hard);
  CHECK(r.recipients[1].address == "full@example.jp");
  CHECK(r.recipients[1].status == "4.2.2");
  CHECK(r.recipients[1].reason == BounceReason::MailboxFull);
  CHECK_FALSE(r.recipients[1].hard);
}

TEST_CASE("An Exim bounce takes its recipients from X-Failed-Recipients", "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(kExim);
  CHECK(r.kind == ReportKind::Heuristic);
  CHECK(r.format == "exim");
  const ReportRecipient& x = only(r);
  CHECK(x.address == "nosuch@example.org");
  CHECK(x.status[0] == '5');
  CHECK(x.reason == BounceReason::UserUnknown);
  CHECK(x.hard);
  CHECK(r.original_message_id == "<e1@example.com>");
}

TEST_CASE("DSN blocks without the blank line between them are still split", "[bounce]") {
  std::string m = kMultiDsn;
  const std::string gap = "in local recipient table\r\n\r\nFinal-Recipient";
  const std::size_t at = m.find(gap);
  REQUIRE(at != std::string::npos);
  m.replace(at, gap.size(), "in local recipient table\r\nFinal-Recipient");
  const DeliveryReport r = DeliveryReport::from_bytes(m);
  REQUIRE(r.recipients.size() == 4);
  CHECK(r.recipients[0].address == "gone@example.org");
  CHECK(r.recipients[1].address == "full@example.org");
  CHECK(r.recipients[1].status == "5.2.2");
}

TEST_CASE("Delivery status fields in a text/plain part are read as a DSN", "[bounce]") {
  std::string m = kSimpleDsn;
  const std::string ct = "content-type: message/delivery-status";
  m.replace(m.find(ct), ct.size(), "content-type: text/plain");
  const DeliveryReport r = DeliveryReport::from_bytes(m);
  CHECK(r.kind == ReportKind::Dsn);
  CHECK(only(r).address == "louisl@larry.slip.example.edu");
  CHECK(only(r).status == "4.0.0");
}

TEST_CASE("A report in an unknown charset with 8-bit bytes is read as far as it goes", "[bounce]") {
  std::string m = kQmail;
  m.replace(m.find("Subject: failure notice\r\n"), 25,
            "Subject: failure notice\r\nContent-Type: text/plain; charset=x-no-such\r\n");
  m.replace(m.find("Giving up"), 9, "Giving \xff\xfe\xe9 up");
  const DeliveryReport r = DeliveryReport::from_bytes(m);
  REQUIRE(r.recipients.size() == 2);
  CHECK(r.recipients[0].hard);
}

TEST_CASE("Diagnostics stay short and valid, and NUL bytes are not part of addresses", "[bounce]") {
  // Found by the fuzzer: 600 invalid bytes grew to 1,800 once repaired, and NUL bytes were
  // taken for local-part characters.
  std::string m = kQmail;
  m.replace(m.find("Giving up"), 9, std::string(700, '\xe9'));
  m.replace(m.find("<full@example.jp>"), 1, std::string("<\0\0", 3));
  const DeliveryReport r = DeliveryReport::from_bytes(m);
  REQUIRE(r.recipients.size() == 2);
  for (const ReportRecipient& x : r.recipients) {
    CHECK(x.diagnostic.size() <= 600);
    CHECK(x.address.find('\0') == std::string::npos);
  }
  CHECK(r.recipients[1].address == "full@example.jp");
}

TEST_CASE("Every truncation of a report gives a best effort and never throws", "[bounce]") {
  for (const char* sample : {kSimpleDsn, kMultiDsn, kArf, kQmail, kExim, kAutoReply}) {
    const std::string full = sample;
    for (std::size_t n = 0; n <= full.size(); n += 7) {
      DeliveryReport r;
      REQUIRE_NOTHROW(r = DeliveryReport::from_bytes(std::string_view(full).substr(0, n)));
      // An address, but for a complaint that does not (yet) say who complained.
      for (const ReportRecipient& x : r.recipients)
        CHECK((!x.address.empty() || x.reason == BounceReason::Complaint));
    }
  }
  // Cut inside the status part: the recipient block read so far still counts.
  const std::string cut(kMultiDsn, std::string(kMultiDsn).find("Action: failed\r\nStatus: 5.2.2"));
  const DeliveryReport r = DeliveryReport::from_bytes(cut);
  CHECK(r.kind == ReportKind::Dsn);
  CHECK(r.recipients.size() == 2);
}

TEST_CASE("An Amazon SES bounce notification is read from its JSON", "[bounce]") {
  const std::string head =
      "From: no-reply@sns.amazonaws.com\r\nSubject: AWS Notification Message\r\n\r\n"
      "{\"notificationType\":\"Bounce\",\"bounce\":{\"bouncedRecipients\":[{\"emailAddress\":"
      "\"a@example.org\",\"action\":\"failed\",\"status\":\"";
  const std::string tail = "\",\"diagnosticCode\":\"smtp; 550 5.1.1 user unknown\"}]}}\r\n";
  const DeliveryReport r = DeliveryReport::from_bytes(head + "5.1.1" + tail);
  CHECK(r.kind == ReportKind::Dsn);
  CHECK(r.format == "amazon-ses");
  CHECK(only(r).address == "a@example.org");
  CHECK(only(r).status == "5.1.1");
  CHECK(only(r).hard);
  // Found by the fuzzer: a status that is not one was passed through ("0.1.1").
  const DeliveryReport bad = DeliveryReport::from_bytes(head + "0.1.1" + tail);
  CHECK(only(bad).status == "5.1.1");  // from the diagnostic instead
}

TEST_CASE("The wording and the status code classify a failure", "[bounce]") {
  CHECK(classify_failure("5.1.1", "550", "") == BounceReason::UserUnknown);
  CHECK(classify_failure("", "550", "mailbox unavailable: user unknown") ==
        BounceReason::UserUnknown);
  CHECK(classify_failure("", "552", "Requested action aborted: mailbox full") ==
        BounceReason::MailboxFull);
  CHECK(classify_failure("5.7.26", "550", "Unauthenticated email is not accepted due to DMARC") ==
        BounceReason::AuthFailure);
  CHECK(classify_failure("", "554", "Relay access denied") == BounceReason::RelayDenied);
  CHECK(classify_failure("5.3.4", "552", "") == BounceReason::TooLarge);
  CHECK(classify_failure("4.4.7", "", "") == BounceReason::Expired);
  CHECK(classify_failure("5.1.2", "", "") == BounceReason::HostUnknown);
  CHECK(classify_failure("", "", "") == BounceReason::Other);
  CHECK(std::string(to_string(BounceReason::UserUnknown)) == "user_unknown");
  CHECK(std::string(to_string(ReportKind::AutoReply)) == "auto-reply");
}

namespace {

void check_same(const DeliveryReport& a, const DeliveryReport& b) {
  CHECK(a.kind == b.kind);
  CHECK(a.format == b.format);
  CHECK(a.original_message_id == b.original_message_id);
  REQUIRE(a.recipients.size() == b.recipients.size());
  for (std::size_t i = 0; i < a.recipients.size(); ++i) {
    CHECK(a.recipients[i].address == b.recipients[i].address);
    CHECK(a.recipients[i].status == b.recipients[i].status);
    CHECK(a.recipients[i].reason == b.recipients[i].reason);
    CHECK(a.recipients[i].hard == b.recipients[i].hard);
    CHECK(a.recipients[i].diagnostic == b.recipients[i].diagnostic);
  }
}

}  // namespace

TEST_CASE("The streaming reader gives what the whole-message reader gives, at any chunk size",
          "[bounce]") {
  for (const char* sample : {kSimpleDsn, kMultiDsn, kArf, kQmail, kExim, kAutoReply, kOrdinary}) {
    const std::string bytes = sample;
    const DeliveryReport whole = DeliveryReport::from_bytes(bytes);
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{4096}}) {
      DeliveryReportReader reader;
      for (std::size_t at = 0; at < bytes.size(); at += chunk)
        reader.feed(std::string_view(bytes).substr(at, chunk));
      check_same(whole, reader.finish());
    }
  }
}

TEST_CASE("The streaming reader passes a large returned message through", "[bounce]") {
  // The DSN returns a message with a 24 MiB attachment: the report is read all the same.
  std::string dsn = kMultiDsn;
  const std::string end = "--b--\r\n";
  dsn.replace(dsn.find(end), end.size(),
              "--b\r\nContent-Type: message/rfc822\r\n\r\nMessage-ID: <big@example.com>\r\n"
              "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
              "\r\n");
  DeliveryReportReader reader;
  reader.feed(dsn);
  const std::string line = std::string(76, 'A') + "\r\n";
  std::string chunk;
  for (int i = 0; i < 1024; ++i)
    chunk += line;
  for (int i = 0; i < 300; ++i)  // 300 x 78 KiB
    reader.feed(chunk);
  reader.feed("\r\n--b--\r\n");
  const DeliveryReport r = reader.finish();
  CHECK(r.kind == ReportKind::Dsn);
  REQUIRE(r.recipients.size() == 4);
  CHECK(r.recipients[0].hard);
  CHECK(r.original_message_id == "<big@example.com>");  // an attached message before a header copy
}

TEST_CASE("VERP carries the recipient in the return path and back", "[bounce]") {
  CHECK(verp_encode("bounces@sender.example", "alice@example.org") ==
        "bounces+alice=example.org@sender.example");
  CHECK(verp_decode("bounces+alice=example.org@sender.example") == "alice@example.org");
  CHECK(verp_decode(verp_encode("b@s.example", "a=b@x.example")) == "a=b@x.example");
  CHECK_FALSE(verp_decode("bounces@sender.example"));
  CHECK_FALSE(verp_decode("bounces+nodomain@sender.example"));
  CHECK_FALSE(verp_decode("no-at-sign"));
  CHECK_THROWS_AS(verp_encode("bounces@sender.example", "alice"), Error);
  CHECK_THROWS_AS(verp_encode("bounces@sender.example", "a\r\nb@x.example"), Error);
  CHECK_THROWS_AS(verp_encode("bounces", "a@x.example"), Error);
}

// Reports in the shapes of common servers, with several recipients: each recipient's own lines
// say why it failed.

namespace {

std::string text_bounce(const std::string& from, const std::string& subject,
                        const std::string& body) {
  return "From: " + from + "\r\nTo: sender@example.com\r\nSubject: " + subject +
         "\r\nMessage-ID: <report@mx.example.net>\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("Indented lines under a recipient belong to it, not to the next recipient", "[bounce]") {
  // Exim's layout: each address indented, its details indented deeper.
  const DeliveryReport r = DeliveryReport::from_bytes(
      text_bounce("Mail Delivery System <Mailer-Daemon@mx.example.net>",
                  "Mail delivery failed: returning message to sender",
                  "This message was created automatically by mail delivery software.\r\n"
                  "\r\n"
                  "A message that you sent could not be delivered to one or more of its\r\n"
                  "recipients. This is a permanent error. The following address(es) failed:\r\n"
                  "\r\n"
                  "  ann@example.org\r\n"
                  "    host mx.example.org [192.0.2.1]\r\n"
                  "    SMTP error from remote mail server after RCPT TO:<ann@example.org>:\r\n"
                  "    550 5.1.1 No such user here\r\n"
                  "  ben@example.org\r\n"
                  "    host mx.example.org [192.0.2.1]\r\n"
                  "    SMTP error from remote mail server after end of data:\r\n"
                  "    552 5.2.2 Quota exceeded for this mailbox\r\n"));
  REQUIRE(r.recipients.size() == 2);
  CHECK(r.recipients[0].address == "ann@example.org");
  CHECK(r.recipients[0].reason == BounceReason::UserUnknown);
  CHECK(r.recipients[0].hard);
  CHECK(r.recipients[1].address == "ben@example.org");
  CHECK(r.recipients[1].status == "5.2.2");
  CHECK(r.recipients[1].reason == BounceReason::MailboxFull);
  CHECK_FALSE(r.recipients[1].hard);
}

TEST_CASE("Another recipient's wording does not override a recipient's own status code",
          "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(
      text_bounce("MAILER-DAEMON@mx.example.net", "failure notice",
                  "Hi. This is the qmail-send program at mx.example.net.\r\n"
                  "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
                  "This is a permanent error; I've given up. Sorry it didn't work out.\r\n"
                  "\r\n"
                  "<ann@example.org>:\r\n"
                  "Sorry, no mailbox here by that name. (#5.1.1)\r\n"
                  "\r\n"
                  "<ben@example.org>:\r\n"
                  "192.0.2.9 said: 552 5.2.2 (#5.2.2)\r\n"
                  "\r\n"
                  "<cat@nowhere.example>:\r\n"
                  "Sorry, I couldn't find any host named nowhere.example. (#5.1.2)\r\n"
                  "\r\n"
                  "--- Below this line is a copy of the message.\r\n"));
  REQUIRE(r.recipients.size() == 3);
  CHECK(r.recipients[0].reason == BounceReason::UserUnknown);
  CHECK(r.recipients[1].status == "5.2.2");
  CHECK(r.recipients[1].reason == BounceReason::MailboxFull);
  CHECK_FALSE(r.recipients[1].hard);
  CHECK(r.recipients[2].address == "cat@nowhere.example");
  CHECK(r.recipients[2].reason == BounceReason::HostUnknown);
  CHECK(r.recipients[2].hard);
}

TEST_CASE("A recipient named again in a details section takes its code from there", "[bounce]") {
  // Exchange's layout: a friendly paragraph per recipient first, the codes further down.
  const DeliveryReport r = DeliveryReport::from_bytes(
      text_bounce("Mail Administrator <postmaster@example.net>", "Undeliverable: hello",
                  "Delivery has failed to these recipients or groups:\r\n"
                  "\r\n"
                  "Ann Example (ann@example.org)\r\n"
                  "That address could not be found. Check it and send the message again.\r\n"
                  "\r\n"
                  "Ben Example (ben@example.org)\r\n"
                  "That mailbox is full right now. Try again later.\r\n"
                  "\r\n"
                  "Details for administrators:\r\n"
                  "\r\n"
                  "ann@example.org\r\n"
                  "#550 5.1.1 ADDRESS.NotFound ##\r\n"
                  "\r\n"
                  "ben@example.org\r\n"
                  "#552 5.2.2 STORE.QuotaExceeded ##\r\n"));
  REQUIRE(r.recipients.size() == 2);
  CHECK(r.recipients[0].address == "ann@example.org");
  CHECK(r.recipients[0].status == "5.1.1");
  CHECK(r.recipients[0].hard);
  CHECK(r.recipients[1].address == "ben@example.org");
  CHECK(r.recipients[1].status == "5.2.2");
  CHECK(r.recipients[1].reply_code == "552");
  CHECK_FALSE(r.recipients[1].hard);
}

TEST_CASE("The remote server's quoted reply outranks the relay's summary of it", "[bounce]") {
  // The relay sums up with its own code and words, then quotes the remote reply.
  const DeliveryReport r = DeliveryReport::from_bytes(
      text_bounce("MAILER-DAEMON@relay.example.net", "Delivery failure",
                  "The message to <ann@example.org> could not be delivered.\r\n"
                  "Reason:\r\n"
                  "5.1.0 - Unknown address error 550-'5.7.1 <ann@example.org>... Sender refused by "
                  "policy' (delivery attempts: 0)\r\n"));
  const ReportRecipient& x = only(r);
  CHECK(x.address == "ann@example.org");
  CHECK(x.status == "5.7.1");
  CHECK(x.reply_code == "550");
  CHECK_FALSE(x.hard);
  // A quote mark before an address opens the quotation: it is not part of the address.
  const DeliveryReport q = DeliveryReport::from_bytes(
      text_bounce("MAILER-DAEMON@relay.example.net", "Delivery failure",
                  "The message to <ann@example.org> could not be delivered.\r\n"
                  "5.1.0 - Unknown address error 550-'ann@example.org... No such user'\r\n"));
  CHECK(only(q).address == "ann@example.org");
  CHECK(only(q).hard);
}

TEST_CASE("The original's sender and the report's own delivery address are no recipients",
          "[bounce]") {
  // Sent to a VERP return path: the report's To is not the original sender, who is named on
  // the "from" line of the arrival and in Delivered-To.
  const DeliveryReport r = DeliveryReport::from_bytes(
      "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>\r\n"
      "To: bounces+x1@lists.example.com\r\n"
      "Delivered-To: owner@example.com\r\n"
      "Subject: Returned mail: User unknown\r\n"
      "\r\n"
      "The original message was received at Mon, 1 Jan 2024 09:59:00 +0000\r\n"
      "from sender@example.com [198.51.100.3]\r\n"
      "\r\n"
      "   ----- The following addresses had permanent fatal errors -----\r\n"
      "ann@example.org\r\n"
      "    (reason: 550 5.1.1 User unknown)\r\n"
      "Please tell owner@example.com if this looks wrong.\r\n");
  const ReportRecipient& x = only(r);
  CHECK(x.address == "ann@example.org");
  CHECK(x.status == "5.1.1");
}

TEST_CASE("A complaint that does not say who complained still gives one entry", "[bounce]") {
  // No Original-Rcpt-To, and the returned message went to an undisclosed list.
  const DeliveryReport r = DeliveryReport::from_bytes(
      "From: fbl@isp.example\r\n"
      "To: abuse-desk@sender.example\r\n"
      "Subject: Abuse report\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/report; report-type=feedback-report; boundary=\"f\"\r\n"
      "\r\n"
      "--f\r\n"
      "Content-Type: text/plain\r\n"
      "\r\n"
      "A user of ours reported this message as spam.\r\n"
      "--f\r\n"
      "Content-Type: message/feedback-report\r\n"
      "\r\n"
      "Feedback-Type: abuse\r\n"
      "User-Agent: ExampleFBL/1.0\r\n"
      "Version: 1\r\n"
      "--f\r\n"
      "Content-Type: message/rfc822\r\n"
      "\r\n"
      "From: News <news@sender.example>\r\n"
      "To: undisclosed-recipients:;\r\n"
      "Subject: Offers\r\n"
      "Message-ID: <n1@sender.example>\r\n"
      "\r\n"
      "offers\r\n"
      "--f--\r\n");
  CHECK(r.kind == ReportKind::Arf);
  const ReportRecipient& x = only(r);
  CHECK(x.address.empty());
  CHECK(x.reason == BounceReason::Complaint);
  CHECK_FALSE(x.hard);
}

TEST_CASE("Common wordings in other languages are classified", "[bounce]") {
  CHECK(classify_failure("", "", "Grund: Benutzer unbekannt") == BounceReason::UserUnknown);
  CHECK(classify_failure("", "", "Raison : destinataire inconnu") == BounceReason::UserUnknown);
  CHECK(classify_failure("", "", "motivo: usuario desconocido") == BounceReason::UserUnknown);
  CHECK(classify_failure("", "", "Das Postfach ist voll") == BounceReason::MailboxFull);
  CHECK(classify_failure("", "", "boîte aux lettres pleine") == BounceReason::MailboxFull);
  CHECK(classify_failure("", "", "la casella piena") == BounceReason::MailboxFull);
  CHECK(classify_failure("", "", "宛先不明のため送信できませんでした") ==
        BounceReason::UserUnknown);
  CHECK(classify_failure("", "", "メールボックスの容量超過") == BounceReason::MailboxFull);
  // A report in German is a report.
  const DeliveryReport r =
      DeliveryReport::from_bytes(text_bounce("MAILER-DAEMON@mx.example.net", "Unzustellbar: Hallo",
                                             "Ihre Nachricht konnte nicht zugestellt werden an:\r\n"
                                             "\r\n"
                                             "  ann@example.org\r\n"
                                             "  Grund: Benutzer unbekannt\r\n"));
  const ReportRecipient& x = only(r);
  CHECK(x.address == "ann@example.org");
  CHECK(x.reason == BounceReason::UserUnknown);
  CHECK(x.hard);
}

TEST_CASE("A domain that does not exist is an unknown host, not an unknown user", "[bounce]") {
  CHECK(classify_failure("", "550", "Recipient domain does not exist") ==
        BounceReason::HostUnknown);
  CHECK(classify_failure("", "", "Sorry, I couldn't find any host named nowhere.example.") ==
        BounceReason::HostUnknown);
  CHECK(classify_failure("", "554", "SMTPSEND.DNS.NonExistentDomain; nonexistent domain") ==
        BounceReason::HostUnknown);
  CHECK(classify_failure("", "", "no such host as mx.nowhere.example") ==
        BounceReason::HostUnknown);
  CHECK(classify_failure("", "550", "The mailbox does not exist") == BounceReason::UserUnknown);
}

TEST_CASE("An address the report asks to write to is not a recipient", "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(
      text_bounce("MAILER-DAEMON@mx.example.net", "Undelivered Mail Returned to Sender",
                  "Your message could not be delivered to one or more recipients.\r\n"
                  "\r\n"
                  "<ann@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 No such "
                  "user\r\n"
                  "\r\n"
                  "For assistance, write to helpdesk@example.net.\r\n"
                  "If you have questions, please contact support@example.net.\r\n"));
  const ReportRecipient& x = only(r);
  CHECK(x.address == "ann@example.org");
  CHECK(x.hard);
}

TEST_CASE("A rule line that announces the original ends the report's own text", "[bounce]") {
  // The copy is not recognised by its wording but by its rule line: the addresses in it are
  // not recipients.
  const DeliveryReport r = DeliveryReport::from_bytes(
      text_bounce("MAILER-DAEMON@mx.example.net", "Mail delivery failed",
                  "Delivery failed for these recipients:\r\n"
                  "\r\n"
                  "  ann@example.org (550 5.1.1 unknown user)\r\n"
                  "\r\n"
                  "=========== Copy of your original mail ===========\r\n"
                  "From: sender@example.com\r\n"
                  "Subject: meeting\r\n"
                  "\r\n"
                  "Please forward this to cc-me@example.org and boss@example.org.\r\n"));
  const ReportRecipient& x = only(r);
  CHECK(x.address == "ann@example.org");
  CHECK(x.status == "5.1.1");
}

TEST_CASE("A warning that the server keeps trying is transient", "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(
      text_bounce("Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>",
                  "Warning: could not send message for past 4 hours",
                  "    **  THIS IS A WARNING MESSAGE ONLY  **\r\n"
                  "\r\n"
                  "   ----- Transcript of session follows -----\r\n"
                  "<ann@example.org>... Deferred: Connection refused by mx.example.org.\r\n"
                  "Warning: message still undelivered after 4 hours\r\n"
                  "Will keep trying until message is 5 days old\r\n"));
  const ReportRecipient& x = only(r);
  CHECK(x.address == "ann@example.org");
  CHECK(x.status[0] == '4');
  CHECK(x.action == "delayed");
  CHECK_FALSE(x.hard);
  // The same words without "Deferred" (which alone said transient before).
  const DeliveryReport w = DeliveryReport::from_bytes(text_bounce(
      "MAILER-DAEMON@mx.example.net", "Delayed Mail (still being retried)",
      "# THIS IS A WARNING ONLY. YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\r\n"
      "\r\n"
      "<ann@example.org>: connect to mx.example.org[192.0.2.1]:25: Connection refused\r\n"));
  CHECK(only(w).status[0] == '4');
}

TEST_CASE("More wordings of unknown users are read as such", "[bounce]") {
  for (const char* text :
       {"550 No such local user", "550 unknown local user ann", "The user was not found",
        "The recipient was not found on this server",
        "ann@example.org is not a valid email address", "550 Invalid e-mail address",
        "550 recipient is not exist", "550 user does not exists"}) {
    INFO(text);
    CHECK(classify_failure("", "550", text) == BounceReason::UserUnknown);
  }
}

TEST_CASE("A bounce is recognised by a delay or failure subject alone", "[bounce]") {
  for (const char* subject :
       {"Delivery delayed: hello", "Warning: could not send message", "Delivery has failed: hello",
        "Unable to deliver your message", "Failed mail: hello", "Nondelivery notice",
        "Delivery error: hello", "Mail returned: hello", "Returned message: hello"}) {
    INFO(subject);
    const DeliveryReport r = DeliveryReport::from_bytes(
        std::string("From: Mail System <mail@mx.example.net>\r\nTo: sender@example.com\r\n"
                    "Subject: ") +
        subject + "\r\n\r\nann@example.org: 550 5.1.1 no such user\r\n");
    CHECK(r.kind == ReportKind::Heuristic);
    CHECK(only(r).address == "ann@example.org");
  }
}

TEST_CASE("Recipients listed on one line are each a recipient", "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(
      text_bounce("MAILER-DAEMON@mx.example.net", "Undeliverable: hello",
                  "Delivery failed to: ann@example.org, ben@example.org and cat@example.org\r\n"
                  "Reason: 550 5.1.1 no such user\r\n"
                  "\r\n"
                  "Delivery failed to: dan@example.org\r\n"
                  "Reason: 552 5.2.2 mailbox full\r\n"));
  REQUIRE(r.recipients.size() == 4);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(r.recipients[i].status == "5.1.1");
    CHECK(r.recipients[i].hard);
  }
  CHECK(r.recipients[3].address == "dan@example.org");
  CHECK(r.recipients[3].status == "5.2.2");
  // A mailbox written as "address <address>" is still one.
  const DeliveryReport one = DeliveryReport::from_bytes(
      text_bounce("MAILER-DAEMON@mx.example.net", "Mail failure - malformed recipient address",
                  "  ann@example.org <ben@example.org>: malformed address\r\n"));
  CHECK(one.recipients.size() == 1);
}

TEST_CASE("Recipients listed one under the other share the reason that follows them", "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(
      text_bounce("MAILER-DAEMON@mx.example.net", "Undeliverable: hello",
                  "The following recipients were affected:\r\n"
                  "    ann@example.org\r\n"
                  "    ben@example.org\r\n"
                  "\r\n"
                  "Error: 550 5.1.1 Requested action not taken: mailbox unavailable\r\n"));
  REQUIRE(r.recipients.size() == 2);
  for (const ReportRecipient& x : r.recipients) {
    CHECK(x.status == "5.1.1");
    CHECK(x.reply_code == "550");
    CHECK(x.hard);
  }
}

TEST_CASE("A report that calls its error permanent is permanent whatever else it says",
          "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(
      text_bounce("MAILER-DAEMON@mx.example.net", "Mail delivery failed",
                  "This is a permanent error. The following address failed:\r\n"
                  "\r\n"
                  "  ann@example.org\r\n"
                  "    The mailbox is temporarily disabled by its owner\r\n"));
  const ReportRecipient& x = only(r);
  CHECK(x.status[0] == '5');
  CHECK(x.action == "failed");
  CHECK_FALSE(x.hard);
}

TEST_CASE("Copy and list header lines of a quoted original name no recipients", "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(
      text_bounce("MAILER-DAEMON@mx.example.net", "Undelivered Mail Returned to Sender",
                  "<ann@example.org>: 550 5.1.1 no such user\r\n"
                  "\r\n"
                  "  Cc: cc-me@example.org\r\n"
                  "  List-Post: <mailto:list@example.org>\r\n"));
  CHECK(only(r).address == "ann@example.org");
}

TEST_CASE("Automatic replies are recognised by more headers and localized subjects", "[bounce]") {
  for (const char* head :
       {"X-Mail-Autoreply: yes\r\nSubject: Re: hello\r\n",
        "X-Autogenerated: Reply\r\nSubject: Re: hello\r\n",
        "Subject: Réponse automatique : hello\r\n", "Subject: Risposta automatica: hello\r\n"}) {
    INFO(head);
    const DeliveryReport r = DeliveryReport::from_bytes(
        std::string("From: Ann <ann@example.org>\r\nTo: sender@example.com\r\n") + head +
        "\r\nI am away until Monday.\r\n");
    CHECK(r.kind == ReportKind::AutoReply);
    CHECK(only(r).address == "ann@example.org");
  }
}

TEST_CASE("A complaint without Original-Rcpt-To names the recipient Microsoft marks", "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(
      "From: staff@hotmail.example\r\n"
      "To: fbl@sender.example\r\n"
      "Subject: complaint about message from 192.0.2.1\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/report; report-type=feedback-report; boundary=\"f\"\r\n"
      "\r\n"
      "--f\r\n"
      "Content-Type: message/feedback-report\r\n"
      "\r\n"
      "Feedback-Type: abuse\r\n"
      "--f\r\n"
      "Content-Type: message/rfc822\r\n"
      "\r\n"
      "X-HmXmrOriginalRecipient: <ann@hotmail.example>\r\n"
      "From: news@sender.example\r\n"
      "To: list@sender.example\r\n"
      "Subject: offers\r\n"
      "\r\n"
      "offers\r\n"
      "--f--\r\n");
  CHECK(r.kind == ReportKind::Arf);
  CHECK(only(r).address == "ann@hotmail.example");
}

TEST_CASE("An HTML-only report keeps its lines and its entities are decoded", "[bounce]") {
  const std::string html =
      "From: Mail Administrator <postmaster@example.net>\r\n"
      "To: sender@example.com\r\n"
      "Subject: Undeliverable: hello\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: text/html; charset=utf-8\r\n"
      "\r\n"
      "<html><head><style>p { color: red; } /* x@style.example */</style></head><body>\r\n"
      "<p>Delivery has failed to these recipients:</p>"
      "<b>&lt;ann@example.org&gt;</b>: user&nbsp;unknown<br>"
      "<b>&lt;ben@example.org&gt;</b>: mailbox&nbsp;full<br>"
      "<!-- generated for owner@example.net -->\r\n"
      "</body></html>\r\n";
  const DeliveryReport r = DeliveryReport::from_bytes(html);
  REQUIRE(r.recipients.size() == 2);
  CHECK(r.recipients[0].address == "ann@example.org");
  CHECK(r.recipients[0].reason == BounceReason::UserUnknown);
  CHECK(r.recipients[0].hard);
  CHECK(r.recipients[1].address == "ben@example.org");
  CHECK(r.recipients[1].reason == BounceReason::MailboxFull);
  CHECK_FALSE(r.recipients[1].hard);
  // Cut anywhere (inside a tag, a comment, a style, an entity): a best effort, no throw.
  for (std::size_t n = 0; n <= html.size(); ++n)
    CHECK_NOTHROW(DeliveryReport::from_bytes(std::string_view(html).substr(0, n)));
}

TEST_CASE("A recipient at a host name without a dot is read when in angle brackets", "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(
      text_bounce("MAILER-DAEMON@mx.example.net", "Undelivered Mail Returned to Sender",
                  "<ops@localhost>: unknown user: \"ops\"\r\n"
                  "Greetings from the mail system at mailhost, built by admin@mailhost.\r\n"));
  CHECK(only(r).address == "ops@localhost");
  CHECK(only(r).hard);
  CHECK(classify_failure("", "", "mail forwarding loop for ops@example.org") ==
        BounceReason::Network);
}

TEST_CASE("A transcript's 2xx replies before the failure do not make it a success", "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(
      text_bounce("Mail Delivery Subsystem <MAILER-DAEMON@mail.example.net>",
                  "Returned mail: see transcript for details",
                  "   ----- Transcript of session follows -----\r\n"
                  "... while talking to mx.example.org.:\r\n"
                  ">>> MAIL From:<sender@example.com>\r\n"
                  "<<< 250 ok\r\n"
                  ">>> RCPT To:<ann@example.org>\r\n"
                  "<<< 550 Requested action not taken: no such user here\r\n"));
  const ReportRecipient& x = only(r);
  CHECK(x.reply_code == "550");
  CHECK(x.status == "5.1.1");
  CHECK(x.action == "failed");
  CHECK(x.hard);
  // The same with an enhanced code in the success reply only.
  const DeliveryReport e = DeliveryReport::from_bytes(
      text_bounce("Mail Delivery Subsystem <MAILER-DAEMON@mail.example.net>",
                  "Returned mail: see transcript for details",
                  ">>> MAIL From:<sender@example.com>\r\n"
                  "<<< 250 2.1.0 Sender ok\r\n"
                  ">>> RCPT To:<ann@example.org>\r\n"
                  "<<< 550 no such user here\r\n"));
  CHECK(only(e).status == "5.1.1");
  CHECK(only(e).action == "failed");
  // And a 2.x.x code before a failure's own code.
  const DeliveryReport f = DeliveryReport::from_bytes(
      text_bounce("MAILER-DAEMON@mail.example.net", "Undelivered Mail Returned to Sender",
                  "ann@example.org: accepted (2.1.0), then refused (#5.2.2 mailbox full)\r\n"));
  CHECK(only(f).status == "5.2.2");
}

TEST_CASE("Recipients from X-Failed-Recipients each take their own lines of the text", "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(
      "From: Mail Delivery System <Mailer-Daemon@mx.example.net>\r\n"
      "To: sender@example.com\r\n"
      "Subject: Mail delivery failed: returning message to sender\r\n"
      "X-Failed-Recipients: ann@example.org, ben@example.org\r\n"
      "\r\n"
      "This message was created automatically by mail delivery software.\r\n"
      "\r\n"
      "A message that you sent could not be delivered to one or more of its\r\n"
      "recipients. This is a permanent error. The following address(es) failed:\r\n"
      "\r\n"
      "  ann@example.org\r\n"
      "    SMTP error from remote mail server after RCPT TO:<ann@example.org>:\r\n"
      "    550 sorry, no such user here\r\n"
      "  ben@example.org\r\n"
      "    SMTP error from remote mail server after RCPT TO:<ben@example.org>:\r\n"
      "    552 mailbox over quota\r\n");
  REQUIRE(r.recipients.size() == 2);
  CHECK(r.recipients[0].reply_code == "550");
  CHECK(r.recipients[0].reason == BounceReason::UserUnknown);
  CHECK(r.recipients[0].hard);
  CHECK(r.recipients[0].diagnostic.find("quota") == std::string::npos);
  CHECK(r.recipients[1].reply_code == "552");
  CHECK(r.recipients[1].reason == BounceReason::MailboxFull);
  CHECK_FALSE(r.recipients[1].hard);
}

TEST_CASE("The alias a recipient was expanded from is not a recipient", "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(
      text_bounce("Mail Delivery Subsystem <MAILER-DAEMON@mail.example.net>",
                  "Returned mail: see transcript for details",
                  "   ----- The following addresses had permanent fatal errors -----\r\n"
                  "<ann@example.org>\r\n"
                  "    (reason: 550 5.1.1 <ann@example.org>... User unknown)\r\n"
                  "    (expanded from: <team@example.net>)\r\n"));
  CHECK(only(r).address == "ann@example.org");
  CHECK(only(r).hard);
}

TEST_CASE("An address the remote server calls the sender is not a recipient", "[bounce]") {
  // Sent to a VERP return path, so the original sender is not the report's To.
  const DeliveryReport r = DeliveryReport::from_bytes(
      "From: MAILER-DAEMON@mx.example.net\r\n"
      "To: bounces+x1@lists.example.com\r\n"
      "Subject: Undelivered Mail Returned to Sender\r\n"
      "\r\n"
      "<ann@example.org>: host mx.example.org[192.0.2.1] said: 550 5.7.1\r\n"
      "    <news@lists.example.com>: Sender address rejected: Access denied\r\n"
      "<ben@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 no such user\r\n"
      "<<< 250 2.1.0 <news@lists.example.com>... Sender ok\r\n");
  REQUIRE(r.recipients.size() == 2);
  CHECK(r.recipients[0].address == "ann@example.org");
  CHECK_FALSE(r.recipients[0].hard);
  CHECK(r.recipients[1].address == "ben@example.org");
  CHECK(r.recipients[1].hard);
  // A recipient whose reason happens to start with "Sender" is still a recipient.
  const DeliveryReport one = DeliveryReport::from_bytes(
      text_bounce("MAILER-DAEMON@mx.example.net", "Undelivered Mail Returned to Sender",
                  "ann@example.org: Sender address rejected by the recipient's domain\r\n"));
  CHECK(only(one).address == "ann@example.org");
  CHECK_FALSE(only(one).hard);
}

TEST_CASE("A report with thousands of addresses on one line stays bounded", "[bounce]") {
  std::string line;
  for (int i = 0; i < 3000; ++i)
    line += "u" + std::to_string(i) + "@example.org, please contact h" + std::to_string(i) +
            "@example.net and ";
  std::string many;
  for (int i = 0; i < 700; ++i)
    many += "r" + std::to_string(i) + "@example.org\r\n";
  many += std::string(100000, 'x') + "\r\n";
  for (const std::string& body : {line + "\r\n", many}) {
    const DeliveryReport r = DeliveryReport::from_bytes(
        text_bounce("MAILER-DAEMON@mx.example.net", "Undelivered Mail Returned to Sender", body));
    CHECK(r.kind == ReportKind::Heuristic);
    CHECK(r.recipients.size() >= 1);
    CHECK(r.recipients.size() <= 501);
    for (const ReportRecipient& x : r.recipients)
      CHECK(x.address.find("@example.net") == std::string::npos);  // "please contact": not one
  }
}

TEST_CASE("A report whose body names no one takes its recipient from the subject", "[bounce]") {
  const DeliveryReport r = DeliveryReport::from_bytes(
      text_bounce("Postmaster <postmaster@notes.example.net>",
                  "DELIVERY FAILURE: User ann (ann@example.org) not listed in the directory",
                  "Your message was not delivered.\r\n"));
  const ReportRecipient& x = only(r);
  CHECK(x.address == "ann@example.org");
  CHECK(x.reason == BounceReason::UserUnknown);
  CHECK(x.hard);
}
