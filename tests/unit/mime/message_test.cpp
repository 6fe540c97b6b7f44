#include "support/corpus.hpp"

#include <mailwire/mime/encoded_word.hpp>
#include <mailwire/mime/message.hpp>
#include <mailwire/mime/stream_parser.hpp>

#include <catch2/catch.hpp>

#include <algorithm>

using namespace mailwire;
using namespace mailwire::mime;

namespace {

std::string written(const Message& m) {
  std::string out;
  m.root().write([&](std::string_view c) { out.append(c); });
  return out;
}

const char* nested =
    "From: a@example.com\r\n"
    "To: b@example.com\r\n"
    "Subject: =?utf-8?q?nested_caf=C3=A9?=\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
    "\r\n"
    "This is the preamble.\r\n"
    "--outer\r\n"
    "Content-Type: multipart/alternative; boundary=inner\r\n"
    "\r\n"
    "--inner\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "caf=E9\r\n"
    "--inner\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<b>x</b>\r\n"
    "--inner--\r\n"
    "--outer\r\n"
    "Content-Type: application/pdf; name=\"a.pdf\"\r\n"
    "Content-Disposition: attachment; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "JVBERi0x\r\n"
    "--outer\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: inside\r\n"
    "\r\n"
    "inner body\r\n"
    "--outer--  \r\n"
    "epilogue\r\n";

}  // namespace

TEST_CASE("Parser: nested multiparts, message/rfc822, decoding", "[mime][parser]") {
  const Message m = Message::parse(nested);
  CHECK(m.subject() == "nested caf\xc3\xa9");
  CHECK(m.from().at(0).address() == "a@example.com");
  const Entity& root = m.root();
  CHECK(root.content_type().mime_type() == "multipart/mixed");
  CHECK(root.preamble() == "This is the preamble.");
  CHECK(root.epilogue() == "epilogue\r\n");
  REQUIRE(root.children().size() == 3);
  const Entity& alt = root.children()[0];
  REQUIRE(alt.children().size() == 2);
  CHECK(alt.children()[0].text() == "caf\xc3\xa9");
  CHECK(alt.children()[1].body() == "<b>x</b>");
  const Entity& pdf = root.children()[1];
  CHECK(pdf.decoded_body() == "%PDF-1");
  CHECK(pdf.filename() == "R\xc3\xa9sum\xc3\xa9.pdf");
  const Entity& rfc822 = root.children()[2];
  REQUIRE(rfc822.children().size() == 1);
  CHECK(rfc822.children()[0].headers().get("Subject") == "inside");
  CHECK(rfc822.children()[0].body() == "inner body");
  CHECK(m.attachments().size() == 1);
  CHECK(root.defects().empty());
  CHECK(written(m) == nested);
}

TEST_CASE("Parser: broken structure gives defects, never failure", "[mime][parser]") {
  SECTION("missing final boundary") {
    const Message m =
        Message::parse("Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo\n");
    REQUIRE(m.root().children().size() == 2);
    // The last line break belongs to the delimiter that never came (RFC 2046 5.1.1).
    CHECK(m.root().children()[1].body() == "two");
    CHECK_FALSE(m.root().defects().empty());
  }
  SECTION("near-miss boundaries are content") {
    const Message m = Message::parse(
        "Content-Type: multipart/mixed; boundary=b\n\n--b\n\n--bx is text\n--b --\n--b--\n");
    REQUIRE(m.root().children().size() == 1);
    CHECK(m.root().children()[0].body() == "--bx is text\n--b --");
  }
  SECTION("adjacent delimiter lines delimit no part") {
    // RFC 2046 5.1.1: a delimiter is CRLF "--" boundary and is itself followed by a CRLF, so
    // between two adjacent delimiter lines there is no body part, not even an empty one (that
    // needs a line of its own). They count as one delimiter (CPython reads them so too);
    // mail-parser's malformed/000.eml.
    const std::string text =
        "Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\nContent-Type: text/plain\n"
        "--b\n--b\n--b\n\nx\n--b\n\n--b--\n";
    const Message m = Message::parse(text);
    REQUIRE(m.root().children().size() == 3);
    CHECK(m.root().children()[0].headers().get("Content-Type") == "text/plain");
    CHECK(m.root().children()[0].body().empty());
    CHECK(m.root().children()[1].body() == "x");
    CHECK(m.root().children()[2].body().empty());  // an empty line: an empty part
    CHECK(written(m) == text);
  }
  SECTION("no empty line after the header") {
    const Message m = Message::parse("Subject: x\r\nthis is body\r\n");
    CHECK(m.root().body() == "this is body\r\n");
    CHECK_FALSE(m.root().defects().empty());
  }
  SECTION("no boundary parameter") {
    const Message m = Message::parse("Content-Type: multipart/mixed\r\n\r\nbody\r\n");
    CHECK(m.root().children().empty());
    CHECK_FALSE(m.root().defects().empty());
  }
  SECTION("empty input") {
    const Message m = Message::parse("");
    CHECK(m.root().content_type().mime_type() == "text/plain");
    CHECK(written(m).empty());
  }
}

