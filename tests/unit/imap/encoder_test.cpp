// Command encoding: argument forms, literals and continuation points, mailbox names,
// sequence sets, SEARCH, FETCH and STORE.

#include <mailwire/error.hpp>
#include <mailwire/imap/command.hpp>
#include <mailwire/imap/fetch_items.hpp>
#include <mailwire/imap/mailbox_name.hpp>
#include <mailwire/imap/search_query.hpp>

#include <catch2/catch.hpp>

using namespace mailwire::imap;
using mailwire::Errc;

namespace {

EncodedCommand encode(const Command& c, EncodeOptions options = {}, const char* tag = "A001") {
  EncodedCommand out;
  auto ec = c.encode(tag, options, out);
  INFO(c.error_message());
  REQUIRE_FALSE(ec);
  return out;
}

std::string one_line(const Command& c, EncodeOptions options = {}) {
  EncodedCommand out = encode(c, options);
  REQUIRE(out.segments.size() == 1);
  CHECK_FALSE(out.segments[0].wait_for_continuation);
  return out.segments[0].bytes;
}

}  // namespace

TEST_CASE("tags count up", "[imap][encoder]") {
  TagGenerator tags;
  CHECK(tags.next() == "A001");
  CHECK(tags.next() == "A002");
  for (int i = 0; i < 997; ++i)
    tags.next();
  CHECK(tags.next() == "A1000");
}

TEST_CASE("atom, quoted string or literal per argument", "[imap][encoder]") {
  Command login("LOGIN");
  login.astring("fred").secret().astring("pa\"ss\\word");
  EncodedCommand out = encode(login);
  CHECK(out.segments.at(0).bytes == "A001 LOGIN fred \"pa\\\"ss\\\\word\"\r\n");
  CHECK(out.log_line == "A001 LOGIN fred ****");

  CHECK(one_line(Command("LOGIN").astring("").astring("NIL")) == "A001 LOGIN \"\" \"NIL\"\r\n");
  CHECK(one_line(Command("SELECT").astring("a b")) == "A001 SELECT \"a b\"\r\n");

  // Non-ASCII needs a literal (IMAP4rev1 quoted strings are 7-bit): synchronising by default.
  Command search("SEARCH");
  search.atom("CHARSET").atom("UTF-8").atom("SUBJECT").astring("f\xc3\xbcr");
  out = encode(search);
  REQUIRE(out.segments.size() == 2);
  CHECK(out.segments[0].bytes == "A001 SEARCH CHARSET UTF-8 SUBJECT {4}\r\n");
  CHECK(out.segments[0].wait_for_continuation);
  CHECK(out.segments[1].bytes == "f\xc3\xbcr\r\n");
  CHECK_FALSE(out.segments[1].wait_for_continuation);
}

TEST_CASE("LITERAL+ and LITERAL- avoid the round trip", "[imap][encoder]") {
  std::string small(100, 'm');
  std::string big(5000, 'm');
  EncodeOptions plus;
  plus.literal = LiteralMode::Plus;
  EncodeOptions minus;
  minus.literal = LiteralMode::Minus;

  Command append_small("APPEND");
  append_small.mailbox("Sent").flag_list({"\\Seen"}).literal(small);
  CHECK(one_line(append_small, plus) == "A001 APPEND Sent (\\Seen) {100+}\r\n" + small + "\r\n");
  CHECK(one_line(append_small, minus) == "A001 APPEND Sent (\\Seen) {100+}\r\n" + small + "\r\n");

  Command append_big("APPEND");
  append_big.mailbox("Sent").literal(big);
  CHECK(one_line(append_big, plus) == "A001 APPEND Sent {5000+}\r\n" + big + "\r\n");
  EncodedCommand out = encode(append_big, minus);
  REQUIRE(out.segments.size() == 2);
  CHECK(out.segments[0].bytes == "A001 APPEND Sent {5000}\r\n");
  CHECK(out.segments[0].wait_for_continuation);
  CHECK(out.log_line == "A001 APPEND Sent {5000}");

  Command binary("APPEND");
  binary.mailbox("INBOX").literal(std::string("a\0b", 3), true);
  CHECK(one_line(binary, plus) == std::string("A001 APPEND INBOX ~{3+}\r\na\0b\r\n", 30));
}

