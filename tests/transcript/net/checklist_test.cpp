// More of the security checklist (tests/security/COVERAGE.md) against scripted servers: a
// greeting that is not the protocol while TLS is required, LITERAL+ offered only before TLS,
// opportunistic STARTTLS that is not offered, a search literal answered with NO, and server
// strings that are not inert.

#include "support/error_of.hpp"
#include "support/scripted_peer.hpp"
#include "support/test_pki.hpp"

#include <mailwire/error.hpp>
#include <mailwire/imap_client.hpp>
#include <mailwire/pop3_client.hpp>
#include <mailwire/smtp_client.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace mailwire;
using namespace mailwire::test;

namespace {

template <class Options>
Options with_security(Security security) {
  Options options;
  options.security = security;
  options.tls.ca_file = TestPki::get().ca_file;
  return options;
}

SmtpOptions smtp_options(Security security) {
  SmtpOptions options = with_security<SmtpOptions>(security);
  options.helo_name = "client.example";
  return options;
}

}  // namespace

TEST_CASE("A greeting that is not the protocol, TLS required: an error, nothing sent",
          "[smtp][imap][pop3][security]") {
  // Case 10 (Mutt CVE-2020-28896): the TLS policy holds whatever the greeting says.
  std::shared_ptr<ScriptedPeer> peer;
  Error e(Errc::io, "none");
  SECTION("imap: not IMAP") {
    peer = ScriptedPeer::parse("S: HELLO\n");
    ImapClient client(with_security<ImapOptions>(Security::StartTls));
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
  }
  SECTION("imap: closed at once") {
    peer = ScriptedPeer::parse("!close\n");
    ImapClient client(with_security<ImapOptions>(Security::StartTls));
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
  }
  SECTION("smtp: no such code") {
    peer = ScriptedPeer::parse("S: 999 x\n");
    SmtpClient client(smtp_options(Security::StartTls));
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
  }
  SECTION("pop3: an empty line") {
    peer = ScriptedPeer::parse("S: \n");
    Pop3Client client(with_security<Pop3Options>(Security::StartTls));
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
  }
  CHECK(e.kind() != Errc::io);
  CHECK(e.is_fatal());
  CHECK(peer->received().empty());
}

TEST_CASE("IMAP: LITERAL+ offered only before TLS: literals wait for the continuation",
          "[imap][security]") {
  // Case 12: literal forms follow the capabilities asked again after TLS.
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1 STARTTLS LITERAL+] ready
    C: A001 STARTTLS
    S: A001 OK go
    !starttls
    C: A002 CAPABILITY
    S: * CAPABILITY IMAP4rev1
    S: A002 OK done
    C: A003 APPEND INBOX {3}
    S: + go ahead
    C: abc
    S: A003 OK done
  )");
  ImapClient client(with_security<ImapOptions>(Security::StartTls));
  client.connect(peer->transport(), "localhost");
  CHECK_FALSE(client.has_capability("LITERAL+"));
  client.append("INBOX", "abc");
  CHECK(peer->finished());
}

TEST_CASE("Opportunistic STARTTLS not offered: the API says plaintext",
          "[smtp][imap][pop3][security]") {
  // Case 20 (KMail CVE-2020-15954): is_encrypted() and tls_info() come from the connection.
  SECTION("smtp") {
    auto peer = ScriptedPeer::parse("S: 220 mx\nC: EHLO client.example\nS: 250 mx\n");
    SmtpClient client(smtp_options(Security::StartTlsIfAvailable));
    client.connect(peer->transport(), "localhost");
    CHECK_FALSE(client.is_encrypted());
    CHECK_FALSE(client.tls_info());
  }
  SECTION("imap") {
    auto peer = ScriptedPeer::parse("S: * OK [CAPABILITY IMAP4rev1] ready\n");
    ImapClient client(with_security<ImapOptions>(Security::StartTlsIfAvailable));
    client.connect(peer->transport(), "localhost");
    CHECK_FALSE(client.is_encrypted());
    CHECK_FALSE(client.tls_info());
  }
  SECTION("smtp: offered, then refused: no session in plaintext either") {
    auto peer = ScriptedPeer::parse(
        "S: 220 mx\nC: EHLO client.example\nS: 250-mx\nS: 250 STARTTLS\nC: STARTTLS\n"
        "S: 454 4.7.0 not now\n");
    SmtpClient client(smtp_options(Security::StartTlsIfAvailable));
    const Error e = error_of([&] { client.connect(peer->transport(), "localhost"); });
    CHECK(e.kind() == Errc::tls);
    CHECK_FALSE(client.is_encrypted());
    CHECK_FALSE(client.tls_info());
  }
  SECTION("pop3") {
    auto peer = ScriptedPeer::parse("S: +OK ready\nC: CAPA\nS: +OK\nS: USER\nS: .\n");
    Pop3Client client(with_security<Pop3Options>(Security::StartTlsIfAvailable));
    client.connect(peer->transport(), "localhost");
    CHECK_FALSE(client.is_encrypted());
    CHECK_FALSE(client.tls_info());
  }
}