TEST_CASE("Parser: limits hold against MIME bombs", "[mime][parser][security]") {
  // 100,000 nested multiparts: the depth limit stops the descent; no stack overflow.
  std::string deep;
  for (int i = 0; i < 100000; ++i) {
    deep += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" +
            std::to_string(i) + "\n";
  }
  const Message m = Message::parse(deep);
  std::size_t depth = 0;
  for (const Entity* e = &m.root(); !e->children().empty(); e = &e->children()[0])
    ++depth;
  CHECK(depth == ParserOptions{}.max_depth);
  CHECK(written(m) == deep);

  // A million siblings: the part limit.
  std::string wide = "Content-Type: multipart/mixed; boundary=b\n\n";
  for (int i = 0; i < 1000000; ++i)
    wide += "--b\n\nx\n";
  ParserOptions options;
  options.max_parts = 1000;
  const Message w = Message::parse(wide, options);
  CHECK(w.root().children().size() < 1000);
  CHECK_FALSE(w.root().defects().empty());
}

TEST_CASE("Parser: every corpus message writes back byte for byte", "[mime][parser][corpus]") {
  const auto files = mailwire::test::corpus_files();
  if (files.empty()) {
    WARN("../shared/corpus is not here; skipped");
    return;
  }
  std::size_t count = 0;
  for (const auto& path : files) {
    const std::string bytes = mailwire::test::file_bytes(path);
    const Message m = Message::parse(bytes);
    INFO(path.string());
    CHECK(written(m) == bytes);
    ++count;
  }
  CHECK(count > 200);  // the messages, mboxes and vectors of the corpus
}

TEST_CASE("Parser: more MIME bombs give deterministic results", "[mime][parser][security]") {
  SECTION("10,000 encoded words in one header decode to one string, the same every time") {
    std::string subject;
    for (int i = 0; i < 10000; ++i)
      subject += (i ? " " : "") + std::string("=?UTF-8?B?w6k=?=");
    const Message m = Message::parse("Subject: " + subject + "\r\n\r\nbody\r\n");
    const std::string decoded = decode_encoded_words(*m.root().headers().get("Subject"));
    // Adjacent encoded words join without the white space between them (RFC 2047 6.2).
    CHECK(decoded.size() == 2 * 10000);
    CHECK(decoded.substr(0, 4) == "\xC3\xA9\xC3\xA9");
    CHECK(decode_encoded_words(*m.root().headers().get("Subject")) == decoded);
  }
  SECTION("boundaries that never close, nested 1,000 times") {
    std::string open;
    for (int i = 0; i < 1000; ++i)
      open += "Content-Type: multipart/mixed; boundary=\"q" + std::to_string(i) + "\"\n\n--q" +
              std::to_string(i) + "\n";
    open += "\nthe end\n";
    const Message a = Message::parse(open);
    const Message b = Message::parse(open);
    CHECK(written(a) == open);
    CHECK(written(a) == written(b));
    CHECK_FALSE(a.root().defects().empty());
  }
}

