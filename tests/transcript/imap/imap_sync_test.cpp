// ImapClient's typed search/fetch/store, CONDSTORE and QRESYNC, LIST-EXTENDED, COPY, EXPUNGE,
// APPEND with a date, parts decoded on the way, and mailbox events, against scripted servers
// (the exchanges follow the examples of RFC 7162, RFC 4731, RFC 5258, RFC 5819 and RFC 3516).

#include "support/scripted_peer.hpp"

#include <mailwire/error.hpp>
#include <mailwire/imap_client.hpp>

#include <catch2/catch.hpp>

using namespace mailwire;
using namespace mailwire::test;

namespace {

ImapOptions plain_options() {
  ImapOptions options;
  options.security = Security::None;
  options.allow_plaintext_auth = true;
  return options;
}

// A client connected to `script` (which starts after the greeting).
struct Session {
  std::shared_ptr<ScriptedPeer> peer;
  ImapClient client{plain_options()};
  Session(const std::string& capabilities, const std::string& script) {
    peer =
        ScriptedPeer::parse("S: * OK [CAPABILITY IMAP4rev1 " + capabilities + "] ready\n" + script);
    client.connect(peer->transport(), "localhost");
  }
};

}  // namespace

TEST_CASE("IMAP events: changes reported during any command reach the subscriber",
          "[imap][events]") {
  Session s("", R"(
    C: A001 SELECT INBOX
    S: * 5 EXISTS
    S: * OK [UIDVALIDITY 7] ok
    S: A001 OK [READ-WRITE] done
    C: A002 NOOP
    S: * 6 EXISTS
    S: * 3 EXPUNGE
    S: * 2 FETCH (FLAGS (\Seen \Flagged) UID 12)
    S: * OK [UIDVALIDITY 8] the mailbox was recreated
    S: A002 OK done
  )");
  std::vector<MailboxEvent> events;
  s.client.on_mailbox_event([&](const MailboxEvent& e) { events.push_back(e); });
  s.client.select("INBOX");
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == MailboxEvent::Kind::Exists);
  s.client.noop();
  REQUIRE(events.size() == 5);
  CHECK(events[1].kind == MailboxEvent::Kind::Exists);
  CHECK(events[1].number == 6);
  CHECK(events[2].kind == MailboxEvent::Kind::Expunge);
  CHECK(events[2].number == 3);
  CHECK(events[3].kind == MailboxEvent::Kind::Flags);
  CHECK(events[3].uid == 12u);
  CHECK(events[3].flags == std::vector<std::string>{"\\Seen", "\\Flagged"});
  CHECK(events[4].kind == MailboxEvent::Kind::UidValidity);
  CHECK(events[4].number == 8);
  CHECK(s.client.mailbox().exists == 5);  // 6, then one expunged
  CHECK(s.client.mailbox().uid_validity == 8);
  CHECK(s.peer->finished());
}

TEST_CASE("IMAP QRESYNC: ENABLE, then SELECT reports what vanished and what changed",
          "[imap][condstore]") {
  // RFC 7162 section 3.2.5.1, shortened.
  Session s("CONDSTORE QRESYNC ENABLE", R"(
    C: A001 ENABLE QRESYNC
    S: * ENABLED QRESYNC
    S: A001 OK enabled
    C: A002 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))
    S: * 314 EXISTS
    S: * OK [UIDVALIDITY 67890007] ok
    S: * OK [UIDNEXT 567] ok
    S: * OK [HIGHESTMODSEQ 20050715194045000] ok
    S: * VANISHED (EARLIER) 41,43:116,118,120:211,214:540
    S: * 49 FETCH (UID 117 FLAGS (\Seen \Answered) MODSEQ (90060115194045001))
    S: * 50 FETCH (UID 119 FLAGS (\Draft $MDNSent) MODSEQ (90060115194045308))
    S: A002 OK [READ-WRITE] mailbox selected
    C: A003 NOOP
    S: * VANISHED 405,407,410
    S: A003 OK done
  )");
  SelectOptions options;
  SelectOptions::QResync q;
  q.uid_validity = 67890007;
  q.modseq = 20050715194045000ULL;
  q.known_uids = *imap::SequenceSet::parse("41,43:211,214:541");
  options.qresync = q;
  const MailboxInfo& box = s.client.select("INBOX", options);
  CHECK(box.uid_validity == 67890007);
  CHECK(box.vanished.to_string() == "41,43:116,118,120:211,214:540");
  REQUIRE(box.changed.size() == 2);
  CHECK(box.changed[0].uid == 117u);
  // The highest MODSEQ seen so far, not only the one SELECT announced.
  CHECK(box.highest_modseq == 90060115194045308ULL);
  std::vector<MailboxEvent> events;
  s.client.on_mailbox_event([&](const MailboxEvent& e) { events.push_back(e); });
  s.client.noop();
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == MailboxEvent::Kind::Vanished);
  CHECK_FALSE(events[0].earlier);
  CHECK(events[0].uids.to_string() == "405,407,410");
  CHECK(s.client.mailbox().exists == 311);
  CHECK(s.peer->finished());
}