TEST_CASE("encoding options follow the capabilities", "[imap][encoder]") {
  CHECK(encode_options_for(CapabilitySet({"IMAP4rev1"})).literal == LiteralMode::Synchronizing);
  CHECK(encode_options_for(CapabilitySet({"IMAP4rev1", "literal+"})).literal == LiteralMode::Plus);
  CHECK(encode_options_for(CapabilitySet({"IMAP4rev1", "LITERAL-"})).literal == LiteralMode::Minus);
  CHECK(encode_options_for(CapabilitySet({"IMAP4rev2"})).literal == LiteralMode::Minus);
  CHECK(encode_options_for(CapabilitySet({"IMAP4rev2"}), true).utf8);
}

TEST_CASE("external literals let the caller stream large APPEND data", "[imap][encoder]") {
  Command append("APPEND");
  append.mailbox("Archive").flag_list({"\\Seen"}).external_literal(1ull << 30);
  EncodedCommand out = encode(append);
  REQUIRE(out.segments.size() == 3);
  CHECK(out.segments[0].bytes == "A001 APPEND Archive (\\Seen) {1073741824}\r\n");
  CHECK(out.segments[0].wait_for_continuation);
  CHECK(out.segments[1].external);
  CHECK(out.segments[1].external_size == 1ull << 30);
  CHECK(out.segments[2].bytes == "\r\n");

  EncodeOptions plus;
  plus.literal = LiteralMode::Plus;
  out = encode(append, plus);
  REQUIRE(out.segments.size() == 3);
  CHECK(out.segments[0].bytes == "A001 APPEND Archive (\\Seen) {1073741824+}\r\n");
  CHECK_FALSE(out.segments[0].wait_for_continuation);
  CHECK(out.segments[1].external);
  CHECK(out.log_line == "A001 APPEND Archive (\\Seen) {1073741824+}");
}

