#include <mailwire/error.hpp>
#include <mailwire/mime/builder.hpp>
#include <mailwire/mime/encoded_word.hpp>
#include <mailwire/mime/header.hpp>

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
