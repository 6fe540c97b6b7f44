// The message model on mail it was not tuned to: white space as written, a nested message
// that begins with an mbox "From " line, a delivery-status part written as prose, and an
// obsolete local part written with spaces. Each case through Message::parse and, where it
// parses a whole message, the StreamParser too, at several chunk sizes.

#include <mailwire/mime/address.hpp>
#include <mailwire/mime/encoded_word.hpp>
#include <mailwire/mime/message.hpp>
#include <mailwire/mime/stream_parser.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

using namespace mailwire::mime;

namespace {

struct Streamed {
  std::vector<std::pair<std::string, bool>> entities;  // type, leaf
  std::vector<std::string> subjects;                   // of each message entity
  std::vector<std::string> bodies;                     // of each leaf
  std::vector<std::string> defects;
};

Streamed stream(const std::string& bytes, std::size_t chunk) {
  Streamed out;
  StreamCallbacks cb;
  cb.on_entity = [&](const StreamEntity& e) {
    out.entities.emplace_back(e.content_type.mime_type(), e.leaf);
    if (e.message) out.subjects.push_back(e.headers.get("Subject").value_or("-"));
    if (e.leaf) out.bodies.emplace_back();
  };
  cb.on_body = [&](std::string_view d) {
    REQUIRE_FALSE(out.bodies.empty());
    out.bodies.back().append(d);
  };
  cb.on_defect = [&](std::string_view d) { out.defects.emplace_back(d); };
  StreamParser p(cb);
  for (std::size_t at = 0; at < bytes.size(); at += chunk)
    p.feed(std::string_view(bytes).substr(at, chunk));
  p.finish();
  return out;
}

std::string written(const Message& m) {
  std::string out;
  m.root().write([&](std::string_view c) { out.append(c); });
  return out;
}

}  // namespace

TEST_CASE("A header value is given as written and unfolded but not re-spaced", "[mime][header]") {
  const std::string bytes =
      "From: a@example.com\r\n"
      "Subject: two  spaces   and\r\n"
      "\t a tab fold\r\n"
      "X-Mixed: =?utf-8?q?caf=C3=A9?=\t and\r\n"
      "  more\r\n"
      "\r\n"
      "body\r\n";
  const Message m = Message::parse(bytes);
  // The raw value: only the folding line breaks are gone.
  CHECK(m.headers().get("Subject") == std::string("two  spaces   and\t a tab fold"));
  // Decoded for display: the same white space, tab included (as CPython gives it).
  CHECK(decode_encoded_words(*m.headers().get("Subject")) == "two  spaces   and\t a tab fold");
  CHECK(decode_encoded_words(*m.headers().get("X-Mixed")) == "caf\xc3\xa9\t and  more");
  // A raw field with its folding decodes as its unfolded value does.
  CHECK(decode_encoded_words("two  spaces   and\r\n\t a tab fold") ==
        "two  spaces   and\t a tab fold");
  for (const std::size_t chunk : {std::size_t{1}, std::size_t{5}, bytes.size()}) {
    CAPTURE(chunk);
    const Streamed s = stream(bytes, chunk);
    REQUIRE(s.subjects.size() == 1);
    CHECK(s.subjects[0] == "two  spaces   and\t a tab fold");
  }
  CHECK(written(m) == bytes);
}

TEST_CASE("A nested message that begins with an mbox From line", "[mime][message]") {
  // A bounce or a forward that quotes a message from an mbox, envelope line included; the
  // line has colons in its time, but it is no field.
  const std::string bytes =
      "From: postmaster@example.com\r\n"
      "Subject: outer\r\n"
      "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
      "\r\n"
      "--b\r\n"
      "Content-Type: text/plain\r\n"
      "\r\n"
      "see attached\r\n"
      "--b\r\n"
      "Content-Type: message/rfc822\r\n"
      "\r\n"
      "From MAILER-DAEMON Mon Jan  5 09:30:00 2026\r\n"
      "From: inner@example.com\r\n"
      "Subject: inner\r\n"
      "\r\n"
      "inner body\r\n"
      "--b--\r\n";
  const Message m = Message::parse(bytes);
  REQUIRE(m.root().children().size() == 2);
  const Entity& rfc822 = m.root().children()[1];
  REQUIRE(rfc822.children().size() == 1);
  const Entity& inner = rfc822.children()[0];
  CHECK(inner.headers().get("From") == std::string("inner@example.com"));
  CHECK(inner.headers().get("Subject") == std::string("inner"));
  CHECK(inner.decoded_body() == "inner body");
  CHECK(inner.defects().empty());
  // The envelope line is not taken for a field (no "From" of "MAILER-DAEMON ...").
  for (const HeaderField* f : inner.headers().all("From"))
    CHECK(f->value() == "inner@example.com");
  CHECK(written(m) == bytes);
  for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, bytes.size()}) {
    CAPTURE(chunk);
    const Streamed s = stream(bytes, chunk);
    CHECK(s.subjects == std::vector<std::string>{"outer", "inner"});
    CHECK(s.bodies == std::vector<std::string>{"see attached", "inner body"});
  }
}