TEST_CASE("mailbox names: modified UTF-7 or UTF-8", "[imap][encoder][utf7]") {
  CHECK(one_line(Command("SELECT").mailbox("inbox")) == "A001 SELECT INBOX\r\n");
  CHECK(one_line(Command("SELECT").mailbox("Entw\xc3\xbcrfe")) == "A001 SELECT Entw&APw-rfe\r\n");
  CHECK(one_line(Command("CREATE").mailbox("A & B")) == "A001 CREATE \"A &- B\"\r\n");
  EncodeOptions utf8;
  utf8.utf8 = true;
  CHECK(one_line(Command("SELECT").mailbox("Entw\xc3\xbcrfe"), utf8) ==
        "A001 SELECT \"Entw\xc3\xbcrfe\"\r\n");

  // RFC 3501 5.1.3 example.
  const std::string utf8_name =
      "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";
  CHECK(*encode_mailbox_utf7(utf8_name) == "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  CHECK(*decode_mailbox_utf7("~peter/mail/&U,BTFw-/&ZeVnLIqe-") == utf8_name);
  // Astral plane (surrogate pair) round trip.
  const std::string emoji = "Fun \xf0\x9f\x98\x80";
  CHECK(*decode_mailbox_utf7(*encode_mailbox_utf7(emoji)) == emoji);
  CHECK(*decode_mailbox_utf7("&-") == "&");
  CHECK_FALSE(decode_mailbox_utf7("&U,BTFw"));    // unterminated
  CHECK_FALSE(decode_mailbox_utf7("&2D3-"));      // lone surrogate / bad padding
  CHECK_FALSE(decode_mailbox_utf7("a\xc3\xbc"));  // 8-bit byte
  CHECK_FALSE(encode_mailbox_utf7("\xff"));
}

TEST_CASE("mailbox names with quotes and backslashes are escaped quoted strings",
          "[imap][encoder][security]") {
  // Case 27: one command per call, whatever the name holds.
  CHECK(one_line(Command("SELECT").mailbox("a\"b")) == "A001 SELECT \"a\\\"b\"\r\n");
  CHECK(one_line(Command("SELECT").mailbox("a\\b")) == "A001 SELECT \"a\\\\b\"\r\n");
  CHECK(one_line(Command("CREATE").mailbox("x) A9 DELETE INBOX")) ==
        "A001 CREATE \"x) A9 DELETE INBOX\"\r\n");
  CHECK(one_line(Command("SELECT").mailbox("\xc3\x84rger")) == "A001 SELECT &AMQ-rger\r\n");
}

TEST_CASE("mailbox names: non-canonical modified UTF-7 is refused, one spelling per name",
          "[imap][encoder][utf7][security]") {
  // Case 58: RFC 3501 5.1.3 lets printable US-ASCII stand only for itself, so "&AGE-" ("a" in
  // base64) would be a second wire name that displays as "a".
  CHECK_FALSE(decode_mailbox_utf7("&AGE-"));
  CHECK_FALSE(decode_mailbox_utf7("Dr&AGE-fts"));
  CHECK_FALSE(decode_mailbox_utf7("&ACY-"));       // "&" is written "&-"
  CHECK_FALSE(decode_mailbox_utf7("&AOQ-&AOQ-"));  // one shift where the encoder makes one
  CHECK(*decode_mailbox_utf7("&AOQA5A-") == "\xc3\xa4\xc3\xa4");
  CHECK(*encode_mailbox_utf7("\xc3\xa4\xc3\xa4") == "&AOQA5A-");
  CHECK(*decode_mailbox_utf7("&AOQ-a&AOQ-") ==
        "\xc3\xa4"
        "a"
        "\xc3\xa4");
}

TEST_CASE("raw text follows the grammar the typed arguments follow", "[imap][encoder][security]") {
  // Case 30: the string-taking calls (fetch items, status items, search criteria) go through
  // Command::raw, which must not let a caller string end the command's grammar early.
  auto refused = [](const Command& c) {
    EncodedCommand out;
    CHECK(c.encode("A001", {}, out) == Errc::usage);
    CHECK(out.segments.empty());
  };
  auto accepted = [](const Command& c, const std::string& line) {
    EncodedCommand out;
    REQUIRE_FALSE(c.encode("A001", {}, out));
    CHECK(out.segments.size() == 1);
    CHECK(out.segments[0].bytes == line);
  };
  refused(Command("UID FETCH").raw("1 (FLAGS {5+}"));  // a literal announced by hand
  refused(Command("UID SEARCH").raw("SUBJECT {3}"));
  refused(Command("FETCH").raw("1 (FLAGS"));           // an open parenthesis
  refused(Command("FETCH").raw("1 FLAGS) (UID"));      // one closed that was not open
  refused(Command("FETCH").raw("1 BODY[HEADER"));      // an open bracket
  refused(Command("SEARCH").raw("SUBJECT \"a"));       // an open quoted string
  refused(Command("SEARCH").raw("SUBJECT \"a\\x\""));  // an escape of nothing escapable
  refused(Command("SEARCH").raw("ALL\x01"));           // other controls
  refused(Command("SEARCH").raw("ALL\x7f"));
  refused(Command("SEARCH").raw("TEXT caf\xc3\xa9"));  // 8-bit outside a quoted string
  accepted(Command("UID FETCH").raw("1:* (UID BODY.PEEK[HEADER.FIELDS (FROM)])"),
           "A001 UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (FROM)])\r\n");
  accepted(Command("STATUS").mailbox("INBOX").raw("(MESSAGES UNSEEN)"),
           "A001 STATUS INBOX (MESSAGES UNSEEN)\r\n");
  accepted(Command("SEARCH").raw("OR SUBJECT \"a \\\"b\\\" (c\" FROM x"),
           "A001 SEARCH OR SUBJECT \"a \\\"b\\\" (c\" FROM x\r\n");
  accepted(Command("SEARCH").raw("SUBJECT \"caf\xc3\xa9\""),
           "A001 SEARCH SUBJECT \"caf\xc3\xa9\"\r\n");
}

TEST_CASE("CR, LF and NUL in caller strings are refused before any byte", "[imap][encoder]") {
  auto refused = [](const Command& c) {
    EncodedCommand out;
    CHECK(c.encode("A001", {}, out) == Errc::usage);
    CHECK(out.segments.empty());
    CHECK_FALSE(c.error_message().empty());
  };
  refused(Command("LOGIN").astring("user\r\nA002 DELETE INBOX").astring("x"));
  refused(Command("SELECT").mailbox("a\nb"));
  refused(Command("SELECT").mailbox(std::string("a\0b", 3)));
  refused(Command("SELECT").mailbox("\xc3"));
  refused(Command("SEARCH").raw("ALL\r\n"));
  refused(Command("STORE").flag_list({"\\Seen", "bad flag"}));
  refused(Command("FETCH").sequence_set(SequenceSet()));
  refused(Command("APPEND").mailbox("x").literal(std::string("a\0b", 3)));
  refused(Command("BAD NAME\r\n"));
  EncodedCommand out;
  CHECK(Command("NOOP").encode("A 1", {}, out) == Errc::usage);
  CHECK(Command("NOOP").encode("A+1", {}, out) == Errc::usage);
}

TEST_CASE("sequence sets are compact", "[imap][encoder][sequence]") {
  CHECK(SequenceSet::from_numbers({9, 5, 1, 2, 3, 10, 3}).to_string() == "1:3,5,9:10");
  CHECK(SequenceSet::all().to_string() == "1:*");
  CHECK(SequenceSet::range(7, 4).to_string() == "4:7");
  SequenceSet s;
  s.add(5).add(SequenceRange::star).add(6, 8);
  CHECK(s.to_string() == "5:8,*");
  auto p = SequenceSet::parse("4:2,7,9:*");
  REQUIRE(p);
  CHECK(p->to_string() == "2:4,7,9:*");
  CHECK(p->contains(3));
  CHECK(p->contains(100000));
  CHECK_FALSE(p->contains(8));
  CHECK_FALSE(p->numbers());
  CHECK(*SequenceSet::parse("1:3,5")->numbers() == std::vector<std::uint32_t>{1, 2, 3, 5});
  CHECK_FALSE(SequenceSet::parse(""));
  CHECK_FALSE(SequenceSet::parse("0"));
  CHECK_FALSE(SequenceSet::parse("1,,2"));
  CHECK_FALSE(SequenceSet::parse("1:"));
  CHECK_FALSE(SequenceSet::parse("99999999999"));
}

TEST_CASE("typed SEARCH queries", "[imap][encoder][search]") {
  auto key = SearchKey::all_of({SearchKey::unseen(), SearchKey::from("billing@example.com"),
                                SearchKey::since({2024, 2, 1})});
  CHECK(one_line(make_search_command(key)) ==
        "A001 SEARCH UNSEEN FROM billing@example.com SINCE 1-Feb-2024\r\n");

  auto nested =
      SearchKey::either(SearchKey::from("a@x"),
                        SearchKey::all_of({SearchKey::to("b@y"), SearchKey::subject("hi there")}));
  SearchOptions uid;
  uid.uid = true;
  CHECK(one_line(make_search_command(SearchKey::negate(nested), uid)) ==
        "A001 UID SEARCH NOT OR FROM a@x (TO b@y SUBJECT \"hi there\")\r\n");

  auto misc =
      SearchKey::all_of({SearchKey::header("X-Mailer", "mutt"), SearchKey::keyword("$Invoice"),
                         SearchKey::larger(1000), SearchKey::smaller(99999),
                         SearchKey::uid(SequenceSet::range(100, SequenceRange::star)),
                         SearchKey::on({1999, 12, 31}), SearchKey::before({2000, 1, 9}),
                         SearchKey::seen(), SearchKey::text("x"), SearchKey::body("y")});
  SearchOptions esearch;
  esearch.return_options = {"MIN", "COUNT"};
  CHECK(one_line(make_search_command(misc, esearch)) ==
        "A001 SEARCH RETURN (MIN COUNT) HEADER X-Mailer mutt KEYWORD $Invoice LARGER 1000 "
        "SMALLER 99999 UID 100:* ON 31-Dec-1999 BEFORE 9-Jan-2000 SEEN TEXT x BODY y\r\n");

  // Non-ASCII: CHARSET UTF-8 and a literal; under UTF8=ACCEPT no CHARSET and a quoted string.
  auto umlaut = SearchKey::subject("Rechnung f\xc3\xbcr");
  EncodedCommand out = encode(make_search_command(umlaut));
  REQUIRE(out.segments.size() == 2);
  CHECK(out.segments[0].bytes == "A001 SEARCH CHARSET UTF-8 SUBJECT {13}\r\n");
  SearchOptions accept;
  accept.utf8_enabled = true;
  EncodeOptions utf8;
  utf8.utf8 = true;
  CHECK(one_line(make_search_command(umlaut, accept), utf8) ==
        "A001 SEARCH SUBJECT \"Rechnung f\xc3\xbcr\"\r\n");

  CHECK(one_line(make_search_command(SearchKey::all_of(
            {SearchKey::seq(SequenceSet::range(1, 10)), SearchKey::unkeyword("$Junk"),
             SearchKey::modseq(620162338), SearchKey::sent_since({2023, 7, 4}),
             SearchKey::either(SearchKey::cc("c"), SearchKey::bcc("d"))}))) ==
        "A001 SEARCH 1:10 UNKEYWORD $Junk MODSEQ 620162338 SENTSINCE 4-Jul-2023 OR CC c BCC d\r\n");

  CHECK(one_line(make_search_command(SearchKey::all_of(
            {SearchKey::undraft(), SearchKey::new_messages(), SearchKey::old(), SearchKey::recent(),
             SearchKey::sent_on({2024, 3, 15}), SearchKey::answered(), SearchKey::unanswered(),
             SearchKey::flagged(), SearchKey::unflagged(), SearchKey::deleted(),
             SearchKey::undeleted(), SearchKey::draft(), SearchKey::all_of({})}))) ==
        "A001 SEARCH UNDRAFT NEW OLD RECENT SENTON 15-Mar-2024 ANSWERED UNANSWERED FLAGGED "
        "UNFLAGGED DELETED UNDELETED DRAFT ALL\r\n");

  Command bad_date = make_search_command(SearchKey::since({2024, 13, 1}));
  CHECK(bad_date.error() == Errc::usage);
  Command bad_from = make_search_command(SearchKey::from("x\r\ny"));
  CHECK(bad_from.error() == Errc::usage);
  // KEYWORD takes an atom: a system flag (which a server would answer BAD, or read as some
  // other keyword), an empty one, or one with a space is refused before anything is sent.
  for (const char* flag : {"\\Seen", "\\Flagged", "", "two words", "a(b"}) {
    CAPTURE(flag);
    CHECK(make_search_command(SearchKey::keyword(flag)).error() == Errc::usage);
    CHECK(make_search_command(SearchKey::negate(SearchKey::unkeyword(flag))).error() ==
          Errc::usage);
  }
}

TEST_CASE("FETCH and STORE commands", "[imap][encoder][fetch]") {
  FetchOptions options;
  options.uid = true;
  options.changed_since = 12345;
  CHECK(one_line(make_fetch_command(
            SequenceSet::all(),
            {FetchItem::uid(), FetchItem::flags(), FetchItem::size(), FetchItem::envelope(),
             FetchItem::body_structure(), FetchItem::internal_date(), FetchItem::modseq(),
             FetchItem::body_peek("1.2", {{0, 1024}})},
            options)) ==
        "A001 UID FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE INTERNALDATE MODSEQ "
        "BODY.PEEK[1.2]<0.1024>) (CHANGEDSINCE 12345)\r\n");
  CHECK(one_line(make_fetch_command(
            SequenceSet::from_numbers({4}),
            {FetchItem::body_peek("HEADER.FIELDS (FROM SUBJECT)"), FetchItem::binary_peek("2"),
             FetchItem::binary_size("2"), FetchItem::body()})) ==
        "A001 FETCH 4 (BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)] BINARY.PEEK[2] BINARY.SIZE[2] "
        "BODY[])\r\n");
  CHECK(make_fetch_command(SequenceSet::all(), {FetchItem::body_peek("1]\r\n")}).error() ==
        Errc::usage);
  CHECK(make_fetch_command(SequenceSet::all(), {}).error() == Errc::usage);

  StoreOptions store;
  store.uid = true;
  store.silent = true;
  store.unchanged_since = 200;
  CHECK(one_line(
            make_store_command(SequenceSet::range(4, 6), StoreMode::Add, {"\\Deleted"}, store)) ==
        "A001 UID STORE 4:6 (UNCHANGEDSINCE 200) +FLAGS.SILENT (\\Deleted)\r\n");
  CHECK(one_line(make_store_command(SequenceSet::from_numbers({1}), StoreMode::Remove,
                                    {"\\Seen", "$Forwarded"})) ==
        "A001 STORE 1 -FLAGS (\\Seen $Forwarded)\r\n");
  CHECK(one_line(make_store_command(SequenceSet::from_numbers({1}), StoreMode::Replace, {})) ==
        "A001 STORE 1 FLAGS ()\r\n");
}
