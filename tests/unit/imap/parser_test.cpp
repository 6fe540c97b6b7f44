// Response grammar: RFC 3501 / RFC 9051 / extension RFC examples and replies captured from
// real servers (Dovecot, Gmail, Exchange / Microsoft 365, Cyrus) as published in their docs.

#include <mailwire/error.hpp>
#include <mailwire/imap/response_reader.hpp>

#include "imap_test_util.hpp"

using namespace mailwire::imap;
using imap_test::parse_error;
using imap_test::parse_ok;

TEST_CASE("status responses: tagged, untagged, continuation", "[imap][parser]") {
  auto r = parse_ok("A142 OK [READ-WRITE] SELECT completed");
  CHECK(r.kind == ResponseKind::Tagged);
  CHECK(r.tag == "A142");
  CHECK(r.status == Status::Ok);
  CHECK(r.code.kind == ResponseCodeKind::ReadWrite);
  CHECK(r.text == "SELECT completed");

  r = parse_ok("a002 NO [TRYCREATE] Mailbox doesn't exist");
  CHECK(r.status == Status::No);
  CHECK(r.code.kind == ResponseCodeKind::TryCreate);

  r = parse_ok("A003 BAD Command unknown or arguments invalid");
  CHECK(r.status == Status::Bad);
  CHECK_FALSE(r.code);

  r = parse_ok("+ Ready for additional command text");
  CHECK(r.kind == ResponseKind::Continuation);
  CHECK(r.text == "Ready for additional command text");
  r = parse_ok("+");  // bare continuation (seen from several servers)
  CHECK(r.kind == ResponseKind::Continuation);
  CHECK(r.text.empty());
  r = parse_ok("+ dGVzdA==");
  CHECK(r.text == "dGVzdA==");

  r = parse_ok("* BYE Autologout; idle for too long");
  CHECK(r.status == Status::Bye);
  r = parse_ok("* PREAUTH IMAP4rev1 server logged in as Smith");
  CHECK(r.status == Status::Preauth);
  // Exchange: code without text.
  r = parse_ok("A1 OK [READ-ONLY]");
  CHECK(r.code.kind == ResponseCodeKind::ReadOnly);
  CHECK(r.text.empty());
  r = parse_ok("A1 OK");
  CHECK(r.status == Status::Ok);
}

TEST_CASE("greeting with CAPABILITY code (Dovecot)", "[imap][parser]") {
  auto r = parse_ok(
      "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS "
      "AUTH=PLAIN AUTH=LOGIN] Dovecot ready.");
  CHECK(r.status == Status::Ok);
  REQUIRE(r.code.kind == ResponseCodeKind::Capability);
  CapabilitySet caps(r.code.atoms);
  CHECK(caps.has("idle"));
  CHECK(caps.has("LITERAL+"));
  CHECK_FALSE(caps.has("LITERAL-"));
  CHECK(caps.auth_mechanisms() == std::vector<std::string>{"PLAIN", "LOGIN"});
  CHECK(r.text == "Dovecot ready.");
}

TEST_CASE("Gmail and Microsoft 365 greetings and capabilities", "[imap][parser]") {
  auto r = parse_ok("* OK Gimap ready for requests from 192.0.2.1 h5mb12345");
  CHECK(r.status == Status::Ok);
  CHECK_FALSE(r.code);
  r = parse_ok(
      "* CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 "
      "UIDPLUS COMPRESS=DEFLATE ENABLE MOVE CONDSTORE ESEARCH UTF8=ACCEPT LIST-EXTENDED "
      "LIST-STATUS LITERAL- SPECIAL-USE APPENDLIMIT=35651584");
  const CapabilitySet* caps = r.get<CapabilitySet>();
  REQUIRE(caps);
  CHECK(caps->has("utf8=accept"));
  CHECK(caps->has("LITERAL-"));
  CHECK(caps->auth_mechanisms().empty());
  r = parse_ok("* ID (\"name\" \"GImap\" \"vendor\" \"Google, Inc.\" \"support-url\" NIL)");
  CHECK(r.get<IdData>()->fields.at(2).second.empty());
  // Microsoft: brackets at the end of the text are not a response code.
  r = parse_ok(
      "* OK The Microsoft Exchange IMAP4 service is ready. "
      "[TQBOADIAUABSADAAMQBDAEEAMAAwADAANgAuAG4AYQBtAHAAcgBkADAAMQAuAHAAcgBvAGQALgBvAHUAdABsAG8A"
      "bwBrAC4AYwBvAG0A]");
  CHECK_FALSE(r.code);
  CHECK(r.text.substr(0, 17) == "The Microsoft Exc");
  r = parse_ok("A1 NO AUTHENTICATE failed.");
  CHECK(r.status == Status::No);
  r = parse_ok("A2 NO [AUTHENTICATIONFAILED] Authentication failed.");
  CHECK(r.code.name == "AUTHENTICATIONFAILED");
}

