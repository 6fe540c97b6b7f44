#include <mailwire/error.hpp>
#include <mailwire/mime/address.hpp>
#include <mailwire/mime/content_type.hpp>
#include <mailwire/mime/header.hpp>

#include <catch2/catch.hpp>

#include <chrono>

using namespace mailwire;
using namespace mailwire::mime;

namespace {

std::vector<std::pair<std::string, std::string>> pairs(std::string_view value) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Mailbox& m : parse_address_list(value))
    out.emplace_back(m.name, m.address());
  return out;
}

using P = std::vector<std::pair<std::string, std::string>>;

// The list with its unparseable elements: "<>" marks one (as CPython renders them).
P entries(std::string_view value) {
  P out;
  for (const std::optional<Mailbox>& m : parse_address_list_entries(value)) {
    if (m) {
      out.emplace_back(m->name, m->address());
    } else {
      out.emplace_back("", "<>");
    }
  }
  return out;
}

}  // namespace

TEST_CASE("RFC 5322 appendix A addresses", "[mime][address]") {
  CHECK(pairs("John Doe <jdoe@machine.example>") == P{{"John Doe", "jdoe@machine.example"}});
  CHECK(pairs("\"Joe Q. Public\" <john.q.public@example.com>") ==
        P{{"Joe Q. Public", "john.q.public@example.com"}});
  CHECK(pairs("Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>") ==
        P{{"Mary Smith", "mary@x.test"}, {"", "jdoe@example.org"}, {"Who?", "one@y.test"}});
  CHECK(pairs("<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>") ==
        P{{"", "boss@nil.test"}, {"Giant; \"Big\" Box", "sysservices@example.net"}});
  // A.1.3: groups.
  const auto group =
      parse_address_list("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;");
  REQUIRE(group.size() == 3);
  CHECK(group[0].group == "A Group");
  CHECK(group[1].address() == "joe@where.test");
  CHECK(parse_address_list("Undisclosed recipients:;").empty());
  // A.5: comments everywhere.
  CHECK(pairs("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>") ==
        P{{"Pete", "pete@silly.test"}});
  CHECK(pairs("A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n"
              "         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of "
              "the group)") ==
        P{{"Chris Jones", "c@public.example"}, {"", "joe@example.org"}, {"John", "jdoe@one.test"}});
  // A.6.1: obsolete forms: a route, an empty list element, a local part with spaces.
  CHECK(pairs("Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example") ==
        P{{"Mary Smith", "mary@example.net"}, {"", "jdoe@test.example"}});
}

TEST_CASE("Addresses as real mail writes them", "[mime][address]") {
  CHECK(pairs("=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <jm@example.de>") ==
        P{{"J\xc3\xb6rg M\xc3\xbcller", "jm@example.de"}});
  CHECK(pairs("jdoe@example.org (John Doe)") == P{{"", "jdoe@example.org"}});  // a comment
  CHECK(pairs("\"quoted local\"@example.com") == P{{"", "\"quoted local\"@example.com"}});
  CHECK(pairs("user@[192.0.2.1]") == P{{"", "user@[192.0.2.1]"}});
  CHECK(pairs("J\xc3\xb6rg <j\xc3\xb6rg@b\xc3\xbc\x63her.example>") ==
        P{{"J\xc3\xb6rg", "j\xc3\xb6rg@b\xc3\xbc\x63her.example"}});
  bool defect = false;
  CHECK(parse_address_list("<<<@@@>>>,,,;;;", &defect).size() <= 1);
  CHECK(defect);
  CHECK(parse_address_list(std::string(200000, '(')).empty());
}

