#include <mailwire/error.hpp>
#include <mailwire/mime/builder.hpp>
#include <mailwire/mime/encoded_word.hpp>
#include <mailwire/mime/header.hpp>
#include <mailwire/mime/message.hpp>

#include <catch2/catch.hpp>

using namespace mailwire;
using namespace mailwire::mime;

namespace {

void check_lines(const std::string& message) {
  const std::size_t header_end = message.find("\r\n\r\n");
  REQUIRE(header_end != std::string::npos);
  for (std::size_t at = 0; at < message.size();) {
    std::size_t nl = message.find('\n', at);
    if (nl == std::string::npos) nl = message.size();
    CHECK(nl > at);
    CHECK(message[nl - 1] == '\r');  // only CRLF
    const std::size_t length = nl - at - 1;
    CHECK(length <= 998);
    if (at < header_end) CHECK(length <= 78);  // generated header lines
    at = nl + 1;
  }
}

}  // namespace

TEST_CASE("Builder: a text message, headers generated and encoded", "[mime][builder]") {
  MessageBuilder b;
  b.from("Billing <billing@shop.example>")
      .to("J\xc3\xb6rg <jm@example.de>")
      .bcc("hidden@example.com")
      .subject("Invoice \xe2\x80\x94 caf\xc3\xa9 " + std::string(100, 'x'))
      .text("line one\nline two\n")
      .date(0);
  const std::string m = b.to_string();
  check_lines(m);
  const HeaderList h = HeaderList::parse(m.substr(0, m.find("\r\n\r\n") + 2));
  CHECK(h.get("Date") == "Thu, 1 Jan 1970 00:00:00 +0000");
  CHECK(decode_encoded_words(*h.get("Subject")) ==
        "Invoice \xe2\x80\x94 caf\xc3\xa9 " + std::string(100, 'x'));
  CHECK(h.get("To") == "=?UTF-8?B?SsO2cmc=?= <jm@example.de>");
  CHECK_FALSE(h.get("Bcc"));  // never written
  CHECK(h.get("Message-ID")->find("@shop.example>") != std::string::npos);
  CHECK(h.get("Content-Transfer-Encoding") == "7bit");
  CHECK(m.substr(m.find("\r\n\r\n") + 4) == "line one\r\nline two\r\n");
  CHECK(b.envelope_sender() == "billing@shop.example");
  CHECK(b.envelope_recipients() == std::vector<std::string>{"jm@example.de", "hidden@example.com"});
}

TEST_CASE("Builder: transfer encodings follow content and server abilities", "[mime][builder]") {
  MessageBuilder b;
  b.from("a@example.com").to("b@example.com").text("caf\xc3\xa9\n");
  CHECK(b.to_string().find("Content-Transfer-Encoding: quoted-printable") != std::string::npos);
  WriteOptions eight;
  eight.eight_bit = true;
  CHECK(b.to_string(eight).find("Content-Transfer-Encoding: 8bit") != std::string::npos);
  MessageBuilder long_line;
  long_line.from("a@example.com").to("b@example.com").text(std::string(2000, 'a'));
  const std::string m = long_line.to_string(eight);
  CHECK(m.find("quoted-printable") != std::string::npos);  // 8bit would break 998
  check_lines(m);
}

TEST_CASE("Builder: attachments, inline parts, the whole tree", "[mime][builder]") {
  MessageBuilder b;
  b.from("a@example.com")
      .to("b@example.com")
      .text("plain")
      .html("<img src=\"cid:logo@x\">")
      .inline_part("logo@x", std::string("\x89PNG\r\n\x1a\n", 8), "image/png")
      .attach("R\xc3\xa9sum\xc3\xa9 2026.pdf", std::string(5000, '\0'))
      .in_reply_to("<orig@example.com>");
  const std::string m = b.to_string();
  check_lines(m);
  CHECK(m.find("multipart/mixed") < m.find("multipart/alternative"));
  CHECK(m.find("multipart/alternative") < m.find("multipart/related"));
  CHECK(m.find("Content-Type: application/pdf; name=") != std::string::npos);
  CHECK(m.find("filename*=UTF-8''R%C3%A9sum%C3%A9%202026.pdf") != std::string::npos);
  CHECK(m.find("Content-ID: <logo@x>") != std::string::npos);
  CHECK(m.find("In-Reply-To: <orig@example.com>") != std::string::npos);
}