TEST_CASE("SELECT responses of RFC 3501 6.3.1", "[imap][parser]") {
  CHECK(parse_ok("* 172 EXISTS").get<ExistsData>()->count == 172);
  CHECK(parse_ok("* 1 RECENT").get<RecentData>()->count == 1);
  auto r = parse_ok("* OK [UNSEEN 12] Message 12 is first unseen");
  CHECK(r.code.kind == ResponseCodeKind::Unseen);
  CHECK(r.code.number == 12);
  r = parse_ok("* OK [UIDVALIDITY 3857529045] UIDs valid");
  CHECK(r.code.kind == ResponseCodeKind::UidValidity);
  CHECK(r.code.number == 3857529045u);
  r = parse_ok("* OK [UIDNEXT 4392] Predicted next UID");
  CHECK(r.code.number == 4392);
  r = parse_ok("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
  REQUIRE(r.get<FlagsData>());
  CHECK(r.get<FlagsData>()->flags.size() == 5);
  CHECK(r.get<FlagsData>()->flags[4] == "\\Draft");
  r = parse_ok("* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited");
  CHECK(r.code.kind == ResponseCodeKind::PermanentFlags);
  CHECK(r.code.atoms == std::vector<std::string>{"\\Deleted", "\\Seen", "\\*"});
  CHECK(parse_ok("* 44 EXPUNGE").get<ExpungeData>()->seq == 44);
  r = parse_ok("* 1 FETCH (FLAGS (\\Seen $Label1 [Work] \\Recent))");
  CHECK(r.get<FetchData>()->flags->at(2) == "[Work]");
}

TEST_CASE("UIDPLUS, CONDSTORE and other response codes", "[imap][parser]") {
  auto r = parse_ok("A003 OK [APPENDUID 38505 3955] APPEND completed");
  REQUIRE(r.code.kind == ResponseCodeKind::AppendUid);
  CHECK(r.code.uid_validity == 38505);
  CHECK(r.code.dest_uids.to_string() == "3955");

  r = parse_ok("A004 OK [COPYUID 38505 304,319:320 3956:3958] Done");
  REQUIRE(r.code.kind == ResponseCodeKind::CopyUid);
  CHECK(r.code.source_uids.to_string() == "304,319:320");
  CHECK(r.code.dest_uids.to_string() == "3956:3958");

  r = parse_ok("* OK [HIGHESTMODSEQ 715194045007] Highest");
  CHECK(r.code.kind == ResponseCodeKind::HighestModSeq);
  CHECK(r.code.number == 715194045007ull);
  CHECK(parse_ok("* OK [NOMODSEQ] Sorry").code.kind == ResponseCodeKind::NoModSeq);
  CHECK(parse_ok("* OK [CLOSED] Previous mailbox closed").code.kind == ResponseCodeKind::Closed);
  CHECK(parse_ok("A1 NO [OVERQUOTA] Quota exceeded").code.kind == ResponseCodeKind::OverQuota);
  CHECK(parse_ok("A1 OK [UIDNOTSTICKY] Non-persistent UIDs").code.kind ==
        ResponseCodeKind::UidNotSticky);
  r = parse_ok("* OK [ALERT] System shutdown in 10 minutes");
  CHECK(r.code.kind == ResponseCodeKind::Alert);
  CHECK(r.text == "System shutdown in 10 minutes");
  r = parse_ok("A1 NO [BADCHARSET (UTF-8 US-ASCII)] charset not supported");
  CHECK(r.code.kind == ResponseCodeKind::BadCharset);
  CHECK(r.code.atoms.size() == 2);

  // Unknown codes are kept raw (RFC 5530 and vendor codes).
  r = parse_ok("A1 NO [UNAVAILABLE] Backend down, try later");
  CHECK(r.code.kind == ResponseCodeKind::Other);
  CHECK(r.code.name == "UNAVAILABLE");
  r = parse_ok("* OK [X-VENDOR-THING 12 (a b)] hi");
  CHECK(r.code.name == "X-VENDOR-THING");
  CHECK(r.code.raw == "12 (a b)");
  // A malformed known code degrades to Other instead of failing the response.
  r = parse_ok("* OK [UIDVALIDITY abc] broken");
  CHECK(r.code.kind == ResponseCodeKind::Other);
  CHECK(r.code.raw == "abc");
}

TEST_CASE("FETCH example of RFC 3501 7.4.2 with ENVELOPE and BODY", "[imap][parser][fetch]") {
  auto r = parse_ok(
      "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 "
      "ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and "
      "minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL "
      "\"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
      "((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" "
      "\"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
      "\"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" "
      "\"US-ASCII\") NIL NIL \"7BIT\" 3028 92))");
  const FetchData* f = r.get<FetchData>();
  REQUIRE(f);
  CHECK(f->seq == 12);
  CHECK(*f->flags == std::vector<std::string>{"\\Seen"});
  CHECK(*f->internal_date == "17-Jul-1996 02:44:25 -0700");
  CHECK(*f->size == 4286);
  REQUIRE(f->envelope);
  const Envelope& e = *f->envelope;
  CHECK(e.date == "Wed, 17 Jul 1996 02:23:25 -0700 (PDT)");
  CHECK(e.subject == "IMAP4rev1 WG mtg summary and minutes");
  REQUIRE(e.from.size() == 1);
  CHECK(e.from[0].name == "Terry Gray");
  CHECK(e.from[0].address() == "gray@cac.washington.edu");
  REQUIRE(e.cc.size() == 2);
  CHECK(e.cc[1].name == "John Klensin");
  CHECK(e.cc[1].address() == "KLENSIN@MIT.EDU");
  CHECK(e.bcc.empty());
  CHECK(e.in_reply_to.empty());
  CHECK(e.message_id == "<B27397-0100000@cac.washington.edu>");
  REQUIRE(f->body_structure);
  const BodyStructure& b = *f->body_structure;
  CHECK(b.type == "text");
  CHECK(b.subtype == "plain");
  CHECK(*b.param("charset") == "US-ASCII");
  CHECK(b.encoding == "7BIT");
  CHECK(b.size == 3028);
  CHECK(b.lines == 92);
  CHECK_FALSE(b.has_extension);
}

TEST_CASE("ENVELOPE with groups, literals and encoded words left raw", "[imap][parser][fetch]") {
  auto r = parse_ok(
      "* 5 FETCH (ENVELOPE (NIL {8}\r\nSubject!"
      " ((\"=?utf-8?q?J=C3=B6rg?=\" NIL \"joerg\" \"example.de\")) NIL NIL "
      "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL))");
  const Envelope& e = *r.get<FetchData>()->envelope;
  CHECK(e.date.empty());
  CHECK(e.subject == "Subject!");
  CHECK(e.from.at(0).name == "=?utf-8?q?J=C3=B6rg?=");  // RFC 2047: the message model decodes
  REQUIRE(e.to.size() == 2);
  CHECK(e.to[0].is_group_start());
  CHECK(e.to[0].mailbox == "undisclosed-recipients");
  CHECK(e.to[1].is_group_end());
  CHECK(e.sender.empty());
}

TEST_CASE("multipart BODYSTRUCTURE of RFC 3501 7.4.2", "[imap][parser][fetch]") {
  auto r = parse_ok(
      "* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" "
      "1152 23)(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") "
      "\"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) "
      "\"MIXED\"))");
  const BodyStructure& b = *r.get<FetchData>()->body_structure;
  CHECK(b.is_multipart());
  CHECK(b.subtype == "mixed");
  REQUIRE(b.parts.size() == 2);
  CHECK(b.parts[1].id == "<960723163407.20117h@cac.washington.edu>");
  CHECK(b.parts[1].description == "Compiler diff");
  CHECK(b.parts[1].file_name() == "cc.diff");
  CHECK(b.parts[1].lines == 73);
}