TEST_CASE("Parser: Mailsploit headers decode without controls, raw kept, defect recorded",
          "[mime][parser][security]") {
  const std::string fffd = "\xef\xbf\xbd";
  const Message m = Message::parse(
      "From: =?utf-8?Q?potus@whitehouse.gov=00=0D=0ABcc:x@evil.com?= <a@attacker.com>\r\n"
      "Subject: =?utf-8?B?aGkNCkJjYzogdmljdGltQGV4YW1wbGUuY29t?=\r\n"
      "\r\n"
      "body\r\n");
  CHECK(m.subject() == "hi" + fffd + fffd + "Bcc: victim@example.com");
  REQUIRE(m.from().size() == 1);
  CHECK(m.from()[0].name == "potus@whitehouse.gov" + fffd + fffd + fffd + "Bcc:x@evil.com");
  CHECK(m.from()[0].address() == "a@attacker.com");
  // The raw form stays available as written.
  CHECK(m.root().headers().get("Subject") == "=?utf-8?B?aGkNCkJjYzogdmljdGltQGV4YW1wbGUuY29t?=");
  CHECK(std::count(m.root().defects().begin(), m.root().defects().end(),
                   "encoded word decodes to a control character") == 2);
  // A clean message records no such defect.
  const Message clean = Message::parse("Subject: =?utf-8?Q?caf=C3=A9?=\r\n\r\nx\r\n");
  CHECK(clean.root().defects().empty());
}

TEST_CASE("Parser: max_header_bytes holds for the last header line too",
          "[mime][parser][security]") {
  // Case 65: a 10 MB field as the last line of the header passed the limit unnoticed, because
  // the limit was checked before each line rather than with it.
  const std::string big =
      "Subject: ok\r\nX-Big: " + std::string(10 << 20, 'a') + "\r\n\r\nbody\r\n";
  const Message m = Message::parse(big);
  CHECK(std::count(m.root().defects().begin(), m.root().defects().end(),
                   "header longer than the limit") == 1);
  CHECK(m.root().headers().get("Subject") == "ok");
  CHECK_FALSE(m.root().headers().find("X-Big"));  // the field past the limit is not a field
  std::vector<std::string> defects;
  StreamCallbacks callbacks;
  callbacks.on_defect = [&](std::string_view d) { defects.emplace_back(d); };
  StreamParser parser(callbacks);
  for (std::size_t i = 0; i < big.size(); i += 65536)
    parser.feed(std::string_view(big).substr(i, 65536));
  parser.finish();
  CHECK(std::count(defects.begin(), defects.end(), "header longer than the limit") == 1);
  // Just under the limit is no defect.
  ParserOptions options;
  options.max_header_bytes = 64;
  const Message fits =
      Message::parse("Subject: ok\r\nX-Tag: " + std::string(30, 'b') + "\r\n\r\nx", options);
  CHECK(fits.root().defects().empty());
}

TEST_CASE("Parser: a UTF-16 text part with a byte order mark reads as UTF-8",
          "[mime][parser][charset]") {
  // Case 64: the BOM says the byte order and is not part of the text.
  const Message m =
      Message::parse(std::string("Content-Type: text/plain; charset=utf-16\r\n\r\n"
                                 "\xff\xfeh\0i\0",
                                 50));
  CHECK(m.root().text() == "hi");
}

TEST_CASE("Parser: a message/rfc822 chain, boundary prefixes, padded delimiters",
          "[mime][parser][security]") {
  // Case 62 (Email-MIME CVE-2024-4140, GMime's nesting cap).
  std::string chain;
  for (int i = 0; i < 1000; ++i)
    chain += "Content-Type: message/rfc822\r\n\r\n";
  chain += "Subject: innermost\r\n\r\nbody\r\n";
  const Message deep = Message::parse(chain);
  std::size_t depth = 0;
  bool capped = false;
  for (const Entity* e = &deep.root();; e = &e->children().front()) {
    for (const std::string& d : e->defects())
      capped = capped || d == "nesting deeper than the limit";
    if (e->children().empty()) break;
    ++depth;
  }
  CHECK(depth <= ParserOptions{}.max_depth);
  CHECK(capped);

  // "--ab" is not a delimiter of boundary "a" (it is of "ab"); "--a" with spaces and a tab
  // after it is (transport padding, RFC 2046 5.1.1).
  const Message m = Message::parse(
      "Content-Type: multipart/mixed; boundary=\"a\"\r\n\r\n"
      "--a\r\n"
      "Content-Type: multipart/mixed; boundary=\"ab\"\r\n\r\n"
      "--ab\r\n"
      "Content-Type: text/plain\r\n\r\n"
      "inner\r\n"
      "--ab--\r\n"
      "--a \t \r\n"
      "Content-Type: text/plain\r\n\r\n"
      "second\r\n"
      "--a--\r\n");
  REQUIRE(m.root().children().size() == 2);
  REQUIRE(m.root().children()[0].children().size() == 1);
  CHECK(m.root().children()[0].children()[0].text() == "inner");
  CHECK(m.root().children()[1].text() == "second");
}