TEST_CASE("IMAP CONDSTORE: SELECT (CONDSTORE), FETCH CHANGEDSINCE, STORE UNCHANGEDSINCE",
          "[imap][condstore]") {
  Session s("CONDSTORE", R"(
    C: A001 SELECT INBOX (CONDSTORE)
    S: * 10 EXISTS
    S: * OK [HIGHESTMODSEQ 715194045007] ok
    S: A001 OK [READ-WRITE] done
    C: A002 UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE 715194045000)
    S: * 7 FETCH (UID 25 FLAGS (\Seen) MODSEQ (715194045007))
    S: A002 OK done
    C: A003 UID STORE 7,9 (UNCHANGEDSINCE 715194045007) +FLAGS.SILENT (\Deleted)
    S: A003 OK [MODIFIED 9] conditional store completed
  )");
  const MailboxInfo& box = s.client.select("INBOX", SelectOptions{false, true, std::nullopt});
  CHECK(box.highest_modseq == 715194045007ULL);
  std::vector<imap::FetchData> changed;
  imap::FetchOptions fo;
  fo.uid = true;
  fo.changed_since = 715194045000ULL;
  s.client.fetch(imap::SequenceSet::all(), {imap::FetchItem::uid(), imap::FetchItem::flags()}, fo,
                 [&](const imap::FetchData& f) { changed.push_back(f); });
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].modseq == 715194045007ULL);
  imap::StoreOptions so;
  so.uid = true;
  so.silent = true;
  so.unchanged_since = 715194045007ULL;
  const StoreResult r =
      s.client.store(*imap::SequenceSet::parse("7,9"), imap::StoreMode::Add, {"\\Deleted"}, so);
  CHECK(r.modified.to_string() == "9");
  CHECK(s.peer->finished());
}

TEST_CASE("IMAP CONDSTORE refused without the capability, before any byte", "[imap][condstore]") {
  Session s("", "");
  CHECK_THROWS_AS(s.client.select("INBOX", SelectOptions{false, true, std::nullopt}), Error);
  imap::StoreOptions so;
  so.unchanged_since = 1;
  CHECK_THROWS_AS(
      s.client.store(*imap::SequenceSet::parse("1"), imap::StoreMode::Add, {"\\Seen"}, so), Error);
  CHECK(s.peer->received().empty());
}