TEST_CASE("Addresses: an element that does not parse is no address", "[mime][address]") {
  // Text after an address is skipped, never glued on or made another address.
  CHECK(pairs("a@b c, d@e") == P{{"", "a@b"}, {"", "d@e"}});
  CHECK(pairs("a@b.c (comment) d") == P{{"", "a@b.c"}});
  CHECK(pairs("x <a@b> <c@d>") == P{{"x", "a@b"}});
  // A second '@' makes no addr-spec (RFC 5322 3.4.1): the whole element is unparseable (as
  // CPython has it since CVE-2019-16056), not "develop!nextmime@ebony" plus "@sblab.att.com".
  bool defect = false;
  CHECK(parse_address_list("develop!nextmime@ebony@sblab.att.com", &defect).empty());
  CHECK(defect);
  CHECK(entries("develop!nextmime@ebony@sblab.att.com") == P{{"", "<>"}});
  CHECK(entries("g: a@b@c, d@e;") == P{{"", "<>"}, {"", "d@e"}});
  CHECK(entries("Name <a@b@c>, d@e") == P{{"", "<>"}, {"", "d@e"}});
  // A route outside angle brackets is no address (RFC 5322 4.4: obs-route only in
  // obs-angle-addr); a UUCP bang path after it does not become a second mailbox.
  CHECK(entries("@develop:sblab!att!thumper.bellcore.com!nsb") == P{{"", "<>"}});
  CHECK(entries("<>, >a@b") == P{{"", "<>"}, {"", "<>"}});
  CHECK(entries("a@b, (only a comment), ,") == P{{"", "a@b"}});
}

TEST_CASE("Addresses: a mailbox without a domain is a defect, bracketed or not",
          "[mime][address]") {
  // RFC 5322 3.4.1: an addr-spec has a domain. The mailbox is kept (its local part may be all a
  // caller can show) but the list is marked defective either way.
  for (const char* value : {"foo", "<foo>", "Name <foo>", "a@b, <postmaster>"}) {
    CAPTURE(value);
    bool defect = false;
    const std::vector<Mailbox> list = parse_address_list(value, &defect);
    CHECK(defect);
    REQUIRE(!list.empty());
    CHECK(list.back().domain.empty());
  }
  bool defect = true;
  CHECK(parse_address_list("Name <a@b>, c@d", &defect).size() == 2);
  CHECK_FALSE(defect);
}

TEST_CASE("Addresses: encoded words are whole words", "[mime][address]") {
  // Encoders leave ',' and ':' unencoded inside Q words; they are not list syntax.
  CHECK(pairs("=?utf-8?Q?Doe,_John:?= <jd@example.com>, x@example.com") ==
        P{{"Doe, John:", "jd@example.com"}, {"", "x@example.com"}});
  // Encoded words without an address: a name with no mailbox (RFC 2047 5: never in an
  // addr-spec); mimekit stack-overflow.txt has thousands of them.
  CHECK(entries("\"test\" <test@test.com>,\r\n =?utf-8?Q?date=3E2017-08-20T10:08:28.617=3C/pr?="
                "\r\n =?utf-8?Q?date=3E2017-08-20T10:08:28.617=3C/pr?=") ==
        P{{"test", "test@test.com"}, {"", "<>"}});
}

TEST_CASE("Addresses: an unquoted name with '@' names the address in brackets", "[mime][address]") {
  // Mail programs show "a@b" as the name and send to the bracketed address (mimekit
  // issue358.txt); taking "a@b" as the address would let a name pose as one.
  CHECK(pairs("jang.abcdef@xyzlinu <jang.abcdef@xyzlinux12345678.it>") ==
        P{{"jang.abcdef@xyzlinu", "jang.abcdef@xyzlinux12345678.it"}});
  CHECK(pairs("ceo@bank.example <x@evil.example>, y@z") ==
        P{{"ceo@bank.example", "x@evil.example"}, {"", "y@z"}});
}

TEST_CASE("Mailsploit: a display name never carries the controls an encoded word decodes to",
          "[mime][address][security]") {
  const std::string fffd = "\xef\xbf\xbd";
  bool defect = false;
  const auto list = parse_address_list(
      "=?utf-8?Q?potus@whitehouse.gov=00=0D=0ABcc:x@evil.com?= <a@attacker.com>", &defect);
  REQUIRE(list.size() == 1);
  CHECK(list[0].name == "potus@whitehouse.gov" + fffd + fffd + fffd + "Bcc:x@evil.com");
  CHECK(list[0].address() == "a@attacker.com");  // the real address, unchanged
  CHECK(defect);
  // The unquoted-name path (specials before '<') and a quoted string holding a raw NUL.
  CHECK(pairs("=?utf-8?B?Y2VvQGJhbmsuZXhhbXBsZQA=?=@x <b@attacker.com>") ==
        P{{"ceo@bank.example" + fffd + "@x", "b@attacker.com"}});
  CHECK(pairs(std::string("\"boss\0\" <c@attacker.com>", 24)) ==
        P{{"boss" + fffd, "c@attacker.com"}});
  // Case 34's other ambiguity: a quoted local part holding an '@' is one address at the
  // domain after the quotes, never one at evil.com.
  const auto quoted = parse_address_list("\"a@evil.com\"@good.com");
  REQUIRE(quoted.size() == 1);
  CHECK(quoted[0].domain == "good.com");
  CHECK(quoted[0].local == "\"a@evil.com\"");
}

