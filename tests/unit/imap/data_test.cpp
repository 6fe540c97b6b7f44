#include "imap/reader.hpp"

#include <mailwire/error.hpp>
#include <mailwire/imap/data.hpp>

#include <catch2/catch.hpp>

using namespace mailwire;
using namespace mailwire::imap;

namespace {

Response one_line(std::string line) {
  RawResponse raw;
  raw.lines.push_back(std::move(line));
  Response r;
  REQUIRE_FALSE(parse_response(raw, r));
  return r;
}

}  // namespace

TEST_CASE("FETCH with ENVELOPE and BODY (RFC 3501 section 8 example)", "[imap]") {
  const Response r = one_line(
      "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 "
      "ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and "
      "minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL "
      "\"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
      "((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")"
      "(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
      "\"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" "
      "\"US-ASCII\") NIL NIL \"7BIT\" 3028 92))");
  FetchData f;
  REQUIRE_FALSE(parse_fetch(r, f));
  CHECK(f.sequence == 12);
  CHECK(f.flags == std::vector<std::string>{"\\Seen"});
  CHECK(f.size == 4286u);
  REQUIRE(f.envelope);
  CHECK(f.envelope->subject == "IMAP4rev1 WG mtg summary and minutes");
  CHECK(f.envelope->from.at(0).name == "Terry Gray");
  CHECK(f.envelope->from.at(0).email() == "gray@cac.washington.edu");
  CHECK(f.envelope->cc.size() == 2);
  CHECK(f.envelope->message_id == "<B27397-0100000@cac.washington.edu>");
  REQUIRE(f.body);
  CHECK(f.body->type == "text");
  CHECK(f.body->param("charset") == "US-ASCII");
  CHECK(f.body->size == 3028);
  CHECK(f.body->lines == 92);
}

TEST_CASE("BODYSTRUCTURE: multipart with an attachment and a nested message", "[imap]") {
  const Response r = one_line(
      "* 1 FETCH (UID 5 BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL "
      "\"7bit\" 12 1 NIL NIL NIL NIL)(\"application\" \"pdf\" (\"name\" \"invoice.pdf\") NIL NIL "
      "\"base64\" 4000 NIL (\"attachment\" (\"filename*\" \"utf-8''Rechnung%20M%C3%A4rz.pdf\")) "
      "NIL "
      "NIL)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 300 (NIL \"=?utf-8?q?inner_caf=C3=A9?=\" "
      "NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" \"plain\" NIL NIL NIL \"7bit\" 20 2) 10) "
      "\"mixed\" (\"boundary\" \"b1\") NIL NIL NIL))");
  FetchData f;
  REQUIRE_FALSE(parse_fetch(r, f));
  CHECK(f.uid == 5u);
  REQUIRE(f.body);
  const BodyStructure& b = *f.body;
  CHECK(b.is_multipart());
  CHECK(b.subtype == "mixed");
  CHECK(b.param("boundary") == "b1");
  REQUIRE(b.parts.size() == 3);
  CHECK(b.parts[0].section == "1");
  CHECK(b.parts[1].section == "2");
  CHECK(b.parts[1].disposition == "attachment");
  CHECK(b.parts[1].filename() == "Rechnung M\xc3\xa4rz.pdf");
  CHECK(b.parts[2].type == "message");
  REQUIRE(b.parts[2].parts.size() == 1);
  CHECK(b.parts[2].parts[0].section == "3");
  CHECK(b.parts[2].lines == 10);
}

TEST_CASE("LIST, STATUS, SEARCH, capabilities", "[imap]") {
  ListData l;
  REQUIRE_FALSE(
      parse_list(one_line("* LIST (\\HasNoChildren \\Sent) \"/\" \"Entw&APw-rfe\""), false, l));
  CHECK(l.attributes == std::vector<std::string>{"\\HasNoChildren", "\\Sent"});
  CHECK(l.delimiter == "/");
  CHECK(l.name == "Entw\xc3\xbcrfe");
  REQUIRE_FALSE(parse_list(one_line("* LIST () NIL INBOX"), false, l));
  CHECK(l.delimiter.empty());

  StatusData s;
  REQUIRE_FALSE(
      parse_status(one_line("* STATUS INBOX (MESSAGES 231 UIDNEXT 44292 UNSEEN 3)"), false, s));
  CHECK(s.get("UIDNEXT") == 44292u);
  CHECK(s.get("UNSEEN") == 3u);
  CHECK_FALSE(s.get("RECENT"));

  std::vector<std::uint32_t> found;
  REQUIRE_FALSE(parse_search(one_line("* SEARCH 2 84 882"), found));
  CHECK(found == std::vector<std::uint32_t>{2, 84, 882});
  found.clear();
  CHECK(parse_search(one_line("* SEARCH 2 x"), found) == make_error_code(Errc::protocol));

  const Response caps = one_line("* CAPABILITY IMAP4rev1 STARTTLS auth=plain LITERAL+");
  CHECK(parse_capabilities(caps.data) ==
        std::vector<std::string>{"IMAP4REV1", "STARTTLS", "AUTH=PLAIN", "LITERAL+"});

  FetchData f;
  CHECK(parse_fetch(one_line("* 1 FETCH (UID notanumber)"), f) == make_error_code(Errc::protocol));
  CHECK(parse_fetch(one_line("* 1 EXISTS"), f) == make_error_code(Errc::protocol));
}
