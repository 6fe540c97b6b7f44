// ImapClient against scripted servers: STARTTLS policy, tags, literals, hostile replies.

#include "support/error_of.hpp"
#include "support/scripted_peer.hpp"
#include "support/test_pki.hpp"

#include <mailwire/error.hpp>
#include <mailwire/imap/fetch_data.hpp>
#include <mailwire/imap_client.hpp>

#include <catch2/catch.hpp>

#include <vector>

using namespace mailwire;
using namespace mailwire::test;

namespace {

ImapOptions tls_options() {
  ImapOptions options;  // Auto over a given transport: STARTTLS required
  options.tls.ca_file = TestPki::get().ca_file;
  return options;
}

ImapOptions plain_options() {
  ImapOptions options;
  options.security = Security::None;
  options.allow_plaintext_auth = true;
  return options;
}

}  // namespace

TEST_CASE("IMAP: STARTTLS, capabilities asked again, LOGIN, SELECT", "[imap]") {
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED AUTH=X-BEFORE-TLS] ready
    C: A001 STARTTLS
    S: A001 OK Begin TLS negotiation now
    !starttls
    C: A002 CAPABILITY
    S: * CAPABILITY IMAP4rev1 LITERAL+
    S: A002 OK done
    C: A003 LOGIN alice "sec ret"
    S: A003 OK [CAPABILITY IMAP4rev1 LITERAL+ MOVE] logged in
    C: A004 SELECT INBOX
    S: * 3 EXISTS
    S: * OK [UIDVALIDITY 42] ok
    S: * OK [UIDNEXT 7] ok
    S: A004 OK [READ-WRITE] selected
  )");
  ImapClient client(tls_options());
  client.connect(peer->transport(), "localhost");
  CHECK(client.is_encrypted());
  // Pre-TLS capabilities (LOGINDISABLED, the fake mechanism) are forgotten.
  CHECK_FALSE(client.has_capability("LOGINDISABLED"));
  CHECK(client.capabilities().auth_mechanisms().empty());
  client.login("alice", "sec ret");
  CHECK(client.has_capability("MOVE"));
  const MailboxInfo& box = client.select("INBOX");
  CHECK(box.exists == 3);
  CHECK(box.uid_validity == 42);
  CHECK(box.uid_next == 7);
  CHECK(peer->finished());
}

TEST_CASE("IMAP: STARTTLS policy and response injection", "[imap][security]") {
  SECTION("tagged OK with injected responses in the same segment") {
    auto peer = ScriptedPeer::make();
    peer->send("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready")
        .expect("A001 STARTTLS")
        .send_raw("A001 OK go\r\nA002 OK LOGIN completed\r\n");
    ImapClient client(tls_options());
    CHECK(error_of([&] { client.connect(peer->transport(), "localhost"); }).kind() ==
          Errc::protocol);
    CHECK_FALSE(peer->tls_established());
  }
  SECTION("PREAUTH while TLS is required") {
    auto peer = ScriptedPeer::parse("S: * PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] welcome\n");
    ImapClient client(tls_options());
    CHECK(error_of([&] { client.connect(peer->transport(), "localhost"); }).kind() == Errc::tls);
    CHECK(peer->received().empty());
  }
  SECTION("STARTTLS not offered") {
    auto peer = ScriptedPeer::parse("S: * OK [CAPABILITY IMAP4rev1] ready\n");
    ImapClient client(tls_options());
    CHECK(error_of([&] { client.connect(peer->transport(), "localhost"); }).kind() == Errc::tls);
  }
  SECTION("CAPABILITY answered with BAD: TLS still required") {
    auto peer = ScriptedPeer::parse("S: * OK ready\nC: A001 CAPABILITY\nS: A001 BAD what\n");
    ImapClient client(tls_options());
    CHECK(error_of([&] { client.connect(peer->transport(), "localhost"); }).kind() ==
          Errc::protocol);
    CHECK(peer->received() == "A001 CAPABILITY\r\n");
  }
  SECTION("STARTTLS refused") {
    auto peer = ScriptedPeer::parse(
        "S: * OK [CAPABILITY IMAP4rev1 STARTTLS] ready\nC: A001 STARTTLS\nS: A001 NO not today\n");
    ImapClient client(tls_options());
    CHECK(error_of([&] { client.connect(peer->transport(), "localhost"); }).kind() == Errc::tls);
  }
}