TEST_CASE("BODYSTRUCTURE with extension data, attachment and message/rfc822 (Dovecot)",
          "[imap][parser][fetch]") {
  auto r = parse_ok(
      "* 3 FETCH (UID 7 BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL "
      "\"7bit\" 13 1 NIL NIL NIL NIL)(\"application\" \"pdf\" (\"name\" \"invoice.pdf\") NIL NIL "
      "\"base64\" 4096 NIL (\"attachment\" (\"filename\" \"Rechnung 2024.pdf\" \"size\" "
      "\"3000\")) NIL NIL)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 300 (\"Mon, 1 Jan 2024 "
      "10:00:00 +0000\" \"inner\" ((NIL NIL \"a\" \"example.org\")) NIL NIL NIL NIL NIL NIL NIL) "
      "(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 120 4 NIL NIL NIL "
      "NIL) 12 NIL NIL (\"en\" \"de\") \"http://x/y\" 42 (1 \"z\")) \"mixed\" (\"boundary\" "
      "\"b1\") NIL NIL NIL))");
  const FetchData* f = r.get<FetchData>();
  CHECK(*f->uid == 7);
  const BodyStructure& b = *f->body_structure;
  REQUIRE(b.parts.size() == 3);
  CHECK(b.has_extension);
  CHECK(*b.param("BOUNDARY") == "b1");
  const BodyStructure& text = b.parts[0];
  CHECK(text.lines == 1);
  CHECK(text.has_extension);
  CHECK_FALSE(text.disposition);
  const BodyStructure& pdf = b.parts[1];
  CHECK(pdf.type == "application");
  REQUIRE(pdf.disposition);
  CHECK(pdf.disposition->type == "attachment");
  CHECK(pdf.file_name() == "Rechnung 2024.pdf");
  const BodyStructure& msg = b.parts[2];
  CHECK(msg.is_message());
  REQUIRE(msg.envelope);
  CHECK(msg.envelope->subject == "inner");
  REQUIRE(msg.parts.size() == 1);
  CHECK(msg.parts[0].subtype == "html");
  CHECK(msg.parts[0].lines == 4);
  CHECK(msg.lines == 12);
  CHECK(msg.languages == std::vector<std::string>{"en", "de"});
  CHECK(msg.location == "http://x/y");
  CHECK(msg.extra == std::vector<std::string>{"42", "(1 \"z\")"});
}

