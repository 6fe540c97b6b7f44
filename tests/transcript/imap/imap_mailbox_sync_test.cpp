// MailboxSync against scripted servers: the first run, then QRESYNC, CONDSTORE and plain
// reports of new, changed and vanished messages, a UIDVALIDITY change reported as a reset,
// a run stopped by its output step resumed without a change lost or repeated, and state
// files that are not ours.

#include "support/error_of.hpp"
#include "support/scripted_peer.hpp"

#include <mailwire/error.hpp>
#include <mailwire/imap_client.hpp>
#include <mailwire/imap_sync.hpp>

#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace mailwire;
using namespace mailwire::test;

namespace {

ImapOptions plain_options() {
  ImapOptions options;
  options.security = Security::None;
  return options;
}

// A state file path in a fresh directory, removed with this object.
struct TempState {
  std::string dir;
  std::string path;
  TempState() {
    char name[] = "/tmp/mailwire-sync-XXXXXX";
    REQUIRE(::mkdtemp(name) != nullptr);
    dir = name;
    path = dir + "/state";
  }
  ~TempState() {
    std::remove(path.c_str());
    std::remove((path + ".tmp").c_str());
    ::rmdir(dir.c_str());
  }
  TempState(const TempState&) = delete;
  TempState& operator=(const TempState&) = delete;
};

// The changes of one sync() against `script` (after a greeting with `capabilities`), as the
// CLI prints them.
std::vector<std::string> run_sync(const std::string& state, const std::string& capabilities,
                                  const std::string& script, MailboxSyncOptions options = {}) {
  auto peer =
      ScriptedPeer::parse("S: * OK [CAPABILITY IMAP4rev1 " + capabilities + "] ready\n" + script);
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  MailboxSync sync("INBOX", state);
  std::vector<std::string> lines;
  auto user = options.on_change;
  options.on_change = [&](const MailboxChange& c) {
    if (user) user(c);
    std::string line;
    switch (c.kind) {
      case MailboxChange::Kind::New:
        line = "new " + std::to_string(c.uid);
        break;
      case MailboxChange::Kind::Flags:
        line = "flags " + std::to_string(c.uid);
        for (const auto& f : c.flags)
          line += " " + f;
        break;
      case MailboxChange::Kind::Vanished:
        line = "vanished " + std::to_string(c.uid);
        break;
      case MailboxChange::Kind::Reset:
        line = "reset " + std::to_string(c.uid_validity);
        break;
    }
    lines.push_back(line);
  };
  try {
    sync.sync(client, options);
  } catch (...) {
    CHECK(peer->error().empty());
    throw;
  }
  CHECK(peer->finished());
  return lines;
}

const char* first_run_qresync = R"(
    C: A001 SELECT INBOX (CONDSTORE)
    S: * 3 EXISTS
    S: * OK [UIDVALIDITY 9] ok
    S: * OK [UIDNEXT 8] ok
    S: * OK [HIGHESTMODSEQ 100] ok
    S: A001 OK [READ-WRITE] done
    C: A002 UID FETCH 1:* (UID FLAGS)
    S: * 1 FETCH (UID 3 FLAGS (\Seen))
    S: * 2 FETCH (UID 5 FLAGS (\Recent))
    S: * 3 FETCH (UID 7 FLAGS (\Flagged \Seen))
    S: A002 OK done
)";

}  // namespace