TEST_CASE("IMAP search: ESEARCH when offered, plain SEARCH otherwise, UTF-8 charset",
          "[imap][search]") {
  SECTION("ESEARCH") {
    Session s("ESEARCH", R"(
      C: A001 UID SEARCH RETURN (MIN MAX COUNT ALL) CHARSET UTF-8 UNSEEN FROM {5}
      S: + go on
      C: Jörg
      S: * ESEARCH (TAG "A001") UID MIN 2 MAX 9 COUNT 4 ALL 2,5:6,9
      S: A001 OK done
    )");
    const SearchResult r = s.client.search(
        imap::SearchKey::all_of({imap::SearchKey::unseen(), imap::SearchKey::from("Jörg")}));
    CHECK(r.numbers == std::vector<std::uint32_t>{2, 5, 6, 9});
    CHECK(r.min == 2u);
    CHECK(r.max == 9u);
    CHECK(r.count == 4);
    CHECK(s.peer->finished());
  }
  SECTION("plain SEARCH: min, max and count computed here") {
    Session s("", R"(
      C: A001 UID SEARCH CHARSET UTF-8 SUBJECT {7}
      S: + go on
      C: Grüße
      S: * SEARCH 9 3 5
      S: A001 OK done
    )");
    const SearchResult r = s.client.search(imap::SearchKey::subject("Grüße"));
    CHECK(r.numbers == std::vector<std::uint32_t>{3, 5, 9});
    CHECK(r.min == 3u);
    CHECK(r.max == 9u);
    CHECK(r.count == 3);
    CHECK(s.peer->finished());
  }
  SECTION("an ESEARCH ALL set larger than the limit is an error, not gigabytes") {
    Session s("ESEARCH", R"(
      C: A001 UID SEARCH RETURN (MIN MAX COUNT ALL) ALL
      S: * ESEARCH (TAG "A001") UID ALL 1:4000000000
      S: A001 OK done
    )");
    CHECK_THROWS_AS(s.client.search(imap::SearchKey::all()), Error);
  }
}

TEST_CASE("IMAP fetch_part: BINARY when offered, else decoded here", "[imap][fetch]") {
  SECTION("BINARY.PEEK: the server decodes") {
    Session s("BINARY", R"(
      C: A001 UID FETCH 7 (UID BINARY.PEEK[2])
      S~ * 1 FETCH (UID 7 BINARY[2] ~{5}\r\n%PDF\x00)\r\nA001 OK done\r\n
    )");
    std::string got;
    const auto n =
        s.client.fetch_part(7, "2", "base64", [&](std::string_view c) { got.append(c); });
    CHECK(got == std::string("%PDF\0", 5));
    CHECK(n == 5);
    CHECK(s.peer->finished());
  }
  SECTION("BODY.PEEK and base64 decoded on the fly") {
    Session s("", R"(
      C: A001 UID FETCH 7 (UID BODY.PEEK[2])
      S~ * 1 FETCH (UID 7 BODY[2] {14}\r\nJVBERgBB\r\nQkM=)\r\nA001 OK done\r\n
    )");
    std::string got;
    s.client.fetch_part(7, "2", "BASE64", [&](std::string_view c) { got.append(c); });
    CHECK(got == std::string("%PDF\0ABC", 8));
    CHECK(s.peer->finished());
  }
  SECTION("quoted-printable") {
    Session s("", R"(
      C: A001 UID FETCH 3 (UID BODY.PEEK[1])
      S~ * 1 FETCH (UID 3 BODY[1] {12}\r\nGr=C3=BC=\r\nn)\r\nA001 OK done\r\n
    )");
    std::string got;
    s.client.fetch_part(3, "1", "quoted-printable", [&](std::string_view c) { got.append(c); });
    CHECK(got == "Grün");
  }
  SECTION("a section that is not a part number is refused before any byte") {
    Session s("", "");
    CHECK_THROWS_AS(s.client.fetch_part(3, "1]<0.5> BODY[", "7bit", [](std::string_view) {}),
                    Error);
    CHECK(s.peer->received().empty());
  }
}

TEST_CASE("IMAP LIST-EXTENDED with SPECIAL-USE and LIST-STATUS, and LSUB", "[imap][list]") {
  Session s("LIST-EXTENDED LIST-STATUS SPECIAL-USE", R"(
    C: A001 LIST (SPECIAL-USE) "" ("*" "Arch*") RETURN (SUBSCRIBED STATUS (MESSAGES UNSEEN))
    S: * LIST (\Sent \Subscribed) "/" Sent
    S: * STATUS Sent (MESSAGES 12 UNSEEN 0)
    S: * LIST (\Archive) "/" Archive
    S: * STATUS Archive (MESSAGES 300 UNSEEN 2)
    S: A001 OK done
    C: A002 LSUB "" "*"
    S: * LSUB () "/" Sent
    S: A002 OK done
  )");
  ListOptions options;
  options.select = {"SPECIAL-USE"};
  options.return_options = {"SUBSCRIBED"};
  options.status_items = "MESSAGES UNSEEN";
  const auto entries = s.client.list_extended("", {"*", "Arch*"}, options);
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].mailbox.has("\\Sent"));
  REQUIRE(entries[1].status);
  CHECK(entries[1].status->messages == 300u);
  CHECK(entries[1].status->unseen == 2u);
  const auto subscribed = s.client.lsub();
  REQUIRE(subscribed.size() == 1);
  CHECK(subscribed[0].mailbox == "Sent");
  CHECK(s.peer->finished());
}