TEST_CASE("Builder: caller mistakes fail before anything is written", "[mime][builder]") {
  MessageBuilder b;
  CHECK_THROWS_AS(b.to("a@example.com\r\nBcc: x@example.com"), Error);
  CHECK_THROWS_AS(b.to("not an address"), Error);
  CHECK_THROWS_AS(b.to("a@example.com, b@example.com"), Error);
  CHECK_THROWS_AS(b.subject("hi\r\nBcc: x@example.com"), Error);
  CHECK_THROWS_AS(b.header("X-Tag", "a\nb"), Error);
  CHECK_THROWS_AS(b.header("Content-Type", "text/evil"), Error);
  CHECK_THROWS_AS(b.attach_file("/nonexistent/file.pdf"), Error);
  CHECK_THROWS_AS(b.to_string(), Error);  // no From
  CHECK(guess_content_type("INVOICE.PDF") == "application/pdf");
  CHECK(guess_content_type("noext") == "application/octet-stream");
}

namespace {

// A message as a client would have received it: folded References, encoded words, CRLF.
const std::string received =
    "Return-Path: <alice@example.com>\r\n"
    "From: =?UTF-8?Q?Alice_M=C3=BCller?= <alice@example.com>\r\n"
    "To: bob@example.org, Carol <carol@example.net>\r\n"
    "Cc: dave@example.com, Bob <BOB@Example.ORG>\r\n"
    "Subject: Re: RE: Re[2]:  Lunch =?UTF-8?Q?caf=C3=A9?=\r\n"
    "Date: Fri, 24 Apr 2026 12:00:00 +0200\r\n"
    "Message-ID: <m3@example.com>\r\n"
    "In-Reply-To: <m2@example.com>\r\n"
    "References: <m1@example.com>\r\n"
    "\t<m2@example.com> (the second)\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "Shall we meet at the caf\xc3\xa9?\r\n"
    "-- \r\n"
    "Alice\r\n";

HeaderList header_of(const std::string& message) {
  return HeaderList::parse(message.substr(0, message.find("\r\n\r\n") + 2));
}

std::vector<std::string> addresses_of(const std::optional<std::string>& value) {
  std::vector<std::string> out;
  if (!value) return out;
  for (const Mailbox& m : parse_address_list(*value))
    out.push_back(m.address());
  return out;
}

using Addresses = std::vector<std::string>;

}  // namespace

TEST_CASE("Builder: reply to the sender, threading headers", "[mime][builder][reply]") {
  const Message original = Message::parse(received);
  MessageBuilder b = MessageBuilder::reply(original);
  b.from("bob@example.org").text("Yes!\n").date(0);
  const std::string m = b.to_string();
  check_lines(m);
  const HeaderList h = header_of(m);
  CHECK(addresses_of(h.get("To")) == Addresses{"alice@example.com"});
  CHECK(decode_encoded_words(*h.get("To")) == "Alice M\xc3\xbcller <alice@example.com>");
  CHECK_FALSE(h.get("Cc"));
  CHECK(decode_encoded_words(*h.get("Subject")) == "Re: Lunch caf\xc3\xa9");  // one "Re: "
  CHECK(h.get("In-Reply-To") == "<m3@example.com>");
  CHECK(h.get("References") == "<m1@example.com> <m2@example.com> <m3@example.com>");
  CHECK(b.envelope_recipients() == Addresses{"alice@example.com"});

  // Parsed back, the reply threads under the original.
  const Message parsed = Message::parse(m);
  CHECK(parsed.subject() == "Re: Lunch caf\xc3\xa9");
  CHECK(parsed.root().text() == "Yes!\r\n");
}