TEST_CASE("IMAP: a search literal answered with NO is never sent", "[imap][security]") {
  // Case 28 (Ruby net-imap CVE-2026-47240): the literal waits for "+"; a tagged NO ends the
  // command and the literal's bytes stay here.
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1] ready
    C: A001 UID SEARCH CHARSET UTF-8 SUBJECT {5}
    S: A001 NO [BADCHARSET (US-ASCII)] no
  )");
  ImapOptions options = with_security<ImapOptions>(Security::None);
  ImapClient client(options);
  client.connect(peer->transport(), "localhost");
  const Error e = error_of([&] { client.uid_search("SUBJECT", {"caf\xc3\xa9"}); });
  CHECK(e.kind() == Errc::rejected);
  CHECK(e.diagnostics().response_code == "BADCHARSET");
  CHECK(peer->received().find("caf") == std::string::npos);
  CHECK(peer->finished());
}

TEST_CASE("IMAP: server strings are data: NUL is refused, shell and format syntax kept as is",
          "[imap][security]") {
  // Case 57 (Mutt CVE-2001-0473, CVE-2018-14354/14357; Dovecot CVE-2019-11500 from the other
  // side).
  SECTION("NUL inside a quoted name") {
    auto peer = ScriptedPeer::parse(R"(
      S: * OK [CAPABILITY IMAP4rev1] ready
      C: A001 LIST "" "*"
      S~ * LIST () "/" "a\0b"\r\nA001 OK done\r\n
    )");
    ImapClient client(with_security<ImapOptions>(Security::None));
    client.connect(peer->transport(), "localhost");
    const Error e = error_of([&] { client.list("", "*"); });
    CHECK(e.kind() == Errc::protocol);
    CHECK(e.is_fatal());
  }
  SECTION("$(id), backquotes, %s%n") {
    auto peer = ScriptedPeer::parse(R"(
      S: * OK [CAPABILITY IMAP4rev1] ready
      C: A001 LIST "" "*"
      S: * LIST () "/" "$(id) `id` %s%n"
      S: A001 OK done
    )");
    ImapClient client(with_security<ImapOptions>(Security::None));
    client.connect(peer->transport(), "localhost");
    const auto list = client.list("", "*");
    REQUIRE(list.size() == 1);
    CHECK(list[0].mailbox == "$(id) `id` %s%n");
    CHECK(peer->finished());
  }
}

TEST_CASE("IMAP AUTHENTICATE: a challenge of padding only is cancelled, not answered",
          "[imap][sasl][security]") {
  // Case 60 (Thunderbird CVE-2026-113868: a padding-only challenge read out of bounds).
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1 AUTH=CRAM-MD5] ready
    C: A001 AUTHENTICATE CRAM-MD5
    S: + ====
    C: *
    S: A001 BAD cancelled
  )");
  ImapOptions options = with_security<ImapOptions>(Security::None);
  options.allow_plaintext_auth = true;
  ImapClient client(options);
  client.connect(peer->transport(), "localhost");
  const Error e = error_of([&] { client.login("alice", "secret"); });
  CHECK(e.kind() == Errc::auth);
  CHECK(peer->finished());
  CHECK(peer->received().find("secret") == std::string::npos);
}

TEST_CASE("IMAP LIST: a hundred thousand mailboxes, ten thousand levels deep, as a flat list",
          "[imap][security]") {
  // Case 51 (Claws Mail CVE-2020-16094): no tree is built, so depth costs nothing.
  std::string wire;
  std::string deep = "a";
  for (int i = 1; i < 10000; ++i)
    deep += "/a";
  wire += "* LIST () \"/\" \"" + deep + "\"\r\n";
  for (int i = 1; i < 100000; ++i)
    wire += "* LIST (\\HasNoChildren) \"/\" box" + std::to_string(i) + "\r\n";
  wire += "A001 OK done\r\n";
  auto peer = ScriptedPeer::make();
  peer->send("* OK [CAPABILITY IMAP4rev1] ready").expect("A001 LIST \"\" \"*\"").send_raw(wire);
  ImapClient client(with_security<ImapOptions>(Security::None));
  client.connect(peer->transport(), "localhost");
  const auto list = client.list("", "*");
  REQUIRE(list.size() == 100000);
  CHECK(list.front().mailbox == deep);
  CHECK(list.back().mailbox == "box99999");
  CHECK(peer->finished());
}