TEST_CASE("BODYSTRUCTURE oddities of Exchange and others", "[imap][parser][fetch]") {
  // Lower-case NIL, NIL encoding, quoted size, bare-string disposition, spaces between parts,
  // a message/rfc822 described as a basic part.
  auto r = parse_ok(
      "* 9 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") nil nil NIL \"12\" "
      "2 NIL \"inline\" NIL NIL) (\"message\" \"rfc822\" (\"name\" \"fw.eml\") NIL NIL \"7bit\" "
      "800 NIL (\"attachment\" NIL) NIL NIL) \"mixed\" (\"boundary\" \"_x_\") NIL \"en-US\"))");
  const BodyStructure& b = *r.get<FetchData>()->body_structure;
  REQUIRE(b.parts.size() == 2);
  CHECK(b.parts[0].encoding.empty());
  CHECK(b.parts[0].size == 12);
  CHECK(b.parts[0].disposition->type == "inline");
  CHECK_FALSE(b.parts[1].envelope);
  CHECK(b.parts[1].file_name() == "fw.eml");
  CHECK(b.languages == std::vector<std::string>{"en-US"});
}

TEST_CASE("FETCH section data, partial origin, BINARY, MODSEQ and literals",
          "[imap][parser][fetch]") {
  std::string header = "From: a@example.org\r\nSubject: hi\r\n\r\n";
  auto r = parse_ok("* 2 FETCH (UID 9 MODSEQ (65402) BODY[HEADER.FIELDS (FROM SUBJECT)] {" +
                    std::to_string(header.size()) + "}\r\n" + header +
                    " BODY[1]<0> \"abc\" BINARY[2] ~{3}\r\n" + std::string("\0\1\2", 3) +
                    " BINARY.SIZE[2] 3 BODY[3] NIL)\r\n");
  const FetchData* f = r.get<FetchData>();
  REQUIRE(f);
  CHECK(*f->modseq == 65402);
  REQUIRE(f->sections.size() == 4);
  const SectionData* h = f->find_section("header.fields (from subject)");
  REQUIRE(h);
  CHECK(h->data == header);
  CHECK(h->size == header.size());
  const SectionData* p = f->find_section("1");
  REQUIRE(p);
  CHECK(*p->origin == 0);
  CHECK(p->data == "abc");
  const SectionData* bin = f->find_section("2", true);
  REQUIRE(bin);
  CHECK(bin->data == std::string("\0\1\2", 3));
  CHECK(f->binary_sizes.at(0).second == 3);
  CHECK(f->find_section("3")->nil);
}

