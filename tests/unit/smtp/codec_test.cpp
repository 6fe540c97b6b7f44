#include "smtp/codec.hpp"
#include "support/random_text.hpp"

#include <mailwire/error.hpp>

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <utility>

using namespace mailwire;
using namespace mailwire::smtp;

namespace {

SmtpReply parse(std::initializer_list<std::string_view> lines) {
  ReplyParser parser;
  ReplyParser::Status status{};
  for (const std::string_view line : lines)
    REQUIRE_FALSE(parser.feed(line, status));
  REQUIRE(status == ReplyParser::Status::Done);
  return parser.take();
}

std::string encode(std::string_view body, std::size_t piece) {
  DataEncoder encoder;
  std::string out;
  for (std::size_t at = 0; at < body.size(); at += piece)
    encoder.feed(body.substr(at, piece), out);
  encoder.finish(out);
  return out;
}

// RFC 5321 4.5.2 and 2.3.8 written out plainly: every line ends in CRLF (a bare CR or LF is a
// line end), a line that starts with a dot gets one more, and the data ends in CRLF "." CRLF.
std::string reference_data(std::string_view body, bool bdat) {
  std::string out;
  bool line_start = true;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < body.size() && body[i + 1] == '\n') ++i;
      out += "\r\n";
      line_start = true;
      continue;
    }
    if (line_start && c == '.' && !bdat) out += '.';
    out += c;
    line_start = false;
  }
  if (!line_start) out += "\r\n";
  if (!bdat) out += ".\r\n";
  return out;
}

}  // namespace

TEST_CASE("SMTP data encoding agrees with a plain reading of RFC 5321 on long random bodies",
          "[smtp]") {
  // Long runs of text with dots, bare CR, bare LF and CRLF between them, in random pieces:
  // the sixteen-octet runs meet every case at every offset and across piece boundaries.
  std::mt19937 rng(5321);
  for (int round = 0; round < 500; ++round) {
    const std::string body =
        test::random_text(rng, "Dear customer, your order 1.2.3 has shipped. Thanks.",
                          {"\r\n", "\r", "\n", ".", "\r\n.", "\n.", "\r.", "..", "\r\r\n"});
    for (const bool bdat : {false, true}) {
      INFO("round " << round << ", bdat " << bdat << ", body [" << body << "]");
      const std::size_t piece = rng() % 3 == 0 ? body.size() + 1 : 1 + rng() % 67;
      DataEncoder encoder;
      encoder.set_bdat(bdat);
      std::string out;
      for (std::size_t at = 0; at < body.size(); at += piece)
        encoder.feed(std::string_view(body).substr(at, piece), out);
      encoder.finish(out);
      CHECK(out == reference_data(body, bdat));
    }
  }
}

TEST_CASE("SMTP replies: multi-line, enhanced codes, classes", "[smtp]") {
  const SmtpReply r = parse({"250-mail.example.com Hello", "250-SIZE 35882577", "250 8BITMIME"});
  CHECK(r.code == 250);
  CHECK(r.lines.size() == 3);
  CHECK(r.positive());

  const SmtpReply e = parse({"550-5.1.1 The email account that you tried to reach does not exist.",
                             "550 5.1.1 Please try double-checking the recipient's address."});
  CHECK(e.enhanced == "5.1.1");
  CHECK(e.lines[0] == "The email account that you tried to reach does not exist.");
  CHECK(e.permanent());
  CHECK(e.to_string() ==
        "550 5.1.1 The email account that you tried to reach does not exist.; Please try "
        "double-checking the recipient's address.");

  const SmtpReply t = parse({"451 4.7.1 Greylisted, try again"});
  CHECK(t.transient());
  CHECK(t.enhanced == "4.7.1");

  CHECK(parse({"250"}).lines == std::vector<std::string>{""});
  // A number that looks like an enhanced code but of another class is text.
  CHECK(parse({"250 5.1.1 odd"}).enhanced.empty());
  CHECK(parse({"250 2.0.0"}).enhanced == "2.0.0");
}

TEST_CASE("SMTP replies: hostile lines are errors", "[smtp][security]") {
  ReplyParser parser;
  ReplyParser::Status status{};
  CHECK(parser.feed("hello", status) == make_error_code(Errc::protocol));
  CHECK(parser.feed("25", status) == make_error_code(Errc::protocol));
  CHECK(parser.feed("999 nine", status) == make_error_code(Errc::protocol));
  CHECK(parser.feed("250x", status) == make_error_code(Errc::protocol));
  REQUIRE_FALSE(parser.feed("250-first", status));
  CHECK(parser.feed("354 second with another code", status) == make_error_code(Errc::protocol));
  ReplyParser small(3);
  REQUIRE_FALSE(small.feed("250-a", status));
  REQUIRE_FALSE(small.feed("250-b", status));
  REQUIRE_FALSE(small.feed("250-c", status));
  CHECK(small.feed("250 d", status) == make_error_code(Errc::limit));
}

