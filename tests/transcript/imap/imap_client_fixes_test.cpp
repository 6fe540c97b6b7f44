// ImapClient fixes found by the scripting trial: select() returns a snapshot (not the live
// state later commands change), uid_move creates a missing target on TRYCREATE when asked,
// and find_special_use() finds the archive.

#include "support/error_of.hpp"
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
  return options;
}

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

TEST_CASE("IMAP select returns a snapshot that later commands leave alone", "[imap][select]") {
  Session s("", R"(
    C: A001 SELECT INBOX
    S: * 5 EXISTS
    S: * OK [UIDVALIDITY 7] ok
    S: A001 OK [READ-WRITE] done
    C: A002 NOOP
    S: * 6 EXISTS
    S: A002 OK done
  )");
  const auto& info = s.client.select("INBOX");
  s.client.noop();
  CHECK(info.exists == 5);                // what SELECT said
  CHECK(s.client.mailbox().exists == 6);  // the live state
  CHECK(s.peer->finished());
}

TEST_CASE("IMAP uid_move creates a missing target on TRYCREATE when asked", "[imap][move]") {
  Session s("MOVE", R"(
    C: A001 SELECT INBOX
    S: * 2 EXISTS
    S: A001 OK [READ-WRITE] done
    C: A002 UID MOVE 3 Archive/2026
    S: A002 NO [TRYCREATE] no such mailbox
    C: A003 CREATE Archive/2026
    S: A003 OK created
    C: A004 UID MOVE 3 Archive/2026
    S: * OK [COPYUID 9 3 1] moved
    S: * 1 EXPUNGE
    S: A004 OK done
    C: A005 UID MOVE 4 Nowhere
    S: A005 NO [TRYCREATE] no such mailbox
  )");
  s.client.select("INBOX");
  s.client.uid_move({3}, "Archive/2026", true);
  // Without the option the refusal is the caller's.
  const Error e = error_of([&] { s.client.uid_move({4}, "Nowhere"); });
  CHECK(e.code() == Errc::rejected);
  CHECK(e.diagnostics().response_code == "TRYCREATE");
  CHECK(s.peer->finished());
}

TEST_CASE("IMAP uid_move does not create on a refusal other than TRYCREATE", "[imap][move]") {
  Session s("MOVE", R"(
    C: A001 UID MOVE 3 Archive
    S: A001 NO [OVERQUOTA] full
  )");
  const Error e = error_of([&] { s.client.uid_move({3}, "Archive", true); });
  CHECK(e.diagnostics().response_code == "OVERQUOTA");
  CHECK(s.peer->finished());
}

TEST_CASE("IMAP find_special_use finds the archive, or says there is none", "[imap][list]") {
  Session s("LIST-EXTENDED SPECIAL-USE", R"(
    C: A001 LIST "" "*" RETURN (SPECIAL-USE)
    S: * LIST (\HasNoChildren) "/" INBOX
    S: * LIST (\HasNoChildren \Sent) "/" Sent
    S: * LIST (\HasNoChildren \Archive) "/" "Old mail"
    S: A001 OK done
    C: A002 LIST "" "*" RETURN (SPECIAL-USE)
    S: * LIST (\HasNoChildren) "/" INBOX
    S: A002 OK done
  )");
  CHECK(s.client.find_special_use("\\archive") == std::optional<std::string>("Old mail"));
  CHECK_FALSE(s.client.find_special_use("\\Archive").has_value());
  CHECK(s.peer->finished());
}

TEST_CASE("IMAP find_special_use without SPECIAL-USE reads a plain LIST", "[imap][list]") {
  Session s("", R"(
    C: A001 LIST "" "*"
    S: * LIST (\Junk) "/" Spam
    S: A001 OK done
  )");
  CHECK(s.client.find_special_use("\\Junk") == std::optional<std::string>("Spam"));
  CHECK(s.peer->finished());
}

TEST_CASE("IMAP uid_search, uid_fetch and uid_store send UID commands", "[imap][uid]") {
  Session s("CONDSTORE", R"(
    C: A001 UID SEARCH UNSEEN
    S: * SEARCH 4 9
    S: A001 OK done
    C: A002 UID FETCH 4,9 (UID FLAGS)
    S: * 1 FETCH (UID 4 FLAGS ())
    S: * 2 FETCH (UID 9 FLAGS ())
    S: A002 OK done
    C: A003 UID STORE 9 +FLAGS (\Seen)
    S: * 2 FETCH (UID 9 FLAGS (\Seen))
    S: A003 OK done
  )");
  const SearchResult found = s.client.uid_search(imap::SearchKey::unseen());
  CHECK(found.numbers == std::vector<std::uint32_t>{4, 9});
  std::vector<std::uint32_t> fetched;
  s.client.uid_fetch(imap::SequenceSet::from_numbers(found.numbers),
                     {imap::FetchItem::uid(), imap::FetchItem::flags()}, {},
                     [&](const imap::FetchData& f) { fetched.push_back(f.uid.value_or(0)); });
  CHECK(fetched == found.numbers);
  const StoreResult stored =
      s.client.uid_store(imap::SequenceSet().add(9), imap::StoreMode::Add, {"\\Seen"});
  REQUIRE(stored.updated.size() == 1);
  CHECK(stored.updated[0].uid == 9u);
  CHECK(s.peer->finished());
}