TEST_CASE("A delivery-status part whose body is prose keeps its text as a leaf",
          "[mime][message]") {
  const std::string prose =
      "The message could not be delivered to\r\n"
      "someone@example.com: the mailbox is full.\r\n"
      "\r\n"
      "Sorry: this is an automated message.";
  const std::string bytes =
      "From: MAILER-DAEMON@example.com\r\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n"
      "\r\n"
      "--b\r\n"
      "Content-Type: text/plain\r\n"
      "\r\n"
      "failed\r\n"
      "--b\r\n"
      "Content-Type: message/delivery-status\r\n"
      "\r\n" +
      prose +
      "\r\n"
      "--b--\r\n";
  const Message m = Message::parse(bytes);
  REQUIRE(m.root().children().size() == 2);
  const Entity& status = m.root().children()[1];
  CHECK(status.content_type().mime_type() == "message/delivery-status");
  CHECK(status.children().empty());
  CHECK(status.decoded_body() == prose);
  CHECK(std::find(status.defects().begin(), status.defects().end(),
                  std::string("message/delivery-status body is text, not header fields")) !=
        status.defects().end());
  CHECK(written(m) == bytes);
  for (const std::size_t chunk : {std::size_t{1}, std::size_t{9}, bytes.size()}) {
    CAPTURE(chunk);
    const Streamed s = stream(bytes, chunk);
    const std::vector<std::pair<std::string, bool>> entities{
        {"multipart/report", false}, {"text/plain", true}, {"message/delivery-status", true}};
    CHECK(s.entities == entities);
    CHECK(s.bodies == std::vector<std::string>{"failed", prose});
    CHECK(s.defects ==
          std::vector<std::string>{"message/delivery-status body is text, not header fields"});
  }
  // Fields, as RFC 3464 writes them, are still blocks.
  const Message fields = Message::parse(
      "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n"
      "Final-Recipient: rfc822; someone@example.com\r\nAction: failed\r\nStatus: 5.2.2\r\n");
  REQUIRE(fields.root().children().size() == 2);
  CHECK(fields.root().children()[1].headers().get("Status") == std::string("5.2.2"));
}

TEST_CASE("An obsolete local part written with spaces", "[mime][address]") {
  const auto address = [](const char* text) {
    const std::vector<Mailbox> list = parse_address_list(text);
    return list.size() == 1 ? list[0].address()
                            : std::string("(") + std::to_string(list.size()) + " mailboxes)";
  };
  // RFC 5322 4.4 obs-local-part: words and dots with white space and comments between.
  CHECK(address("john . doe@example.com") == "john.doe@example.com");
  CHECK(address("John <john . doe @ example . com>") == "john.doe@example.com");
  CHECK(address("john.(a comment) doe@example.com") == "john.doe@example.com");
  // Quoted words: the one local part they mean, in the form SMTP accepts (RFC 5321 4.1.2 has
  // no obs-local-part): unquoted when it is a dot-atom, else one quoted string.
  CHECK(address("\"john\" . \"doe\"@example.com") == "john.doe@example.com");
  CHECK(address("\"john smith\" . x@example.com") == "\"john smith.x\"@example.com");
  // Words without a dot between them are not even obsolete syntax: the space is kept, in
  // quotes, and never makes another mailbox ("johndoe").
  CHECK(address("Name <john doe@example.com>") == "\"john doe\"@example.com");
  // Unchanged: a quoted local part as written, a plain one.
  CHECK(address("\"quoted local\"@example.com") == "\"quoted local\"@example.com");
  CHECK(address("\"a@evil.com\"@example.com") == "\"a@evil.com\"@example.com");
  CHECK(address("plain.dot.atom@example.com") == "plain.dot.atom@example.com");
}