TEST_CASE("Builder: reply all, without oneself, Reply-To first", "[mime][builder][reply]") {
  const Message original = Message::parse(received);
  MessageBuilder all = MessageBuilder::reply(original, true, "Bob <bob@example.org>");
  all.from("bob@example.org");
  const HeaderList h = header_of(all.to_string());
  CHECK(addresses_of(h.get("To")) == Addresses{"alice@example.com", "carol@example.net"});
  CHECK(addresses_of(h.get("Cc")) == Addresses{"dave@example.com"});  // BOB@Example.ORG is me
  CHECK(all.envelope_recipients() ==
        Addresses{"alice@example.com", "carol@example.net", "dave@example.com"});

  // Without `self`, nobody is left out, but nobody comes twice.
  MessageBuilder everyone = MessageBuilder::reply(original, true);
  CHECK(everyone.envelope_recipients() ==
        Addresses{"alice@example.com", "bob@example.org", "carol@example.net", "dave@example.com"});

  // Reply-To wins over From; a list of own addresses (aliases, an IDN domain in either form).
  const Message listed = Message::parse(
      "From: alice@example.com\r\nReply-To: Team <team@lists.example>\r\n"
      "To: bob@xn--bcher-kva.example\r\nCc: team@lists.example\r\nSubject: x\r\n\r\nhi\r\n");
  CHECK(MessageBuilder::reply(listed).envelope_recipients() == Addresses{"team@lists.example"});
  CHECK(MessageBuilder::reply(listed, true,
                              "me@example.net, bob@b\xc3\xbc"
                              "cher.example")
            .envelope_recipients() == Addresses{"team@lists.example"});

  // Replying to one's own message goes to whom it went.
  const Message sent = Message::parse(
      "From: Bob <bob@example.org>\r\nTo: carol@example.net\r\nSubject: Plans\r\n\r\nhi\r\n");
  CHECK(MessageBuilder::reply(sent, false, "bob@example.org").envelope_recipients() ==
        Addresses{"carol@example.net"});
  CHECK_THROWS_AS(MessageBuilder::reply(sent, false, "bob@example.org\r\nBcc: x@y.example"), Error);
}

TEST_CASE("Builder: reply threading fallbacks and long References", "[mime][builder][reply]") {
  // No References: the one In-Reply-To identifier starts them (RFC 5322 3.6.4).
  const Message second = Message::parse(
      "From: a@example.com\r\nSubject: Re:\r\nMessage-ID: <2@x>\r\nIn-Reply-To: <1@x>\r\n\r\n");
  MessageBuilder b = MessageBuilder::reply(second);
  b.from("b@example.com");
  HeaderList h = header_of(b.to_string());
  CHECK(h.get("References") == "<1@x> <2@x>");
  CHECK(h.get("Subject") == "Re:");

  // No Message-ID: no In-Reply-To; References as the parent had them.
  const Message anonymous =
      Message::parse("From: a@example.com\r\nReferences: <1@x> <2@x>\r\nSubject: hi\r\n\r\n");
  b = MessageBuilder::reply(anonymous);
  b.from("b@example.com");
  h = header_of(b.to_string());
  CHECK_FALSE(h.get("In-Reply-To"));
  CHECK(h.get("References") == "<1@x> <2@x>");

  // Nothing to thread on: neither field.
  b = MessageBuilder::reply(Message::parse("From: a@example.com\r\n\r\n"));
  b.from("b@example.com");
  h = header_of(b.to_string());
  CHECK_FALSE(h.get("In-Reply-To"));
  CHECK_FALSE(h.get("References"));
  CHECK(h.get("Subject") == "Re:");

  // A long thread: folded at 78 columns, unfolded to the same identifiers.
  std::string references;
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i) {
    ids.push_back("<" + std::to_string(1000000 + i) + ".thread@mail.example.com>");
    references += (i == 0 ? "" : "\r\n ") + ids.back();
  }
  const Message long_thread = Message::parse(
      "From: a@example.com\r\nMessage-ID: <last@mail.example.com>\r\nReferences: " + references +
      "\r\n\r\nbody\r\n");
  b = MessageBuilder::reply(long_thread);
  b.from("b@example.com");
  const std::string m = b.to_string();
  check_lines(m);
  std::string expected;
  for (const std::string& id : ids)
    expected += id + " ";
  CHECK(header_of(m).get("References") == expected + "<last@mail.example.com>");
  CHECK(header_of(m).find("References")->raw.find("\r\n ") != std::string::npos);
}

TEST_CASE("Builder: a hostile original cannot inject header fields into the reply",
          "[mime][builder][reply]") {
  const Message hostile = Message::parse(
      "From: =?UTF-8?B?RXZlDQpCY2M6IHZpY3RpbUBleGFtcGxlLmNvbQ==?= <eve@example.com>\r\n"
      "Subject: =?UTF-8?Q?hi=0D=0ABcc:_victim@example.com?=\r\n"
      "Message-ID: <a\r\n b@x> <ok@x>\r\n\r\n");
  MessageBuilder b = MessageBuilder::reply(hostile);
  b.from("me@example.com");
  const std::string m = b.to_string();
  check_lines(m);
  const HeaderList h = header_of(m);
  CHECK(h.all("Bcc").empty());
  // The decoded CR LF show as U+FFFD in the original's subject and name (Mailsploit), and so
  // in the reply.
  CHECK(decode_encoded_words(*h.get("Subject")) ==
        "Re: hi\xef\xbf\xbd\xef\xbf\xbd"
        "Bcc: victim@example.com");
  CHECK(addresses_of(h.get("To")) == Addresses{"eve@example.com"});
  CHECK(parse_mailbox(*h.get("To"))->name ==
        "Eve\xef\xbf\xbd\xef\xbf\xbd"
        "Bcc: victim@example.com");
  CHECK(h.get("In-Reply-To") == "<ok@x>");  // the identifier with a space is dropped
  for (const HeaderField& f : h.fields())
    CHECK_FALSE(f.name.empty());
}