TEST_CASE("MailboxSync: the first run reports every message as new, then QRESYNC the changes",
          "[imap][sync]") {
  TempState state;
  CHECK(run_sync(state.path, "CONDSTORE QRESYNC ENABLE", first_run_qresync) ==
        std::vector<std::string>{"new 3", "new 5", "new 7"});
  const MailboxSyncState s = MailboxSync::load_state(state.path);
  CHECK(s.uid_validity == 9);
  CHECK(s.uid_next == 8);
  CHECK(s.highest_modseq == 100);
  REQUIRE(s.uids.size() == 3);
  CHECK(s.uids.at(5).empty());  // \Recent is the session's, not the message's

  // Two new (8, 9), 5 flagged, 3 expunged.
  CHECK(run_sync(state.path, "CONDSTORE QRESYNC ENABLE", R"(
    C: A001 ENABLE QRESYNC
    S: * ENABLED QRESYNC
    S: A001 OK enabled
    C: A002 SELECT INBOX (QRESYNC (9 100 3,5,7))
    S: * 4 EXISTS
    S: * OK [UIDVALIDITY 9] ok
    S: * OK [UIDNEXT 10] ok
    S: * OK [HIGHESTMODSEQ 120] ok
    S: * VANISHED (EARLIER) 3
    S: * 1 FETCH (UID 5 FLAGS (\Flagged) MODSEQ (110))
    S: * 3 FETCH (UID 8 FLAGS () MODSEQ (111))
    S: A002 OK [READ-WRITE] done
    C: A003 UID FETCH 8:* (UID FLAGS)
    S: * 3 FETCH (UID 8 FLAGS ())
    S: * 4 FETCH (UID 9 FLAGS (\Seen))
    S: A003 OK done
  )") == std::vector<std::string>{"new 8", "new 9", "flags 5 \\Flagged", "vanished 3"});

  // Nothing changed: nothing reported.
  CHECK(run_sync(state.path, "CONDSTORE QRESYNC ENABLE", R"(
    C: A001 ENABLE QRESYNC
    S: * ENABLED QRESYNC
    S: A001 OK enabled
    C: A002 SELECT INBOX (QRESYNC (9 120 5,7:9))
    S: * 4 EXISTS
    S: * OK [UIDVALIDITY 9] ok
    S: * OK [UIDNEXT 10] ok
    S: * OK [HIGHESTMODSEQ 120] ok
    S: A002 OK [READ-WRITE] done
    C: A003 UID FETCH 10:* (UID FLAGS)
    S: * 4 FETCH (UID 9 FLAGS (\Seen))
    S: A003 OK done
  )")
            .empty());

  // The mailbox was recreated: a reset, then every message is new.
  CHECK(run_sync(state.path, "CONDSTORE QRESYNC ENABLE", R"(
    C: A001 ENABLE QRESYNC
    S: * ENABLED QRESYNC
    S: A001 OK enabled
    C: A002 SELECT INBOX (QRESYNC (9 120 5,7:9))
    S: * 1 EXISTS
    S: * OK [UIDVALIDITY 12] ok
    S: * OK [UIDNEXT 2] ok
    S: * OK [HIGHESTMODSEQ 3] ok
    S: A002 OK [READ-WRITE] done
    C: A003 UID FETCH 1:* (UID FLAGS)
    S: * 1 FETCH (UID 1 FLAGS ())
    S: A003 OK done
  )") == std::vector<std::string>{"reset 12", "new 1"});
  CHECK(MailboxSync::load_state(state.path).uids.size() == 1);
}

TEST_CASE("MailboxSync: with CONDSTORE only, CHANGEDSINCE and UID SEARCH find the changes",
          "[imap][sync]") {
  TempState state;
  CHECK(run_sync(state.path, "CONDSTORE", first_run_qresync).size() == 3);
  CHECK(run_sync(state.path, "CONDSTORE", R"(
    C: A001 SELECT INBOX (CONDSTORE)
    S: * 3 EXISTS
    S: * OK [UIDVALIDITY 9] ok
    S: * OK [UIDNEXT 9] ok
    S: * OK [HIGHESTMODSEQ 120] ok
    S: A001 OK [READ-WRITE] done
    C: A002 UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE 100)
    S: * 1 FETCH (UID 5 FLAGS (\Answered) MODSEQ (110))
    S: * 3 FETCH (UID 8 FLAGS () MODSEQ (111))
    S: A002 OK done
    C: A003 UID SEARCH ALL
    S: * SEARCH 5 7 8
    S: A003 OK done
    C: A004 UID FETCH 8:* (UID FLAGS)
    S: * 3 FETCH (UID 8 FLAGS ())
    S: A004 OK done
  )") == std::vector<std::string>{"new 8", "flags 5 \\Answered", "vanished 3"});
}

TEST_CASE("MailboxSync: without CONDSTORE every UID and its flags are compared", "[imap][sync]") {
  TempState state;
  const char* first = R"(
    C: A001 SELECT INBOX
    S: * 2 EXISTS
    S: * OK [UIDVALIDITY 4] ok
    S: * OK [UIDNEXT 3] ok
    S: A001 OK [READ-WRITE] done
    C: A002 UID FETCH 1:* (UID FLAGS)
    S: * 1 FETCH (UID 1 FLAGS ())
    S: * 2 FETCH (UID 2 FLAGS ())
    S: A002 OK done
  )";
  CHECK(run_sync(state.path, "", first) == std::vector<std::string>{"new 1", "new 2"});
  CHECK(MailboxSync::load_state(state.path).highest_modseq == 0);
  CHECK(run_sync(state.path, "", R"(
    C: A001 SELECT INBOX
    S: * 2 EXISTS
    S: * OK [UIDVALIDITY 4] ok
    S: * OK [UIDNEXT 4] ok
    S: A001 OK [READ-WRITE] done
    C: A002 UID FETCH 1:* (UID FLAGS)
    S: * 1 FETCH (UID 2 FLAGS ($Label \Seen))
    S: * 2 FETCH (UID 3 FLAGS ())
    S: A002 OK done
  )") == std::vector<std::string>{"new 3", "flags 2 $Label \\Seen", "vanished 1"});
}

TEST_CASE("MailboxSync: a run stopped by its output step is resumed, nothing lost or repeated",
          "[imap][sync]") {
  TempState state;
  const char* script = R"(
    C: A001 SELECT INBOX
    S: * 3 EXISTS
    S: * OK [UIDVALIDITY 4] ok
    S: * OK [UIDNEXT 4] ok
    S: A001 OK [READ-WRITE] done
    C: A002 UID FETCH 1:* (UID FLAGS)
    S: * 1 FETCH (UID 1 FLAGS ())
    S: * 2 FETCH (UID 2 FLAGS ())
    S: * 3 FETCH (UID 3 FLAGS ())
    S: A002 OK done
  )";
  MailboxSyncOptions failing;
  failing.on_change = [](const MailboxChange& c) {
    if (c.uid == 2) throw Error(Errc::io, "disk full");
  };
  std::vector<std::string> seen;
  try {
    run_sync(state.path, "", script, failing);
    FAIL("the output step's error was not thrown");
  } catch (const Error& e) {
    CHECK(e.code() == make_error_code(Errc::io));
  }
  const MailboxSyncState s = MailboxSync::load_state(state.path);
  CHECK(s.uids.size() == 1);  // 1 recorded; 2 was not taken
  CHECK(s.uid_next == 0);     // moves only when a run completes
  CHECK(run_sync(state.path, "", script) == std::vector<std::string>{"new 2", "new 3"});
  CHECK(MailboxSync::load_state(state.path).uid_next == 4);
}

TEST_CASE("MailboxSync: a record cut by a crash is ignored, a foreign file is refused",
          "[imap][sync]") {
  TempState state;
  {
    std::ofstream f(state.path, std::ios::binary);
    f << "mailwire-imap-sync 1\nmailbox INBOX\nuidvalidity 4\nuidnext 3\nmodseq 0\nm 1\nm 2 "
         "\\Seen\nm 3 \\Fla";
  }
  const MailboxSyncState s = MailboxSync::load_state(state.path);
  CHECK(s.uids.size() == 2);
  CHECK(s.uids.at(2) == std::vector<std::string>{"\\Seen"});
  {
    std::ofstream f(state.path, std::ios::binary);
    f << "# some other program's file\n";
  }
  CHECK(error_of([&] { MailboxSync::load_state(state.path); }).code() == Errc::protocol);
  {
    std::ofstream f(state.path, std::ios::binary);
    f << "mailwire-imap-sync 1\nmailbox Archive\nuidvalidity 4\n";
  }
  auto peer = ScriptedPeer::parse("S: * OK [CAPABILITY IMAP4rev1] ready\n");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  MailboxSync sync("INBOX", state.path);
  CHECK(error_of([&] { sync.sync(client); }).code() == Errc::usage);
}