TEST_CASE("IMAP: untagged data sent with the STARTTLS go-ahead is forgotten, never reported",
          "[imap][security]") {
  // Case 11 (Alpine CVE-2021-38370, Trojita CVE-2021-38372, Thunderbird CVE-2021-29969): in
  // plaintext, before the tagged OK of STARTTLS, a forged folder, message count and ALERT.
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1 STARTTLS] ready
    C: A001 STARTTLS
    S~ * LIST () "/" Phish\r\n* 7 EXISTS\r\n* 3 RECENT\r\n* OK [ALERT] Password expired: visit http://x\r\nA001 OK go\r\n
    !starttls
    C: A002 CAPABILITY
    S: * CAPABILITY IMAP4rev1
    S: A002 OK done
  )");
  ImapClient client(tls_options());
  std::vector<MailboxEvent> events;
  client.on_mailbox_event([&](const MailboxEvent& e) { events.push_back(e); });
  client.connect(peer->transport(), "localhost");
  CHECK(client.is_encrypted());
  CHECK(client.mailbox().exists == 0);
  CHECK(client.mailbox().recent == 0);
  CHECK(events.empty());
  CHECK(peer->finished());
}

TEST_CASE("IMAP: a tagged response for a command never sent is a protocol error",
          "[imap][security]") {
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1] ready
    C: A001 NOOP
    S: A999 OK not yours
  )");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  const Error e = error_of([&] { client.noop(); });
  CHECK(e.kind() == Errc::protocol);
  CHECK_THAT(e.what(), Catch::Contains("A999"));
}

TEST_CASE("IMAP: the tag of a command already completed is a protocol error, not the result",
          "[imap][security]") {
  // Case 14 (async-imap PR #141): a stale "A001 NO" while A002 LOGIN is outstanding must not
  // be taken as the LOGIN result.
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1] ready
    C: A001 NOOP
    S: A001 OK done
    C: A002 LOGIN alice secret
    S: A001 NO stale
  )");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  client.noop();
  const Error e = error_of([&] { client.login("alice", "secret"); });
  CHECK(e.kind() == Errc::protocol);
  CHECK(e.is_fatal());
  CHECK_THAT(e.what(), Catch::Contains("A001"));
}

TEST_CASE("IMAP: APPEND refused before the literal: its bytes are never sent", "[imap][security]") {
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1] ready
    C: A001 APPEND INBOX {11}
    S: A001 NO [OVERQUOTA] mailbox full
    C: A002 NOOP
    S: A002 OK
  )");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  const Error e = error_of([&] { client.append("INBOX", "Subject: x\n"); });
  CHECK(e.kind() == Errc::rejected);
  CHECK(e.diagnostics().response_code == "OVERQUOTA");
  CHECK(peer->received().find("Subject") == std::string::npos);
  client.noop();
  CHECK(peer->finished());
}

TEST_CASE("IMAP: credentials and caller strings", "[imap][security]") {
  auto peer = ScriptedPeer::parse("S: * OK [CAPABILITY IMAP4rev1] ready\n");
  ImapOptions options = plain_options();
  options.allow_plaintext_auth = false;
  ImapClient client(options);
  client.connect(peer->transport(), "localhost");
  CHECK(error_of([&] { client.login("alice", "secret"); }).kind() == Errc::usage);
  CHECK(error_of([&] { client.select("INBOX\r\nA2 DELETE INBOX"); }).kind() == Errc::usage);
  CHECK(peer->received().empty());
}

TEST_CASE("IMAP: raw strings for fetch, status and search are checked before any byte",
          "[imap][security]") {
  // Case 30: a literal announced inside a caller string would make the server wait for bytes
  // that never come; unbalanced parentheses change what the rest of the command means.
  auto peer = ScriptedPeer::parse("S: * OK [CAPABILITY IMAP4rev1 LITERAL+] ready\n");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  CHECK(error_of([&] { client.uid_fetch({1}, "(FLAGS {5+}"); }).kind() == Errc::usage);
  CHECK(error_of([&] { client.fetch("1:*", "FLAGS) (UID", false, {}, {}); }).kind() == Errc::usage);
  CHECK(error_of([&] { client.status("INBOX", "MESSAGES) (UNSEEN"); }).kind() == Errc::usage);
  CHECK(error_of([&] { client.uid_search("SUBJECT {3+}", {}); }).kind() == Errc::usage);
  CHECK(peer->received().empty());
}