TEST_CASE("Builder: forward as an attached message/rfc822, byte for byte",
          "[mime][builder][forward]") {
  const Message original = Message::parse(received);
  MessageBuilder b = MessageBuilder::forward(original, false, "See below.");
  b.from("bob@example.org").to("erin@example.net");
  WriteOptions eight;
  eight.eight_bit = true;
  const std::string m = b.to_string(eight);
  check_lines(m);
  const Message parsed = Message::parse(m);
  CHECK(parsed.subject() == "Fwd: Re: RE: Re[2]:  Lunch caf\xc3\xa9");
  const Entity* attached = nullptr;
  const Entity* note = nullptr;
  for (const Entity* e : parsed.entities()) {
    if (e->content_type().mime_type() == "message/rfc822") attached = e;
    if (e->content_type().mime_type() == "text/plain" && note == nullptr) note = e;
  }
  REQUIRE(attached != nullptr);
  CHECK(attached->body() == received);  // the original bytes, not re-encoded
  CHECK(attached->transfer_encoding() == "8bit");
  CHECK(attached->disposition().kind == "attachment");
  CHECK(attached->filename() == "Re_ RE_ Re[2]_  Lunch caf\xc3\xa9.eml");
  REQUIRE(attached->children().size() == 1);
  CHECK(attached->children()[0].headers().get("Message-ID") == "<m3@example.com>");
  REQUIRE(note != nullptr);
  CHECK(note->text() == "See below.\r\n");

  // Already "Fwd:": not doubled. A 7-bit original says 7bit; LF line ends become CRLF.
  const std::string lf = "From: a@example.com\nSubject: FW: notes\n\nline\n";
  const Message plain = Message::parse(lf);
  MessageBuilder again = MessageBuilder::forward(plain);
  again.from("b@example.com").to("c@example.com");
  const Message back = Message::parse(again.to_string());
  CHECK(back.subject() == "FW: notes");
  bool found = false;
  for (const Entity* e : back.entities()) {
    if (!e->content_type().is_message()) continue;
    found = true;
    CHECK(e->body() == "From: a@example.com\r\nSubject: FW: notes\r\n\r\nline\r\n");
    CHECK(e->transfer_encoding() == "7bit");
  }
  CHECK(found);
}

TEST_CASE("Builder: forward inline, with the original's attachments", "[mime][builder][forward]") {
  const std::string original_bytes =
      "From: Alice <alice@example.com>\r\n"
      "To: bob@xn--bcher-kva.example\r\n"
      "Subject: Report\r\n"
      "Date: Fri, 24 Apr 2026 12:00:00 +0200\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
      "\r\n"
      "--outer\r\n"
      "Content-Type: multipart/alternative; boundary=\"alt\"\r\n"
      "\r\n"
      "--alt\r\n"
      "Content-Type: text/plain; charset=iso-8859-1\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "The report is attached. Caf=E9 <3\r\n"
      "--alt\r\n"
      "Content-Type: text/html; charset=utf-8\r\n"
      "\r\n"
      "<p>The report is attached.</p>\r\n"
      "--alt--\r\n"
      "--outer\r\n"
      "Content-Type: application/pdf; name=\"report.pdf\"\r\n"
      "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n"
      "JVBERi0xLjQKJcfsj6IK\r\n"
      "--outer--\r\n";
  const Message original = Message::parse(original_bytes);
  MessageBuilder b = MessageBuilder::forward(original, true, "FYI");
  b.from("bob@example.org").to("erin@example.net");
  const std::string m = b.to_string();
  check_lines(m);
  const Message parsed = Message::parse(m);
  CHECK(parsed.subject() == "Fwd: Report");
  std::string text;
  std::string html;
  for (const Entity* e : parsed.entities()) {
    if (e->content_type().mime_type() == "text/plain") text = e->text();
    if (e->content_type().mime_type() == "text/html") html = e->text();
    CHECK_FALSE(e->content_type().is_message());
  }
  CHECK(text ==
        "FYI\r\n\r\n"
        "---------- Forwarded message ----------\r\n"
        "From: Alice <alice@example.com>\r\n"
        "Date: Fri, 24 Apr 2026 12:00:00 +0200\r\n"
        "Subject: Report\r\n"
        "To: bob@b\xc3\xbc"
        "cher.example\r\n"
        "\r\n"
        "The report is attached. Caf\xc3\xa9 <3");
  CHECK(html.find("From: Alice &lt;alice@example.com&gt;<br>") != std::string::npos);
  CHECK(html.find("<p>FYI</p>") < html.find("<p>The report is attached.</p>"));
  const std::vector<const Entity*> attachments = parsed.attachments();
  REQUIRE(attachments.size() == 1);
  CHECK(attachments[0]->filename() == "report.pdf");
  CHECK(attachments[0]->content_type().mime_type() == "application/pdf");
  CHECK(attachments[0]->decoded_body() == original.attachments()[0]->decoded_body());
}