TEST_CASE("IMAP COPY with COPYUID, EXPUNGE, APPEND with a date", "[imap]") {
  Session s("UIDPLUS LITERAL+", R"(
    C: A001 UID COPY 4,7:8 Archive
    S: A001 OK [COPYUID 38505 4,7:8 3956:3958] done
    C: A002 EXPUNGE
    S: * 3 EXPUNGE
    S: * 3 EXPUNGE
    S: A002 OK done
    C~ A003 APPEND Archive (\Seen) " 7-Feb-2026 09:05:03 +0000" {3+}\r\nabc\r\n
    S: A003 OK [APPENDUID 38505 3959] done
  )");
  CHECK(s.client.uid_copy({4, 7, 8}, "Archive") == std::vector<std::uint32_t>{3956, 3957, 3958});
  CHECK(s.client.expunge() == std::vector<std::uint32_t>{3, 3});
  CHECK(s.client.append("Archive", "abc", {"\\Seen"}, 1770455103) == 3959u);
  CHECK(s.peer->finished());
}

TEST_CASE("IMAP EXPUNGE: VANISHED ranges are not expanded past max_search_results",
          "[imap][security]") {
  // Case 52 (Ruby net-imap CVE-2025-25186): each "* VANISHED 1:999999" is 20 bytes on the
  // wire and a million UIDs once expanded.
  SECTION("twenty ranges of a million: a limit error, not 80 MB") {
    std::string vanished;
    for (int i = 0; i < 20; ++i)
      vanished += "* VANISHED 1:999999\\r\\n";
    Session s("QRESYNC", "C: A001 EXPUNGE\nS~ " + vanished +
                             "A001 OK done\\r\\n\nC: A002 NOOP\nS: A002 OK done\n");
    const Error e = [&] {
      try {
        s.client.expunge();
      } catch (const Error& x) {
        return x;
      }
      return Error(Errc::io, "no error");
    }();
    CHECK(e.kind() == Errc::limit);
    CHECK(e.reason() == Reason::reply_too_large);
    CHECK_FALSE(e.is_fatal());  // the whole reply was read: the connection goes on
    s.client.noop();
    CHECK(s.peer->finished());
  }
  SECTION("the cap is the caller's: the total over all responses counts") {
    ImapOptions options = plain_options();
    options.max_search_results = 1000;
    auto peer = ScriptedPeer::parse(R"(
      S: * OK [CAPABILITY IMAP4rev1 QRESYNC] ready
      C: A001 EXPUNGE
      S: * VANISHED 1:600
      S: * VANISHED 601:1200
      S: A001 OK done
      C: A002 EXPUNGE
      S: * VANISHED 1:600
      S: * 3 EXPUNGE
      S: A002 OK done
    )");
    ImapClient client(options);
    client.connect(peer->transport(), "localhost");
    CHECK_THROWS_AS(client.expunge(), Error);
    CHECK(client.expunge().size() == 601);  // under the cap: every UID
    CHECK(peer->finished());
  }
}

TEST_CASE("IMAP COPYUID: a range wider than the request is not expanded", "[imap][security]") {
  // Case 52: [COPYUID 1 1:4294967295 1:4294967295] names four billion UIDs; the answer to a
  // copy of two messages can hold two at most, so the code is ignored.
  Session s("UIDPLUS", R"(
    C: A001 UID COPY 4,7 Archive
    S: A001 OK [COPYUID 1 1:4294967295 1:4294967295] done
  )");
  CHECK(s.client.uid_copy({4, 7}, "Archive").empty());
  CHECK(s.peer->finished());
}