TEST_CASE("IMAP: hostile replies", "[imap][security]") {
  SECTION("absurd literal size") {
    auto peer = ScriptedPeer::parse(
        "S: * OK [CAPABILITY IMAP4rev1] ready\nC: A001 NOOP\nS: * 1 FETCH (BODY[] "
        "{18446744073709551615}\n");
    ImapClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    CHECK(error_of([&] { client.noop(); }).kind() == Errc::limit);
  }
  SECTION("a greeting that is not IMAP") {
    auto peer = ScriptedPeer::parse("S: +OK pop3 here\n");
    ImapClient client(plain_options());
    CHECK(error_of([&] { client.connect(peer->transport(), "localhost"); }).kind() ==
          Errc::protocol);
  }
  SECTION("the connection ends in the middle of a literal") {
    auto peer = ScriptedPeer::parse(
        "S: * OK [CAPABILITY IMAP4rev1] ready\nC: A001 UID FETCH 5 (UID BODY.PEEK[])\n"
        "S~ * 1 FETCH (UID 5 BODY[] {100}\\r\\nonly a few bytes\n!close\n");
    ImapClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    std::string got;
    CHECK(error_of([&] {
            client.fetch_section(5, "", [&](std::string_view c) { got.append(c); });
          }).kind() == Errc::connect);
  }
  SECTION("an endless line is a limit error, not unbounded memory") {
    auto peer = ScriptedPeer::parse("S: * OK [CAPABILITY IMAP4rev1] ready\nC: A001 NOOP\n");
    for (int i = 0; i < 100; ++i)
      peer->send_raw("* OK " + std::string(8192, 'x'));
    ImapOptions options = plain_options();
    options.max_line = 64 * 1024;
    ImapClient client(options);
    client.connect(peer->transport(), "localhost");
    CHECK(error_of([&] { client.noop(); }).kind() == Errc::limit);
  }
  SECTION("BYE greeting") {
    auto peer = ScriptedPeer::parse("S: * BYE [UNAVAILABLE] overloaded\n");
    ImapClient client(plain_options());
    CHECK(error_of([&] { client.connect(peer->transport(), "localhost"); }).kind() ==
          Errc::rejected);
  }
}

TEST_CASE("IMAP IDLE: events until the caller stops, then DONE", "[imap]") {
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1 IDLE] ready
    C: A001 IDLE
    S: + idling
    S: * 4 EXISTS
    S: * 2 EXPUNGE
    C: DONE
    S: A001 OK IDLE terminated
  )");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  std::vector<ImapClient::IdleEvent> seen;
  const std::size_t n = client.idle(std::chrono::seconds(30), [&](const ImapClient::IdleEvent& e) {
    seen.push_back(e);
    return seen.size() < 2;  // stop after two events
  });
  CHECK(n == 2);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].kind == ImapClient::IdleEvent::Kind::Exists);
  CHECK(seen[0].number == 4);
  CHECK(seen[1].kind == ImapClient::IdleEvent::Kind::Expunge);
  CHECK(peer->finished());
}

TEST_CASE("IMAP IDLE: the wait ends with DONE when nothing happens", "[imap]") {
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1 IDLE] ready
    C: A001 IDLE
    S: + idling
    !stall
    C: DONE
    S: A001 OK done
  )");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  CHECK(client.idle(std::chrono::milliseconds(100), {}) == 0);
  CHECK(peer->finished());
}