TEST_CASE("MessageBuilder: caller strings cannot add header fields", "[mime][builder][security]") {
  // Found while documenting the builder: a Content-ID with an '@' and a content type passed
  // CR/LF into the part header, a Message-ID passed NUL, and header() duplicated own fields.
  const auto base = [] {
    MessageBuilder b;
    b.from("a@example.org").to("b@example.org").subject("s").text("t").html("<p>h</p>");
    return b;
  };
  {
    MessageBuilder b = base();
    CHECK_THROWS_AS(b.inline_part("x@y>\r\nBcc: evil@example.com", "png", "image/png"), Error);
    CHECK_THROWS_AS(b.inline_part("logo@x", "png", "image/png\r\nX-Injected: yes"), Error);
    CHECK_THROWS_AS(b.inline_part("lo go@x", "png", "image/png"), Error);
    CHECK_THROWS_AS(b.inline_part(std::string_view("a\0@x", 4), "png", "image/png"), Error);
    b.inline_part("logo@example.org", "png", "image/png");  // a real one still works
  }
  {
    MessageBuilder b = base();
    CHECK_THROWS_AS(b.attach("a.txt", "x", "text/plain\r\nX-Injected: yes"), Error);
    CHECK_THROWS_AS(b.attach("a.txt", "x", "text/plain\nX-Injected: yes"), Error);
    CHECK_THROWS_AS(b.attach("a.txt", "x", std::string_view("text/plain\0", 11)), Error);
    CHECK_THROWS_AS(b.attach("a.txt", "x", "plain"), Error);
    b.attach("a.txt", "x", "text/plain; charset=us-ascii");
  }
  {
    MessageBuilder b = base();
    CHECK_THROWS_AS(b.message_id(std::string_view("<a\0b@x>", 7)), Error);
    CHECK_THROWS_AS(b.message_id("<a@x>\r\nBcc: evil@example.com"), Error);
    b.message_id("<a@x>");
  }
  {
    MessageBuilder b = base();
    for (const char* own : {"Subject", "date", "FROM", "To", "Cc", "Reply-To", "Message-ID"}) {
      INFO(own);
      CHECK_THROWS_AS(b.header(own, "second"), Error);
    }
    b.header("X-Mailer", "mailwire");
  }
  {
    // A file name with CR/LF is a parameter value, encoded: no new field appears.
    MessageBuilder b = base();
    b.attach("evil\r\nBcc: x@example.com.txt", "x", "text/plain");
    const std::string out = b.to_string();
    CHECK(out.find("\r\nBcc:") == std::string::npos);
    CHECK(out.find("\nBcc:") == std::string::npos);
  }
}

TEST_CASE("MessageBuilder: the generated Message-ID is kept and readable", "[mime][builder]") {
  MessageBuilder b;
  b.from("a@example.org").to("b@example.org").subject("s").text("t");
  CHECK(b.generated_message_id().empty());
  const std::string first = b.to_string();
  const std::string id = b.generated_message_id();
  REQUIRE_FALSE(id.empty());
  CHECK(first.find("Message-ID: " + id + "\r\n") != std::string::npos);
  // A second write (a retry after a failed send) carries the same Message-ID.
  CHECK(b.to_string().find("Message-ID: " + id + "\r\n") != std::string::npos);
}