TEST_CASE("Addresses: hostile lists parse in linear time", "[mime][address][security]") {
  std::string words;
  for (int i = 0; i < 99000; ++i)
    words += "a ";
  for (const std::string& value : {words + "\\", "g: " + words + ":", words + "@ @"}) {
    const auto start = std::chrono::steady_clock::now();
    (void)parse_address_list_entries(value);
    // Quadratic work here took seconds; linear takes milliseconds.
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  }
}

TEST_CASE("Mailboxes are formatted for headers safely", "[mime][address]") {
  Mailbox m;
  m.local = "a";
  m.domain = "example.com";
  CHECK(m.to_header() == "a@example.com");
  m.name = "Doe, John";
  CHECK(m.to_header() == "\"Doe, John\" <a@example.com>");
  m.name = "Caf\xc3\xa9";
  CHECK(m.to_header() == "=?UTF-8?B?Q2Fmw6k=?= <a@example.com>");
  CHECK(pairs(m.to_header()) == P{{"Caf\xc3\xa9", "a@example.com"}});
}

TEST_CASE("Header list: raw bytes, unfolding, case-insensitive look-up", "[mime][header]") {
  const std::string block =
      "Received: from a\r\n\tby b; Tue, 1 Jul 2003 10:52:37 +0200\r\n"
      "SUBJECT:  folded\r\n  subject  \r\n"
      "X-Empty:\r\n"
      "not a field\r\n"
      "To: one@example.com\r\n"
      "To: two@example.com\r\n";
  std::vector<std::string> defects;
  const HeaderList h = HeaderList::parse(block, &defects);
  CHECK(h.to_string() == block);  // byte for byte
  CHECK(h.get("subject") == "folded  subject");
  CHECK(h.get("received") == "from a\tby b; Tue, 1 Jul 2003 10:52:37 +0200");
  CHECK(h.get("X-Empty") == "");
  CHECK(h.all("to").size() == 2);
  CHECK_FALSE(h.get("Cc"));
  CHECK(defects.size() == 1);
}

TEST_CASE("Header list: setters fold and refuse injection", "[mime][header][security]") {
  HeaderList h;
  h.add("Subject", "a short one");
  h.add("X-Long", std::string(50, 'a') + " " + std::string(50, 'b') + " " + std::string(10, 'c'));
  const std::string text = h.to_string();
  CHECK(text.substr(0, 22) == "Subject: a short one\r\n");
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t nl = text.find("\r\n", at);
    CHECK(nl - at <= 78);
    at = nl + 2;
  }
  CHECK(h.get("X-Long") ==
        std::string(50, 'a') + " " + std::string(50, 'b') + " " + std::string(10, 'c'));
  CHECK_THROWS_AS(h.add("Subject", "x\r\nBcc: victim@example.com"), Error);
  CHECK_THROWS_AS(h.add("Bad Name", "x"), Error);
  CHECK_THROWS_AS(h.add("X", std::string("a\0b", 3)), Error);
  h.set("subject", "replaced");
  CHECK(h.all("Subject").size() == 1);
  CHECK(h.get("Subject") == "replaced");
  CHECK(h.remove("x-long") == 1);
}

TEST_CASE("Content-Type: an unterminated comment ending in a backslash (fuzzer find)",
          "[mime][header][security]") {
  // Found by fuzz/mime_header: the comment scanner stepped past the end and substr() threw.
  const ContentType ct = ContentType::parse("(Giant;Bi\xc6\\GMT k\\;Bi\xc6\\");
  CHECK_FALSE(ct.valid);
  CHECK(ct.mime_type() == "text/plain");
  CHECK(ContentDisposition::parse("(x\\").kind == "(x\\");
}