TEST_CASE("Gmail extension items are kept raw", "[imap][parser][fetch]") {
  auto r = parse_ok(
      "* 1 FETCH (X-GM-THRID 1278455344230334865 X-GM-MSGID 1278455344230334865 X-GM-LABELS "
      "(\\Inbox \\Sent Important \"Muy Importante\") UID 4 FLAGS (\\Seen))");
  const FetchData* f = r.get<FetchData>();
  REQUIRE(f->other.size() == 3);
  CHECK(f->other[0].first == "X-GM-THRID");
  CHECK(f->other[0].second == "1278455344230334865");
  CHECK(f->other[2].second == "(\\Inbox \\Sent Important \"Muy Importante\")");
  CHECK(*f->uid == 4);
}

TEST_CASE("SEARCH, ESEARCH and VANISHED", "[imap][parser]") {
  auto r = parse_ok("* SEARCH 2 84 882");
  CHECK(r.get<SearchData>()->numbers == std::vector<std::uint32_t>{2, 84, 882});
  CHECK(parse_ok("* SEARCH").get<SearchData>()->numbers.empty());
  CHECK(parse_ok("* SEARCH ").get<SearchData>()->numbers.empty());  // trailing SP (seen)
  r = parse_ok("* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)");
  CHECK(*r.get<SearchData>()->modseq == 917162500);

  r = parse_ok("* ESEARCH (TAG \"A282\") MIN 2 COUNT 3");
  const ESearchData* e = r.get<ESearchData>();
  CHECK(e->tag == "A282");
  CHECK_FALSE(e->uid);
  CHECK(*e->min == 2);
  CHECK(*e->count == 3);
  r = parse_ok("* ESEARCH (TAG \"A283\") UID ALL 4:18,21,28");
  e = r.get<ESearchData>();
  CHECK(e->uid);
  CHECK(e->all->to_string() == "4:18,21,28");
  CHECK(parse_ok("* ESEARCH (TAG \"A284\")").get<ESearchData>()->tag == "A284");

  r = parse_ok("* VANISHED (EARLIER) 41,43:116,118,120:211,214:540");
  CHECK(r.get<VanishedData>()->earlier);
  CHECK(r.get<VanishedData>()->uids.contains(100));
  CHECK_FALSE(r.get<VanishedData>()->uids.contains(42));
  CHECK_FALSE(parse_ok("* VANISHED 405,407").get<VanishedData>()->earlier);
}

