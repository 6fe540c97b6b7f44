// ImapClient rules that hold for a whole session: a call leaves the settings as it found them,
// and IMAP4rev2's implied extensions count everywhere the client looks for an extension.

#include "support/error_of.hpp"
#include "support/scripted_peer.hpp"

#include <mailwire/error.hpp>
#include <mailwire/imap_client.hpp>

#include <catch2/catch.hpp>

#include <chrono>

using namespace mailwire;
using namespace mailwire::test;

namespace {

ImapOptions plain_options() {
  ImapOptions options;
  options.security = Security::None;
  options.allow_plaintext_auth = true;
  options.timeout = std::chrono::seconds(42);
  return options;
}

}  // namespace

TEST_CASE("IMAP: logout() keeps the caller's timeout for the next connection", "[imap]") {
  auto first = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1] ready
    C: A001 LOGOUT
    S: * BYE bye
    S: A001 OK done
  )");
  ImapClient client(plain_options());
  client.connect(first->transport(), "localhost");
  client.logout();
  CHECK(first->finished());
  // LOGOUT waits at most 5 seconds, with a deadline of its own: the option is untouched.
  CHECK(client.options().timeout == std::chrono::seconds(42));

  auto second = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1] ready
    C: A002 NOOP
    S: A002 OK done
  )");
  client.connect(second->transport(), "localhost");
  client.noop();
  CHECK(second->finished());
  CHECK(client.options().timeout == std::chrono::seconds(42));
}

TEST_CASE("IMAP4rev2: MOVE, UIDPLUS and UNSELECT are implied by the capability", "[imap]") {
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev2] ready
    C: A001 SELECT INBOX
    S: * 2 EXISTS
    S: A001 OK [READ-WRITE] selected
    C: A002 UID MOVE 3:4 Archive
    S: A002 OK moved
    C: A003 UID EXPUNGE 5
    S: A003 OK expunged
    C: A004 UNSELECT
    S: A004 OK unselected
  )");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  CHECK(client.has_capability("MOVE"));
  CHECK(client.has_capability("uidplus"));
  CHECK_FALSE(client.capabilities().announced("MOVE"));
  client.select("INBOX");
  client.uid_move({3, 4}, "Archive");
  client.uid_expunge({5});
  client.unselect();
  CHECK(peer->finished());
}

TEST_CASE("IMAP4rev2: a capability the caller disabled stays off though implied", "[imap]") {
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev2] ready
    C: A001 SELECT INBOX
    S: A001 OK [READ-WRITE] selected
    C: A002 UID COPY 3 Archive
    S: A002 OK copied
    C: A003 UID STORE 3 +FLAGS.SILENT (\Deleted)
    S: A003 OK stored
    C: A004 UID EXPUNGE 3
    S: A004 OK expunged
  )");
  ImapOptions options = plain_options();
  options.disabled_capabilities = {"MOVE"};
  ImapClient client(options);
  client.connect(peer->transport(), "localhost");
  CHECK_FALSE(client.has_capability("MOVE"));
  CHECK(client.has_capability("UIDPLUS"));
  client.select("INBOX");
  client.uid_move({3}, "Archive");
  CHECK(peer->finished());
}
