// The three clients share one connect sequence: the same STARTTLS rule, the same Reasons, and
// the same forgetting of what was said before TLS.

#include "support/error_of.hpp"
#include "support/scripted_peer.hpp"
#include "support/test_pki.hpp"

#include <mailwire/error.hpp>
#include <mailwire/imap_client.hpp>
#include <mailwire/pop3_client.hpp>
#include <mailwire/smtp_client.hpp>

#include <catch2/catch.hpp>

using namespace mailwire;
using namespace mailwire::test;

namespace {

// Auto over a given transport: STARTTLS required.
template <class Options>
Options tls_required() {
  Options options;
  options.tls.ca_file = TestPki::get().ca_file;
  return options;
}

SmtpOptions smtp_tls_required() {
  SmtpOptions options = tls_required<SmtpOptions>();
  options.helo_name = "client.example";
  return options;
}

}  // namespace

TEST_CASE("SMTP STARTTLS: EHLO again after TLS, and what was offered before is forgotten",
          "[smtp][security]") {
  auto peer = ScriptedPeer::parse(R"(
    S: 220 mx
    C: EHLO client.example
    S: 250-mx
    S: 250-AUTH X-BEFORE-TLS
    S: 250 STARTTLS
    C: STARTTLS
    S: 220 go ahead
    !starttls
    C: EHLO client.example
    S: 250-mx
    S: 250 AUTH PLAIN
  )");
  SmtpClient client(smtp_tls_required());
  client.connect(peer->transport(), "localhost");
  CHECK(client.is_encrypted());
  CHECK(client.capabilities().auth == std::vector<std::string>{"PLAIN"});
  CHECK_FALSE(client.capabilities().starttls);
  CHECK(peer->finished());
}

TEST_CASE("STARTTLS required but not offered: the same error in all three clients",
          "[smtp][imap][pop3][security]") {
  Error e(Errc::io, "none");
  SECTION("smtp: QUIT, as before") {
    auto peer = ScriptedPeer::parse(
        "S: 220 mx\nC: EHLO client.example\nS: 250-mx\nS: 250 AUTH PLAIN\nC: QUIT\nS: 221 bye\n");
    SmtpClient client(smtp_tls_required());
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
    CHECK_THAT(e.what(), Catch::Contains("does not offer STARTTLS and TLS is required"));
    CHECK(peer->finished());
  }
  SECTION("imap") {
    auto peer = ScriptedPeer::parse("S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\n");
    ImapClient client(tls_required<ImapOptions>());
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
    CHECK_THAT(e.what(), Catch::Contains("does not offer STARTTLS and TLS is required"));
    CHECK(peer->received().empty());
  }
  SECTION("pop3") {
    auto peer = ScriptedPeer::parse("S: +OK ready\nC: CAPA\nS: +OK\nS: USER\nS: .\n");
    Pop3Client client(tls_required<Pop3Options>());
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
    CHECK_THAT(e.what(), Catch::Contains("does not offer STLS and TLS is required"));
    CHECK(peer->received() == "CAPA\r\n");
  }
  CHECK(e.kind() == Errc::tls);
  CHECK(e.reason() == Reason::starttls_unavailable);
  CHECK(e.is_fatal());
}

TEST_CASE("STARTTLS refused: fatal, with the reply, in all three clients",
          "[smtp][imap][pop3][security]") {
  Error e(Errc::io, "none");
  SECTION("smtp") {
    auto peer = ScriptedPeer::parse(
        "S: 220 mx\nC: EHLO client.example\nS: 250-mx\n"
        "S: 250 STARTTLS\nC: STARTTLS\nS: 454 4.7.0 not now\n");
    SmtpClient client(smtp_tls_required());
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
    CHECK(e.what() == std::string("smtp: localhost refused STARTTLS: 454 4.7.0 not now"));
    CHECK(e.diagnostics().reply_code == 454);
    CHECK(peer->finished());
  }
  SECTION("imap") {
    auto peer = ScriptedPeer::parse(
        "S: * OK [CAPABILITY IMAP4rev1 STARTTLS] ready\nC: A001 STARTTLS\nS: A001 NO not now\n");
    ImapClient client(tls_required<ImapOptions>());
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
    CHECK(e.what() == std::string("imap: localhost refused STARTTLS: not now"));
    CHECK(peer->finished());
  }
  SECTION("pop3") {
    auto peer = ScriptedPeer::parse(
        "S: +OK ready\nC: CAPA\nS: +OK\nS: STLS\nS: .\nC: STLS\nS: -ERR [SYS/TEMP] not now\n");
    Pop3Client client(tls_required<Pop3Options>());
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
    CHECK(e.what() == std::string("pop3: localhost refused STLS: -ERR [SYS/TEMP] not now"));
    CHECK(e.diagnostics().response_code == "SYS/TEMP");
    CHECK(peer->finished());
  }
  SECTION("smtp 501") {  // case 7: a syntax error is a refusal like any other
    auto peer = ScriptedPeer::parse(
        "S: 220 mx\nC: EHLO client.example\nS: 250-mx\n"
        "S: 250 STARTTLS\nC: STARTTLS\nS: 501 5.5.4 syntax error\n");
    SmtpClient client(smtp_tls_required());
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
    CHECK(e.diagnostics().reply_code == 501);
    CHECK(peer->received() == "EHLO client.example\r\nSTARTTLS\r\n");
  }
  SECTION("imap BAD") {
    auto peer = ScriptedPeer::parse(
        "S: * OK [CAPABILITY IMAP4rev1 STARTTLS] ready\nC: A001 STARTTLS\nS: A001 BAD no\n");
    ImapClient client(tls_required<ImapOptions>());
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
    CHECK(peer->received() == "A001 STARTTLS\r\n");
  }
  CHECK(e.kind() == Errc::tls);
  CHECK(e.reason() == Reason::starttls_refused);
  CHECK(e.is_fatal());
}

