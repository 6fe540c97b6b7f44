#include "imap/reader.hpp"

#include <mailwire/error.hpp>

#include <catch2/catch.hpp>

using namespace mailwire;
using namespace mailwire::imap;
using namespace std::string_view_literals;

namespace {

// Feeds lines and literals as a stream would; `wire` is the response with CRLFs.
Response read(std::string_view wire, ReaderLimits limits = {}) {
  ResponseReader reader(limits);
  std::size_t at = 0;
  for (;;) {
    const std::size_t nl = wire.find("\r\n", at);
    REQUIRE(nl != std::string_view::npos);
    ResponseReader::Next next{};
    std::uint64_t size = 0;
    REQUIRE_FALSE(reader.feed_line(wire.substr(at, nl - at), next, size));
    at = nl + 2;
    if (next == ResponseReader::Next::Complete) break;
    reader.feed_literal(std::string(wire.substr(at, size)));
    at += size;
  }
  Response r;
  const std::error_code ec = parse_response(reader.take(), r, limits);
  INFO(ec.message());
  REQUIRE_FALSE(ec);
  return r;
}

std::error_code parse_error(std::string_view line, ReaderLimits limits = {}) {
  ResponseReader reader(limits);
  ResponseReader::Next next{};
  std::uint64_t size = 0;
  if (auto ec = reader.feed_line(line, next, size)) return ec;
  Response r;
  return parse_response(reader.take(), r, limits);
}

}  // namespace

TEST_CASE("IMAP status responses and response codes (RFC 3501 examples)", "[imap]") {
  Response r = read("* OK [UIDVALIDITY 3857529045] UIDs valid\r\n");
  CHECK(r.kind == Response::Kind::Untagged);
  CHECK(r.name == "OK");
  CHECK(r.code == "UIDVALIDITY");
  REQUIRE(r.code_args.size() == 1);
  CHECK(r.code_args[0].number == 3857529045u);
  CHECK(r.text == "UIDs valid");

  r = read("* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n");
  CHECK(r.code == "PERMANENTFLAGS");
  REQUIRE(r.code_args.at(0).items.size() == 3);
  CHECK(r.code_args[0].items[2].text == "\\*");

  r = read("A142 OK [READ-WRITE] SELECT completed\r\n");
  CHECK(r.kind == Response::Kind::Tagged);
  CHECK(r.tag == "A142");
  CHECK(r.code == "READ-WRITE");
  CHECK(r.text == "SELECT completed");

  r = read("a002 NO [TRYCREATE] Mailbox does not exist\r\n");
  CHECK(r.name == "NO");
  CHECK(r.code == "TRYCREATE");

  r = read("A003 OK [APPENDUID 38505 3955] APPEND completed\r\n");
  CHECK(r.code_args.at(1).number == 3955);

  r = read("* BYE [ALERT] Autologout; idle for too long\r\n");
  CHECK(r.name == "BYE");
  CHECK(r.code == "ALERT");

  r = read("* OK [X-UNKNOWN-CODE some ] text] greeting\r\n");
  CHECK(r.code == "X-UNKNOWN-CODE");
  CHECK(r.text == "text] greeting");

  r = read("+ Ready for additional command text\r\n");
  CHECK(r.kind == Response::Kind::Continuation);
  CHECK(r.text == "Ready for additional command text");
  CHECK(read("+\r\n").text.empty());
}

TEST_CASE("IMAP untagged data (RFC 3501 examples)", "[imap]") {
  Response r = read("* 172 EXISTS\r\n");
  CHECK(r.number == 172u);
  CHECK(r.name == "EXISTS");

  r = read("* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI LOGINDISABLED\r\n");
  CHECK(r.name == "CAPABILITY");
  REQUIRE(r.data.size() == 4);
  CHECK(r.data[2].text == "AUTH=GSSAPI");

  r = read("* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n");
  REQUIRE(r.data.size() == 3);
  CHECK(r.data[0].items.at(0).text == "\\Noselect");
  CHECK(r.data[1].kind == Value::Kind::String);
  CHECK(r.data[2].text == "~/Mail/foo");

  r = read("* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n");
  CHECK(r.data.at(1).items.at(3).number == 44292);

  r = read("* SEARCH 2 84 882\r\n");
  CHECK(r.data.size() == 3);

  r = read(
      "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
      "RFC822.SIZE 4286 BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL "
      "\"7BIT\" 3028 92))\r\n");
  CHECK(r.number == 12u);
  CHECK(r.name == "FETCH");
  const Value& items = r.data.at(0);
  REQUIRE(items.items.size() == 8);
  CHECK(items.items[5].number == 4286);
  CHECK(items.items[7].items.at(3).kind == Value::Kind::Nil);

  // A literal inside FETCH, and a section with spaces and a partial.
  r = read(
      "* 12 FETCH (BODY[HEADER.FIELDS (SUBJECT FROM)]<0> {22}\r\nSubject: hi\r\nFrom: x\r\n UID "
      "7)\r\n");
  const Value& f = r.data.at(0);
  REQUIRE(f.items.size() == 4);
  CHECK(f.items[0].text == "BODY[HEADER.FIELDS (SUBJECT FROM)]<0>");
  CHECK(f.items[1].literal);
  CHECK(f.items[1].text == "Subject: hi\r\nFrom: x\r\n");
  CHECK(f.items[3].number == 7);

  r = read("* 1 FETCH (BINARY[1] ~{3}\r\na\0b)\r\n"sv);  // NUL inside: needs the length
  CHECK(r.data.at(0).items.at(1).text == std::string("a\0b", 3));
  r = read("* 1 FETCH (BODY[] {0}\r\n)\r\n");
  CHECK(r.data.at(0).items.at(1).text.empty());
}