TEST_CASE("SMTP EHLO capabilities", "[smtp]") {
  const SmtpCapabilities caps = parse_ehlo(parse(
      {"250-smtp.example.com at your service", "250-SIZE 35882577", "250-8BITMIME", "250-STARTTLS",
       "250-ENHANCEDSTATUSCODES", "250-PIPELINING", "250-CHUNKING", "250-BINARYMIME", "250-DSN",
       "250-SMTPUTF8", "250-AUTH LOGIN PLAIN XOAUTH2", "250 AUTH=LOGIN CRAM-MD5"}));
  CHECK(caps.server_name == "smtp.example.com");
  CHECK(caps.size_known);
  CHECK(caps.size == 35882577);
  CHECK(caps.eight_bit_mime);
  CHECK(caps.starttls);
  CHECK(caps.enhanced_status_codes);
  CHECK(caps.pipelining);
  CHECK(caps.chunking);
  CHECK(caps.binarymime);
  CHECK(caps.dsn);
  CHECK(caps.smtputf8);
  CHECK(caps.auth == std::vector<std::string>{"LOGIN", "PLAIN", "XOAUTH2", "CRAM-MD5"});
  const SmtpCapabilities bare = parse_ehlo(parse({"250 tiny.example"}));
  CHECK_FALSE(bare.starttls);
  CHECK_FALSE(bare.size_known);
}

TEST_CASE("SMTP addresses and names are validated before any byte", "[smtp][security]") {
  CHECK(valid_address("user@example.com", false));
  CHECK(valid_address("\"quoted\"@example.com", false));
  CHECK(valid_address("Postmaster", false));
  CHECK(valid_address("", true));
  CHECK_FALSE(valid_address("", false));
  CHECK_FALSE(valid_address("user@example.com\r\nRCPT TO:<evil@x>", false));
  CHECK_FALSE(valid_address("user@exa mple.com", false));
  CHECK_FALSE(valid_address("user@example.com>", false));
  CHECK_FALSE(valid_address(std::string("a\0b@example.com", 15), false));
  CHECK_FALSE(valid_address("@example.com", false));
  CHECK_FALSE(valid_address("user@", false));
  CHECK(needs_smtputf8("j\xc3\xb6rg@example.com"));
  CHECK_FALSE(needs_smtputf8("jorg@example.com"));
  CHECK(xtext("a+b=c d") == "a+2Bb+3Dc+20d");
  CHECK(valid_helo_name("client.example.com"));
  CHECK(valid_helo_name("[127.0.0.1]"));
  CHECK_FALSE(valid_helo_name("client example"));
  CHECK_FALSE(valid_helo_name("x\r\nMAIL FROM:<>"));
}

TEST_CASE("SMTP DATA: dot-stuffing and CRLF at every chunk boundary", "[smtp]") {
  const std::string body = "Subject: x\r\n\r\n.\r\n..\r\n.leading\r\nend";
  const std::string wire = "Subject: x\r\n\r\n..\r\n...\r\n..leading\r\nend\r\n.\r\n";
  for (std::size_t piece = 1; piece <= body.size(); ++piece) {
    INFO("piece " << piece);
    CHECK(encode(body, piece) == wire);
  }
  CHECK(encode("", 1) == ".\r\n");
  CHECK(encode("no newline", 3) == "no newline\r\n.\r\n");
  CHECK(encode("ends\r\n", 2) == "ends\r\n.\r\n");
}

TEST_CASE("SMTP DATA: bare CR and LF cannot smuggle a second message", "[smtp][security]") {
  // RFC 5321 2.3.8 and the 2023 smuggling attacks: only CRLF line ends leave the client.
  const std::string attacks[] = {
      "a\n.\r\nMAIL FROM:<x@y>\r\n",  // <LF>.<CR><LF>
      "a\r\n.\nMAIL FROM:<x@y>\r\n",  // <CR><LF>.<LF>
      "a\r.\rMAIL FROM:<x@y>\r\n",    // <CR>.<CR>
      "a\n.\nb",                      // <LF>.<LF>
      "lone\rcr and lone\nlf",
  };
  for (const std::string& attack : attacks) {
    for (std::size_t piece = 1; piece <= attack.size(); ++piece) {
      const std::string wire = encode(attack, piece);
      INFO(wire);
      // Every CR is followed by LF and every LF preceded by CR.
      for (std::size_t i = 0; i < wire.size(); ++i) {
        if (wire[i] == '\r') CHECK((i + 1 < wire.size() && wire[i + 1] == '\n'));
        if (wire[i] == '\n') CHECK((i > 0 && wire[i - 1] == '\r'));
      }
      // Exactly one terminator, at the end.
      CHECK(wire.find("\r\n.\r\n") == wire.size() - 5);
    }
  }
}

TEST_CASE("SMTP body scan", "[smtp]") {
  BodyScan scan;
  scan.feed("plain ascii\r\n");
  CHECK_FALSE(scan.eight_bit);
  scan.feed("caf\xc3\xa9");
  CHECK(scan.eight_bit);
  CHECK_FALSE(scan.binary);
  scan.feed(std::string("\0", 1));
  CHECK(scan.binary);
}

TEST_CASE("SMTP DATA: the checklist's stuffing vectors, at every chunk size", "[smtp][security]") {
  // Cases 36 to 39: CPython's test vector (a dot after a bare LF and after a bare CR must be
  // stuffed, the dotnet/runtime #132823 bug), a body of one dot, a body ending in CRLF and a
  // dot, a dot as the very first byte, and CRLF dot CR followed by another byte.
  const std::pair<std::string, std::string> vectors[] = {
      {"abc\n.jkl\rfoo\r\n..blue", "abc\r\n..jkl\r\nfoo\r\n...blue\r\n.\r\n"},
      {".", "..\r\n.\r\n"},
      {"a\r\n.", "a\r\n..\r\n.\r\n"},
      {".first\r\nline", "..first\r\nline\r\n.\r\n"},
      {"a\r\n.\rX", "a\r\n..\r\nX\r\n.\r\n"},
  };
  for (const auto& [body, wire] : vectors) {
    for (std::size_t piece = 1; piece <= body.size(); ++piece) {
      INFO(body << " in pieces of " << piece);
      CHECK(encode(body, piece) == wire);
    }
  }
}
