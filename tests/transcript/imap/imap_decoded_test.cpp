// Decoded views of what the server sends raw: envelope subjects and display names in many
// charsets (RFC 2047), broken encodings repaired, controls removed (Mailsploit), NIL fields,
// dates as time points, BODYSTRUCTURE file names with RFC 2231 continuations and charsets and
// the RFC 2047-in-quotes form, and the attachments of a summary at a glance.

#include "support/scripted_peer.hpp"

#include <mailwire/imap_client.hpp>

#include <catch2/catch.hpp>

#include <chrono>

using namespace mailwire;
using namespace mailwire::test;

namespace {

ImapOptions plain_options() {
  ImapOptions options;
  options.security = Security::None;
  return options;
}

// The FETCH responses of "UID FETCH 5 (items)" answered with `responses` (untagged lines).
std::vector<imap::FetchData> fetch_with(const std::string& items, const std::string& responses) {
  auto peer = ScriptedPeer::parse("S: * OK [CAPABILITY IMAP4rev1] ready\nC: A001 UID FETCH 5 " +
                                  items + "\n" + responses + "\nS: A001 OK done\n");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  auto out = client.uid_fetch({5}, items);
  CHECK(peer->finished());
  return out;
}

std::time_t seconds(const std::optional<std::chrono::system_clock::time_point>& t) {
  REQUIRE(t.has_value());
  return std::chrono::system_clock::to_time_t(*t);
}

}  // namespace

TEST_CASE("IMAP envelope: subjects and display names decoded from many charsets",
          "[imap][decoded]") {
  const auto f = fetch_with("(UID ENVELOPE INTERNALDATE)", R"(
    S: * 1 FETCH (UID 5 INTERNALDATE "01-Dec-2026 10:30:00 +0100" ENVELOPE ("Tue, 1 Dec 2026 09:30:00 +0000" "=?koi8-r?B?896j1CA0Mg==?=" (("=?iso-8859-1?Q?Fran=E7ois?= =?iso-8859-1?Q?_Dupr=E9?=" NIL "f" "example.fr")) NIL NIL (("=?iso-2022-jp?B?GyRCQEE1YT1xGyhC?=" NIL "jp" "example.jp") ("=?shift_jis?B?kL+LgY+R?=" NIL "sj" "example.jp")) (("=?windows-1252?B?R3L832U=?=" NIL "cc" "example.de")) NIL NIL "<a@b>"))
  )");
  REQUIRE(f.size() == 1);
  const imap::Envelope& e = *f[0].envelope;
  CHECK(e.subject == "=?koi8-r?B?896j1CA0Mg==?=");  // the raw value stays
  CHECK(e.decoded_subject() == "\xd0\xa1\xd1\x87\xd1\x91\xd1\x82 42");
  REQUIRE(e.from.size() == 1);
  CHECK(e.from[0].decoded_name() == "Fran\xc3\xa7ois Dupr\xc3\xa9");
  CHECK(e.from[0].address() == "f@example.fr");
  REQUIRE(e.to.size() == 2);
  CHECK(e.to[0].decoded_name() == "\xe8\xab\x8b\xe6\xb1\x82\xe6\x9b\xb8");
  CHECK(e.to[1].decoded_name() == "\xe8\xab\x8b\xe6\xb1\x82\xe6\x9b\xb8");
  CHECK(e.cc.at(0).decoded_name() ==
        "Gr\xc3\xbc\xc3\x9f"
        "e");
  CHECK(seconds(e.parsed_date()) == 1796117400);  // 2026-12-01T09:30:00Z
  CHECK(seconds(f[0].parsed_internal_date()) == 1796117400);
  CHECK(*f[0].internal_date == "01-Dec-2026 10:30:00 +0100");
}

TEST_CASE("IMAP envelope: broken encodings are repaired and controls never reach the caller",
          "[imap][decoded][security]") {
  // A word in a charset iconv does not know is read as its bytes, base64 without its padding is
  // read, bytes that are not UTF-8 in a UTF-8 word are repaired, and a CR LF or NUL hidden in an
  // encoded word (Mailsploit) becomes U+FFFD.
  const auto f = fetch_with("(ENVELOPE)", R"(
    S: * 1 FETCH (ENVELOPE ("not a date" "=?x-unknown?Q?abc?= =?utf-8?B?w6k?=" (("=?utf-8?Q?ceo@bank.example=0A=00?=" NIL "evil" "attacker.example")) NIL NIL (("=?utf-8?B?//5B?=" NIL "to" "example.com")) NIL NIL NIL NIL))
  )");
  REQUIRE(f.size() == 1);
  const imap::Envelope& e = *f[0].envelope;
  const std::string subject = e.decoded_subject();
  CHECK(subject.find("abc") != std::string::npos);
  CHECK(subject.find("\xc3\xa9") != std::string::npos);  // "w6k" lacks its padding
  bool defect = false;
  const std::string name = e.from.at(0).decoded_name(&defect);
  CHECK(defect);
  CHECK(name == "ceo@bank.example\xef\xbf\xbd\xef\xbf\xbd");
  const std::string to = e.to.at(0).decoded_name();
  CHECK(to ==
        "\xef\xbf\xbd\xef\xbf\xbd"
        "A");
  CHECK_FALSE(e.parsed_date().has_value());
  CHECK_FALSE(f[0].parsed_internal_date().has_value());
}