TEST_CASE("IMAP hostile input: literal sizes, nesting, garbage", "[imap][security]") {
  CHECK(parse_error("* 1 FETCH (BODY[] {18446744073709551615}") == make_error_code(Errc::limit));
  CHECK(parse_error("* 1 FETCH (BODY[] {99999999999999999999999}") == make_error_code(Errc::limit));
  CHECK(parse_error("* 1 FETCH (BODY[] {4294967296}") == make_error_code(Errc::limit));
  CHECK(parse_error("* 1 FETCH (BODY[] {-1}") == make_error_code(Errc::protocol));
  CHECK(parse_error("* 1 FETCH (BODY[] {}") == make_error_code(Errc::protocol));
  CHECK(parse_error("* 1 FETCH (BODY[] {12a}") == make_error_code(Errc::protocol));
  CHECK(parse_error("* OK [UNCLOSED code") == make_error_code(Errc::protocol));
  CHECK(parse_error("A1 MAYBE done") == make_error_code(Errc::protocol));
  CHECK(parse_error("* LIST (\\Noselect \"/\" x") == make_error_code(Errc::protocol));
  CHECK(parse_error("* SEARCH \"unterminated") == make_error_code(Errc::protocol));
  CHECK(parse_error("") == make_error_code(Errc::protocol));
  // 100,000 nested parentheses: the depth limit, no stack overflow.
  CHECK(parse_error("* X " + std::string(100000, '(')) == make_error_code(Errc::limit));
  ReaderLimits few;
  few.max_items = 10;
  CHECK(parse_error("* SEARCH 1 2 3 4 5 6 7 8 9 10 11 12", few) == make_error_code(Errc::limit));
  // A response cannot grow without bound across literals.
  ResponseReader reader;
  ResponseReader::Next next{};
  std::uint64_t size = 0;
  ReaderLimits small;
  small.max_response = 1000;
  ResponseReader bounded(small);
  REQUIRE_FALSE(bounded.feed_line("* 1 FETCH (BODY[] {900}", next, size));
  bounded.feed_literal(std::string(900, 'x'));
  CHECK(bounded.feed_line(" BODY[1] {900}", next, size) == make_error_code(Errc::limit));
}

TEST_CASE("Modified UTF-7 mailbox names (RFC 3501 5.1.3)", "[imap]") {
  const std::string utf8 =
      "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";
  CHECK(encode_mailbox_utf7(utf8) == "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  std::string out;
  REQUIRE(decode_mailbox_utf7("~peter/mail/&U,BTFw-/&ZeVnLIqe-", out));
  CHECK(out == utf8);
  CHECK(encode_mailbox_utf7("Tom & Jerry") == "Tom &- Jerry");
  REQUIRE(decode_mailbox_utf7("Tom &- Jerry", out));
  CHECK(out == "Tom & Jerry");
  CHECK(encode_mailbox_utf7("Entw\xc3\xbcrfe") == "Entw&APw-rfe");
  CHECK_FALSE(decode_mailbox_utf7("broken &AB", out));
  CHECK_FALSE(decode_mailbox_utf7("bad &!!!-", out));
  // Astral characters go through surrogate pairs.
  const std::string emoji = "\xf0\x9f\x93\xa7 mail";
  REQUIRE(decode_mailbox_utf7(encode_mailbox_utf7(emoji), out));
  CHECK(out == emoji);
}