// Cyrus IMAP 3.6 reports a change that happened during IDLE only after the client's DONE,
// before its tagged OK (RFC 2177 allows it): the exact sequence it sent.
TEST_CASE("IMAP IDLE: Cyrus reports the new message after DONE", "[imap]") {
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1 IDLE] server ready
    C: A001 IDLE
    S: + idling
    !stall
    C: DONE
    S: * 3 EXISTS
    S: * 1 RECENT
    S: A001 OK Completed
  )");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  std::vector<ImapClient::IdleEvent> seen;
  const std::size_t n = client.idle(std::chrono::seconds(30), [&](const ImapClient::IdleEvent& e) {
    seen.push_back(e);
    return false;  // one is enough, as for `mailwire imap idle`
  });
  CHECK(n == 1);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].kind == ImapClient::IdleEvent::Kind::Exists);
  CHECK(seen[0].number == 3);
  CHECK(peer->finished());
}

TEST_CASE("IMAP IDLE: each kind of change after DONE is reported", "[imap]") {
  using K = ImapClient::IdleEvent::Kind;
  struct Case {
    const char* line;
    K kind;
    std::uint32_t number;
  };
  const Case cases[] = {
      {"* 7 EXISTS", K::Exists, 7},
      {"* 2 EXPUNGE", K::Expunge, 2},
      {"* 4 FETCH (FLAGS (\\\\Seen \\\\Flagged))", K::Flags, 4},
  };
  for (const Case& c : cases) {
    CAPTURE(c.line);
    auto peer = ScriptedPeer::parse(std::string(R"(
      S: * OK [CAPABILITY IMAP4rev1 IDLE] ready
      C: A001 IDLE
      S: + idling
      !stall
      C: DONE
      S: )") + c.line + R"(
      S: A001 OK IDLE terminated
    )");
    ImapClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    std::vector<ImapClient::IdleEvent> seen;
    CHECK(client.idle(std::chrono::seconds(30), [&](const ImapClient::IdleEvent& e) {
      seen.push_back(e);
      return true;
    }) == 1);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].kind == c.kind);
    CHECK(seen[0].number == c.number);
    CHECK(peer->finished());
  }
}

TEST_CASE("IMAP IDLE: a change told before the go-ahead is reported", "[imap]") {
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1 IDLE] ready
    C: A001 IDLE
    S: * 2 EXISTS
    S: + idling
    !stall
    C: DONE
    S: A001 OK IDLE terminated
  )");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  std::vector<ImapClient::IdleEvent> seen;
  CHECK(client.idle(std::chrono::seconds(30), [&](const ImapClient::IdleEvent& e) {
    seen.push_back(e);
    return true;
  }) == 1);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].kind == ImapClient::IdleEvent::Kind::Exists);
  CHECK(seen[0].number == 2);
  CHECK(peer->finished());
}

TEST_CASE("IMAP IDLE: after the caller has enough, later changes are not reported", "[imap]") {
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1 IDLE] ready
    C: A001 IDLE
    S: + idling
    S: * 4 EXISTS
    C: DONE
    S: * 5 EXISTS
    S: A001 OK IDLE terminated
  )");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  std::vector<ImapClient::IdleEvent> seen;
  CHECK(client.idle(std::chrono::seconds(30), [&](const ImapClient::IdleEvent& e) {
    seen.push_back(e);
    return false;
  }) == 1);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].number == 4);
  CHECK(peer->finished());
}

TEST_CASE("IMAP IDLE: an untagged OK keep-alive is no event", "[imap]") {
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1 IDLE] ready
    C: A001 IDLE
    S: + idling
    S: * OK Still here
    !stall
    C: DONE
    S: A001 OK IDLE terminated
  )");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  std::size_t calls = 0;
  CHECK(client.idle(std::chrono::seconds(30), [&](const ImapClient::IdleEvent&) {
    ++calls;
    return false;
  }) == 0);
  CHECK(calls == 0);
  CHECK(peer->finished());
}

TEST_CASE("IMAP fetch: several bodies streamed to the sink in order", "[imap]") {
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1] ready
    C: A001 FETCH 1:2 (BODY.PEEK[])
    S~ * 1 FETCH (BODY[] {5}\r\nfirst)\r\n* 2 FETCH (BODY[] {6}\r\nsecond)\r\n
    S: A001 OK done
  )");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  std::string bodies;
  std::vector<std::uint32_t> seqs;
  client.fetch(
      "1:2", "(BODY.PEEK[])", false,
      [&](const imap::FetchData& f) {
        seqs.push_back(f.seq);
        REQUIRE(f.sections.size() == 1);
        CHECK(f.sections[0].streamed);
        CHECK(f.sections[0].data.empty());
      },
      [&](std::string_view chunk) { bodies.append(chunk); });
  CHECK(bodies == "firstsecond");
  CHECK(seqs == std::vector<std::uint32_t>{1, 2});
  CHECK_THROWS_AS(client.fetch("1:x", "(FLAGS)", false, {}), Error);
  CHECK(peer->finished());
}