TEST_CASE("LIST, LSUB, SPECIAL-USE, LIST-EXTENDED and modified UTF-7 names", "[imap][parser]") {
  auto r = parse_ok("* LIST (\\HasNoChildren \\Sent) \"/\" \"[Gmail]/Sent Mail\"");
  const ListData* l = r.get<ListData>();
  CHECK(l->has("\\sent"));
  CHECK(l->delimiter == '/');
  CHECK(l->mailbox == "[Gmail]/Sent Mail");
  r = parse_ok("* LIST () \"/\" \"~peter/mail/&U,BTFw-/&ZeVnLIqe-\"");
  CHECK(r.get<ListData>()->mailbox ==
        "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
  CHECK(r.get<ListData>()->raw_mailbox == "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  r = parse_ok("* LIST (\\Noselect) NIL inbox");
  CHECK(r.get<ListData>()->delimiter == 0);
  CHECK(r.get<ListData>()->mailbox == "INBOX");
  CHECK(parse_ok("* LIST () \"\" Flat").get<ListData>()->delimiter == 0);
  r = parse_ok("* LIST () \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))");
  CHECK(r.get<ListData>()->child_info == std::vector<std::string>{"SUBSCRIBED"});
  r = parse_ok("* LIST () \".\" \"NewName\" (\"OLDNAME\" (\"OldName\"))");
  CHECK(*r.get<ListData>()->old_name == "OldName");
  r = parse_ok("* LSUB () \".\" #news.comp.mail.misc");
  CHECK(r.get<ListData>()->lsub);
  CHECK(r.get<ListData>()->mailbox == "#news.comp.mail.misc");
  // Literal mailbox name.
  r = parse_ok("* LIST () \"/\" {8}\r\nEntw\"rfe\r\n");
  CHECK(r.get<ListData>()->mailbox == "Entw\"rfe");

  ResponseReaderOptions utf8;
  utf8.utf8 = true;
  r = parse_ok("* LIST () \"/\" \"Entw\xc3\xbcrfe&-\"", utf8);
  CHECK(r.get<ListData>()->mailbox == "Entw\xc3\xbcrfe&-");
}

TEST_CASE("STATUS, NAMESPACE, QUOTA, QUOTAROOT, ID, ENABLED, CAPABILITY", "[imap][parser]") {
  auto r = parse_ok("* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)");
  const StatusData* s = r.get<StatusData>();
  CHECK(s->mailbox == "blurdybloop");
  CHECK(*s->messages == 231);
  CHECK(*s->uid_next == 44292);
  CHECK_FALSE(s->unseen);
  r = parse_ok("* STATUS \"INBOX\" (MESSAGES 3 UNSEEN 1 HIGHESTMODSEQ 7 )");  // trailing SP
  CHECK(*r.get<StatusData>()->highest_modseq == 7);
  r = parse_ok(
      "* STATUS Sent (MESSAGES 2 APPENDLIMIT NIL MAILBOXID (F2212ea87-6097-4256-9d51-71338625) "
      "DELETED 1 SIZE 5000000000)");
  CHECK(*r.get<StatusData>()->messages == 2);
  CHECK(*r.get<StatusData>()->deleted == 1);
  CHECK(*r.get<StatusData>()->size == 5000000000ull);
  CHECK_FALSE(r.get<StatusData>()->append_limit);           // NIL: no limit
  r = parse_ok("* STATUS Archive (APPENDLIMIT 35651584)");  // RFC 7889 section 4
  CHECK(*r.get<StatusData>()->append_limit == 35651584);

  r = parse_ok(
      "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" "
      "\"/\")(\"#ftp/\" \"/\")(\"#news.\" \".\"))");
  const NamespaceData* ns = r.get<NamespaceData>();
  REQUIRE(ns->personal.size() == 1);
  CHECK(ns->personal[0].delimiter == '/');
  CHECK(ns->other_users[0].prefix == "~");
  REQUIRE(ns->shared.size() == 4);
  CHECK(ns->shared[3].delimiter == '.');
  r = parse_ok("* NAMESPACE ((\"INBOX.\" \".\")) NIL NIL");
  CHECK(r.get<NamespaceData>()->shared.empty());

  r = parse_ok("* QUOTAROOT INBOX \"\"");
  CHECK(r.get<QuotaRootData>()->roots == std::vector<std::string>{""});
  r = parse_ok("* QUOTA \"\" (STORAGE 10 512)");
  CHECK(r.get<QuotaData>()->resources.at(0).limit == 512);

  r = parse_ok(
      "* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" \"sunos\" \"os-version\" \"5.5\" "
      "\"support-url\" \"mailto:cyrus-bugs+@andrew.cmu.edu\")");
  CHECK(r.get<IdData>()->fields.size() == 5);
  CHECK(parse_ok("* ID NIL").get<IdData>()->fields.empty());

  CHECK(parse_ok("* ENABLED CONDSTORE QRESYNC").get<EnabledData>()->capabilities.size() == 2);
  CHECK(parse_ok("* CAPABILITY IMAP4rev2 IMAP4rev1 IDLE").get<CapabilitySet>()->imap4rev2());
}

TEST_CASE("unknown responses are kept raw", "[imap][parser]") {
  auto r = parse_ok("* XLIST (\\HasNoChildren \\Inbox) \"/\" \"Inbox\"");
  REQUIRE(r.get<UnknownData>());
  CHECK(r.get<UnknownData>()->name == "XLIST");
  r = parse_ok("* 3 XYZZY foo");
  CHECK(r.get<UnknownData>()->name == "XYZZY");
  CHECK(r.get<UnknownData>()->raw == "3 XYZZY foo");
}

TEST_CASE("malformed responses are protocol errors", "[imap][parser][hostile]") {
  using mailwire::Errc;
  const char* bad[] = {
      "",
      "*",
      "* 12 FETCH (FLAGS (\\Seen)",
      "* 12 FETCH (UID 0)",
      "* 12 FETCH (UID abc)",
      "* 12 FETCH FLAGS",
      "* 1 FETCH (BODY[] \"unterminated)",
      "* 1 FETCH (BODY[ NIL)",
      "* 1 FETCH (ENVELOPE (\"a\"))",
      "* LIST () \"//\" INBOX",
      "* STATUS INBOX (MESSAGES x)",
      "* SEARCH 1 0",
      "* VANISHED 1:x",
      "* 1 FETCH (BODY[] {3}abc)",  // literal announced mid-line
      "A1 MAYBE done",
      "* 99999999999 EXISTS",
      "* 1 FETCH (RFC822.SIZE 99999999999999999999999)",
  };
  for (const char* wire : bad) {
    INFO(wire);
    auto ec = parse_error(wire);
    CHECK(ec == Errc::protocol);
  }
}

TEST_CASE("BODYSTRUCTURE file names: RFC 2231 and encoded words are decoded", "[imap][parser]") {
  // Servers pass the parameters through as written: filename*0*=UTF-8''... continuations and
  // encoded words in quoted names (what Outlook and Thunderbird send) reach the caller raw.
  mailwire::imap::BodyStructure part;
  part.type = "application";
  part.subtype = "pdf";
  part.disposition = mailwire::imap::BodyDisposition{};
  part.disposition->type = "attachment";
  part.disposition->params = {{"filename*0*", "UTF-8''Rechnung%20M%C3%A4"},
                              {"filename*1*", "rz.pdf"}};
  CHECK(part.file_name() == "Rechnung M\xC3\xA4rz.pdf");
  part.disposition->params.clear();
  part.params = {{"name", "=?UTF-8?B?UmVjaG51bmcgTcOkcnoucGRm?="}};
  CHECK(part.file_name() == "Rechnung M\xC3\xA4rz.pdf");
  part.params = {{"name", "a \"quoted\" \\ name.pdf"}};
  CHECK(part.file_name() == "a \"quoted\" \\ name.pdf");
}

TEST_CASE("oversized, negative and missing fields parse or fail as protocol errors",
          "[imap][parser][hostile]") {
  // Cases 48 and 49 (Mutt CVE-2018-14349/14350/14358, eds CVE-2007-3257, libEtPan
  // CVE-2022-4121, Thunderbird CVE-2026-92240): no overflow, no crash, no NIL taken as data.
  using mailwire::Errc;
  const std::string long_date = "* 1 FETCH (INTERNALDATE \"" + std::string(10000, '1') + "\")";
  const std::string long_size = "* 1 FETCH (RFC822.SIZE " + std::string(400, '9') + ")";
  const std::string hostile[] = {
      "* 1 FETCH (UID 4294967296)",
      "* 1 FETCH (UID 4294967295)",
      "* -1 EXISTS",
      "* 1 FETCH (RFC822.SIZE -1)",
      long_date,
      long_size,
      "* STATUS INBOX ()",
      "* STATUS INBOX",
      "A1 NO",
      "A1 NO ",
      "* ID (",
      "* ID (\"a\")",
      "* ID NIL",
      "* 1 FETCH (BODYSTRUCTURE (\"ALTERNATIVE\"))",
      "* 1 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL))",
  };
  for (const std::string& wire : hostile) {
    INFO(wire);
    Response r;
    const std::error_code ec = parse_response(wire, r);
    CHECK((!ec || ec == Errc::protocol || ec == Errc::limit));
  }
  Response r;
  CHECK(parse_response("* 1 FETCH (UID 4294967296)", r) == Errc::protocol);  // past 2^32 - 1
  CHECK(parse_response(long_size, r) == Errc::protocol);
  REQUIRE_FALSE(parse_response("* -1 EXISTS", r));
  CHECK(r.get<ExistsData>() == nullptr);  // never a message count
}