TEST_CASE("Bytes pipelined after the STARTTLS go-ahead: response injection in all three",
          "[smtp][imap][pop3][security]") {
  auto peer = ScriptedPeer::make();
  Error e(Errc::io, "none");
  SECTION("smtp") {
    peer->send("220 mx")
        .expect("EHLO client.example")
        .send("250-mx")
        .send("250 STARTTLS")
        .expect("STARTTLS")
        .send_raw("220 go ahead\r\n250 AUTH PLAIN\r\n");
    SmtpClient client(smtp_tls_required());
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
  }
  SECTION("imap") {
    peer->send("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready")
        .expect("A001 STARTTLS")
        .send_raw("A001 OK go\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n");
    ImapClient client(tls_required<ImapOptions>());
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
  }
  SECTION("pop3") {
    peer->send("+OK ready")
        .expect("CAPA")
        .send("+OK")
        .send("STLS")
        .send(".")
        .expect("STLS")
        .send_raw("+OK begin TLS\r\n+OK logged in\r\n");
    Pop3Client client(tls_required<Pop3Options>());
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
  }
  CHECK(e.kind() == Errc::protocol);
  CHECK(e.reason() == Reason::response_injection);
  CHECK(e.is_fatal());
  CHECK_FALSE(peer->tls_established());
}

TEST_CASE("IMAP PREAUTH while TLS is required: nothing is sent", "[imap][security]") {
  auto peer = ScriptedPeer::parse("S: * PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] welcome\n");
  ImapClient client(tls_required<ImapOptions>());
  const Error e = error_of([&] { client.connect(peer->transport(), "localhost"); });
  CHECK(e.kind() == Errc::tls);
  CHECK(e.reason() == Reason::preauth_without_tls);
  CHECK(e.is_fatal());
  CHECK(peer->received().empty());
}

TEST_CASE("IMAP STARTTLS: the mailbox state from before TLS is forgotten too", "[imap][security]") {
  // A hostile server could announce mailbox data before TLS; none of it may survive.
  auto peer = ScriptedPeer::parse(R"(
    S~ * OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n* 99 EXISTS\r\n
    C: A001 STARTTLS
    S: A001 OK go
    !starttls
    C: A002 CAPABILITY
    S: * CAPABILITY IMAP4rev1
    S: A002 OK done
  )");
  ImapClient client(tls_required<ImapOptions>());
  client.connect(peer->transport(), "localhost");
  CHECK(client.is_encrypted());
  CHECK(client.mailbox().exists == 0);
  CHECK_FALSE(client.has_capability("STARTTLS"));
  CHECK(peer->finished());
}

TEST_CASE("A greeting that refuses the connection: fatal, closed, in all three clients",
          "[smtp][imap][pop3]") {
  Error e(Errc::io, "none");
  SECTION("smtp") {
    auto peer = ScriptedPeer::parse("S: 554 5.3.2 no service\n");
    SmtpClient client(smtp_tls_required());
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
    CHECK(e.what() == std::string("smtp: connection refused: 554 5.3.2 no service"));
    CHECK(error_of([&] { client.noop(); }).kind() == Errc::usage);
  }
  SECTION("imap") {
    auto peer = ScriptedPeer::parse("S: * BYE [UNAVAILABLE] no service\n");
    ImapClient client(tls_required<ImapOptions>());
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
    CHECK(error_of([&] { client.noop(); }).kind() == Errc::usage);
  }
  SECTION("pop3") {
    auto peer = ScriptedPeer::parse("S: -ERR [SYS/TEMP] no service\n");
    Pop3Client client(tls_required<Pop3Options>());
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
    CHECK(error_of([&] { client.noop(); }).kind() == Errc::usage);
  }
  CHECK(e.kind() == Errc::rejected);
  CHECK(e.reason() == Reason::greeting_refused);
  CHECK(e.is_fatal());
}