TEST_CASE("IMAP AUTHENTICATE: hostile challenges end in a clean failure",
          "[imap][sasl][security]") {
  const std::string start = R"(
    S: * OK [CAPABILITY IMAP4rev1 AUTH=CRAM-MD5] ready
    C: A001 AUTHENTICATE CRAM-MD5
  )";
  SECTION("not base64: cancelled with *") {
    auto peer = ScriptedPeer::parse(start + "S: + !!!not base64!!!\nC: *\nS: A001 BAD cancelled\n");
    ImapClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    const Error e = error_of([&] { client.login("alice", "secret"); });
    CHECK(e.kind() == Errc::auth);
    CHECK_THAT(e.what(), Catch::Contains("not base64"));
    CHECK(peer->finished());
    CHECK(peer->received().find("secret") == std::string::npos);
  }
  SECTION("an empty challenge where CRAM-MD5 needs one: cancelled") {
    auto peer = ScriptedPeer::parse(start + "S: +\nC: *\nS: A001 BAD cancelled\n");
    ImapClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    CHECK(error_of([&] { client.login("alice", "secret"); }).kind() == Errc::auth);
    CHECK(peer->finished());
  }
  SECTION("a challenge of megabytes is a limit error") {
    auto peer = ScriptedPeer::parse(start);
    peer->send_raw("+ ");
    for (int i = 0; i < 64; ++i)
      peer->send_raw(std::string(16384, 'A'));
    ImapClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    CHECK(error_of([&] { client.login("alice", "secret"); }).kind() == Errc::limit);
    CHECK(peer->received() == "A001 AUTHENTICATE CRAM-MD5\r\n");
  }
  SECTION("a challenge after the exchange is over: cancelled, not answered") {
    auto peer = ScriptedPeer::parse(R"(
      S: * OK [CAPABILITY IMAP4rev1 AUTH=LOGIN] ready
      C: A001 AUTHENTICATE LOGIN
      S: + VXNlcm5hbWU6
      C: YWxpY2U=
      S: + UGFzc3dvcmQ6
      C: c2VjcmV0
      S: + UGFzc3dvcmQ6
      C: *
      S: A001 BAD cancelled
    )");
    ImapClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    CHECK(error_of([&] { client.login("alice", "secret"); }).kind() == Errc::auth);
    CHECK(peer->finished());
  }
}

TEST_CASE("IMAP: a connected client can be moved and goes on", "[imap]") {
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1] ready
    C: A001 SELECT INBOX
    S: * 4 EXISTS
    S: A001 OK [READ-WRITE] done
    C: A002 NOOP
    S: * 5 EXISTS
    S: A002 OK done
  )");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  ImapClient moved(std::move(client));
  CHECK(moved.select("INBOX").exists == 4);
  ImapClient assigned(plain_options());
  assigned = std::move(moved);
  assigned.noop();
  // The untagged EXISTS updated the state of the client that now owns the session.
  CHECK(assigned.mailbox().exists == 5);
  CHECK(peer->finished());
}

TEST_CASE("IMAP: the response limits are the caller's to set", "[imap][security]") {
  std::string deep = "* 1 FETCH (BODYSTRUCTURE ";
  for (int i = 0; i < 20; ++i)
    deep += '(';
  auto peer = ScriptedPeer::parse("S: * OK [CAPABILITY IMAP4rev1] ready\nC: A001 NOOP\n");
  peer->send(deep);
  ImapOptions options = plain_options();
  options.max_depth = 10;  // the default (64) would let 20 levels through to the parser
  ImapClient client(options);
  client.connect(peer->transport(), "localhost");
  CHECK(error_of([&] { client.noop(); }).kind() == Errc::limit);
}