TEST_CASE("IMAP envelope: NIL fields give empty texts and no dates", "[imap][decoded]") {
  const auto f = fetch_with("(ENVELOPE INTERNALDATE)", R"(
    S: * 1 FETCH (INTERNALDATE "17-Jul-1996 02:44:25 -0700" ENVELOPE (NIL NIL ((NIL NIL "a" "b")) NIL NIL NIL NIL NIL NIL NIL))
  )");
  REQUIRE(f.size() == 1);
  const imap::Envelope& e = *f[0].envelope;
  CHECK(e.decoded_subject().empty());
  CHECK(e.from.at(0).decoded_name().empty());
  CHECK_FALSE(e.parsed_date().has_value());
  CHECK(e.message_id.empty());
  CHECK(seconds(f[0].parsed_internal_date()) == 837596665);  // 1996-07-17T09:44:25Z
}

TEST_CASE("IMAP BODYSTRUCTURE: RFC 2231 continuations and charsets and RFC 2047 in quotes",
          "[imap][decoded]") {
  // Part 2: filename*0*/filename*1* in UTF-8 (Japanese). Part 3: filename* in KOI8-R
  // (Russian). Part 4: filename*0/*1 continuations without a charset. Part 5: an encoded word
  // in the quoted name= (Outlook), no disposition. Part 6: ISO-8859-1 with a language.
  // Part 7: an attached message; its own attachment is not listed.
  const auto f = fetch_with("(BODYSTRUCTURE)", R"(
    S: * 1 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 10 1 NIL NIL NIL NIL)("application" "pdf" NIL NIL NIL "base64" 400 NIL ("attachment" ("filename*0*" "UTF-8''%E8%AB%8B%E6%B1%82" "filename*1*" "%E6%9B%B8.pdf")) NIL NIL)("application" "pdf" NIL NIL NIL "base64" 500 NIL ("attachment" ("filename*" "koi8-r''%F3%DE%A3%D4%2042.pdf")) NIL NIL)("text" "csv" NIL NIL NIL "7bit" 20 2 NIL ("inline" ("filename*0" "long name " "filename*1" "in two.csv")) NIL NIL)("application" "pdf" ("name" "=?utf-8?B?UmVjaG51bmcgTcOkcnoucGRm?=") NIL NIL "base64" 600 NIL NIL NIL NIL)("application" "octet-stream" NIL NIL NIL "base64" 700 NIL ("attachment" ("filename*" "iso-8859-1'fr'fa%E7ade%20%E9t%E9.pdf")) NIL NIL)("message" "rfc822" NIL NIL NIL "7bit" 900 ("Tue, 1 Dec 2026 09:30:00 +0000" "fw" NIL NIL NIL NIL NIL NIL NIL NIL) (("text" "plain" NIL NIL NIL "7bit" 5 1 NIL NIL NIL NIL)("application" "zip" ("name" "inner.zip") NIL NIL "base64" 50 NIL ("attachment" NIL) NIL NIL) "mixed" NIL NIL NIL NIL) 30 NIL ("attachment" ("filename" "fw.eml")) NIL NIL) "mixed" ("boundary" "b") NIL NIL NIL))
  )");
  REQUIRE(f.size() == 1);
  const auto& b = *f[0].body_structure;
  CHECK(b.parts.at(1).file_name() == "\xe8\xab\x8b\xe6\xb1\x82\xe6\x9b\xb8.pdf");
  CHECK(b.parts.at(1).disposition->params.at(0).first == "filename*0*");  // raw stays raw
  CHECK(b.parts.at(2).file_name() == "\xd0\xa1\xd1\x87\xd1\x91\xd1\x82 42.pdf");
  CHECK(b.parts.at(3).file_name() == "long name in two.csv");
  CHECK(b.parts.at(4).file_name() == "Rechnung M\xc3\xa4rz.pdf");
  CHECK(b.parts.at(5).file_name() ==
        "fa\xc3\xa7"
        "ade \xc3\xa9t\xc3\xa9.pdf");
  const auto params = imap::decoded_params(b.parts.at(5).disposition->params);
  REQUIRE(params.size() == 1);
  CHECK(params[0].first == "filename");

  const auto list = f[0].attachments();
  REQUIRE(list.size() == 6);
  CHECK(list[0].section == "2");
  CHECK(list[0].mime_type == "application/pdf");
  CHECK(list[0].size == 400);
  CHECK(list[0].disposition == "attachment");
  CHECK(list[0].encoding == "base64");
  CHECK(list[2].section == "4");
  CHECK(list[2].disposition == "inline");
  CHECK(list[3].section == "5");
  CHECK(list[3].disposition.empty());
  CHECK(list[3].file_name == "Rechnung M\xc3\xa4rz.pdf");
  CHECK(list[5].section == "7");
  CHECK(list[5].mime_type == "message/rfc822");
  CHECK(list[5].file_name == "fw.eml");
}

TEST_CASE("IMAP BODYSTRUCTURE: controls in names and hostile parameter names are made harmless",
          "[imap][decoded][security]") {
  imap::BodyStructure part;
  part.type = "application";
  part.subtype = "pdf";
  part.params = {{"name", "a\r\nb.pdf"}, {"x=\"; name", "evil.exe"}};
  CHECK(part.file_name() ==
        "a\xef\xbf\xbd\xef\xbf\xbd"
        "b.pdf");
  part.params = {{"name*", "utf-8''%0D%0Aevil%00.pdf"}};
  CHECK(part.file_name() ==
        "\xef\xbf\xbd\xef\xbf\xbd"
        "evil\xef\xbf\xbd.pdf");
  // A single-part message with a name is its own attachment, section "1".
  const auto list = imap::attachments(part);
  REQUIRE(list.size() == 1);
  CHECK(list[0].section == "1");
}