TEST_CASE("IMAP IDLE: a flood of untagged responses, and DONE the moment the caller stops",
          "[imap][security]") {
  // Case 53 (Ruby net-imap PR #418): each event goes to the caller and is not kept, and DONE
  // goes out as soon as the caller stops. (The scripted peer cannot take DONE in the middle of
  // one segment, so the caller stops at the last event.)
  std::string flood;
  for (int i = 1; i <= 100000; ++i)
    flood += "* " + std::to_string(i) + " EXISTS\r\n";
  auto peer = ScriptedPeer::make();
  peer->send("* OK [CAPABILITY IMAP4rev1 IDLE] ready")
      .expect("A001 IDLE")
      .send("+ idling")
      .send_raw(flood)
      .expect("DONE")
      .send("A001 OK IDLE terminated");
  ImapClient client(with_security<ImapOptions>(Security::None));
  client.connect(peer->transport(), "localhost");
  std::size_t seen = 0;
  bool in_order = true;
  const std::size_t n = client.idle(std::chrono::seconds(30), [&](const ImapClient::IdleEvent& e) {
    ++seen;
    in_order = in_order && e.number == seen;
    return seen < 100000;
  });
  CHECK(in_order);
  CHECK(seen == 100000);
  CHECK(n == seen);
  CHECK(client.mailbox().exists == 100000);
  CHECK(peer->finished());
}

TEST_CASE("Plaintext sent after the go-ahead, once the client has begun TLS: the handshake fails",
          "[smtp][imap][pop3][security]") {
  // Case 5: the injection arrives after the go-ahead was read (a segment of its own), so no
  // buffer holds it when the upgrade starts; it reaches TLS as a broken record and is never
  // read as a reply.
  auto peer = ScriptedPeer::make();
  Error e(Errc::io, "none");
  SECTION("smtp") {
    peer->send("220 mx")
        .expect("EHLO client.example")
        .send("250-mx")
        .send("250 STARTTLS")
        .expect("STARTTLS")
        .send("220 go ahead")
        .expect_any()  // the ClientHello
        .send("250 AUTH PLAIN")
        .close();
    SmtpClient client(smtp_options(Security::StartTls));
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
  }
  SECTION("imap") {
    peer->send("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready")
        .expect("A001 STARTTLS")
        .send("A001 OK go")
        .expect_any()
        .send("A002 OK LOGIN completed")
        .close();
    ImapClient client(with_security<ImapOptions>(Security::StartTls));
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
  }
  SECTION("pop3") {
    peer->send("+OK ready")
        .expect("CAPA")
        .send("+OK")
        .send("STLS")
        .send(".")
        .expect("STLS")
        .send("+OK go")
        .expect_any()
        .send("+OK logged in")
        .close();
    Pop3Client client(with_security<Pop3Options>(Security::StartTls));
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
  }
  CHECK(e.kind() == Errc::tls);
  CHECK(e.is_fatal());
  CHECK_FALSE(peer->tls_established());
}

TEST_CASE("IMAP: a tagged OK to STARTTLS sent before the command is a protocol error",
          "[imap][security]") {
  // Case 13 (Ruby net-imap GHSA-vcgp-9326-pqcp): the OK arrives with the greeting, before
  // A001 STARTTLS is written. It completes no command: the connection ends, STARTTLS is never
  // sent, nothing goes on in plaintext.
  auto peer = ScriptedPeer::parse(R"(
    S~ * OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\nA001 OK Begin TLS\r\n
  )");
  ImapClient client(with_security<ImapOptions>(Security::StartTls));
  const Error e = error_of([&] { client.connect(peer->transport(), "localhost"); });
  CHECK(e.kind() == Errc::protocol);
  CHECK(e.reason() == Reason::response_injection);
  CHECK(e.is_fatal());
  CHECK(peer->received().empty());
  CHECK_FALSE(peer->tls_established());
}

TEST_CASE("IMAP: untagged data sent before STARTTLS is read first and gives nothing",
          "[imap][security]") {
  // Unsolicited untagged responses with the greeting are allowed; they are read before
  // STARTTLS is written and leave no state (case 11).
  auto peer = ScriptedPeer::parse(R"(
    S~ * OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n* 5 EXISTS\r\n* OK [ALERT] hello\r\n
    C: A001 STARTTLS
    S: A001 OK go
    !starttls
    C: A002 CAPABILITY
    S: * CAPABILITY IMAP4rev1
    S: A002 OK done
  )");
  ImapClient client(with_security<ImapOptions>(Security::StartTls));
  client.connect(peer->transport(), "localhost");
  CHECK(client.is_encrypted());
  CHECK(client.mailbox().exists == 0);
  CHECK(peer->finished());
}
